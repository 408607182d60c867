/**
 * MNIST convolutional autoencoder: the network, as designed in Neurowire.
 *
 * Layer               Kind             Output shape  Parameters
 * ------------------  ---------------  ------------  ----------
 * input_1             Input            [28, 28, 1]            0
 * conv2d_1            Conv2D           [28, 28, 8]           80
 * max_pooling2d_1     MaxPooling2D     [14, 14, 8]            0
 * conv2d_2            Conv2D           [14, 14, 4]          292
 * max_pooling2d_2     MaxPooling2D     [7, 7, 4]              0
 * conv2d_transpose_1  Conv2DTranspose  [14, 14, 4]          148
 * up_sampling2d_1     UpSampling2D     [28, 28, 4]            0
 * conv2d_3            Conv2D           [28, 28, 1]           37
 *
 * Total parameters: 557
 * Shapes are per sample; TensorFlow.js adds the batch axis in front.
 */
import * as tf from '@tensorflow/tfjs';

/** Builds the network with the functional API, each layer applied to the layers that feed it. */
export function buildModel(): tf.LayersModel {
  // input_1 (Input): samples of shape [28, 28, 1]
  const input1 = tf.input({ shape: [28, 28, 1], name: 'input_1' });
  // conv2d_1 (Conv2D): [28, 28, 1] → [28, 28, 8], 80 parameters
  const conv2d1 = tf.layers
    .conv2d({
      filters: 8,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'same',
      dilationRate: [1, 1],
      activation: 'relu',
      useBias: true,
      name: 'conv2d_1',
    })
    .apply(input1) as tf.SymbolicTensor;
  // max_pooling2d_1 (MaxPooling2D): [28, 28, 8] → [14, 14, 8]
  const maxPooling2d1 = tf.layers
    .maxPooling2d({ poolSize: [2, 2], strides: [2, 2], padding: 'valid', name: 'max_pooling2d_1' })
    .apply(conv2d1) as tf.SymbolicTensor;
  // conv2d_2 (Conv2D): [14, 14, 8] → [14, 14, 4], 292 parameters
  const conv2d2 = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'same',
      dilationRate: [1, 1],
      activation: 'relu',
      useBias: true,
      name: 'conv2d_2',
    })
    .apply(maxPooling2d1) as tf.SymbolicTensor;
  // max_pooling2d_2 (MaxPooling2D): [14, 14, 4] → [7, 7, 4]
  const maxPooling2d2 = tf.layers
    .maxPooling2d({ poolSize: [2, 2], strides: [2, 2], padding: 'valid', name: 'max_pooling2d_2' })
    .apply(conv2d2) as tf.SymbolicTensor;
  // conv2d_transpose_1 (Conv2DTranspose): [7, 7, 4] → [14, 14, 4], 148 parameters
  const conv2dTranspose1 = tf.layers
    .conv2dTranspose({
      filters: 4,
      kernelSize: [3, 3],
      strides: [2, 2],
      padding: 'same',
      activation: 'relu',
      useBias: true,
      name: 'conv2d_transpose_1',
    })
    .apply(maxPooling2d2) as tf.SymbolicTensor;
  // up_sampling2d_1 (UpSampling2D): [14, 14, 4] → [28, 28, 4]
  const upSampling2d1 = tf.layers
    .upSampling2d({ size: [2, 2], interpolation: 'nearest', name: 'up_sampling2d_1' })
    .apply(conv2dTranspose1) as tf.SymbolicTensor;
  // conv2d_3 (Conv2D): [28, 28, 4] → [28, 28, 1], 37 parameters
  const conv2d3 = tf.layers
    .conv2d({
      filters: 1,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'same',
      dilationRate: [1, 1],
      activation: 'sigmoid',
      useBias: true,
      name: 'conv2d_3',
    })
    .apply(upSampling2d1) as tf.SymbolicTensor;
  return tf.model({ inputs: input1, outputs: conv2d3, name: 'neurowire_model' });
}
