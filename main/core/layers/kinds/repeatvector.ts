import { defineLayer } from '../types';
import { describeShape } from '../../shapes';

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
      const fix = input.length === 2 ? 'insert a GlobalAveragePooling1D (or an LSTM without return sequences) to get one vector first' : 'insert a Flatten first';
      return { ok: false, error: `${ctx.name}: RepeatVector needs a flat vector [features] but gets ${describeShape(input)} — ${fix}.` };
    }
    return { ok: true, shape: [p.n, input[0]] };
  },
  countParams() {
    return 0;
  },
  tfjs: {
    factory: 'repeatVector',
    className: 'RepeatVector',
    config: (p) => ({ n: p.n }),
  },
});
