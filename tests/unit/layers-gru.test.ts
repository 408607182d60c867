/**
 * GRU with Keras's resetAfter, Neurowire's own class under Keras's class name `GRU` (main/core/layers/custom/gru.ts):
 * resetAfter off is tfjs's stock GRU (same weights, outputs and config); resetAfter on equals PyTorch's nn.GRU (the
 * golden fixture tests/fixtures/gru-pytorch.json, made by gru-pytorch.py next to it) once its weights are laid out as
 * Keras's; gradients against central differences, wasm against cpu, masks and dropout, and serialization: a model
 * saved by stock tfjs and a Keras model.json with reset_after true both load through the class.
 * Per-configuration shape and count checks against the class live in layer-cases/core.cases.ts (run by layers.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { makeCustomLayer, registerCustomLayers } from '../../main/core/layers/custom';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { compileGraph } from '../../main/core/compile';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { registerWasmTrainingKernels } from '../../main/node/wasm/trainingKernels';
import type { Graph, ProjectNode } from '../../main/core/project';
import { parse } from './layer-cases/harness';
import { useWasmBinariesFromPackage } from '../../main/node/backend';
import { rng } from './helpers/seeded';


beforeAll(async () => {
  // As the engine does (main/node/backend.ts): the wasm binaries from the package's dist folder.
  useWasmBinariesFromPackage();
  expect(await tf.setBackend('cpu')).toBe(true);
  registerCustomLayers(tf);
});


const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The GRU spec's tfjs config for these params (resetAfter on unless given, as for a new node and in Keras). */
function gruConfig(params: Record<string, unknown>): Record<string, unknown> {
  const spec = requireLayerSpec('GRU');
  return spec.tfjs.config(parse(spec, { resetAfter: true, ...params }));
}

/** Neurowire's GRU as the compiler builds it, with extra config (goBackwards, dropoutFunc) where a test needs it. */
function gru(params: Record<string, unknown>, extra: Record<string, unknown> = {}, name = 'gru_1'): tf.layers.Layer {
  return makeCustomLayer(tf, 'GRU', { ...gruConfig(params), ...extra, name });
}

/** tfjs's own GRU from the same config (it takes resetAfter false only). */
function stockGru(params: Record<string, unknown>, extra: Record<string, unknown> = {}, name = 'gru_1'): tf.layers.Layer {
  return tf.layers.gru({ ...gruConfig({ ...params, resetAfter: false }), ...extra, name } as Parameters<typeof tf.layers.gru>[0]);
}

/** Gives every weight of a built layer seeded values of the given spread (biases too, so they matter). */
function seedWeights(layer: tf.layers.Layer, seed: number, scale = 0.6): void {
  const r = rng(seed);
  layer.setWeights(layer.weights.map((w) => tf.tensor(r.values(size(w.shape as number[]), scale), w.shape as number[])));
}

function maxGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const values = (t: tf.Tensor | tf.Tensor[]) => Array.from((Array.isArray(t) ? t[0] : t).dataSync());

describe('resetAfter off: tfjs’s own GRU, weights, outputs and config', () => {
  const CONFIGS: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['defaults, last state', { units: 4 }, {}],
    ['every state, hardSigmoid gates', { units: 3, returnSequences: true, recurrentActivation: 'hardSigmoid' }, {}],
    ['relu candidate, read backwards', { units: 5, activation: 'relu', returnSequences: true }, { goBackwards: true }],
    ['no bias', { units: 2 }, { useBias: false }],
  ];

  it.each(CONFIGS)('%s', (_label, params, extra) => {
    const ours = gru({ ...params, resetAfter: false }, extra);
    const stock = stockGru(params, extra);
    const x = tf.tensor(rng(3).values(2 * 6 * 3, 1.5), [2, 6, 3]);
    ours.apply(x);
    stock.apply(x);
    expect(ours.weights.map((w) => [w.originalName, w.shape])).toEqual(stock.weights.map((w) => [w.originalName, w.shape]));
    seedWeights(ours, 5);
    stock.setWeights(ours.getWeights());
    // The same kernels in the same order: the outputs are equal to the last bit.
    expect(values(ours.apply(x) as tf.Tensor)).toEqual(values(stock.apply(x) as tf.Tensor));
    // Stock tfjs's config, with its own resetAfter: false; only the class behind the name differs.
    expect(ours.getConfig()).toEqual(stock.getConfig());
    expect(ours.getConfig().resetAfter).toBe(false);
    expect(ours.countParams()).toBe(stock.countParams());
  });

  it('in training with dropout (the same masks given to both) and under a padding mask', () => {
    // A fixed "dropout": every sample keeps a different pattern of features, scaled as dropout scales.
    const dropoutFunc = (ones: tf.Tensor, rate: number) => tf.mul(ones, tf.tensor(rng(ones.size).values(ones.size).map((v) => (v > 0 ? 1 / (1 - rate) : 0)), ones.shape));
    const extra = { dropoutFunc };
    const ours = gru({ units: 4, resetAfter: false, dropout: 0.4, recurrentDropout: 0.3, returnSequences: true }, extra);
    const stock = stockGru({ units: 4, dropout: 0.4, recurrentDropout: 0.3, returnSequences: true }, extra);
    const x = tf.tensor(rng(4).values(2 * 5 * 3), [2, 5, 3]);
    ours.apply(x);
    stock.apply(x);
    seedWeights(ours, 6);
    stock.setWeights(ours.getWeights());
    const trainOurs = values(ours.apply(x, { training: true }) as tf.Tensor);
    expect(trainOurs).toEqual(values(stock.apply(x, { training: true }) as tf.Tensor));
    expect(maxGap(trainOurs, values(ours.apply(x) as tf.Tensor))).toBeGreaterThan(1e-3);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], undefined, 'bool');
    expect(values(ours.apply(x, { mask }) as tf.Tensor)).toEqual(values(stock.apply(x, { mask }) as tf.Tensor));
  });
});

/** The PyTorch fixture: weights in PyTorch's layout (gates r, z, n; weight_ih [3u, f]), inputs, nn.GRU's outputs. */
interface TorchCase {
  name: string;
  batch: number;
  time: number;
  features: number;
  units: number;
  weights: { weight_ih: number[][]; weight_hh: number[][]; bias_ih: number[]; bias_hh: number[] };
  input: number[][][];
  sequence: number[][][];
  last: number[][];
}

const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/gru-pytorch.json'), 'utf8')) as { cases: TorchCase[] };

/**
 * PyTorch's weights in Keras's layout: gate blocks reordered from (r, z, n) to (z, r, h), matrices transposed to
 * [in, 3·units]; the two biases stacked as Keras's [2, 3·units] (row 0 input, row 1 recurrent). `order` lets a test
 * get the gate order wrong on purpose.
 */
function kerasWeights(c: TorchCase, order: [number, number, number] = [1, 0, 2]): tf.Tensor[] {
  const u = c.units;
  const gates = <T>(rows: T[]) => order.flatMap((g) => rows.slice(g * u, (g + 1) * u));
  const transpose = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));
  return [
    tf.tensor2d(transpose(gates(c.weights.weight_ih))),
    tf.tensor2d(transpose(gates(c.weights.weight_hh))),
    tf.tensor2d([gates(c.weights.bias_ih), gates(c.weights.bias_hh)]),
  ];
}

describe('resetAfter on: PyTorch’s nn.GRU, once its weights are laid out as Keras’s', () => {
  it('the fixture holds the cases the test expects', () => {
    expect(FIXTURE.cases.map((c) => c.name)).toEqual(['small', 'one_feature_long', 'wide']);
  });

  it.each(FIXTURE.cases.map((c) => [c.name, c] as const))('%s: every state and the last state within 1e-5', (_name, c) => {
    const x = tf.tensor3d(c.input);
    for (const returnSequences of [true, false]) {
      const layer = gru({ units: c.units, returnSequences });
      layer.apply(x);
      expect(layer.weights.map((w) => w.shape)).toEqual([[c.features, 3 * c.units], [c.units, 3 * c.units], [2, 3 * c.units]]);
      layer.setWeights(kerasWeights(c));
      const expected = returnSequences ? c.sequence.flat(2) : c.last.flat();
      expect(maxGap(values(layer.apply(x) as tf.Tensor), expected)).toBeLessThan(1e-5);
    }
  });

  it('the comparison is sharp: z and r swapped, or resetAfter off on the same weights, are far off', () => {
    const c = FIXTURE.cases[0];
    const x = tf.tensor3d(c.input);
    const swapped = gru({ units: c.units, returnSequences: true });
    swapped.apply(x);
    swapped.setWeights(kerasWeights(c, [0, 1, 2]));
    expect(maxGap(values(swapped.apply(x) as tf.Tensor), c.sequence.flat(2))).toBeGreaterThan(1e-2);
    // resetAfter off has one bias: give it the sum of PyTorch's two, which is exact for z and r but not for h.
    const before = gru({ units: c.units, returnSequences: true, resetAfter: false });
    before.apply(x);
    const [kernel, recurrent, bias] = kerasWeights(c);
    before.setWeights([kernel, recurrent, tf.sum(bias, 0)]);
    expect(maxGap(values(before.apply(x) as tf.Tensor), c.sequence.flat(2))).toBeGreaterThan(1e-2);
  });

  it('weights as Keras has them: kernel, recurrent_kernel, bias [2, 3·units]; 4,800 for 32 units on 16 features', () => {
    const keras = 3 * (16 * 32 + 32 * 32 + 2 * 32);
    expect(keras).toBe(4800);
    const layer = gru({ units: 32 });
    layer.apply(tf.input({ shape: [100, 16] }));
    expect(layer.weights.map((w) => [w.originalName, w.shape])).toEqual([
      ['gru_1/kernel', [16, 96]],
      ['gru_1/recurrent_kernel', [32, 96]],
      ['gru_1/bias', [2, 96]],
    ]);
    expect(layer.countParams()).toBe(keras);
    const spec = requireLayerSpec('GRU');
    expect(spec.countParams([[100, 16]], parse(spec, { units: 32, resetAfter: true }))).toBe(keras);
    // resetAfter off: tfjs's figure, one bias row fewer.
    expect(spec.countParams([[100, 16]], parse(spec, { units: 32, resetAfter: false }))).toBe(keras - 96);
  });

  it('input dropout in training is one mask per sequence; recurrent dropout changes training only', () => {
    const x = tf.tensor(rng(7).values(2 * 5 * 3), [2, 5, 3]);
    const pattern = tf.tensor2d([[2, 0, 2], [0, 2, 2]]);
    const fixed = gru({ units: 4, dropout: 0.5, returnSequences: true }, { dropoutFunc: (ones: tf.Tensor) => tf.mul(ones, pattern) });
    fixed.apply(x);
    seedWeights(fixed, 8);
    const plain = gru({ units: 4, returnSequences: true }, {}, 'gru_2');
    plain.apply(x);
    plain.setWeights(fixed.getWeights());
    // The masked run equals the plain run on the input with the same features dropped at every step.
    const dropped = tf.mul(x, pattern.expandDims(1));
    expect(maxGap(values(fixed.apply(x, { training: true }) as tf.Tensor), values(plain.apply(dropped) as tf.Tensor))).toBeLessThan(1e-6);
    expect(values(fixed.apply(x) as tf.Tensor)).toEqual(values(plain.apply(x) as tf.Tensor));

    const recurrent = gru({ units: 4, recurrentDropout: 0.5, returnSequences: true }, {}, 'gru_3');
    recurrent.apply(x);
    recurrent.setWeights(fixed.getWeights());
    expect(maxGap(values(recurrent.apply(x, { training: true }) as tf.Tensor), values(plain.apply(x) as tf.Tensor))).toBeGreaterThan(1e-3);
    expect(values(recurrent.apply(x) as tf.Tensor)).toEqual(values(plain.apply(x) as tf.Tensor));
    // The masks of one call are let go at the next: repeated training calls hold no more tensors.
    const step = () => tf.dispose(recurrent.apply(x, { training: true }) as tf.Tensor);
    step();
    const held = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(held);
  });

  it('padded steps (an Embedding with mask zero before it) leave the state as it was', () => {
    const build = (length: number) => {
      const input = tf.input({ shape: [length] });
      const embedding = tf.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true, name: 'embedding_1' });
      const layer = gru({ units: 4 });
      return { model: tf.model({ inputs: input, outputs: layer.apply(embedding.apply(input)) as tf.SymbolicTensor }), layers: [embedding, layer] };
    };
    const padded = build(5);
    const short = build(3);
    padded.layers.forEach((l, i) => seedWeights(l, 11 + i));
    short.model.setWeights(padded.model.getWeights());
    const a = values(padded.model.predict(tf.tensor2d([[4, 2, 7, 0, 0]])) as tf.Tensor);
    const b = values(short.model.predict(tf.tensor2d([[4, 2, 7]])) as tf.Tensor);
    expect(maxGap(a, b)).toBeLessThan(1e-6);
    // Not vacuous: two more real steps do change it.
    expect(maxGap(values(padded.model.predict(tf.tensor2d([[4, 2, 7, 3, 3]])) as tf.Tensor), b)).toBeGreaterThan(1e-3);
  });
});

// ---------------------------------------------------------------------------------------------- gradients

const GRADIENT_CASES: { label: string; params: Record<string, unknown> }[] = [
  { label: 'resetAfter on, every state', params: { units: 3, returnSequences: true } },
  { label: 'resetAfter on, last state, hardSigmoid gates', params: { units: 4, recurrentActivation: 'hardSigmoid' } },
  { label: 'resetAfter off, every state', params: { units: 3, returnSequences: true, resetAfter: false } },
];

interface GradientRun {
  /** f = Σ layer(x) · R for a fixed random R. */
  f: (x: tf.Tensor) => tf.Scalar;
  x: tf.Tensor;
  vars: tf.Variable[];
  names: string[];
}

function gradientRun(params: Record<string, unknown>, wrap?: (y: tf.Tensor) => tf.Tensor): GradientRun {
  const layer = gru(params);
  const x = tf.tensor(rng(23).values(2 * 4 * 3), [2, 4, 3]);
  const out = layer.apply(x) as tf.Tensor;
  seedWeights(layer, 17);
  const projection = tf.tensor(rng(29).values(out.size), out.shape);
  const f = (input: tf.Tensor) =>
    tf.tidy(() => {
      const y = layer.apply(input) as tf.Tensor;
      return tf.sum(tf.mul(wrap ? wrap(y) : y, projection)) as tf.Scalar;
    });
  return { f, x, vars: layer.trainableWeights.map((w) => w.read() as tf.Variable), names: layer.trainableWeights.map((w) => w.originalName) };
}

/** tf.grads for the input and every weight, as flat arrays (input first, then weights in layer order). */
function analyticGradients(run: GradientRun): Float32Array[] {
  return tf.tidy(() => {
    const [inputGrad] = tf.grads((x: tf.Tensor) => run.f(x))([run.x]);
    const weightGrads = tf.variableGrads(() => run.f(run.x), run.vars).grads;
    return [inputGrad.dataSync() as Float32Array, ...run.vars.map((v) => weightGrads[v.name].dataSync() as Float32Array)].map((a) => Float32Array.from(a));
  });
}

/**
 * The worst error of the analytic gradient against central differences (f(x+ε) − f(x−ε)) / 2ε in float32, in units
 * of the tolerance 2·10⁻³ + 2·10⁻² · |gradient| (so ≤ 1 passes): every input entry and 8 entries of every weight.
 */
function worstFiniteDifferenceError(run: GradientRun, analytic: Float32Array[], eps = 1e-2): number {
  let worst = 0;
  const compare = (numeric: number, exact: number) => (worst = Math.max(worst, Math.abs(numeric - exact) / (2e-3 + 2e-2 * Math.abs(exact))));
  const f = (x: tf.Tensor) => {
    const s = run.f(x);
    const v = s.dataSync()[0];
    s.dispose();
    return v;
  };
  const base = Float32Array.from(run.x.dataSync() as Float32Array);
  for (let j = 0; j < base.length; j++) {
    const at = (delta: number) => {
      const moved = Float32Array.from(base);
      moved[j] += delta;
      const t = tf.tensor(moved, run.x.shape);
      const v = f(t);
      t.dispose();
      return v;
    };
    compare((at(eps) - at(-eps)) / (2 * eps), analytic[0][j]);
  }
  run.vars.forEach((variable, i) => {
    const start = Float32Array.from(variable.dataSync() as Float32Array);
    const picks = [...new Set(Array.from({ length: 8 }, (_, n) => Math.floor((n * 7919 + 3) % start.length)))];
    for (const j of picks) {
      const at = (delta: number) => {
        const moved = Float32Array.from(start);
        moved[j] += delta;
        variable.assign(tf.tensor(moved, variable.shape));
        return f(run.x);
      };
      compare((at(eps) - at(-eps)) / (2 * eps), analytic[1 + i][j]);
      variable.assign(tf.tensor(start, variable.shape));
    }
  });
  return worst;
}

describe('gradients: tf.grads against central differences on cpu', () => {
  it.each(GRADIENT_CASES.map((c) => [c.label, c.params] as const))('%s', (_label, params) => {
    const run = gradientRun(params);
    const analytic = analyticGradients(run);
    // Not vacuous: the gradient reaches the input and every weight, the recurrent bias row included.
    expect(run.names).toEqual(['gru_1/kernel', 'gru_1/recurrent_kernel', 'gru_1/bias']);
    analytic.forEach((g, i) => expect(Math.max(...g.map(Math.abs)), i === 0 ? 'input' : run.names[i - 1]).toBeGreaterThan(1e-3));
    if (params.resetAfter !== false) {
      const recurrentBiasRow = analytic[3].slice(3 * (params.units as number));
      expect(Math.max(...recurrentBiasRow.map(Math.abs))).toBeGreaterThan(1e-3);
    }
    expect(worstFiniteDifferenceError(run, analytic)).toBeLessThan(1);
  });

  it('the tolerance catches a gradient that is 5% off', () => {
    const skew = tf.customGrad((y) => ({ value: tf.clone(y as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.mul(dy, 1.05) })) as (y: tf.Tensor) => tf.Tensor;
    const run = gradientRun(GRADIENT_CASES[0].params, skew);
    expect(worstFiniteDifferenceError(run, analyticGradients(run))).toBeGreaterThan(1);
  });
});

describe('outputs and gradients on wasm agree with cpu', () => {
  it.each(GRADIENT_CASES.map((c) => [c.label, c.params] as const))('%s', async (_label, params) => {
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      // The engine's wasm backend: stock wasm plus the training kernels Neurowire registers.
      if (backend === 'wasm') await registerWasmTrainingKernels(tf);
      const run = gradientRun(params);
      const y = run.f(run.x);
      results[backend] = [Float32Array.from(y.dataSync()), ...analyticGradients(run)];
    }
    await tf.setBackend('cpu');
    expect(results.wasm.length).toBe(results.cpu.length);
    results.cpu.forEach((cpu, i) => {
      const scale = Math.max(1, ...cpu.map(Math.abs));
      expect(maxGap(results.wasm[i], cpu), `output/gradient #${i}`).toBeLessThan(1e-5 * scale);
    });
  });
});

// ---------------------------------------------------------------------------------------------- serialization

function node(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params, position: { x: 0, y: 0 } };
}

function chain(nodes: ProjectNode[]): Graph {
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

/** Input [6, 3] → GRU(5, every state) → GRU(4) → Dense(2). */
function stackedGraph(resetAfter: boolean): Graph {
  return chain([
    node('input_1', 'Input', { shape: [6, 3] }),
    node('gru_1', 'GRU', { units: 5, returnSequences: true, resetAfter }),
    node('gru_2', 'GRU', { units: 4, resetAfter }),
    node('dense_1', 'Dense', { units: 2, activation: 'linear' }),
  ]);
}

const SAMPLES = () => tf.tensor(rng(31).values(3 * 6 * 3), [3, 6, 3]);

function seededModel(graph: Graph): tf.LayersModel {
  const model = compileGraph(tf, graph);
  const r = rng(37);
  model.setWeights(model.getWeights().map((w) => tf.tensor(r.values(w.size, 0.5), w.shape)));
  return model;
}

async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

describe('serialization', () => {
  const ourClass = () => registerCustomLayers(tf).get('GRU')!;

  it.each([true, false])('resetAfter %s: toJSON → modelFromJSON, and save → loadLayersModel, predict the same', async (resetAfter) => {
    const graph = stackedGraph(resetAfter);
    const analysis = analyzeGraph(graph);
    const model = seededModel(graph);
    expect(model.countParams()).toBe(analysis.totalParams);
    const x = SAMPLES();
    const before = values(model.predict(x) as tf.Tensor);

    const topology = model.toJSON(null, false) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const grus = topology.config.layers.filter((l) => l.class_name === 'GRU');
    expect(grus.map((l) => l.config.reset_after)).toEqual([resetAfter, resetAfter]);
    const restored = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
    expect(restored.weights.map((w) => [w.originalName, w.shape])).toEqual(model.weights.map((w) => [w.originalName, w.shape]));
    restored.setWeights(model.getWeights());
    expect(values(restored.predict(x) as tf.Tensor)).toEqual(before);

    const saved = await saveToMemory(model);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
    expect(loaded.layers.filter((l) => l.getClassName() === 'GRU').every((l) => l instanceof ourClass())).toBe(true);
    expect(values(loaded.predict(x) as tf.Tensor)).toEqual(before);
  });

  it('a model saved by stock tfjs (its own GRU, class GRU) loads through Neurowire’s class and predicts the same', async () => {
    const input = tf.input({ shape: [6, 3] });
    const stock = tf.layers.gru({ units: 4, returnSequences: true, recurrentActivation: 'hardSigmoid', name: 'stock_gru' });
    expect(stock instanceof ourClass()).toBe(false);
    const hidden = stock.apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(tf.layers.gru({ units: 3 }).apply(hidden)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const r = rng(41);
    model.setWeights(model.getWeights().map((w) => tf.tensor(r.values(w.size, 0.5), w.shape)));
    const x = SAMPLES();
    const before = values(model.predict(x) as tf.Tensor);
    const saved = await saveToMemory(model);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
    const grus = loaded.layers.filter((l) => l.getClassName() === 'GRU');
    expect(grus).toHaveLength(2);
    for (const layer of grus) {
      expect(layer instanceof ourClass()).toBe(true);
      expect(layer.getConfig().resetAfter).toBe(false);
    }
    expect(values(loaded.predict(x) as tf.Tensor)).toEqual(before);
  });

  it('a Keras model.json with reset_after true loads, and with PyTorch’s weights predicts nn.GRU’s outputs', async () => {
    const c = FIXTURE.cases[0];
    // A Sequential as Keras 2 writes it (snake_case keys; tfjs turns them into resetAfter, returnSequences...).
    const modelTopology = {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, c.time, c.features], dtype: 'float32', sparse: false, ragged: false, name: 'gru_input' } },
          {
            class_name: 'GRU',
            config: {
              name: 'gru',
              trainable: true,
              dtype: 'float32',
              return_sequences: true,
              return_state: false,
              go_backwards: false,
              stateful: false,
              unroll: false,
              time_major: false,
              units: c.units,
              activation: 'tanh',
              recurrent_activation: 'sigmoid',
              use_bias: true,
              kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
              recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1.0, seed: null } },
              bias_initializer: { class_name: 'Zeros', config: {} },
              kernel_regularizer: null,
              recurrent_regularizer: null,
              bias_regularizer: null,
              activity_regularizer: null,
              kernel_constraint: null,
              recurrent_constraint: null,
              bias_constraint: null,
              dropout: 0.0,
              recurrent_dropout: 0.0,
              implementation: 2,
              reset_after: true,
            },
          },
        ],
      },
      keras_version: '2.15.0',
      backend: 'tensorflow',
    };
    const weights = kerasWeights(c);
    const names = ['gru/kernel', 'gru/recurrent_kernel', 'gru/bias'];
    const data = new Float32Array(weights.flatMap((w) => Array.from(w.dataSync())));
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology,
        weightSpecs: weights.map((w, i) => ({ name: names[i], shape: w.shape, dtype: 'float32' as const })),
        weightData: data.buffer,
      }),
    );
    const layer = loaded.layers.find((l) => l.getClassName() === 'GRU')!;
    expect(layer instanceof ourClass()).toBe(true);
    expect(layer.getConfig()).toMatchObject({ resetAfter: true, units: c.units, returnSequences: true });
    expect(maxGap(values(loaded.predict(tf.tensor3d(c.input)) as tf.Tensor), c.sequence.flat(2))).toBeLessThan(1e-5);
  });

  it('Bidirectional GRU (reset after) makes its forward and backward copies through the class, and round-trips', async () => {
    const graph = chain([
      node('input_1', 'Input', { shape: [5, 3] }),
      node('bidirectional_1', 'Bidirectional', { layer: { kind: 'GRU', params: { units: 4, resetAfter: true } } }),
      node('dense_1', 'Dense', { units: 1, activation: 'linear' }),
    ]);
    const model = seededModel(graph);
    // Two GRUs with Keras's reset-after count each.
    expect(model.layers[1].countParams()).toBe(2 * 3 * (3 * 4 + 4 * 4 + 2 * 4));
    expect(model.countParams()).toBe(analyzeGraph(graph).totalParams);
    const x = tf.tensor(rng(43).values(2 * 5 * 3), [2, 5, 3]);
    const before = values(model.predict(x) as tf.Tensor);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
    expect(values(loaded.predict(x) as tf.Tensor)).toEqual(before);
  });

  it('a GRU with its default params trains: the loss falls on a task that needs the sequence', async () => {
    const graph = chain([node('input_1', 'Input', { shape: [6, 1] }), node('gru_1', 'GRU', { units: 8 }), node('dense_1', 'Dense', { units: 1, activation: 'linear' })]);
    const model = compileGraph(tf, graph);
    const r = rng(47);
    const xs = Array.from({ length: 48 }, () => Array.from(r.values(6)));
    // Target: the first step minus the last, which only a state carried through the sequence can give.
    const ys = xs.map((s) => [s[0] - s[5]]);
    model.compile({ optimizer: tf.train.adam(0.03), loss: 'meanSquaredError' });
    const history = await model.fit(tf.tensor3d(xs.map((s) => s.map((v) => [v]))), tf.tensor2d(ys), { epochs: 12, batchSize: 16, shuffle: false, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] * 0.3);
  });
});
