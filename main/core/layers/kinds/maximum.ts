import { elementwiseMergeLayer } from './add';

export const Maximum = elementwiseMergeLayer({
  kind: 'Maximum',
  description: 'Keeps the largest of its inputs at every position, value by value; the inputs need the same shape.',
  namePrefix: 'maximum',
  factory: 'maximum',
  torch: (inputs) => inputs.slice(1).reduce((a, b) => `torch.maximum(${a}, ${b})`, inputs[0]),
});
