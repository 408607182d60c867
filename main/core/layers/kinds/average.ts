import { elementwiseMergeLayer } from './add';

export const Average = elementwiseMergeLayer({
  kind: 'Average',
  description: 'Averages its inputs value by value, e.g. to combine the predictions of several branches; the inputs need the same shape.',
  namePrefix: 'average',
  factory: 'average',
  torch: (inputs) => `(${inputs.join(' + ')}) / ${inputs.length}`,
});
