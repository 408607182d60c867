import type { AnyLayerSpec, LayerCategory } from './types';
import { Input } from './kinds/input';
import { Dense } from './kinds/dense';
import { Conv2D } from './kinds/conv2d';
import { MaxPooling2D } from './kinds/maxpooling2d';
import { Flatten } from './kinds/flatten';
import { Reshape } from './kinds/reshape';
import { Dropout } from './kinds/dropout';
import { Activation } from './kinds/activation';
import { Add } from './kinds/add';
import { Concatenate } from './kinds/concatenate';
import { Embedding } from './kinds/embedding';
import { Conv1D } from './kinds/conv1d';
import { LSTM } from './kinds/lstm';
import { GRU } from './kinds/gru';
import { GlobalAveragePooling2D } from './kinds/globalaveragepooling2d';
import { GlobalMaxPooling2D } from './kinds/globalmaxpooling2d';
import { GlobalAveragePooling1D } from './kinds/globalaveragepooling1d';
import { GlobalMaxPooling1D } from './kinds/globalmaxpooling1d';
import { BatchNormalization } from './kinds/batchnormalization';
import { LayerNormalization } from './kinds/layernormalization';
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
  LSTM,
  GRU,
  MultiHeadAttention,
  TransformerEncoder,
  TransformerDecoder,
  MaxPooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  BatchNormalization,
  LayerNormalization,
  Flatten,
  Reshape,
  Dropout,
  Activation,
  Add,
  Concatenate,
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
