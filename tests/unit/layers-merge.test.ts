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
 * Gradient check: tf.grads of sum(f(inputs) · r) for a fixed random r, against central finite differences
 * in float32 on every input value. Returns the largest difference relative to the gradient's scale.
 */
function gradientError(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], eps = 1e-2): number {
  const r = tf.randomUniform(f(...inputs).shape, -1, 1, 'float32', 7);
  const loss = (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)) as tf.Scalar;
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
