import { defineLayer } from '../types';
import { imageRankError } from './conv2d';
import { dropoutRateCheck } from './dropout';
import { droppedSettings, requireChannelsLast } from '../../import/kerasConfig';

/** Keras's SpatialDropout2D (channels last); tfjs-layers has none, so Neurowire's own class (custom/spatialdropout2d.ts) builds it. */
export const SpatialDropout2D = defineLayer({
  kind: 'SpatialDropout2D',
  label: 'SpatialDropout2D',
  category: 'Regularization',
  description: 'During training, drops whole channels (feature maps) of an image [height, width, channels], which suits Conv2D features better than Dropout; does nothing at prediction time.',
  namePrefix: 'spatial_dropout2d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes' },
  inputs: { min: 1, max: 1 },
  params: {
    rate: { type: 'float', default: 0.2, min: 0, max: 1, step: 0.05, label: 'Rate', help: 'Fraction of the channels dropped during training, from 0 up to (but not including) 1. 0.1–0.3 is typical.' },
  },
  inferShape([input], p, ctx) {
    const rank = imageRankError(ctx.name, 'SpatialDropout2D', input);
    if (rank) return rank;
    return dropoutRateCheck(ctx.name, 'SpatialDropout2D', input, p.rate);
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'SpatialDropout2D',
    params: (c) => {
      requireChannelsLast(c);
      return { params: { rate: c.rate }, dropped: droppedSettings(c, ['rate']) };
    },
  },
  tfjs: {
    factory: 'spatialDropout2d',
    className: 'SpatialDropout2D',
    config: (p) => ({ rate: p.rate }),
    custom: true,
  },
});
