/**
 * Frozen layers that run as at prediction time while the model trains (LayerSpec `frozenRunsInference`). Keras
 * (since TF 2.0) runs a non-trainable BatchNormalization in inference mode: it normalizes with its moving mean and
 * variance and never updates them. tfjs keeps normalizing with each batch's statistics and keeps updating the
 * moving ones, so a "frozen" layer would still change. Pure: works on the layer object it is given.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { AnyLayerSpec } from './types';

/** True when a layer of this spec, trainable or not (`trainable` false: frozen), runs in inference mode always. */
export function runsInferenceWhenFrozen(spec: AnyLayerSpec, trainable: boolean | undefined): boolean {
  return trainable === false && spec.frozenRunsInference === true;
}

/**
 * Makes every call of the built layer an inference call (`training: false`), whatever the model is asked. The
 * layer's config and weights are unchanged, so it saves and loads as the stock layer (trainable false).
 */
export function alwaysInference<L extends tfTypes.layers.Layer>(layer: L): L {
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
  return layer;
}
