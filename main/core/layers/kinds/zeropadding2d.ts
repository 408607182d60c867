import { defineLayer } from '../types';
import { imageRankError } from './conv2d';
import { kerasSidePairs, requireChannelsLast } from '../../import/kerasConfig';

export const ZeroPadding2D = defineLayer({
  kind: 'ZeroPadding2D',
  label: 'ZeroPadding2D',
  category: 'Reshape',
  description: 'Adds rows and columns of zeros around an image, e.g. so a following convolution keeps the border or sizes line up.',
  namePrefix: 'zero_padding2d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    topBottom: { type: 'pair', default: [1, 1], min: 0, max: 1024, parts: ['top', 'bottom'], label: 'Rows (top, bottom)', help: 'Rows of zeros added above and below the image, e.g. [1, 1].' },
    leftRight: { type: 'pair', default: [1, 1], min: 0, max: 1024, parts: ['left', 'right'], label: 'Columns (left, right)', help: 'Columns of zeros added left and right of the image, e.g. [1, 1].' },
  },
  inferShape([input], p, ctx) {
    const rank = imageRankError(ctx.name, 'ZeroPadding2D', input);
    if (rank) return rank;
    const [h, w, channels] = input;
    const grow = (n: number | null, [before, after]: [number, number]) => (n === null ? null : n + before + after);
    return { ok: true, shape: [grow(h, p.topBottom), grow(w, p.leftRight), channels] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'ZeroPadding2D',
    params: (c) => {
      requireChannelsLast(c);
      const [rows, columns] = kerasSidePairs(c.padding, 1);
      return { params: { topBottom: rows, leftRight: columns } };
    },
  },
  tfjs: {
    factory: 'zeroPadding2d',
    className: 'ZeroPadding2D',
    config: (p) => ({ padding: [[...p.topBottom], [...p.leftRight]] }),
  },
});
