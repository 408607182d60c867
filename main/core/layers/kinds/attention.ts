import { ACTIVATIONS, type ParamDefs } from '../params';
import { fixesOnInput, type ShapeCheck } from '../types';
import { formatShape, type Shape } from '../../shapes';
import { sequenceRankError } from './sequence';

/**
 * What the attention layers (MultiHeadAttention, PositionalEmbedding, TransformerEncoder, TransformerDecoder)
 * share: the rules their specs check and their custom classes enforce (main/core/layers/custom), and the
 * parameter counts of Keras's MultiHeadAttention and of Keras-NLP's (KerasHub's) Transformer blocks.
 */

/** The inputs of MultiHeadAttention in edge order: one edge is self-attention, two are query + value (key = value). */
export const ATTENTION_INPUT_NAMES = ['query', 'value', 'key'] as const;

/** The inputs of TransformerDecoder in edge order: a second edge turns on cross-attention to it. */
export const DECODER_INPUT_NAMES = ['decoder sequence', 'encoder output'] as const;

/** Sizes of one multi-head attention, as Keras's MultiHeadAttention takes them (after defaults are resolved). */
export interface AttentionSizes {
  numHeads: number;
  keyDim: number;
  valueDim: number;
  /** Size of the output per step (Keras: output_shape; by default the query's last axis). */
  outputDim: number;
  useBias: boolean;
}

/** The widths (last axes) of the query, value and key sequences. */
export interface AttentionWidths {
  query: number;
  value: number;
  key: number;
}

/** Keras's rule for the value size: 0 (or none) means the key size. */
export function resolveValueDim(keyDim: number, valueDim: number): number {
  return valueDim > 0 ? valueDim : keyDim;
}

/**
 * Parameters of a Keras MultiHeadAttention: query and key kernels [width, heads, keyDim] with biases
 * [heads, keyDim], the value kernel [width, heads, valueDim] with bias [heads, valueDim], and the output kernel
 * [heads, valueDim, outputDim] with bias [outputDim].
 */
export function attentionParamCount(widths: AttentionWidths, s: AttentionSizes): number {
  const bias = s.useBias ? 1 : 0;
  const keyHeads = s.numHeads * s.keyDim;
  const valueHeads = s.numHeads * s.valueDim;
  return (widths.query + bias) * keyHeads + (widths.key + bias) * keyHeads + (widths.value + bias) * valueHeads + (valueHeads + bias) * s.outputDim;
}

/** Per-sample shapes of the query, value and key of an attention with 1, 2 or 3 inputs (Keras: key = value = query). */
export function queryValueKey<T>(inputs: readonly T[]): { query: T; value: T; key: T } {
  const query = inputs[0];
  const value = inputs[1] ?? query;
  const key = inputs[2] ?? value;
  return { query, value, key };
}

/**
 * Checks the sequences an attention layer reads: every input a sequence [time, features] with a known number of
 * features. `roles` names the inputs in edge order (used in messages when there is more than one). Returns the
 * features of each input, or the error to show.
 */
export function attentionSequences(name: string, label: string, inputs: Shape[], roles: readonly string[]): { features: number[] } | { error: ShapeCheck } {
  const features: number[] = [];
  for (const [i, input] of inputs.entries()) {
    const whose = inputs.length > 1 ? `the ${roles[i]} of ${label}` : label;
    const rank = sequenceRankError(name, whose, input);
    if (rank) return { error: fixesOnInput(rank, i) };
    const width = input[1];
    if (width === null) {
      const what = inputs.length > 1 ? `the ${roles[i]}'s last axis (features)` : 'the last axis (features)';
      return {
        error: {
          ok: false,
          error: `${name}: ${label} needs a known number of features per step, but ${what} has no fixed size in ${formatShape(input)} — give that axis a fixed size (write the number instead of -1 in a Reshape before it).`,
        },
      };
    }
    features.push(width);
  }
  return { features };
}

/** Keras-NLP's head size for the Transformer blocks: the features split over the heads, unless set. */
export function transformerKeyDim(features: number, numHeads: number, keyDim: number): number {
  return keyDim > 0 ? keyDim : Math.floor(features / numHeads);
}

/** The head-size check of the Transformer blocks: with Key size 0 each head gets features / heads, which must be ≥ 1. */
export function transformerKeyDimError(name: string, label: string, features: number, numHeads: number, keyDim: number): ShapeCheck | null {
  if (transformerKeyDim(features, numHeads, keyDim) > 0) return null;
  return {
    ok: false,
    error: `${name}: ${label} splits the ${features} features of each step over ${numHeads} heads, which leaves less than one per head — use at most ${features} heads, or set Key size to a number above 0.`,
  };
}

/** A dropout of 1 would drop everything: the attention layers take rates up to this. */
export const MAX_ATTENTION_DROPOUT = 0.9;

/** Parameters shared by TransformerEncoder and TransformerDecoder (Keras-NLP's names in camelCase). */
export const TRANSFORMER_PARAMS = {
  numHeads: { type: 'int', default: 2, min: 1, max: 256, label: 'Heads', help: 'Number of attention heads: each looks at the sequence in its own way, and their results are joined.' },
  keyDim: {
    type: 'int',
    default: 0,
    min: 0,
    max: 4096,
    label: 'Key size',
    help: 'Size of each head\'s query and key vectors. 0 splits the features evenly over the heads (features ÷ heads), as Keras-NLP does.',
  },
  intermediateDim: {
    type: 'int',
    default: 64,
    min: 1,
    max: 65536,
    label: 'Feed-forward size',
    help: 'Units of the hidden Dense layer applied to every step after attention; often 2–4 times the number of features.',
  },
  dropout: {
    type: 'float',
    default: 0.1,
    min: 0,
    max: MAX_ATTENTION_DROPOUT,
    step: 0.05,
    label: 'Dropout',
    help: 'Fraction of values dropped during training in the attention weights and after each sub-block; nothing is dropped at prediction time.',
  },
  activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'Non-linearity of the hidden feed-forward layer; relu or gelu are the usual choices.' },
  normFirst: {
    type: 'bool',
    default: false,
    label: 'Normalize first',
    help: 'Normalize before each sub-block instead of after it (pre-LN, as in GPT-2): often trains more stably in deep stacks. Off is the original Transformer (post-LN, as in BERT).',
  },
  layerNormEpsilon: {
    type: 'float',
    default: 1e-5,
    min: 0,
    step: 0.00001,
    label: 'Norm epsilon',
    help: 'Small number added to the variance in each layer normalization so that nothing is divided by zero.',
  },
} as const satisfies ParamDefs;

/** The class config of a Transformer block from its params: Keras-NLP's names (normalizeFirst), plus keyDim. */
export function transformerBlockConfig(p: { numHeads: number; keyDim: number; intermediateDim: number; dropout: number; activation: string; normFirst: boolean; layerNormEpsilon: number }): Record<string, unknown> {
  return {
    numHeads: p.numHeads,
    keyDim: p.keyDim,
    intermediateDim: p.intermediateDim,
    dropout: p.dropout,
    activation: p.activation,
    normalizeFirst: p.normFirst,
    layerNormEpsilon: p.layerNormEpsilon,
  };
}

/** Parameters of one LayerNormalization (gamma and beta) and of one Dense layer with bias. */
const layerNormParams = (width: number) => 2 * width;
const denseParams = (inputs: number, units: number) => inputs * units + units;

/**
 * Parameters of a Keras-NLP TransformerEncoder on `features`-wide steps: self-attention (value size = key size,
 * output back to `features`), two LayerNormalizations, and the feed-forward Dense(intermediate) → Dense(features).
 */
export function transformerEncoderParamCount(features: number, numHeads: number, keyDim: number, intermediateDim: number): number {
  const attention = attentionParamCount({ query: features, value: features, key: features }, { numHeads, keyDim, valueDim: keyDim, outputDim: features, useBias: true });
  return attention + 2 * layerNormParams(features) + denseParams(features, intermediateDim) + denseParams(intermediateDim, features);
}

/**
 * Parameters of a Keras-NLP TransformerDecoder: the encoder's parts plus, with an encoder output of
 * `encoderFeatures` per step, a cross-attention (query from the decoder, key and value from the encoder) and its
 * LayerNormalization.
 */
export function transformerDecoderParamCount(features: number, encoderFeatures: number | null, numHeads: number, keyDim: number, intermediateDim: number): number {
  const selfAttentionBlock = transformerEncoderParamCount(features, numHeads, keyDim, intermediateDim);
  if (encoderFeatures === null) return selfAttentionBlock;
  const cross = attentionParamCount({ query: features, value: encoderFeatures, key: encoderFeatures }, { numHeads, keyDim, valueDim: keyDim, outputDim: features, useBias: true });
  return selfAttentionBlock + cross + layerNormParams(features);
}

/** Position encodings of the Transformer paper, as Keras-NLP's SinePositionEncoding: sin on even features, cos on odd. */
export function sinusoidalPositions(length: number, features: number, maxWavelength: number): Float32Array {
  const table = new Float32Array(length * features);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < features; i++) {
      const timescale = Math.pow(1 / maxWavelength, (2 * Math.floor(i / 2)) / features);
      const angle = pos * timescale;
      table[pos * features + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return table;
}

/** MultiHeadAttention's sizes as its spec and its class both hold them (0 = Keras's default). */
export interface MultiHeadAttentionValues {
  numHeads: number;
  keyDim: number;
  /** 0: the key size. */
  valueDim: number;
  /** 0: the query's features. */
  outputDim: number;
  useBias: boolean;
  /** Also give the attention weights [heads, query steps, value steps] as a second output. */
  returnAttentionScores?: boolean;
}

/** MultiHeadAttention's second output while it returns its scores. */
export const ATTENTION_SCORES = ['scores'] as const;

/** The sizes of a MultiHeadAttention on query, value and key widths, with Keras's defaults filled in. */
export function resolveAttentionSizes(p: MultiHeadAttentionValues, queryWidth: number): AttentionSizes {
  return { numHeads: p.numHeads, keyDim: p.keyDim, valueDim: resolveValueDim(p.keyDim, p.valueDim), outputDim: p.outputDim > 0 ? p.outputDim : queryWidth, useBias: p.useBias };
}

/**
 * MultiHeadAttention's shape rule: query [T, features], value and key [S, features'] of one length S → [T, output].
 * Attention runs over the time axis of [time, features] sequences only (Keras also allows more axes; Neurowire does not).
 */
export function multiHeadAttentionShape(name: string, inputs: Shape[], p: MultiHeadAttentionValues): ShapeCheck {
  const label = 'MultiHeadAttention';
  const sequences = attentionSequences(name, label, inputs, ATTENTION_INPUT_NAMES);
  if ('error' in sequences) return sequences.error;
  const { query, value, key } = queryValueKey(inputs);
  if (key[0] !== null && value[0] !== null && key[0] !== value[0]) {
    return {
      ok: false,
      error: `${name}: the key has ${key[0]} time steps but the value has ${value[0]} — ${label} pairs each key step with a value step, so connect key and value to sequences of the same length (or leave out the key to use the value as key).`,
    };
  }
  const shape: Shape = [query[0], resolveAttentionSizes(p, sequences.features[0]).outputDim];
  // The scores: for each head, how much each query step looks at each value step (each row sums to 1).
  return p.returnAttentionScores ? { ok: true, shape, extraShapes: [[p.numHeads, query[0], value[0]]] } : { ok: true, shape };
}

/** Shape rule of TransformerEncoder and TransformerDecoder: [time, features] (+ an encoder output [time', features']) → [time, features]. */
export function transformerShape(name: string, label: string, inputs: Shape[], roles: readonly string[], p: { numHeads: number; keyDim: number }): ShapeCheck {
  const sequences = attentionSequences(name, label, inputs, roles);
  if ('error' in sequences) return sequences.error;
  const heads = transformerKeyDimError(name, label, sequences.features[0], p.numHeads, p.keyDim);
  if (heads) return heads;
  return { ok: true, shape: [...inputs[0]] };
}

export const POSITION_MODES = ['learned', 'sinusoidal'] as const;

/** PositionalEmbedding's shape rule: a sequence [time, features] in, the same shape out; learned positions need a known width and a time axis no longer than the table. */
export function positionalEmbeddingShape(name: string, input: Shape, p: { mode: (typeof POSITION_MODES)[number]; maxLength: number }): ShapeCheck {
  const label = 'PositionalEmbedding';
  const rank = sequenceRankError(name, label, input);
  if (rank) return rank;
  if (p.mode === 'sinusoidal') return { ok: true, shape: [...input] };
  const [time, features] = input;
  if (features === null) {
    return {
      ok: false,
      error: `${name}: learned positions need a known number of features per step, but gets ${formatShape(input)} — give the last axis a fixed size (write the number instead of -1 in a Reshape before it), or use mode sinusoidal.`,
    };
  }
  if (time !== null && time > p.maxLength) {
    return {
      ok: false,
      error: `${name}: the sequence has ${time} steps but learned positions go up to Max length ${p.maxLength} — raise Max length to at least ${time}, or use mode sinusoidal.`,
    };
  }
  if (time === null) {
    return {
      ok: true,
      shape: [...input],
      warnings: [`${name}: the sequence length is not fixed, so sequences longer than Max length (${p.maxLength}) will fail at run time — raise Max length to the longest sequence, or use mode sinusoidal.`],
    };
  }
  return { ok: true, shape: [...input] };
}
