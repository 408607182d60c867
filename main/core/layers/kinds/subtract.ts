import { elementwiseMergeLayer } from './add';

/** Keras's Subtract; tfjs-layers has none, so Neurowire's own class (custom/subtract.ts) builds it. */
export const Subtract = elementwiseMergeLayer({
  kind: 'Subtract',
  description: 'Subtracts its second input from its first, value by value, e.g. to compare two branches; takes exactly two inputs of the same shape.',
  namePrefix: 'subtract',
  maxInputs: 2,
  factory: 'subtract',
  torch: (inputs) => `${inputs[0]} - ${inputs[1]}`,
  custom: true,
});
