import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer, type CustomLayerClass, type Tf } from './define';

type Tensor = tfTypes.Tensor;
type Shape = (number | null)[];
type Initializer = ReturnType<typeof tfTypes.initializers.zeros>;
type Regularizer = ReturnType<typeof tfTypes.regularizers.l2>;
type Constraint = ReturnType<typeof tfTypes.constraints.maxNorm>;

/** What this file uses of tfjs-layers' own GRUCell (not in tfjs's public types; reached through a built GRU). */
interface StockGruCell extends tfTypes.layers.Layer {
  units: number;
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  activation: { apply(x: Tensor): Tensor };
  recurrentActivation: { apply(x: Tensor): Tensor };
  kernelInitializer: Initializer;
  recurrentInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer?: Regularizer;
  recurrentRegularizer?: Regularizer;
  biasRegularizer?: Regularizer;
  kernelConstraint?: Constraint;
  recurrentConstraint?: Constraint;
  biasConstraint?: Constraint;
  dropoutFunc?: (x: Tensor, rate: number) => Tensor;
  kernel: tfTypes.LayerVariable;
  recurrentKernel: tfTypes.LayerVariable;
  bias: tfTypes.LayerVariable | null;
  stateSize: number;
  dropoutMask: Tensor | Tensor[] | null;
  recurrentDropoutMask: Tensor | Tensor[] | null;
}

type StockGruCellClass = new (args: Record<string, unknown>) => StockGruCell;

/**
 * Keras's GRU with both of its variants, under Keras's class name, so that it replaces tfjs's own `GRU` entry for
 * serialization and a model.json with either setting loads through it.
 *
 * resetAfter false (tfjs-layers' only variant, Keras's before TF 2): the reset gate scales the previous state before
 * the recurrent matrix product, h̃ = act(x·Wh + bh + (r ⊙ h)·Uh); one bias [3·units]. Here it is tfjs's own GRUCell
 * untouched: same weights, same maths, same config (plus `resetAfter: false`, which tfjs writes too).
 * resetAfter true (Keras's default since TF 2, and PyTorch's nn.GRU): the reset gate scales the product,
 * h̃ = act(x·Wh + bxh + r ⊙ (h·Uh + bhh)), with a second, recurrent bias: bias [2, 3·units] (row 0 for the input,
 * row 1 for the recurrent product), as Keras stores it. Gates in Keras's order z, r, h in every matrix.
 * tfjs-layers' GRUCell throws for resetAfter true; the cell here subclasses it and changes only the weights' build
 * and the step. tfjs's RNN runs the time loop (masking, goBackwards, returnSequences, dropout masks per sequence).
 *
 * A config without `resetAfter` means false, as in tfjs (a model saved by tfjs before it wrote the key); the GRU
 * spec always writes it.
 */
export const GRULayer = defineCustomLayer({
  className: 'GRU',
  define(tf: Tf) {
    // tfjs's GRUCell class, from a throwaway GRU (named, so it takes no number from the automatic layer names).
    const probe = tf.layers.gru({ units: 1, name: 'neurowire_gru_probe' }) as unknown as { cell: StockGruCell };
    const StockCell = probe.cell.constructor as StockGruCellClass;

    /** A dropout mask of ones scaled as tf.dropout does, like tfjs's generateDropoutMask (not exported). */
    function dropoutMask(cell: StockGruCell, like: Tensor, rate: number): Tensor {
      const ones = tf.onesLike(like);
      return tf.keep(cell.dropoutFunc ? cell.dropoutFunc(ones, rate) : tf.dropout(ones, rate));
    }

    class GRUCell extends StockCell {
      static className = 'GRUCell';
      readonly resetAfter: boolean;

      constructor(config: Record<string, unknown>) {
        // tfjs's constructor throws for resetAfter true; it reads everything else the same either way.
        super({ ...config, resetAfter: false });
        this.resetAfter = config.resetAfter === true;
      }

      override build(inputShape: Shape | Shape[]): void {
        if (!this.resetAfter) {
          super.build(inputShape);
          return;
        }
        const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
        const features = shape[shape.length - 1] as number;
        const gates = 3 * this.units;
        this.kernel = this.addWeight('kernel', [features, gates], 'float32', this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
        this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, gates], 'float32', this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
        this.bias = this.useBias ? this.addWeight('bias', [2, gates], 'float32', this.biasInitializer, this.biasRegularizer, true, this.biasConstraint) : null;
        this.built = true;
      }

      override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
        if (!this.resetAfter) return super.call(inputs, kwargs);
        return tf.tidy(() => {
          const [x, hPrev] = inputs as Tensor[];
          const training = kwargs.training === true;
          // As tfjs: masks made once per sequence (the GRU layer clears them before each call), used only in training.
          const dropInputs = training && this.dropout > 0 && this.dropout < 1;
          const dropState = training && this.recurrentDropout > 0 && this.recurrentDropout < 1;
          if (dropInputs && this.dropoutMask == null) this.dropoutMask = dropoutMask(this, x, this.dropout);
          if (dropState && this.recurrentDropoutMask == null) this.recurrentDropoutMask = dropoutMask(this, hPrev, this.recurrentDropout);
          const xIn = dropInputs ? tf.mul(x, this.dropoutMask as Tensor) : x;
          const h = dropState ? tf.mul(hPrev, this.recurrentDropoutMask as Tensor) : hPrev;

          let matrixX = tf.matMul(xIn, this.kernel.read());
          let matrixInner = tf.matMul(h, this.recurrentKernel.read());
          if (this.bias) {
            const [inputBias, recurrentBias] = tf.unstack(this.bias.read());
            matrixX = tf.add(matrixX, inputBias);
            matrixInner = tf.add(matrixInner, recurrentBias);
          }
          const [xZ, xR, xH] = tf.split(matrixX, 3, 1);
          const [recurrentZ, recurrentR, recurrentH] = tf.split(matrixInner, 3, 1);
          const z = this.recurrentActivation.apply(tf.add(xZ, recurrentZ));
          const r = this.recurrentActivation.apply(tf.add(xR, recurrentR));
          const candidate = this.activation.apply(tf.add(xH, tf.mul(r, recurrentH)));
          // h = z ⊙ h_prev + (1 − z) ⊙ h̃, with the (dropped) previous state, as tfjs and Keras.
          const next = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
          return [next, next];
        });
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return { ...super.getConfig(), resetAfter: this.resetAfter };
      }
    }

    class GRU extends tf.layers.RNN {
      static override className = 'GRU';

      constructor(config: Record<string, unknown>) {
        super({ ...config, cell: new GRUCell(config) } as unknown as ConstructorParameters<typeof tf.layers.RNN>[0]);
      }

      override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
        return tf.tidy(() => {
          // As tfjs's GRU: fresh dropout masks for every call, i.e. every batch.
          const cell = this.cell as unknown as StockGruCell;
          for (const key of ['dropoutMask', 'recurrentDropoutMask'] as const) {
            const mask = cell[key];
            if (mask != null) {
              tf.dispose(mask);
              cell[key] = null;
            }
          }
          const { mask, training, initialState } = kwargs ?? {};
          return super.call(inputs, { mask, training, initialState } as never);
        });
      }

      /** The cell is made from the layer's own config (RNN's fromConfig would look for a `cell` entry). */
      static override fromConfig<T extends tfTypes.serialization.Serializable>(
        cls: tfTypes.serialization.SerializableConstructor<T>,
        config: tfTypes.serialization.ConfigDict,
      ): T {
        return new cls(config);
      }
    }
    return GRU as unknown as CustomLayerClass;
  },
});
