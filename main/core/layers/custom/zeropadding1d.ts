/** Keras's ZeroPadding1D, which tfjs-layers lacks: adds zero steps at the start and the end of a sequence. */
import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';

type SymbolicShape = (number | null)[];

export const ZeroPadding1DLayer = defineCustomLayer({
  className: 'ZeroPadding1D',
  define(tf) {
    class ZeroPadding1D extends tf.layers.Layer {
      static className = 'ZeroPadding1D';
      /** Zero steps added [at the start, at the end]. */
      readonly padding: [number, number];

      constructor(config: Record<string, unknown>) {
        super(config);
        // Keras takes one number for both ends or a pair.
        const padding = config.padding ?? 1;
        const pair = typeof padding === 'number' ? [padding, padding] : padding;
        if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isInteger(n) && n >= 0)) {
          throw new Error(`ZeroPadding1D: padding must be a whole number or two, [start, end], none negative, but got ${JSON.stringify(padding)}.`);
        }
        this.padding = [pair[0], pair[1]];
        this.inputSpec = [new tf.InputSpec({ ndim: 3 })];
      }

      override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
        const [batch, steps, channels] = inputShape as SymbolicShape;
        return [batch, steps === null ? null : steps + this.padding[0] + this.padding[1], channels];
      }

      override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
        return tf.tidy(() => {
          const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfTypes.Tensor3D;
          return tf.pad(x, [[0, 0], this.padding, [0, 0]]);
        });
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), padding: [...this.padding] };
      }
    }
    return ZeroPadding1D;
  },
});
