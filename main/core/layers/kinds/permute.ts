import { defineLayer } from '../types';
import { formatShape } from '../../shapes';
import { droppedSettings } from '../../import/kerasConfig';

export const Permute = defineLayer({
  kind: 'Permute',
  label: 'Permute',
  category: 'Reshape',
  description: 'Reorders the axes of each sample, e.g. [time, features] into [features, time] with dims 2, 1; the values are moved, not changed.',
  namePrefix: 'permute',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    dims: {
      type: 'shape',
      default: [2, 1],
      minLength: 1,
      maxLength: 4,
      label: 'Dims',
      help: 'The new order of the axes, counted from 1 as in Keras (the batch axis, 0, never moves): [2, 1] swaps the two axes of a sequence. List every axis of the input exactly once.',
    },
  },
  inferShape([input], p, ctx) {
    const rank = input.length;
    const identity = Array.from({ length: rank }, (_d, i) => i + 1);
    const example = rank >= 2 ? formatShape([...identity].reverse()) : '[1]';
    const isPermutation = p.dims.length === rank && identity.every((axis) => p.dims.includes(axis));
    if (!isPermutation) {
      const what = p.dims.length !== rank ? `lists ${p.dims.length} axes but the input ${formatShape(input)} has ${rank}` : `does not list each axis of the input ${formatShape(input)} exactly once`;
      return { ok: false, error: `${ctx.name}: Permute dims ${formatShape(p.dims)} ${what} — list each axis 1 to ${rank} once, e.g. ${example}.` };
    }
    return { ok: true, shape: p.dims.map((d) => input[d - 1]) };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Permute',
    params: (c) => ({ params: { dims: c.dims }, dropped: droppedSettings(c, ['dims']) }),
  },
  tfjs: {
    factory: 'permute',
    className: 'Permute',
    config: (p) => ({ dims: [...p.dims] }),
  },
});
