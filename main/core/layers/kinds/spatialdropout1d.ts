import { defineLayer } from '../types';
import { dropoutRateCheck } from './dropout';
import { sequenceRankError } from './sequence';
import { droppedSettings } from '../../import/kerasConfig';

export const SpatialDropout1D = defineLayer({
  kind: 'SpatialDropout1D',
  label: 'SpatialDropout1D',
  category: 'Regularization',
  description: 'During training, drops whole channels of a sequence [steps, channels] (the same channels at every step), which suits Conv1D features better than Dropout; does nothing at prediction time.',
  namePrefix: 'spatial_dropout1d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes' },
  inputs: { min: 1, max: 1 },
  params: {
    rate: { type: 'float', default: 0.2, min: 0, max: 1, step: 0.05, label: 'Rate', help: 'Fraction of the channels dropped during training, from 0 up to (but not including) 1. 0.1–0.3 is typical.' },
  },
  inferShape([input], p, ctx) {
    const rank = sequenceRankError(ctx.name, 'SpatialDropout1D', input, '[steps, channels]', 'or use SpatialDropout2D for images');
    if (rank) return rank;
    return dropoutRateCheck(ctx.name, 'SpatialDropout1D', input, p.rate);
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'SpatialDropout1D',
    params: (c) => ({ params: { rate: c.rate }, dropped: droppedSettings(c, ['rate']) }),
  },
  tfjs: {
    factory: 'spatialDropout1d',
    className: 'SpatialDropout1D',
    config: (p) => ({ rate: p.rate }),
  },
});
