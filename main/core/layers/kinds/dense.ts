import { ACTIVATIONS } from '../params';
import { defineLayer } from '../types';
import { formatShape } from '../../shapes';
import { droppedSettings, kerasActivation, kerasBool } from '../../import/kerasConfig';
import { lastAxis, py, torchActivation } from '../pytorch';

export const Dense = defineLayer({
  kind: 'Dense',
  label: 'Dense',
  category: 'Core',
  description: 'Fully connected layer: every output unit sees every value of the last input axis.',
  namePrefix: 'dense',
  role: 'layer',
  penalizedWeights: ['kernel'],
  outputFit: { fit: 'sets', units: 'units', activation: 'activation' },
  inputs: { min: 1, max: 1 },
  params: {
    units: { type: 'int', default: 128, min: 1, max: 65536, label: 'Units', help: 'Number of output neurons.' },
    activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'Non-linearity applied to the output. Use softmax on the last layer of a classifier.' },
    useBias: { type: 'bool', default: true, label: 'Use bias', help: 'Add a learned offset to each unit.' },
  },
  inferShape([input], p, ctx) {
    const features = input[input.length - 1];
    if (input.length === 0 || features === null || features === undefined) {
      return {
        ok: false,
        error: `${ctx.name}: Dense needs a known size on the last axis, but gets ${formatShape(input)} — give that axis a fixed size (write the number instead of -1 in a Reshape before it).`,
      };
    }
    const shape = [...input.slice(0, -1), p.units];
    if (input.length > 1) {
      const warning = `${ctx.name}: Dense on ${formatShape(input)} acts on the last axis only and outputs ${formatShape(shape)} — Flatten first?`;
      // Flatten needs every size known.
      const fixes = input.every((d) => d !== null) ? [{ label: 'Insert Flatten', problem: warning, insertBefore: 'Flatten' }] : [];
      return { ok: true, shape, warnings: [warning], fixes };
    }
    return { ok: true, shape };
  },
  countParams([input], p) {
    const features = input[input.length - 1] ?? 0;
    return features * p.units + (p.useBias ? p.units : 0);
  },
  keras: {
    className: 'Dense',
    params: (c) => ({
      params: { units: c.units, activation: kerasActivation(c.activation), useBias: kerasBool(c.use_bias, true) },
      dropped: droppedSettings(c, ['units', 'activation', 'use_bias']),
    }),
  },
  pytorch: {
    module: (p, io) => `nn.Linear(${lastAxis(io.inputShapes[0])}, ${p.units}, bias=${py(p.useBias)})`,
    forward: (p, io) => torchActivation(p.activation, `${io.module}(${io.inputs[0]})`),
    weights: (p) => ({ weight: 'w("kernel").T', ...(p.useBias ? { bias: 'w("bias")' } : {}) }),
  },
  tfjs: {
    factory: 'dense',
    className: 'Dense',
    config: (p) => ({ units: p.units, activation: p.activation, useBias: p.useBias }),
  },
});
