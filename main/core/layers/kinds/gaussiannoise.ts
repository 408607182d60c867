import { defineLayer } from '../types';
import { droppedSettings } from '../../import/kerasConfig';

export const GaussianNoise = defineLayer({
  kind: 'GaussianNoise',
  label: 'GaussianNoise',
  category: 'Regularization',
  description: 'During training, adds random noise (mean 0) to every value so the network learns to cope with small changes; does nothing at prediction time.',
  namePrefix: 'gaussian_noise',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes' },
  inputs: { min: 1, max: 1 },
  params: {
    stddev: { type: 'float', default: 0.1, min: 0, step: 0.05, label: 'Standard deviation', help: 'How strong the noise is: its standard deviation, in the units of the values it is added to. Around 0.1 for values scaled to 0–1.' },
  },
  inferShape([input], p, ctx) {
    if (p.stddev === 0) {
      return { ok: true, shape: [...input], warnings: [`${ctx.name}: a GaussianNoise standard deviation of 0 adds no noise — raise it (e.g. 0.1) or remove the layer.`] };
    }
    return { ok: true, shape: [...input] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'GaussianNoise',
    params: (c) => ({ params: { stddev: c.stddev }, dropped: droppedSettings(c, ['stddev']) }),
  },
  tfjs: {
    factory: 'gaussianNoise',
    className: 'GaussianNoise',
    config: (p) => ({ stddev: p.stddev }),
  },
});
