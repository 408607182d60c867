import { defineLayer } from '../types';

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
  tfjs: {
    factory: 'reLU',
    className: 'ReLU',
    config: (p) => (p.maxValue > 0 ? { maxValue: p.maxValue } : {}),
  },
});
