import { defineLayer } from '../types';
import { kerasRecurrent, statefulConfig, RECURRENT_PARAMS, recurrentInputs, recurrentOutputs, recurrentParamCount, recurrentShape , recurrentTorch } from './sequence';

/** The memory it carries from step to step: what Return state gives and an initial state sets. */
const STATES = ['state h', 'state c'];

export const LSTM = defineLayer({
  kind: 'LSTM',
  label: 'LSTM',
  category: 'Recurrent',
  description: 'Reads a sequence [time, features] step by step, keeping a long short-term memory; outputs the last state (or every state).',
  namePrefix: 'lstm',
  role: 'layer',
  penalizedWeights: [
    'kernel',
    'recurrent_kernel',
  ],
  outputFit: { fit: 'none' },
  inputs: recurrentInputs(STATES),
  outputs: recurrentOutputs(STATES),
  params: RECURRENT_PARAMS,
  needsFixedBatch: (p) => p.stateful,
  inferShape(inputs, p, ctx) {
    return recurrentShape('LSTM', inputs, p, ctx, STATES);
  },
  countParams([input], p) {
    return recurrentParamCount(4, input, p.units);
  },
  keras: {
    className: 'LSTM',
    params: (c) => kerasRecurrent(c, { unit_forget_bias: true }),
  },
  pytorch: recurrentTorch('lstm'),
  tfjs: {
    factory: 'lstm',
    className: 'LSTM',
    config: (p) => ({
      units: p.units,
      activation: p.activation,
      // Always written out: tfjs defaults to hardSigmoid where Keras uses sigmoid.
      recurrentActivation: p.recurrentActivation,
      returnSequences: p.returnSequences,
      ...(p.returnState ? { returnState: true } : {}),
      ...statefulConfig(p),
      dropout: p.dropout,
      recurrentDropout: p.recurrentDropout,
    }),
  },
});
