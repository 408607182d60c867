/** Attention layers (Neurowire's own classes): configurations their classes accept (shapes and counts must match) and reject. */
import type { Case } from './harness';

export const ACCEPTED: Case[] = [
  // MultiHeadAttention: one input is self-attention; query + value (key = value); query, value, key.
  { kind: 'MultiHeadAttention', inputs: [[10, 32]], params: { numHeads: 4, keyDim: 8 } },
  { kind: 'MultiHeadAttention', inputs: [[10, 16], [7, 8]], params: { numHeads: 2, keyDim: 4, valueDim: 3 } },
  { kind: 'MultiHeadAttention', inputs: [[5, 6], [7, 8], [7, 3]], params: { numHeads: 3, keyDim: 2, outputDim: 10, useBias: false } },
  { kind: 'MultiHeadAttention', inputs: [[null, 8]], params: { numHeads: 2, keyDim: 4, useCausalMask: true } },
  { kind: 'MultiHeadAttention', inputs: [[6, 8], [null, 4], [5, 4]], params: { keyDim: 3, dropout: 0.2 }, runWith: [[6, 8], [5, 4], [5, 4]] },
  { kind: 'MultiHeadAttention', inputs: [[1, 3]], params: { numHeads: 1, keyDim: 1, valueDim: 2, useCausalMask: true } },
  // With its scores as a second output [heads, query steps, value steps]
  { kind: 'MultiHeadAttention', inputs: [[10, 32]], params: { numHeads: 4, keyDim: 8, returnAttentionScores: true } },
  { kind: 'MultiHeadAttention', inputs: [[6, 8], [9, 4]], params: { numHeads: 3, keyDim: 2, returnAttentionScores: true, useCausalMask: true } },
  // PositionalEmbedding
  { kind: 'PositionalEmbedding', inputs: [[10, 16]], params: { maxLength: 10 } },
  { kind: 'PositionalEmbedding', inputs: [[null, 8]], params: { mode: 'learned', maxLength: 32 } },
  { kind: 'PositionalEmbedding', inputs: [[12, 6]], params: { mode: 'sinusoidal' } },
  { kind: 'PositionalEmbedding', inputs: [[5, 7]], params: { mode: 'sinusoidal', maxLength: 2, maxWavelength: 100 } },
  { kind: 'PositionalEmbedding', inputs: [[null, null]], params: { mode: 'sinusoidal' } },
  // TransformerEncoder
  { kind: 'TransformerEncoder', inputs: [[10, 32]], params: {} },
  { kind: 'TransformerEncoder', inputs: [[null, 16]], params: { numHeads: 4, intermediateDim: 32, normFirst: true } },
  { kind: 'TransformerEncoder', inputs: [[7, 6]], params: { numHeads: 4, activation: 'gelu', dropout: 0 } },
  { kind: 'TransformerEncoder', inputs: [[5, 8]], params: { numHeads: 3, keyDim: 5, intermediateDim: 3, layerNormEpsilon: 0.001 } },
  // TransformerDecoder: the second input (an encoder output) adds cross-attention.
  { kind: 'TransformerDecoder', inputs: [[10, 16]], params: {} },
  { kind: 'TransformerDecoder', inputs: [[10, 16], [7, 12]], params: { numHeads: 4, intermediateDim: 24 } },
  { kind: 'TransformerDecoder', inputs: [[null, 8], [null, 6]], params: { numHeads: 4, normFirst: true }, runWith: [[5, 8], [3, 6]] },
  { kind: 'TransformerDecoder', inputs: [[6, 8], [6, 8]], params: { keyDim: 5, activation: 'gelu', dropout: 0.3 } },
];

export const REJECTED: Case[] = [
  { kind: 'MultiHeadAttention', inputs: [[32]] },
  { kind: 'MultiHeadAttention', inputs: [[4, 4, 3]] },
  { kind: 'MultiHeadAttention', inputs: [[10, 8], [7, 4], [5, 4]] },
  { kind: 'MultiHeadAttention', inputs: [[10, null]] },
  { kind: 'MultiHeadAttention', inputs: [[10, 8], [7, null]] },
  { kind: 'PositionalEmbedding', inputs: [[20, 8]], params: { maxLength: 10 } },
  { kind: 'PositionalEmbedding', inputs: [[16]] },
  { kind: 'PositionalEmbedding', inputs: [[5, null]], params: { mode: 'learned' } },
  { kind: 'PositionalEmbedding', inputs: [[28, 28, 1]], params: { mode: 'sinusoidal' } },
  { kind: 'TransformerEncoder', inputs: [[3, 2]], params: { numHeads: 4 } },
  { kind: 'TransformerEncoder', inputs: [[16]] },
  { kind: 'TransformerEncoder', inputs: [[5, null]] },
  { kind: 'TransformerDecoder', inputs: [[6, 8], [32]] },
  { kind: 'TransformerDecoder', inputs: [[5, 3]], params: { numHeads: 4 } },
  { kind: 'TransformerDecoder', inputs: [[4, 4, 2]] },
  { kind: 'TransformerDecoder', inputs: [[6, 8], [5, null]] },
];
