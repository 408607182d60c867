import { defineLayer } from '../types';
import { sequenceRankError } from './sequence';
import { kerasPair } from '../../import/kerasConfig';

export const Cropping1D = defineLayer({
  kind: 'Cropping1D',
  label: 'Cropping1D',
  category: 'Reshape',
  description: 'Cuts steps off the start and the end of a sequence [steps, channels], e.g. to match the length of another branch.',
  namePrefix: 'cropping1d',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    cropping: { type: 'pair', default: [1, 1], min: 0, max: 1024, parts: ['start', 'end'], label: 'Cropping (start, end)', help: 'Steps removed from the start and from the end of the sequence, e.g. [1, 1].' },
  },
  inferShape([input], p, ctx) {
    const rank = sequenceRankError(ctx.name, 'Cropping1D', input, '[steps, channels]', 'or use Cropping2D for images');
    if (rank) return rank;
    const [steps, channels] = input;
    const removed = p.cropping[0] + p.cropping[1];
    if (steps !== null && removed >= steps) {
      return {
        ok: false,
        error: `${ctx.name}: cropping ${p.cropping[0]} + ${p.cropping[1]} steps from the ${steps} steps of the input leaves nothing — crop at most ${steps - 1} steps in total.`,
      };
    }
    return { ok: true, shape: [steps === null ? null : steps - removed, channels] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Cropping1D',
    params: (c) => ({ params: { cropping: kerasPair(c.cropping, [1, 1]) } }),
  },
  tfjs: {
    // tfjs-layers has no Cropping1D: Neurowire's class (main/core/layers/custom/cropping1d.ts) builds it.
    custom: true,
    factory: 'cropping1d',
    className: 'Cropping1D',
    config: (p) => ({ cropping: [...p.cropping] }),
  },
});
