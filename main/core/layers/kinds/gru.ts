import { defineLayer } from '../types';
import { kerasRecurrent, statefulConfig, RECURRENT_PARAMS, recurrentInputs, recurrentOutputs, recurrentParamCount, recurrentShape , recurrentTorch } from './sequence';

/** The memory it carries from step to step: what Return state gives and an initial state sets. */
const STATES = ['state'];
import { kerasBool } from '../../import/kerasConfig';

/**
 * Keras's GRU with both variants. tfjs-layers 4.22 only has reset_after=False (it throws for resetAfter: true), so
 * Neurowire's own class (custom/gru.ts), registered under Keras's class name `GRU`, builds it; with resetAfter off it
 * is tfjs's GRU exactly. With resetAfter on (Keras's default) the second, recurrent bias adds 3·units weights.
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
  inputs: recurrentInputs(STATES),
  outputs: recurrentOutputs(STATES),
  params: {
    ...RECURRENT_PARAMS,
    resetAfter: {
      type: 'bool',
      default: true,
      // Projects saved before this setting existed trained the variant tfjs has built in: they keep it.
      whenMissing: false,
      label: 'Reset after',
      help:
        'Where the reset gate acts. On: after the recurrent matrix product (the gate scales the product of the previous state, which has its own recurrent bias), as Keras (its default) and PyTorch do, so their GRU weights fit. Off: before it (the gate scales the previous state itself), the older variant and the only one tfjs has built in.',
    },
  },
  needsFixedBatch: (p) => p.stateful,
  inferShape(inputs, p, ctx) {
    return recurrentShape('GRU', inputs, p, ctx, STATES);
  },
  countParams([input], p) {
    // Reset after: Keras's bias is [2, 3·units], one row for the input and one for the recurrent product.
    return recurrentParamCount(3, input, p.units) + (p.resetAfter ? 3 * p.units : 0);
  },
  keras: {
    className: 'GRU',
    params: (c) => {
      const imported = kerasRecurrent(c, {}, ['reset_after']);
      // Keras always writes reset_after; a file without it comes from tfjs (or Keras before 2.3), where it was off.
      return { ...imported, params: { ...imported.params, resetAfter: kerasBool(c.reset_after, false) } };
    },
  },
  pytorch: recurrentTorch('gru'),
  tfjs: {
    custom: true,
    factory: 'gru',
    className: 'GRU',
    tsType: 'RNN',
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
      resetAfter: p.resetAfter,
    }),
  },
});
