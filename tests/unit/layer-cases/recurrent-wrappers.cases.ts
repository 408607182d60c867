/**
 * SimpleRNN, the wrappers (Bidirectional, TimeDistributed), Inputs with axes of unknown length, and recurrent layers
 * with several outputs (Return state) or started from given states.
 */
import type { Case } from './harness';

const lstm = (params: Record<string, unknown> = {}) => ({ kind: 'LSTM', params });
const gru = (params: Record<string, unknown> = {}) => ({ kind: 'GRU', params });
const rnn = (params: Record<string, unknown> = {}) => ({ kind: 'SimpleRNN', params });

export const ACCEPTED: Case[] = [
  // Input with an axis of unknown length
  { kind: 'Input', inputs: [], params: { shape: [null, 128] } },
  { kind: 'Input', inputs: [], params: { shape: [null, null, 3] } },
  // SimpleRNN
  { kind: 'SimpleRNN', inputs: [[100, 16]], params: {} },
  { kind: 'SimpleRNN', inputs: [[10, 3]], params: { units: 4, returnSequences: true } },
  { kind: 'SimpleRNN', inputs: [[null, 8]], params: { units: 5 } },
  { kind: 'SimpleRNN', inputs: [[1, 1]], params: { units: 1, activation: 'relu' } },
  { kind: 'SimpleRNN', inputs: [[6, 4]], params: { units: 3, dropout: 0.2, recurrentDropout: 0.3, returnSequences: true } },
  // Bidirectional: every wrapped kind and merge mode, last state or every step
  { kind: 'Bidirectional', inputs: [[10, 4]], params: {} },
  { kind: 'Bidirectional', inputs: [[10, 4]], params: { layer: lstm({ units: 3, returnSequences: true }) } },
  { kind: 'Bidirectional', inputs: [[null, 16]], params: { layer: lstm({ units: 5 }), mergeMode: 'sum' } },
  { kind: 'Bidirectional', inputs: [[7, 3]], params: { layer: gru({ units: 4 }), mergeMode: 'mul' } },
  { kind: 'Bidirectional', inputs: [[7, 3]], params: { layer: gru({ units: 4, returnSequences: true }), mergeMode: 'ave' } },
  { kind: 'Bidirectional', inputs: [[5, 2]], params: { layer: rnn({ units: 6, returnSequences: true }) } },
  { kind: 'Bidirectional', inputs: [[null, 2]], params: { layer: rnn({ units: 2, activation: 'relu' }), mergeMode: 'ave' } },
  // TimeDistributed: the per-step kinds on one step each, with known and unknown time
  { kind: 'TimeDistributed', inputs: [[10, 8]], params: {} },
  { kind: 'TimeDistributed', inputs: [[null, 8]], params: { layer: { kind: 'Dense', params: { units: 3, activation: 'softmax' } } } },
  { kind: 'TimeDistributed', inputs: [[5, 4, 3]], params: { layer: { kind: 'Dense', params: { units: 2, useBias: false } } } },
  { kind: 'TimeDistributed', inputs: [[4, 8, 8, 1]], params: { layer: { kind: 'Conv2D', params: { filters: 3, kernelSize: [3, 3] } } } },
  { kind: 'TimeDistributed', inputs: [[3, 9, 7, 2]], params: { layer: { kind: 'Conv2D', params: { filters: 2, strides: [2, 2], padding: 'same' } } } },
  { kind: 'TimeDistributed', inputs: [[4, 12, 2]], params: { layer: { kind: 'Conv1D', params: { filters: 3, kernelSize: 3 } } } },
  { kind: 'TimeDistributed', inputs: [[4, 8, 8, 2]], params: { layer: { kind: 'MaxPooling2D', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 6, 3]], params: { layer: { kind: 'GlobalAveragePooling1D', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 6, 3]], params: { layer: { kind: 'GlobalMaxPooling1D', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 5, 5, 2]], params: { layer: { kind: 'GlobalAveragePooling2D', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 5, 5, 2]], params: { layer: { kind: 'GlobalMaxPooling2D', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 6]], params: { layer: { kind: 'BatchNormalization', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 6]], params: { layer: { kind: 'LayerNormalization', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 3, 3, 2]], params: { layer: { kind: 'Flatten', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 6]], params: { layer: { kind: 'Reshape', params: { targetShape: [2, 3] } } } },
  { kind: 'TimeDistributed', inputs: [[4, 6]], params: { layer: { kind: 'Dropout', params: { rate: 0.3 } } } },
  { kind: 'TimeDistributed', inputs: [[null, 6]], params: { layer: { kind: 'Activation', params: { activation: 'softmax' } } } },
  // Return state: the final states as more outputs ([units] each); initial states as inputs after the sequence
  { kind: 'LSTM', inputs: [[10, 4]], params: { units: 6, returnState: true } },
  { kind: 'LSTM', inputs: [[10, 4]], params: { units: 6, returnState: true, returnSequences: true } },
  { kind: 'LSTM', inputs: [[null, 4], [6], [6]], params: { units: 6 } },
  { kind: 'LSTM', inputs: [[7, 3], [5], [5]], params: { units: 5, returnState: true, returnSequences: true } },
  { kind: 'GRU', inputs: [[10, 4]], params: { units: 3, returnState: true } },
  { kind: 'GRU', inputs: [[10, 4], [3]], params: { units: 3, returnSequences: true } },
  { kind: 'GRU', inputs: [[8, 2], [4]], params: { units: 4, returnState: true, resetAfter: false } },
  { kind: 'SimpleRNN', inputs: [[10, 4]], params: { units: 3, returnState: true } },
  { kind: 'SimpleRNN', inputs: [[null, 4], [2]], params: { units: 2, returnState: true, returnSequences: true } },
];

export const REJECTED: Case[] = [
  // SimpleRNN
  { kind: 'SimpleRNN', inputs: [[64]] },
  { kind: 'SimpleRNN', inputs: [[28, 28, 1]] },
  { kind: 'SimpleRNN', inputs: [[5, null]] },
  // Bidirectional: the wrapped layer's own checks
  { kind: 'Bidirectional', inputs: [[64]] },
  { kind: 'Bidirectional', inputs: [[28, 28, 1]], params: { layer: gru() } },
  { kind: 'Bidirectional', inputs: [[5, null]], params: { layer: rnn() } },
  // TimeDistributed: no time axis, or a step the wrapped layer cannot take
  { kind: 'TimeDistributed', inputs: [[8]] },
  { kind: 'TimeDistributed', inputs: [[4, 16]], params: { layer: { kind: 'Conv2D', params: {} } } },
  { kind: 'TimeDistributed', inputs: [[4, 2, 2, 1]], params: { layer: { kind: 'Conv2D', params: { kernelSize: [3, 3] } } } },
  // Initial states: all of them or none, each one value per unit
  { kind: 'LSTM', inputs: [[10, 4], [6]], params: { units: 6 } },
  { kind: 'LSTM', inputs: [[10, 4], [5], [5]], params: { units: 6 } },
  { kind: 'GRU', inputs: [[10, 4], [4]], params: { units: 3 } },
  { kind: 'SimpleRNN', inputs: [[10, 4], [2, 3]], params: { units: 2 } },
];
