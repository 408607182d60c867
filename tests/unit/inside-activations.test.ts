/**
 * Look inside (core/inside/activations.ts): the per-layer summaries equal what tfjs computes for the same layer
 * (a sub-model ending at that layer), feature maps for image-shaped outputs, histograms otherwise, and attention
 * heatmaps equal to the scores the layer itself returns with returnAttentionScores on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeCustomLayer, registerCustomLayers } from '../../main/core/layers/custom';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { attentionHeatmaps, featureMaps, histogram, layerActivations, summarize, MAX_MAP_SIDE } from '../../main/core/inside/activations';
import { mulberry32 } from '../../main/core/random';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  registerCustomLayers(tf);
});

/** Seeded weights: tfjs's initializers draw from Math.random. */
function seeded<T>(seed: number, f: () => T): T {
  const was = Math.random;
  Math.random = mulberry32(seed);
  try {
    return f();
  } finally {
    Math.random = was;
  }
}

function sample(shape: number[], seed: number): tf.Tensor {
  const rand = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rand() * 2 - 1), [1, ...shape]);
}

/** The output of `layer` for `x`, from a tfjs sub-model ending there. */
async function subModelOutput(model: tf.LayersModel, layer: tf.layers.Layer, x: tf.Tensor): Promise<{ values: Float32Array; shape: number[] }> {
  const sub = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const y = sub.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  const shape = y.shape.slice(1);
  y.dispose();
  return { values, shape };
}

describe('summaries of values', () => {
  it('feature maps scale each channel between its own min and max, channels last', () => {
    // 2×2 map, 2 channels: channel 0 = 0,1,2,3 and channel 1 = 10,10,10,10 (flat: no contrast, all 0).
    const values = [0, 10, 1, 10, 2, 10, 3, 10];
    const maps = featureMaps(values, [2, 2, 2]);
    expect(maps.maps[0]).toEqual({ pixels: [0, 85, 170, 255], min: 0, max: 3 });
    expect(maps.maps[1].pixels).toEqual([0, 0, 0, 0]);
    expect(maps.maps[1].min).toBe(10);
  });

  it('big maps are box-averaged down to at most MAX_MAP_SIDE a side', () => {
    const side = MAX_MAP_SIDE * 2 + 2;
    const values = Float32Array.from({ length: side * side }, (_, i) => i % side); // columns 0..side-1
    const maps = featureMaps(values, [side, side, 1]);
    expect(maps.mapWidth).toBeLessThanOrEqual(MAX_MAP_SIDE);
    expect(maps.mapHeight).toBe(maps.mapWidth);
    expect(maps.maps[0].min).toBe(1); // the mean of columns 0, 1 and 2
    expect(maps.maps[0].pixels[0]).toBe(0);
    expect(maps.maps[0].pixels[maps.mapWidth - 1]).toBe(255);
  });

  it('a histogram counts every value once, with mean, spread and dead units', () => {
    const h = histogram([0, 0, 1, 2, 3, 4, 5, 6], 4);
    expect(h.bins).toEqual([3, 1, 2, 2]); // bins of width 1.5: [0, 1.5) holds 0, 0, 1; the max falls in the last
    expect(h.count).toBe(8);
    expect(h.zeros).toBe(0.25);
    expect(h.mean).toBeCloseTo(2.625, 5);
    expect(h).toMatchObject({ min: 0, max: 6 });
  });

  it('the view follows the shape: [h, w, c] is feature maps, anything else a histogram', () => {
    expect(summarize(new Float32Array(12), [2, 2, 3]).view).toBe('featureMaps');
    expect(summarize(new Float32Array(12), [12]).view).toBe('histogram');
    expect(summarize(new Float32Array(12), [4, 3]).view).toBe('histogram');
  });

  it('attention heatmaps keep each head apart', () => {
    const m = attentionHeatmaps([1, 0, 0, 1, 0.5, 0.5, 0.25, 0.75], [2, 2, 2]);
    expect(m.matrices).toEqual([
      [1, 0, 0, 1],
      [0.5, 0.5, 0.25, 0.75],
    ]);
  });
});

describe('layerActivations', () => {
  it("a CNN's summaries equal tfjs's outputs of each layer (feature maps for the conv, a histogram for the dense)", async () => {
    const model = seeded(7, () => {
      const input = tf.input({ shape: [10, 10, 1], name: 'input_1' });
      const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv2d_1' }).apply(input) as tf.SymbolicTensor;
      const pool = tf.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d_1' }).apply(conv) as tf.SymbolicTensor;
      const flat = tf.layers.flatten({ name: 'flatten_1' }).apply(pool) as tf.SymbolicTensor;
      const dense = tf.layers.dense({ units: 6, activation: 'relu', name: 'dense_1' }).apply(flat) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_2' }).apply(dense) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    });
    const x = sample([10, 10, 1], 3);
    const before = tf.memory().numTensors;
    const report = await layerActivations(tf, model, [x]);
    expect(tf.memory().numTensors).toBe(before);

    expect(report.map((l) => l.layer)).toEqual(['input_1', 'conv2d_1', 'max_pooling2d_1', 'flatten_1', 'dense_1', 'dense_2']);
    for (const layer of model.layers) {
      const got = report.find((l) => l.layer === layer.name)!;
      const want = await subModelOutput(model, layer, x);
      expect(got.shape).toEqual(want.shape);
      expect(got.summary).toEqual(summarize(want.values, want.shape));
    }
    const conv = report.find((l) => l.layer === 'conv2d_1')!.summary;
    expect(conv.view).toBe('featureMaps');
    if (conv.view !== 'featureMaps') return;
    expect([conv.height, conv.width, conv.channels, conv.maps.length]).toEqual([8, 8, 4, 4]);
    // Independently of summarize: channel 0's brightest pixel is where tfjs's output of that channel peaks.
    const { values } = await subModelOutput(model, model.getLayer('conv2d_1'), x);
    const channel0 = Array.from({ length: 64 }, (_, i) => values[i * 4]);
    expect(conv.maps[0].pixels[channel0.indexOf(Math.max(...channel0))]).toBe(255);
    expect(conv.maps[0].max).toBeCloseTo(Math.max(...channel0), 4);

    const dense = report.find((l) => l.layer === 'dense_2')!.summary;
    expect(dense.view).toBe('histogram');
    if (dense.view === 'histogram') {
      expect(dense.count).toBe(3);
      expect(dense.mean).toBeCloseTo(1 / 3, 4); // softmax sums to 1
    }
    x.dispose();
    model.dispose();
  });

  it("MultiHeadAttention's heatmaps are the probabilities the layer returns with returnAttentionScores", async () => {
    const spec = requireLayerSpec('MultiHeadAttention');
    const params = { numHeads: 2, keyDim: 4, valueDim: 0, dropout: 0, useBias: true, useCausalMask: false, returnAttentionScores: false, outputDim: 0 };
    const model = seeded(11, () => {
      const input = tf.input({ shape: [5, 8], name: 'input_1' });
      const mha = makeCustomLayer(tf, 'MultiHeadAttention', { ...spec.tfjs.config(params), name: 'mha_1' });
      const att = mha.apply(input) as tf.SymbolicTensor;
      const pooled = tf.layers.globalAveragePooling1d({ name: 'pool_1' }).apply(att) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'dense_1' }).apply(pooled) as tf.SymbolicTensor });
    });
    // The same layer with scores returned, holding the trained layer's weights.
    const withScores = makeCustomLayer(tf, 'MultiHeadAttention', { ...spec.tfjs.config({ ...params, returnAttentionScores: true }), name: 'mha_ref' });
    const input = tf.input({ shape: [5, 8] });
    const ref = tf.model({ inputs: input, outputs: (withScores.apply(input) as tf.SymbolicTensor[])[1] });
    withScores.setWeights(model.getLayer('mha_1').getWeights());

    const x = sample([5, 8], 5);
    const before = tf.memory().numTensors;
    const report = await layerActivations(tf, model, [x]);
    expect(tf.memory().numTensors).toBe(before);
    const mha = report.find((l) => l.layer === 'mha_1')!;
    expect(mha.shape).toEqual([5, 8]);
    expect(mha.summary.view).toBe('heatmap');
    const scores = ref.predict(x) as tf.Tensor;
    expect(scores.shape).toEqual([1, 2, 5, 5]);
    expect(mha.summary).toEqual(attentionHeatmaps(await scores.data(), [2, 5, 5]));
    if (mha.summary.view === 'heatmap') {
      for (let q = 0; q < 5; q++) expect(mha.summary.matrices[1].slice(q * 5, q * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    }
    expect(report.find((l) => l.layer === 'dense_1')!.summary.view).toBe('histogram');
  });

  it("TransformerEncoder's heatmaps are its self-attention's probabilities; returning them leaves its output as it was", async () => {
    const spec = requireLayerSpec('TransformerEncoder');
    const config = { ...spec.tfjs.config({ ...Object.fromEntries(Object.entries(spec.params).map(([k, d]) => [k, (d as { default: unknown }).default])), numHeads: 2, intermediateDim: 8 }) };
    const model = seeded(13, () => {
      const input = tf.input({ shape: [4, 6], name: 'input_1' });
      const enc = makeCustomLayer(tf, 'TransformerEncoder', { ...config, name: 'enc_1' }).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: enc });
    });
    const x = sample([4, 6], 9);
    const report = await layerActivations(tf, model, [x]);
    const enc = report.find((l) => l.layer === 'enc_1')!;
    expect(enc.summary).toMatchObject({ view: 'heatmap', heads: 2, queries: 4, keys: 4 });
    if (enc.summary.view === 'heatmap') {
      for (const m of enc.summary.matrices) for (let q = 0; q < 4; q++) expect(m.slice(q * 4, q * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    }
    // The same weights with the scores returned: the main output is unchanged, and the scores are the heatmaps.
    const twin = makeCustomLayer(tf, 'TransformerEncoder', { ...config, returnAttentionScores: true, name: 'enc_twin' });
    const input = tf.input({ shape: [4, 6] });
    const both = tf.model({ inputs: input, outputs: twin.apply(input) as tf.SymbolicTensor[] });
    expect(both.outputs.map((o) => o.shape)).toEqual([
      [null, 4, 6],
      [null, 2, 4, 4],
    ]);
    twin.setWeights(model.getLayer('enc_1').getWeights());
    const [out, scores] = both.predict(x) as tf.Tensor[];
    const plain = model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(out, plain))).dataSync()[0]).toBeLessThan(1e-6);
    expect(enc.summary).toEqual(attentionHeatmaps(await scores.data(), [2, 4, 4]));
  });
});
