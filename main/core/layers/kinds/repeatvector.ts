import { defineLayer } from '../types';
import { describeShape } from '../../shapes';
import { droppedSettings } from '../../import/kerasConfig';

export const RepeatVector = defineLayer({
  kind: 'RepeatVector',
  label: 'RepeatVector',
  category: 'Reshape',
  description: 'Repeats a flat vector n times into a sequence [n, features], e.g. to feed one encoding to every step of a decoder LSTM.',
  namePrefix: 'repeat_vector',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    n: { type: 'int', default: 3, min: 1, max: 100000, label: 'Repetitions', help: 'How many times the vector is repeated: the number of time steps of the output sequence.' },
  },
  inferShape([input], p, ctx) {
    if (input.length !== 1) {
      const sequence = input.length === 2;
      const fix = sequence ? 'insert a GlobalAveragePooling1D (or an LSTM without return sequences) to get one vector first' : 'insert a Flatten first';
      const error = `${ctx.name}: RepeatVector needs a flat vector [features] but gets ${describeShape(input)} — ${fix}.`;
      const insert = sequence ? 'GlobalAveragePooling1D' : 'Flatten';
      // Flatten needs every size known; pooling over time needs only the features.
      const fixable = sequence ? input[1] !== null : input.every((d) => d !== null);
      return fixable ? { ok: false, error, fixes: [{ label: `Insert ${insert}`, insertBefore: insert }] } : { ok: false, error };
    }
    return { ok: true, shape: [p.n, input[0]] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'RepeatVector',
    params: (c) => ({ params: { n: c.n }, dropped: droppedSettings(c, ['n']) }),
  },
  tfjs: {
    factory: 'repeatVector',
    className: 'RepeatVector',
    config: (p) => ({ n: p.n }),
  },
});
