import { defineLayer } from '../types';
import { formatShape } from '../../shapes';
import { normalizationAxis, normalizationRankError } from './batchnormalization';
import { droppedSettings, kerasBool, kerasInt, kerasNumber, KerasImportError } from '../../import/kerasConfig';
import { lastAxis, py } from '../pytorch';

export const LayerNormalization = defineLayer({
  kind: 'LayerNormalization',
  label: 'LayerNormalization',
  category: 'Normalization',
  description: 'Rescales the values of each sample (along one axis) to mean 0 and variance 1; works the same in training and prediction, and suits sequences.',
  namePrefix: 'layer_normalization',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    axis: {
      type: 'int',
      default: -1,
      min: -5,
      max: 5,
      label: 'Axis',
      help: 'The axis whose values are normalized together, counted as in Keras with the batch axis as 0: -1 is the last axis (the features).',
    },
    epsilon: { type: 'float', default: 0.001, min: 0, step: 0.0001, label: 'Epsilon', help: 'Small number added to the variance so that nothing is divided by zero.' },
    center: { type: 'bool', default: true, label: 'Center', help: 'Learn an offset (beta) added after normalizing.' },
    scale: { type: 'bool', default: true, label: 'Scale', help: 'Learn a factor (gamma) multiplied after normalizing.' },
  },
  inferShape([input], p, ctx) {
    const rankError = normalizationRankError(ctx.name, 'LayerNormalization', input);
    if (rankError) return rankError;
    const axis = normalizationAxis(ctx.name, 'LayerNormalization', input, p.axis);
    if ('error' in axis) return axis.error;
    if (input[axis.index] === null) {
      return { ok: false, error: `${ctx.name}: LayerNormalization needs a known size on the axis it normalizes, but gets ${formatShape(input)} — give that axis a fixed size (write the number instead of -1 in a Reshape).` };
    }
    return { ok: true, shape: [...input] };
  },
  countParams([input], p) {
    const axis = p.axis > 0 ? p.axis - 1 : input.length + p.axis;
    const size = input[axis] ?? 0;
    return size * ((p.center ? 1 : 0) + (p.scale ? 1 : 0));
  },
  keras: {
    className: 'LayerNormalization',
    params: (c) => {
      if (Array.isArray(c.axis) && c.axis.length !== 1) throw new KerasImportError('normalizing over several axes at once is not supported');
      if (c.rms_scaling === true) throw new KerasImportError('rms_scaling is not supported');
      return {
        params: { axis: kerasInt(c.axis, -1), epsilon: kerasNumber(c.epsilon, 0.001), center: kerasBool(c.center, true), scale: kerasBool(c.scale, true) },
        dropped: droppedSettings(c, ['axis', 'epsilon', 'center', 'scale', 'rms_scaling']),
      };
    },
  },
  pytorch: {
    unsupported: (p, io) => (p.center !== p.scale ? 'center without scale (or scale without center)' : p.axis !== -1 && p.axis !== io.inputShapes[0].length ? 'an axis other than the last' : null),
    module: (p, io) => `nn.LayerNorm(${lastAxis(io.inputShapes[0])}, eps=${p.epsilon}, elementwise_affine=${py(p.scale)})`,
    forward: (_p, io) => `${io.module}(${io.inputs[0]})`,
    weights: (p): Record<string, string> => (p.scale ? { weight: 'w("gamma")', bias: 'w("beta")' } : {}),
  },
  tfjs: {
    factory: 'layerNormalization',
    className: 'LayerNormalization',
    config: (p) => ({ axis: p.axis, epsilon: p.epsilon, center: p.center, scale: p.scale }),
  },
});
