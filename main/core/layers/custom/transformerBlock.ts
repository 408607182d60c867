/**
 * What TransformerEncoder and TransformerDecoder share: their config (Keras-NLP's TransformerEncoder/Decoder
 * arguments in camelCase, plus keyDim), the feed-forward sub-block and the sizes of their attentions.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { KerasEquivalent, Tf } from './define';
import { transformerKeyDim, type AttentionSizes } from '../kinds/attention';
import { activationFn, addDenseWeights, denseSteps, numberOr, type AddWeight, type Projection } from './attentionMath';

type Tensor = tfTypes.Tensor;

export interface TransformerOptions {
  numHeads: number;
  /** 0: features ÷ heads, as Keras-NLP. */
  keyDim: number;
  intermediateDim: number;
  dropout: number;
  activation: string;
  normFirst: boolean;
  layerNormEpsilon: number;
}

export function transformerOptions(config: Record<string, unknown>): TransformerOptions {
  return {
    numHeads: numberOr(config.numHeads, 1),
    keyDim: numberOr(config.keyDim, 0),
    intermediateDim: numberOr(config.intermediateDim, 1),
    dropout: numberOr(config.dropout, 0),
    activation: typeof config.activation === 'string' ? config.activation : 'relu',
    normFirst: config.normalizeFirst === true,
    layerNormEpsilon: numberOr(config.layerNormEpsilon, 1e-5),
  };
}

/**
 * The config a Transformer block writes to model.json (what transformerOptions reads back), under Keras-NLP's names
 * (model.json turns them into snake_case: intermediate_dim, normalize_first, layer_norm_epsilon…); keyDim is Neurowire's.
 */
export function transformerConfig(o: TransformerOptions): Record<string, number | string | boolean> {
  const { normFirst, ...rest } = o;
  return { ...rest, normalizeFirst: normFirst };
}

/** Keras-NLP's attention inside a block on `features`-wide steps: heads of features ÷ heads (or keyDim), output back to `features`. */
export function blockAttentionSizes(o: TransformerOptions, features: number): AttentionSizes {
  const keyDim = transformerKeyDim(features, o.numHeads, o.keyDim);
  return { numHeads: o.numHeads, keyDim, valueDim: keyDim, outputDim: features, useBias: true };
}

/** The feed-forward sub-block: Dense(intermediateDim, activation) → Dense(features) on every step. */
export interface FeedForward {
  intermediate: Projection;
  output: Projection;
  activation?: (t: Tensor) => Tensor;
}

export function addFeedForward(tf: Tf, add: AddWeight, o: TransformerOptions, features: number): FeedForward {
  return {
    intermediate: addDenseWeights(add, 'feedforward_intermediate_dense', features, o.intermediateDim),
    output: addDenseWeights(add, 'feedforward_output_dense', o.intermediateDim, features),
    activation: activationFn(tf, o.activation),
  };
}

export function feedForward(tf: Tf, x: Tensor, f: FeedForward): Tensor {
  return denseSteps(tf, denseSteps(tf, x, f.intermediate, f.activation), f.output);
}

/**
 * The exported Keras model builds a Transformer block with Keras-Hub's class of the same name (whose weights these
 * classes keep, in the same order). Keras-Hub sizes the heads as features ÷ heads: only Key dim 0 (the same) exports.
 */
export function kerasHubTransformer(className: 'TransformerEncoder' | 'TransformerDecoder'): KerasEquivalent {
  return {
    module: 'keras_hub.layers',
    config({ key_dim: keyDim, ...config }) {
      if (typeof keyDim === 'number' && keyDim !== 0) {
        throw new Error(`${String(config.name)}: Keras-Hub's ${className} sizes its heads as features ÷ heads and has no Key dim — set Key dim to 0 (auto) to export the model to Keras.`);
      }
      return config;
    },
  };
}
