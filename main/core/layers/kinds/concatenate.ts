import { defineLayer } from '../types';
import { formatShape, type Shape } from '../../shapes';
import { kerasInt } from '../../import/kerasConfig';


export const Concatenate = defineLayer({
  kind: 'Concatenate',
  label: 'Concatenate',
  category: 'Merge',
  description: 'Joins its inputs side by side along one axis, e.g. [64] and [32] become [96]; all other axes must match.',
  namePrefix: 'concatenate',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  joinsBranches: true,
  inputs: { min: 2, max: Infinity },
  params: {
    axis: {
      type: 'int',
      default: -1,
      min: -5,
      max: 5,
      label: 'Axis',
      help: 'Axis to join along, counted as in Keras with the batch axis as 0: -1 is the last axis, 1 the first axis of a sample. Other negative axes do not work in tfjs; count from the front instead.',
    },
  },
  inferShape(inputs, p, ctx) {
    const first = inputs[0];
    const rank = first.length;
    const rankMismatch = inputs.find((s) => s.length !== rank);
    if (rankMismatch) {
      return {
        ok: false,
        error: `${ctx.name}: Concatenate needs inputs with the same number of axes but gets ${formatShape(first)} and ${formatShape(rankMismatch)} — Flatten or Reshape one branch so they match.`,
      };
    }
    // Keras/tfjs axes count the batch axis as 0; convert to an index into the batch-less shape.
    const axis = p.axis;
    if (axis === 0 || axis === -(rank + 1)) {
      return { ok: false, error: `${ctx.name}: axis ${axis} is the batch axis; joining there stacks samples instead of features — use -1 (the last axis) or 1..${rank}.` };
    }
    const index = axis > 0 ? axis - 1 : rank + axis;
    if (index < 0 || index >= rank) {
      return { ok: false, error: `${ctx.name}: axis ${axis} does not exist for inputs of shape ${formatShape(first)} — use -1 (the last axis) or 1..${rank}.` };
    }
    // tfjs 4 (K.concatenate) turns every negative axis into the last axis when it runs, while its shape
    // inference honours the axis: anything but -1 would silently join along the wrong axis.
    if (axis < -1) {
      return { ok: false, error: `${ctx.name}: tfjs joins along the last axis for every negative axis, so axis ${axis} would not work — use axis ${index + 1}, the same axis counted from the front.` };
    }
    const without = (s: Shape) => s.filter((_d, i) => i !== index);
    const base = without(first);
    for (const s of inputs.slice(1)) {
      const other = without(s);
      if (other.some((d, i) => d !== base[i])) {
        return {
          ok: false,
          error: `${ctx.name}: Concatenate joins along axis ${axis}, so all other axes must match, but gets ${formatShape(first)} and ${formatShape(s)} — change one branch, or pick the axis where they differ.`,
        };
      }
    }
    const shape: Shape = [...first];
    let joined: number | null = 0;
    for (const s of inputs) joined = joined === null || s[index] === null ? null : joined + s[index]!;
    shape[index] = joined;
    return { ok: true, shape };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Concatenate',
    params: (c) => ({ params: { axis: kerasInt(c.axis, -1) } }),
  },
  pytorch: {
    forward: (p, io) => `torch.cat([${io.inputs.join(', ')}], dim=${p.axis})`,
    mask: () => null,
  },
  tfjs: {
    factory: 'concatenate',
    className: 'Concatenate',
    config: (p) => ({ axis: p.axis }),
  },
});
