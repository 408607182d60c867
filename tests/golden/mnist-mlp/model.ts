/**
 * MNIST MLP: the network, as designed in Neurowire.
 *
 * Layer      Kind     Output shape  Parameters
 * ---------  -------  ------------  ----------
 * input_1    Input    [28, 28, 1]            0
 * flatten_1  Flatten  [784]                  0
 * dense_1    Dense    [128]            100,480
 * dense_2    Dense    [10]               1,290
 *
 * Total parameters: 101,770
 * Shapes are per sample; TensorFlow.js adds the batch axis in front.
 */
import * as tf from '@tensorflow/tfjs';

/** Builds the network with the functional API, each layer applied to the layers that feed it. */
export function buildModel(): tf.LayersModel {
  // input_1 (Input): samples of shape [28, 28, 1]
  const input1 = tf.input({ shape: [28, 28, 1], name: 'input_1' });
  // flatten_1 (Flatten): [28, 28, 1] → [784]
  const flatten1 = tf.layers.flatten({ name: 'flatten_1' }).apply(input1) as tf.SymbolicTensor;
  // dense_1 (Dense): [784] → [128], 100,480 parameters
  const dense1 = tf.layers
    .dense({ units: 128, activation: 'relu', useBias: true, name: 'dense_1' })
    .apply(flatten1) as tf.SymbolicTensor;
  // dense_2 (Dense): [128] → [10], 1,290 parameters
  const dense2 = tf.layers
    .dense({ units: 10, activation: 'softmax', useBias: true, name: 'dense_2' })
    .apply(dense1) as tf.SymbolicTensor;
  return tf.model({ inputs: input1, outputs: dense2, name: 'neurowire_model' });
}
