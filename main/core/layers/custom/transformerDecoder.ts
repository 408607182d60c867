import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';
import { DECODER_INPUT_NAMES, transformerShape } from '../kinds/attention';
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

interface DecoderParts {
  selfAttention: AttentionWeights;
  selfAttentionNorm: NormWeights;
  cross: { attention: AttentionWeights; norm: NormWeights } | null;
  feedForward: FeedForward;
  feedForwardNorm: NormWeights;
}

/**
 * Keras-NLP's TransformerDecoder (keras_hub/src/layers/modeling/transformer_decoder.py): inputs the decoder sequence
 * [batch, time, features] and optionally the encoder output [batch, time', features'] (then with cross-attention,
 * built from how many inputs the layer is applied to, as Keras-NLP does). Causal self-attention, cross-attention
 * (query from the decoder, key and value from the encoder), feed-forward, each with dropout and add &
 * LayerNormalization. Weights in Keras-NLP's order and names: self_attention/…, self_attention_layer_norm/…,
 * cross_attention/…, cross_attention_layer_norm/…, feedforward_intermediate_dense/…, feedforward_output_dense/…,
 * feedforward_layer_norm/….
 */
export const TransformerDecoderLayer = defineCustomLayer({
  className: 'TransformerDecoder',
  keras: kerasHubTransformer('TransformerDecoder'),
  define(tf) {
    class TransformerDecoder extends tf.layers.Layer {
      static className = 'TransformerDecoder';
      private readonly options: TransformerOptions;
      private parts: DecoderParts | null = null;

      constructor(config: Record<string, unknown>) {
        super(config);
        this.options = transformerOptions(config);
        this.supportsMasking = true;
      }

      private check(inputShape: TfShape | TfShape[]): TfShape[] {
        const shapes = shapeList(inputShape);
        if (shapes.length > 2) {
          throw new Error(`${this.name}: TransformerDecoder takes the decoder sequence and at most one encoder output but gets ${shapes.length} inputs — remove the extra connections.`);
        }
        const check = transformerShape(
          this.name,
          'TransformerDecoder',
          shapes.map((s) => s.slice(1)),
          DECODER_INPUT_NAMES,
          this.options,
        );
        if (!check.ok) throw new Error(check.error);
        return shapes;
      }

      override build(inputShape: TfShape | TfShape[]): void {
        const shapes = this.check(inputShape);
        const features = shapes[0][2] as number;
        const add: AddWeight = (name, shape, init) => this.addWeight(name, shape, 'float32', initializerOf(tf, init));
        const sizes = blockAttentionSizes(this.options, features);
        const selfAttention = addAttentionWeights(add, 'self_attention', { query: features, value: features, key: features }, sizes);
        const selfAttentionNorm = addNormWeights(add, 'self_attention_layer_norm', features);
        let cross: DecoderParts['cross'] = null;
        if (shapes.length === 2) {
          const encoderFeatures = shapes[1][2] as number;
          cross = {
            attention: addAttentionWeights(add, 'cross_attention', { query: features, value: encoderFeatures, key: encoderFeatures }, sizes),
            norm: addNormWeights(add, 'cross_attention_layer_norm', features),
          };
        }
        const ffn = addFeedForward(tf, add, this.options, features);
        this.parts = { selfAttention, selfAttentionNorm, cross, feedForward: ffn, feedForwardNorm: addNormWeights(add, 'feedforward_layer_norm', features) };
        this.built = true;
      }

      override computeOutputShape(inputShape: TfShape | TfShape[]): TfShape {
        return [...this.check(inputShape)[0]];
      }

      override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
        return tf.tidy(() => {
          const [x, encoder] = Array.isArray(inputs) ? inputs : [inputs];
          const parts = this.parts!;
          if (Boolean(encoder) !== Boolean(parts.cross)) {
            throw new Error(`${this.name}: TransformerDecoder was built ${parts.cross ? 'with' : 'without'} an encoder output and cannot be called ${parts.cross ? 'without' : 'with'} one — keep its connections as they were when it was built.`);
          }
          const training = isTraining(kwargs);
          const dropout = this.options.dropout;
          const o = { normFirst: this.options.normFirst, epsilon: this.options.layerNormEpsilon, dropout, training };
          // tfjs hands a multi-input layer only its first input's mask: the decoder sequence's, used in self-attention.
          let y = residual(tf, x, parts.selfAttentionNorm, o, (t) =>
            multiHeadAttention(tf, parts.selfAttention, t, t, t, { training, dropout, causal: true, padding: firstMask(kwargs.mask) }),
          );
          if (parts.cross && encoder) {
            const cross = parts.cross;
            y = residual(tf, y, cross.norm, o, (t) => multiHeadAttention(tf, cross.attention, t, encoder, encoder, { training, dropout, causal: false }));
          }
          return residual(tf, y, parts.feedForwardNorm, o, (t) => feedForward(tf, t, parts.feedForward));
        });
      }

      override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
        return firstMask(mask) as Tensor;
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), ...transformerConfig(this.options) };
      }
    }
    return TransformerDecoder;
  },
});
