import type { Shape } from '../shapes';
import type { ParamDefs, ParamValues } from './params';

export type LayerCategory =
  | 'Input'
  | 'Core'
  | 'Embedding'
  | 'Convolution'
  | 'Recurrent'
  | 'Pooling'
  | 'Normalization'
  | 'Reshape'
  | 'Regularization'
  | 'Merge';

/** What a layer's shape check found: the output shape, or a human error; warnings either way. */
export type ShapeCheck =
  | { ok: true; shape: Shape; warnings?: string[] }
  | { ok: false; error: string; warnings?: string[] };

/** Context given to shape checks so messages can name the layer the person sees. */
export interface CheckContext {
  /** The node's display name, e.g. "dense_1". */
  name: string;
}

/**
 * How the layer is built in tfjs-layers. The same description builds the live model
 * (`tf.layers[factory](config)`) and the generated TypeScript (`tf.layers.factory({...})`),
 * so the two cannot drift apart.
 */
export interface TfjsBuild<P extends ParamDefs> {
  /** Name of the factory in `tf.layers`, e.g. "dense", "conv2d". Input nodes use `tf.input` instead. */
  factory: string;
  /** The config object passed to the factory (without `name`, which the compiler adds). */
  config(params: ParamValues<P>): Record<string, unknown>;
}

export interface LayerSpec<P extends ParamDefs = ParamDefs> {
  /** Stable identifier stored in project files, e.g. "Dense". Never rename. */
  kind: string;
  label: string;
  category: LayerCategory;
  /** One sentence for the palette tooltip and docs. */
  description: string;
  params: P;
  /** How many incoming edges the layer takes. Input: 0..0; most layers: 1..1; merges: 2..Infinity. */
  inputs: { min: number; max: number };
  /** Prefix for automatic node names, e.g. "dense" gives dense_1, dense_2, ... */
  namePrefix: string;
  /**
   * Friendly pre-check and shape inference. `inputs` has one shape per incoming edge (in edge order),
   * already checked to be `inputs.min..inputs.max` long. Must agree with tfjs's own shape for any
   * configuration tfjs accepts (tests compare them).
   */
  inferShape(inputs: Shape[], params: ParamValues<P>, ctx: CheckContext): ShapeCheck;
  /** Trainable + non-trainable weights, as tfjs `countParams()` reports them. */
  countParams(inputs: Shape[], params: ParamValues<P>): number;
  tfjs: TfjsBuild<P>;
}

/** Helper that keeps each layer file fully typed against its own parameter definitions. */
export function defineLayer<const P extends ParamDefs>(spec: LayerSpec<P>): LayerSpec<P> {
  return spec;
}

/** A spec whose params are treated as an opaque record: what registries and generic code use. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayerSpec = LayerSpec<any>;
