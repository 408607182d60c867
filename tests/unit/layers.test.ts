import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { LAYER_SPECS, getLayerSpec, requireLayerSpec } from '../../main/core/layers/registry';
import { ACTIVATIONS, defaultParams, paramsSchema } from '../../main/core/layers/params';
import type { AnyLayerSpec, ShapeCheck } from '../../main/core/layers/types';
import { formatShape, type Shape } from '../../main/core/shapes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** One configuration of one layer kind, fed with one shape per incoming edge. */
interface Case {
  kind: string;
  inputs: Shape[];
  params?: Record<string, unknown>;
  /** Concrete per-sample input shapes for the run check where the default (unknown axes → 6) does not fit. */
  runWith?: number[][];
}

type SpecParams = Parameters<AnyLayerSpec['countParams']>[1];

function parse(spec: AnyLayerSpec, params: Record<string, unknown> = {}): SpecParams {
  return paramsSchema(spec.params).parse(params) as SpecParams;
}

function check(c: Case, name = 'layer_1'): ShapeCheck {
  const spec = requireLayerSpec(c.kind);
  return spec.inferShape(c.inputs, parse(spec, c.params), { name });
}

function describeCase(c: Case): string {
  return `${c.kind}(${JSON.stringify(c.params ?? {})}) on ${c.inputs.map(formatShape).join(' + ')}`;
}

const layerFactories = tf.layers as unknown as Record<string, (config: Record<string, unknown>) => tf.layers.Layer>;

/** Builds the layer the way the compiler does and applies it to symbolic inputs. */
function buildInTfjs(c: Case): { layer: tf.layers.Layer | null; inputs: tf.SymbolicTensor[]; output: tf.SymbolicTensor } {
  const spec = requireLayerSpec(c.kind);
  const params = parse(spec, c.params);
  if (spec.kind === 'Input') {
    const config = spec.tfjs.config(params) as { shape: number[] };
    const input = tf.input({ shape: config.shape });
    return { layer: null, inputs: [input], output: input };
  }
  const layer = layerFactories[spec.tfjs.factory](spec.tfjs.config(params));
  const inputs = c.inputs.map((shape) => tf.input({ shape }));
  const output = layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.SymbolicTensor;
  return { layer, inputs, output };
}

/** Concrete sizes for a run: unknown axes get 6 (even, so Reshape(-1, 2) style cases divide). */
function concrete(shape: Shape, batch = 2): number[] {
  return [batch, ...shape.map((d) => d ?? 6)];
}

/**
 * Runs the layer on real tensors (batch 2) and returns the per-sample output shape.
 * Throws where tfjs throws at run time.
 */
function runInTfjs(c: Case): number[] {
  const built = buildInTfjs(c);
  if (!built.layer) return built.output.shape.slice(1) as number[];
  return tf.tidy(() => {
    const xs = c.inputs.map((s, i) => tf.ones(c.runWith ? [2, ...c.runWith[i]] : concrete(s)));
    const y = built.layer!.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
    if (y.shape[0] !== 2) throw new Error(`batch axis changed from 2 to ${y.shape[0]}`);
    return y.shape.slice(1);
  });
}

/**
 * Whether tfjs rejects a configuration: it throws while building or running, or it builds a
 * symbolic shape that is not a real shape (sizes ≤ 0, or a shape its own run does not produce).
 */
function tfjsRejects(c: Case): string | null {
  let symbolic: Shape;
  try {
    symbolic = buildInTfjs(c).output.shape.slice(1) as Shape;
  } catch (e) {
    return `build: ${(e as Error).message}`;
  }
  if (symbolic.some((d) => d !== null && (d === undefined || d <= 0))) return `symbolic shape ${JSON.stringify(symbolic)}`;
  let ran: number[];
  try {
    ran = runInTfjs(c);
  } catch (e) {
    return `run: ${(e as Error).message}`;
  }
  if (ran.length !== symbolic.length || symbolic.some((d, i) => d !== null && d !== ran[i])) {
    return `symbolic ${JSON.stringify(symbolic)} but ran ${JSON.stringify(ran)}`;
  }
  return null;
}

const ACCEPTED: Case[] = [
  // Input
  { kind: 'Input', inputs: [], params: {} },
  { kind: 'Input', inputs: [], params: { shape: [784] } },
  { kind: 'Input', inputs: [], params: { shape: [4] } },
  { kind: 'Input', inputs: [], params: { shape: [32, 32, 3] } },
  { kind: 'Input', inputs: [], params: { shape: [2, 3, 4, 5] } },
  // Dense
  { kind: 'Dense', inputs: [[784]], params: { units: 128 } },
  { kind: 'Dense', inputs: [[128]], params: { units: 10, activation: 'softmax' } },
  { kind: 'Dense', inputs: [[28, 28, 1]], params: { units: 10 } },
  { kind: 'Dense', inputs: [[5, 7]], params: { units: 3, useBias: false } },
  { kind: 'Dense', inputs: [[null, 8]], params: { units: 3 } },
  { kind: 'Dense', inputs: [[1]], params: { units: 1, activation: 'sigmoid' } },
  // Conv2D
  { kind: 'Conv2D', inputs: [[28, 28, 1]], params: {} },
  { kind: 'Conv2D', inputs: [[28, 28, 1]], params: { filters: 8, kernelSize: [5, 5], padding: 'same' } },
  { kind: 'Conv2D', inputs: [[28, 28, 3]], params: { filters: 4, strides: [2, 2] } },
  { kind: 'Conv2D', inputs: [[27, 31, 2]], params: { filters: 5, kernelSize: [3, 5], strides: [2, 3] } },
  { kind: 'Conv2D', inputs: [[27, 31, 2]], params: { filters: 5, kernelSize: [4, 2], strides: [3, 2], padding: 'same' } },
  { kind: 'Conv2D', inputs: [[5, 5, 1]], params: { filters: 2, kernelSize: [5, 5] } },
  { kind: 'Conv2D', inputs: [[7, 7, 1]], params: { filters: 2, kernelSize: [3, 3], dilationRate: [3, 3] } },
  { kind: 'Conv2D', inputs: [[9, 10, 1]], params: { filters: 2, kernelSize: [3, 3], dilationRate: [2, 1], padding: 'same' } },
  { kind: 'Conv2D', inputs: [[11, 12, 3]], params: { filters: 2, kernelSize: [3, 2], dilationRate: [1, 4] } },
  { kind: 'Conv2D', inputs: [[null, 12, 3]], params: { filters: 6, strides: [2, 2] } },
  { kind: 'Conv2D', inputs: [[6, 6, 4]], params: { filters: 3, kernelSize: [1, 1], useBias: false } },
  { kind: 'Conv2D', inputs: [[3, 3, 1]], params: { filters: 2, kernelSize: [5, 5], padding: 'same' } },
  { kind: 'Conv2D', inputs: [[1, 1, 1]], params: { filters: 2, kernelSize: [1, 1], strides: [3, 3], padding: 'same' } },
  { kind: 'Conv2D', inputs: [[8, 8, 2]], params: { filters: 2, kernelSize: [2, 2], strides: [3, 3] } },
  { kind: 'Conv2D', inputs: [[13, 13, 16]], params: { filters: 32, kernelSize: [3, 3], strides: [2, 2], padding: 'same', activation: 'linear' } },
  // MaxPooling2D
  { kind: 'MaxPooling2D', inputs: [[28, 28, 32]], params: {} },
  { kind: 'MaxPooling2D', inputs: [[27, 27, 32]], params: {} },
  { kind: 'MaxPooling2D', inputs: [[27, 27, 32]], params: { padding: 'same' } },
  { kind: 'MaxPooling2D', inputs: [[7, 7, 1]], params: { poolSize: [3, 3], strides: [2, 2] } },
  { kind: 'MaxPooling2D', inputs: [[7, 7, 1]], params: { poolSize: [3, 3], strides: [2, 2], padding: 'same' } },
  { kind: 'MaxPooling2D', inputs: [[27, 13, 5]], params: { poolSize: [2, 3], strides: [1, 2] } },
  { kind: 'MaxPooling2D', inputs: [[1, 1, 1]], params: { poolSize: [2, 2], padding: 'same' } },
  { kind: 'MaxPooling2D', inputs: [[null, 9, 3]], params: {} },
  { kind: 'MaxPooling2D', inputs: [[5, 5, null]], params: {} },
  { kind: 'MaxPooling2D', inputs: [[9, 9, 1]], params: { poolSize: [2, 2], strides: [3, 3] } },
  // Flatten
  { kind: 'Flatten', inputs: [[28, 28, 1]] },
  { kind: 'Flatten', inputs: [[5, 7]] },
  { kind: 'Flatten', inputs: [[2, 3, 4, 5]] },
  { kind: 'Flatten', inputs: [[7, 7, 64]] },
  // Reshape
  { kind: 'Reshape', inputs: [[784]], params: { targetShape: [28, 28, 1] } },
  { kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, 28, 1] } },
  { kind: 'Reshape', inputs: [[784]], params: { targetShape: [28, -1] } },
  { kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1] } },
  { kind: 'Reshape', inputs: [[28, 28, 1]], params: { targetShape: [784] } },
  { kind: 'Reshape', inputs: [[6, 4]], params: { targetShape: [2, -1, 3] } },
  { kind: 'Reshape', inputs: [[6, 4]], params: { targetShape: [2, 2, 2, 3] } },
  { kind: 'Reshape', inputs: [[null, 4]], params: { targetShape: [-1, 2] } },
  { kind: 'Reshape', inputs: [[null, 4]], params: { targetShape: [6, 4] } },
  // Dropout
  { kind: 'Dropout', inputs: [[10]], params: {} },
  { kind: 'Dropout', inputs: [[5, 7]], params: { rate: 0.2 } },
  { kind: 'Dropout', inputs: [[28, 28, 1]], params: { rate: 0 } },
  { kind: 'Dropout', inputs: [[null, 3]], params: { rate: 0.9 } },
  { kind: 'Dropout', inputs: [[4]], params: { rate: 1 } },
  // Activation
  ...ACTIVATIONS.map((activation): Case => ({ kind: 'Activation', inputs: [[6]], params: { activation } })),
  { kind: 'Activation', inputs: [[5, 7]], params: { activation: 'softmax' } },
  { kind: 'Activation', inputs: [[4, 4, 2]], params: { activation: 'gelu' } },
  { kind: 'Activation', inputs: [[null, 3]], params: {} },
  // Add
  { kind: 'Add', inputs: [[10], [10]] },
  { kind: 'Add', inputs: [[4, 3], [4, 3], [4, 3]] },
  { kind: 'Add', inputs: [[7, 7, 8], [7, 7, 8]] },
  { kind: 'Add', inputs: [[1], [3]] },
  { kind: 'Add', inputs: [[4, 3], [3]] },
  { kind: 'Add', inputs: [[3], [2, 4, 3]] },
  { kind: 'Add', inputs: [[4, 1], [1, 3]] },
  { kind: 'Add', inputs: [[null, 3], [4, 3]], runWith: [[4, 3], [4, 3]] },
  { kind: 'Add', inputs: [[5], [5], [1], [5]] },
  // Concatenate
  { kind: 'Concatenate', inputs: [[4, 3], [4, 5]] },
  { kind: 'Concatenate', inputs: [[64], [32], [16]] },
  { kind: 'Concatenate', inputs: [[4, 3], [2, 3]], params: { axis: 1 } },
  { kind: 'Concatenate', inputs: [[4, 3], [4, 3]], params: { axis: 2 } },
  { kind: 'Concatenate', inputs: [[5, 5, 2], [5, 5, 3]] },
  { kind: 'Concatenate', inputs: [[5, 5, 2], [5, 3, 2]], params: { axis: 2 } },
  { kind: 'Concatenate', inputs: [[null, 3], [4, 3]], params: { axis: 1 } },
  { kind: 'Concatenate', inputs: [[null, 3], [null, 5]] },
  { kind: 'Concatenate', inputs: [[2, 3, 4, 5], [2, 3, 4, 1]], params: { axis: 4 } },
  // Embedding (runs look up id 1, so the vocabulary has at least 2 ids)
  { kind: 'Embedding', inputs: [[100]], params: {} },
  { kind: 'Embedding', inputs: [[100]], params: { inputDim: 1000, outputDim: 16, maskZero: true } },
  { kind: 'Embedding', inputs: [[null]], params: { inputDim: 50, outputDim: 8 } },
  { kind: 'Embedding', inputs: [[1]], params: { inputDim: 2, outputDim: 1 } },
  { kind: 'Embedding', inputs: [[10, 5]], params: { inputDim: 20, outputDim: 4 } },
  { kind: 'Embedding', inputs: [[2, 3, 4]], params: { inputDim: 5, outputDim: 3 } },
  // Conv1D
  { kind: 'Conv1D', inputs: [[24, 1]], params: {} },
  { kind: 'Conv1D', inputs: [[24, 1]], params: { filters: 8, kernelSize: 5, padding: 'same' } },
  { kind: 'Conv1D', inputs: [[25, 3]], params: { filters: 4, kernelSize: 3, strides: 2 } },
  { kind: 'Conv1D', inputs: [[25, 3]], params: { filters: 4, kernelSize: 4, strides: 3, padding: 'same' } },
  { kind: 'Conv1D', inputs: [[12, 2]], params: { filters: 2, kernelSize: 3, dilationRate: 4 } },
  { kind: 'Conv1D', inputs: [[12, 2]], params: { filters: 2, kernelSize: 3, dilationRate: 3, padding: 'same' } },
  { kind: 'Conv1D', inputs: [[5, 7]], params: { filters: 3, kernelSize: 5, useBias: false, activation: 'linear' } },
  { kind: 'Conv1D', inputs: [[null, 16]], params: { filters: 6, strides: 2 } },
  { kind: 'Conv1D', inputs: [[2, 4]], params: { filters: 2, kernelSize: 5, padding: 'same' } },
  { kind: 'Conv1D', inputs: [[8, 1]], params: { filters: 2, kernelSize: 2, strides: 3 } },
  // LSTM
  { kind: 'LSTM', inputs: [[100, 16]], params: {} },
  { kind: 'LSTM', inputs: [[10, 3]], params: { units: 4, returnSequences: true } },
  { kind: 'LSTM', inputs: [[null, 8]], params: { units: 5 } },
  { kind: 'LSTM', inputs: [[null, 8]], params: { units: 5, returnSequences: true } },
  { kind: 'LSTM', inputs: [[1, 1]], params: { units: 1, activation: 'relu', recurrentActivation: 'hardSigmoid' } },
  { kind: 'LSTM', inputs: [[6, 4]], params: { units: 3, dropout: 0.2, recurrentDropout: 0.3 } },
  { kind: 'LSTM', inputs: [[6, 4]], params: { units: 3, dropout: 1, recurrentDropout: 1 } },
  // GRU
  { kind: 'GRU', inputs: [[100, 16]], params: {} },
  { kind: 'GRU', inputs: [[10, 3]], params: { units: 4, returnSequences: true } },
  { kind: 'GRU', inputs: [[null, 8]], params: { units: 5 } },
  { kind: 'GRU', inputs: [[1, 1]], params: { units: 1, activation: 'linear', recurrentActivation: 'hardSigmoid' } },
  { kind: 'GRU', inputs: [[6, 4]], params: { units: 3, dropout: 0.5, recurrentDropout: 0.5, returnSequences: true } },
  // Global poolings
  { kind: 'GlobalAveragePooling1D', inputs: [[24, 8]] },
  { kind: 'GlobalAveragePooling1D', inputs: [[1, 1]] },
  { kind: 'GlobalAveragePooling1D', inputs: [[null, 3]] },
  { kind: 'GlobalAveragePooling1D', inputs: [[5, null]] },
  { kind: 'GlobalMaxPooling1D', inputs: [[24, 8]] },
  { kind: 'GlobalMaxPooling1D', inputs: [[1, 1]] },
  { kind: 'GlobalMaxPooling1D', inputs: [[null, 3]] },
  { kind: 'GlobalMaxPooling1D', inputs: [[100, 16]] },
  { kind: 'GlobalAveragePooling2D', inputs: [[7, 7, 64]] },
  { kind: 'GlobalAveragePooling2D', inputs: [[1, 1, 1]] },
  { kind: 'GlobalAveragePooling2D', inputs: [[5, 3, 2]] },
  { kind: 'GlobalAveragePooling2D', inputs: [[null, null, 4]] },
  { kind: 'GlobalMaxPooling2D', inputs: [[7, 7, 64]] },
  { kind: 'GlobalMaxPooling2D', inputs: [[1, 1, 1]] },
  { kind: 'GlobalMaxPooling2D', inputs: [[5, 3, 2]] },
  { kind: 'GlobalMaxPooling2D', inputs: [[null, 6, 4]] },
  // BatchNormalization
  { kind: 'BatchNormalization', inputs: [[10]], params: {} },
  { kind: 'BatchNormalization', inputs: [[4, 3]], params: { center: false } },
  { kind: 'BatchNormalization', inputs: [[4, 3]], params: { center: false, scale: false } },
  { kind: 'BatchNormalization', inputs: [[28, 28, 8]], params: { momentum: 0.9, epsilon: 0.00001 } },
  { kind: 'BatchNormalization', inputs: [[4, 3]], params: { axis: 2 } },
  { kind: 'BatchNormalization', inputs: [[null, 3]], params: { scale: false } },
  { kind: 'BatchNormalization', inputs: [[1]], params: { epsilon: 0 } },
  // LayerNormalization
  { kind: 'LayerNormalization', inputs: [[10]], params: {} },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { center: false } },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { center: false, scale: false } },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { axis: 1 } },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { axis: -2 } },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { axis: 2 } },
  { kind: 'LayerNormalization', inputs: [[5, 5, 2]], params: { epsilon: 0.00001 } },
  { kind: 'LayerNormalization', inputs: [[null, 6]], params: {} },
];

/** Configurations tfjs rejects (at build, at run, or with a shape that is not a shape); the spec must say ok:false. */
const REJECTED: Case[] = [
  { kind: 'Dense', inputs: [[null]] },
  { kind: 'Dense', inputs: [[4, null]] },
  { kind: 'Conv2D', inputs: [[784]] },
  { kind: 'Conv2D', inputs: [[10]] },
  { kind: 'Conv2D', inputs: [[28, 28]] },
  { kind: 'Conv2D', inputs: [[2, 28, 28, 1]] },
  { kind: 'Conv2D', inputs: [[3, 3, 1]], params: { kernelSize: [5, 5] } },
  { kind: 'Conv2D', inputs: [[28, 3, 1]], params: { kernelSize: [5, 5] } },
  { kind: 'Conv2D', inputs: [[4, 4, 1]], params: { kernelSize: [5, 5], strides: [2, 2] } },
  { kind: 'Conv2D', inputs: [[6, 6, 1]], params: { kernelSize: [3, 3], dilationRate: [3, 3] } },
  { kind: 'Conv2D', inputs: [[9, 9, 1]], params: { dilationRate: [2, 2], strides: [2, 2] } },
  { kind: 'Conv2D', inputs: [[9, 9, 1]], params: { dilationRate: [2, 1], strides: [1, 2], padding: 'same' } },
  { kind: 'Conv2D', inputs: [[5, 5, null]] },
  { kind: 'MaxPooling2D', inputs: [[784]] },
  { kind: 'MaxPooling2D', inputs: [[28, 28]] },
  { kind: 'MaxPooling2D', inputs: [[1, 1, 1]] },
  { kind: 'MaxPooling2D', inputs: [[3, 5, 1]], params: { poolSize: [4, 2] } },
  { kind: 'Flatten', inputs: [[784]] },
  { kind: 'Flatten', inputs: [[null, 5]] },
  { kind: 'Reshape', inputs: [[784]], params: { targetShape: [27, 28, 1] } },
  { kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, 5] } },
  { kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, -1] } },
  { kind: 'Reshape', inputs: [[6, 4]], params: { targetShape: [5, 5] } },
  { kind: 'Add', inputs: [[128], [64]] },
  { kind: 'Add', inputs: [[4, 3], [4, 2]] },
  { kind: 'Add', inputs: [[10], [10], [9]] },
  { kind: 'Add', inputs: [[4, 3], [2]] },
  { kind: 'Concatenate', inputs: [[4, 3], [2, 5]] },
  { kind: 'Concatenate', inputs: [[4, 3], [3]] },
  { kind: 'Concatenate', inputs: [[4, 3], [2, 3]] },
  { kind: 'Concatenate', inputs: [[null, 3], [4, 5]] },
  { kind: 'Concatenate', inputs: [[4, 3], [4, 3]], params: { axis: 0 } },
  { kind: 'Concatenate', inputs: [[4, 3], [4, 3]], params: { axis: 3 } },
  { kind: 'Concatenate', inputs: [[4, 3], [4, 3]], params: { axis: -3 } },
  { kind: 'Concatenate', inputs: [[4, 3], [4, 3]], params: { axis: -4 } },
  // tfjs runs every negative axis as -1 although its symbolic shape honours the axis.
  { kind: 'Concatenate', inputs: [[4, 3], [2, 3]], params: { axis: -2 } },
  { kind: 'Concatenate', inputs: [[4, 3], [4, 3]], params: { axis: -2 } },
  { kind: 'Concatenate', inputs: [[5, 5, 2], [5, 3, 2]], params: { axis: -2 } },
  // Conv1D
  { kind: 'Conv1D', inputs: [[24]] },
  { kind: 'Conv1D', inputs: [[28, 28, 1]] },
  { kind: 'Conv1D', inputs: [[24, null]] },
  { kind: 'Conv1D', inputs: [[3, 1]], params: { kernelSize: 5 } },
  { kind: 'Conv1D', inputs: [[6, 1]], params: { kernelSize: 3, dilationRate: 3 } },
  { kind: 'Conv1D', inputs: [[24, 1]], params: { strides: 2, dilationRate: 2 } },
  { kind: 'Conv1D', inputs: [[24, 1]], params: { strides: 2, dilationRate: 2, padding: 'same' } },
  // LSTM and GRU
  { kind: 'LSTM', inputs: [[64]] },
  { kind: 'LSTM', inputs: [[28, 28, 1]] },
  { kind: 'LSTM', inputs: [[5, null]] },
  { kind: 'LSTM', inputs: [[2, 3, 4, 5]] },
  { kind: 'GRU', inputs: [[64]] },
  { kind: 'GRU', inputs: [[28, 28, 1]] },
  { kind: 'GRU', inputs: [[5, null]] },
  // Global poolings
  { kind: 'GlobalAveragePooling1D', inputs: [[24]] },
  { kind: 'GlobalAveragePooling1D', inputs: [[7, 7, 8]] },
  { kind: 'GlobalMaxPooling1D', inputs: [[24]] },
  { kind: 'GlobalMaxPooling1D', inputs: [[7, 7, 8]] },
  { kind: 'GlobalAveragePooling2D', inputs: [[24, 8]] },
  { kind: 'GlobalAveragePooling2D', inputs: [[784]] },
  { kind: 'GlobalAveragePooling2D', inputs: [[2, 3, 4, 5]] },
  { kind: 'GlobalMaxPooling2D', inputs: [[24, 8]] },
  { kind: 'GlobalMaxPooling2D', inputs: [[784]] },
  // BatchNormalization (axes other than the last are wrong without an error: see layers-sequence.test.ts)
  { kind: 'BatchNormalization', inputs: [[4, 3]], params: { axis: 0 } },
  { kind: 'BatchNormalization', inputs: [[4, 3]], params: { axis: 3 } },
  { kind: 'BatchNormalization', inputs: [[4, 3]], params: { axis: -3 } },
  { kind: 'BatchNormalization', inputs: [[4, 3]], params: { axis: -4 } },
  { kind: 'BatchNormalization', inputs: [[4, null]] },
  { kind: 'BatchNormalization', inputs: [[2, 3, 4, 5]] },
  // LayerNormalization
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { axis: 0 } },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { axis: 3 } },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { axis: -3 } },
  { kind: 'LayerNormalization', inputs: [[4, 3]], params: { axis: -4 } },
  { kind: 'LayerNormalization', inputs: [[4, null]] },
  { kind: 'LayerNormalization', inputs: [[2, 3, 4, 5]] },
];

describe('layer registry', () => {
  it('lists the layer kinds in palette order', () => {
    expect(LAYER_SPECS.map((s) => s.kind)).toEqual([
      'Input',
      'Dense',
      'Embedding',
      'Conv2D',
      'Conv1D',
      'LSTM',
      'GRU',
      'MaxPooling2D',
      'GlobalAveragePooling2D',
      'GlobalMaxPooling2D',
      'GlobalAveragePooling1D',
      'GlobalMaxPooling1D',
      'BatchNormalization',
      'LayerNormalization',
      'Flatten',
      'Reshape',
      'Dropout',
      'Activation',
      'Add',
      'Concatenate',
    ]);
  });

  it('finds specs by kind and explains unknown kinds', () => {
    expect(getLayerSpec('Conv2D')?.label).toBe('Conv2D');
    expect(getLayerSpec('Nope')).toBeUndefined();
    expect(() => requireLayerSpec('Nope')).toThrow(/Unknown layer kind "Nope".*Conv2D/);
  });

  it.each(LAYER_SPECS.map((s) => [s.kind, s] as const))('%s: defaults are valid and the tfjs factory exists', (_kind, spec) => {
    const defaults = defaultParams(spec.params);
    expect(paramsSchema(spec.params).safeParse(defaults).success).toBe(true);
    expect(paramsSchema(spec.params).parse({})).toEqual(defaults);
    if (spec.kind === 'Input') expect(spec.tfjs.factory).toBe('input');
    else expect(typeof layerFactories[spec.tfjs.factory]).toBe('function');
    expect(spec.namePrefix).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(spec.inputs.min).toBeLessThanOrEqual(spec.inputs.max);
    for (const def of Object.values(spec.params)) expect((def as { help: string }).help.length).toBeGreaterThan(10);
  });

  it.each(LAYER_SPECS.map((s) => s.kind))('%s has several accepted and rejected configurations under test', (kind) => {
    expect(ACCEPTED.filter((c) => c.kind === kind).length).toBeGreaterThanOrEqual(4);
    // Embedding accepts any input shape (it warns on anything but a sequence of ids).
    if (kind !== 'Input' && kind !== 'Dropout' && kind !== 'Activation' && kind !== 'Embedding') {
      expect(REJECTED.filter((c) => c.kind === kind).length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('every activation in ACTIVATIONS exists in tfjs', () => {
  it.each([...ACTIVATIONS])('%s builds and applies', (activation) => {
    const layer = tf.layers.activation({ activation: activation as never });
    const y = layer.apply(tf.tensor2d([[-2, -0.5, 0, 0.5, 2]])) as tf.Tensor;
    expect(y.shape).toEqual([1, 5]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('shapes and parameter counts equal tfjs', () => {
  it.each(ACCEPTED.map((c) => [describeCase(c), c] as const))('%s', (_label, c) => {
    const spec = requireLayerSpec(c.kind);
    const params = parse(spec, c.params);
    const result = spec.inferShape(c.inputs, params, { name: 'layer_1' });
    if (!result.ok) throw new Error(`spec rejected a configuration tfjs accepts: ${result.error}`);

    const built = buildInTfjs(c);
    const tfjsShape = built.output.shape.slice(1);
    expect(result.shape).toEqual(tfjsShape);
    expect(spec.countParams(c.inputs, params)).toBe(built.layer ? built.layer.countParams() : 0);

    // The layer must also run, and give the sizes the spec promised wherever it knows them.
    const ran = runInTfjs(c);
    expect(ran.length).toBe(result.shape.length);
    const concreteInputs = c.inputs.every((s) => s.every((d) => d !== null));
    if (concreteInputs) result.shape.forEach((d, i) => d !== null && expect(ran[i]).toBe(d));
  });
});

describe('configurations tfjs rejects are errors that name the layer', () => {
  it.each(REJECTED.map((c) => [describeCase(c), c] as const))('%s', (_label, c) => {
    // First make sure tfjs really rejects it, so this list cannot forbid what tfjs allows.
    expect(tfjsRejects(c)).not.toBeNull();
    const result = check(c, 'my_layer_7');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('my_layer_7');
  });
});

describe('human messages', () => {
  it('Conv2D on a flat 784 vector suggests a Reshape to [28, 28, 1]', () => {
    const r = check({ kind: 'Conv2D', inputs: [[784]] }, 'conv2d_1');
    expect(r).toMatchObject({
      ok: false,
      error: 'conv2d_1: Conv2D needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1].',
    });
  });

  it('Conv2D on a flat vector of RGB size suggests three channels', () => {
    const r = check({ kind: 'Conv2D', inputs: [[3072]] }, 'conv2d_1');
    expect(!r.ok && r.error).toContain('insert a Reshape to [32, 32, 3]');
  });

  it('Conv2D on a flat vector with no square layout suggests a Reshape in general', () => {
    const r = check({ kind: 'Conv2D', inputs: [[10]] }, 'conv2d_2');
    expect(!r.ok && r.error).toContain('conv2d_2: Conv2D needs an image-like input');
    expect(!r.ok && r.error).toContain('Reshape to [height, width, channels]');
  });

  it('Conv2D on a 2-D input suggests adding a channel axis', () => {
    const r = check({ kind: 'Conv2D', inputs: [[28, 28]] }, 'conv2d_1');
    expect(!r.ok && r.error).toContain('Reshape to [28, 28, 1]');
  });

  it('MaxPooling2D gives the same rank message', () => {
    const r = check({ kind: 'MaxPooling2D', inputs: [[784]] }, 'max_pooling2d_1');
    expect(!r.ok && r.error).toBe('max_pooling2d_1: MaxPooling2D needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1].');
  });

  it('a kernel larger than the input says how to fix it', () => {
    const r = check({ kind: 'Conv2D', inputs: [[3, 3, 1]], params: { kernelSize: [5, 5] } }, 'conv2d_3');
    expect(!r.ok && r.error).toBe("conv2d_3: kernel 5×5 does not fit the 3×3 input; use padding 'same' or a smaller kernel.");
    const dilated = check({ kind: 'Conv2D', inputs: [[6, 6, 1]], params: { kernelSize: [3, 3], dilationRate: [3, 3] } }, 'conv2d_4');
    expect(!dilated.ok && dilated.error).toContain('spans 7×7');
  });

  it('a pool larger than the input says how to fix it', () => {
    const r = check({ kind: 'MaxPooling2D', inputs: [[1, 1, 8]] }, 'max_pooling2d_2');
    expect(!r.ok && r.error).toContain("max_pooling2d_2: pool 2×2 does not fit the 1×1 input; use padding 'same'");
  });

  it('Dense on an image warns "Flatten first?" but is allowed', () => {
    const r = check({ kind: 'Dense', inputs: [[28, 28, 1]], params: { units: 10 } }, 'dense_1');
    expect(r.ok).toBe(true);
    expect(r.warnings?.join('\n')).toContain('dense_1');
    expect(r.warnings?.join('\n')).toContain('Flatten first?');
  });

  it('Dense on a flat vector has no warnings', () => {
    expect(check({ kind: 'Dense', inputs: [[784]] })).toEqual({ ok: true, shape: [128] });
  });

  it('Add with different unit counts', () => {
    const r = check({ kind: 'Add', inputs: [[128], [64]] }, 'add_1');
    expect(!r.ok && r.error).toBe('add_1: Add needs inputs of the same shape but gets [128] and [64] — make both branches end in the same number of units.');
  });

  it('Add that broadcasts is allowed with a warning', () => {
    const r = check({ kind: 'Add', inputs: [[1], [3]] }, 'add_2');
    expect(r.ok).toBe(true);
    expect(r.warnings?.[0]).toContain('add_2');
    expect(r.warnings?.[0]).toContain('broadcasts');
    expect(check({ kind: 'Add', inputs: [[null, 3], [4, 3]] }).warnings).toBeUndefined();
  });

  it('Reshape with the wrong number of values', () => {
    const r = check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [27, 28, 1] } }, 'reshape_1');
    expect(!r.ok && r.error).toBe('reshape_1: cannot reshape 784 values into [27, 28, 1] (756 values).');
    const minusOne = check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, 5] } }, 'reshape_2');
    expect(!minusOne.ok && minusOne.error).toContain('reshape_2: cannot reshape 784 values into [-1, 5]');
    const twice = check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, -1] } }, 'reshape_3');
    expect(!twice.ok && twice.error).toContain('only one size');
  });

  it('Reshape with -1 leaves that axis unknown, as tfjs does', () => {
    expect(check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, 28, 1] } })).toEqual({ ok: true, shape: [null, 28, 1] });
  });

  it('Flatten on a flat vector says it is already flat', () => {
    const r = check({ kind: 'Flatten', inputs: [[784]] }, 'flatten_1');
    expect(!r.ok && r.error).toContain('flatten_1');
    expect(!r.ok && r.error).toContain('already flat');
  });

  it('Concatenate with mismatched other axes and with the batch axis', () => {
    const r = check({ kind: 'Concatenate', inputs: [[4, 3], [2, 5]] }, 'concatenate_1');
    expect(!r.ok && r.error).toContain('concatenate_1: Concatenate joins along axis -1');
    const batch = check({ kind: 'Concatenate', inputs: [[4], [4]], params: { axis: 0 } }, 'concatenate_2');
    expect(!batch.ok && batch.error).toContain('batch axis');
    const negative = check({ kind: 'Concatenate', inputs: [[4, 3], [2, 3]], params: { axis: -2 } }, 'concatenate_3');
    expect(!negative.ok && negative.error).toContain('use axis 1');
  });

  it('Dropout rate 1 is a no-op in tfjs, so it warns', () => {
    const r = check({ kind: 'Dropout', inputs: [[4]], params: { rate: 1 } }, 'dropout_1');
    expect(r.ok).toBe(true);
    expect(r.warnings?.[0]).toContain('dropout_1');
    // What the warning claims: tfjs passes values through unchanged at rate 1, even in training.
    const y = tf.layers.dropout({ rate: 1 }).apply(tf.ones([2, 4]), { training: true }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(new Array(8).fill(1));
  });

  it('Dropout rate outside [0, 1] is rejected by the parameter schema', () => {
    const spec = requireLayerSpec('Dropout');
    expect(paramsSchema(spec.params).safeParse({ rate: 1.5 }).success).toBe(false);
    expect(paramsSchema(spec.params).safeParse({ rate: -0.1 }).success).toBe(false);
  });
});
