import { defineLayer } from '../types';
import { formatShape } from '../../shapes';
import { imageRankError } from './conv2d';
import { kerasSidePairs, requireChannelsLast } from '../../import/kerasConfig';

export const Cropping2D = defineLayer({
  kind: 'Cropping2D',
  label: 'Cropping2D',
  category: 'Reshape',
  description: 'Cuts rows and columns off the edges of an image, e.g. to match the size of another branch before Add or Concatenate.',
  namePrefix: 'cropping2d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    topBottom: { type: 'pair', default: [1, 1], min: 0, max: 1024, parts: ['top', 'bottom'], label: 'Rows (top, bottom)', help: 'Rows removed from the top and the bottom of the image, e.g. [1, 1].' },
    leftRight: { type: 'pair', default: [1, 1], min: 0, max: 1024, parts: ['left', 'right'], label: 'Columns (left, right)', help: 'Columns removed from the left and the right of the image, e.g. [1, 1].' },
  },
  inferShape([input], p, ctx) {
    const rank = imageRankError(ctx.name, 'Cropping2D', input);
    if (rank) return rank;
    const [h, w, channels] = input;
    // tfjs subtracts the cropping from an unknown size as if it were 0, giving a size of 0 or less.
    if (h === null || w === null) {
      return {
        ok: false,
        error: `${ctx.name}: Cropping2D needs a known height and width but gets ${formatShape(input)} — give those axes fixed sizes (write the numbers instead of -1 in a Reshape).`,
      };
    }
    const axes = [
      { n: h, crop: p.topBottom, what: 'rows', ends: 'top and bottom' },
      { n: w, crop: p.leftRight, what: 'columns', ends: 'left and right' },
    ];
    for (const { n, crop, what, ends } of axes) {
      const removed = crop[0] + crop[1];
      if (removed >= n) {
        return {
          ok: false,
          error: `${ctx.name}: cropping ${crop[0]} + ${crop[1]} ${what} from the ${n} ${what} of the input leaves nothing — crop at most ${n - 1} ${what} in total from the ${ends}.`,
        };
      }
    }
    return { ok: true, shape: [h - p.topBottom[0] - p.topBottom[1], w - p.leftRight[0] - p.leftRight[1], channels] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Cropping2D',
    params: (c) => {
      requireChannelsLast(c);
      const [rows, columns] = kerasSidePairs(c.cropping, 0);
      return { params: { topBottom: rows, leftRight: columns } };
    },
  },
  tfjs: {
    factory: 'cropping2D',
    className: 'Cropping2D',
    config: (p) => ({ cropping: [[...p.topBottom], [...p.leftRight]] }),
  },
});
