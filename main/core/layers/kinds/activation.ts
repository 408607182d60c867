import { ACTIVATIONS } from '../params';
import { defineLayer } from '../types';
import { kerasActivation } from '../../import/kerasConfig';
import { torchActivation } from '../pytorch';

export const Activation = defineLayer({
  kind: 'Activation',
  label: 'Activation',
  category: 'Core',
  description: 'Applies a non-linearity to every value on its own; the shape does not change.',
  namePrefix: 'activation',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes', activation: 'activation' },
  inputs: { min: 1, max: 1 },
  params: {
    activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'The function applied to each value. softmax works across the last axis.' },
  },
  inferShape([input]) {
    return { ok: true, shape: [...input] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Activation',
    params: (c) => ({ params: { activation: kerasActivation(c.activation) } }),
  },
  pytorch: {
    forward: (p, io) => torchActivation(p.activation, io.inputs[0]),
  },
  tfjs: {
    factory: 'activation',
    className: 'Activation',
    config: (p) => ({ activation: p.activation }),
  },
});
