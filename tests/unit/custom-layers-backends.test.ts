/**
 * Every Neurowire layer class (every spec with tfjs.custom), built from its spec's defaults as the compiler builds it,
 * gives the same outputs and the same gradients (for its inputs and every weight) on the engine's wasm backend as on
 * tfjs's reference `cpu` backend. Per-class tests check the maths against references and finite differences; this
 * one makes sure no class is left out and none relies on a kernel that differs between backends.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { LAYER_SPECS } from '../../main/core/layers/registry';
import { CUSTOM_LAYERS } from '../../main/core/layers/custom';
import { defaultParams } from '../../main/core/layers/params';
import { layerConfig, type AnyLayerSpec } from '../../main/core/layers/types';
import { buildLayer } from '../../main/core/compile';
import { mulberry32 } from '../../main/core/random';
import { registerWasmTrainingKernels } from '../../main/node/wasm/trainingKernels';
import { useWasmBinariesFromPackage } from '../../main/node/backend';

const CUSTOM_SPECS = LAYER_SPECS.filter((s) => s.tfjs.custom);

beforeAll(() => {
  useWasmBinariesFromPackage();
});

/** The first of a few per-sample shapes that the kind accepts with its defaults (one per input it needs). */
function inputsFor(spec: AnyLayerSpec): number[][] {
  const params = defaultParams(spec.params);
  for (const shape of [[6, 8], [10, 4], [8], [6, 6, 3]]) {
    const inputs = Array.from({ length: spec.inputs.min }, () => shape);
    if (spec.inferShape(inputs, params, { name: 'x' }).ok) return inputs;
  }
  throw new Error(`${spec.kind}: no test input shape fits its defaults`);
}

/** Output and the gradients of a random projection of it, for the inputs and every trainable weight, on `backend`. */
async function outputsAndGradients(spec: AnyLayerSpec, backend: string): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  if (backend === 'wasm') await registerWasmTrainingKernels(tf);
  const random = mulberry32(7);
  const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
  const shapes = inputsFor(spec);
  const layer = buildLayer(tf, spec, layerConfig(spec, defaultParams(spec.params), `${spec.namePrefix}_1`));
  const xs = shapes.map((s) => tf.tensor(values(2 * s.reduce((a, b) => a * b, 1)), [2, ...s]));
  layer.apply(xs.length === 1 ? xs[0] : xs); // builds the weights
  // The same weights on both backends, whatever each initializer drew.
  layer.setWeights(layer.getWeights().map((w) => tf.tensor(values(w.size), w.shape)));
  const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  // Training-only randomness (dropout, noise) is off: the layers run as at inference.
  const project = (out: tf.Tensor) => {
    const direction = tf.tensor(values(out.size), out.shape);
    return tf.sum(tf.mul(out, direction));
  };
  const output = layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
  const grads = tf.grads((...args: tf.Tensor[]) => project(layer.apply(args.length === 1 ? args[0] : args) as tf.Tensor))(xs);
  const weightGrads = weights.length ? tf.variableGrads(() => project(layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor) as tf.Scalar, weights).grads : {};
  const result = [output, ...grads, ...weights.map((w) => weightGrads[w.name])].map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([xs, output, grads, Object.values(weightGrads)]);
  layer.dispose();
  return result;
}

describe('Neurowire layer classes agree between the wasm and cpu backends', () => {
  it('every custom class has a spec here', () => {
    expect(CUSTOM_SPECS.map((s) => s.tfjs.className).sort()).toEqual(CUSTOM_LAYERS.map((l) => l.className).sort());
  });

  it.each(CUSTOM_SPECS.map((s) => [s.kind, s] as const))('%s: outputs and gradients', async (_kind, spec) => {
    const cpu = await outputsAndGradients(spec, 'cpu');
    const wasm = await outputsAndGradients(spec, 'wasm');
    await tf.setBackend('cpu');
    expect(wasm.length).toBe(cpu.length);
    cpu.forEach((expected, i) => {
      const scale = Math.max(1, ...expected.map(Math.abs));
      const worst = Math.max(0, ...expected.map((x, j) => Math.abs(x - wasm[i][j])));
      expect(worst, `${spec.kind}: output/gradient #${i}`).toBeLessThan(1e-5 * scale);
    });
    // Something flowed back: a layer whose gradients were all zero would pass the comparison trivially.
    expect(cpu.slice(1).some((g) => g.some((v) => v !== 0))).toBe(true);
  });
});
