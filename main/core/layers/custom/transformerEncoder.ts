import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';
import { transformerShape } from '../kinds/attention';
import {
  addAttentionWeights,
  addNormWeights,
  firstMask,
  initializerOf,
  attentionWithScores,
  isTraining,
  residual,
  shapeList,
  type AddWeight,
  type AttentionWeights,
  type NormWeights,
  type TfShape,
} from './attentionMath';
import { addFeedForward, blockAttentionSizes, feedForward, kerasHubTransformer, transformerConfig, transformerOptions, type FeedForward, type TransformerOptions } from './transformerBlock';

type Tensor = tfTypes.Tensor;

/**
 * Keras-NLP's TransformerEncoder (keras_hub/src/layers/modeling/transformer_encoder.py) on [batch, time, features]:
 * self-attention → dropout → add & LayerNormalization, then Dense(intermediateDim, activation) → Dense(features) →
 * dropout → add & LayerNormalization (or each LayerNormalization first, normFirst). Weights in Keras-NLP's order
 * and names: self_attention_layer/{query,key,value,attention_output}/{kernel,bias}, self_attention_layer_norm/
 * {gamma,beta}, feedforward_layer_norm/…, feedforward_intermediate_dense/{kernel,bias}, feedforward_output_dense/….
 * keyDim (0: features ÷ heads) is Neurowire's addition. With returnAttentionScores (as Keras-Hub's call argument
 * return_attention_scores) it also gives the self-attention's probabilities [batch, heads, time, time] as a second
 * output; the canvas never sets it: looking inside a trained model does (the spec's attentionScores).
 */
export const TransformerEncoderLayer = defineCustomLayer({
  className: 'TransformerEncoder',
  keras: kerasHubTransformer('TransformerEncoder'),
  define(tf) {
    class TransformerEncoder extends tf.layers.Layer {
      static className = 'TransformerEncoder';
      private readonly options: TransformerOptions;
      private readonly returnScores: boolean;
      private parts: { attention: AttentionWeights; attentionNorm: NormWeights; feedForwardNorm: NormWeights; feedForward: FeedForward } | null = null;

      constructor(config: Record<string, unknown>) {
        super(config);
        this.options = transformerOptions(config);
        this.returnScores = config.returnAttentionScores === true;
        this.supportsMasking = true;
      }

      private check(inputShape: TfShape | TfShape[]): TfShape {
        const shapes = shapeList(inputShape);
        if (shapes.length !== 1) throw new Error(`${this.name}: TransformerEncoder takes one sequence but gets ${shapes.length} inputs — connect only the sequence.`);
        const check = transformerShape(this.name, 'TransformerEncoder', [shapes[0].slice(1)], ['sequence'], this.options);
        if (!check.ok) throw new Error(check.error);
        return shapes[0];
      }

      override build(inputShape: TfShape | TfShape[]): void {
        const features = this.check(inputShape)[2] as number;
        const add: AddWeight = (name, shape, init) => this.addWeight(name, shape, 'float32', initializerOf(tf, init));
        this.parts = {
          attention: addAttentionWeights(add, 'self_attention_layer', { query: features, value: features, key: features }, blockAttentionSizes(this.options, features)),
          attentionNorm: addNormWeights(add, 'self_attention_layer_norm', features),
          feedForwardNorm: addNormWeights(add, 'feedforward_layer_norm', features),
          feedForward: addFeedForward(tf, add, this.options, features),
        };
        this.built = true;
      }

      override computeOutputShape(inputShape: TfShape | TfShape[]): TfShape | TfShape[] {
        const shape = this.check(inputShape);
        return this.returnScores ? [[...shape], [shape[0], this.options.numHeads, shape[1], shape[1]]] : [...shape];
      }

      override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
        return tf.tidy(() => {
          const x = Array.isArray(inputs) ? inputs[0] : inputs;
          const parts = this.parts!;
          const training = isTraining(kwargs);
          const o = { normFirst: this.options.normFirst, epsilon: this.options.layerNormEpsilon, dropout: this.options.dropout, training };
          let scores: Tensor | null = null;
          const attended = residual(tf, x, parts.attentionNorm, o, (y) => {
            const a = attentionWithScores(tf, parts.attention, y, y, y, { training, dropout: this.options.dropout, causal: false, padding: firstMask(kwargs.mask) });
            scores = a.scores;
            return a.output;
          });
          const out = residual(tf, attended, parts.feedForwardNorm, o, (y) => feedForward(tf, y, parts.feedForward));
          return this.returnScores ? [out, scores!] : out;
        });
      }

      override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
        const kept = firstMask(mask) as Tensor;
        return this.returnScores ? ([kept, null] as unknown as Tensor[]) : kept;
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), ...transformerConfig(this.options), ...(this.returnScores ? { returnAttentionScores: true } : {}) };
      }
    }
    return TransformerEncoder;
  },
});
