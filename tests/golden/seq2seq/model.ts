/**
 * Sequence to sequence: the network, as designed in Neurowire.
 *
 * Layer      Kind                    Output shape  Parameters
 * ---------  ----------------------  ------------  ----------
 * steps      Input                   [8, 3]                 0
 * encoder    LSTM                    [16]               1,280
 * decoder    LSTM                    [8, 16]            1,280
 * attention  MultiHeadAttention      [8, 16]            1,088
 * pool       GlobalAveragePooling1D  [16]                   0
 * dense_1    Dense                   [2]                   34
 *
 * Total parameters: 3,682
 * Shapes are per sample; TensorFlow.js adds the batch axis in front.
 */
import * as tf from '@tensorflow/tfjs';
import { customLayerClass } from './src/neurowire/core/layers/custom';

// Layers TensorFlow.js does not have, from Neurowire's own classes (shipped in neurowire/); defining them also
// registers them, so tf.loadLayersModel reads a saved model that uses them.
const MultiHeadAttention = customLayerClass(tf, 'MultiHeadAttention');

/** Builds the network with the functional API, each layer applied to the layers that feed it. */
export function buildModel(): tf.LayersModel {
  // steps (Input): samples of shape [8, 3]
  const steps = tf.input({ shape: [8, 3], name: 'steps' });
  // encoder (LSTM): [8, 3] → [16], 1,280 parameters
  const encoder = tf.layers
    .lstm({
      units: 16,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      returnSequences: false,
      returnState: true,
      dropout: 0,
      recurrentDropout: 0,
      name: 'encoder',
    })
    .apply(steps) as tf.SymbolicTensor[];
  // decoder (LSTM): [8, 3] + [16] + [16] → [8, 16], 1,280 parameters
  const decoder = tf.layers
    .lstm({
      units: 16,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      returnSequences: true,
      dropout: 0,
      recurrentDropout: 0,
      name: 'decoder',
    })
    .apply(steps, { initialState: [encoder[1], encoder[2]] }) as tf.SymbolicTensor;
  // attention (MultiHeadAttention): [8, 16] → [8, 16], 1,088 parameters
  const attention = new MultiHeadAttention({
    numHeads: 2,
    keyDim: 8,
    valueDim: null,
    dropout: 0,
    useBias: true,
    useCausalMask: false,
    returnAttentionScores: true,
    outputShape: null,
    name: 'attention',
  }).apply(decoder) as tf.SymbolicTensor[];
  // pool (GlobalAveragePooling1D): [8, 16] → [16]
  const pool = tf.layers
    .globalAveragePooling1d({ name: 'pool' })
    .apply(attention[0]) as tf.SymbolicTensor;
  // dense_1 (Dense): [16] → [2], 34 parameters
  const dense1 = tf.layers
    .dense({ units: 2, activation: 'softmax', useBias: true, name: 'dense_1' })
    .apply(pool) as tf.SymbolicTensor;
  return tf.model({ inputs: steps, outputs: dense1, name: 'neurowire_model' });
}
