import { elementwiseMergeLayer } from './add';

export const Minimum = elementwiseMergeLayer({
  kind: 'Minimum',
  description: 'Keeps the smallest of its inputs at every position, value by value; the inputs need the same shape.',
  namePrefix: 'minimum',
  factory: 'minimum',
  torch: (inputs) => inputs.slice(1).reduce((a, b) => `torch.minimum(${a}, ${b})`, inputs[0]),
});
