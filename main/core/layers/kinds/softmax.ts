import { defineLayer } from '../types';
import { formatShape } from '../../shapes';
import { droppedSettings, kerasInt } from '../../import/kerasConfig';

export const Softmax = defineLayer({
  kind: 'Softmax',
  label: 'Softmax',
  category: 'Core',
  description: 'Turns the values along the last axis into probabilities that sum to 1; the same as Activation softmax, as a layer of its own.',
  namePrefix: 'softmax',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes', applies: 'softmax' },
  inputs: { min: 1, max: 1 },
  params: {
    axis: {
      type: 'int',
      default: -1,
      min: -5,
      max: 5,
      label: 'Axis',
      help: 'Axis whose values sum to 1, counted as in Keras with the batch axis as 0: -1 is the last axis. tfjs computes softmax only along the last axis.',
    },
  },
  inferShape([input], p, ctx) {
    const rank = input.length;
    const index = p.axis > 0 ? p.axis - 1 : rank + p.axis;
    if (p.axis === 0 || index === -1) {
      return { ok: false, error: `${ctx.name}: axis ${p.axis} is the batch axis; Softmax there would mix samples — use -1 (the last axis).` };
    }
    if (index < 0 || index >= rank) {
      return { ok: false, error: `${ctx.name}: Softmax axis ${p.axis} does not exist for an input of shape ${formatShape(input)} — use -1 (the last axis).` };
    }
    // tfjs builds any axis but throws when it runs along any axis but the last.
    if (index !== rank - 1) {
      return { ok: false, error: `${ctx.name}: tfjs computes Softmax only along the last axis, not axis ${p.axis} of ${formatShape(input)} — use -1, or move that axis last with a Permute first.` };
    }
    return { ok: true, shape: [...input] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Softmax',
    params: (c) => ({ params: { axis: kerasInt(c.axis, -1) }, dropped: droppedSettings(c, ['axis']) }),
  },
  tfjs: {
    factory: 'softmax',
    className: 'Softmax',
    config: (p) => ({ axis: p.axis }),
  },
});
