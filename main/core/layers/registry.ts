import type { AnyLayerSpec, LayerCategory } from './types';
import { Input } from './kinds/input';
import { Dense } from './kinds/dense';
import { Conv2D } from './kinds/conv2d';
import { MaxPooling2D } from './kinds/maxpooling2d';
import { Flatten } from './kinds/flatten';
import { Reshape } from './kinds/reshape';
import { Permute } from './kinds/permute';
import { RepeatVector } from './kinds/repeatvector';
import { Dropout } from './kinds/dropout';
import { SpatialDropout1D } from './kinds/spatialdropout1d';
import { SpatialDropout2D } from './kinds/spatialdropout2d';
import { GaussianNoise } from './kinds/gaussiannoise';
import { GaussianDropout } from './kinds/gaussiandropout';
import { ActivityRegularization } from './kinds/activityregularization';
import { Activation } from './kinds/activation';
import { ReLU } from './kinds/relu';
import { LeakyReLU } from './kinds/leakyrelu';
import { PReLU } from './kinds/prelu';
import { ELU } from './kinds/elu';
import { Softmax } from './kinds/softmax';
import { Add } from './kinds/add';
import { Subtract } from './kinds/subtract';
import { Multiply } from './kinds/multiply';
import { Average } from './kinds/average';
import { Maximum } from './kinds/maximum';
import { Minimum } from './kinds/minimum';
import { Concatenate } from './kinds/concatenate';
import { Dot } from './kinds/dot';
import { Embedding } from './kinds/embedding';
import { Conv1D } from './kinds/conv1d';
import { LSTM } from './kinds/lstm';
import { GRU } from './kinds/gru';
import { SimpleRNN } from './kinds/simplernn';
import { Bidirectional } from './kinds/bidirectional';
import { TimeDistributed } from './kinds/timedistributed';
import { GlobalAveragePooling2D } from './kinds/globalaveragepooling2d';
import { GlobalMaxPooling2D } from './kinds/globalmaxpooling2d';
import { GlobalAveragePooling1D } from './kinds/globalaveragepooling1d';
import { GlobalMaxPooling1D } from './kinds/globalmaxpooling1d';
import { BatchNormalization } from './kinds/batchnormalization';
import { LayerNormalization } from './kinds/layernormalization';
import { Conv2DTranspose } from './kinds/conv2dtranspose';
import { DepthwiseConv2D } from './kinds/depthwiseconv2d';
import { SeparableConv2D } from './kinds/separableconv2d';
import { MaxPooling1D } from './kinds/maxpooling1d';
import { AveragePooling1D } from './kinds/averagepooling1d';
import { AveragePooling2D } from './kinds/averagepooling2d';
import { UpSampling1D } from './kinds/upsampling1d';
import { UpSampling2D } from './kinds/upsampling2d';
import { ZeroPadding1D } from './kinds/zeropadding1d';
import { ZeroPadding2D } from './kinds/zeropadding2d';
import { Cropping1D } from './kinds/cropping1d';
import { Cropping2D } from './kinds/cropping2d';
import { PositionalEmbedding } from './kinds/positionalembedding';
import { MultiHeadAttention } from './kinds/multiheadattention';
import { TransformerEncoder } from './kinds/transformerencoder';
import { TransformerDecoder } from './kinds/transformerdecoder';

/**
 * Every layer kind Neurowire knows. Palette, inspector, validation, compiler, code generator
 * and docs all read this list; adding a layer kind means adding one file to ./kinds and one line here.
 */
export const LAYER_SPECS: readonly AnyLayerSpec[] = [
  Input,
  Dense,
  Embedding,
  PositionalEmbedding,
  Conv2D,
  Conv1D,
  Conv2DTranspose,
  DepthwiseConv2D,
  SeparableConv2D,
  LSTM,
  GRU,
  SimpleRNN,
  Bidirectional,
  TimeDistributed,
  MultiHeadAttention,
  TransformerEncoder,
  TransformerDecoder,
  MaxPooling2D,
  AveragePooling2D,
  MaxPooling1D,
  AveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  BatchNormalization,
  LayerNormalization,
  Flatten,
  Reshape,
  UpSampling2D,
  UpSampling1D,
  ZeroPadding2D,
  ZeroPadding1D,
  Cropping2D,
  Cropping1D,
  Permute,
  RepeatVector,
  Dropout,
  SpatialDropout1D,
  SpatialDropout2D,
  GaussianNoise,
  GaussianDropout,
  ActivityRegularization,
  Activation,
  ReLU,
  LeakyReLU,
  PReLU,
  ELU,
  Softmax,
  Add,
  Subtract,
  Multiply,
  Average,
  Maximum,
  Minimum,
  Concatenate,
  Dot,
];

const byKind = new Map(LAYER_SPECS.map((s) => [s.kind, s]));

export function getLayerSpec(kind: string): AnyLayerSpec | undefined {
  return byKind.get(kind);
}

export function requireLayerSpec(kind: string): AnyLayerSpec {
  const spec = byKind.get(kind);
  if (!spec) throw new Error(`Unknown layer kind "${kind}". Known kinds: ${[...byKind.keys()].join(', ')}.`);
  return spec;
}

/** True for a kind where samples enter the network (spec role 'input'); false for unknown kinds. */
export function isInputKind(kind: string): boolean {
  return byKind.get(kind)?.role === 'input';
}

const byClassName = new Map(LAYER_SPECS.map((s) => [s.tfjs.className, s]));

/**
 * The spec of a built tfjs layer, by its class name (`layer.getClassName()`). Replacement layers (e.g. the
 * wasm LSTM) report the stock class name, so they map to the stock spec.
 */
export function specOfClassName(className: string): AnyLayerSpec | undefined {
  return byClassName.get(className);
}

export const CATEGORY_ORDER: readonly LayerCategory[] = [
  'Input',
  'Core',
  'Embedding',
  'Convolution',
  'Recurrent',
  'Attention',
  'Pooling',
  'Normalization',
  'Reshape',
  'Regularization',
  'Merge',
];
