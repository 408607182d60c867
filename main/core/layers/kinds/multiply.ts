import { elementwiseMergeLayer } from './add';

export const Multiply = elementwiseMergeLayer({
  kind: 'Multiply',
  description: 'Multiplies its inputs value by value, e.g. to gate one branch with another (a sigmoid branch scales the other); the inputs need the same shape.',
  namePrefix: 'multiply',
  factory: 'multiply',
  torch: (inputs) => inputs.join(' * '),
});
