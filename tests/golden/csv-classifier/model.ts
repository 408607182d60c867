/**
 * Iris table: the network, as designed in Neurowire.
 *
 * Layer    Kind   Output shape  Parameters
 * -------  -----  ------------  ----------
 * input_1  Input  [7]                    0
 * dense_1  Dense  [16]                 128
 * dense_2  Dense  [3]                   51
 *
 * Total parameters: 179
 * Shapes are per sample; TensorFlow.js adds the batch axis in front.
 */
import * as tf from '@tensorflow/tfjs';

/** Builds the network with the functional API, each layer applied to the layers that feed it. */
export function buildModel(): tf.LayersModel {
  // input_1 (Input): samples of shape [7]
  const input1 = tf.input({ shape: [7], name: 'input_1' });
  // dense_1 (Dense): [7] → [16], 128 parameters
  const dense1 = tf.layers
    .dense({ units: 16, activation: 'relu', useBias: true, name: 'dense_1' })
    .apply(input1) as tf.SymbolicTensor;
  // dense_2 (Dense): [16] → [3], 51 parameters
  const dense2 = tf.layers
    .dense({ units: 3, activation: 'softmax', useBias: true, name: 'dense_2' })
    .apply(dense1) as tf.SymbolicTensor;
  return tf.model({ inputs: input1, outputs: dense2, name: 'neurowire_model' });
}
