/**
 * The harness every layer-kind test uses: builds one configuration the way the compiler does (stock tfjs factory or
 * Neurowire's custom class), runs it on real tensors, and tells whether tfjs rejects it. Case lists live in
 * ./*.cases.ts, one file per family of kinds; layers.test.ts checks every case of every file against tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { requireLayerSpec } from '../../../main/core/layers/registry';
import { applyLayer, buildLayer } from '../../../main/core/compile';
import { paramsSchema } from '../../../main/core/layers/params';
import type { AnyLayerSpec, ShapeCheck } from '../../../main/core/layers/types';
import { formatShape, type Shape } from '../../../main/core/shapes';

/** One configuration of one layer kind, fed with one shape per incoming edge. */
export interface Case {
  kind: string;
  inputs: Shape[];
  params?: Record<string, unknown>;
  /** Concrete per-sample input shapes for the run check where the default (unknown axes → 6) does not fit. */
  runWith?: number[][];
}

export type SpecParams = Parameters<AnyLayerSpec['countParams']>[1];

export function parse(spec: AnyLayerSpec, params: Record<string, unknown> = {}): SpecParams {
  return paramsSchema(spec.params).parse(params) as SpecParams;
}

export function check(c: Case, name = 'layer_1'): ShapeCheck {
  const spec = requireLayerSpec(c.kind);
  return spec.inferShape(c.inputs, parse(spec, c.params), { name });
}

export function describeCase(c: Case): string {
  return `${c.kind}(${JSON.stringify(c.params ?? {})}) on ${c.inputs.map(formatShape).join(' + ')}`;
}

export const layerFactories = tf.layers as unknown as Record<string, (config: Record<string, unknown>) => tf.layers.Layer>;

/**
 * Builds the layer the way the compiler does and applies it to symbolic inputs. `output` is the main output,
 * `outputs` all of them (an LSTM returning its state: output, h, c).
 */
export function buildInTfjs(c: Case): { layer: tf.layers.Layer | null; inputs: tf.SymbolicTensor[]; output: tf.SymbolicTensor; outputs: tf.SymbolicTensor[] } {
  const spec = requireLayerSpec(c.kind);
  const params = parse(spec, c.params);
  if (spec.kind === 'Input') {
    const config = spec.tfjs.config(params) as { shape: number[] };
    const input = tf.input({ shape: config.shape });
    return { layer: null, inputs: [input], output: input, outputs: [input] };
  }
  const layer = buildLayer(tf, spec, spec.tfjs.config(params));
  const inputs = c.inputs.map((shape) => tf.input({ shape }));
  const applied = applyLayer(layer, inputs, spec.inputs.restAs);
  const outputs = Array.isArray(applied) ? applied : [applied];
  return { layer, inputs, output: outputs[0], outputs };
}

/** Concrete sizes for a run: unknown axes get 6 (even, so Reshape(-1, 2) style cases divide). */
export function concrete(shape: Shape, batch = 2): number[] {
  return [batch, ...shape.map((d) => d ?? 6)];
}

/**
 * Runs the layer on real tensors (batch 2) and returns the per-sample output shape.
 * Throws where tfjs throws at run time.
 */
export function runInTfjs(c: Case): number[] {
  return runAllInTfjs(c)[0];
}

/** Like runInTfjs, for every output of the layer (main first). */
export function runAllInTfjs(c: Case): number[][] {
  const built = buildInTfjs(c);
  if (!built.layer) return [built.output.shape.slice(1) as number[]];
  return tf.tidy(() => {
    const xs = c.inputs.map((s, i) => tf.ones(c.runWith ? [2, ...c.runWith[i]] : concrete(s)));
    const applied = applyLayer(built.layer!, xs, requireLayerSpec(c.kind).inputs.restAs);
    const ys = Array.isArray(applied) ? applied : [applied];
    for (const y of ys) if (y.shape[0] !== 2) throw new Error(`batch axis changed from 2 to ${y.shape[0]}`);
    return ys.map((y) => y.shape.slice(1));
  });
}

/**
 * Whether tfjs rejects a configuration: it throws while building or running, or it builds a
 * symbolic shape that is not a real shape (sizes ≤ 0, or a shape its own run does not produce).
 */
export function tfjsRejects(c: Case): string | null {
  let symbolic: Shape;
  try {
    symbolic = buildInTfjs(c).output.shape.slice(1) as Shape;
  } catch (e) {
    return `build: ${(e as Error).message}`;
  }
  if (symbolic.some((d) => d !== null && (d === undefined || d <= 0))) return `symbolic shape ${JSON.stringify(symbolic)}`;
  let ran: number[];
  try {
    ran = runInTfjs(c);
  } catch (e) {
    return `run: ${(e as Error).message}`;
  }
  if (ran.length !== symbolic.length || symbolic.some((d, i) => d !== null && d !== ran[i])) {
    return `symbolic ${JSON.stringify(symbolic)} but ran ${JSON.stringify(ran)}`;
  }
  return null;
}

