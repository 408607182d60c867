/** Keras's Cropping1D, which tfjs-layers lacks: removes steps from the start and the end of a sequence. */
import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';

type SymbolicShape = (number | null)[];

export const Cropping1DLayer = defineCustomLayer({
  className: 'Cropping1D',
  define(tf) {
    class Cropping1D extends tf.layers.Layer {
      static className = 'Cropping1D';
      /** Steps removed [from the start, from the end]. */
      readonly cropping: [number, number];

      constructor(config: Record<string, unknown>) {
        super(config);
        // Keras takes one number for both ends or a pair.
        const cropping = config.cropping ?? 1;
        const pair = typeof cropping === 'number' ? [cropping, cropping] : cropping;
        if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isInteger(n) && n >= 0)) {
          throw new Error(`Cropping1D: cropping must be a whole number or two, [start, end], none negative, but got ${JSON.stringify(cropping)}.`);
        }
        this.cropping = [pair[0], pair[1]];
        this.inputSpec = [new tf.InputSpec({ ndim: 3 })];
      }

      /** Steps left after cropping; like Keras, refuses to crop a sequence away entirely. */
      private keptSteps(steps: number): number {
        const kept = steps - this.cropping[0] - this.cropping[1];
        if (kept <= 0) {
          throw new Error(`Cropping1D: cropping ${this.cropping[0]} + ${this.cropping[1]} steps from a sequence of ${steps} steps leaves nothing; crop fewer steps.`);
        }
        return kept;
      }

      override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
        const [batch, steps, channels] = inputShape as SymbolicShape;
        return [batch, steps === null ? null : this.keptSteps(steps), channels];
      }

      override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
        return tf.tidy(() => {
          const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfTypes.Tensor3D;
          return tf.slice(x, [0, this.cropping[0], 0], [-1, this.keptSteps(x.shape[1]), -1]);
        });
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), cropping: [...this.cropping] };
      }
    }
    return Cropping1D;
  },
});
