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
  /**
   * The Python (Keras) class the exported model.py builds this layer with, where it is not `keras.layers.<className>`
   * taking the same snake_case config (core/codegen/keras.ts). Absent: Keras has the layer under the same name.
   */
  keras?: KerasEquivalent;
}

/** How a custom layer is written in an exported Keras model.py. */
export interface KerasEquivalent {
  /**
   * The Python module holding the class: 'keras.layers' (the default), 'keras_hub.layers', or one of the app's own
   * modules in main/python (e.g. 'neurowire_layers'), which the export ships next to model.py.
   */
  module?: string;
  /** The class name in that module; the custom class's own name when absent. */
  className?: string;
  /** Config keys that Keras takes when the layer is called, not when it is made (MultiHeadAttention's `use_causal_mask`). */
  callArguments?: readonly string[];
  /**
   * How many inputs the Keras call requires, where the app's class takes fewer and uses its first for the rest
   * (MultiHeadAttention's self-attention: the query is the value too); the call repeats the first input.
   */
  requiredInputs?: number;
  /**
   * The Python class's arguments from the layer's snake_case config (model.json's), where they differ. Throws an Error
   * naming the layer and the setting where the Python class cannot do the same computation.
   */
  config?(config: Record<string, unknown>): Record<string, unknown>;
}

export function defineCustomLayer(layer: CustomLayer): CustomLayer {
  return layer;
}
