/**
 * Transformer reviews: the network, as designed in Neurowire.
 *
 * Layer                   Kind                 Output shape  Parameters
 * ----------------------  -------------------  ------------  ----------
 * input_1                 Input                [12]                   0
 * embedding_1             Embedding            [12, 16]             640
 * positional_embedding_1  PositionalEmbedding  [12, 16]             192
 * transformer_encoder_1   TransformerEncoder   [12, 16]           2,224
 * multi_head_attention_1  MultiHeadAttention   [12, 16]           1,088
 * bidirectional_1         Bidirectional        [16]               1,248
 * dense_1                 Dense                [3]                   51
 *
 * Total parameters: 5,443
 * Shapes are per sample; TensorFlow.js adds the batch axis in front.
 */
import * as tf from '@tensorflow/tfjs';
import { customLayerClass } from './src/neurowire/core/layers/custom';

// Layers TensorFlow.js does not have, from Neurowire's own classes (shipped in neurowire/); defining them also
// registers them, so tf.loadLayersModel reads a saved model that uses them.
const GRU = customLayerClass<tf.RNN>(tf, 'GRU');
const MultiHeadAttention = customLayerClass(tf, 'MultiHeadAttention');
const PositionalEmbedding = customLayerClass(tf, 'PositionalEmbedding');
const TransformerEncoder = customLayerClass(tf, 'TransformerEncoder');

/** Builds the network with the functional API, each layer applied to the layers that feed it. */
export function buildModel(): tf.LayersModel {
  // input_1 (Input): samples of shape [12]
  const input1 = tf.input({ shape: [12], name: 'input_1' });
  // embedding_1 (Embedding): [12] → [12, 16], 640 parameters
  const embedding1 = tf.layers
    .embedding({ inputDim: 40, outputDim: 16, maskZero: false, name: 'embedding_1' })
    .apply(input1) as tf.SymbolicTensor;
  // positional_embedding_1 (PositionalEmbedding): [12, 16] → [12, 16], 192 parameters
  const positionalEmbedding1 = new PositionalEmbedding({
    mode: 'learned',
    maxLength: 12,
    maxWavelength: 10000,
    name: 'positional_embedding_1',
  }).apply(embedding1) as tf.SymbolicTensor;
  // transformer_encoder_1 (TransformerEncoder): [12, 16] → [12, 16], 2,224 parameters
  const transformerEncoder1 = new TransformerEncoder({
    numHeads: 2,
    keyDim: 0,
    intermediateDim: 32,
    dropout: 0.1,
    activation: 'relu',
    normalizeFirst: false,
    layerNormEpsilon: 0.00001,
    name: 'transformer_encoder_1',
  }).apply(positionalEmbedding1) as tf.SymbolicTensor;
  // multi_head_attention_1 (MultiHeadAttention): [12, 16] → [12, 16], 1,088 parameters
  const multiHeadAttention1 = new MultiHeadAttention({
    numHeads: 2,
    keyDim: 8,
    valueDim: null,
    dropout: 0,
    useBias: true,
    useCausalMask: true,
    outputShape: null,
    name: 'multi_head_attention_1',
  }).apply(transformerEncoder1) as tf.SymbolicTensor;
  // bidirectional_1 (Bidirectional): [12, 16] → [16], 1,248 parameters
  const bidirectional1 = tf.layers
    .bidirectional({
      layer: new GRU({
        units: 8,
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        returnSequences: false,
        dropout: 0,
        recurrentDropout: 0,
        resetAfter: true,
        name: 'bidirectional_1_gru',
      }),
      mergeMode: 'concat',
      name: 'bidirectional_1',
    })
    .apply(multiHeadAttention1) as tf.SymbolicTensor;
  // dense_1 (Dense): [16] → [3], 51 parameters
  const dense1 = tf.layers
    .dense({ units: 3, activation: 'softmax', useBias: true, name: 'dense_1' })
    .apply(bidirectional1) as tf.SymbolicTensor;
  return tf.model({ inputs: input1, outputs: dense1, name: 'neurowire_model' });
}
