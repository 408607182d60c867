/**
 * Sequence, embedding and normalization layers: the human messages, what tfjs 4.22 really does where
 * it differs from Keras, that every new kind trains with its defaults, and whole graphs
 * (text classifier, time series) through analyzeGraph compared with the model tfjs builds.
 * Per-configuration shape/parameter checks against tfjs live in layers.test.ts (ACCEPTED/REJECTED).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { LAYER_SPECS, requireLayerSpec } from '../../main/core/layers/registry';
import { defaultParams, paramsSchema } from '../../main/core/layers/params';
import type { AnyLayerSpec, ShapeCheck } from '../../main/core/layers/types';
import { analyzeGraph, incomingEdges } from '../../main/core/graph/analyze';
import { buildLayer as buildCompiledLayer } from '../../main/core/compile';
import { generateProjectFiles } from '../../main/node/projectSources';
import { emptyProject, type Graph, type ProjectNode } from '../../main/core/project';
import type { Shape } from '../../main/core/shapes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NEW_KINDS = [
  'Embedding',
  'Conv1D',
  'LSTM',
  'GRU',
  'GlobalAveragePooling1D',
  'GlobalMaxPooling1D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'BatchNormalization',
  'LayerNormalization',
] as const;

type SpecParams = Parameters<AnyLayerSpec['countParams']>[1];

function parse(spec: AnyLayerSpec, params: Record<string, unknown> = {}): SpecParams {
  return paramsSchema(spec.params).parse(params) as SpecParams;
}

function check(kind: string, input: Shape, params: Record<string, unknown> = {}, name = 'layer_1'): ShapeCheck {
  const spec = requireLayerSpec(kind);
  return spec.inferShape([input], parse(spec, params), { name });
}

function errorOf(r: ShapeCheck): string {
  if (r.ok) throw new Error(`expected an error, got ok with shape ${JSON.stringify(r.shape)}`);
  return r.error;
}

/** The layer of a kind as the compiler builds it: the tf.layers factory, or Neurowire's class for a custom spec (GRU). */
function buildLayer(kind: string, params: Record<string, unknown> = {}): tf.layers.Layer {
  const spec = requireLayerSpec(kind);
  return buildCompiledLayer(tf, spec, spec.tfjs.config(parse(spec, params)));
}

describe('human messages', () => {
  it('LSTM on a flat vector names the layer and the Reshape that fixes it', () => {
    expect(errorOf(check('LSTM', [64], {}, 'lstm_1'))).toBe(
      'lstm_1: LSTM needs a sequence [time, features] but gets a flat vector of 64 — insert a Reshape to [64, 1] (or [8, 8]).',
    );
    // No square layout: only the one-feature sequence is suggested.
    expect(errorOf(check('GRU', [10], {}, 'gru_1'))).toBe('gru_1: GRU needs a sequence [time, features] but gets a flat vector of 10 — insert a Reshape to [10, 1].');
  });

  it('LSTM on an image reads its rows as time steps: Reshape to [height, width × channels]', () => {
    const error = errorOf(check('LSTM', [28, 28, 1], {}, 'lstm_2'));
    expect(error).toContain('lstm_2: LSTM needs a sequence [time, features] but gets an image-like tensor [28, 28, 1]');
    expect(error).toContain('insert a Reshape to [28, 28]');
    expect(errorOf(check('GRU', [32, 32, 3], {}, 'gru_2'))).toContain('insert a Reshape to [32, 96]');
    expect(errorOf(check('LSTM', [2, 3, 4, 5], {}, 'lstm_3'))).toContain('insert a Reshape to [2, 60]');
  });

  it('LSTM with an unknown number of features asks for a fixed size', () => {
    expect(errorOf(check('LSTM', [5, null], {}, 'lstm_4'))).toContain('lstm_4: LSTM needs a known number of features');
  });

  it('Conv1D on an image suggests a Reshape or Conv2D', () => {
    const error = errorOf(check('Conv1D', [28, 28, 1], {}, 'conv1d_1'));
    expect(error).toContain('conv1d_1: Conv1D needs a sequence [steps, channels]');
    expect(error).toContain('insert a Reshape to [28, 28]');
    expect(error).toContain('or use Conv2D for images');
    expect(errorOf(check('Conv1D', [24], {}, 'conv1d_2'))).toContain('insert a Reshape to [24, 1]');
  });

  it('Conv1D kernel and dilation problems say how to fix them', () => {
    expect(errorOf(check('Conv1D', [3, 1], { kernelSize: 5 }, 'conv1d_3'))).toBe(
      "conv1d_3: kernel 5 does not fit the 3 steps of the input; use padding 'same' or a smaller kernel.",
    );
    expect(errorOf(check('Conv1D', [6, 1], { kernelSize: 3, dilationRate: 3 }, 'conv1d_4'))).toContain('spans 7 steps');
    expect(errorOf(check('Conv1D', [24, 1], { strides: 2, dilationRate: 2 }, 'conv1d_5'))).toContain(
      'conv1d_5: tfjs cannot combine strides 2 with dilation rate 2',
    );
  });

  it('global poolings point to their 1D/2D sibling', () => {
    expect(errorOf(check('GlobalAveragePooling1D', [7, 7, 8], {}, 'gap_1'))).toContain('or use GlobalAveragePooling2D for images');
    expect(errorOf(check('GlobalMaxPooling2D', [24, 8], {}, 'gmp_1'))).toBe(
      'gmp_1: GlobalMaxPooling2D needs an image-like input [height, width, channels] but gets a sequence [24, 8] (time, features) — use GlobalMaxPooling1D for a sequence, or insert a Reshape to [24, 8, 1] (one channel).',
    );
    expect(errorOf(check('GlobalMaxPooling1D', [24], {}, 'gmp_2'))).toContain('nothing left to pool over — remove this layer');
  });

  it('Embedding warns (but allows) anything but a sequence of token ids', () => {
    expect(check('Embedding', [100], { inputDim: 1000, outputDim: 16 })).toEqual({ ok: true, shape: [100, 16] });
    const r = check('Embedding', [10, 5], { outputDim: 4 }, 'embedding_1');
    expect(r.ok).toBe(true);
    expect(r.ok && r.shape).toEqual([10, 5, 4]);
    expect(r.warnings?.[0]).toContain('embedding_1: Embedding expects a sequence of token ids [sequenceLength] but gets [10, 5]');
  });

  it('BatchNormalization and LayerNormalization name the layer on axis and rank problems', () => {
    expect(errorOf(check('BatchNormalization', [4, 3], { axis: 0 }, 'bn_1'))).toContain('bn_1: axis 0 is the batch axis');
    expect(errorOf(check('LayerNormalization', [4, 3], { axis: 3 }, 'ln_1'))).toContain('ln_1: axis 3 does not exist');
    expect(errorOf(check('BatchNormalization', [2, 3, 4, 5], {}, 'bn_2'))).toContain('bn_2: tfjs\'s BatchNormalization takes inputs of at most 3 axes');
    expect(errorOf(check('LayerNormalization', [4, null], {}, 'ln_2'))).toContain('ln_2: LayerNormalization needs a known size');
  });
});

describe('what tfjs 4.22 does where it differs from Keras', () => {
  it('BatchNormalization on an axis other than the last gives wrong numbers without an error, so it is an error here', () => {
    const x = tf.randomNormal([6, 4, 3], 0, 1, 'float32', 7);
    const layer = tf.layers.batchNormalization({ axis: 1, momentum: 0 });
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(x, [0, 2], true);
    const expected = x.sub(mean).div(variance.add(0.001).sqrt());
    // tfjs's batchNorm kernels pair the per-axis-1 statistics with the last axis instead.
    expect(y.sub(expected).abs().max().dataSync()[0]).toBeGreaterThan(0.1);
    expect(errorOf(check('BatchNormalization', [4, 3], { axis: 1 }, 'bn_3'))).toContain('bn_3: tfjs\'s BatchNormalization only normalizes correctly along the last axis');
    expect(errorOf(check('BatchNormalization', [4, 3], { axis: -2 }, 'bn_4'))).toContain('use axis -1');
    // The last axis, also written as a positive axis, is right.
    const last = tf.layers.batchNormalization({ axis: 2, momentum: 0 }).apply(x, { training: true }) as tf.Tensor;
    const m2 = tf.moments(x, [0, 1], true);
    expect(last.sub(x.sub(m2.mean).div(m2.variance.add(0.001).sqrt())).abs().max().dataSync()[0]).toBeLessThan(1e-4);
    expect(check('BatchNormalization', [4, 3], { axis: 2 }).ok).toBe(true);
  });

  it('LayerNormalization normalizes correctly along any axis, so any axis is allowed', () => {
    const x = tf.randomNormal([6, 4, 3], 0, 1, 'float32', 8);
    for (const axis of [1, -2, 2, -1]) {
      const y = tf.layers.layerNormalization({ axis }).apply(x) as tf.Tensor;
      const { mean, variance } = tf.moments(x, [axis < 0 ? 3 + axis : axis], true);
      expect(y.sub(x.sub(mean).div(variance.add(0.001).sqrt())).abs().max().dataSync()[0]).toBeLessThan(1e-4);
      expect(check('LayerNormalization', [4, 3], { axis }).ok).toBe(true);
    }
  });

  it('BatchNormalization countParams includes the two non-trainable moving statistics', () => {
    const layer = buildLayer('BatchNormalization');
    layer.apply(tf.input({ shape: [10] }));
    expect(layer.trainableWeights.length).toBe(2);
    expect(layer.nonTrainableWeights.map((w) => w.shape)).toEqual([[10], [10]]);
    expect(layer.countParams()).toBe(40);
    expect(requireLayerSpec('BatchNormalization').countParams([[10]], parse(requireLayerSpec('BatchNormalization')))).toBe(40);
  });

  it('GRU: tfjs rejects resetAfter, so Neurowire\'s own GRU class builds both variants with their counts', () => {
    expect(() => tf.layers.gru({ units: 4, resetAfter: true } as never)).toThrow(/reset_after/);
    expect(requireLayerSpec('GRU').tfjs.custom).toBe(true);
    for (const [resetAfter, count] of [
      // Keras's default (reset_after=True): a second, recurrent bias of 3·32.
      [true, 3 * (16 * 32 + 32 * 32 + 2 * 32)],
      // tfjs's own variant: one bias per gate.
      [false, 3 * (16 * 32 + 32 * 32 + 32)],
    ] as const) {
      const layer = buildLayer('GRU', { units: 32, resetAfter });
      layer.apply(tf.input({ shape: [100, 16] }));
      expect(layer.countParams()).toBe(count);
    }
    // Keras's default is the default here too.
    expect(defaultParams(requireLayerSpec('GRU').params)).toMatchObject({ resetAfter: true });
  });

  it('LSTM and GRU default to hardSigmoid gates in tfjs, so the sigmoid default is always passed', () => {
    const plain = tf.layers.lstm({ units: 2 }).getConfig() as { recurrentActivation: string };
    expect(plain.recurrentActivation).toBe('hardSigmoid');
    for (const kind of ['LSTM', 'GRU']) {
      const spec = requireLayerSpec(kind);
      expect(spec.tfjs.config(parse(spec))).toMatchObject({ recurrentActivation: 'sigmoid' });
      expect((buildLayer(kind).getConfig() as { recurrentActivation: string }).recurrentActivation).toBe('sigmoid');
      expect((buildLayer(kind, { recurrentActivation: 'hardSigmoid' }).getConfig() as { recurrentActivation: string }).recurrentActivation).toBe('hardSigmoid');
    }
  });

  it('a recurrent dropout of 1 drops nothing in tfjs, so it warns', () => {
    const r = check('LSTM', [6, 4], { units: 3, dropout: 1, recurrentDropout: 1 }, 'lstm_5');
    expect(r.ok).toBe(true);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings?.[0]).toContain('lstm_5: a dropout of 1 does nothing in tfjs');
    expect(r.warnings?.[1]).toContain('lstm_5: a recurrent dropout of 1 does nothing in tfjs');
    // What the warning claims: training output equals inference output at rate 1.
    const layer = tf.layers.lstm({ units: 3, dropout: 1, recurrentDropout: 1 });
    const x = tf.randomNormal([2, 6, 4], 0, 1, 'float32', 9);
    const inference = layer.apply(x, { training: false }) as tf.Tensor;
    const training = layer.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(training.dataSync())).toEqual(Array.from(inference.dataSync()));
    expect(check('GRU', [6, 4], { dropout: 0.2, recurrentDropout: 0.2 }).warnings).toBeUndefined();
  });

  it("Conv1D 'causal' padding is not offered: tfjs 4.22 builds a wrong shape and cannot run it", () => {
    const layer = tf.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' });
    const symbolic = layer.apply(tf.input({ shape: [24, 1] })) as tf.SymbolicTensor;
    expect(symbolic.shape).toEqual([null, 22, 2]); // Keras: 24
    expect(() => layer.apply(tf.ones([2, 24, 1]))).toThrow(/CAUSAL/);
    const padding = requireLayerSpec('Conv1D').params.padding as { options: readonly string[] };
    expect(padding.options).toEqual(['valid', 'same']);
  });

  it('an Embedding with maskZero makes a following LSTM skip the padding steps', () => {
    const embedding = tf.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true });
    const lstm = tf.layers.lstm({ units: 3 });
    const input = tf.input({ shape: [4] });
    const padded = tf.model({ inputs: input, outputs: lstm.apply(embedding.apply(input)) as tf.SymbolicTensor });
    const shortInput = tf.input({ shape: [2] });
    const shortOut = tf.layers
      .lstm({ units: 3, weights: lstm.getWeights() })
      .apply(tf.layers.embedding({ inputDim: 10, outputDim: 4, weights: embedding.getWeights() }).apply(shortInput)) as tf.SymbolicTensor;
    const short = tf.model({ inputs: shortInput, outputs: shortOut });
    const a = (padded.predict(tf.tensor2d([[1, 2, 0, 0]])) as tf.Tensor).dataSync();
    const b = (short.predict(tf.tensor2d([[1, 2]])) as tf.Tensor).dataSync();
    Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
  });

  it('tf.layers has no attention layer to offer, so the attention kinds are Neurowire\'s own classes', () => {
    const names = Object.keys(tf.layers).map((n) => n.toLowerCase());
    expect(names.filter((n) => n.includes('attention'))).toEqual([]);
    const attention = LAYER_SPECS.filter((s) => /attention/i.test(s.kind));
    expect(attention.length).toBeGreaterThan(0);
    for (const spec of attention) expect(spec.tfjs.custom, spec.kind).toBe(true);
  });
});

/** A small model around one layer with its default parameters, and an input that suits it. */
const TRAIN_SETUPS: Record<(typeof NEW_KINDS)[number], { input: number[]; ids?: boolean }> = {
  Embedding: { input: [10], ids: true },
  Conv1D: { input: [12, 3] },
  LSTM: { input: [6, 3] },
  GRU: { input: [6, 3] },
  GlobalAveragePooling1D: { input: [12, 3] },
  GlobalMaxPooling1D: { input: [12, 3] },
  GlobalAveragePooling2D: { input: [5, 5, 2] },
  GlobalMaxPooling2D: { input: [5, 5, 2] },
  BatchNormalization: { input: [8] },
  LayerNormalization: { input: [4, 3] },
};

describe('every new kind builds with its defaults and takes a gradient step on the cpu backend', () => {
  it.each([...NEW_KINDS])('%s', async (kind) => {
    const setup = TRAIN_SETUPS[kind];
    const spec = requireLayerSpec(kind);
    const params = defaultParams(spec.params);
    const check = spec.inferShape([setup.input], params, { name: 'layer_1' });
    if (!check.ok) throw new Error(check.error);

    const input = tf.input({ shape: setup.input });
    const layer = buildCompiledLayer(tf, spec, spec.tfjs.config(params));
    let y = layer.apply(input) as tf.SymbolicTensor;
    expect(y.shape.slice(1)).toEqual(check.shape);
    if (y.shape.length > 2) y = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1 }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(model.countParams()).toBe(spec.countParams([setup.input], params) + (y.shape[1]! + 1));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });

    const batch = 4;
    const xs = setup.ids ? tf.randomUniform([batch, ...setup.input], 0, 1000, 'int32', 1).toFloat() : tf.randomNormal([batch, ...setup.input], 0, 1, 'float32', 1);
    const ys = tf.randomNormal([batch, 1], 0, 1, 'float32', 2);
    const before = layer.trainableWeights.map((w) => w.read().dataSync().slice());
    const history = await model.fit(xs, ys, { epochs: 1, batchSize: batch, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    // The layer's own weights moved (layers without weights: the gradient reached the Dense after it).
    layer.trainableWeights.forEach((w, i) => expect(Array.from(w.read().dataSync()).some((v, j) => v !== before[i][j])).toBe(true));
    if (spec.countParams([setup.input], params) === 0) expect(layer.trainableWeights).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Whole graphs

function node(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params, position: { x: 0, y: 0 } };
}

function chain(nodes: ProjectNode[]): Graph {
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

/** Builds the graph in tfjs from the same spec.tfjs descriptions the compiler uses. */
function buildModel(graph: Graph): tf.LayersModel {
  const analysis = analyzeGraph(graph);
  const incoming = incomingEdges(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const outputs = new Map<string, tf.SymbolicTensor>();
  for (const id of analysis.order) {
    const n = byId.get(id)!;
    const spec = requireLayerSpec(n.kind);
    const config = { ...spec.tfjs.config(parse(spec, n.params)), name: n.name };
    if (n.kind === 'Input') {
      outputs.set(id, tf.input(config as { shape: number[]; name: string }));
      continue;
    }
    const ins = (incoming.get(id) ?? []).map((s) => outputs.get(s)!);
    outputs.set(id, buildCompiledLayer(tf, spec, config).apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor);
  }
  return tf.model({ inputs: outputs.get(analysis.inputIds[0])!, outputs: outputs.get(analysis.outputIds[0])! });
}

/** Input [100] → Embedding(1000, 16) → LSTM(32) → Dense(2, softmax). */
function textClassifier(): Graph {
  return chain([
    node('input_1', 'Input', { shape: [100] }),
    node('embedding_1', 'Embedding', { inputDim: 1000, outputDim: 16, maskZero: true }),
    node('lstm_1', 'LSTM', { units: 32 }),
    node('dense_1', 'Dense', { units: 2, activation: 'softmax' }),
  ]);
}

/** Input [24, 1] → Conv1D(16, 3) → GlobalAveragePooling1D → Dense(1, linear). */
function timeSeries(): Graph {
  return chain([
    node('input_1', 'Input', { shape: [24, 1] }),
    node('conv1d_1', 'Conv1D', { filters: 16, kernelSize: 3 }),
    node('global_average_pooling1d_1', 'GlobalAveragePooling1D'),
    node('dense_1', 'Dense', { units: 1, activation: 'linear' }),
  ]);
}

describe('graphs through analyzeGraph', () => {
  it('text classifier: Input [100] → Embedding(1000, 16) → LSTM(32) → Dense(2, softmax)', async () => {
    const graph = textClassifier();
    const a = analyzeGraph(graph, { datasetName: 'Reviews', inputShape: [100], task: 'classification', numClasses: 2, outputSize: 2 });
    expect(a.errors).toEqual([]);
    expect(Object.values(a.nodes).flatMap((n) => [...n.errors, ...n.warnings])).toEqual([]);
    expect(a.valid).toBe(true);
    expect(a.nodes.embedding_1.outputShape).toEqual([100, 16]);
    expect(a.nodes.lstm_1.outputShape).toEqual([32]);
    expect(a.nodes.dense_1.outputShape).toEqual([2]);
    expect(a.nodes.embedding_1.params).toBe(16000);
    expect(a.nodes.lstm_1.params).toBe(6272);
    expect(a.totalParams).toBe(16000 + 6272 + 66);

    const model = buildModel(graph);
    expect(a.totalParams).toBe(model.countParams());
    for (const l of model.layers) expect(l.outputShape).toEqual([null, ...a.nodes[l.name].outputShape!]);

    // One training step on token ids with padding.
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const ids = tf.randomUniform([4, 100], 0, 1000, 'int32', 3).mul(tf.randomUniform([4, 100], 0, 2, 'int32', 4)).toFloat();
    const labels = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
    const history = await model.fit(ids, labels, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
  });

  it('time series: Input [24, 1] → Conv1D → GlobalAveragePooling1D → Dense(1, linear)', async () => {
    const graph = timeSeries();
    const a = analyzeGraph(graph, { datasetName: 'Sine', inputShape: [24, 1], task: 'regression', numClasses: 0, outputSize: 1 });
    expect(a.errors).toEqual([]);
    expect(Object.values(a.nodes).flatMap((n) => [...n.errors, ...n.warnings])).toEqual([]);
    expect(a.valid).toBe(true);
    expect(a.nodes.conv1d_1.outputShape).toEqual([22, 16]);
    expect(a.nodes.global_average_pooling1d_1.outputShape).toEqual([16]);
    expect(a.nodes.dense_1.outputShape).toEqual([1]);
    expect(a.totalParams).toBe(3 * 1 * 16 + 16 + 17);

    const model = buildModel(graph);
    expect(a.totalParams).toBe(model.countParams());
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const history = await model.fit(tf.randomNormal([8, 24, 1], 0, 1, 'float32', 5), tf.randomNormal([8, 1], 0, 1, 'float32', 6), { epochs: 1, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
  });

  it('a flat input into LSTM shows the Reshape fix on the LSTM node', () => {
    const a = analyzeGraph(chain([node('input_1', 'Input', { shape: [64] }), node('lstm_1', 'LSTM'), node('dense_1', 'Dense', { units: 2, activation: 'softmax' })]));
    expect(a.valid).toBe(false);
    expect(a.nodes.lstm_1.errors).toEqual(['lstm_1: LSTM needs a sequence [time, features] but gets a flat vector of 64 — insert a Reshape to [64, 1] (or [8, 8]).']);
  });

  it('stacked recurrent layers and normalization: returnSequences feeds the next LSTM', () => {
    const graph = chain([
      node('input_1', 'Input', { shape: [20, 4] }),
      node('gru_1', 'GRU', { units: 8, returnSequences: true }),
      node('layer_normalization_1', 'LayerNormalization'),
      node('lstm_1', 'LSTM', { units: 6 }),
      node('batch_normalization_1', 'BatchNormalization'),
      node('dense_1', 'Dense', { units: 3, activation: 'softmax' }),
    ]);
    const a = analyzeGraph(graph);
    expect(a.valid).toBe(true);
    expect(a.nodes.gru_1.outputShape).toEqual([20, 8]);
    expect(a.totalParams).toBe(buildModel(graph).countParams());
  });
});

describe('code generation gets plain configs', () => {
  it.each([...NEW_KINDS])('%s: the tfjs config is plain JSON', (kind) => {
    const spec = requireLayerSpec(kind);
    const config = spec.tfjs.config(defaultParams(spec.params));
    const plain = (v: unknown): boolean =>
      typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || (Array.isArray(v) && v.every(plain));
    expect(Object.values(config).every(plain)).toBe(true);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('the text classifier prints as tf.layers calls with the same configs', () => {
    const project = { ...emptyProject('Text classifier'), graph: textClassifier() };
    const model = generateProjectFiles(project)['model.ts'];
    expect(model).toContain(".embedding({ inputDim: 1000, outputDim: 16, maskZero: true, name: 'embedding_1' })");
    expect(model).toMatch(/\.lstm\(\{[\s\S]*units: 32,[\s\S]*recurrentActivation: 'sigmoid',[\s\S]*name: 'lstm_1'/);
    expect(model).not.toContain('[object Object]');
  });
});
