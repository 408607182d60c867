import { defineLayer } from '../types';
import { kerasRecurrent, statefulConfig, SIMPLE_RNN_PARAMS, recurrentInputs, recurrentOutputs, recurrentParamCount, recurrentShape , recurrentTorch } from './sequence';

/** The memory it carries from step to step: what Return state gives and an initial state sets. */
const STATES = ['state'];

export const SimpleRNN = defineLayer({
  kind: 'SimpleRNN',
  label: 'SimpleRNN',
  category: 'Recurrent',
  description: 'Reads a sequence [time, features] step by step with a plain memory and no gates; the simplest recurrent layer, best on short sequences.',
  namePrefix: 'simple_rnn',
  role: 'layer',
  penalizedWeights: [
    'kernel',
    'recurrent_kernel',
  ],
  outputFit: { fit: 'none' },
  inputs: recurrentInputs(STATES),
  outputs: recurrentOutputs(STATES),
  params: SIMPLE_RNN_PARAMS,
  needsFixedBatch: (p) => p.stateful,
  inferShape(inputs, p, ctx) {
    return recurrentShape('SimpleRNN', inputs, p, ctx, STATES);
  },
  countParams([input], p) {
    return recurrentParamCount(1, input, p.units);
  },
  keras: {
    className: 'SimpleRNN',
    params: (c) => {
      const { params, dropped } = kerasRecurrent(c);
      const { recurrentActivation: _gates, ...rest } = params;
      return { params: rest, dropped };
    },
  },
  pytorch: recurrentTorch('rnn'),
  tfjs: {
    factory: 'simpleRNN',
    className: 'SimpleRNN',
    config: (p) => ({
      units: p.units,
      activation: p.activation,
      returnSequences: p.returnSequences,
      ...(p.returnState ? { returnState: true } : {}),
      ...statefulConfig(p),
      dropout: p.dropout,
      recurrentDropout: p.recurrentDropout,
    }),
  },
});
