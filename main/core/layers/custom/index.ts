import type * as tfTypes from '@tensorflow/tfjs';
import type { CustomLayer, CustomLayerClass, Tf } from './define';
import { SubtractLayer } from './subtract';
import { UpSampling1DLayer } from './upsampling1d';
import { ZeroPadding1DLayer } from './zeropadding1d';
import { Cropping1DLayer } from './cropping1d';
import { SpatialDropout2DLayer } from './spatialdropout2d';
import { ActivityRegularizationLayer } from './activityregularization';
import { MultiHeadAttentionLayer } from './multiHeadAttention';
import { PositionalEmbeddingLayer } from './positionalEmbedding';
import { TransformerEncoderLayer } from './transformerEncoder';
import { TransformerDecoderLayer } from './transformerDecoder';
import { GRULayer } from './gru';

/** Every custom layer class. Adding one means one file in this folder and one line here. */
export const CUSTOM_LAYERS: readonly CustomLayer[] = [
  SubtractLayer,
  UpSampling1DLayer,
  ZeroPadding1DLayer,
  Cropping1DLayer,
  SpatialDropout2DLayer,
  ActivityRegularizationLayer,
  MultiHeadAttentionLayer,
  PositionalEmbeddingLayer,
  TransformerEncoderLayer,
  TransformerDecoderLayer,
  GRULayer,
];

const defined = new WeakMap<object, Map<string, CustomLayerClass>>();

/**
 * Defines every custom layer class on `tf` and registers it for serialization (so `tf.loadLayersModel` and
 * `tf.models.modelFromJSON` find it), once per tfjs instance. Returns the classes by class name.
 */
export function registerCustomLayers(tf: Tf): ReadonlyMap<string, CustomLayerClass> {
  // The serialization registry lives in tfjs-core; key the cache by it so two handles on one tfjs share classes.
  const key = tf.serialization as object;
  let classes = defined.get(key);
  if (!classes) {
    classes = new Map();
    for (const layer of CUSTOM_LAYERS) {
      const cls = layer.define(tf);
      tf.serialization.registerClass(cls as unknown as Parameters<Tf['serialization']['registerClass']>[0]);
      classes.set(layer.className, cls);
    }
    defined.set(key, classes);
  }
  return classes;
}

/** Builds one custom layer by class name, e.g. for the compiler. */
export function makeCustomLayer(tf: Tf, className: string, config: Record<string, unknown>): tfTypes.layers.Layer {
  return new (customLayerClass(tf, className))(config);
}

/** One custom layer class by class name, defined and registered on `tf`; generated model.ts files use it. */
export function customLayerClass<L extends tfTypes.layers.Layer = tfTypes.layers.Layer>(tf: Tf, className: string): new (config: Record<string, unknown>) => L {
  const cls = registerCustomLayers(tf).get(className);
  if (!cls) throw new Error(`No custom layer class "${className}" is defined (main/core/layers/custom).`);
  // The caller names the type the class's instances have (e.g. RNN for GRU); the class is made to be one.
  return cls as unknown as new (config: Record<string, unknown>) => L;
}
