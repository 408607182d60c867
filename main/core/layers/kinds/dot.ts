import { defineLayer } from '../types';
import { describeShape, formatShape, type Shape } from '../../shapes';
import { droppedSettings, kerasBool, kerasPair } from '../../import/kerasConfig';

const size = (d: number | null | undefined) => (d === null || d === undefined ? '?' : String(d));

export const Dot = defineLayer({
  kind: 'Dot',
  label: 'Dot',
  category: 'Merge',
  description: 'Multiplies two inputs along one axis each and sums the products (a dot product), e.g. the similarity of two embeddings or attention scores of two sequences.',
  namePrefix: 'dot',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 2, max: 2 },
  params: {
    axes: {
      type: 'pair',
      default: [1, 1],
      min: 1,
      max: 2,
      label: 'Axes',
      help: 'The axis of the first and of the second input that are multiplied and summed, counted as in Keras with the batch axis as 0: 1 is the first axis of a sample. Both need the same size; for two flat vectors use 1, 1.',
    },
    normalize: {
      type: 'bool',
      default: false,
      label: 'Normalize',
      help: 'Scale both inputs to length 1 along the dot axes first, so the result is the cosine similarity (from -1 to 1) instead of a plain dot product.',
    },
  },
  inferShape(inputs, p, ctx) {
    const [first, second] = inputs;
    const which = ['first', 'second'] as const;
    for (const [k, input] of [first, second].entries()) {
      // tfjs's Dot (batchDot) stops at 3 axes counting the batch axis.
      if (input.length > 2) {
        return {
          ok: false,
          error: `${ctx.name}: Dot in tfjs works on flat vectors [features] or sequences [steps, features], but its ${which[k]} input is ${describeShape(input)} — Flatten or Reshape that branch first.`,
        };
      }
      const axis = p.axes[k];
      if (axis > input.length) {
        return { ok: false, error: `${ctx.name}: Dot axis ${axis} does not exist for its ${which[k]} input of shape ${formatShape(input)} — use an axis from 1 to ${input.length}.` };
      }
    }
    const [i, j] = [p.axes[0] - 1, p.axes[1] - 1];
    if (first[i] !== second[j]) {
      return {
        ok: false,
        error: `${ctx.name}: Dot multiplies axis ${p.axes[0]} of its first input (size ${size(first[i])}, shape ${formatShape(first)}) with axis ${p.axes[1]} of its second input (size ${size(second[j])}, shape ${formatShape(second)}), but these sizes differ — choose axes of the same size, or change one branch so they match.`,
      };
    }
    const shape: Shape = [...first.filter((_d, k) => k !== i), ...second.filter((_d, k) => k !== j)];
    // Two flat vectors give one number per sample, which tfjs keeps as [1].
    return { ok: true, shape: shape.length ? shape : [1] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Dot',
    params: (c) => ({ params: { axes: kerasPair(c.axes, [1, 1]), normalize: kerasBool(c.normalize, false) }, dropped: droppedSettings(c, ['axes', 'normalize']) }),
  },
  tfjs: {
    factory: 'dot',
    className: 'Dot',
    // One number where both axes are the same, as Keras models usually write it.
    config: (p) => ({ axes: p.axes[0] === p.axes[1] ? p.axes[0] : [...p.axes], normalize: p.normalize }),
  },
});
