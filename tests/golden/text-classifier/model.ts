/**
 * Review sentiment: the network, as designed in Neurowire.
 *
 * Layer                       Kind                    Output shape  Parameters
 * --------------------------  ----------------------  ------------  ----------
 * input_1                     Input                   [12]                   0
 * embedding_1                 Embedding               [12, 8]               64
 * global_average_pooling1d_1  GlobalAveragePooling1D  [8]                    0
 * dense_1                     Dense                   [1]                    9
 *
 * Total parameters: 73
 * Shapes are per sample; TensorFlow.js adds the batch axis in front.
 */
import * as tf from '@tensorflow/tfjs';

/** Builds the network with the functional API, each layer applied to the layers that feed it. */
export function buildModel(): tf.LayersModel {
  // input_1 (Input): samples of shape [12]
  const input1 = tf.input({ shape: [12], name: 'input_1' });
  // embedding_1 (Embedding): [12] → [12, 8], 64 parameters
  const embedding1 = tf.layers
    .embedding({ inputDim: 8, outputDim: 8, maskZero: false, name: 'embedding_1' })
    .apply(input1) as tf.SymbolicTensor;
  // global_average_pooling1d_1 (GlobalAveragePooling1D): [12, 8] → [8]
  const globalAveragePooling1d1 = tf.layers
    .globalAveragePooling1d({ name: 'global_average_pooling1d_1' })
    .apply(embedding1) as tf.SymbolicTensor;
  // dense_1 (Dense): [8] → [1], 9 parameters
  const dense1 = tf.layers
    .dense({ units: 1, activation: 'sigmoid', useBias: true, name: 'dense_1' })
    .apply(globalAveragePooling1d1) as tf.SymbolicTensor;
  return tf.model({ inputs: input1, outputs: dense1, name: 'neurowire_model' });
}
