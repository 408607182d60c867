/**
 * Graph → tf.LayersModel. Pure: it uses only the `tf` passed in (type-only tfjs import), so the same code
 * builds the model in the Node training worker and in a Chromium compute page (WebGPU/WebGL).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Graph } from './project';
import { analyzeGraph } from './graph/analyze';
import { incomingPorts } from './graph/analyze';
import { parseParams } from './graph/analyze';
import { requireLayerSpec } from './layers/registry';
import { makeCustomLayer } from './layers/custom';
import { InnerLayer, layerConfig, type AnyLayerSpec } from './layers/types';
import { alwaysInference, runsInferenceWhenFrozen } from './layers/inference';

type Tf = typeof tfTypes;

export class GraphCompileError extends Error {
  constructor(
    message: string,
    /** Name of the layer the error belongs to, when there is one. */
    readonly layerName?: string,
  ) {
    super(message);
    this.name = 'GraphCompileError';
  }
}

/**
 * Builds a tf.LayersModel from the graph with the functional API (any DAG: branches, skips, merges).
 * The friendly analysis runs first so the person sees our messages; tfjs then has the last word
 * on anything it still rejects, and its error is attributed to the layer being built.
 */
/**
 * Replacement factories by tfjs factory name, for a faster implementation of the same layer on one backend
 * (e.g. a fused LSTM on wasm). A replacement must have the same weights and serialize as the stock layer,
 * so saved models and generated code stay plain tfjs.
 */
export type LayerFactoryOverrides = { [F in keyof Tf['layers']]?: Tf['layers'][F] extends (args: infer A) => unknown ? (args: A) => tfTypes.layers.Layer : never };

function stockLayer(tf: Tf, factoryName: string, overrides: LayerFactoryOverrides, config: Record<string, unknown>): tfTypes.layers.Layer {
  const factory = ((overrides as Record<string, unknown>)[factoryName] ?? (tf.layers as unknown as Record<string, unknown>)[factoryName]) as ((cfg: object) => tfTypes.layers.Layer) | undefined;
  if (typeof factory !== 'function') throw new Error(`tf.layers.${factoryName} does not exist`);
  return factory(config);
}

/**
 * Builds one layer from its spec's tfjs config (with `name` where the caller gives one): Neurowire's own class for a
 * custom spec, else the tf.layers factory. A layer inside the config (a wrapper's `layer`) is built first; it is
 * built stock, without overrides, since a wrapper copies it through its serialized config (Bidirectional's
 * backward layer), which a replacement would not survive.
 */
export function buildLayer(tf: Tf, spec: AnyLayerSpec, config: Record<string, unknown>, overrides: LayerFactoryOverrides = {}): tfTypes.layers.Layer {
  const built: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) built[key] = value instanceof InnerLayer ? buildLayer(tf, value.spec, value.config) : value;
  return spec.tfjs.custom ? makeCustomLayer(tf, spec.tfjs.className, built) : stockLayer(tf, spec.tfjs.factory, overrides, built);
}

export function compileGraph(tf: Tf, graph: Graph, modelName = 'neurowire_model', overrides: LayerFactoryOverrides = {}): tfTypes.LayersModel {
  const analysis = analyzeGraph(graph);
  if (!analysis.valid) {
    const nodeProblem = graph.nodes.map((n) => ({ n, e: analysis.nodes[n.id]?.errors[0] })).find((x) => x.e);
    if (nodeProblem) throw new GraphCompileError(nodeProblem.e!, nodeProblem.n.name);
    throw new GraphCompileError(analysis.errors[0] ?? 'The network is not valid.');
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingPorts(graph);
  /** Each layer's outputs, main first (an LSTM returning its state: output, h, c). */
  const outputs = new Map<string, tfTypes.SymbolicTensor[]>();
  for (const id of analysis.order) {
    const node = byId.get(id)!;
    const spec = requireLayerSpec(node.kind);
    const parsed = parseParams(node);
    if (!parsed.ok) throw new GraphCompileError(`${node.name}: ${parsed.error}`, node.name);
    try {
      if (spec.role === 'input') {
        outputs.set(id, [tf.input({ ...spec.tfjs.config(parsed.params), name: node.name } as Parameters<Tf["input"]>[0])]);
        continue;
      }
      const layer = buildLayer(tf, spec, layerConfig(spec, parsed.params, node.name, node.trainable !== false), overrides);
      if (node.trainable === false) layer.trainable = false; // also for a custom class that keeps its own config
      if (runsInferenceWhenFrozen(spec, node.trainable)) alwaysInference(layer);
      const ins = (incoming.get(id) ?? []).map(({ source, port }) => outputs.get(source)![port]);
      const out = applyLayer(layer, ins, spec.inputs.restAs);
      outputs.set(id, Array.isArray(out) ? out : [out]);
    } catch (e) {
      throw new GraphCompileError(`${node.name} (${spec.label}): TensorFlow.js rejected this layer — ${(e as Error).message}`, node.name);
    }
  }
  const inputs = analysis.inputIds.map((id) => outputs.get(id)![0]);
  const outs = analysis.outputIds.map((id) => outputs.get(id)![0]);
  return tf.model({ inputs, outputs: outs.length === 1 ? outs[0] : outs, name: modelName });
}

/** Calls a built layer on its inputs the way its spec says (see LayerSpec `inputs.restAs`): symbolic or real tensors. */
export function applyLayer<T extends tfTypes.SymbolicTensor | tfTypes.Tensor>(layer: tfTypes.layers.Layer, ins: T[], restAs: AnyLayerSpec['inputs']['restAs']): T | T[] {
  if (restAs === 'initialState' && ins.length > 1) return layer.apply(ins[0], { initialState: ins.slice(1) }) as T | T[];
  // A list of one kind of tensor: tfjs types `apply` as taking Tensor[] or SymbolicTensor[], not a list of either.
  return layer.apply((ins.length === 1 ? ins[0] : ins) as tfTypes.Tensor[] | tfTypes.SymbolicTensor[]) as T | T[];
}
