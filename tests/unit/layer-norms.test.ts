/**
 * "Is this layer learning?" (core/training/layerNorms.ts): the loop's `norms` events give, per layer, the norms of
 * its weights, of the gradient and of the step, equal to a direct computation on the same small model; which
 * batches are measured; and the notes for a vanishing gradient and for weights that do not change.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { perSampleLoss, runTrainingLoop } from '../../main/core/training/loop';
import { layerLearningNote, measuresNorms, weightGroups, NORM_SAMPLES_PER_EPOCH } from '../../main/core/training/layerNorms';
import type { LayerNorms, TrainingEvent } from '../../main/core/api/contract';
import type { Batch, SplitData, TrainingData } from '../../main/core/training/types';
import type { DatasetInfo } from '../../main/core/datasets';
import { TrainingConfigSchema } from '../../main/core/project';
import { mulberry32 } from '../../main/core/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const N = 24;
const DIM = 3;

function samples(seed: number): { x: Float32Array; y: Int32Array } {
  const r = mulberry32(seed);
  const x = Float32Array.from({ length: N * DIM }, () => r() * 2 - 1);
  const y = Int32Array.from({ length: N }, (_, i) => i % 2);
  return { x, y };
}

function split(x: Float32Array, y: Int32Array, count: number): SplitData {
  return {
    count,
    labels: y.slice(0, count),
    getBatch(indices: ArrayLike<number>): Batch {
      const n = indices.length;
      const bx = new Float32Array(n * DIM);
      const by = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        bx.set(x.subarray(indices[i] * DIM, (indices[i] + 1) * DIM), i * DIM);
        by[i] = y[indices[i]];
      }
      return { x: bx, y: by, count: n };
    },
  };
}

const INFO: DatasetInfo = {
  id: 'synthetic', name: 'Synthetic', description: '', inputShape: [DIM], inputDType: 'float32', task: 'classification', numClasses: 2,
  classNames: ['a', 'b'], outputSize: 2, totalSamples: N, available: true,
};

function model(seed: number): tf.LayersModel {
  const m = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [DIM], units: 5, activation: 'tanh', name: 'hidden' }), tf.layers.dense({ units: 2, activation: 'softmax', name: 'out' })],
  });
  const r = mulberry32(seed);
  m.setWeights(m.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => r() - 0.5), w.shape)));
  return m;
}

/** Per layer: the L2 norm of all its trainable weights (or of the tensors given for them). */
async function layerNorm(tensors: tf.Tensor[]): Promise<number> {
  const t = tf.tidy(() => tf.sqrt(tf.addN(tensors.map((w) => tf.sum(tf.square(w))))));
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

describe('norms during training', () => {
  it('equal a direct computation: gradient of the loss, SGD step = learning rate × gradient, final weights', async () => {
    const { x, y } = samples(3);
    const data: TrainingData = { info: INFO, train: split(x, y, N), validation: split(x, y, 0), test: split(x, y, 0) };
    const m = model(5);
    const initial = m.getWeights().map((w) => w.clone());
    const lr = 0.1;
    const events: TrainingEvent[] = [];
    const result = await runTrainingLoop({
      tf, model: m, data, runId: 'r', backend: { name: 'cpu', device: 'cpu', attempts: [] }, emit: (e) => events.push(e),
      control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
      // One batch per epoch: the whole training set, whatever the order.
      config: TrainingConfigSchema.parse({ epochs: 2, batchSize: N, learningRate: lr, optimizer: 'sgd', seed: 1 }),
    });
    expect(result.status).toBe('completed');
    const norms = events.filter((e): e is Extract<TrainingEvent, { type: 'norms' }> => e.type === 'norms');
    expect(norms.map((e) => [e.epoch, e.batch])).toEqual([[0, 0], [1, 0]]);
    expect(norms[0].layers.map((l) => l.layer)).toEqual(['hidden', 'out']);

    // The gradient of the first step, computed directly from the initial weights.
    const twin = model(5);
    twin.setWeights(initial);
    const vars = twin.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads, value } = tf.variableGrads(() => {
      const pred = twin.apply(tf.tensor2d(x, [N, DIM])) as tf.Tensor;
      return tf.mean(perSampleLoss(tf, 'categoricalCrossentropy', pred, tf.tensor1d(y, 'int32'), 2)) as tf.Scalar;
    }, vars);
    value.dispose();
    for (const [i, layer] of twin.layers.entries()) {
      const got: LayerNorms = norms[0].layers[i];
      const mine = layer.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]);
      const grad = await layerNorm(mine);
      expect(got.grad).toBeCloseTo(grad, 5);
      expect(got.grad).toBeGreaterThan(1e-4);
      expect(got.update).toBeCloseTo(lr * grad, 5); // plain SGD
    }
    // The last measurement's weights are the weights the model ends with.
    for (const [i, layer] of m.layers.entries()) {
      expect(norms[1].layers[i].weight).toBeCloseTo(await layerNorm(layer.trainableWeights.map((w) => w.read())), 5);
    }
    Object.values(grads).forEach((g) => g.dispose());
  });

  it('groups weights by the layer that owns them', () => {
    const m = model(1);
    expect(weightGroups(m)).toEqual([
      { layer: 'hidden', indices: [0, 1] },
      { layer: 'out', indices: [2, 3] },
    ]);
  });

  it(`measures about ${NORM_SAMPLES_PER_EPOCH} batches an epoch, always the last`, () => {
    const measured = (batches: number) => Array.from({ length: batches }, (_, b) => b).filter((b) => measuresNorms(b, batches));
    expect(measured(100)).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
    expect(measured(4)).toEqual([0, 1, 2, 3]);
    expect(measured(25)).toContain(24);
    expect(measured(25).length).toBeLessThanOrEqual(2 * NORM_SAMPLES_PER_EPOCH);
  });
});

describe('notes', () => {
  const point = (weight: number, grad: number, update: number) => ({ weight, grad, update });
  it('a layer learning normally gets none; too few measurements decide nothing', () => {
    expect(layerLearningNote([point(3, 0.5, 0.01), point(3.1, 0.4, 0.01), point(3.2, 0.3, 0.01)])).toBeNull();
    expect(layerLearningNote([point(3, 0, 0), point(3, 0, 0)])).toBeNull();
  });
  it('a gradient about 0 is vanishing', () => {
    expect(layerLearningNote([point(3, 0.5, 0.01), point(3, 1e-9, 1e-10), point(3, 1e-10, 1e-11), point(3, 0, 0)])).toMatch(/vanishing/);
  });
  it('steps about 0 next to the weights: the weights do not change', () => {
    expect(layerLearningNote([point(3, 0.5, 1e-10), point(3, 0.5, 1e-10), point(3, 0.5, 1e-10)])).toMatch(/do not change/);
  });
});
