import { defineLayer } from '../types';
import { LSTM } from './lstm';
import { GRU } from './gru';
import { SimpleRNN } from './simplernn';
import { kerasWrapped, wrappedCount, wrappedLayer, wrappedPenalizedWeights, wrappedShape } from './wrapper';
import { droppedSettings, KerasImportError } from '../../import/kerasConfig';

/** The recurrent kinds a Bidirectional can run in both directions. */
const RECURRENT_KINDS = [LSTM, GRU, SimpleRNN];

export const Bidirectional = defineLayer({
  kind: 'Bidirectional',
  label: 'Bidirectional',
  category: 'Recurrent',
  description: 'Runs a recurrent layer over the sequence forwards and a copy of it backwards, then joins both outputs, so every step sees what comes before and after it.',
  namePrefix: 'bidirectional',
  role: 'layer',
  penalizedWeights: wrappedPenalizedWeights(RECURRENT_KINDS),
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    layer: {
      type: 'layer',
      options: RECURRENT_KINDS,
      default: { kind: 'LSTM', params: {} },
      label: 'Layer',
      help: 'The recurrent layer run in both directions, with its own settings. The backward copy has the same settings and its own weights, so the parameters double.',
    },
    mergeMode: {
      type: 'enum',
      options: ['concat', 'sum', 'mul', 'ave'] as const,
      default: 'concat',
      label: 'Merge mode',
      help: "How the forward and backward outputs are joined: 'concat' puts them side by side (twice the units); 'sum', 'mul' (product) and 'ave' (average) combine them value by value (the units stay).",
    },
  },
  inferShape([input], p, ctx) {
    const check = wrappedShape(RECURRENT_KINDS, p.layer, input, ctx);
    // tfjs's Bidirectional would hand the states of both directions on as four more outputs; Neurowire keeps it at one.
    if (check.ok && check.extraShapes?.length) {
      return { ok: false, error: `${ctx.name}: a Bidirectional layer gives one output, so the ${p.layer.kind} inside it cannot also return its state — turn off Return state in its layer settings.` };
    }
    if (!check.ok || p.mergeMode !== 'concat') return check;
    const shape = [...check.shape];
    const last = shape[shape.length - 1];
    shape[shape.length - 1] = last === null ? null : last * 2;
    return { ...check, shape };
  },
  countParams([input], p) {
    return 2 * wrappedCount(RECURRENT_KINDS, p.layer, input);
  },
  keras: {
    className: 'Bidirectional',
    params: (c) => {
      const mergeMode = c.merge_mode ?? 'concat';
      if (typeof mergeMode !== 'string') throw new KerasImportError('merge_mode None (two separate outputs) is not supported');
      const { layer, dropped } = kerasWrapped(RECURRENT_KINDS, c.layer);
      if (layer.params.returnState === true) throw new KerasImportError('a Bidirectional layer returning the states of both directions is not supported');
      return { params: { layer, mergeMode }, dropped: [...dropped, ...droppedSettings(c, ['layer', 'merge_mode'])] };
    },
  },
  tfjs: {
    factory: 'bidirectional',
    className: 'Bidirectional',
    config: (p) => ({ layer: wrappedLayer(RECURRENT_KINDS, p.layer), mergeMode: p.mergeMode }),
  },
});
