import { ACTIVATIONS, type ParamDefs } from '../params';
import { reshapeFix, type CheckContext, type PytorchLayer, type ShapeCheck, type ShapeFix } from '../types';
import { lastAxis, py } from '../pytorch';
import { describeShape, formatShape, type Shape } from '../../shapes';
import { droppedSettings, kerasActivation, kerasBool, kerasNumber, KerasImportError, type KerasConfig } from '../../import/kerasConfig';

/**
 * The shared rank check of layers that read a sequence [time, features] (LSTM, GRU, Conv1D,
 * GlobalAveragePooling1D...). Returns an error check naming the Reshape that fixes it, or null
 * when the rank is right. `axes` is how the layer names its two axes, e.g. "[time, features]";
 * `forImages` is an extra hint for image-like input, e.g. "or use Conv2D for images".
 */
export function sequenceRankError(name: string, label: string, input: Shape, axes = '[time, features]', forImages?: string): ShapeCheck | null {
  if (input.length === 2) return null;
  let fix: string;
  const fixes: ShapeFix[] = [];
  if (input.length === 1) {
    const n = input[0];
    if (n === null) {
      fix = `insert a Reshape to ${axes}`;
    } else {
      const side = Math.round(Math.sqrt(n));
      const square = side > 1 && side * side === n;
      fix = `insert a Reshape to [${n}, 1]${square ? ` (or [${side}, ${side}])` : ''}`;
      fixes.push(reshapeFix([n, 1]));
      if (square) fixes.push(reshapeFix([side, side]));
    }
  } else {
    // Image-like [height, width, channels] (or more axes): keep the first axis as time and lay the rest out per step.
    const rest = input.slice(1);
    const perStep = rest.every((d) => d !== null) ? (rest as number[]).reduce((a, b) => a * b, 1) : null;
    fix =
      perStep === null
        ? `insert a Reshape to ${axes}`
        : `insert a Reshape to [${input[0] ?? -1}, ${perStep}]${input.length === 3 ? ' (rows as steps, [height, width × channels])' : ''}`;
    if (perStep !== null) fixes.push(reshapeFix([input[0] ?? -1, perStep]));
    if (input.length === 3 && forImages) fix += `, ${forImages}`;
  }
  const error = `${name}: ${label} needs a sequence ${axes} but gets ${describeShape(input)} — ${fix}.`;
  return fixes.length ? { ok: false, error, fixes } : { ok: false, error };
}

/** Activations for the gates of LSTM and GRU: the usual ones, which include tfjs's hardSigmoid (its old default). */
export const RECURRENT_ACTIVATIONS = ACTIVATIONS;

/** Parameters shared by LSTM and GRU (SimpleRNN takes all but recurrentActivation: it has no gates). */
export const RECURRENT_PARAMS = {
  units: { type: 'int', default: 32, min: 1, max: 4096, label: 'Units', help: 'Size of the memory (hidden state) carried from step to step, and of the output per step.' },
  activation: { type: 'enum', options: ACTIVATIONS, default: 'tanh', label: 'Activation', help: 'Non-linearity for the candidate state and the output. tanh is the standard choice.' },
  recurrentActivation: {
    type: 'enum',
    options: RECURRENT_ACTIVATIONS,
    default: 'sigmoid',
    label: 'Recurrent activation',
    help: "Non-linearity of the gates, which decide what to keep and what to forget. sigmoid is the Keras default; tfjs's own default is hardSigmoid, a faster approximation.",
  },
  returnSequences: {
    type: 'bool',
    default: false,
    label: 'Return sequences',
    help: 'Output the state of every time step [time, units] instead of only the last one [units]. Turn on to stack another recurrent layer, TimeDistributed or Conv1D after this layer.',
  },
  returnState: {
    type: 'bool',
    default: false,
    label: 'Return state',
    help: 'Also give the final memory as outputs of their own, to start another recurrent layer from it: an encoder handing what it read to a decoder. Connect them into the second and later inputs of that layer.',
  },
  stateful: {
    type: 'bool',
    default: false,
    label: 'Stateful',
    help: "Carry each sample's final memory over as its starting memory in the next batch (sample i of one batch continues sample i of the batch before), to read a long series in consecutive pieces. Needs a fixed batch size on the Input; training then keeps the samples in order and clears the memory at the start of each epoch.",
  },
  dropout: { type: 'float', default: 0, min: 0, max: 1, step: 0.05, label: 'Dropout', help: 'Fraction of the input values dropped during training, from 0 up to (but not including) 1.' },
  recurrentDropout: {
    type: 'float',
    default: 0,
    min: 0,
    max: 1,
    step: 0.05,
    label: 'Recurrent dropout',
    help: 'Fraction of the carried state dropped during training, from 0 up to (but not including) 1; the same mask is used at every step.',
  },
} as const satisfies ParamDefs;

/** SimpleRNN's parameters: those of LSTM and GRU without the gate activation. */
export const SIMPLE_RNN_PARAMS = {
  units: RECURRENT_PARAMS.units,
  activation: RECURRENT_PARAMS.activation,
  returnSequences: RECURRENT_PARAMS.returnSequences,
  returnState: RECURRENT_PARAMS.returnState,
  stateful: RECURRENT_PARAMS.stateful,
  dropout: RECURRENT_PARAMS.dropout,
  recurrentDropout: RECURRENT_PARAMS.recurrentDropout,
} as const satisfies ParamDefs;

interface RecurrentValues {
  units: number;
  returnSequences: boolean;
  returnState: boolean;
  dropout: number;
  recurrentDropout: number;
}

/** What a stateful recurrent layer adds to its tfjs config (nothing otherwise, so existing configs stay as they were). */
export function statefulConfig(p: { stateful: boolean }): Record<string, unknown> {
  return p.stateful ? { stateful: true } : {};
}

/** The inputs of a recurrent layer with these states: the sequence, then optionally an initial value of each state. */
export function recurrentInputs(states: readonly string[]) {
  return { min: 1, max: 1 + states.length, names: ['sequence', ...states.map((s) => `initial ${s}`)], restAs: 'initialState' } as const;
}

/** The extra outputs of a recurrent layer: its final states while Return state is on. */
export function recurrentOutputs(states: readonly string[]) {
  return { extra: (p: { returnState: boolean }) => (p.returnState ? states : []) };
}

/**
 * Shape check shared by LSTM, GRU and SimpleRNN: input [time, features] → [units] or [time, units], with the
 * final states ([units] each, named `states`) as extra outputs when Return state is on. Inputs after the sequence
 * are initial states: all of them or none, each [units].
 */
export function recurrentShape(label: string, inputs: Shape[], p: RecurrentValues, ctx: CheckContext, states: readonly string[]): ShapeCheck {
  const [input, ...initial] = inputs;
  if (initial.length > 0 && initial.length !== states.length) {
    return {
      ok: false,
      error: `${ctx.name}: ${label} starts from ${states.length} states (${states.join(', ')}), but ${initial.length} ${initial.length === 1 ? 'is' : 'are'} connected after the sequence — connect all of them, in that order, or none.`,
    };
  }
  for (const [i, shape] of initial.entries()) {
    if (shape.length !== 1 || (shape[0] !== null && shape[0] !== p.units)) {
      return {
        ok: false,
        error: `${ctx.name}: the initial ${states[i]} must be [${p.units}] (one value per unit) but gets ${formatShape(shape)} — connect the ${states[i]} of a recurrent layer with ${p.units} units, or set Units to match it.`,
      };
    }
  }
  const rank = sequenceRankError(ctx.name, label, input);
  if (rank) return rank;
  const [time, features] = input;
  if (features === null) {
    return {
      ok: false,
      error: `${ctx.name}: ${label} needs a known number of features per step, but gets ${formatShape(input)} — give the last axis a fixed size (write the number instead of -1 in a Reshape before it).`,
    };
  }
  const warnings: string[] = [];
  // tfjs only drops when 0 < rate < 1, so a rate of 1 silently drops nothing (like its Dropout layer).
  for (const [key, words] of [['dropout', 'dropout'], ['recurrentDropout', 'recurrent dropout']] as const) {
    if (p[key] >= 1) warnings.push(`${ctx.name}: a ${words} of 1 does nothing in tfjs (nothing is dropped) — use a value below 1, e.g. 0.2.`);
  }
  const shape: Shape = p.returnSequences ? [time, p.units] : [p.units];
  const extra = p.returnState ? { extraShapes: states.map((): Shape => [p.units]) } : {};
  return warnings.length ? { ok: true, shape, ...extra, warnings } : { ok: true, shape, ...extra };
}

/**
 * Weights of a tfjs LSTM (4 gates), GRU (3 gates) or SimpleRNN (1, no gates): kernel, recurrent kernel and one
 * bias per gate.
 */
export function recurrentParamCount(gates: number, input: Shape, units: number): number {
  const features = input[input.length - 1] ?? 0;
  return gates * (features * units + units * units + units);
}

/**
 * LSTM, GRU and SimpleRNN settings from a Keras config (Keras defaults where missing). `defaults` are Keras defaults
 * of keys the kind ignores, `used` keys the caller reads itself. Refuses go_backwards, which reads the sequence the
 * other way round.
 */
export function kerasRecurrent(c: KerasConfig, defaults: KerasConfig = {}, used: readonly string[] = []): { params: Record<string, unknown>; dropped: string[] } {
  // Neurowire's recurrent layers always have biases; without them the layer would have other weights.
  if (c.use_bias === false) throw new KerasImportError('use_bias false is not supported (recurrent layers in Neurowire always have biases)');
  if (c.go_backwards === true) throw new KerasImportError('go_backwards is not supported — use a Bidirectional layer to read the sequence backwards');
  return {
    params: {
      units: c.units,
      activation: kerasActivation(c.activation, 'tanh'),
      recurrentActivation: kerasActivation(c.recurrent_activation, 'sigmoid'),
      returnSequences: kerasBool(c.return_sequences, false),
      returnState: kerasBool(c.return_state, false),
      stateful: kerasBool(c.stateful, false),
      dropout: kerasNumber(c.dropout, 0),
      recurrentDropout: kerasNumber(c.recurrent_dropout, 0),
    },
    dropped: droppedSettings(c, ['units', 'activation', 'recurrent_activation', 'return_sequences', 'return_state', 'stateful', 'go_backwards', 'use_bias', 'dropout', 'recurrent_dropout', ...used], defaults),
  };
}

/** The settings of a recurrent layer its PyTorch module takes (SimpleRNN has no gates, GRU may reset after). */
interface TorchRecurrentValues extends RecurrentValues {
  activation: string;
  recurrentActivation?: string;
  resetAfter?: boolean;
  stateful: boolean;
}

/**
 * A recurrent layer in PyTorch: the shipped nw.Recurrent, which runs tfjs's step with PyTorch's weight layout and
 * gate order. tfjs's LSTM gates i, f, c, o are PyTorch's i, f, g, o; its GRU's z, r, h become r, z, n.
 */
const settingsOf = (values: unknown) => values as TorchRecurrentValues;

export function recurrentTorch(cell: 'lstm' | 'gru' | 'rnn'): PytorchLayer<ParamDefs> {
  const reorder = (expr: string) => (cell === 'gru' ? `nw.gates(${expr}, [1, 0, 2])` : expr);
  return {
    unsupported: (values) => (settingsOf(values).stateful ? 'a stateful layer' : null),
    module: (values, io) => {
      const p = settingsOf(values);
      const settings = [
        `activation=${py(p.activation)}`,
        ...(p.recurrentActivation ? [`recurrent_activation=${py(p.recurrentActivation)}`] : []),
        `return_sequences=${py(p.returnSequences)}`,
        ...(p.returnState ? ['return_state=True'] : []),
        ...(p.resetAfter ? ['reset_after=True'] : []),
        ...(p.dropout > 0 ? [`dropout=${p.dropout}`] : []),
        ...(p.recurrentDropout > 0 ? [`recurrent_dropout=${p.recurrentDropout}`] : []),
      ];
      return `nw.Recurrent(${py(cell)}, ${lastAxis(io.inputShapes[0])}, ${p.units}, ${settings.join(', ')})`;
    },
    forward: (_p, io) => {
      const [x, ...initial] = io.inputs;
      return `${io.module}(${x}${io.mask ? `, mask=${io.mask}` : ''}${initial.length ? `, initial_state=[${initial.join(', ')}]` : ''})`;
    },
    weights: (values) => ({
      weight_ih: reorder('w("kernel").T'),
      weight_hh: reorder('w("recurrent_kernel").T'),
      ...(settingsOf(values).resetAfter ? { bias: reorder('w("bias")[0]'), bias_hh: reorder('w("bias")[1]') } : { bias: reorder('w("bias")') }),
    }),
    // Each step's output keeps the sequence's mask; the last state alone has none.
    mask: (values, io) => (settingsOf(values).returnSequences ? io.mask : null),
  };
}
