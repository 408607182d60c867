import type * as tfTypes from '@tensorflow/tfjs';
import { broadcastShapes } from '../kinds/add';
import { defineCustomLayer } from './define';

type SymbolicShape = (number | null)[];

/** Per-sample shapes of the two inputs, checked as Keras's Subtract checks them. */
function twoShapes(inputShape: SymbolicShape | SymbolicShape[]): [SymbolicShape, SymbolicShape] {
  const shapes = Array.isArray(inputShape[0]) ? (inputShape as SymbolicShape[]) : [inputShape as SymbolicShape];
  if (shapes.length !== 2) throw new Error(`A Subtract layer takes exactly 2 inputs, but got ${shapes.length}.`);
  return [shapes[0], shapes[1]];
}

/**
 * Keras's Subtract, which tfjs-layers lacks: the first input minus the second, value by value. Shapes broadcast
 * like tfjs's other merges (aligned at the last axis, size 1 stretches; a shorter sample shape gains axes after
 * the batch axis).
 */
export const SubtractLayer = defineCustomLayer({
  className: 'Subtract',
  define(tf) {
    class Subtract extends tf.layers.Layer {
      static className = 'Subtract';

      override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
        const [a, b] = twoShapes(inputShape);
        const merged = broadcastShapes(a.slice(1), b.slice(1));
        if (!merged) throw new Error(`Subtract: inputs of shapes ${JSON.stringify(a.slice(1))} and ${JSON.stringify(b.slice(1))} cannot be broadcast together.`);
        const batch = a[0] === b[0] ? a[0] : null;
        return [batch, ...merged];
      }

      override build(inputShape: SymbolicShape | SymbolicShape[]): void {
        this.computeOutputShape(inputShape);
        this.built = true;
      }

      override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
        return tf.tidy(() => {
          const list = Array.isArray(inputs) ? inputs : [inputs];
          if (list.length !== 2) throw new Error(`A Subtract layer takes exactly 2 inputs, but got ${list.length}.`);
          const rank = Math.max(list[0].rank, list[1].rank);
          // tf.sub aligns shapes at the last axis including the batch axis; give the shorter input size-1 axes
          // right after its batch axis so that samples line up with samples.
          const [a, b] = list.map((x) => (x.rank === rank ? x : tf.reshape(x, [x.shape[0], ...new Array<number>(rank - x.rank).fill(1), ...x.shape.slice(1)])));
          return tf.sub(a, b);
        });
      }
    }
    return Subtract;
  },
});
