import { defineLayer } from '../types';
import { imageRankError } from './conv2d';
import { droppedSettings, kerasPair, requireChannelsLast } from '../../import/kerasConfig';


export const UpSampling2D = defineLayer({
  kind: 'UpSampling2D',
  label: 'UpSampling2D',
  category: 'Reshape',
  description: 'Enlarges an image by repeating (or blending) its pixels, with no weights to learn; often followed by a Conv2D in decoders.',
  namePrefix: 'up_sampling2d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    size: { type: 'pair', default: [2, 2], min: 1, max: 64, label: 'Size', help: 'How many times larger the image gets [down, across]; [2, 2] doubles height and width.' },
    interpolation: {
      type: 'enum',
      options: ['nearest', 'bilinear'] as const,
      default: 'nearest',
      label: 'Interpolation',
      help: "'nearest' copies each pixel into a block; 'bilinear' blends neighbouring pixels for a smoother result.",
    },
  },
  inferShape([input], p, ctx) {
    const rank = imageRankError(ctx.name, 'UpSampling2D', input);
    if (rank) return rank;
    const [h, w, channels] = input;
    return { ok: true, shape: [h === null ? null : h * p.size[0], w === null ? null : w * p.size[1], channels] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'UpSampling2D',
    params: (c) => {
      requireChannelsLast(c);
      return { params: { size: kerasPair(c.size, [2, 2]), interpolation: c.interpolation ?? 'nearest' }, dropped: droppedSettings(c, ['size', 'interpolation']) };
    },
  },
  pytorch: {
    unsupported: (p) => (p.interpolation !== 'nearest' ? `${p.interpolation} interpolation` : null),
    forward: (p, io) => `${io.inputs[0]}.repeat_interleave(${p.size[0]}, dim=1).repeat_interleave(${p.size[1]}, dim=2)`,
  },
  tfjs: {
    factory: 'upSampling2d',
    className: 'UpSampling2D',
    config: (p) => ({ size: [...p.size], interpolation: p.interpolation }),
  },
});
