import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';
import { POSITION_MODES, positionalEmbeddingShape, sinusoidalPositions } from '../kinds/attention';
import { firstMask, numberOr, shapeList, type TfShape } from './attentionMath';

type Tensor = tfTypes.Tensor;
type Mode = (typeof POSITION_MODES)[number];

/**
 * Adds position information to a sequence [batch, time, features]: output = input + positions[0:time].
 * mode 'learned': a trainable table `embeddings` [maxLength, features] (Keras-NLP's PositionEmbedding, whose output
 * is added here); 'sinusoidal': the Transformer paper's fixed sin/cos table (Keras-NLP's SinePositionEncoding,
 * maxWavelength 10000), no weights. Keras has no layer that adds the two, hence Neurowire's own class name.
 */
export const PositionalEmbeddingLayer = defineCustomLayer({
  className: 'PositionalEmbedding',
  // The same layer in Python, shipped with the Keras export (main/python/neurowire_layers.py).
  keras: { module: 'neurowire_layers' },
  define(tf) {
    class PositionalEmbedding extends tf.layers.Layer {
      static className = 'PositionalEmbedding';
      private readonly mode: Mode;
      private readonly maxLength: number;
      private readonly maxWavelength: number;
      private embeddings: tfTypes.LayerVariable | null = null;

      constructor(config: Record<string, unknown>) {
        super(config);
        this.mode = config.mode === 'sinusoidal' ? 'sinusoidal' : 'learned';
        this.maxLength = numberOr(config.maxLength, 128);
        this.maxWavelength = numberOr(config.maxWavelength, 10000);
        // The positions do not change which steps are padding: a mask from an Embedding passes through.
        this.supportsMasking = true;
      }

      private check(inputShape: TfShape | TfShape[]): TfShape {
        const shapes = shapeList(inputShape);
        const check = positionalEmbeddingShape(this.name, shapes[0].slice(1), { mode: this.mode, maxLength: this.maxLength });
        if (!check.ok) throw new Error(check.error);
        return shapes[0];
      }

      override build(inputShape: TfShape | TfShape[]): void {
        const shape = this.check(inputShape);
        if (this.mode === 'learned') {
          this.embeddings = this.addWeight('embeddings', [this.maxLength, shape[2] as number], 'float32', tf.initializers.glorotUniform({}));
        }
        this.built = true;
      }

      override computeOutputShape(inputShape: TfShape | TfShape[]): TfShape {
        return [...this.check(inputShape)];
      }

      override call(inputs: Tensor | Tensor[]): Tensor {
        return tf.tidy(() => {
          const x = Array.isArray(inputs) ? inputs[0] : inputs;
          const [, time, features] = x.shape;
          if (this.mode === 'sinusoidal') {
            return tf.add(x, tf.tensor2d(sinusoidalPositions(time, features, this.maxWavelength), [time, features]));
          }
          if (time > this.maxLength) {
            throw new Error(`${this.name}: a sequence has ${time} steps but learned positions go up to Max length ${this.maxLength} — raise Max length to at least ${time}, or use mode sinusoidal.`);
          }
          return tf.add(x, tf.slice(this.embeddings!.read(), [0, 0], [time, features]));
        });
      }

      override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
        return firstMask(mask) as Tensor;
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), mode: this.mode, maxLength: this.maxLength, maxWavelength: this.maxWavelength };
      }
    }
    return PositionalEmbedding;
  },
});
