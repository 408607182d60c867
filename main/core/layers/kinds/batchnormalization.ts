import { defineLayer, type ShapeCheck } from '../types';
import { formatShape, type Shape } from '../../shapes';
import { droppedSettings, kerasBool, kerasInt, kerasNumber } from '../../import/kerasConfig';
import { lastAxis, py } from '../pytorch';

/**
 * Resolves a Keras-style axis (the batch axis counts as 0, negative counts from the end) into an index
 * of the batch-less shape, or returns the error check for the batch axis and axes that do not exist.
 */
export function normalizationAxis(name: string, label: string, input: Shape, axis: number): { index: number } | { error: ShapeCheck } {
  const rank = input.length;
  if (axis === 0 || axis === -(rank + 1)) {
    return { error: { ok: false, error: `${name}: axis ${axis} is the batch axis; ${label} cannot normalize along it — use -1 (the last axis).` } };
  }
  const index = axis > 0 ? axis - 1 : rank + axis;
  if (index < 0 || index >= rank) {
    return { error: { ok: false, error: `${name}: axis ${axis} does not exist for an input of shape ${formatShape(input)} — use -1 (the last axis) or 1..${rank}.` } };
  }
  return { index };
}

/** tfjs normalizes with its batchNorm kernels, which take inputs of rank 2 to 4 including the batch axis. */
export function normalizationRankError(name: string, label: string, input: Shape): ShapeCheck | null {
  if (input.length <= 3) return null;
  return {
    ok: false,
    error: `${name}: tfjs's ${label} takes inputs of at most 3 axes per sample, like [height, width, channels], but gets ${formatShape(input)} — Reshape to fewer axes first.`,
  };
}

export const BatchNormalization = defineLayer({
  kind: 'BatchNormalization',
  label: 'BatchNormalization',
  category: 'Normalization',
  description: 'Rescales each channel to mean 0 and variance 1 over the batch while training (running averages at prediction time), which steadies and speeds up training.',
  namePrefix: 'batch_normalization',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  // Frozen, it keeps its moving statistics and normalizes with them while training, as in Keras.
  frozenRunsInference: true,
  inputs: { min: 1, max: 1 },
  params: {
    axis: {
      type: 'int',
      default: -1,
      min: -5,
      max: 5,
      label: 'Axis',
      help: 'The channel axis, which keeps its own statistics; counted as in Keras with the batch axis as 0. tfjs only works correctly on the last axis: -1.',
    },
    momentum: { type: 'float', default: 0.99, min: 0, max: 1, step: 0.01, label: 'Momentum', help: 'How slowly the running mean and variance used at prediction time follow each batch; 0.99 is typical.' },
    epsilon: { type: 'float', default: 0.001, min: 0, step: 0.0001, label: 'Epsilon', help: 'Small number added to the variance so that nothing is divided by zero.' },
    center: { type: 'bool', default: true, label: 'Center', help: 'Learn an offset (beta) added after normalizing.' },
    scale: { type: 'bool', default: true, label: 'Scale', help: 'Learn a factor (gamma) multiplied after normalizing.' },
  },
  inferShape([input], p, ctx) {
    const rankError = normalizationRankError(ctx.name, 'BatchNormalization', input);
    if (rankError) return rankError;
    const axis = normalizationAxis(ctx.name, 'BatchNormalization', input, p.axis);
    if ('error' in axis) return axis.error;
    if (axis.index !== input.length - 1) {
      // tfjs builds and runs it, but its batchNorm kernels apply the statistics along the last axis: silently wrong numbers.
      return {
        ok: false,
        error: `${ctx.name}: tfjs's BatchNormalization only normalizes correctly along the last axis; with axis ${p.axis} it silently mixes up the channels — use axis -1.`,
      };
    }
    if (input[axis.index] === null) {
      return { ok: false, error: `${ctx.name}: BatchNormalization needs a known size on the axis it normalizes, but gets ${formatShape(input)} — give that axis a fixed size (write the number instead of -1 in a Reshape).` };
    }
    return { ok: true, shape: [...input] };
  },
  countParams([input], p) {
    // gamma and beta (when learned) plus the moving mean and variance, which tfjs countParams includes.
    const channels = input[input.length - 1] ?? 0;
    return channels * (2 + (p.center ? 1 : 0) + (p.scale ? 1 : 0));
  },
  countNonTrainable([input]) {
    // The moving mean and variance: updated by running statistics, not by gradients.
    return 2 * (input[input.length - 1] ?? 0);
  },
  keras: {
    className: 'BatchNormalization',
    params: (c) => ({
      params: { axis: kerasInt(c.axis, -1), momentum: kerasNumber(c.momentum, 0.99), epsilon: kerasNumber(c.epsilon, 0.001), center: kerasBool(c.center, true), scale: kerasBool(c.scale, true) },
      dropped: droppedSettings(c, ['axis', 'momentum', 'epsilon', 'center', 'scale']),
    }),
  },
  pytorch: {
    unsupported: (p, io) => (p.center !== p.scale ? 'center without scale (or scale without center)' : p.axis !== -1 && p.axis !== io.inputShapes[0].length ? 'an axis other than the last' : null),
    // Keras's momentum keeps that share of the moving statistics; PyTorch's takes that share of the batch's.
    module: (p, io) => `nw.BatchNorm(${lastAxis(io.inputShapes[0])}, eps=${p.epsilon}, momentum=${+(1 - p.momentum).toFixed(6)}, affine=${py(p.scale)})`,
    forward: (_p, io) => `${io.module}(${io.inputs[0]})`,
    weights: (p) => ({
      ...(p.scale ? { weight: 'w("gamma")', bias: 'w("beta")' } : {}),
      running_mean: 'w("moving_mean")',
      running_var: 'w("moving_variance")',
    }),
  },
  tfjs: {
    factory: 'batchNormalization',
    className: 'BatchNormalization',
    config: (p) => ({ axis: p.axis, momentum: p.momentum, epsilon: p.epsilon, center: p.center, scale: p.scale }),
  },
});
