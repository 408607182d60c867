/**
 * The input itself as the target (an autoencoder): the dataset choice that makes it, the output-fit rule, the
 * metrics of a reconstruction and a small training run whose evaluation gives back pictures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { datasetInfoFor, targetOf, type DatasetInfo } from '../../main/core/datasets';
import { evaluateReconstruction, evenlySpaced, MAX_PSNR_DB } from '../../main/core/evaluation';
import { checkOutputFit, lossFor, outputTarget } from '../../main/core/outputFit';
import { DEFAULT_DATASET, DEFAULT_TRAINING, DatasetChoiceSchema, parseProject, type Graph } from '../../main/core/project';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { fitProjectToData } from '../../main/core/graph/fitToData';
import { compileGraph } from '../../main/core/compile';
import { metricSum, perSampleLoss, runTrainingLoop } from '../../main/core/training/loop';
import { evaluateOnTest } from '../../main/core/training/evaluate';
import type { SplitData, TrainingData } from '../../main/core/training/types';
import { listDatasets, openDataset } from '../../main/node/datasets';
import { splitToBuffers } from '../../main/node/computeBridge';
import { datasetChoiceFromOptions } from '../../main/node/cli/datasetArgs';
import { bufferSplit } from '../../main/core/api/compute';

const MNIST = listDatasets().find((d) => d.id === 'mnist')!;
const asInput = DatasetChoiceSchema.parse({ ...DEFAULT_DATASET, target: 'input' });

describe('the input itself as the target', () => {
  it('keeps the labels by default, also in files saved before the option existed', () => {
    const { target: _target, ...older } = DEFAULT_DATASET;
    expect(DatasetChoiceSchema.parse(older).target).toBe('labels');
    expect(datasetInfoFor(DEFAULT_DATASET, MNIST)).toBe(MNIST);
  });

  it('makes the task reconstruction: the output has the input shape, no classes', () => {
    const info = datasetInfoFor(asInput, MNIST);
    expect(info).toMatchObject({ task: 'reconstruction', numClasses: 0, classNames: [], outputSize: 784, outputShape: [28, 28, 1], unitRange: true, inputShape: [28, 28, 1] });
    expect(targetOf(info)).toMatchObject({ task: 'reconstruction', outputSize: 784, outputShape: [28, 28, 1] });
  });

  it('is chosen on the command line with --reconstruct', () => {
    expect(datasetChoiceFromOptions(DEFAULT_DATASET, { reconstruct: true }).target).toBe('input');
    expect(datasetChoiceFromOptions(DEFAULT_DATASET, {}).target).toBe('labels');
    expect(datasetChoiceFromOptions(asInput, { val: '0.2' })).toMatchObject({ target: 'input', validationFraction: 0.2 });
  });

  it('refuses token ids with a message naming the data', () => {
    const text: DatasetInfo = { ...MNIST, name: 'reviews.csv', inputShape: [100], inputDType: 'int32' };
    expect(() => datasetInfoFor(asInput, text)).toThrow(/reviews\.csv gives token ids/);
  });

  it('reads batches whose target is a float copy of the input, split as with the labels', async () => {
    const labelled = await openDataset(DEFAULT_DATASET);
    const data = await openDataset(asInput);
    expect(data.info.task).toBe('reconstruction');
    expect([data.train.count, data.validation.count, data.test.count]).toEqual([labelled.train.count, labelled.validation.count, labelled.test.count]);
    const batch = await data.test.getBatch([0, 5, 9]);
    const same = await labelled.test.getBatch([0, 5, 9]);
    expect(batch.x).toEqual(same.x);
    expect(batch.y).toBeInstanceOf(Float32Array);
    expect(Array.from(batch.y)).toEqual(Array.from(batch.x));
    expect(batch.y).not.toBe(batch.x);
    expect(data.test.labels).toBeUndefined();
  });

  it('travels to a browser GPU run as buffers whose targets are the inputs again', async () => {
    const data = await openDataset(asInput);
    const buffers = await splitToBuffers(data.test, data.info);
    expect(buffers.y).toBeInstanceOf(Float32Array);
    expect(buffers.y).toEqual(buffers.x);
    const batch = await bufferSplit(buffers).getBatch([3, 4]);
    expect(Array.from(batch.y)).toEqual(Array.from(batch.x));
    expect(batch.y).toHaveLength(2 * 784);
  });
});

describe('the output-fit rule for a reconstruction', () => {
  const target = { datasetName: 'MNIST', task: 'reconstruction' as const, numClasses: 0, outputSize: 784, outputShape: [28, 28, 1], unitRange: true };

  it('takes an output of the input shape, or a flat one of as many values; pixels train with cross-entropy, other values with the MSE', () => {
    expect(checkOutputFit({ name: 'conv2d_3', shape: [28, 28, 1], activation: 'sigmoid' }, target)).toEqual({ fits: true, units: 784, loss: 'binaryCrossentropy', warnings: [] });
    expect(checkOutputFit({ name: 'dense_2', shape: [784], activation: 'sigmoid' }, target)).toMatchObject({ fits: true, units: 784 });
    expect(lossFor(target, 784)).toBe('binaryCrossentropy');
    expect(lossFor({ ...target, unitRange: false }, 784)).toBe('meanSquaredError');
  });

  it('computes the cross-entropy of every value of a sample, and the metric as the absolute error', () => {
    const pred = tf.tensor4d([0.9, 0.2, 0.5, 0.5], [2, 1, 2, 1]);
    const y = tf.tensor4d([1, 0, 1, 1], [2, 1, 2, 1]);
    const bce = (p: number, t: number) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
    const loss = perSampleLoss(tf, 'binaryCrossentropy', pred, y, 0).arraySync() as number[];
    expect(loss[0]).toBeCloseTo((bce(0.9, 1) + bce(0.2, 0)) / 2, 5);
    expect(loss[1]).toBeCloseTo(bce(0.5, 1), 5);
    expect(metricSum(tf, 'binaryCrossentropy', pred, y, false, true).arraySync()).toBeCloseTo(0.1 + 0.2 + 0.5 + 0.5, 5);
  });

  it('refuses another shape, naming the layer, both shapes and the fix', () => {
    const fit = checkOutputFit({ name: 'conv2d_3', shape: [28, 28, 8], activation: 'sigmoid' }, target);
    expect(fit.fits).toBe(false);
    if (fit.fits) return;
    expect(fit.problem).toContain('conv2d_3 outputs [28, 28, 8]');
    expect(fit.problem).toContain("the output must have the input's shape");
    expect(fit.problem).toContain('Conv2D(1, sigmoid, padding same)');
    expect(checkOutputFit({ name: 'x', shape: [14, 14, 1] }, target).fits).toBe(false);
    expect(checkOutputFit({ name: 'x', shape: [10] }, target).fits).toBe(false);
  });

  it('warns about a softmax, and about a squeezing activation for values outside 0..1', () => {
    const soft = checkOutputFit({ name: 'out', shape: [28, 28, 1], activation: 'softmax' }, target);
    expect(soft.fits && soft.warnings[0]).toMatch(/softmax makes each sample's values sum to 1; use sigmoid/);
    const relu = checkOutputFit({ name: 'out', shape: [28, 28, 1], activation: 'relu' }, target);
    expect(relu.fits && relu.warnings[0]).toMatch(/binary cross-entropy, which takes values between 0 and 1, but its activation is relu; use sigmoid/);
    const table = { ...target, outputShape: [6], outputSize: 6, unitRange: false };
    const squeezed = checkOutputFit({ name: 'out', shape: [6], activation: 'sigmoid' }, table);
    expect(squeezed.fits && squeezed.warnings[0]).toMatch(/not in 0\.\.1 .* use linear/);
    expect(outputTarget(target, 3)).toEqual({ units: 784, activation: 'sigmoid' });
    expect(outputTarget(table, 3)).toEqual({ units: 6, activation: 'linear' });
  });
});

describe('evaluateReconstruction', () => {
  it('computes MSE, MAE, PSNR and the mean-sample MSE of a hand-computed case', () => {
    // Two samples of two values; the second value is always 1, the first 0 then 1.
    const r = evaluateReconstruction(Float32Array.of(0, 1, 1, 1), Float32Array.of(0, 0.5, 1, 1), 2);
    expect(r.mse).toBeCloseTo(0.0625, 10);
    expect(r.mae).toBeCloseTo(0.125, 10);
    expect(r.psnr).toBeCloseTo(10 * Math.log10(1 / 0.0625), 10);
    // The mean sample is (0.5, 1): errors 0.25 and 0.25 on the first value.
    expect(r.baselineMse).toBeCloseTo(0.125, 10);
  });

  it('gives a finite PSNR for a perfect reconstruction, zeros for no samples, and refuses values that do not fit', () => {
    expect(evaluateReconstruction(Float32Array.of(0.2, 0.4), Float32Array.of(0.2, 0.4), 2).psnr).toBe(MAX_PSNR_DB);
    expect(evaluateReconstruction(new Float32Array(0), new Float32Array(0), 4)).toEqual({ mse: 0, mae: 0, psnr: 0, baselineMse: 0 });
    expect(() => evaluateReconstruction(Float32Array.of(1, 2, 3), Float32Array.of(1, 2), 1)).toThrow(/3 true values but 2/);
    expect(() => evaluateReconstruction(Float32Array.of(1, 2, 3), Float32Array.of(1, 2, 3), 2)).toThrow(/not samples of 2/);
  });

  it('spreads the samples it shows over the split', () => {
    expect(evenlySpaced(10, 4)).toEqual([0, 2, 5, 7]);
    expect(evenlySpaced(3, 10)).toEqual([0, 1, 2]);
    expect(evenlySpaced(0, 5)).toEqual([]);
  });
});

/** Input 8×8×1 → Conv2D → MaxPooling2D → UpSampling2D → Conv2D(1, sigmoid): a tiny autoencoder. */
function tinyAutoencoder(lastFilters = 1): Graph {
  const node = (id: string, kind: string, params: Record<string, unknown>, x: number) => ({ id, kind, name: id, params, position: { x, y: 0 } });
  const nodes = [
    node('input_1', 'Input', { shape: [8, 8, 1] }, 0),
    node('conv2d_1', 'Conv2D', { filters: 4, kernelSize: [3, 3], padding: 'same', activation: 'relu' }, 240),
    node('max_pooling2d_1', 'MaxPooling2D', {}, 480),
    node('up_sampling2d_1', 'UpSampling2D', {}, 720),
    node('conv2d_2', 'Conv2D', { filters: lastFilters, kernelSize: [3, 3], padding: 'same', activation: 'sigmoid' }, 960),
  ];
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

/** Blocks of light and dark: samples an autoencoder can learn in a few steps. */
function blocks(count: number, seed: number): SplitData {
  const x = new Float32Array(count * 64);
  for (let i = 0; i < count; i++) {
    const bright = ((i * 7 + seed) % 5) / 4;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = (Math.floor(p / 8) < 4) === (i % 2 === 0) ? bright : 1 - bright;
  }
  return {
    count,
    getBatch(indices) {
      const idx = Array.from(indices);
      const bx = new Float32Array(idx.length * 64);
      idx.forEach((s, k) => bx.set(x.subarray(s * 64, (s + 1) * 64), k * 64));
      return { x: bx, y: Float32Array.from(bx), count: idx.length };
    },
  };
}

describe('training an autoencoder', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  const info = datasetInfoFor(asInput, { ...MNIST, name: 'blocks', inputShape: [8, 8, 1] });

  it('analysis, fit to data and training agree on what fits', () => {
    expect(analyzeGraph(tinyAutoencoder(), targetOf(info)).nodes.conv2d_2.warnings).toEqual([]);
    const misfit = analyzeGraph(tinyAutoencoder(3), targetOf(info)).nodes.conv2d_2;
    expect(misfit.warnings[0]).toContain('conv2d_2 outputs [8, 8, 3]');
    expect(misfit.fixes).toEqual([]);
    // Fit to data sets the Input and leaves the decoder, which sets its own shape.
    const project = parseProject(JSON.stringify({ format: 'neurowire-project', version: 3, name: 'ae', graph: tinyAutoencoder(), dataset: asInput, training: DEFAULT_TRAINING }));
    const fitted = fitProjectToData(project, { ...info, inputShape: [8, 8, 1] });
    expect(fitted).toMatchObject({ ok: true, changes: [] });
    const model = compileGraph(tf, tinyAutoencoder(3));
    const data: TrainingData = { info, train: blocks(8, 0), validation: blocks(0, 0), test: blocks(4, 1) };
    return runTrainingLoop({
      tf,
      model,
      data,
      config: { ...DEFAULT_TRAINING, epochs: 1 },
      runId: 'misfit',
      backend: { name: 'cpu', device: 'CPU', attempts: [] },
      emit: () => undefined,
      control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
    }).then((result) => {
      model.dispose();
      expect(result.status).toBe('failed');
      expect(result.error).toContain('conv2d_2 outputs [8, 8, 3]');
    });
  });

  it('learns to give back its inputs (the error falls) and shows test pictures above their reconstructions', async () => {
    const model = compileGraph(tf, tinyAutoencoder());
    // Seeded weights (Glorot-like kernels, zero biases): the same start on every run, so the test never depends on a
    // lucky draw of tfjs's unseeded initializers (one in three draws fell short of the 10 % below).
    model.setWeights(
      model.getWeights().map((w, i) => {
        if (w.shape.length < 2) return tf.zerosLike(w);
        const fans = w.shape.slice(0, -1).reduce((a, b) => a * b, 1) + w.shape[w.shape.length - 1];
        return tf.randomUniform(w.shape, -Math.sqrt(6 / fans), Math.sqrt(6 / fans), 'float32', 11 + i);
      }),
    );
    const data: TrainingData = { info, train: blocks(64, 0), validation: blocks(16, 3), test: blocks(20, 1) };
    const before = await evaluateOnTest(tf, model, data, 'meanSquaredError');
    const result = await runTrainingLoop({
      tf,
      model,
      data,
      config: { ...DEFAULT_TRAINING, epochs: 10, batchSize: 16, learningRate: 0.01 },
      runId: 'ae',
      backend: { name: 'cpu', device: 'CPU', attempts: [] },
      emit: () => undefined,
      control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
    });
    expect(result.status, result.error).toBe('completed');
    // Values are reported as MAE per value, as for regression.
    expect(result.history[0].mae).toBeGreaterThan(0);
    const after = await evaluateOnTest(tf, model, data, 'meanSquaredError', { gallerySize: 6 });
    model.dispose();
    expect(after.task).toBe('reconstruction');
    expect(after.loss).toBeCloseTo(after.reconstruction!.mse, 5);
    // Learning, not a proof of quality (the MNIST template's training test is): the error falls.
    expect(after.reconstruction!.mse).toBeLessThan(before.reconstruction!.mse * 0.9);
    expect(after.reconstruction!.baselineMse).toBeCloseTo(before.reconstruction!.baselineMse, 6);
    expect(after.gallery.map((g) => g.index)).toEqual(evenlySpaced(20, 6));
    for (const item of after.gallery) {
      expect(item.image).toMatchObject({ width: 8, height: 8, channels: 1 });
      expect(item.reconstruction).toMatchObject({ width: 8, height: 8, channels: 1 });
      expect(item.reconstruction!.pixels).toHaveLength(64);
      expect(item.error).toBeGreaterThanOrEqual(0);
    }
    // The pictures are the test inputs, as bytes.
    const first = await data.test.getBatch([0]);
    expect(after.gallery[0].image!.pixels).toEqual(Array.from(first.x, (v) => Math.round(v * 255)));
  }, 120_000);
});
