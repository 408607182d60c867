/**
 * The tensor math of the attention layers, written once for MultiHeadAttention, TransformerEncoder and
 * TransformerDecoder: weights are made by the layer that owns them (so they serialize as `<layer>/<prefix>/<name>`,
 * Keras's names under the sub-block's name), and these functions compute with them. Only ops that tfjs can
 * differentiate on every backend are used; masks are built from plain numbers.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './define';
import type { AttentionSizes, AttentionWidths } from '../kinds/attention';

type Tensor = tfTypes.Tensor;
type LayerVariable = tfTypes.LayerVariable;
/** A shape as tfjs hands it to a layer: batch axis first, null where unknown. */
export type TfShape = (number | null)[];

/** A layer's input shape(s) as tfjs hands them to build/computeOutputShape, as a list. */
export function shapeList(inputShape: TfShape | TfShape[]): TfShape[] {
  return Array.isArray(inputShape[0]) ? (inputShape as TfShape[]) : [inputShape as TfShape];
}

/** A number from a config that may hold null or nothing (Keras writes None), else `fallback`. */
export function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** Keras's initializers for these weights: kernels glorot_uniform, biases and betas zeros, gammas ones. */
export type WeightInit = 'glorot' | 'zeros' | 'ones';

/** Makes one weight on the layer that owns it (its protected addWeight), named relative to the layer. */
export type AddWeight = (name: string, shape: number[], init: WeightInit) => LayerVariable;

/** The initializer object for a WeightInit. */
export function initializerOf(tf: Tf, init: WeightInit): ReturnType<Tf['initializers']['zeros']> {
  if (init === 'glorot') return tf.initializers.glorotUniform({});
  return init === 'ones' ? tf.initializers.ones() : tf.initializers.zeros();
}

/** A projection: kernel (Keras's EinsumDense or Dense) and its bias, if any. */
export interface Projection {
  kernel: LayerVariable;
  bias: LayerVariable | null;
}

export interface AttentionWeights {
  query: Projection;
  key: Projection;
  value: Projection;
  output: Projection;
  sizes: AttentionSizes;
}

function projection(add: AddWeight, name: string, kernelShape: number[], biasShape: number[], useBias: boolean): Projection {
  return { kernel: add(`${name}/kernel`, kernelShape, 'glorot'), bias: useBias ? add(`${name}/bias`, biasShape, 'zeros') : null };
}

/**
 * The weights of one Keras MultiHeadAttention, in Keras's order and with its names under `prefix`
 * ("" for the MultiHeadAttention layer itself): query, key, value, attention_output.
 */
export function addAttentionWeights(add: AddWeight, prefix: string, widths: AttentionWidths, sizes: AttentionSizes): AttentionWeights {
  const p = prefix ? `${prefix}/` : '';
  const { numHeads: heads, keyDim, valueDim, outputDim, useBias } = sizes;
  return {
    query: projection(add, `${p}query`, [widths.query, heads, keyDim], [heads, keyDim], useBias),
    key: projection(add, `${p}key`, [widths.key, heads, keyDim], [heads, keyDim], useBias),
    value: projection(add, `${p}value`, [widths.value, heads, valueDim], [heads, valueDim], useBias),
    output: projection(add, `${p}attention_output`, [heads, valueDim, outputDim], [outputDim], useBias),
    sizes,
  };
}

/** The sizes of a [batch, time, width] tensor. */
function dims3(x: Tensor): [number, number, number] {
  return x.shape as [number, number, number];
}

/** x [batch, time, width] times a kernel whose first axis is `width` (any further axes flattened) → [batch, time, units]. */
function applyProjection(tf: Tf, x: Tensor, p: Projection, width: number): Tensor {
  const [batch, time] = dims3(x);
  const kernel = p.kernel.read();
  const units = kernel.size / width;
  let y = tf.matMul(tf.reshape(x, [batch * time, width]), tf.reshape(kernel, [width, units]));
  if (p.bias) y = tf.add(y, tf.reshape(p.bias.read(), [units]));
  return tf.reshape(y, [batch, time, units]);
}

/** [batch, time, heads × size] → [batch × heads, time, size]: one attention per sample and head. */
function splitHeads(tf: Tf, x: Tensor, heads: number, size: number): Tensor {
  const [batch, time] = dims3(x);
  return tf.reshape(tf.transpose(tf.reshape(x, [batch, time, heads, size]), [0, 2, 1, 3]), [batch * heads, time, size]);
}

/** Added to the attention logits where attention is not allowed, as Keras's masked Softmax does. */
const MASKED = -1e9;

/**
 * The additive mask [1 or batch, 1, queryTime, valueTime] (0 where allowed, MASKED where not), or null:
 * a causal mask lets query step i see value steps j ≤ i (Keras's lower-triangular mask); a padding mask [batch, time]
 * of a self-attention (from an Embedding with mask zero) hides padded steps as keys and as queries, as Keras does.
 */
function additiveMask(tf: Tf, queryTime: number, valueTime: number, causal: boolean, padding: Tensor | null): Tensor | null {
  let mask: Tensor | null = null;
  if (causal) {
    const values = new Float32Array(queryTime * valueTime);
    for (let i = 0; i < queryTime; i++) for (let j = i + 1; j < valueTime; j++) values[i * valueTime + j] = MASKED;
    mask = tf.tensor4d(values, [1, 1, queryTime, valueTime]);
  }
  if (padding) {
    const keep = tf.cast(padding, 'float32');
    const batch = keep.shape[0] as number;
    const both = tf.mul(tf.reshape(keep, [batch, 1, queryTime, 1]), tf.reshape(keep, [batch, 1, 1, valueTime]));
    const hidden = tf.mul(tf.sub(1, both), MASKED);
    mask = mask ? tf.add(mask, hidden) : hidden;
  }
  return mask;
}

export interface AttentionOptions {
  training: boolean;
  /** Dropout on the attention probabilities (training only). */
  dropout: number;
  causal: boolean;
  /** The Keras mask [batch, time] of a self-attention's sequence, if it has one. */
  padding?: Tensor | null;
}

/**
 * Keras's MultiHeadAttention: project query, key and value per head, softmax(q·kᵀ / √keyDim) (masked) with
 * dropout, weight the values, and project the joined heads to the output. query [batch, T, width],
 * value and key [batch, S, width'] → [batch, T, outputDim].
 */
export function multiHeadAttention(tf: Tf, w: AttentionWeights, query: Tensor, value: Tensor, key: Tensor, opts: AttentionOptions): Tensor {
  return attentionWithScores(tf, w, query, value, key, opts).output;
}

/**
 * multiHeadAttention with the attention probabilities it used, as Keras returns them with return_attention_scores:
 * [batch, heads, query steps, value steps] (after the mask and softmax, before dropout).
 */
export function attentionWithScores(tf: Tf, w: AttentionWeights, query: Tensor, value: Tensor, key: Tensor, opts: AttentionOptions): { output: Tensor; scores: Tensor } {
  const { numHeads: heads, keyDim, valueDim } = w.sizes;
  const [batch, queryTime, queryWidth] = dims3(query);
  const [, valueTime, valueWidth] = dims3(value);
  const q = splitHeads(tf, applyProjection(tf, query, w.query, queryWidth), heads, keyDim);
  const k = splitHeads(tf, applyProjection(tf, key, w.key, dims3(key)[2]), heads, keyDim);
  const v = splitHeads(tf, applyProjection(tf, value, w.value, valueWidth), heads, valueDim);
  // Scale the query before the dot product, as Keras does.
  let logits = tf.matMul(tf.mul(q, 1 / Math.sqrt(keyDim)), k, false, true);
  const mask = additiveMask(tf, queryTime, valueTime, opts.causal, opts.padding ?? null);
  if (mask) logits = tf.reshape(tf.add(tf.reshape(logits, [batch, heads, queryTime, valueTime]), mask), [batch * heads, queryTime, valueTime]);
  const scores = tf.softmax(logits);
  const probabilities = opts.training && opts.dropout > 0 ? tf.dropout(scores, opts.dropout) : scores;
  const context = tf.matMul(probabilities, v);
  const joined = tf.reshape(tf.transpose(tf.reshape(context, [batch, heads, queryTime, valueDim]), [0, 2, 1, 3]), [batch, queryTime, heads * valueDim]);
  return { output: applyProjection(tf, joined, w.output, heads * valueDim), scores: tf.reshape(scores, [batch, heads, queryTime, valueTime]) };
}

/** gamma and beta of one LayerNormalization over the last axis. */
export interface NormWeights {
  gamma: LayerVariable;
  beta: LayerVariable;
}

export function addNormWeights(add: AddWeight, name: string, width: number): NormWeights {
  return { gamma: add(`${name}/gamma`, [width], 'ones'), beta: add(`${name}/beta`, [width], 'zeros') };
}

/** LayerNormalization over the last axis: (x − mean) / √(variance + ε) · gamma + beta. */
export function layerNorm(tf: Tf, x: Tensor, w: NormWeights, epsilon: number): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), w.gamma.read()), w.beta.read());
}

export function addDenseWeights(add: AddWeight, name: string, inputs: number, units: number): Projection {
  return projection(add, name, [inputs, units], [units], true);
}

/** A Dense layer on every step: x [batch, time, inputs] → [batch, time, units], then the activation (if any). */
export function denseSteps(tf: Tf, x: Tensor, w: Projection, activation?: (t: Tensor) => Tensor): Tensor {
  const y = applyProjection(tf, x, w, dims3(x)[2]);
  return activation ? activation(y) : y;
}

/** Dropout during training only; a rate of 0 does nothing. */
export function trainingDropout(tf: Tf, x: Tensor, rate: number, training: boolean): Tensor {
  return training && rate > 0 ? tf.dropout(x, rate) : x;
}

/**
 * One residual sub-block of a Transformer: x + dropout(body(x)) then LayerNormalization (post-LN), or
 * x + dropout(body(LayerNormalization(x))) (pre-LN, normFirst), as Keras-NLP's blocks do.
 */
export function residual(tf: Tf, x: Tensor, norm: NormWeights, o: { normFirst: boolean; epsilon: number; dropout: number; training: boolean }, body: (t: Tensor) => Tensor): Tensor {
  const input = o.normFirst ? layerNorm(tf, x, norm, o.epsilon) : x;
  const sum = tf.add(trainingDropout(tf, body(input), o.dropout, o.training), x);
  return o.normFirst ? sum : layerNorm(tf, sum, norm, o.epsilon);
}

/** The activation function of an activation name, through tfjs's own Activation layer (so every tfjs name works). */
export function activationFn(tf: Tf, name: string): ((t: Tensor) => Tensor) | undefined {
  if (name === 'linear') return undefined;
  const layer = tf.layers.activation({ activation: name as never });
  return (t) => layer.apply(t) as Tensor;
}

/** The training flag tfjs passes to a layer's call (model.fit sets it; predict leaves it out). */
export function isTraining(kwargs: Record<string, unknown>): boolean {
  return kwargs.training === true;
}

/** The first input's Keras mask, where tfjs passes one (a single mask or a list of masks per input). */
export function firstMask(mask: unknown): Tensor | null {
  if (Array.isArray(mask)) return (mask[0] as Tensor | null | undefined) ?? null;
  return (mask as Tensor | null | undefined) ?? null;
}
