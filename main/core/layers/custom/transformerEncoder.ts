import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';
import { transformerShape } from '../kinds/attention';
import {
  addAttentionWeights,
  addNormWeights,
  firstMask,
  initializerOf,
  isTraining,
  multiHeadAttention,
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
 * keyDim (0: features ÷ heads) is Neurowire's addition.
 */
export const TransformerEncoderLayer = defineCustomLayer({
  className: 'TransformerEncoder',
  keras: kerasHubTransformer('TransformerEncoder'),
  define(tf) {
    class TransformerEncoder extends tf.layers.Layer {
      static className = 'TransformerEncoder';
      private readonly options: TransformerOptions;
      private parts: { attention: AttentionWeights; attentionNorm: NormWeights; feedForwardNorm: NormWeights; feedForward: FeedForward } | null = null;

      constructor(config: Record<string, unknown>) {
        super(config);
        this.options = transformerOptions(config);
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

      override computeOutputShape(inputShape: TfShape | TfShape[]): TfShape {
        return [...this.check(inputShape)];
      }

      override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
        return tf.tidy(() => {
          const x = Array.isArray(inputs) ? inputs[0] : inputs;
          const parts = this.parts!;
          const training = isTraining(kwargs);
          const o = { normFirst: this.options.normFirst, epsilon: this.options.layerNormEpsilon, dropout: this.options.dropout, training };
          const attended = residual(tf, x, parts.attentionNorm, o, (y) =>
            multiHeadAttention(tf, parts.attention, y, y, y, { training, dropout: this.options.dropout, causal: false, padding: firstMask(kwargs.mask) }),
          );
          return residual(tf, attended, parts.feedForwardNorm, o, (y) => feedForward(tf, y, parts.feedForward));
        });
      }

      override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
        return firstMask(mask) as Tensor;
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), ...transformerConfig(this.options) };
      }
    }
    return TransformerEncoder;
  },
});
