import { defineLayer, reshapeFix, type AnyLayerSpec, type PytorchCall, type PytorchShapes } from '../types';
import { describeShape } from '../../shapes';
import type { LayerValue, ParamDefs, ParamValues } from '../params';
import { Dense } from './dense';
import { Conv2D } from './conv2d';
import { Conv1D } from './conv1d';
import { MaxPooling2D } from './maxpooling2d';
import { GlobalAveragePooling1D } from './globalaveragepooling1d';
import { GlobalMaxPooling1D } from './globalmaxpooling1d';
import { GlobalAveragePooling2D } from './globalaveragepooling2d';
import { GlobalMaxPooling2D } from './globalmaxpooling2d';
import { BatchNormalization } from './batchnormalization';
import { LayerNormalization } from './layernormalization';
import { Flatten } from './flatten';
import { Reshape } from './reshape';
import { Dropout } from './dropout';
import { Activation } from './activation';
import { kerasWrapped, wrappedCount, wrappedNonTrainable, wrappedLayer, wrappedPenalizedWeights, wrappedShape, wrappedSpec } from './wrapper';
import { droppedSettings } from '../../import/kerasConfig';

/** The kinds that work on one step at a time (tfjs runs them on [batch, ...step] for each step in turn). */
const PER_STEP_KINDS: AnyLayerSpec[] = [
  Dense,
  Conv2D,
  Conv1D,
  MaxPooling2D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  BatchNormalization,
  LayerNormalization,
  Flatten,
  Reshape,
  Dropout,
  Activation,
];

export const TimeDistributed = defineLayer({
  kind: 'TimeDistributed',
  label: 'TimeDistributed',
  category: 'Recurrent',
  description: 'Applies one layer to every time step of a sequence with the same weights, e.g. a Dense on each step of [time, features] or a Conv2D on each frame of a video.',
  namePrefix: 'time_distributed',
  role: 'layer',
  penalizedWeights: wrappedPenalizedWeights(PER_STEP_KINDS),
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    layer: {
      type: 'layer',
      options: PER_STEP_KINDS,
      default: { kind: 'Dense', params: { units: 32 } },
      label: 'Layer',
      help: 'The layer applied to each time step, with its own settings. It sees one step (the input without its first, time axis) and every step shares its weights.',
    },
  },
  inferShape([input], p, ctx) {
    if (input.length < 2) {
      const n = input[0];
      const fix = n === null ? 'insert a Reshape to [time, values per step]' : `insert a Reshape to [${n}, 1] (${n} steps of one value)`;
      const error = `${ctx.name}: TimeDistributed needs a sequence with the time steps first, [time, ...], but gets ${describeShape(input)} — ${fix}.`;
      return n === null ? { ok: false, error } : { ok: false, error, fixes: [reshapeFix([n, 1])] };
    }
    const [time, ...step] = input;
    // The wrapped layer's own check, on one step; its messages then speak of that step's shape.
    const check = wrappedShape(PER_STEP_KINDS, p.layer, step, { name: `${ctx.name} (each time step)` });
    // The wrapped layer's fixes would edit the graph for one step's shape, not the sequence this layer gets: drop them.
    const { fixes: _perStep, ...withoutFixes } = check;
    return withoutFixes.ok ? { ...withoutFixes, shape: [time, ...withoutFixes.shape] } : withoutFixes;
  },
  countParams([input], p) {
    return wrappedCount(PER_STEP_KINDS, p.layer, input.slice(1));
  },
  countNonTrainable([input], p) {
    return wrappedNonTrainable(PER_STEP_KINDS, p.layer, input.slice(1));
  },
  keras: {
    className: 'TimeDistributed',
    params: (c) => {
      const { layer, dropped } = kerasWrapped(PER_STEP_KINDS, c.layer);
      return { params: { layer }, dropped: [...dropped, ...droppedSettings(c, ['layer'])] };
    },
  },
  pytorch: {
    unsupported: (p, io) => {
      const inner = wrappedSpec(PER_STEP_KINDS, p.layer);
      return inner.pytorch ? (inner.pytorch.unsupported?.(stepParams(p.layer), perStep(io)) ?? null) : `a ${inner.kind} inside`;
    },
    module: (p, io) => wrappedSpec(PER_STEP_KINDS, p.layer).pytorch?.module?.(stepParams(p.layer), perStep(io)) ?? null,
    // The wrapped layer on every step at once: time folded into the batch axis, then unfolded.
    forward: (p, io) => `nw.time_distributed(lambda step: ${wrappedSpec(PER_STEP_KINDS, p.layer).pytorch!.forward(stepParams(p.layer), { ...perStep(io), inputs: ['step'], mask: null })}, ${io.inputs[0]})`,
    weights: (p, io) => wrappedSpec(PER_STEP_KINDS, p.layer).pytorch?.weights?.(stepParams(p.layer), perStep(io)) ?? {},
  },
  tfjs: {
    factory: 'timeDistributed',
    className: 'TimeDistributed',
    config: (p) => ({ layer: wrappedLayer(PER_STEP_KINDS, p.layer) }),
  },
});

/** What the wrapped layer sees of a TimeDistributed: one step (the shapes without their time axis). */
function perStep<T extends PytorchShapes>(io: T): T & PytorchCall {
  return { ...io, inputShapes: io.inputShapes.map((s) => s.slice(1)), outputShape: io.outputShape.slice(1) } as T & PytorchCall;
}

/** The wrapped layer's params (the `layer` param's schema has checked them and filled in the defaults). */
const stepParams = (value: LayerValue) => value.params as ParamValues<ParamDefs>;
