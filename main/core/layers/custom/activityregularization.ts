import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';

type SymbolicShape = (number | null)[];
type LayerArgs = ConstructorParameters<typeof tfTypes.layers.Layer>[0];
type Kwargs = Parameters<tfTypes.layers.Layer['call']>[1];

/**
 * Keras's ActivityRegularization, which tfjs-layers lacks (its layers refuse activity regularizers): passes values
 * through and, in a training call, records l1·Σ|x| + l2·Σx² divided by the batch size (tf.keras's batch-independent
 * strength) as a layer loss. The loss is registered once with `addLoss`, so `model.calculateLosses()` — what
 * tfjs's fit and Neurowire's training loop add to the loss after the forward pass — includes the latest penalty.
 */
export const ActivityRegularizationLayer = defineCustomLayer({
  className: 'ActivityRegularization',
  define(tf) {
    class ActivityRegularization extends tf.layers.Layer {
      static className = 'ActivityRegularization';
      readonly l1: number;
      readonly l2: number;
      /** The penalty of the latest training call; kept past the model's own tidy until the next call replaces it. */
      private penalty: tfTypes.Scalar | null = null;

      constructor(config: Record<string, unknown>) {
        super(config as LayerArgs);
        this.l1 = typeof config.l1 === 'number' ? config.l1 : 0;
        this.l2 = typeof config.l2 === 'number' ? config.l2 : 0;
        this.addLoss(() => (this.penalty && !this.penalty.isDisposed ? this.penalty : tf.scalar(0)));
      }

      override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
        return inputShape;
      }

      override call(inputs: tfTypes.Tensor | tfTypes.Tensor[], kwargs: Kwargs): tfTypes.Tensor {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        if (kwargs?.training === true && (this.l1 > 0 || this.l2 > 0)) {
          // Computed on the gradient tape of the training step, so the penalty's gradient reaches the layers before.
          const penalty = tf.keep(
            tf.tidy((): tfTypes.Scalar => {
              let sum: tfTypes.Tensor = tf.scalar(0);
              if (this.l1 > 0) sum = tf.add(sum, tf.mul(this.l1, tf.sum(tf.abs(x))));
              if (this.l2 > 0) sum = tf.add(sum, tf.mul(this.l2, tf.sum(tf.square(x))));
              return tf.div(sum, x.shape[0]) as tfTypes.Scalar;
            }),
          );
          this.penalty?.dispose();
          this.penalty = penalty;
        }
        return x;
      }

      override dispose(): ReturnType<tfTypes.layers.Layer['dispose']> {
        this.penalty?.dispose();
        this.penalty = null;
        return super.dispose();
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { l1: this.l1, l2: this.l2, ...super.getConfig() };
      }
    }
    return ActivityRegularization;
  },
});
