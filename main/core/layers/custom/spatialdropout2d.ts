import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';

type SymbolicShape = (number | null)[];
type LayerArgs = ConstructorParameters<typeof tfTypes.layers.Layer>[0];
type Kwargs = Parameters<tfTypes.layers.Layer['call']>[1];

/**
 * Keras's SpatialDropout2D (channels last), which tfjs-layers lacks: in training, each sample drops whole channels
 * of its [height, width, channels] input (one decision per channel, shared by every pixel) and scales the kept ones
 * by 1 / (1 − rate); at inference it passes values through. Like tfjs's Dropout and SpatialDropout1D it only drops
 * when 0 < rate < 1.
 */
export const SpatialDropout2DLayer = defineCustomLayer({
  className: 'SpatialDropout2D',
  define(tf) {
    class SpatialDropout2D extends tf.layers.Layer {
      static className = 'SpatialDropout2D';
      readonly rate: number;
      readonly seed: number | undefined;

      constructor(config: Record<string, unknown>) {
        super(config as LayerArgs);
        this.rate = typeof config.rate === 'number' ? config.rate : 0.5;
        this.seed = typeof config.seed === 'number' ? config.seed : undefined;
      }

      override build(inputShape: SymbolicShape | SymbolicShape[]): void {
        const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
        if (shape.length !== 4) throw new Error(`SpatialDropout2D expects input with 4 axes [batch, height, width, channels], but got ${shape.length}.`);
        this.built = true;
      }

      override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
        return inputShape;
      }

      override call(inputs: tfTypes.Tensor | tfTypes.Tensor[], kwargs: Kwargs): tfTypes.Tensor {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        if (kwargs?.training !== true || !(this.rate > 0 && this.rate < 1)) return x;
        return tf.tidy(() => tf.dropout(x, this.rate, [x.shape[0], 1, 1, x.shape[3] ?? 1], this.seed));
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { rate: this.rate, ...(this.seed !== undefined ? { seed: this.seed } : {}), ...super.getConfig() };
      }
    }
    return SpatialDropout2D;
  },
});
