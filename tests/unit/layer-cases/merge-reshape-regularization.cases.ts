/**
 * Merges (Subtract, Multiply, Average, Maximum, Minimum, Dot), reshaping (Permute, RepeatVector), regularization
 * (SpatialDropout1D/2D, GaussianNoise, GaussianDropout, ActivityRegularization) and activation layers (ReLU,
 * LeakyReLU, PReLU, ELU, Softmax): configurations tfjs accepts (shapes and counts must match) and rejects.
 */
import type { Case } from './harness';

export const ACCEPTED: Case[] = [
  // Subtract (Neurowire's class: tfjs has none)
  { kind: 'Subtract', inputs: [[10], [10]] },
  { kind: 'Subtract', inputs: [[7, 7, 8], [7, 7, 8]] },
  { kind: 'Subtract', inputs: [[1], [3]] },
  { kind: 'Subtract', inputs: [[4, 3], [3]] },
  { kind: 'Subtract', inputs: [[3], [2, 4, 3]] },
  { kind: 'Subtract', inputs: [[4, 1], [1, 3]] },
  { kind: 'Subtract', inputs: [[null, 3], [4, 3]], runWith: [[4, 3], [4, 3]] },
];

export const REJECTED: Case[] = [
  // Subtract
  { kind: 'Subtract', inputs: [[128], [64]] },
  { kind: 'Subtract', inputs: [[4, 3], [4, 2]] },
  { kind: 'Subtract', inputs: [[4, 3], [2]] },
];
