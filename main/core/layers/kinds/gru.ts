import { defineLayer } from '../types';
import { RECURRENT_PARAMS, recurrentParamCount, recurrentShape } from './sequence';

/**
 * tfjs 4.22's GRU is Keras's reset_after=False variant (tfjs throws for resetAfter: true), so it has one
 * bias per gate: 3·(features·units + units² + units) weights — fewer than a Keras GRU with its default
 * reset_after=True, which has a second recurrent bias (3·units more).
 */
export const GRU = defineLayer({
  kind: 'GRU',
  label: 'GRU',
  category: 'Recurrent',
  description: 'Reads a sequence [time, features] step by step with a gated memory; lighter than LSTM. Outputs the last state (or every state).',
  namePrefix: 'gru',
  role: 'layer',
  penalizedWeights: [
    'kernel',
    'recurrent_kernel',
  ],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: RECURRENT_PARAMS,
  inferShape([input], p, ctx) {
    return recurrentShape('GRU', input, p, ctx);
  },
  countParams([input], p) {
    return recurrentParamCount(3, input, p.units);
  },
  tfjs: {
    factory: 'gru',
    className: 'GRU',
    config: (p) => ({
      units: p.units,
      activation: p.activation,
      // Always written out: tfjs defaults to hardSigmoid where Keras uses sigmoid.
      recurrentActivation: p.recurrentActivation,
      returnSequences: p.returnSequences,
      dropout: p.dropout,
      recurrentDropout: p.recurrentDropout,
    }),
  },
});
