/**
 * Merge, reshaping, regularization and activation layers: the human messages, Neurowire's own classes
 * (Subtract, SpatialDropout2D, ActivityRegularization) against finite differences and through a
 * serialization round trip, training-only layers at inference, and layer losses in the training loop.
 * Per-configuration shape/parameter checks against tfjs live in layers.test.ts (ACCEPTED/REJECTED).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { makeCustomLayer, registerCustomLayers } from '../../main/core/layers/custom';
import type { ShapeCheck } from '../../main/core/layers/types';
import { check, parse } from './layer-cases/harness';
import { compileGraph } from '../../main/core/compile';
import { runTrainingLoop } from '../../main/core/training/loop';
import type { TrainingData } from '../../main/core/training/types';
import { TrainingConfigSchema, emptyProject, type Graph } from '../../main/core/project';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { fitProjectToData } from '../../main/core/graph/fitToData';
import { checkModelFitsData } from '../../main/core/training/loop';
import { targetOf, type DatasetInfo } from '../../main/core/datasets';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function errorOf(r: ShapeCheck): string {
  if (r.ok) throw new Error(`expected an error, got ok with shape ${JSON.stringify(r.shape)}`);
  return r.error;
}

/** The layer of a kind as the compiler builds it (stock factory or Neurowire's class). */
function buildLayer(kind: string, params: Record<string, unknown> = {}, name?: string): tf.layers.Layer {
  const spec = requireLayerSpec(kind);
  const config = { ...spec.tfjs.config(parse(spec, params)), ...(name ? { name } : {}) };
  if (spec.tfjs.custom) return makeCustomLayer(tf, spec.tfjs.className, config);
  return (tf.layers as unknown as Record<string, (c: object) => tf.layers.Layer>)[spec.tfjs.factory](config);
}

/**
 * Gradient check: tf.grads of a scalar loss of the inputs against central finite differences in float32 on every
 * input value. Returns the largest difference relative to the gradient's scale (at least 1).
 */
function scalarGradientError(loss: (...xs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[], eps = 1e-2): number {
  const analytic = tf.grads(loss)(inputs).map((g) => g.dataSync());
  let worst = 0;
  inputs.forEach((x, k) => {
    const values = x.dataSync().slice();
    for (let i = 0; i < values.length; i++) {
      const at = (delta: number) => {
        const v = values.slice();
        v[i] += delta;
        const xs = inputs.map((y, j) => (j === k ? tf.tensor(v, x.shape) : y));
        return loss(...xs).dataSync()[0];
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const scale = Math.max(1, Math.abs(numeric), Math.abs(analytic[k][i]));
      worst = Math.max(worst, Math.abs(numeric - analytic[k][i]) / scale);
    }
  });
  return worst;
}

/** The same check for a tensor-valued function, through sum(f(inputs) · r) with a fixed random r. */
function gradientError(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): number {
  const r = tf.randomUniform(f(...inputs).shape, -1, 1, 'float32', 7);
  return scalarGradientError((...xs) => tf.sum(tf.mul(f(...xs), r)) as tf.Scalar, inputs);
}

/** Values at least 0.3 away from 0 with mixed signs, so |x| has no kink within the finite-difference step. */
function awayFromZero(shape: number[], seed: number): tf.Tensor {
  const u = tf.randomUniform(shape, 0.3, 1.5, 'float32', seed).dataSync();
  return tf.tensor(Array.from(u, (v, i) => (i % 3 === 1 ? -v : v)), shape);
}

/** model → toJSON → modelFromJSON (after registerCustomLayers) with the same weights; both predictions. */
async function roundTrip(model: tf.LayersModel, xs: tf.Tensor[]): Promise<{ before: Float32Array; after: Float32Array; json: string }> {
  registerCustomLayers(tf);
  const json = model.toJSON(null, false) as unknown as object;
  const restored = await tf.models.modelFromJSON({ modelTopology: json } as tf.io.ModelJSON as never);
  restored.setWeights(model.getWeights());
  const before = (model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor).dataSync() as Float32Array;
  const after = (restored.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor).dataSync() as Float32Array;
  return { before, after, json: JSON.stringify(json) };
}

describe('Subtract (Neurowire class, Keras semantics)', () => {
  it('says which shapes differ and how to fix it, naming the layer', () => {
    expect(errorOf(check({ kind: 'Subtract', inputs: [[128], [64]] }, 'subtract_1'))).toBe(
      'subtract_1: Subtract needs inputs of the same shape but gets [128] and [64] — make both branches end in the same number of units.',
    );
    expect(check({ kind: 'Subtract', inputs: [[1], [3]] }, 'subtract_2').warnings?.[0]).toContain('subtract_2: Subtract gets inputs of different shapes');
  });

  it('takes exactly two inputs: the spec says so and the class refuses three', () => {
    expect(requireLayerSpec('Subtract').inputs).toEqual({ min: 2, max: 2 });
    const layer = buildLayer('Subtract');
    expect(() => layer.apply([tf.input({ shape: [3] }), tf.input({ shape: [3] }), tf.input({ shape: [3] })])).toThrow(/exactly 2 inputs/);
  });

  it('computes first minus second, broadcasting a shorter input over the sample axes', () => {
    const a = tf.tensor3d([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]);
    const b = tf.tensor2d([[1, 1, 1], [2, 2, 2]]);
    const y = buildLayer('Subtract').apply([a, b]) as tf.Tensor;
    expect(y.arraySync()).toEqual([[[0, 1, 2], [3, 4, 5]], [[5, 6, 7], [8, 9, 10]]]);
    const reversed = buildLayer('Subtract').apply([b, a]) as tf.Tensor;
    expect(Array.from(reversed.dataSync(), (v) => v + 0)).toEqual(Array.from(y.dataSync(), (v) => -v + 0));
  });

  it('gradients agree with finite differences (same shapes and broadcast)', () => {
    const layer = buildLayer('Subtract');
    const f = (a: tf.Tensor, b: tf.Tensor) => layer.apply([a, b]) as tf.Tensor;
    expect(gradientError(f, [tf.randomNormal([2, 4, 3], 0, 1, 'float32', 1), tf.randomNormal([2, 4, 3], 0, 1, 'float32', 2)])).toBeLessThan(1e-2);
    expect(gradientError(f, [tf.randomNormal([2, 4, 3], 0, 1, 'float32', 3), tf.randomNormal([2, 3], 0, 1, 'float32', 4)])).toBeLessThan(1e-2);
  });

  it('round-trips through toJSON and modelFromJSON with the same predictions', async () => {
    const a = tf.input({ shape: [4] });
    const b = tf.input({ shape: [4] });
    const da = tf.layers.dense({ units: 3 }).apply(a) as tf.SymbolicTensor;
    const db = tf.layers.dense({ units: 3 }).apply(b) as tf.SymbolicTensor;
    const diff = buildLayer('Subtract', {}, 'subtract_1').apply([da, db]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: tf.layers.dense({ units: 2 }).apply(diff) as tf.SymbolicTensor });
    const { before, after, json } = await roundTrip(model, [tf.randomNormal([5, 4], 0, 1, 'float32', 5), tf.randomNormal([5, 4], 0, 1, 'float32', 6)]);
    expect(json).toContain('"class_name":"Subtract"');
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});

describe('human messages', () => {
  it('every element-wise merge names itself and the shapes that differ', () => {
    for (const kind of ['Multiply', 'Average', 'Maximum', 'Minimum']) {
      expect(errorOf(check({ kind, inputs: [[4, 3], [4, 2]] }, 'merge_1'))).toBe(
        `merge_1: ${kind} needs inputs of the same shape but gets [4, 3] and [4, 2] — make the branches end in the same shape.`,
      );
    }
  });

  it('Dot with dot axes of different sizes says which axes and sizes, and how to fix it', () => {
    expect(errorOf(check({ kind: 'Dot', inputs: [[4], [5]] }, 'dot_1'))).toBe(
      'dot_1: Dot multiplies axis 1 of its first input (size 4, shape [4]) with axis 1 of its second input (size 5, shape [5]), but these sizes differ — choose axes of the same size, or change one branch so they match.',
    );
    expect(errorOf(check({ kind: 'Dot', inputs: [[3, 4], [3, 5]], params: { axes: [2, 1] } }, 'dot_2'))).toContain('axis 2 of its first input (size 4, shape [3, 4]) with axis 1 of its second input (size 3');
    expect(errorOf(check({ kind: 'Dot', inputs: [[null], [4]] }, 'dot_3'))).toContain('(size ?, shape [?])');
  });

  it('Dot on images and on missing axes', () => {
    expect(errorOf(check({ kind: 'Dot', inputs: [[8, 8, 3], [8, 8, 3]] }, 'dot_4'))).toBe(
      'dot_4: Dot in tfjs works on flat vectors [features] or sequences [steps, features], but its first input is an image-like tensor [8, 8, 3] (height, width, channels) — Flatten or Reshape that branch first.',
    );
    expect(errorOf(check({ kind: 'Dot', inputs: [[4], [4]], params: { axes: [2, 2] } }, 'dot_5'))).toBe('dot_5: Dot axis 2 does not exist for its first input of shape [4] — use an axis from 1 to 1.');
    // Two flat vectors give one number per sample, kept as [1] as in tfjs.
    expect(check({ kind: 'Dot', inputs: [[4], [4]] })).toEqual({ ok: true, shape: [1] });
  });

  it('Permute rejects lists that are not a permutation of the axes, with an example', () => {
    expect(errorOf(check({ kind: 'Permute', inputs: [[3, 4]], params: { dims: [1, 1] } }, 'permute_1'))).toBe(
      'permute_1: Permute dims [1, 1] does not list each axis of the input [3, 4] exactly once — list each axis 1 to 2 once, e.g. [2, 1].',
    );
    expect(errorOf(check({ kind: 'Permute', inputs: [[3, 4, 5]], params: { dims: [2, 1] } }, 'permute_2'))).toBe(
      'permute_2: Permute dims [2, 1] lists 2 axes but the input [3, 4, 5] has 3 — list each axis 1 to 3 once, e.g. [3, 2, 1].',
    );
    expect(check({ kind: 'Permute', inputs: [[2, 3, 4]], params: { dims: [3, 1, 2] } })).toEqual({ ok: true, shape: [4, 2, 3] });
  });

  it('RepeatVector needs a flat vector and says how to get one', () => {
    expect(errorOf(check({ kind: 'RepeatVector', inputs: [[10, 4]] }, 'repeat_vector_1'))).toBe(
      'repeat_vector_1: RepeatVector needs a flat vector [features] but gets a sequence [10, 4] (time, features) — insert a GlobalAveragePooling1D (or an LSTM without return sequences) to get one vector first.',
    );
    expect(errorOf(check({ kind: 'RepeatVector', inputs: [[4, 4, 3]] }, 'repeat_vector_2'))).toContain('insert a Flatten first');
  });

  it('spatial dropouts name the layout they need and the Reshape that gives it', () => {
    expect(errorOf(check({ kind: 'SpatialDropout2D', inputs: [[784]] }, 'spatial_dropout2d_1'))).toBe(
      'spatial_dropout2d_1: SpatialDropout2D needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1].',
    );
    expect(errorOf(check({ kind: 'SpatialDropout1D', inputs: [[28, 28, 1]] }, 'spatial_dropout1d_1'))).toContain(
      'spatial_dropout1d_1: SpatialDropout1D needs a sequence [steps, channels] but gets an image-like tensor [28, 28, 1]',
    );
    expect(errorOf(check({ kind: 'SpatialDropout1D', inputs: [[28, 28, 1]] }))).toContain('or use SpatialDropout2D for images');
  });

  it('rates, noise and penalties that do nothing warn, naming the layer', () => {
    for (const [kind, params] of [
      ['SpatialDropout1D', { rate: 1 }],
      ['SpatialDropout2D', { rate: 0 }],
      ['GaussianDropout', { rate: 1 }],
      ['GaussianNoise', { stddev: 0 }],
      ['ActivityRegularization', { l1: 0, l2: 0 }],
    ] as const) {
      const input = kind === 'SpatialDropout1D' ? [5, 4] : [4, 4, 2];
      const r = check({ kind, inputs: [input], params }, 'noisy_1');
      expect(r.ok).toBe(true);
      expect(r.warnings?.[0]).toMatch(/^noisy_1: .* — .*\.$/);
    }
    // What the GaussianDropout warning claims: at rate 1 tfjs passes values through unchanged, even in training.
    const y = tf.layers.gaussianDropout({ rate: 1 }).apply(tf.ones([2, 4]), { training: true }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(new Array(8).fill(1));
  });

  it('PReLU: shared axes that do not exist, and unknown sizes it would need a slope for', () => {
    expect(errorOf(check({ kind: 'PReLU', inputs: [[3, 4]], params: { sharedAxes: [3] } }, 'p_re_lu_1'))).toBe(
      'p_re_lu_1: PReLU shared axis 3 does not exist for an input of shape [3, 4] — use axes from 1 to 2.',
    );
    expect(errorOf(check({ kind: 'PReLU', inputs: [[null, 4]] }, 'p_re_lu_2'))).toBe(
      'p_re_lu_2: PReLU learns one slope per position, so it needs the size of axis 1 of [?, 4] — share that axis (add 1 to Shared axes) or give it a fixed size.',
    );
  });

  it('PReLU counts one slope per value, or per channel with shared axes, as tfjs does', () => {
    const spec = requireLayerSpec('PReLU');
    expect(spec.countParams([[5, 5, 3]], parse(spec, {}))).toBe(75);
    expect(spec.countParams([[5, 5, 3]], parse(spec, { sharedAxes: [1, 2] }))).toBe(3);
    expect(buildLayer('PReLU', { sharedAxes: [1, 2] }).apply(tf.input({ shape: [5, 5, 3] })) && true).toBe(true);
  });

  it('ELU and Softmax say what tfjs supports instead of failing later', () => {
    expect(errorOf(check({ kind: 'ELU', inputs: [[4]], params: { alpha: 0.5 } }, 'elu_1'))).toBe("elu_1: tfjs's ELU layer supports only alpha 1, not 0.5 — set alpha to 1.");
    expect(errorOf(check({ kind: 'Softmax', inputs: [[3, 4]], params: { axis: 1 } }, 'softmax_1'))).toBe(
      'softmax_1: tfjs computes Softmax only along the last axis, not axis 1 of [3, 4] — use -1, or move that axis last with a Permute first.',
    );
    expect(errorOf(check({ kind: 'Softmax', inputs: [[4]], params: { axis: 0 } }, 'softmax_2'))).toContain('softmax_2: axis 0 is the batch axis');
  });

  it('ReLU leaves out maxValue when it is 0 (no limit) and caps at it otherwise', () => {
    const spec = requireLayerSpec('ReLU');
    expect(spec.tfjs.config(parse(spec, {}))).toEqual({});
    const capped = buildLayer('ReLU', { maxValue: 6 }).apply(tf.tensor2d([[-1, 3, 9]])) as tf.Tensor;
    expect(Array.from(capped.dataSync())).toEqual([0, 3, 6]);
  });
});

describe('training-only layers pass values through at inference', () => {
  const kinds: [string, Record<string, unknown>, number[]][] = [
    ['SpatialDropout1D', { rate: 0.5 }, [6, 4]],
    ['SpatialDropout2D', { rate: 0.5 }, [4, 4, 3]],
    ['GaussianNoise', { stddev: 1 }, [4, 4, 3]],
    ['GaussianDropout', { rate: 0.5 }, [4, 4, 3]],
    ['ActivityRegularization', { l1: 0.1, l2: 0.1 }, [4, 4, 3]],
  ];
  it.each(kinds)('%s: identity without training, changed values in training (but ActivityRegularization)', (kind, params, shape) => {
    const x = tf.randomNormal([3, ...shape], 0, 1, 'float32', 11);
    const layer = buildLayer(kind, params);
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
    expect(Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
    // In a model, predict runs without training.
    const input = tf.input({ shape });
    const model = tf.model({ inputs: input, outputs: buildLayer(kind, params).apply(input) as tf.SymbolicTensor });
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
    const trained = Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync());
    if (kind === 'ActivityRegularization') expect(trained).toEqual(Array.from(x.dataSync()));
    else expect(trained).not.toEqual(Array.from(x.dataSync()));
  });
});

describe('SpatialDropout2D (Neurowire class, Keras semantics)', () => {
  it('in training drops whole channels per sample and scales the kept ones by 1 / (1 - rate)', () => {
    const x = tf.ones([8, 5, 5, 16]);
    const y = (buildLayer('SpatialDropout2D', { rate: 0.5 }).apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
    let dropped = 0;
    for (const sample of y) {
      for (let c = 0; c < 16; c++) {
        const values = new Set(sample.flatMap((row) => row.map((pixel) => pixel[c])));
        expect(values.size).toBe(1); // one decision per channel, shared by every pixel
        const [v] = values;
        expect([0, 2]).toContain(v);
        if (v === 0) dropped++;
      }
    }
    // 128 channel decisions at rate 0.5: far from none and from all.
    expect(dropped).toBeGreaterThan(30);
    expect(dropped).toBeLessThan(98);
  });

  it('gradients agree with finite differences (fixed seed, so the same channels drop in every call)', () => {
    const layer = makeCustomLayer(tf, 'SpatialDropout2D', { rate: 0.4, seed: 5 });
    const f = (x: tf.Tensor) => layer.apply(x, { training: true }) as tf.Tensor;
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 9);
    expect(gradientError(f, [x])).toBeLessThan(1e-2);
    // The check can fail: a layer whose gradient ignored the mask would be off by the dropped channels.
    expect(Array.from((f(x) as tf.Tensor).dataSync()).some((v) => v === 0)).toBe(true);
  });

  it('round-trips through toJSON and modelFromJSON with the same predictions', async () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    const dropped = buildLayer('SpatialDropout2D', { rate: 0.3 }, 'spatial_dropout2d_1').apply(conv) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(dropped) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(flat) as tf.SymbolicTensor });
    const { before, after, json } = await roundTrip(model, [tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 12)]);
    expect(json).toContain('"class_name":"SpatialDropout2D"');
    expect(json).toContain('"rate":0.3');
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});

describe('ActivityRegularization (Neurowire class, tf.keras semantics)', () => {
  const l1 = 0.03;
  const l2 = 0.2;

  it('records l1·Σ|x| + l2·Σx² divided by the batch size, only in training', () => {
    const layer = buildLayer('ActivityRegularization', { l1, l2 });
    const x = tf.tensor2d([[1, -2, 3], [0.5, 0, -1]]);
    layer.apply(x);
    expect(layer.calculateLosses()[0].dataSync()[0]).toBe(0);
    layer.apply(x, { training: true });
    const expected = (l1 * (1 + 2 + 3 + 0.5 + 0 + 1) + l2 * (1 + 4 + 9 + 0.25 + 0 + 1)) / 2;
    expect(layer.calculateLosses()[0].dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('the penalty gradient agrees with finite differences', () => {
    const layer = buildLayer('ActivityRegularization', { l1, l2 });
    const r = tf.randomUniform([2, 4, 3], -1, 1, 'float32', 8);
    const loss = (x: tf.Tensor) => {
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      return tf.add(tf.sum(tf.mul(y, r)), tf.addN(layer.calculateLosses())) as tf.Scalar;
    };
    const x = awayFromZero([2, 4, 3], 4);
    expect(scalarGradientError(loss, [x])).toBeLessThan(1e-2);
    // And the penalty is really part of it: its gradient alone is 2·l2·x/B + l1·sign(x)/B, not 0.
    const withoutPenalty = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v, { training: true }) as tf.Tensor, r)) as tf.Scalar)([x])[0];
    const full = tf.grads(loss)([x])[0];
    const expected = tf.div(tf.add(tf.mul(2 * l2, x), tf.mul(l1, tf.sign(x))), 2);
    expect(tf.max(tf.abs(tf.sub(tf.sub(full, withoutPenalty), expected))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('round-trips through toJSON and modelFromJSON: same predictions, same penalty', async () => {
    const input = tf.input({ shape: [4] });
    const hidden = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const regularized = buildLayer('ActivityRegularization', { l1, l2 }, 'activity_regularization_1').apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(regularized) as tf.SymbolicTensor });
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 13);
    registerCustomLayers(tf);
    const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as never);
    restored.setWeights(model.getWeights());
    expect(Array.from((restored.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    expect(restored.getLayer('activity_regularization_1').getConfig()).toMatchObject({ l1, l2 });
    const penaltyOf = (m: tf.LayersModel) => {
      m.apply(x, { training: true });
      return tf.addN(m.calculateLosses()).dataSync()[0];
    };
    expect(penaltyOf(model)).toBeGreaterThan(0);
    expect(penaltyOf(restored)).toBeCloseTo(penaltyOf(model), 5);
  });
});

describe('the training loop adds layer losses (as tfjs fit does)', () => {
  const N = 16;
  const xs = tf.randomNormal([N, 4], 0, 1, 'float32', 21).dataSync() as Float32Array;
  const labels = Int32Array.from({ length: N }, (_v, i) => i % 2);
  const split = { count: N, labels, getBatch: (idx: ArrayLike<number>) => ({ x: Float32Array.from({ length: idx.length * 4 }, (_v, k) => xs[idx[Math.floor(k / 4)] * 4 + (k % 4)]), y: Int32Array.from(idx, (i) => labels[i]), count: idx.length }) };
  const empty = { count: 0, getBatch: () => ({ x: new Float32Array(0), y: new Int32Array(0), count: 0 }) };
  const data: TrainingData = {
    info: { id: 't', name: 'Tiny', description: '', inputShape: [4], inputDType: 'float32', task: 'classification', numClasses: 2, classNames: ['a', 'b'], outputSize: 2, totalSamples: N, available: true },
    train: split,
    validation: empty,
    test: empty,
  };

  /** input → dense_1 (3, linear) → ActivityRegularization(l2) → dense_2 (2, softmax), with fixed weights. */
  function model(l2: number): tf.LayersModel {
    const nodes = [
      { id: 'input_1', kind: 'Input', name: 'input_1', params: { shape: [4] }, position: { x: 0, y: 0 } },
      { id: 'dense_1', kind: 'Dense', name: 'dense_1', params: { units: 3, activation: 'linear' }, position: { x: 0, y: 0 } },
      { id: 'reg_1', kind: 'ActivityRegularization', name: 'reg_1', params: { l1: 0, l2 }, position: { x: 0, y: 0 } },
      { id: 'dense_2', kind: 'Dense', name: 'dense_2', params: { units: 2, activation: 'softmax' }, position: { x: 0, y: 0 } },
    ];
    const graph: Graph = { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
    const m = compileGraph(tf, graph);
    m.setWeights(m.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.8, 0.8, 'float32', 30 + i)));
    return m;
  }

  async function trainOneBatch(m: tf.LayersModel, learningRate: number): Promise<number> {
    const config = TrainingConfigSchema.parse({ epochs: 1, batchSize: N, learningRate, optimizer: 'sgd', seed: 1 });
    const result = await runTrainingLoop({ tf, model: m, data, config, runId: 'r', backend: { name: 'cpu', device: 'CPU', attempts: [] }, emit: () => undefined, control: { shouldStop: () => false, waitWhilePaused: async () => undefined } });
    expect(result.status).toBe('completed');
    return result.history[0].loss;
  }

  /** dense_1's output for all samples at the initial weights. */
  function hidden(m: tf.LayersModel): tf.Tensor2D {
    return tf.model({ inputs: m.inputs, outputs: m.getLayer('dense_1').output as tf.SymbolicTensor }).predict(tf.tensor2d(xs, [N, 4])) as tf.Tensor2D;
  }

  it('the reported loss includes l2·Σh²/batch of the regularized activations', async () => {
    const l2 = 0.5;
    const h = hidden(model(l2));
    const penalty = (l2 * tf.sum(tf.square(h)).dataSync()[0]) / N;
    const plain = await trainOneBatch(model(0), 1e-12);
    const regularized = await trainOneBatch(model(l2), 1e-12);
    expect(penalty).toBeGreaterThan(0.05);
    expect(regularized - plain).toBeCloseTo(penalty, 4);
  });

  it("the gradient step includes the penalty's gradient on the layer before it", async () => {
    const l2 = 0.5;
    const lr = 0.1;
    const x = tf.tensor2d(xs, [N, 4]);
    const h = hidden(model(l2));
    const [plain, regularized] = [model(0), model(l2)];
    await trainOneBatch(plain, lr);
    await trainOneBatch(regularized, lr);
    // d(l2·Σh²/N)/dW = 2·l2/N · xᵀh and /db = 2·l2/N · Σ h over samples; SGD moves by −lr times that.
    const kernelStep = tf.mul(-lr * (2 * l2) / N, tf.matMul(x, h, true, false));
    const biasStep = tf.mul(-lr * (2 * l2) / N, tf.sum(h, 0));
    const [k0, b0] = plain.getLayer('dense_1').getWeights();
    const [k1, b1] = regularized.getLayer('dense_1').getWeights();
    expect(tf.max(tf.abs(tf.sub(tf.sub(k1, k0), kernelStep))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.sub(tf.sub(b1, b0), biasStep))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(kernelStep)).dataSync()[0]).toBeGreaterThan(1e-2);
    // The layer after it is untouched by the penalty.
    const [k2a] = plain.getLayer('dense_2').getWeights();
    const [k2b] = regularized.getLayer('dense_2').getWeights();
    expect(tf.max(tf.abs(tf.sub(k2a, k2b))).dataSync()[0]).toBeLessThan(1e-6);
  });
});

describe('activation layers at the output decide the activation the output rule sees', () => {
  const iris: DatasetInfo = { id: 'iris', name: 'Iris', description: '', inputShape: [4], inputDType: 'float32', task: 'classification', numClasses: 3, classNames: ['a', 'b', 'c'], outputSize: 3, totalSamples: 150, available: true };
  const chain = (units: number, last: string, params: Record<string, unknown> = {}): Graph => {
    const nodes = [
      { id: 'input_1', kind: 'Input', name: 'input_1', params: { shape: [4] }, position: { x: 0, y: 0 } },
      { id: 'dense_1', kind: 'Dense', name: 'dense_1', params: { units, activation: 'linear' }, position: { x: 0, y: 0 } },
      { id: 'last_1', kind: last, name: 'last_1', params, position: { x: 0, y: 0 } },
    ];
    return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
  };

  it('Dense(3, linear) → Softmax is a proper classifier for analysis and the loop', () => {
    const graph = chain(3, 'Softmax');
    expect(analyzeGraph(graph, targetOf(iris)).nodes.last_1.warnings).toEqual([]);
    const model = compileGraph(tf, graph);
    expect(checkModelFitsData(model, iris).loss).toBe('categoricalCrossentropy');
    model.dispose();
  });

  it('a ReLU at the output of a classifier is named as the activation to change', () => {
    expect(analyzeGraph(chain(3, 'ReLU'), targetOf(iris)).nodes.last_1.warnings).toEqual([
      'last_1 is the classifier output but its activation is relu; use softmax so the outputs are class probabilities.',
    ]);
  });

  it('fitting to data sets the units before a Softmax layer and keeps that Dense linear (no double softmax)', () => {
    const fitted = fitProjectToData({ ...emptyProject(), graph: chain(5, 'Softmax') }, iris);
    if (!fitted.ok) throw new Error(fitted.error);
    const dense = fitted.project.graph.nodes.find((n) => n.id === 'dense_1')!;
    expect(dense.params).toMatchObject({ units: 3, activation: 'linear' });
    expect(analyzeGraph(fitted.project.graph, targetOf(iris)).nodes.last_1.warnings).toEqual([]);
  });
});
