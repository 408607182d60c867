import { defineLayer } from '../types';
import { droppedSettings, kerasNumber } from '../../import/kerasConfig';

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
  keras: {
    className: 'LeakyReLU',
    // Keras 2 and tfjs write alpha, Keras 3 negative_slope; both default to 0.3.
    params: (c) => ({ params: { alpha: kerasNumber(c.alpha ?? c.negative_slope, 0.3) }, dropped: droppedSettings(c, ['alpha', 'negative_slope']) }),
  },
  tfjs: {
    factory: 'leakyReLU',
    className: 'LeakyReLU',
    config: (p) => ({ alpha: p.alpha }),
  },
});
