/**
 * "Is this layer learning?": per layer, the L2 norm of its trainable weights, of their gradient (before clipping) and
 * of the step the optimizer just took, measured on a few batches per epoch (the loop's `norms` events). The numbers
 * come from the training step's own tensors and are read back with its one read, so they cost a few reductions on
 * those batches only; the step's size needs a copy of the weights before it, taken on those batches only.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { LayerNorms } from '../api/contract';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

/** Norms are measured on about this many batches per epoch (always on the epoch's last). */
export const NORM_SAMPLES_PER_EPOCH = 10;

/** A layer and the indices (into the loop's list of trainable variables) of its weights. */
export interface WeightGroup {
  layer: string;
  indices: number[];
}

/** The trainable variables grouped by the layer that owns them, in the model's layer order; layers without any are left out. */
export function weightGroups(model: tfTypes.LayersModel): WeightGroup[] {
  const index = new Map(model.trainableWeights.map((w, i) => [w, i]));
  const taken = new Set<number>();
  const groups: WeightGroup[] = [];
  for (const layer of model.layers) {
    const indices = layer.trainableWeights.map((w) => index.get(w)).filter((i): i is number => i !== undefined && !taken.has(i));
    for (const i of indices) taken.add(i);
    if (indices.length > 0) groups.push({ layer: layer.name, indices });
  }
  return groups;
}

/** Whether 0-based batch `b` of an epoch of `batchesPerEpoch` batches is one whose norms are measured. */
export function measuresNorms(b: number, batchesPerEpoch: number): boolean {
  const every = Math.max(1, Math.floor(batchesPerEpoch / NORM_SAMPLES_PER_EPOCH));
  return b === batchesPerEpoch - 1 || (b + 1) % every === 0;
}

function groupNorm(tf: Tf, tensors: Tensor[]): Tensor {
  return tf.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(tf.cast(t, 'float32'))))));
}

/**
 * Per group, in order: weight norm, gradient norm, step norm (three float32 scalars each). `grads` by variable name
 * as tf.variableGrads gives them; `before` the variables' values before the step. Call it inside the step's tidy.
 */
export function normTensors(tf: Tf, groups: WeightGroup[], vars: tfTypes.Variable[], grads: tfTypes.NamedTensorMap, before: Tensor[]): Tensor[] {
  const out: Tensor[] = [];
  for (const g of groups) {
    const gradients = g.indices.map((i) => grads[vars[i].name]).filter((t): t is Tensor => t !== undefined);
    out.push(groupNorm(tf, g.indices.map((i) => vars[i])));
    out.push(gradients.length > 0 ? groupNorm(tf, gradients) : tf.scalar(0));
    out.push(groupNorm(tf, g.indices.map((i) => tf.sub(vars[i], before[i]))));
  }
  return out;
}

/** The values normTensors gave, read back, as the `norms` event carries them. */
export function layerNormsOf(groups: WeightGroup[], values: ArrayLike<number>, offset: number): LayerNorms[] {
  return groups.map((g, j) => ({ layer: g.layer, weight: values[offset + 3 * j], grad: values[offset + 3 * j + 1], update: values[offset + 3 * j + 2] }));
}

/** A gradient this small next to the weights (relative) means the layer gets no signal: vanishing. */
export const VANISHING_GRADIENT = 1e-7;
/** Steps this small next to the weights (relative) leave the layer as it was. */
export const FROZEN_UPDATE = 1e-8;

/**
 * A note when a layer is not learning, from its measurements so far (oldest first), or null. Judged on the latest
 * half of them (at least 3), so the first steps of a run do not decide.
 */
export function layerLearningNote(series: readonly Pick<LayerNorms, 'weight' | 'grad' | 'update'>[]): string | null {
  if (series.length < 3) return null;
  const recent = series.slice(Math.floor(series.length / 2));
  const scale = (p: Pick<LayerNorms, 'weight'>) => Math.max(p.weight, 1e-12);
  if (recent.every((p) => p.grad / scale(p) < VANISHING_GRADIENT)) {
    return 'Its gradient is about 0 (vanishing): the loss hardly depends on this layer. Check for saturated activations (sigmoid / tanh), dead ReLUs or a very deep stack without normalization or skip connections.';
  }
  if (recent.every((p) => p.update / scale(p) < FROZEN_UPDATE)) {
    return 'Its weights do not change: the steps are about 0 next to the weights. The learning rate may be too low.';
  }
  return null;
}
