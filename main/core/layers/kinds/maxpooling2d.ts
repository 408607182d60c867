import { defineLayer } from '../types';
import type { Shape } from '../../shapes';
import { convOutputLength, imageRankError } from './conv2d';

export const MaxPooling2D = defineLayer({
  kind: 'MaxPooling2D',
  label: 'MaxPooling2D',
  category: 'Pooling',
  description: 'Shrinks an image by keeping the largest value of each small window, channel by channel.',
  namePrefix: 'max_pooling2d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    poolSize: { type: 'pair', default: [2, 2], min: 1, label: 'Pool size', help: 'Height and width of the window whose maximum is kept.' },
    strides: { type: 'pair', default: [2, 2], min: 1, label: 'Strides', help: 'Step of the window [down, across]; usually equal to the pool size so windows do not overlap.' },
    padding: { type: 'enum', options: ['valid', 'same'] as const, default: 'valid', label: 'Padding', help: "'valid' uses only full windows; 'same' pads the border so partial windows at the edge count too." },
  },
  inferShape([input], p, ctx) {
    const rank = imageRankError(ctx.name, 'MaxPooling2D', input);
    if (rank) return rank;
    const [h, w, channels] = input;
    if (p.padding === 'valid' && [h, w].some((n, i) => n !== null && p.poolSize[i] > n)) {
      return {
        ok: false,
        error: `${ctx.name}: pool ${p.poolSize[0]}×${p.poolSize[1]} does not fit the ${h ?? '?'}×${w ?? '?'} input; use padding 'same' or a smaller pool size.`,
      };
    }
    const shape: Shape = [
      convOutputLength(h, p.poolSize[0], p.padding, p.strides[0]),
      convOutputLength(w, p.poolSize[1], p.padding, p.strides[1]),
      channels,
    ];
    return { ok: true, shape };
  },
  countParams() {
    return 0;
  },
  tfjs: {
    factory: 'maxPooling2d',
    className: 'MaxPooling2D',
    config: (p) => ({ poolSize: [...p.poolSize], strides: [...p.strides], padding: p.padding }),
  },
});
