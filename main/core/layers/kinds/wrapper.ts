import type { LayerValue, ParamDefs, ParamValues } from '../params';
import { InnerLayer, type AnyLayerSpec, type CheckContext, type ShapeCheck } from '../types';
import type { Shape } from '../../shapes';
import { KerasImportError, kerasInnerLayer } from '../../import/kerasConfig';

/**
 * Helpers of the wrapper kinds (Bidirectional, TimeDistributed): a wrapper holds a whole layer in a `layer` param
 * and delegates the shape check, the count and the tfjs config to that layer's own spec, so nothing about the
 * wrapped kinds is written twice.
 */

/** The spec a `layer` param's value names, among the kinds the wrapper takes. */
export function wrappedSpec(options: readonly AnyLayerSpec[], value: LayerValue): AnyLayerSpec {
  const spec = options.find((s) => s.kind === value.kind);
  // The param schema only lets through kinds among the options; this guards direct callers.
  if (!spec) throw new Error(`A wrapper cannot hold a ${value.kind} layer; it takes ${options.map((s) => s.kind).join(', ')}.`);
  return spec;
}

/** The wrapped layer's params: the `layer` param's schema has checked them and filled in the defaults. */
function wrappedParams(value: LayerValue): ParamValues<ParamDefs> {
  return value.params as ParamValues<ParamDefs>;
}

/** The wrapped layer's shape check, on the wrapper's input (or on one step of it). */
export function wrappedShape(options: readonly AnyLayerSpec[], value: LayerValue, input: Shape, ctx: CheckContext): ShapeCheck {
  return wrappedSpec(options, value).inferShape([input], wrappedParams(value), ctx);
}

export function wrappedCount(options: readonly AnyLayerSpec[], value: LayerValue, input: Shape): number {
  return wrappedSpec(options, value).countParams([input], wrappedParams(value));
}

export function wrappedNonTrainable(options: readonly AnyLayerSpec[], value: LayerValue, input: Shape): number {
  return wrappedSpec(options, value).countNonTrainable?.([input], wrappedParams(value)) ?? 0;
}

/** The `layer` entry of the wrapper's tfjs config: built by the compiler, printed as `tf.layers.x({...})` in code. */
export function wrappedLayer(options: readonly AnyLayerSpec[], value: LayerValue): InnerLayer {
  const spec = wrappedSpec(options, value);
  return new InnerLayer(spec, spec.tfjs.config(wrappedParams(value)));
}

/**
 * The weights a wrapper penalizes: those of every kind it may hold. tfjs names the wrapped weights
 * "<wrapper>/<inner>/kernel", and the training loop matches the last part, so kernels stay penalized and biases not.
 */
export function wrappedPenalizedWeights(options: readonly AnyLayerSpec[]): string[] {
  return [...new Set(options.flatMap((s) => s.penalizedWeights))];
}

/**
 * The `layer` param of a wrapper imported from Keras: the wrapped layer's class among the kinds the wrapper takes,
 * converted by that kind's own `keras` field. Its dropped settings are reported under "layer.".
 */
export function kerasWrapped(options: readonly AnyLayerSpec[], value: unknown): { layer: LayerValue; dropped: string[] } {
  const inner = kerasInnerLayer(value);
  const spec = options.find((s) => [s.keras?.className ?? []].flat().includes(inner.className));
  if (!spec?.keras) throw new KerasImportError(`it wraps a ${inner.className}, and it can only wrap ${options.map((s) => s.kind).join(', ')}`);
  const converted = spec.keras.params(inner.config);
  return { layer: { kind: spec.kind, params: converted.params }, dropped: (converted.dropped ?? []).map((d) => `layer.${d}`) };
}
