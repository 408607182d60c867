/**
 * Layers that tfjs-layers lacks (or gets wrong), written once as tfjs layer classes. main/core is pure and holds
 * tfjs only as a type, so each class is made by a function of the `tf` it runs on: the Node engine, the Chromium
 * compute page, a generated project and the stand-alone loader in an export folder all define the same class
 * from this one source and register it for serialization under the same name.
 */
import type * as tfTypes from '@tensorflow/tfjs';

export type Tf = typeof tfTypes;

/** A tfjs layer class as `tf.serialization.registerClass` takes it: constructible from its config, named. */
export type CustomLayerClass = (new (config: Record<string, unknown>) => tfTypes.layers.Layer) & { className: string };

export interface CustomLayer {
  /** The serialized class name (`model.json` `class_name`); where Keras has the layer, Keras's name. */
  className: string;
  /** Makes the class on the given tfjs. Called once per tfjs instance (see registerCustomLayers). */
  define(tf: Tf): CustomLayerClass;
}

export function defineCustomLayer(layer: CustomLayer): CustomLayer {
  return layer;
}
