import { defineLayer } from '../types';
import { dropoutRateCheck } from './dropout';
import { droppedSettings } from '../../import/kerasConfig';

export const GaussianDropout = defineLayer({
  kind: 'GaussianDropout',
  label: 'GaussianDropout',
  category: 'Regularization',
  description: 'During training, multiplies every value by random noise around 1 (a smooth kind of dropout); does nothing at prediction time.',
  namePrefix: 'gaussian_dropout',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes' },
  inputs: { min: 1, max: 1 },
  params: {
    rate: {
      type: 'float',
      default: 0.2,
      min: 0,
      max: 1,
      step: 0.05,
      label: 'Rate',
      help: 'Strength of the noise, like a Dropout rate, from 0 up to (but not including) 1: the factor has standard deviation √(rate / (1 − rate)).',
    },
  },
  inferShape([input], p, ctx) {
    return dropoutRateCheck(ctx.name, 'GaussianDropout', input, p.rate);
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'GaussianDropout',
    params: (c) => ({ params: { rate: c.rate }, dropped: droppedSettings(c, ['rate']) }),
  },
  tfjs: {
    factory: 'gaussianDropout',
    className: 'GaussianDropout',
    config: (p) => ({ rate: p.rate }),
  },
});
