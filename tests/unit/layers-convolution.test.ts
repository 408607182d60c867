/**
 * Convolution, pooling, padding, cropping and resizing layers: the human messages, what tfjs 4.22 does where it
 * differs from Keras (dilation it ignores), Neurowire's own UpSampling1D / ZeroPadding1D / Cropping1D classes
 * (values against tfjs's 2-D layers, gradients against finite differences, serialization round trips), that every
 * new kind trains with its defaults, and whole graphs through analyzeGraph and the compiler.
 * Per-configuration shape/parameter checks against tfjs live in layers.test.ts (layer-cases/convolution.cases.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { makeCustomLayer, registerCustomLayers } from '../../main/core/layers/custom';
import { defaultParams, paramsSchema } from '../../main/core/layers/params';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { compileGraph } from '../../main/core/compile';
import type { Graph, ProjectNode } from '../../main/core/project';
import { check, layerFactories, parse } from './layer-cases/harness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NEW_KINDS = [
  'Conv2DTranspose',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'MaxPooling1D',
  'AveragePooling1D',
  'AveragePooling2D',
  'UpSampling2D',
  'UpSampling1D',
  'ZeroPadding2D',
  'ZeroPadding1D',
  'Cropping2D',
  'Cropping1D',
] as const;

const CUSTOM_KINDS = ['UpSampling1D', 'ZeroPadding1D', 'Cropping1D'] as const;

/** The layer of a kind, built as the compiler builds it (stock factory or Neurowire's class). */
function buildLayer(kind: string, params: Record<string, unknown> = {}, name?: string): tf.layers.Layer {
  const spec = requireLayerSpec(kind);
  const config = { ...spec.tfjs.config(parse(spec, params)), ...(name ? { name } : {}) };
  return spec.tfjs.custom ? makeCustomLayer(tf, spec.tfjs.className, config) : layerFactories[spec.tfjs.factory](config);
}

const errorOf = (kind: string, input: (number | null)[], params: Record<string, unknown> = {}, name = 'layer_1') => {
  const r = check({ kind, inputs: [input], params }, name);
  return r.ok ? null : r.error;
};

describe('human messages', () => {
  it('Conv2DTranspose on a flat vector suggests a Reshape to an image', () => {
    expect(errorOf('Conv2DTranspose', [784], {}, 'conv2d_transpose_1')).toBe(
      'conv2d_transpose_1: Conv2DTranspose needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1].',
    );
    expect(errorOf('Conv2DTranspose', [28, 28])).toContain('insert a Reshape to [28, 28, 1] (one channel)');
  });

  it('a kernel larger than the input says how to fix it, for every 2-D convolution that shrinks', () => {
    expect(errorOf('DepthwiseConv2D', [3, 3, 2], { kernelSize: [5, 5] }, 'depthwise_conv2d_1')).toBe(
      "depthwise_conv2d_1: kernel 5×5 does not fit the 3×3 input; use padding 'same' or a smaller kernel.",
    );
    expect(errorOf('SeparableConv2D', [6, 6, 2], { kernelSize: [3, 3], dilationRate: [3, 3] }, 'separable_conv2d_1')).toBe(
      "separable_conv2d_1: kernel 3×3 with dilation 3×3 spans 7×7 and does not fit the 6×6 input; use padding 'same' or a smaller kernel.",
    );
    // A transposed convolution grows the image, so any kernel fits.
    expect(check({ kind: 'Conv2DTranspose', inputs: [[2, 2, 1]], params: { kernelSize: [7, 7], strides: [1, 1], padding: 'valid' } })).toEqual({ ok: true, shape: [8, 8, 32] });
  });

  it('SeparableConv2D refuses strides with dilation, naming both', () => {
    expect(errorOf('SeparableConv2D', [9, 9, 2], { strides: [2, 2], dilationRate: [2, 2] }, 'separable_conv2d_2')).toBe(
      'separable_conv2d_2: tfjs cannot combine strides 2×2 with dilation rate 2×2 — set the strides or the dilation rate to [1, 1].',
    );
  });

  it('unknown channels ask for a fixed size', () => {
    for (const kind of ['Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D']) {
      expect(errorOf(kind, [5, 5, null], {}, 'c_1')).toBe(`c_1: ${kind} needs a known number of channels, but gets [5, 5, ?] — give the last axis a fixed size (write the number instead of -1 in a Reshape).`);
    }
  });

  it('1-D poolings on the wrong rank point to a Reshape or their 2-D sibling; pools too large say how to fix it', () => {
    expect(errorOf('MaxPooling1D', [24], {}, 'max_pooling1d_1')).toBe('max_pooling1d_1: MaxPooling1D needs a sequence [steps, channels] but gets a flat vector of 24 — insert a Reshape to [24, 1].');
    expect(errorOf('AveragePooling1D', [6, 6, 2])).toContain('or use AveragePooling2D for images');
    expect(errorOf('MaxPooling1D', [2, 2], { poolSize: 3 }, 'max_pooling1d_2')).toBe("max_pooling1d_2: pool 3 does not fit the 2 steps of the input; use padding 'same' or a smaller pool size.");
    expect(errorOf('AveragePooling2D', [3, 5, 1], { poolSize: [4, 2] }, 'average_pooling2d_1')).toBe(
      "average_pooling2d_1: pool 4×2 does not fit the 3×5 input; use padding 'same' or a smaller pool size.",
    );
  });

  it('cropping everything away says how much may be cropped', () => {
    expect(errorOf('Cropping2D', [3, 4, 2], { topBottom: [2, 1] }, 'cropping2d_1')).toBe(
      'cropping2d_1: cropping 2 + 1 rows from the 3 rows of the input leaves nothing — crop at most 2 rows in total from the top and bottom.',
    );
    expect(errorOf('Cropping2D', [5, 4, 2], { leftRight: [0, 4] })).toContain('crop at most 3 columns in total from the left and right');
    expect(errorOf('Cropping1D', [5, 3], { cropping: [2, 3] }, 'cropping1d_1')).toBe('cropping1d_1: cropping 2 + 3 steps from the 5 steps of the input leaves nothing — crop at most 4 steps in total.');
  });

  it('Cropping2D needs a known height and width, because tfjs crops an unknown size into a negative one', () => {
    expect(errorOf('Cropping2D', [null, 4, 2], {}, 'cropping2d_2')).toBe(
      'cropping2d_2: Cropping2D needs a known height and width but gets [?, 4, 2] — give those axes fixed sizes (write the numbers instead of -1 in a Reshape).',
    );
    const symbolic = tf.layers.cropping2D({ cropping: [[1, 1], [0, 0]] }).apply(tf.input({ shape: [null, 4, 2] })) as tf.SymbolicTensor;
    expect(symbolic.shape[1]).toBeLessThan(0);
  });

  it('padding and cropping pairs name their parts in the parameter check', () => {
    const zeroPadding = paramsSchema(requireLayerSpec('ZeroPadding2D').params).safeParse({ topBottom: [1] });
    expect(zeroPadding.success).toBe(false);
    expect(zeroPadding.error?.issues[0].message).toBe('Rows (top, bottom) must be two whole numbers [top, bottom]');
    expect(paramsSchema(requireLayerSpec('Cropping1D').params).safeParse({ cropping: [-1, 0] }).success).toBe(false);
    // Unnamed pairs keep [height, width].
    expect(paramsSchema(requireLayerSpec('Conv2D').params).safeParse({ kernelSize: 3 }).error?.issues[0].message).toBe('Kernel size must be two whole numbers [height, width]');
  });
});

describe('dilation tfjs 4.22 ignores is refused', () => {
  /** Output of the stock layer with and without a dilation rate, on the same weights and input. */
  function withAndWithoutDilation(factory: string, config: Record<string, unknown>): [Float32Array, Float32Array, number[], number[]] {
    const x = tf.randomNormal([1, 7, 7, 2], 0, 1, 'float32', 3);
    const plain = layerFactories[factory](config);
    const dilated = layerFactories[factory]({ ...config, dilationRate: [2, 2] });
    const a = plain.apply(x) as tf.Tensor;
    dilated.build(x.shape);
    dilated.setWeights(plain.getWeights());
    const b = dilated.apply(x) as tf.Tensor;
    return [a.dataSync() as Float32Array, b.dataSync() as Float32Array, a.shape, b.shape];
  }

  it.each([
    ['Conv2DTranspose', 'conv2dTranspose', { filters: 2, kernelSize: [3, 3], strides: [1, 1] }],
    ['DepthwiseConv2D', 'depthwiseConv2d', { kernelSize: [3, 3] }],
  ] as const)('%s: tfjs gives the undilated result, so a dilation rate is an error', (kind, factory, config) => {
    const [plain, dilated, plainShape, dilatedShape] = withAndWithoutDilation(factory, config);
    expect(dilatedShape).toEqual(plainShape);
    expect(Array.from(dilated)).toEqual(Array.from(plain));
    const error = errorOf(kind, [7, 7, 2], { dilationRate: [2, 2] }, 'my_layer_3');
    expect(error).toContain(`my_layer_3: TensorFlow.js has no dilated ${kind} (it would silently ignore dilation rate 2×2) — set the dilation rate to [1, 1]`);
  });

  it('SeparableConv2D really dilates, so its dilation rate is offered', () => {
    const [plain, dilated, plainShape, dilatedShape] = withAndWithoutDilation('separableConv2d', { filters: 2, kernelSize: [3, 3] });
    expect(plainShape).toEqual([1, 5, 5, 2]);
    expect(dilatedShape).toEqual([1, 3, 3, 2]);
    expect(Array.from(dilated)).not.toEqual(Array.from(plain.slice(0, dilated.length)));
    expect(check({ kind: 'SeparableConv2D', inputs: [[7, 7, 2]], params: { filters: 2, dilationRate: [2, 2] } })).toEqual({ ok: true, shape: [3, 3, 2] });
  });
});

describe("Neurowire's 1-D classes compute what tfjs's 2-D layers compute on a one-column image", () => {
  /** [batch, steps, channels] → [batch, steps, 1, channels] through a stock 2-D layer → [batch, steps', channels]. */
  const via2D = (layer: tf.layers.Layer, x: tf.Tensor3D) => tf.squeeze(layer.apply(tf.expandDims(x, 2)) as tf.Tensor, [2]);
  const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 7) as tf.Tensor3D;

  it.each([
    ['UpSampling1D', { size: 3 }, tf.layers.upSampling2d({ size: [3, 1] })],
    ['ZeroPadding1D', { padding: [2, 1] }, tf.layers.zeroPadding2d({ padding: [[2, 1], [0, 0]] })],
    ['Cropping1D', { cropping: [1, 2] }, tf.layers.cropping2D({ cropping: [[1, 2], [0, 0]] })],
  ] as const)('%s', (kind, params, reference) => {
    const y = buildLayer(kind, params).apply(x) as tf.Tensor;
    const expected = via2D(reference, x);
    expect(y.shape).toEqual(expected.shape);
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
  });
});

describe('custom classes: gradients equal central finite differences (float32)', () => {
  /** f(x) = Σ layer(x) · w for fixed random weights w, so every output element's gradient path is tested. */
  it.each([
    ['UpSampling1D', { size: 2 }],
    ['ZeroPadding1D', { padding: [1, 2] }],
    ['Cropping1D', { cropping: [2, 1] }],
  ] as const)('%s', (kind, params) => {
    const layer = buildLayer(kind, params);
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 11);
    const outShape = (layer.apply(x) as tf.Tensor).shape;
    const w = tf.randomNormal(outShape, 0, 1, 'float32', 12);
    const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, w));
    const analytic = tf.grad(f)(x).dataSync();

    const eps = 1e-2;
    const base = x.dataSync();
    const numeric = Array.from(base, (_v, i) => {
      const plus = base.slice();
      const minus = base.slice();
      plus[i] += eps;
      minus[i] -= eps;
      return (f(tf.tensor(plus, x.shape)).dataSync()[0] - f(tf.tensor(minus, x.shape)).dataSync()[0]) / (2 * eps);
    });
    numeric.forEach((g, i) => expect(Math.abs(analytic[i] - g)).toBeLessThan(1e-3 * (1 + Math.abs(g))));
    // Not vacuous: inputs that reach the output carry gradient.
    expect(Array.from(analytic).some((g) => Math.abs(g) > 0.1)).toBe(true);
  });
});

describe('custom classes: serialization round trips', () => {
  it.each([
    ['UpSampling1D', { size: 3 }],
    ['ZeroPadding1D', { padding: [0, 2] }],
    ['Cropping1D', { cropping: [1, 0] }],
  ] as const)('%s: getConfig rebuilds the same layer, and a model survives toJSON → modelFromJSON', async (kind, params) => {
    const layer = buildLayer(kind, params, 'custom_1');
    const cls = registerCustomLayers(tf).get(layer.getClassName())!;
    expect(layer.getClassName()).toBe(kind);
    expect(new cls(layer.getConfig()).getConfig()).toEqual(layer.getConfig());

    const input = tf.input({ shape: [6, 2] });
    const conv = tf.layers.conv1d({ filters: 3, kernelSize: 2, padding: 'same', activation: 'tanh' });
    const model = tf.model({ inputs: input, outputs: layer.apply(conv.apply(input)) as tf.SymbolicTensor });
    const json = model.toJSON(null, false) as unknown as tf.io.ModelJSON['modelTopology'];
    const loaded = await tf.models.modelFromJSON(json as never);
    loaded.setWeights(model.getWeights());

    const restored = loaded.layers.find((l) => l.name === 'custom_1')!;
    expect(restored.getClassName()).toBe(kind);
    expect(restored.getConfig()).toEqual(layer.getConfig());
    const x = tf.randomNormal([2, 6, 2], 0, 1, 'float32', 21);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(b.shape).toEqual(a.shape);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  });

  it('the classes refuse configs Keras refuses, with the class named', () => {
    const classes = registerCustomLayers(tf);
    expect(() => new (classes.get('UpSampling1D')!)({ size: 0 })).toThrow(/UpSampling1D: size must be a positive whole number/);
    expect(() => new (classes.get('ZeroPadding1D')!)({ padding: [1, -1] })).toThrow(/ZeroPadding1D: padding must be/);
    expect(() => new (classes.get('Cropping1D')!)({ cropping: [1, 2, 3] })).toThrow(/Cropping1D: cropping must be/);
    // Keras's single-number forms.
    expect(new (classes.get('ZeroPadding1D')!)({ padding: 2 }).getConfig().padding).toEqual([2, 2]);
    expect(new (classes.get('Cropping1D')!)({ cropping: 3 }).getConfig().cropping).toEqual([3, 3]);
  });
});

/** A small model around one layer with its default parameters, and an input that suits it. */
const TRAIN_INPUTS: Record<(typeof NEW_KINDS)[number], number[]> = {
  Conv2DTranspose: [4, 4, 2],
  DepthwiseConv2D: [6, 6, 2],
  SeparableConv2D: [6, 6, 2],
  MaxPooling1D: [8, 3],
  AveragePooling1D: [8, 3],
  AveragePooling2D: [6, 6, 2],
  UpSampling2D: [3, 3, 2],
  UpSampling1D: [4, 3],
  ZeroPadding2D: [3, 3, 2],
  ZeroPadding1D: [4, 3],
  Cropping2D: [5, 5, 2],
  Cropping1D: [6, 3],
};

describe('every new kind builds with its defaults and takes a gradient step on the cpu backend', () => {
  it.each([...NEW_KINDS])('%s', async (kind) => {
    const shape = TRAIN_INPUTS[kind];
    const spec = requireLayerSpec(kind);
    const params = defaultParams(spec.params);
    const result = spec.inferShape([shape], params, { name: 'layer_1' });
    if (!result.ok) throw new Error(result.error);

    const input = tf.input({ shape });
    // A Dense before the layer gets gradients only through it, so the step tests the layer's backward pass.
    const before = tf.layers.dense({ units: shape[shape.length - 1], useBias: false }).apply(input) as tf.SymbolicTensor;
    const layer = buildLayer(kind);
    const y = layer.apply(before) as tf.SymbolicTensor;
    expect(y.shape.slice(1)).toEqual(result.shape);
    const out = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(y)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });

    const xs = tf.randomNormal([4, ...shape], 0, 1, 'float32', 1);
    const ys = tf.randomNormal([4, 1], 0, 1, 'float32', 2);
    const firstKernel = model.layers[1].getWeights()[0].dataSync().slice();
    const history = await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    expect(Array.from(model.layers[1].getWeights()[0].dataSync()).some((v, i) => v !== firstKernel[i])).toBe(true);
    expect(layer.countParams()).toBe(spec.countParams([shape], params));
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

describe('graphs through analyzeGraph and the compiler', () => {
  it.each([
    [
      'image autoencoder: ZeroPadding2D → SeparableConv2D → AveragePooling2D → DepthwiseConv2D → UpSampling2D → Conv2DTranspose → Cropping2D',
      chain([
        node('input_1', 'Input', { shape: [10, 10, 1] }),
        node('zero_padding2d_1', 'ZeroPadding2D', { topBottom: [1, 1], leftRight: [1, 1] }),
        node('separable_conv2d_1', 'SeparableConv2D', { filters: 4 }),
        node('average_pooling2d_1', 'AveragePooling2D'),
        node('depthwise_conv2d_1', 'DepthwiseConv2D', { depthMultiplier: 2, padding: 'same' }),
        node('up_sampling2d_1', 'UpSampling2D', { interpolation: 'bilinear' }),
        node('conv2d_transpose_1', 'Conv2DTranspose', { filters: 1, strides: [1, 1], padding: 'valid', activation: 'sigmoid' }),
        node('cropping2d_1', 'Cropping2D', { topBottom: [1, 1], leftRight: [1, 1] }),
      ]),
      [10, 10, 1],
    ],
    [
      'sequence: ZeroPadding1D → Conv1D → MaxPooling1D → UpSampling1D → AveragePooling1D → Cropping1D',
      chain([
        node('input_1', 'Input', { shape: [10, 2] }),
        node('zero_padding1d_1', 'ZeroPadding1D', { padding: [1, 1] }),
        node('conv1d_1', 'Conv1D', { filters: 4 }),
        node('max_pooling1d_1', 'MaxPooling1D'),
        node('up_sampling1d_1', 'UpSampling1D', { size: 4 }),
        node('average_pooling1d_1', 'AveragePooling1D', { poolSize: 2, strides: 1 }),
        node('cropping1d_1', 'Cropping1D', { cropping: [2, 3] }),
      ]),
      [14, 4],
    ],
  ] as const)('%s', (_label, graph, outputShape) => {
    const analysis = analyzeGraph(graph);
    expect(analysis.valid).toBe(true);
    const model = compileGraph(tf, graph);
    // Every layer's shape and parameter count as analysis shows them are what tfjs built.
    for (const n of graph.nodes) {
      const built = model.getLayer(n.name);
      expect(analysis.nodes[n.id].outputShape, n.name).toEqual((built.outputShape as number[]).slice(1));
      expect(analysis.nodes[n.id].params, n.name).toBe(built.countParams());
    }
    expect(analysis.nodes[graph.nodes[graph.nodes.length - 1].id].outputShape).toEqual(outputShape);
    const y = model.predict(tf.ones([2, ...(graph.nodes[0].params.shape as number[])])) as tf.Tensor;
    expect(y.shape).toEqual([2, ...outputShape]);
    model.dispose();
  });

  it('a flat input into Conv2DTranspose shows the Reshape fix on that node', () => {
    const graph = chain([node('input_1', 'Input', { shape: [784] }), node('conv2d_transpose_1', 'Conv2DTranspose')]);
    const analysis = analyzeGraph(graph);
    expect(analysis.valid).toBe(false);
    expect(analysis.nodes.conv2d_transpose_1.errors[0]).toContain('insert a Reshape to [28, 28, 1]');
  });

  it('every custom kind is built by its class under its Keras name', () => {
    for (const kind of CUSTOM_KINDS) {
      const spec = requireLayerSpec(kind);
      expect(spec.tfjs.custom).toBe(true);
      expect(buildLayer(kind).getClassName()).toBe(kind);
      expect(layerFactories[spec.tfjs.factory]).toBeUndefined();
    }
  });
});
