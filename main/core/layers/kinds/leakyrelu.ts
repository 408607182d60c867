import { defineLayer } from '../types';

export const LeakyReLU = defineLayer({
  kind: 'LeakyReLU',
  label: 'LeakyReLU',
  category: 'Core',
  description: 'Like ReLU, but negative values are scaled by a small slope instead of set to 0, so units never stop learning ("dead" ReLUs).',
  namePrefix: 'leaky_re_lu',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes', applies: 'leaky ReLU' },
  inputs: { min: 1, max: 1 },
  params: {
    alpha: { type: 'float', default: 0.3, min: 0, step: 0.05, label: 'Alpha', help: 'Slope for negative values: x becomes alpha · x below 0. 0.3 is the tfjs default (Keras 3 uses 0.2); 0.01 is also common.' },
  },
  inferShape([input]) {
    return { ok: true, shape: [...input] };
  },
  countParams() {
    return 0;
  },
  tfjs: {
    factory: 'leakyReLU',
    className: 'LeakyReLU',
    config: (p) => ({ alpha: p.alpha }),
  },
});
