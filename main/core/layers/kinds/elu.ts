import { defineLayer } from '../types';
import { droppedSettings, kerasNumber } from '../../import/kerasConfig';

export const ELU = defineLayer({
  kind: 'ELU',
  label: 'ELU',
  category: 'Core',
  description: 'Keeps positive values and bends negative ones smoothly towards -alpha (exponential linear unit); the same as Activation elu, as a layer of its own.',
  namePrefix: 'elu',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes', applies: 'elu' },
  inputs: { min: 1, max: 1 },
  params: {
    alpha: { type: 'float', default: 1, min: 0, step: 0.1, label: 'Alpha', help: 'The value that large negative inputs approach (as -alpha). tfjs supports only 1, the Keras default.' },
  },
  inferShape([input], p, ctx) {
    // tfjs 4's ELU layer throws NotImplementedError for any other alpha.
    if (p.alpha !== 1) return { ok: false, error: `${ctx.name}: tfjs's ELU layer supports only alpha 1, not ${p.alpha} — set alpha to 1.` };
    return { ok: true, shape: [...input] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'ELU',
    params: (c) => ({ params: { alpha: kerasNumber(c.alpha, 1) }, dropped: droppedSettings(c, ['alpha']) }),
  },
  tfjs: {
    factory: 'elu',
    className: 'ELU',
    config: (p) => ({ alpha: p.alpha }),
  },
});
