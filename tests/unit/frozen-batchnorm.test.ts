/**
 * A frozen BatchNormalization behaves as in Keras: trained for a few batches, its gamma, beta, moving mean and moving
 * variance stay bit for bit what they were, and its output while training equals its output at prediction time. A
 * trainable one (the control) does move its statistics. The generated model.ts builds it the same way, and the
 * PyTorch export keeps it frozen and in eval mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../../main/core/compile';
import { emptyProject, type Project } from '../../main/core/project';
import { runTrainingJob } from '../../main/core/training/job';
import { bufferSplit } from '../../main/core/api/compute';
import { setNodeWeights, type NodeWeights } from '../../main/core/nodeWeights';
import { generateTypeScriptProject } from '../../main/core/codegen/typescript';
import { generatePytorchProject } from '../../main/core/codegen/pytorch';
import { generateProjectFiles, shippedSources } from '../../main/node/projectSources';
import { mulberry32 } from '../../main/core/random';
import type { DatasetInfo } from '../../main/core/datasets';

const ROOT = path.resolve(__dirname, '../..');
const FEATURES = 4;
const CHANNELS = 6;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function network(frozen: boolean): Project {
  const nodes: [string, string, Record<string, unknown>][] = [
    ['in', 'Input', { shape: [FEATURES] }],
    ['hidden', 'Dense', { units: CHANNELS, activation: 'relu' }],
    ['norm', 'BatchNormalization', { momentum: 0.5 }],
    ['out', 'Dense', { units: 3, activation: 'softmax' }],
  ];
  return {
    ...emptyProject('Frozen BN'),
    graph: {
      nodes: nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params, position: { x: i * 200, y: 0 }, ...(frozen && id === 'norm' ? { trainable: false } : {}) })),
      edges: nodes.slice(1).map(([id], i) => ({ id: `e${i}`, source: nodes[i][0], target: id })),
    },
    training: { ...emptyProject('x').training, epochs: 1, batchSize: 8, learningRate: 0.05, optimizer: 'adam' },
  };
}

/** Statistics far from a fresh layer's (mean 0, variance 1), so normalizing with them differs from the batch's. */
function storedNorm(): NodeWeights {
  const random = mulberry32(3);
  const values = (offset: number, spread: number) => Float32Array.from({ length: CHANNELS }, () => offset + random() * spread);
  return {
    norm: [
      { name: 'gamma', shape: [CHANNELS], values: values(0.5, 1) },
      { name: 'beta', shape: [CHANNELS], values: values(-0.5, 1) },
      { name: 'moving_mean', shape: [CHANNELS], values: values(2, 1) },
      { name: 'moving_variance', shape: [CHANNELS], values: values(3, 2) },
    ],
  };
}

const SAMPLES = 48;
const random = mulberry32(11);
const x = Float32Array.from({ length: SAMPLES * FEATURES }, () => random() * 2 - 1);
const y = Int32Array.from({ length: SAMPLES }, (_v, i) => (x[i * FEATURES] > 0 ? 1 : 0) + (x[i * FEATURES + 1] > 0.5 ? 1 : 0));
const info = { id: 't', name: 'T', description: '', inputShape: [FEATURES], inputDType: 'float32', task: 'classification', numClasses: 3, outputSize: 3, classNames: ['a', 'b', 'c'] } as DatasetInfo;
const split = (a: number, b: number) => bufferSplit({ count: b - a, x: x.subarray(a * FEATURES, b * FEATURES), y: y.subarray(a, b), labels: y.subarray(a, b) });

/** Trains a few batches from the stored statistics; the trained weights by tfjs name. */
async function train(project: Project): Promise<Record<string, Float32Array>> {
  const result = await runTrainingJob(
    { runId: 'r', project: { ...project, weights: { file: 'unused.weights.bin', entries: [] } } },
    {
      selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'test', attempts: [] } }),
      loadData: async () => ({ info, train: split(0, 32), validation: split(32, 40), test: split(40, 48) }),
      loadProjectWeights: async () => storedNorm(),
      emit: () => undefined,
      control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
    },
  );
  expect(result.status, result.error).toBe('completed');
  const decoded = tf.io.decodeWeights(result.artifacts!.weightData as ArrayBuffer, result.artifacts!.weightSpecs!);
  return Object.fromEntries(Object.entries(decoded).map(([name, t]) => [name, t.dataSync() as Float32Array]));
}

describe('a frozen BatchNormalization', () => {
  it('keeps gamma, beta, moving mean and moving variance bit for bit through training', async () => {
    const trained = await train(network(true));
    for (const w of storedNorm().norm) expect(Array.from(trained[`norm/${w.name}`]), w.name).toEqual(Array.from(w.values));
    // The layers around it did train.
    expect(Array.from(trained['out/bias']).some((v) => v !== 0)).toBe(true);
  }, 120_000);

  it('moves its statistics when it is trainable (the control)', async () => {
    const trained = await train(network(false));
    const [, , mean] = storedNorm().norm;
    expect(Array.from(trained['norm/moving_mean'])).not.toEqual(Array.from(mean.values));
  }, 120_000);

  it('gives the same output while training as at prediction time', () => {
    const model = compileGraph(tf, network(true).graph);
    setNodeWeights(tf, model, network(true).graph, storedNorm());
    const input = tf.tensor2d(x.subarray(0, 16 * FEATURES), [16, FEATURES]);
    const training = model.apply(input, { training: true }) as tf.Tensor;
    const predicting = model.predict(input) as tf.Tensor;
    expect(Array.from(training.dataSync())).toEqual(Array.from(predicting.dataSync()));
    // Not so for a trainable one: it normalizes with the batch's statistics while training.
    const control = compileGraph(tf, network(false).graph);
    setNodeWeights(tf, control, network(false).graph, storedNorm());
    const controlTraining = control.apply(input, { training: true }) as tf.Tensor;
    expect(Array.from(controlTraining.dataSync())).not.toEqual(Array.from((control.predict(input) as tf.Tensor).dataSync()));
    tf.dispose([input, training, predicting, controlTraining]);
    model.dispose();
    control.dispose();
  });
});

describe('the generated TypeScript project', () => {
  let dir: string;
  beforeAll(() => {
    mkdirSync(path.join(ROOT, '.neurowire-tmp'), { recursive: true });
    // Under the repo so that module resolution finds node_modules.
    dir = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'frozen-bn-'));
    for (const [name, text] of Object.entries(generateProjectFiles(network(true)))) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds the frozen layer to run as at prediction time, with the shipped helper', async () => {
    const generated = generateTypeScriptProject(network(true), shippedSources());
    expect(generated['model.ts']).toMatch(/alwaysInference\(\s*tf\.layers\.batchNormalization\(\{[^}]*trainable: false/);
    expect(generateTypeScriptProject(network(false), shippedSources())['model.ts']).not.toContain('alwaysInference');
    const { buildModel } = (await import(path.join(dir, 'model.ts'))) as { buildModel(): tf.LayersModel };
    const model = buildModel();
    setNodeWeights(tf, model, network(true).graph, storedNorm());
    const input = tf.tensor2d(x.subarray(0, 16 * FEATURES), [16, FEATURES]);
    const training = model.apply(input, { training: true }) as tf.Tensor;
    const predicting = model.predict(input) as tf.Tensor;
    expect(Array.from(training.dataSync())).toEqual(Array.from(predicting.dataSync()));
    tf.dispose([input, training, predicting]);
    model.dispose();
  }, 120_000);
});

describe('the PyTorch export', () => {
  it('freezes the module and keeps it in eval mode', () => {
    const modelPy = generatePytorchProject(network(true))['model.py'];
    expect(modelPy).toMatch(/self\.norm = nw\.frozen\(nw\.BatchNorm\(.*\), inference=True\)/);
    expect(generatePytorchProject(network(false))['model.py']).not.toContain('nw.frozen(');
  });
});
