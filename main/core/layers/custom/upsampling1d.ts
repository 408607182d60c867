/** Keras's UpSampling1D, which tfjs-layers lacks: repeats every step of a sequence `size` times. */
import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';

type SymbolicShape = (number | null)[];

export const UpSampling1DLayer = defineCustomLayer({
  className: 'UpSampling1D',
  define(tf) {
    class UpSampling1D extends tf.layers.Layer {
      static className = 'UpSampling1D';
      readonly size: number;

      constructor(config: Record<string, unknown>) {
        super(config);
        const size = config.size ?? 2;
        if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
          throw new Error(`UpSampling1D: size must be a positive whole number, but got ${JSON.stringify(size)}.`);
        }
        this.size = size;
        this.inputSpec = [new tf.InputSpec({ ndim: 3 })];
      }

      override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
        const [batch, steps, channels] = inputShape as SymbolicShape;
        return [batch, steps === null ? null : steps * this.size, channels];
      }

      override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
        return tf.tidy(() => {
          const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfTypes.Tensor3D;
          const [batch, steps, channels] = x.shape;
          // [batch, steps, channels] → [batch, steps, size, channels] → [batch, steps·size, channels]: each step repeated in place.
          return tf.tile(tf.expandDims(x, 2), [1, 1, this.size, 1]).reshape([batch, steps * this.size, channels]);
        });
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), size: this.size };
      }
    }
    return UpSampling1D;
  },
});
