import { defineLayer } from '../types';
import { formatShape } from '../../shapes';
import { droppedSettings } from '../../import/kerasConfig';

export const PReLU = defineLayer({
  kind: 'PReLU',
  label: 'PReLU',
  category: 'Core',
  description: 'Like LeakyReLU, but the slope for negative values is learned: one slope per value, or per channel when axes are shared.',
  namePrefix: 'p_re_lu',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes', applies: 'PReLU' },
  inputs: { min: 1, max: 1 },
  params: {
    sharedAxes: {
      type: 'shape',
      default: [],
      minLength: 0,
      maxLength: 4,
      label: 'Shared axes',
      help: 'Axes along which one slope is shared, counted from 1 as in Keras: 1, 2 on an image [height, width, channels] learns one slope per channel. Leave empty for one slope per value.',
    },
  },
  inferShape([input], p, ctx) {
    const beyond = p.sharedAxes.find((axis) => axis > input.length);
    if (beyond !== undefined) {
      return { ok: false, error: `${ctx.name}: PReLU shared axis ${beyond} does not exist for an input of shape ${formatShape(input)} — use axes from 1 to ${input.length}.` };
    }
    const unknown = input.findIndex((d, i) => d === null && !p.sharedAxes.includes(i + 1));
    if (unknown >= 0) {
      return {
        ok: false,
        error: `${ctx.name}: PReLU learns one slope per position, so it needs the size of axis ${unknown + 1} of ${formatShape(input)} — share that axis (add ${unknown + 1} to Shared axes) or give it a fixed size.`,
      };
    }
    return { ok: true, shape: [...input] };
  },
  countParams([input], p) {
    return input.reduce<number>((count, d, i) => count * (p.sharedAxes.includes(i + 1) ? 1 : (d ?? 0)), 1);
  },
  keras: {
    className: 'PReLU',
    params: (c) => ({ params: { sharedAxes: Array.isArray(c.shared_axes) ? c.shared_axes : c.shared_axes == null ? [] : [c.shared_axes] }, dropped: droppedSettings(c, ['shared_axes']) }),
  },
  tfjs: {
    factory: 'prelu',
    className: 'PReLU',
    config: (p) => (p.sharedAxes.length ? { sharedAxes: [...p.sharedAxes] } : {}),
  },
});
