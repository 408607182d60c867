/**
 * Merges (Subtract, Multiply, Average, Maximum, Minimum, Dot), reshaping (Permute, RepeatVector), regularization
 * (SpatialDropout1D/2D, GaussianNoise, GaussianDropout, ActivityRegularization) and activation layers (ReLU,
 * LeakyReLU, PReLU, ELU, Softmax): configurations tfjs accepts (shapes and counts must match) and rejects.
 */
import type { Case } from './harness';

/** Element-wise merges share one shape rule; each is checked on the same shapes (two inputs, as Subtract needs). */
const ELEMENTWISE_ACCEPTED: Case['inputs'][] = [
  [[10], [10]],
  [[7, 7, 8], [7, 7, 8]],
  [[1], [3]],
  [[4, 3], [3]],
  [[3], [2, 4, 3]],
  [[4, 1], [1, 3]],
];
const ELEMENTWISE_REJECTED: Case['inputs'][] = [
  [[128], [64]],
  [[4, 3], [4, 2]],
  [[4, 3], [2]],
];
const elementwise = (kind: string): { accepted: Case[]; rejected: Case[] } => ({
  accepted: [
    ...ELEMENTWISE_ACCEPTED.map((inputs): Case => ({ kind, inputs })),
    { kind, inputs: [[null, 3], [4, 3]], runWith: [[4, 3], [4, 3]] },
  ],
  rejected: ELEMENTWISE_REJECTED.map((inputs): Case => ({ kind, inputs })),
});
const MERGES = ['Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'].map(elementwise);

export const ACCEPTED: Case[] = [
  // Subtract (Neurowire's class: tfjs has none), Multiply, Average, Maximum, Minimum
  ...MERGES.flatMap((m) => m.accepted),
  ...['Multiply', 'Average', 'Maximum', 'Minimum'].map((kind): Case => ({ kind, inputs: [[5], [5], [1], [5]] })),
  // Dot
  { kind: 'Dot', inputs: [[4], [4]] },
  { kind: 'Dot', inputs: [[4], [4]], params: { normalize: true } },
  { kind: 'Dot', inputs: [[3, 4], [5, 4]], params: { axes: [2, 2] } },
  { kind: 'Dot', inputs: [[3, 4], [3, 5]], params: { axes: [1, 1] } },
  { kind: 'Dot', inputs: [[3, 4], [4, 5]], params: { axes: [2, 1] } },
  { kind: 'Dot', inputs: [[3, 4], [5, 3]], params: { axes: [1, 2] } },
  { kind: 'Dot', inputs: [[4], [4, 5]], params: { axes: [1, 1] } },
  { kind: 'Dot', inputs: [[4], [5, 4]], params: { axes: [1, 2], normalize: true } },
  { kind: 'Dot', inputs: [[null, 4], [null, 4]], params: { axes: [2, 2] } },
  // Permute
  { kind: 'Permute', inputs: [[3, 4]] },
  { kind: 'Permute', inputs: [[2, 3, 4]], params: { dims: [1, 3, 2] } },
  { kind: 'Permute', inputs: [[2, 3, 4]], params: { dims: [3, 1, 2] } },
  { kind: 'Permute', inputs: [[5]], params: { dims: [1] } },
  { kind: 'Permute', inputs: [[2, 3, 4, 5]], params: { dims: [4, 3, 2, 1] } },
  { kind: 'Permute', inputs: [[null, 4]], params: { dims: [2, 1] } },
  // RepeatVector
  { kind: 'RepeatVector', inputs: [[4]] },
  { kind: 'RepeatVector', inputs: [[4]], params: { n: 1 } },
  { kind: 'RepeatVector', inputs: [[128]], params: { n: 10 } },
  { kind: 'RepeatVector', inputs: [[null]], params: { n: 2 } },
  // SpatialDropout1D
  { kind: 'SpatialDropout1D', inputs: [[3, 4]] },
  { kind: 'SpatialDropout1D', inputs: [[10, 8]], params: { rate: 0.5 } },
  { kind: 'SpatialDropout1D', inputs: [[null, 4]], params: { rate: 0.1 } },
  { kind: 'SpatialDropout1D', inputs: [[1, 1]], params: { rate: 0 } },
  // SpatialDropout2D (Neurowire's class)
  { kind: 'SpatialDropout2D', inputs: [[5, 5, 3]] },
  { kind: 'SpatialDropout2D', inputs: [[28, 28, 1]], params: { rate: 0.5 } },
  { kind: 'SpatialDropout2D', inputs: [[null, null, 3]] },
  { kind: 'SpatialDropout2D', inputs: [[4, 6, 16]], params: { rate: 1 } },
  // GaussianNoise
  { kind: 'GaussianNoise', inputs: [[4]] },
  { kind: 'GaussianNoise', inputs: [[3, 4]], params: { stddev: 1 } },
  { kind: 'GaussianNoise', inputs: [[5, 5, 3]], params: { stddev: 0 } },
  { kind: 'GaussianNoise', inputs: [[2, 3, 4, 5]] },
  // GaussianDropout
  { kind: 'GaussianDropout', inputs: [[4]] },
  { kind: 'GaussianDropout', inputs: [[3, 4]], params: { rate: 0.5 } },
  { kind: 'GaussianDropout', inputs: [[5, 5, 3]], params: { rate: 1 } },
  { kind: 'GaussianDropout', inputs: [[null, 4]], params: { rate: 0 } },
  // ActivityRegularization (Neurowire's class)
  { kind: 'ActivityRegularization', inputs: [[4]] },
  { kind: 'ActivityRegularization', inputs: [[3, 4]], params: { l1: 0.01, l2: 0 } },
  { kind: 'ActivityRegularization', inputs: [[5, 5, 3]], params: { l1: 0.001, l2: 0.001 } },
  { kind: 'ActivityRegularization', inputs: [[null, 4]], params: { l1: 0, l2: 0 } },
  // ReLU
  { kind: 'ReLU', inputs: [[4]] },
  { kind: 'ReLU', inputs: [[3, 4]], params: { maxValue: 6 } },
  { kind: 'ReLU', inputs: [[5, 5, 3]], params: { maxValue: 1 } },
  { kind: 'ReLU', inputs: [[null, 3]] },
  // LeakyReLU
  { kind: 'LeakyReLU', inputs: [[4]] },
  { kind: 'LeakyReLU', inputs: [[3, 4]], params: { alpha: 0.01 } },
  { kind: 'LeakyReLU', inputs: [[5, 5, 3]], params: { alpha: 0.2 } },
  { kind: 'LeakyReLU', inputs: [[null, 3]], params: { alpha: 0 } },
  // PReLU: one learned slope per value, or per channel with shared axes
  { kind: 'PReLU', inputs: [[4]] },
  { kind: 'PReLU', inputs: [[3, 4]] },
  { kind: 'PReLU', inputs: [[5, 5, 3]], params: { sharedAxes: [1, 2] } },
  { kind: 'PReLU', inputs: [[3, 4]], params: { sharedAxes: [1] } },
  { kind: 'PReLU', inputs: [[null, 4]], params: { sharedAxes: [1] } },
  { kind: 'PReLU', inputs: [[2, 3, 4, 5]], params: { sharedAxes: [1, 3] } },
  // ELU
  { kind: 'ELU', inputs: [[4]] },
  { kind: 'ELU', inputs: [[3, 4]], params: { alpha: 1 } },
  { kind: 'ELU', inputs: [[5, 5, 3]] },
  { kind: 'ELU', inputs: [[null, 3]] },
  // Softmax
  { kind: 'Softmax', inputs: [[4]] },
  { kind: 'Softmax', inputs: [[4]], params: { axis: 1 } },
  { kind: 'Softmax', inputs: [[3, 4]] },
  { kind: 'Softmax', inputs: [[3, 4]], params: { axis: 2 } },
  { kind: 'Softmax', inputs: [[2, 3, 4]], params: { axis: 3 } },
];

export const REJECTED: Case[] = [
  // Subtract, Multiply, Average, Maximum, Minimum
  ...MERGES.flatMap((m) => m.rejected),
  // Dot
  { kind: 'Dot', inputs: [[4], [5]] },
  { kind: 'Dot', inputs: [[3, 4], [3, 5]], params: { axes: [2, 1] } },
  { kind: 'Dot', inputs: [[3, 4], [3, 5]], params: { axes: [2, 2] } },
  { kind: 'Dot', inputs: [[null], [4]] },
  { kind: 'Dot', inputs: [[2, 3, 4], [2, 3, 4]] },
  { kind: 'Dot', inputs: [[4], [4]], params: { axes: [2, 2] } },
  // Permute
  { kind: 'Permute', inputs: [[3, 4]], params: { dims: [1, 1] } },
  { kind: 'Permute', inputs: [[3, 4]], params: { dims: [2, 3] } },
  { kind: 'Permute', inputs: [[3, 4, 5]], params: { dims: [2, 1] } },
  { kind: 'Permute', inputs: [[3, 4]], params: { dims: [1, 3, 2] } },
  // RepeatVector
  { kind: 'RepeatVector', inputs: [[3, 4]] },
  { kind: 'RepeatVector', inputs: [[2, 3, 4]], params: { n: 2 } },
  // SpatialDropout1D
  { kind: 'SpatialDropout1D', inputs: [[4]] },
  { kind: 'SpatialDropout1D', inputs: [[2, 3, 4]] },
  // SpatialDropout2D
  { kind: 'SpatialDropout2D', inputs: [[784]] },
  { kind: 'SpatialDropout2D', inputs: [[3, 4]] },
  { kind: 'SpatialDropout2D', inputs: [[2, 3, 4, 5]] },
  // PReLU
  { kind: 'PReLU', inputs: [[3, 4]], params: { sharedAxes: [3] } },
  { kind: 'PReLU', inputs: [[4]], params: { sharedAxes: [2] } },
  { kind: 'PReLU', inputs: [[null, 4]] },
  // ELU: tfjs supports only alpha 1
  { kind: 'ELU', inputs: [[4]], params: { alpha: 0.5 } },
  { kind: 'ELU', inputs: [[3, 4]], params: { alpha: 2 } },
  // Softmax: tfjs runs it only along the last axis
  { kind: 'Softmax', inputs: [[3, 4]], params: { axis: 1 } },
  { kind: 'Softmax', inputs: [[3, 4]], params: { axis: -2 } },
  { kind: 'Softmax', inputs: [[4]], params: { axis: 0 } },
  { kind: 'Softmax', inputs: [[4]], params: { axis: 3 } },
];
