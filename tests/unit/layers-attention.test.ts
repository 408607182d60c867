/**
 * The attention layers (MultiHeadAttention, PositionalEmbedding, TransformerEncoder, TransformerDecoder), Neurowire's
 * own tfjs classes: Keras's parameter counts and weight names worked out by hand, the math against a plain reference
 * written from Keras's formulas, gradients (central differences on cpu; wasm agreeing with cpu), the causal and
 * padding masks, human messages, serialization, and a small learning check. Per-configuration shape and count checks
 * against the classes live in layer-cases/attention.cases.ts (run by layers.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeCustomLayer, registerCustomLayers } from '../../main/core/layers/custom';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { compileGraph } from '../../main/core/compile';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { registerWasmTrainingKernels } from '../../main/node/wasm/trainingKernels';
import type { Graph, ProjectNode } from '../../main/core/project';
import type { ShapeCheck } from '../../main/core/layers/types';
import { check, parse, type Case } from './layer-cases/harness';
import { useWasmBinariesFromPackage } from '../../main/node/backend';
import { rng } from './helpers/seeded';


beforeAll(async () => {
  // As the engine does (main/node/backend.ts): the wasm binaries from the package's dist folder.
  useWasmBinariesFromPackage();
  expect(await tf.setBackend('cpu')).toBe(true);
  registerCustomLayers(tf);
});


const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The kind's layer, configured from spec params exactly as the compiler builds it. */
function layerOf(kind: string, params: Record<string, unknown>, name: string): tf.layers.Layer {
  const spec = requireLayerSpec(kind);
  return makeCustomLayer(tf, spec.tfjs.className, { ...spec.tfjs.config(parse(spec, params)), name });
}

/** The layer applied to symbolic inputs of these per-sample shapes (which builds its weights). */
function built(kind: string, params: Record<string, unknown>, shapes: (number | null)[][], name = 'layer_1'): tf.layers.Layer {
  const layer = layerOf(kind, params, name);
  const inputs = shapes.map((shape) => tf.input({ shape }));
  layer.apply(inputs.length === 1 ? inputs[0] : inputs);
  return layer;
}

function countOf(kind: string, params: Record<string, unknown>, shapes: (number | null)[][]): number {
  const spec = requireLayerSpec(kind);
  return spec.countParams(shapes, parse(spec, params));
}

function errorOf(r: ShapeCheck): string {
  if (r.ok) throw new Error(`expected an error, got ok with shape ${JSON.stringify(r.shape)}`);
  return r.error;
}

describe('parameter counts and weights as Keras has them', () => {
  it('MultiHeadAttention: 32 features, 4 heads of key size 8 → 4,224 (the Keras figure)', () => {
    // query, key and value: kernel 32 × 4 × 8 + bias 4 × 8 = 1,056 each; output: kernel 4 × 8 × 32 + bias 32 = 1,056.
    const keras = 3 * (32 * 4 * 8 + 4 * 8) + (4 * 8 * 32 + 32);
    expect(keras).toBe(4224);
    const params = { numHeads: 4, keyDim: 8 };
    expect(countOf('MultiHeadAttention', params, [[10, 32]])).toBe(keras);
    const layer = built('MultiHeadAttention', params, [[10, 32]], 'mha');
    expect(layer.countParams()).toBe(keras);
    // Keras's weight names and shapes, in Keras's order, so a Keras importer can map them one to one.
    expect(layer.weights.map((w) => [w.originalName, w.shape])).toEqual([
      ['mha/query/kernel', [32, 4, 8]],
      ['mha/query/bias', [4, 8]],
      ['mha/key/kernel', [32, 4, 8]],
      ['mha/key/bias', [4, 8]],
      ['mha/value/kernel', [32, 4, 8]],
      ['mha/value/bias', [4, 8]],
      ['mha/attention_output/kernel', [4, 8, 32]],
      ['mha/attention_output/bias', [32]],
    ]);
  });

  it('MultiHeadAttention with separate query, value and key widths, a value size and an output size', () => {
    // query 6 wide, value 5, key 3; 2 heads, key size 4, value size 7, output 9, with biases:
    // query 6 × 2 × 4 + 2 × 4 = 56; key 3 × 2 × 4 + 8 = 32; value 5 × 2 × 7 + 2 × 7 = 84; output 2 × 7 × 9 + 9 = 135.
    const keras = 56 + 32 + 84 + 135;
    const params = { numHeads: 2, keyDim: 4, valueDim: 7, outputDim: 9 };
    const shapes = [[4, 6], [3, 5], [3, 3]];
    expect(countOf('MultiHeadAttention', params, shapes)).toBe(keras);
    expect(built('MultiHeadAttention', params, shapes).countParams()).toBe(keras);
    // Without biases only the kernels remain: 48 + 24 + 70 + 126.
    expect(countOf('MultiHeadAttention', { ...params, useBias: false }, shapes)).toBe(48 + 24 + 70 + 126);
  });

  it('TransformerEncoder: 32 features, 4 heads, feed-forward 64 → 8,544 (Keras-NLP formula)', () => {
    // Keras-NLP TransformerEncoder(intermediate_dim=64, num_heads=4) on 32 features: key size 32 ÷ 4 = 8.
    const selfAttention = 3 * (32 * 4 * 8 + 4 * 8) + (4 * 8 * 32 + 32); // 4,224
    const layerNorms = 2 * (32 + 32); // self_attention_layer_norm and feedforward_layer_norm: gamma + beta
    const feedForward = 32 * 64 + 64 + (64 * 32 + 32); // 2,112 + 2,080
    const keras = selfAttention + layerNorms + feedForward;
    expect(keras).toBe(8544);
    const params = { numHeads: 4, intermediateDim: 64 };
    expect(countOf('TransformerEncoder', params, [[10, 32]])).toBe(keras);
    const layer = built('TransformerEncoder', params, [[10, 32]], 'enc');
    expect(layer.countParams()).toBe(keras);
    expect(layer.weights.map((w) => w.originalName)).toEqual([
      ...['query', 'key', 'value', 'attention_output'].flatMap((p) => [`enc/self_attention_layer/${p}/kernel`, `enc/self_attention_layer/${p}/bias`]),
      'enc/self_attention_layer_norm/gamma',
      'enc/self_attention_layer_norm/beta',
      'enc/feedforward_layer_norm/gamma',
      'enc/feedforward_layer_norm/beta',
      'enc/feedforward_intermediate_dense/kernel',
      'enc/feedforward_intermediate_dense/bias',
      'enc/feedforward_output_dense/kernel',
      'enc/feedforward_output_dense/bias',
    ]);
  });

  it('TransformerDecoder: 32 features with a 16-wide encoder output, 4 heads, feed-forward 64 → 11,808', () => {
    const selfAttention = 3 * (32 * 4 * 8 + 4 * 8) + (4 * 8 * 32 + 32); // 4,224
    // Cross-attention: query from the decoder (32 wide), key and value from the encoder (16 wide), output 32.
    const crossAttention = 32 * 4 * 8 + 4 * 8 + 2 * (16 * 4 * 8 + 4 * 8) + (4 * 8 * 32 + 32); // 1,056 + 2 × 544 + 1,056 = 3,200
    const layerNorms = 3 * (32 + 32); // self-attention, cross-attention and feed-forward norms
    const feedForward = 32 * 64 + 64 + (64 * 32 + 32); // 4,192
    const keras = selfAttention + crossAttention + layerNorms + feedForward;
    expect(keras).toBe(11808);
    const params = { numHeads: 4, intermediateDim: 64 };
    expect(countOf('TransformerDecoder', params, [[10, 32], [7, 16]])).toBe(keras);
    expect(built('TransformerDecoder', params, [[10, 32], [7, 16]]).countParams()).toBe(keras);
    // Without an encoder output there is no cross-attention: the encoder's count.
    const decoderOnly = selfAttention + 2 * (32 + 32) + feedForward;
    expect(countOf('TransformerDecoder', params, [[10, 32]])).toBe(decoderOnly);
    expect(built('TransformerDecoder', params, [[10, 32]]).countParams()).toBe(decoderOnly);
  });

  it('PositionalEmbedding: learned positions are a [maxLength, features] table; sinusoidal has no weights', () => {
    const layer = built('PositionalEmbedding', { maxLength: 50 }, [[10, 16]], 'pos');
    expect(layer.weights.map((w) => [w.originalName, w.shape])).toEqual([['pos/embeddings', [50, 16]]]);
    expect(countOf('PositionalEmbedding', { maxLength: 50 }, [[10, 16]])).toBe(50 * 16);
    expect(built('PositionalEmbedding', { mode: 'sinusoidal' }, [[10, 16]]).countParams()).toBe(0);
  });
});

/** A plain nested-array tensor from a tf tensor (per-sample rows). */
const rows = (t: tf.Tensor) => t.arraySync() as number[][][];

/**
 * Keras's MultiHeadAttention for one sample, written from its einsum equations with loops:
 * Q = q·Wq + bq, K = k·Wk + bk, V = v·Wv + bv (per head), P = softmax(Q·Kᵀ/√keyDim) (masked), out = Σₕ (P·V)ₕ·Woₕ + bo.
 */
function referenceAttention(q: number[][], v: number[][], k: number[][], w: tf.Tensor[], causal: boolean): number[][] {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = w.map((t) => t.arraySync()) as [number[][][], number[][], number[][][], number[][], number[][][], number[][], number[][][], number[]];
  const heads = bq.length;
  const keyDim = bq[0].length;
  const project = (x: number[][], kernel: number[][][], bias: number[][]) =>
    x.map((row) => bias.map((bh, h) => bh.map((b, j) => b + row.reduce((s, xd, d) => s + xd * kernel[d][h][j], 0))));
  const Q = project(q, wq, bq);
  const K = project(k, wk, bk);
  const V = project(v, wv, bv);
  return Q.map((_, t) => {
    const out = [...bo];
    for (let h = 0; h < heads; h++) {
      const logits = K.map((_, s) => (causal && s > t ? -Infinity : Q[t][h].reduce((acc, qj, j) => acc + qj * K[s][h][j], 0) / Math.sqrt(keyDim)));
      const max = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - max));
      const total = e.reduce((a, b) => a + b, 0);
      const p = e.map((x) => x / total);
      const context = V[0][h].map((_, j) => p.reduce((acc, ps, s) => acc + ps * V[s][h][j], 0));
      for (let o = 0; o < out.length; o++) out[o] += context.reduce((acc, c, j) => acc + c * wo[h][j][o], 0);
    }
    return out;
  });
}

function expectClose(actual: number[][][], expected: number[][][], tol: number): void {
  let worst = 0;
  actual.forEach((a, b) => a.forEach((row, t) => row.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - expected[b][t][i]))))));
  expect(worst).toBeLessThan(tol);
}

/** Sets every weight of a built layer to seeded values (gammas near 1), so biases and norms are not trivial. */
function seedWeights(layer: tf.layers.Layer, seed: number): void {
  const r = rng(seed);
  layer.setWeights(layer.weights.map((w) => tf.tensor(r.values(size(w.shape as number[]), 0.5), w.shape as number[]).add(/gamma$/.test(w.originalName) ? 1 : 0)));
}

describe('the math is Keras’s', () => {
  it.each([
    ['self-attention', [[4, 5]], { numHeads: 2, keyDim: 3 }, false],
    ['causal self-attention', [[4, 5]], { numHeads: 2, keyDim: 3, useCausalMask: true }, true],
    ['query, value and key of different widths, value size and output size', [[3, 5], [4, 6], [4, 2]], { numHeads: 3, keyDim: 2, valueDim: 4, outputDim: 7 }, false],
  ] as const)('MultiHeadAttention, %s, equals the loop reference', (_label, shapes, params, causal) => {
    const layer = built('MultiHeadAttention', params, shapes.map((s) => [...s]));
    seedWeights(layer, 11);
    const r = rng(5);
    const xs = shapes.map((s) => tf.tensor(r.values(2 * size([...s])), [2, ...s]));
    const y = layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
    const [q, v = q, k = v] = xs.map(rows);
    const expected = q.map((_, b) => referenceAttention(q[b], v[b], k[b], layer.getWeights(), causal));
    expectClose(rows(y), expected, 1e-5);
  });

  it('sinusoidal positions are the Transformer paper’s sin/cos waves added to the input', () => {
    const layer = built('PositionalEmbedding', { mode: 'sinusoidal' }, [[5, 6]]);
    const x = tf.tensor(rng(3).values(2 * 5 * 6), [2, 5, 6]);
    const added = rows(tf.sub(layer.apply(x) as tf.Tensor, x));
    // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
    const expected = [0, 1].map(() => [0, 1, 2, 3, 4].map((pos) => [0, 1, 2, 3, 4, 5].map((f) => (f % 2 === 0 ? Math.sin : Math.cos)(pos / Math.pow(10000, (f - (f % 2)) / 6)))));
    expectClose(added, expected, 1e-5);
  });

  it('learned positions add the first rows of the table, for any length up to Max length', () => {
    const layer = built('PositionalEmbedding', { maxLength: 7 }, [[null, 4]]);
    const table = layer.getWeights()[0].arraySync() as number[][];
    const x = tf.tensor(rng(4).values(3 * 5 * 4), [3, 5, 4]);
    const added = rows(tf.sub(layer.apply(x) as tf.Tensor, x));
    expectClose(added, [0, 1, 2].map(() => table.slice(0, 5)), 1e-6);
    expect(() => layer.apply(tf.zeros([1, 8, 4]))).toThrow('layer_1: a sequence has 8 steps but learned positions go up to Max length 7 — raise Max length to at least 8, or use mode sinusoidal.');
  });
});

describe('Transformer block options reach the class', () => {
  it('Normalize first (pre-LN) is written as Keras-NLP’s normalize_first and changes the computation', () => {
    const post = built('TransformerEncoder', { numHeads: 2, intermediateDim: 8 }, [[4, 6]], 'post');
    const pre = built('TransformerEncoder', { numHeads: 2, intermediateDim: 8, normFirst: true }, [[4, 6]], 'pre');
    expect(pre.getConfig()).toMatchObject({ normalizeFirst: true, intermediateDim: 8, numHeads: 2, layerNormEpsilon: 1e-5 });
    expect(post.getConfig()).toMatchObject({ normalizeFirst: false });
    seedWeights(post, 3);
    pre.setWeights(post.getWeights());
    const x = tf.tensor(rng(1).values(2 * 4 * 6), [2, 4, 6]);
    const [a, b] = [post, pre].map((layer) => Array.from((layer.apply(x) as tf.Tensor).dataSync()));
    expect(maxGap(a, b)).toBeGreaterThan(1e-3);
    // Post-LN ends in a LayerNormalization: with gamma 1 and beta 0 every step has mean 0.
    const plain = built('TransformerEncoder', { numHeads: 2, intermediateDim: 8 }, [[4, 6]]);
    const means = tf.mean(plain.apply(x) as tf.Tensor, -1).dataSync();
    expect(Math.max(...Array.from(means).map(Math.abs))).toBeLessThan(1e-5);
  });
});

describe('the causal mask: a later step never changes earlier outputs', () => {
  /** The outputs of steps 0..2 and of step 3 before and after step 3 of the (first) input changes. */
  function changeStep3(layer: tf.layers.Layer, shapes: number[][]): { earlier: number; atStep: number; firstOnly: number } {
    const r = rng(9);
    const xs = shapes.map((s) => tf.tensor(r.values(size(s)), [1, ...s]));
    const changed = [tf.add(xs[0], tf.oneHot([3], shapes[0][0]).reshape([1, shapes[0][0], 1]).mul(2)), ...xs.slice(1)];
    const run = (inputs: tf.Tensor[]) => rows(layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor)[0];
    const [a, b] = [run(xs), run(changed)];
    const diff = (t: number) => Math.max(...a[t].map((x, i) => Math.abs(x - b[t][i])));
    return { earlier: Math.max(diff(0), diff(1), diff(2)), atStep: diff(3), firstOnly: diff(0) };
  }

  it('MultiHeadAttention with the causal mask, and without it (where earlier steps do change)', () => {
    const causal = changeStep3(built('MultiHeadAttention', { numHeads: 2, keyDim: 3, useCausalMask: true }, [[6, 4]]), [[6, 4]]);
    expect(causal.earlier).toBeLessThan(1e-6);
    expect(causal.atStep).toBeGreaterThan(1e-3);
    const open = changeStep3(built('MultiHeadAttention', { numHeads: 2, keyDim: 3 }, [[6, 4]]), [[6, 4]]);
    expect(open.firstOnly).toBeGreaterThan(1e-4);
  });

  it('TransformerDecoder is causal, with and without cross-attention; TransformerEncoder is not', () => {
    for (const shapes of [[[6, 8]], [[6, 8], [4, 5]]]) {
      const layer = built('TransformerDecoder', { numHeads: 2, intermediateDim: 16, dropout: 0 }, shapes);
      seedWeights(layer, 2);
      const d = changeStep3(layer, shapes);
      expect(d.earlier).toBeLessThan(1e-5);
      expect(d.atStep).toBeGreaterThan(1e-3);
    }
    const encoder = built('TransformerEncoder', { numHeads: 2, intermediateDim: 16 }, [[6, 8]]);
    seedWeights(encoder, 2);
    expect(changeStep3(encoder, [[6, 8]]).firstOnly).toBeGreaterThan(1e-4);
  });
});

/** Every class with the configurations its gradients are checked on (no dropout at prediction time). */
const GRADIENT_CASES: { label: string; kind: string; params: Record<string, unknown>; shapes: number[][] }[] = [
  { label: 'MultiHeadAttention, causal self-attention', kind: 'MultiHeadAttention', params: { numHeads: 2, keyDim: 3, useCausalMask: true }, shapes: [[4, 5]] },
  { label: 'MultiHeadAttention, query + value + key', kind: 'MultiHeadAttention', params: { numHeads: 2, keyDim: 3, valueDim: 2, outputDim: 4, dropout: 0.3 }, shapes: [[3, 5], [4, 3], [4, 2]] },
  { label: 'PositionalEmbedding, learned', kind: 'PositionalEmbedding', params: { maxLength: 6 }, shapes: [[4, 5]] },
  { label: 'PositionalEmbedding, sinusoidal', kind: 'PositionalEmbedding', params: { mode: 'sinusoidal' }, shapes: [[4, 5]] },
  { label: 'TransformerEncoder, post-LN', kind: 'TransformerEncoder', params: { numHeads: 2, intermediateDim: 7, activation: 'tanh', dropout: 0.2 }, shapes: [[4, 6]] },
  { label: 'TransformerEncoder, pre-LN', kind: 'TransformerEncoder', params: { numHeads: 3, keyDim: 2, intermediateDim: 5, activation: 'gelu', normFirst: true }, shapes: [[3, 6]] },
  { label: 'TransformerDecoder, causal, with cross-attention', kind: 'TransformerDecoder', params: { numHeads: 2, intermediateDim: 7, activation: 'tanh' }, shapes: [[4, 6], [3, 5]] },
  { label: 'TransformerDecoder, pre-LN, decoder only', kind: 'TransformerDecoder', params: { numHeads: 2, intermediateDim: 5, activation: 'sigmoid', normFirst: true }, shapes: [[4, 4]] },
];

interface GradientRun {
  /** f = Σ layer(x) · R for a fixed random R. */
  f: (xs: tf.Tensor[]) => tf.Scalar;
  xs: tf.Tensor[];
  vars: tf.Variable[];
  /** The weights' names, in the order of vars. */
  names: string[];
}

/** Builds the case's layer on the active backend with seeded weights and inputs (batch 2). */
function gradientRun(c: (typeof GRADIENT_CASES)[number], wrap?: (y: tf.Tensor) => tf.Tensor): GradientRun {
  const layer = built(c.kind, c.params, c.shapes);
  seedWeights(layer, 17);
  const r = rng(23);
  const xs = c.shapes.map((s) => tf.tensor(r.values(2 * size(s)), [2, ...s]));
  const out = layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
  const projection = tf.tensor(rng(29).values(out.size), out.shape);
  const f = (inputs: tf.Tensor[]) =>
    tf.tidy(() => {
      const y = layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
      return tf.sum(tf.mul(wrap ? wrap(y) : y, projection)) as tf.Scalar;
    });
  return { f, xs, vars: layer.trainableWeights.map((w) => w.read() as tf.Variable), names: layer.trainableWeights.map((w) => w.originalName) };
}

/** tf.grads for every input and weight, as flat arrays (inputs first, then weights in layer order). */
function analyticGradients(run: GradientRun): Float32Array[] {
  return tf.tidy(() => {
    const inputGrads = tf.grads((...xs: tf.Tensor[]) => run.f(xs))(run.xs);
    const weightGrads = run.vars.length ? tf.variableGrads(() => run.f(run.xs), run.vars).grads : {};
    return [...inputGrads.map((g) => g.dataSync() as Float32Array), ...run.vars.map((v) => weightGrads[v.name].dataSync() as Float32Array)].map((a) => Float32Array.from(a));
  });
}

/**
 * The worst error of the analytic gradient against central differences (f(x+ε) − f(x−ε)) / 2ε, in units of the
 * tolerance 2·10⁻³ + 2·10⁻² · |gradient| (so ≤ 1 passes): every input entry and up to 6 entries of every weight.
 */
function worstFiniteDifferenceError(run: GradientRun, analytic: Float32Array[], eps = 1e-2): number {
  let worst = 0;
  const compare = (numeric: number, exact: number) => (worst = Math.max(worst, Math.abs(numeric - exact) / (2e-3 + 2e-2 * Math.abs(exact))));
  const f = (xs: tf.Tensor[]) => {
    const s = run.f(xs);
    const v = s.dataSync()[0];
    s.dispose();
    return v;
  };
  run.xs.forEach((x, i) => {
    const base = x.dataSync() as Float32Array;
    for (let j = 0; j < base.length; j++) {
      const at = (delta: number) => {
        const moved = Float32Array.from(base);
        moved[j] += delta;
        const t = tf.tensor(moved, x.shape);
        const v = f(run.xs.map((other, k) => (k === i ? t : other)));
        t.dispose();
        return v;
      };
      compare((at(eps) - at(-eps)) / (2 * eps), analytic[i][j]);
    }
  });
  run.vars.forEach((variable, i) => {
    const base = Float32Array.from(variable.dataSync() as Float32Array);
    const picks = [...new Set(Array.from({ length: 6 }, (_, n) => Math.floor((n * 7919) % base.length)))];
    for (const j of picks) {
      const at = (delta: number) => {
        const moved = Float32Array.from(base);
        moved[j] += delta;
        variable.assign(tf.tensor(moved, variable.shape));
        return f(run.xs);
      };
      compare((at(eps) - at(-eps)) / (2 * eps), analytic[run.xs.length + i][j]);
      variable.assign(tf.tensor(base, variable.shape));
    }
  });
  return worst;
}

describe('gradients: tf.grads against central differences on cpu', () => {
  it.each(GRADIENT_CASES.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const run = gradientRun(c);
    const analytic = analyticGradients(run);
    // Not vacuous: the gradient reaches every input and weight, but the key biases: q·(k + b) adds the same q·b to
    // every logit of a query, which softmax ignores, so their gradient is zero (in Keras too).
    const names = [...run.xs.map((_, i) => `input ${i}`), ...run.names];
    analytic.forEach((g, i) => {
      const largest = Math.max(...g.map(Math.abs));
      if (/key\/bias$/.test(names[i])) expect(largest, names[i]).toBeLessThan(1e-5);
      else expect(largest, names[i]).toBeGreaterThan(1e-4);
    });
    expect(worstFiniteDifferenceError(run, analytic)).toBeLessThan(1);
  });

  it('the tolerance catches a gradient that is 5% off', () => {
    // The same layer with its gradient (not its value) scaled by 1.05: the check must fail it.
    const skew = tf.customGrad((y) => ({ value: tf.clone(y as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.mul(dy, 1.05) })) as (y: tf.Tensor) => tf.Tensor;
    const run = gradientRun(GRADIENT_CASES[4], skew);
    expect(worstFiniteDifferenceError(run, analyticGradients(run))).toBeGreaterThan(1);
  });
});

describe('gradients on wasm agree with cpu', () => {
  it.each(GRADIENT_CASES.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      // The engine's wasm backend: stock wasm plus the training kernels Neurowire registers (its BatchMatMul among them).
      if (backend === 'wasm') await registerWasmTrainingKernels(tf);
      const run = gradientRun(c);
      const y = run.f(run.xs);
      results[backend] = [Float32Array.from(y.dataSync()), ...analyticGradients(run)];
    }
    await tf.setBackend('cpu');
    expect(results.wasm.length).toBe(results.cpu.length);
    results.cpu.forEach((cpu, i) => {
      const wasm = results.wasm[i];
      const scale = Math.max(1, ...cpu.map(Math.abs));
      const worst = Math.max(...cpu.map((x, j) => Math.abs(x - wasm[j])));
      expect(worst, `output/gradient #${i}`).toBeLessThan(1e-5 * scale);
    });
  });
});

describe('padding masks from an Embedding with mask zero', () => {
  function encoderOutputs(maskZero: boolean): { padded: number[][]; unpadded: number[][] } {
    const input = tf.input({ shape: [null] });
    const embedded = tf.layers.embedding({ inputDim: 10, outputDim: 8, maskZero }).apply(input) as tf.SymbolicTensor;
    const positioned = layerOf('PositionalEmbedding', { maxLength: 8 }, 'pos').apply(embedded) as tf.SymbolicTensor;
    const encoded = layerOf('TransformerEncoder', { numHeads: 2, intermediateDim: 16 }, 'enc').apply(positioned) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: encoded });
    const padded = rows(model.predict(tf.tensor2d([[3, 5, 2, 0, 0]])) as tf.Tensor)[0];
    const unpadded = rows(model.predict(tf.tensor2d([[3, 5, 2]])) as tf.Tensor)[0];
    return { padded, unpadded };
  }
  const gap = (a: number[][], b: number[][]) => Math.max(...b.flatMap((row, t) => row.map((x, i) => Math.abs(x - a[t][i]))));

  it('padded steps do not change the real steps of a TransformerEncoder (and do without the mask)', () => {
    const masked = encoderOutputs(true);
    expect(gap(masked.padded, masked.unpadded)).toBeLessThan(1e-5);
    const unmasked = encoderOutputs(false);
    expect(gap(unmasked.padded, unmasked.unpadded)).toBeGreaterThan(1e-4);
  });
});

describe('human messages', () => {
  it('MultiHeadAttention names its inputs query, value, key', () => {
    expect(requireLayerSpec('MultiHeadAttention').inputs).toEqual({ min: 1, max: 3, names: ['query', 'value', 'key'] });
    expect(requireLayerSpec('TransformerDecoder').inputs.names).toEqual(['decoder sequence', 'encoder output']);
  });

  it('a flat vector gets the sequence message with the Reshape that fixes it', () => {
    expect(errorOf(check({ kind: 'MultiHeadAttention', inputs: [[64]] }, 'mha_1'))).toBe(
      'mha_1: MultiHeadAttention needs a sequence [time, features] but gets a flat vector of 64 — insert a Reshape to [64, 1] (or [8, 8]).',
    );
    expect(errorOf(check({ kind: 'MultiHeadAttention', inputs: [[5, 8], [10]] }, 'mha_2'))).toBe(
      'mha_2: the value of MultiHeadAttention needs a sequence [time, features] but gets a flat vector of 10 — insert a Reshape to [10, 1].',
    );
    expect(errorOf(check({ kind: 'TransformerDecoder', inputs: [[5, 8], [4, 4, 2]] }, 'transformer_decoder_1'))).toContain(
      'transformer_decoder_1: the encoder output of TransformerDecoder needs a sequence [time, features] but gets an image-like tensor [4, 4, 2]',
    );
  });

  it('key and value of different lengths, and unknown features, name the input', () => {
    expect(errorOf(check({ kind: 'MultiHeadAttention', inputs: [[10, 8], [7, 4], [5, 4]] }, 'mha_1'))).toBe(
      'mha_1: the key has 5 time steps but the value has 7 — MultiHeadAttention pairs each key step with a value step, so connect key and value to sequences of the same length (or leave out the key to use the value as key).',
    );
    expect(errorOf(check({ kind: 'MultiHeadAttention', inputs: [[10, 8], [7, null]] }, 'mha_1'))).toBe(
      "mha_1: MultiHeadAttention needs a known number of features per step, but the value's last axis (features) has no fixed size in [7, ?] — give that axis a fixed size (write the number instead of -1 in a Reshape before it).",
    );
    // Unknown lengths are checked when the model runs.
    expect(check({ kind: 'MultiHeadAttention', inputs: [[10, 8], [null, 4], [5, 4]] })).toEqual({ ok: true, shape: [10, 8] });
  });

  it('more heads than features in a Transformer block', () => {
    expect(errorOf(check({ kind: 'TransformerEncoder', inputs: [[10, 3]], params: { numHeads: 4 } }, 'transformer_encoder_1'))).toBe(
      'transformer_encoder_1: TransformerEncoder splits the 3 features of each step over 4 heads, which leaves less than one per head — use at most 3 heads, or set Key size to a number above 0.',
    );
    // A set key size lifts the limit.
    expect(check({ kind: 'TransformerEncoder', inputs: [[10, 3]], params: { numHeads: 4, keyDim: 2 } }).ok).toBe(true);
  });

  it('learned positions: too long a sequence is an error, an unknown length a warning; sinusoidal takes any', () => {
    expect(errorOf(check({ kind: 'PositionalEmbedding', inputs: [[200, 16]] }, 'positional_embedding_1'))).toBe(
      'positional_embedding_1: the sequence has 200 steps but learned positions go up to Max length 128 — raise Max length to at least 200, or use mode sinusoidal.',
    );
    const open = check({ kind: 'PositionalEmbedding', inputs: [[null, 16]] }, 'positional_embedding_2');
    expect(open.ok).toBe(true);
    expect(open.warnings?.[0]).toContain('positional_embedding_2: the sequence length is not fixed');
    expect(check({ kind: 'PositionalEmbedding', inputs: [[200, 16]], params: { mode: 'sinusoidal' } })).toEqual({ ok: true, shape: [200, 16] });
  });

  it('too many connections name the roles in connection order', () => {
    const graph = graphOf(
      [node('input_1', 'Input', { shape: [5, 8] }), node('multi_head_attention_1', 'MultiHeadAttention'), node('input_2', 'Input', { shape: [5, 8] })],
      [
        ['input_1', 'multi_head_attention_1'],
        ['input_2', 'multi_head_attention_1'],
        ['input_1', 'multi_head_attention_1'],
        ['input_2', 'multi_head_attention_1'],
      ],
    );
    expect(analyzeGraph(graph).nodes.multi_head_attention_1.errors).toEqual([
      'multi_head_attention_1: MultiHeadAttention takes at most 3 inputs (query, value, key, in the order they are connected) but 4 are connected. Remove 1 connection.',
    ]);
    // Three are query, value and key: accepted, and analysis agrees with the layer on the shape.
    graph.edges.pop();
    // Defaults (2 heads, key size 16) on 8 features: 3 × (8 × 2 × 16 + 2 × 16) + (2 × 16 × 8 + 8).
    expect(analyzeGraph(graph).nodes.multi_head_attention_1).toMatchObject({ errors: [], outputShape: [5, 8], params: 3 * (8 * 2 * 16 + 2 * 16) + (2 * 16 * 8 + 8) });
  });

  it('a dropout of 1 is refused by the parameter schema (it would drop every attention weight)', () => {
    const c: Case = { kind: 'MultiHeadAttention', inputs: [[4, 4]], params: { dropout: 1 } };
    expect(() => check(c)).toThrow(/at most 0\.9/);
  });
});

function node(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params, position: { x: 0, y: 0 } };
}

/** nodes joined by edges [source, target] in the given order (a node's inputs are its incoming edges in order). */
function graphOf(nodes: ProjectNode[], edges: [string, string][]): Graph {
  return { nodes, edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })) };
}

/** Input → Embedding → PositionalEmbedding → TransformerEncoder → GlobalAveragePooling1D → Dense: a tiny text classifier. */
function classifierGraph(length: number, vocabulary: number, classes: number): Graph {
  return graphOf(
    [
      node('input_1', 'Input', { shape: [length] }),
      node('embedding_1', 'Embedding', { inputDim: vocabulary, outputDim: 16 }),
      node('positional_embedding_1', 'PositionalEmbedding', { maxLength: length }),
      node('transformer_encoder_1', 'TransformerEncoder', { numHeads: 2, intermediateDim: 32, dropout: 0 }),
      node('global_average_pooling1d_1', 'GlobalAveragePooling1D'),
      node('dense_1', 'Dense', { units: classes, activation: 'softmax' }),
    ],
    [
      ['input_1', 'embedding_1'],
      ['embedding_1', 'positional_embedding_1'],
      ['positional_embedding_1', 'transformer_encoder_1'],
      ['transformer_encoder_1', 'global_average_pooling1d_1'],
      ['global_average_pooling1d_1', 'dense_1'],
    ],
  );
}

/**
 * Two inputs (token ids, and a sequence standing for an encoder's output) → MultiHeadAttention (query + value) and a
 * TransformerDecoder with cross-attention. The compiler trains one-input networks only, so this one is put together
 * with tf.model from layers configured as the compiler configures them.
 */
function crossAttentionModel(): tf.LayersModel {
  const ids = tf.input({ shape: [6], name: 'input_1' });
  const encoded = tf.input({ shape: [5, 4], name: 'input_2' });
  const embedded = tf.layers.embedding({ inputDim: 12, outputDim: 8, name: 'embedding_1' }).apply(ids);
  const positioned = layerOf('PositionalEmbedding', { mode: 'sinusoidal' }, 'positional_embedding_1').apply(embedded);
  const attended = layerOf('MultiHeadAttention', { numHeads: 2, keyDim: 3, valueDim: 5 }, 'multi_head_attention_1').apply([positioned, encoded] as tf.SymbolicTensor[]);
  const decoded = layerOf('TransformerDecoder', { numHeads: 2, intermediateDim: 12, normFirst: true }, 'transformer_decoder_1').apply([attended, encoded] as tf.SymbolicTensor[]);
  const pooled = tf.layers.globalAveragePooling1d({ name: 'global_average_pooling1d_1' }).apply(decoded);
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'dense_1' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: [ids, encoded], outputs: out });
}

const predictions = (model: tf.LayersModel, xs: tf.Tensor[]) => Array.from((model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor).dataSync());

function maxGap(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

describe('serialization', () => {
  const models: [string, () => { model: tf.LayersModel; xs: tf.Tensor[] }][] = [
    ['Embedding → PositionalEmbedding → TransformerEncoder → pooling → Dense', () => ({ model: compileGraph(tf, classifierGraph(8, 20, 3)), xs: [tf.tensor2d([[1, 4, 19, 0, 3, 3, 7, 2], [5, 5, 5, 5, 1, 2, 3, 4]])] })],
    [
      'MultiHeadAttention (query + value) and TransformerDecoder with cross-attention, two inputs',
      () => ({ model: crossAttentionModel(), xs: [tf.tensor2d([[1, 2, 3, 4, 5, 6], [11, 0, 0, 9, 9, 2]]), tf.tensor(rng(8).values(2 * 5 * 4), [2, 5, 4])] }),
    ],
  ];

  it.each(models)('%s: toJSON → modelFromJSON + weights gives the same predictions', async (_label, make) => {
    const { model, xs } = make();
    const before = predictions(model, xs);
    const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    // getWeights order is stable: the same names in the same order, so setWeights lines up.
    expect(restored.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
    restored.setWeights(model.getWeights());
    expect(maxGap(predictions(restored, xs), before)).toBeLessThan(1e-6);
  });

  it.each(models)('%s: model.save → tf.loadLayersModel keeps the weights', async (_label, make) => {
    const { model, xs } = make();
    const before = predictions(model, xs);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const names = saved!.weightSpecs!.map((s) => s.name);
    expect(names.some((n) => /\/(self_attention_layer|self_attention|query|cross_attention)\b/.test(n))).toBe(true);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(maxGap(predictions(loaded, xs), before)).toBeLessThan(1e-6);
    loaded.getWeights().forEach((w, i) => expect(maxGap(Array.from(w.dataSync()), Array.from(model.getWeights()[i].dataSync()))).toBe(0));
  });

  it('the saved weight names are Keras’s under each layer', async () => {
    const model = crossAttentionModel();
    const names = model.weights.map((w) => w.originalName);
    expect(names).toContain('multi_head_attention_1/attention_output/kernel');
    expect(names).toContain('transformer_decoder_1/cross_attention/key/kernel');
    expect(names).toContain('transformer_decoder_1/cross_attention_layer_norm/gamma');
    expect(names).toContain('transformer_decoder_1/feedforward_layer_norm/beta');
  });
});

/**
 * Replaces every weight by seeded values of the same mean and spread as its initializer gave (so kernels keep their
 * glorot scale, gammas stay 1, biases 0): the run no longer depends on Math.random.
 */
function reseed(model: tf.LayersModel, seed: number): void {
  const r = rng(seed);
  model.setWeights(
    model.getWeights().map((w) => {
      const values = Array.from(w.dataSync() as Float32Array);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const spread = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) * Math.sqrt(3);
      return tf.tensor(r.values(values.length, spread).map((v) => v + mean), w.shape);
    }),
  );
}

describe('learning', () => {
  /** Loss per epoch and final accuracy of the classifier (with or without positions) on: is the first token above 5? */
  async function train(withPositions: boolean, seed: number): Promise<{ losses: number[]; accuracy: number }> {
    const r = rng(77);
    const ids: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 256; i++) {
      const seq = Array.from({ length: 8 }, () => 1 + Math.floor(r.next() * 9));
      ids.push(seq);
      labels.push(seq[0] > 5 ? 1 : 0);
    }
    let graph = classifierGraph(8, 10, 2);
    if (!withPositions) {
      // The same network with the PositionalEmbedding taken out (the Embedding feeds the encoder directly).
      graph = {
        nodes: graph.nodes.filter((n) => n.id !== 'positional_embedding_1'),
        edges: graph.edges.filter((e) => e.target !== 'positional_embedding_1').map((e) => (e.source === 'positional_embedding_1' ? { ...e, source: 'embedding_1' } : e)),
      };
    }
    const model = compileGraph(tf, graph);
    reseed(model, seed);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(tf.tensor2d(ids), tf.tensor1d(labels), { epochs: 8, batchSize: 32, shuffle: false, verbose: 0 });
    const accuracy = history.history.acc as number[];
    return { losses: history.history.loss as number[], accuracy: accuracy[accuracy.length - 1] };
  }

  it('Embedding → PositionalEmbedding → TransformerEncoder → pooling → Dense learns a task that needs positions', async () => {
    // The class depends on the first token only. Without positions, attention and pooling see a bag of tokens and
    // cannot tell which came first, so the loss stays near chance (ln 2 ≈ 0.69): the control below shows it.
    const learned = await train(true, 5);
    // 8 epochs × 8 batches = 64 steps.
    expect(learned.losses[0]).toBeGreaterThan(0.5);
    expect(learned.losses[learned.losses.length - 1]).toBeLessThan(0.3);
    expect(learned.accuracy).toBeGreaterThan(0.9);
    const control = await train(false, 5);
    expect(control.losses[control.losses.length - 1]).toBeGreaterThan(0.5);
    // Two trainings of ~50 s each on a quiet machine; a busy one may take several times that.
  }, 600_000);
});
