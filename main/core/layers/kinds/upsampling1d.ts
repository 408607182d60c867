import { defineLayer } from '../types';
import { sequenceRankError } from './sequence';
import { kerasInt } from '../../import/kerasConfig';

export const UpSampling1D = defineLayer({
  kind: 'UpSampling1D',
  label: 'UpSampling1D',
  category: 'Reshape',
  description: 'Lengthens a sequence [steps, channels] by repeating every step, with no weights to learn.',
  namePrefix: 'up_sampling1d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    size: { type: 'int', default: 2, min: 1, max: 64, label: 'Size', help: 'How many times each step is repeated; 2 doubles the sequence length.' },
  },
  inferShape([input], p, ctx) {
    const rank = sequenceRankError(ctx.name, 'UpSampling1D', input, '[steps, channels]', 'or use UpSampling2D for images');
    if (rank) return rank;
    const [steps, channels] = input;
    return { ok: true, shape: [steps === null ? null : steps * p.size, channels] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'UpSampling1D',
    params: (c) => ({ params: { size: kerasInt(c.size, 2) } }),
  },
  tfjs: {
    // tfjs-layers has no UpSampling1D: Neurowire's class (main/core/layers/custom/upsampling1d.ts) builds it.
    custom: true,
    factory: 'upSampling1d',
    className: 'UpSampling1D',
    config: (p) => ({ size: p.size }),
  },
});
