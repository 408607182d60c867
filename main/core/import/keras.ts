/**
 * Imports the architecture of a Keras or TensorFlow.js layers model: a tfjs `model.json` (its `modelTopology`), a
 * Keras `model.to_json()` file (Keras 2 or Keras 3), or the bare `{class_name, config}` topology. Sequential and
 * functional models, nested models flattened into one graph. What each Keras class becomes is the `keras` field of
 * the layer specs; this module only walks the model and wires the nodes. It never half-imports: a model with any
 * layer Neurowire cannot represent gives the list of those layers and no project.
 */
import { LAYER_SPECS } from '../layers/registry';
import { paramsSchema } from '../layers/params';
import type { AnyLayerSpec } from '../layers/types';
import { analyzeGraph, topologicalOrder } from '../graph/analyze';
import { describeValue, emptyProject, type Graph, type Project, type ProjectEdge, type ProjectNode } from '../project';
import type { Shape } from '../shapes';
import { KerasImportError, kerasBatchSize, kerasSampleShape, type KerasConfig } from './kerasConfig';
import type { NodeWeights } from '../nodeWeights';
import { weightsByNode, type NamedWeight } from './kerasWeights';

export * from './kerasConfig';
export * from './kerasWeights';

/** One row of the Keras-style summary, as Neurowire's analysis sees the imported layer. */
export interface ImportedLayer {
  name: string;
  /** Neurowire kind, e.g. "Dense". */
  kind: string;
  /** The Keras class it came from ("InputLayer" for an input made from a first layer's batch_input_shape). */
  className: string;
  outputShape: Shape | null;
  params: number;
}

export interface KerasImportSummary {
  layers: ImportedLayer[];
  /** analyzeGraph's total: what tfjs's countParams() gives for the same model. */
  totalParams: number;
  /** Problems Neurowire's analysis finds in the imported graph (it is written all the same: the editor shows them). */
  errors: string[];
}

/** A layer whose class Neurowire does not know, or whose settings it cannot represent (then `reason` says which). */
export interface UnknownLayer {
  name: string;
  className: string;
  reason?: string;
}

/** The weights an import kept: per node, and the names of the file's weights that belong to no layer. */
export interface ImportedWeights {
  byNode: NodeWeights;
  unused: string[];
}

export type KerasImportResult =
  | { project: Project; summary: KerasImportSummary; dropped: { layer: string; settings: string[] }[]; weights?: ImportedWeights }
  | { unknown: UnknownLayer[] };

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

const specByKerasClass = new Map<string, AnyLayerSpec>();
for (const spec of LAYER_SPECS) {
  for (const className of [spec.keras?.className ?? []].flat()) specByKerasClass.set(className, spec);
}

/** The Keras classes the importer knows, for messages. */
export function importableKerasClasses(): string[] {
  return [...specByKerasClass.keys()].sort();
}

interface KerasLayer {
  class_name: string;
  config: KerasConfig;
  name?: string;
  inbound_nodes?: unknown[];
}

/** A reference to one output tensor: layer name, which call of it, which of its outputs. */
interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `{class_name, config}` of the model, wherever the file keeps it. */
function topologyOf(json: unknown): KerasLayer {
  if (!isObject(json)) throw new KerasImportError('the file is not a Keras or TensorFlow.js model (expected a JSON object)');
  if (json.format === 'graph-model') {
    throw new KerasImportError(
      'this is a TensorFlow.js graph model (converted from a SavedModel or frozen graph), which has no layers to import — convert the Keras model with tensorflowjs_converter --input_format keras instead',
    );
  }
  let topology: unknown = json.modelTopology ?? json;
  if (isObject(topology) && isObject(topology.model_config)) topology = topology.model_config;
  if (!isObject(topology) || typeof topology.class_name !== 'string' || topology.config === undefined) {
    throw new KerasImportError('the file is not a Keras or TensorFlow.js layers model (no "class_name" and "config" of a model found)');
  }
  if (!MODEL_CLASSES.has(topology.class_name)) {
    throw new KerasImportError(`the file holds a ${describeValue(topology.class_name)}, not a Sequential or functional model`);
  }
  return topology as unknown as KerasLayer;
}

/**
 * A layer entry as the builder reads it: whatever a damaged file holds in its place (null, a number, a layer without
 * class_name or with a config that is not an object) becomes a layer of no known class, listed as one it cannot import.
 */
function layersOf(value: unknown): KerasLayer[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry): KerasLayer => {
    const layer = isObject(entry) ? entry : {};
    const className = typeof layer.class_name === 'string' ? layer.class_name : '(no class_name)';
    const config = isObject(layer.config) || (MODEL_CLASSES.has(className) && Array.isArray(layer.config)) ? (layer.config as KerasConfig) : {};
    return { ...layer, class_name: className, config } as KerasLayer;
  });
}

function isRefArray(value: unknown): value is [string, number, number, ...unknown[]] {
  return Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number' && typeof value[2] === 'number';
}

/** Keras 3's `{class_name: '__keras_tensor__', config: {keras_history: [layer, node, tensor]}}`. */
function kerasTensorRef(value: unknown): TensorRef | null {
  if (!isObject(value) || value.class_name !== '__keras_tensor__' || !isObject(value.config)) return null;
  const history = value.config.keras_history;
  return isRefArray(history) ? { layer: history[0], node: history[1], tensor: history[2] } : null;
}

/**
 * Keyword arguments that carry a layer's inputs (the query, value and key of an attention; the initial state of an
 * RNN), in Neurowire's edge order.
 */
const TENSOR_KWARGS = ['inputs', 'query', 'value', 'key', 'initial_state'];

/**
 * Keyword arguments of a call that are settings of the layer in Neurowire: Keras passes an attention's causal mask
 * and whether it returns its scores when calling it; Neurowire's layer keeps them in its config.
 */
const SETTING_KWARGS = ['use_causal_mask', 'return_attention_scores'];

/** The SETTING_KWARGS of one call (Keras 2: in the first input's ref; Keras 3: in `kwargs`). */
function settingsOfCall(call: unknown): KerasConfig {
  const kwargs = isObject(call) ? call.kwargs : Array.isArray(call) && isRefArray(call[0]) ? call[0][3] : undefined;
  const settings: KerasConfig = {};
  if (isObject(kwargs)) for (const key of SETTING_KWARGS) if (kwargs[key] !== undefined) settings[key] = kwargs[key];
  return settings;
}

/** One output of a layer in the graph being built: the node and which of its outputs (0, its main one). */
interface Port {
  node: string;
  port: number;
}

/** Every tensor of one call, in argument order: positional first, then the input keyword arguments. */
function refsOfCall(call: unknown): TensorRef[] {
  const refs: TensorRef[] = [];
  const walk = (value: unknown) => {
    const k3 = kerasTensorRef(value);
    if (k3) refs.push(k3);
    else if (isRefArray(value)) {
      refs.push({ layer: value[0], node: value[1], tensor: value[2] });
      // Keras 2 keeps the other tensors of a call (an attention's value and key) in the first one's kwargs.
      if (isObject(value[3])) for (const key of TENSOR_KWARGS) if (value[3][key] !== undefined) walk(value[3][key]);
    } else if (Array.isArray(value)) value.forEach(walk);
  };
  if (isObject(call)) {
    // Keras 3: {args: [...], kwargs: {...}}
    walk(call.args);
    if (isObject(call.kwargs)) for (const key of TENSOR_KWARGS) if (call.kwargs[key] !== undefined) walk(call.kwargs[key]);
  } else walk(call);
  return refs;
}

/** `input_layers` / `output_layers`: a list of refs, or (Keras 3, one tensor) a single ref. */
function refList(value: unknown): TensorRef[] {
  if (isRefArray(value)) return [{ layer: value[0], node: value[1], tensor: value[2] }];
  if (!Array.isArray(value)) return [];
  return value.filter(isRefArray).map((r) => ({ layer: r[0], node: r[1], tensor: r[2] }));
}

class GraphBuilder {
  readonly nodes: ProjectNode[] = [];
  readonly edges: ProjectEdge[] = [];
  readonly unknown: UnknownLayer[] = [];
  readonly dropped: { layer: string; settings: string[] }[] = [];
  readonly classNames = new Map<string, string>();
  /** Node id by the Keras layer name it came from (the first layer of that name: weights name layers by it). */
  readonly nodeByKerasName = new Map<string, string>();
  private readonly names = new Set<string>();
  /** Inside a nested model saved with trainable=false: its layers are frozen too. */
  private frozenDepth = 0;

  /** A valid, unused node name from a Keras name ("conv2d/1" → "conv2d_1"). */
  private nameFor(kerasName: string): string {
    let base = kerasName.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z]/.test(base)) base = `layer_${base}`;
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Adds the layer as its kind's node fed by `sources`; an unknown or unrepresentable layer is listed instead. */
  addLayer(layer: KerasLayer, sources: Port[]): string {
    const kerasName = String(layer.config?.name ?? layer.name ?? layer.class_name);
    const spec = specByKerasClass.get(layer.class_name);
    if (!spec?.keras) {
      this.unknown.push({ name: kerasName, className: layer.class_name });
      return `?${kerasName}`;
    }
    let converted: ReturnType<NonNullable<AnyLayerSpec['keras']>['params']>;
    try {
      converted = spec.keras.params(layer.config ?? {});
    } catch (e) {
      if (!(e instanceof KerasImportError)) throw e;
      this.unknown.push({ name: kerasName, className: layer.class_name, reason: e.message });
      return `?${kerasName}`;
    }
    const parsed = paramsSchema(spec.params).safeParse(converted.params);
    if (!parsed.success) {
      this.unknown.push({ name: kerasName, className: layer.class_name, reason: parsed.error.issues[0]?.message ?? 'its settings are not valid' });
      return `?${kerasName}`;
    }
    const name = this.nameFor(kerasName);
    const frozen = spec.role !== 'input' && (layer.config?.trainable === false || this.frozenDepth > 0);
    this.nodes.push({ id: name, kind: spec.kind, name, params: parsed.data as Record<string, unknown>, position: { x: 0, y: 0 }, ...(frozen ? { trainable: false } : {}) });
    this.classNames.set(name, layer.class_name);
    if (!this.nodeByKerasName.has(kerasName)) this.nodeByKerasName.set(kerasName, name);
    if (converted.dropped?.length) this.dropped.push({ layer: name, settings: converted.dropped });
    for (const { node, port } of sources) this.edges.push({ id: `e${this.edges.length + 1}`, source: node, target: name, ...(port > 0 ? { sourcePort: port } : {}) });
    return name;
  }

  /** An input node for a Sequential whose first layer carries the input shape (no InputLayer in the file). */
  addInput(kerasName: string, shape: (number | null)[], batchSize = 0): string {
    return this.addLayer({ class_name: 'InputLayer', config: { name: kerasName, batch_input_shape: [batchSize || null, ...shape] } }, []);
  }

  /** Expands a (possibly nested) model; `inputs` feed a nested model's inputs, null at the top. Returns its outputs. */
  expand(model: KerasLayer, inputs: Port[] | null): Port[] {
    const frozen = isObject(model.config) && model.config.trainable === false;
    if (frozen) this.frozenDepth++;
    try {
      return model.class_name === 'Sequential' ? this.expandSequential(model, inputs) : this.expandFunctional(model, inputs);
    } finally {
      if (frozen) this.frozenDepth--;
    }
  }

  private expandSequential(model: KerasLayer, inputs: Port[] | null): Port[] {
    // Keras before 2.2.3 wrote a Sequential's config as the bare list of layers.
    const config = Array.isArray(model.config) ? { layers: model.config } : isObject(model.config) ? model.config : {};
    const layers = layersOf(config.layers);
    let current: Port | null = inputs?.[0] ?? null;
    for (const layer of layers) {
      if (layer.class_name === 'InputLayer') {
        // A nested Sequential's own InputLayer: its input is what the outer model feeds it.
        if (current === null) current = { node: this.addLayer(layer, []), port: 0 };
        continue;
      }
      if (current === null && MODEL_CLASSES.has(layer.class_name)) {
        // A nested model first: it holds the input (its own InputLayer or first layer's shape).
        const outputs = this.expand(layer, null);
        if (outputs.length !== 1) {
          this.unknown.push({ name: String(layer.config?.name), className: layer.class_name, reason: 'a layer of a Sequential model must have exactly one output' });
          return [];
        }
        current = outputs[0];
        continue;
      }
      if (current === null) {
        const shape = kerasSampleShape(layer.config ?? {}) ?? (Array.isArray(config.build_input_shape) ? (config.build_input_shape as (number | null)[]).slice(1) : undefined);
        const layerName = String(layer.config?.name ?? 'layer');
        if (!shape) {
          this.unknown.push({ name: layerName, className: layer.class_name, reason: 'the model has no InputLayer and its first layer no batch_input_shape, so the input shape is unknown' });
          return [];
        }
        // A stateful first layer carries its fixed batch in batch_input_shape: the Input keeps it.
        current = { node: this.addInput(`${layerName}_input`, shape, kerasBatchSize(layer.config ?? {})), port: 0 };
      }
      const outputs = MODEL_CLASSES.has(layer.class_name) ? this.expand(layer, [current]) : [{ node: this.addLayer(layer, [current]), port: 0 }];
      if (outputs.length !== 1) {
        this.unknown.push({ name: String(layer.config?.name), className: layer.class_name, reason: 'a layer of a Sequential model must have exactly one output' });
        return [];
      }
      current = outputs[0];
    }
    return current === null ? [] : [current];
  }

  private expandFunctional(model: KerasLayer, inputs: Port[] | null): Port[] {
    const config: KerasConfig = isObject(model.config) ? model.config : {};
    const layers = layersOf(config.layers);
    /** Per layer name: for each of its calls (inbound nodes), its outputs, by tensor index. */
    const outputsOf = new Map<string, Port[][]>();
    const inputRefs = refList(config.input_layers);
    if (inputs) {
      inputRefs.forEach((ref, i) => {
        if (inputs[i] !== undefined) outputsOf.set(ref.layer, [[inputs[i]]]);
      });
    }
    /** A layer of this model gives its outputs as ports of its node; a nested model gives the ports of its outputs. */
    const ownLayer = new Set<string>();
    const resolve = (ref: TensorRef): Port | undefined => {
      const outputs = outputsOf.get(ref.layer)?.[ref.node];
      if (!outputs) return undefined;
      return ownLayer.has(ref.layer) && outputs[0] ? { node: outputs[0].node, port: ref.tensor } : outputs[ref.tensor];
    };
    let pending = layers;
    // Keras lists layers in call order; passes make the import independent of that.
    while (pending.length) {
      const left: KerasLayer[] = [];
      for (const layer of pending) {
        const name = String(layer.name ?? layer.config?.name);
        if (outputsOf.has(name)) continue;
        if (layer.class_name === 'InputLayer') {
          outputsOf.set(name, [[{ node: this.addLayer(layer, []), port: 0 }]]);
          continue;
        }
        const calls = layer.inbound_nodes ?? [];
        if (calls.length === 0) continue; // built but never called in this model
        if (calls.length > 1) {
          this.unknown.push({ name, className: layer.class_name, reason: `it is called ${calls.length} times (shared weights), and each Neurowire layer has its own weights` });
          outputsOf.set(name, []);
          continue;
        }
        const refs = refsOfCall(calls[0]);
        const sources = refs.map(resolve);
        if (sources.some((s) => s === undefined)) {
          left.push(layer);
          continue;
        }
        if (MODEL_CLASSES.has(layer.class_name)) outputsOf.set(name, [this.expand(layer, sources as Port[])]);
        else {
          const settings = settingsOfCall(calls[0]);
          const called = Object.keys(settings).length ? { ...layer, config: { ...layer.config, ...settings } } : layer;
          outputsOf.set(name, [[{ node: this.addLayer(called, sources as Port[]), port: 0 }]]);
          ownLayer.add(name);
        }
      }
      if (left.length === pending.length) {
        for (const layer of left) this.unknown.push({ name: String(layer.name ?? layer.config?.name), className: layer.class_name, reason: 'its inputs come from layers that are not in the model' });
        break;
      }
      pending = left;
    }
    return refList(config.output_layers)
      .map(resolve)
      .filter((s): s is Port => s !== undefined);
  }
}

/** Columns by depth (longest path from an input), rows in the order the layers came: a readable left-to-right layout. */
function layOut(graph: Graph): void {
  const depth = new Map<string, number>();
  const incoming = new Map<string, string[]>();
  for (const e of graph.edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
  for (const id of topologicalOrder(graph)) depth.set(id, Math.max(-1, ...(incoming.get(id) ?? []).map((s) => depth.get(s) ?? 0)) + 1);
  const rows = new Map<number, number>();
  for (const node of graph.nodes) {
    const column = depth.get(node.id) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    node.position = { x: 80 + column * 240, y: 80 + row * 140 };
  }
}

/**
 * Checks that every layer with parameters got weights holding as many values as it has parameters (the analysis's
 * count, which is tfjs's): each problem names the layer and what the file holds for it. Which weight goes where
 * within a layer, and each one's shape, is checked when the weights are set on the built model (nodeWeights.ts).
 */
function weightProblems(graph: Graph, analysis: ReturnType<typeof analyzeGraph>, byNode: NodeWeights): string[] {
  const problems: string[] = [];
  for (const node of graph.nodes) {
    const params = analysis.nodes[node.id]?.params ?? 0;
    const stored = byNode[node.id] ?? [];
    const held = stored.reduce((a, w) => a + w.values.length, 0);
    if (params > 0 && stored.length === 0) problems.push(`layer ${node.name}: the file has no weights for it (it has ${params} parameters)`);
    else if (held !== params) {
      const list = stored.map((w) => `${w.name} [${w.shape.join(', ')}]`).join(', ');
      problems.push(`layer ${node.name}: its weights in the file (${list}) hold ${held} values, but the layer has ${params} parameters`);
    }
  }
  return problems;
}

/**
 * A Neurowire project from a Keras or TensorFlow.js layers model's JSON, or the layers it cannot import. Throws a
 * KerasImportError when the file is not such a model at all, or when `weights` are given and do not fit the layers.
 * Builds no weights: counting is the analysis's job.
 */
export function importKerasModel(json: unknown, weights?: NamedWeight[]): KerasImportResult {
  const topology = topologyOf(json);
  const builder = new GraphBuilder();
  const outputs = builder.expand(topology, null);
  if (builder.unknown.length) return { unknown: builder.unknown };
  if (outputs.length === 0) throw new KerasImportError('the model has no outputs');
  // A Neurowire network's outputs are the main outputs of the layers that end it (not an LSTM's state, not scores).
  const sideOutputs = outputs.filter((o) => o.port > 0);
  if (sideOutputs.length) {
    return {
      unknown: sideOutputs.map((o) => ({
        name: o.node,
        className: builder.classNames.get(o.node) ?? o.node,
        reason: `the model gives its output ${o.port + 1} (a state or attention scores) as a model output; Neurowire's model outputs are the main outputs of the layers that end the network`,
      })),
    };
  }

  const graph: Graph = { nodes: builder.nodes, edges: builder.edges };
  layOut(graph);
  const modelName = typeof topology.config?.name === 'string' && topology.config.name.trim() ? topology.config.name : 'Imported model';
  const project: Project = {
    ...emptyProject(modelName.slice(0, 200)),
    description: `Imported from the Keras model "${modelName.slice(0, 100)}" (${weights ? 'with its trained weights' : 'architecture only; the file has no weights'}).`,
    graph,
  };
  const analysis = analyzeGraph(graph);
  let kept: ImportedWeights | undefined;
  if (weights) {
    kept = weightsByNode(weights, (name) => builder.nodeByKerasName.get(name));
    const problems = weightProblems(graph, analysis, kept.byNode);
    if (problems.length) throw new KerasImportError(`its weights do not fit its layers:\n  ${problems.join('\n  ')}`);
  }
  const layers = graph.nodes.map((n) => ({
    name: n.name,
    kind: n.kind,
    className: builder.classNames.get(n.id) ?? n.kind,
    outputShape: analysis.nodes[n.id]?.outputShape ?? null,
    params: analysis.nodes[n.id]?.params ?? 0,
  }));
  const errors = [...analysis.errors, ...graph.nodes.flatMap((n) => analysis.nodes[n.id]?.errors ?? [])];
  return { project, summary: { layers, totalParams: analysis.totalParams, errors }, dropped: builder.dropped, ...(kept ? { weights: kept } : {}) };
}
