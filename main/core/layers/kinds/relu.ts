import { defineLayer } from '../types';
import { droppedSettings, kerasNumber, KerasImportError } from '../../import/kerasConfig';

export const ReLU = defineLayer({
  kind: 'ReLU',
  label: 'ReLU',
  category: 'Core',
  description:
    "Keeps positive values and sets negative ones to 0, optionally capping them at a maximum; the same as Activation relu, as a layer of its own. tfjs's ReLU has no negative slope or threshold: use LeakyReLU for a slope below 0.",
  namePrefix: 're_lu',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes', applies: 'relu' },
  inputs: { min: 1, max: 1 },
  params: {
    maxValue: { type: 'float', default: 0, min: 0, step: 0.5, label: 'Max value', help: 'The largest value let through (6 gives relu6); 0 means no limit.' },
  },
  inferShape([input]) {
    return { ok: true, shape: [...input] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'ReLU',
    params: (c) => {
      // Keras writes negative_slope and threshold (0 by default); tfjs's ReLU has neither.
      if (kerasNumber(c.negative_slope, 0) !== 0 || kerasNumber(c.threshold, 0) !== 0) {
        throw new KerasImportError('a ReLU with a negative_slope or threshold is not supported (use LeakyReLU for a slope)');
      }
      return { params: { maxValue: kerasNumber(c.max_value, 0) }, dropped: droppedSettings(c, ['max_value', 'negative_slope', 'threshold']) };
    },
  },
  tfjs: {
    factory: 'reLU',
    className: 'ReLU',
    config: (p) => (p.maxValue > 0 ? { maxValue: p.maxValue } : {}),
  },
});
