import { defineLayer } from '../types';
import { sequenceRankError } from './sequence';
import { kerasPair } from '../../import/kerasConfig';

export const ZeroPadding1D = defineLayer({
  kind: 'ZeroPadding1D',
  label: 'ZeroPadding1D',
  category: 'Reshape',
  description: 'Adds steps of zeros at the start and the end of a sequence [steps, channels], e.g. so lengths line up.',
  namePrefix: 'zero_padding1d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    padding: { type: 'pair', default: [1, 1], min: 0, max: 1024, parts: ['start', 'end'], label: 'Padding (start, end)', help: 'Steps of zeros added before the first and after the last step, e.g. [1, 1].' },
  },
  inferShape([input], p, ctx) {
    const rank = sequenceRankError(ctx.name, 'ZeroPadding1D', input, '[steps, channels]', 'or use ZeroPadding2D for images');
    if (rank) return rank;
    const [steps, channels] = input;
    return { ok: true, shape: [steps === null ? null : steps + p.padding[0] + p.padding[1], channels] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'ZeroPadding1D',
    params: (c) => ({ params: { padding: kerasPair(c.padding, [1, 1]) } }),
  },
  tfjs: {
    // tfjs-layers has no ZeroPadding1D: Neurowire's class (main/core/layers/custom/zeropadding1d.ts) builds it.
    custom: true,
    factory: 'zeroPadding1d',
    className: 'ZeroPadding1D',
    config: (p) => ({ padding: [...p.padding] }),
  },
});
