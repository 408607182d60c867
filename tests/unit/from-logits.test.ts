import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkModelFitsData, metricSum, mulberry32, perSampleLoss, runTrainingLoop, scoreSplit } from '../../main/core/training/loop';
import { evaluateOnTest } from '../../main/core/training/evaluate';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { fitProjectToData } from '../../main/core/graph/fitToData';
import { checkOutputFit, outputTarget, probabilitiesFromLogits } from '../../main/core/outputFit';
import { emptyProject, parseProject, CURRENT_PROJECT_VERSION, TrainingConfigSchema, withOutputLoss, type Graph, type Project } from '../../main/core/project';
import type { Batch, SplitData, TrainingData } from '../../main/core/training/types';
import type { DatasetInfo, DatasetTarget } from '../../main/core/datasets';
import type { TrainingEvent } from '../../main/core/api/contract';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
};

describe('losses from logits', () => {
  const logits = [
    [2.5, -1, 0.3],
    [-4, 6, 1],
    [0.1, 0.2, 0.3],
    [30, -30, 0], // large scores: a softmax followed by a log would lose them
  ];
  const labels = [0, 2, 1, 0];

  it('categorical: −Σ y·logSoftmax(z) equals tf.losses.softmaxCrossEntropy per sample', () => {
    const z = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    const ours = perSampleLoss(tf, 'categoricalCrossentropy', z, y, 3, true).dataSync();
    const theirs = tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), z, undefined, 0, tf.Reduction.NONE).dataSync();
    close(ours, theirs);
    // And it is not the probability form applied to scores (which would clip them).
    const asProbabilities = perSampleLoss(tf, 'categoricalCrossentropy', z, y, 3, false).dataSync();
    expect(Math.abs(asProbabilities[0] - ours[0])).toBeGreaterThan(0.01);
  });

  it('binary: max(z,0) − z·y + log(1+e^−|z|) equals tf.losses.sigmoidCrossEntropy per sample', () => {
    const scores = [-3, -0.2, 0, 0.7, 15, -40];
    const y = [0, 1, 1, 0, 1, 1];
    const ours = perSampleLoss(tf, 'binaryCrossentropy', tf.tensor2d(scores, [6, 1]), tf.tensor1d(y, 'int32'), 2, true).dataSync();
    const theirs = tf.losses.sigmoidCrossEntropy(tf.tensor1d(y, 'float32'), tf.tensor1d(scores), undefined, 0, tf.Reduction.NONE).dataSync();
    close(ours, theirs);
    expect(ours[5]).toBeCloseTo(40, 4); // finite and exact for a confident wrong score
  });

  it('the probability form on softmax(z) gives the same numbers as the logit form on z', () => {
    const z = tf.tensor2d(logits.slice(0, 3));
    const y = tf.tensor1d(labels.slice(0, 3), 'int32');
    close(perSampleLoss(tf, 'categoricalCrossentropy', tf.softmax(z), y, 3).dataSync(), perSampleLoss(tf, 'categoricalCrossentropy', z, y, 3, true).dataSync(), 1e-5);
  });

  it('binary accuracy counts a score as class 1 from 0 (logits) or from 0.5 (probabilities)', () => {
    const pred = tf.tensor2d([-0.1, 0.2, 0.6], [3, 1]);
    const y = tf.tensor1d([0, 1, 1], 'int32');
    expect(metricSum(tf, 'binaryCrossentropy', pred, y, true).dataSync()[0]).toBe(3);
    expect(metricSum(tf, 'binaryCrossentropy', pred, y, false).dataSync()[0]).toBe(2);
  });

  it('probabilitiesFromLogits is softmax per row and sigmoid for one unit', () => {
    const rows = Float32Array.from([1, 2, 3, 0, 0, 0]);
    close(probabilitiesFromLogits(rows, 3), tf.softmax(tf.tensor2d([[1, 2, 3], [0, 0, 0]])).dataSync());
    close(probabilitiesFromLogits(Float32Array.from([0, 2, -2]), 1), tf.sigmoid(tf.tensor1d([0, 2, -2])).dataSync());
  });
});

// ---------------------------------------------------------------- the output-fit rule

const node = (id: string, kind: string, params: Record<string, unknown> = {}) => ({ id, kind, name: id, params, position: { x: 0, y: 0 } });

function classifier(units: number, activation: string): Graph {
  return {
    nodes: [node('input_1', 'Input', { shape: [4] }), node('dense_1', 'Dense', { units: 8, activation: 'relu' }), node('dense_2', 'Dense', { units, activation })],
    edges: [
      { id: 'e1', source: 'input_1', target: 'dense_1' },
      { id: 'e2', source: 'dense_1', target: 'dense_2' },
    ],
  };
}

const THREE: DatasetTarget = { datasetName: 'Blobs', inputShape: [4], task: 'classification', numClasses: 3, outputSize: 3 };
const BINARY: DatasetTarget = { ...THREE, numClasses: 2, outputSize: 2 };

describe('From logits in the output-fit rule', () => {
  it('warns on a softmax output whose loss takes logits, naming the layer and the fix', () => {
    const a = analyzeGraph(classifier(3, 'softmax'), THREE, [{ node: 'dense_2', fromLogits: true, lossWeight: 1 }]);
    expect(a.nodes.dense_2.warnings).toEqual([
      'dense_2 applies softmax but its loss takes logits (From logits is on): the loss applies softmax again. Set its activation to linear, or turn From logits off.',
    ]);
    expect(a.valid).toBe(true);
  });

  it('warns on a sigmoid binary output with From logits, and names the Dense before a Dropout', () => {
    const g = classifier(1, 'sigmoid');
    expect(analyzeGraph(g, BINARY, [{ node: 'dense_2', fromLogits: true, lossWeight: 1 }]).nodes.dense_2.warnings[0]).toMatch(/^dense_2 applies sigmoid .* the loss applies sigmoid again\. Set its activation to linear, or turn From logits off\.$/);
    g.nodes.push(node('dropout_1', 'Dropout', { rate: 0.1 }));
    g.edges.push({ id: 'e3', source: 'dense_2', target: 'dropout_1' });
    const warnings = analyzeGraph(g, BINARY, [{ node: 'dropout_1', fromLogits: true, lossWeight: 1 }]).nodes.dropout_1.warnings;
    expect(warnings[0]).toMatch(/^dense_2 applies sigmoid but its loss takes logits/);
  });

  it('expects a linear output with From logits, and softmax without', () => {
    expect(analyzeGraph(classifier(3, 'linear'), THREE, [{ node: 'dense_2', fromLogits: true, lossWeight: 1 }]).nodes.dense_2.warnings).toEqual([]);
    expect(analyzeGraph(classifier(3, 'linear'), THREE).nodes.dense_2.warnings[0]).toMatch(/use softmax/);
    // Another output's option does not apply here.
    expect(analyzeGraph(classifier(3, 'linear'), THREE, [{ node: 'dense_1', fromLogits: true, lossWeight: 1 }]).nodes.dense_2.warnings[0]).toMatch(/use softmax/);
    expect(outputTarget({ task: 'classification', numClasses: 2, outputSize: 2, fromLogits: true }, 1)).toEqual({ units: 1, activation: 'linear' });
    const fit = checkOutputFit({ name: 'out', shape: [3], activation: 'relu' }, { datasetName: 'd', task: 'classification', numClasses: 3, outputSize: 3, fromLogits: true });
    expect(fit.fits && fit.warnings[0]).toMatch(/out feeds a loss that takes logits .* use linear/);
  });

  it('fit to data makes the output linear when its loss takes logits', () => {
    const project: Project = { ...emptyProject(), graph: classifier(10, 'softmax') };
    const info = { id: 'b', name: 'Blobs', description: '', inputShape: [4], inputDType: 'float32', task: 'classification', numClasses: 3, classNames: ['a', 'b', 'c'], outputSize: 3, totalSamples: 9, available: true } as DatasetInfo;
    const plain = fitProjectToData(project, info);
    expect(plain.ok && plain.project.graph.nodes[2].params).toMatchObject({ units: 3, activation: 'softmax' });
    const logits = fitProjectToData({ ...project, training: { ...project.training, outputs: withOutputLoss(project.training, 'dense_2', { fromLogits: true }) } }, info);
    expect(logits.ok && logits.project.graph.nodes[2].params).toMatchObject({ units: 3, activation: 'linear' });
    expect(logits.ok && logits.changes).toContain('dense_2 linear');
  });
});

// ---------------------------------------------------------------- training from logits

function blobs(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const r = mulberry32(seed);
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let d = 0; d < 4; d++) x[i * 4 + d] = (d === y[i] ? 2 : 0) + (r() - 0.5) * 1.5;
  }
  return { x, y };
}

function splitOf(s: { x: Float32Array; y: Int32Array }, from: number, to: number): SplitData {
  return {
    count: to - from,
    getBatch(indices: ArrayLike<number>): Batch {
      const n = indices.length;
      const x = new Float32Array(n * 4);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const m = from + indices[i];
        x.set(s.x.subarray(m * 4, m * 4 + 4), i * 4);
        y[i] = s.y[m];
      }
      return { x, y, count: n };
    },
  };
}

const BLOBS: DatasetInfo = { id: 'b', name: 'Blobs', description: '', inputShape: [4], inputDType: 'float32', task: 'classification', numClasses: 3, classNames: ['a', 'b', 'c'], outputSize: 3, totalSamples: 300, available: true };

function model(activation: 'linear' | 'softmax'): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'input_1' });
  const out = tf.layers.dense({ units: 3, activation, name: 'dense_2', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('training from logits', () => {
  const s = blobs(300, 7);
  const data: TrainingData = { info: BLOBS, train: splitOf(s, 0, 200), validation: splitOf(s, 200, 250), test: splitOf(s, 250, 300) };

  it('scores a linear output from logits exactly as the same weights with softmax from probabilities', async () => {
    const linear = model('linear');
    const softmax = model('softmax');
    softmax.setWeights(linear.getWeights());
    const logitFit = checkModelFitsData(linear, BLOBS, { dense_2: { fromLogits: true } });
    expect(logitFit.fromLogits).toBe(true);
    const a = await scoreSplit(tf, linear, data.validation, logitFit, BLOBS);
    const b = await scoreSplit(tf, softmax, data.validation, checkModelFitsData(softmax, BLOBS), BLOBS);
    expect(a.loss).toBeCloseTo(b.loss, 5);
    expect(a.acc).toBeCloseTo(b.acc, 6);
  });

  it('trains a linear classifier from logits and reports probabilities in its evaluation', async () => {
    const m = model('linear');
    const events: TrainingEvent[] = [];
    const config = TrainingConfigSchema.parse({ epochs: 6, batchSize: 20, learningRate: 0.05, optimizer: 'adam', seed: 1 });
    const losses = { dense_2: { fromLogits: true } };
    const result = await runTrainingLoop({
      tf, model: m, data, config, runId: 'r', backend: { name: 'cpu', device: 'cpu', attempts: [] }, emit: (e) => events.push(e),
      control: { shouldStop: () => false, waitWhilePaused: async () => {} }, outputLosses: losses,
    });
    expect(result.status).toBe('completed');
    const last = result.history[result.history.length - 1];
    expect(last.valLoss!).toBeLessThan(result.history[0].valLoss! * 0.8);
    expect(last.valAcc!).toBeGreaterThan(0.8);
    const report = await evaluateOnTest(tf, m, data, checkModelFitsData(m, BLOBS, losses));
    expect(report.classification!.accuracy).toBeGreaterThan(0.8);
    // Confidences are probabilities (softmax of the scores), not raw scores.
    for (const g of report.gallery) {
      expect(g.confidence!).toBeGreaterThan(1 / 3 - 1e-6);
      expect(g.confidence!).toBeLessThanOrEqual(1);
    }
    m.dispose();
  });
});

// ---------------------------------------------------------------- the project format

describe('project format version 3', () => {
  it('opens a version 2 file unchanged in meaning: one Input, one output, no bindings, default losses', () => {
    const v2 = {
      format: 'neurowire-project',
      version: 2,
      name: 'Table',
      graph: classifier(3, 'softmax'),
      dataset: { source: { type: 'csv', path: '/data/t.csv', labelColumn: 'kind', featureColumns: ['a', 'b'], task: 'classification' }, validationFraction: 0.1, testFraction: 0.2, splitSeed: 4 },
      training: { epochs: 3, batchSize: 16, learningRate: 0.01, optimizer: 'sgd', seed: 5, l2: 0.01 },
    };
    const p = parseProject(JSON.stringify(v2));
    expect(p.version).toBe(CURRENT_PROJECT_VERSION);
    expect(p.dataset.source).toMatchObject({ type: 'csv', path: '/data/t.csv', labelColumn: 'kind', featureColumns: ['a', 'b'], task: 'classification', inputs: [], targets: [] });
    expect(p.training).toMatchObject({ epochs: 3, optimizer: 'sgd', l2: 0.01, outputs: [] });
    expect(p.graph).toEqual(v2.graph);
  });

  it('keeps bindings and loss options through a save and reopen', () => {
    const p = parseProject(JSON.stringify({ ...emptyProject(), version: 2 }));
    const bound: Project = {
      ...p,
      dataset: {
        ...p.dataset,
        source: {
          type: 'csv', path: '/t.csv', delimiter: 'auto', labelColumn: 'kind', featureColumns: [], task: 'auto', categorical: 'onehot', missing: 'drop-row', badRows: 'skip',
          inputs: [{ type: 'columns', node: 'n1', columns: ['a'] }, { type: 'text', node: 'n2', column: 'note', vocabSize: 50, sequenceLength: 6, lowercase: true }],
          targets: [{ node: 'o1', column: 'kind', task: 'auto' }, { node: 'o2', column: 'size', task: 'regression' }],
        },
      },
      training: { ...p.training, outputs: [{ node: 'o1', fromLogits: true, lossWeight: 1 }, { node: 'o2', fromLogits: false, lossWeight: 0.5 }] },
    };
    expect(parseProject(JSON.stringify(bound))).toEqual(bound);
  });
});
