import type { Graph, OutputLoss, ProjectEdge, ProjectNode } from '../project';
import type { Shape } from '../shapes';
import { formatShape, shapeFits, shapeSize } from '../shapes';
import { getLayerSpec, isInputKind, LAYER_SPECS } from '../layers/registry';
import type { ShapeCheck } from '../layers/types';
import { defaultParams } from '../layers/params';
import type { GraphEdit, ProblemFix } from './edits';
import { outputParamPatches } from './outputPatches';
import type { DatasetTarget } from '../datasets';
import { checkOutputFit, outputTarget, walkOutput, type FitTarget, type OutputChain } from '../outputFit';
import { paramsSchema, type ParamDefs, type ParamValues } from '../layers/params';
import type { z } from 'zod';

export interface NodeAnalysis {
  /** Output shape without the batch axis, or null where it cannot be known (error upstream or here). */
  outputShape: Shape | null;
  /** Shapes of the layer's outputs after the main one (an LSTM's states); empty for a layer with one output. */
  extraShapes: Shape[];
  /** Parameter count as tfjs reports it; 0 where unknown. */
  params: number;
  /** How many of them training does not change (BatchNormalization's moving statistics). */
  nonTrainable: number;
  errors: string[];
  warnings: string[];
  /** Repairs of this layer's errors and warnings, each tied to its message (see core/graph/edits.ts). */
  fixes: ProblemFix[];
}

export interface GraphAnalysis {
  nodes: Record<string, NodeAnalysis>;
  /** Problems not tied to one layer (no input, cycles, several outputs). */
  errors: string[];
  warnings: string[];
  /** Repairs of those graph-wide errors and warnings, each tied to its message. */
  fixes: ProblemFix[];
  totalParams: number;
  /** Node ids in an order where every node follows its inputs (only nodes not in a cycle). */
  order: string[];
  inputIds: string[];
  outputIds: string[];
  /** True when the graph can be compiled and trained. */
  valid: boolean;
}

/** Incoming edges of each node, in edge-list order (that order is the order of a merge's inputs). */
export function incomingEdges(graph: Graph): Map<string, string[]> {
  const incoming = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  // Like topologicalOrder, ignore connections from a layer that does not exist.
  for (const e of graph.edges) if (incoming.has(e.source)) incoming.get(e.target)?.push(e.source);
  return incoming;
}

/** Where a layer's input comes from: the source layer and which of its outputs (0, the main one; see `sourcePort`). */
export interface InputRef {
  source: string;
  port: number;
}

/** Like incomingEdges, with the output of the source each connection leaves from. */
export function incomingPorts(graph: Graph): Map<string, InputRef[]> {
  const incoming = new Map<string, InputRef[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) if (incoming.has(e.source)) incoming.get(e.target)?.push({ source: e.source, port: e.sourcePort ?? 0 });
  return incoming;
}

/** The shape of output `port` of an analysed layer: null where unknown, undefined where the layer has no such output. */
export function portShape(info: NodeAnalysis | undefined, port: number): Shape | null | undefined {
  if (!info?.outputShape) return null;
  return port === 0 ? info.outputShape : info.extraShapes[port - 1];
}

/** The names of a layer's outputs, main first ("output", then e.g. "state h", "state c"), with its current params. */
export function outputNames(node: ProjectNode): string[] {
  const spec = getLayerSpec(node.kind);
  const parsed = parseParams(node);
  const extra = spec?.outputs && parsed.ok ? spec.outputs.extra(parsed.params) : [];
  return ['output', ...extra];
}

/** Kahn's algorithm; nodes left out of the order sit on (or behind) a cycle. */
export function topologicalOrder(graph: Graph): string[] {
  const indegree = new Map(graph.nodes.map((n) => [n.id, 0]));
  const outgoing = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
    outgoing.get(e.source)!.push(e.target);
  }
  const queue = graph.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  // An index instead of queue.shift(), which would make long chains quadratic.
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    order.push(id);
    for (const next of outgoing.get(id) ?? []) {
      const d = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, d);
      if (d === 0) queue.push(next);
    }
  }
  return order;
}

/** The network's Inputs, and its outputs: the layers (not Inputs) that feed no other. */
export function graphEnds(graph: Graph): { inputIds: string[]; outputIds: string[] } {
  const hasOutgoing = new Set(graph.edges.map((e) => e.source));
  return {
    inputIds: graph.nodes.filter((n) => isInputKind(n.kind)).map((n) => n.id),
    outputIds: graph.nodes.filter((n) => !hasOutgoing.has(n.id) && !isInputKind(n.kind)).map((n) => n.id),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What analysis may know beyond the graph and the data. */
export interface AnalysisOptions {
  /** The training batch size: the size a fixed batch should have, and the one a fix of a missing fixed batch sets. */
  batchSize?: number;
  /** Results of earlier analyses of the same document, so an edit re-checks only the layers it reaches. */
  cache?: AnalysisCache;
}

/**
 * Shape inference and friendly validation for a whole graph, run on every edit.
 * Each layer's own spec checks its inputs; this function handles wiring and the fit to the dataset.
 */
export function analyzeGraph(graph: Graph, target?: DatasetTarget, losses: readonly OutputLoss[] = [], options: AnalysisOptions = {}): GraphAnalysis {
  const { cache } = options;
  const result: GraphAnalysis = { nodes: {}, errors: [], warnings: [], fixes: [], totalParams: 0, order: [], inputIds: [], outputIds: [], valid: false };
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingEdges(graph);
  const ports = incomingPorts(graph);
  for (const n of graph.nodes) result.nodes[n.id] = { outputShape: null, extraShapes: [], params: 0, nonTrainable: 0, errors: [], warnings: [], fixes: [] };

  const order = topologicalOrder(graph);
  result.order = order;
  const { onLoop, afterLoop } = loopNodes(graph, order);
  if (onLoop.length) {
    reportLoops(graph, onLoop, result);
    for (const n of afterLoop) result.nodes[n.id].warnings.push(`${n.name} comes after a loop, so its shape cannot be worked out until the loop is removed.`);
  }

  for (const id of order) {
    const node = byId.get(id)!;
    const info = result.nodes[id];
    const spec = getLayerSpec(node.kind);
    if (!spec) {
      info.errors.push(`${node.name}: unknown layer kind "${node.kind}".`);
      continue;
    }
    const sources = incoming.get(id) ?? [];
    if (sources.length < spec.inputs.min || sources.length > spec.inputs.max) {
      const problem = wiringMessage(node, spec.label, spec.inputs, sources.length);
      info.errors.push(problem);
      // "takes one input but 3 are connected. Join them first with Add or Concatenate."
      if (spec.inputs.max === 1 && sources.length > 1) {
        const into = graph.edges.filter((e) => e.target === id && byId.has(e.source));
        info.fixes.push(...joinFixes(sources.map((src) => byId.get(src)!), result, problem, { node, edges: into }));
      }
      continue;
    }
    const inputShapes: Shape[] = [];
    let upstreamBroken = false;
    for (const { source, port } of ports.get(id) ?? []) {
      const s = portShape(result.nodes[source], port);
      if (s === undefined) info.errors.push(missingPortMessage(node, byId.get(source)!, port));
      if (!s) upstreamBroken = true;
      else inputShapes.push(s);
    }
    // A bad param is reported even behind a broken layer; shapes wait until the upstream error is fixed.
    const layer = cachedLayer(cache, node, upstreamBroken ? null : inputShapes, () => analyzeLayer(node, upstreamBroken ? null : inputShapes, cache?.parse(node) ?? parseParams(node)));
    info.outputShape = layer.outputShape;
    info.extraShapes = layer.extraShapes;
    info.params = layer.params;
    info.nonTrainable = layer.nonTrainable;
    info.errors.push(...layer.errors);
    info.warnings.push(...layer.warnings);
    info.fixes.push(...layer.fixes);
    result.totalParams += info.params;
  }
  cache?.prune(graph.nodes);

  Object.assign(result, graphEnds(graph));
  if (graph.nodes.length === 0) result.errors.push('The canvas is empty. Drag an Input layer from the palette to start.');
  else if (result.inputIds.length === 0) result.errors.push('The network has no Input layer. Drag one from the palette and connect it to the first layer.');
  // Around a loop every layer feeds another, so none looks like an output: the loop message says what is wrong.
  if (graph.nodes.length > 0 && result.outputIds.length === 0 && result.inputIds.length > 0 && onLoop.length === 0) {
    result.errors.push('The network has no output: connect a layer after the Input.');
  }
  // Several Inputs or outputs: fine for the network itself (it compiles); training needs each bound to a part of the data.
  if (target) checkBindings(result, byId, target);
  // Layers that no input reaches are dead weight; say so on them.
  for (const n of graph.nodes) {
    if (!isInputKind(n.kind) && (incoming.get(n.id) ?? []).length === 0 && result.nodes[n.id].errors.length === 0) {
      result.nodes[n.id].errors.push(`${n.name} has no input — connect a layer into it.`);
    }
  }

  checkFixedBatches(graph, result, byId, incoming, options.batchSize, cache?.parse ?? parseParams);
  if (target) checkAgainstDataset(graph, result, target, losses);

  const nodeErrors = Object.values(result.nodes).some((n) => n.errors.length > 0);
  result.valid = !nodeErrors && result.errors.length === 0;
  return result;
}

/** What one layer's own check gives: its output shape and parameters, or its errors, from its params and input shapes. */
type LayerResult = Readonly<Pick<NodeAnalysis, 'outputShape' | 'extraShapes' | 'params' | 'nonTrainable' | 'errors' | 'warnings' | 'fixes'>>;

/**
 * `inputShapes` null: an upstream layer is broken (it carries the error), so only the params are checked.
 */
function analyzeLayer(node: ProjectNode, inputShapes: Shape[] | null, parsed: ParsedParams): LayerResult {
  const spec = getLayerSpec(node.kind)!;
  const empty = { outputShape: null, extraShapes: [], params: 0, nonTrainable: 0, warnings: [], fixes: [] };
  if (!parsed.ok) return { ...empty, errors: [`${node.name}: ${parsed.error}`] };
  if (!inputShapes) return { ...empty, errors: [] };
  const check = spec.inferShape(inputShapes, parsed.params, { name: node.name });
  const warnings = check.warnings ?? [];
  const fixes = specFixes(node, check, inputShapes, warnings);
  if (!check.ok) return { ...empty, errors: [check.error], warnings, fixes };
  return {
    outputShape: check.shape,
    extraShapes: check.extraShapes ?? [],
    params: spec.countParams(inputShapes, parsed.params),
    nonTrainable: spec.countNonTrainable?.(inputShapes, parsed.params) ?? 0,
    errors: [],
    warnings,
    fixes,
  };
}

/**
 * Per-layer results of earlier analyses, so that an edit re-checks only the layers it reaches: a layer whose kind,
 * name, params and input shapes are unchanged gets its previous result. Everything that spans the graph (wiring,
 * loops, the fit to the data) is worked out afresh each time; it is linear and cheap.
 */
export interface AnalysisCache {
  /** The layer's earlier result where its kind, name, params and input shapes are the same; else `compute`'s, kept. */
  layer(node: ProjectNode, inputShapes: Shape[] | null, compute: () => LayerResult): LayerResult;
  /** The layer's params parsed, parsed again only when they change (an edit upstream changes only input shapes). */
  parse(node: ProjectNode): ParsedParams;
  /** Forgets layers no longer in the graph. */
  prune(nodes: readonly ProjectNode[]): void;
}

export function createAnalysisCache(): AnalysisCache {
  // Each entry keeps the layer object it was made from: the same object (an edit elsewhere) is a hit without
  // serialising its params; a new object with the same contents (a moved layer) is a hit by the key. The key is made
  // only when a new object has to be compared: an edit upstream, which changes the input shapes of every layer after
  // it, then serialises none of them.
  type Entry = { node: ProjectNode; inputShapes: Shape[] | null; key?: string; result: LayerResult };
  // Everything analyzeLayer reads; the node's id is the cache's own key.
  const keyOf = (node: ProjectNode, inputShapes: Shape[] | null) => JSON.stringify([node.kind, node.name, node.params, inputShapes]);
  let entries = new Map<string, Entry>();
  let parsedParams = new Map<string, { node: ProjectNode; key: string; parsed: ParsedParams }>();
  return {
    layer: (node, inputShapes, compute) => {
      const e = entries.get(node.id);
      if (e?.node === node) {
        if (sameShapeLists(e.inputShapes, inputShapes)) return e.result;
        const result = compute();
        entries.set(node.id, { node, inputShapes, result });
        return result;
      }
      const key = keyOf(node, inputShapes);
      const result = e && (e.key ?? keyOf(e.node, e.inputShapes)) === key ? e.result : compute();
      entries.set(node.id, { node, inputShapes, key, result });
      return result;
    },
    parse: (node) => {
      const e = parsedParams.get(node.id);
      if (e?.node === node) return e.parsed;
      const key = JSON.stringify([node.kind, node.params]);
      const parsed = e?.key === key ? e.parsed : parseParams(node);
      parsedParams.set(node.id, { node, key, parsed });
      return parsed;
    },
    prune: (nodes) => {
      if (entries.size > nodes.length) entries = keepOnly(entries, nodes);
      if (parsedParams.size > nodes.length) parsedParams = keepOnly(parsedParams, nodes);
    },
  };
}

function sameShapeLists(a: readonly Shape[] | null, b: readonly Shape[] | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((s, i) => s.length === b[i].length && s.every((d, j) => d === b[i][j]));
}

function keepOnly<T>(entries: Map<string, T>, nodes: readonly ProjectNode[]): Map<string, T> {
  const kept = new Map<string, T>();
  for (const n of nodes) {
    const e = entries.get(n.id);
    if (e) kept.set(n.id, e);
  }
  return kept;
}

function cachedLayer(cache: AnalysisCache | undefined, node: ProjectNode, inputShapes: Shape[] | null, compute: () => LayerResult): LayerResult {
  return cache ? cache.layer(node, inputShapes, compute) : compute();
}

/**
 * Splits the nodes Kahn's algorithm left out into those on a loop and those merely downstream of one:
 * Kahn's algorithm again, backwards over the left-out nodes, peels off every node that feeds no other
 * left-out node; what cannot be peeled lies on a loop (or between two). Linear in nodes + connections.
 */
function loopNodes(graph: Graph, order: string[]): { onLoop: ProjectNode[]; afterLoop: ProjectNode[] } {
  const ordered = new Set(order);
  const left = new Set(graph.nodes.filter((n) => !ordered.has(n.id)).map((n) => n.id));
  const feeds = new Map<string, number>([...left].map((id) => [id, 0]));
  const feeders = new Map<string, string[]>([...left].map((id) => [id, []]));
  for (const e of graph.edges) {
    if (!left.has(e.source) || !left.has(e.target)) continue;
    feeds.set(e.source, feeds.get(e.source)! + 1);
    feeders.get(e.target)!.push(e.source);
  }
  const peel = [...left].filter((id) => feeds.get(id) === 0);
  const downstream = new Set<string>();
  for (let i = 0; i < peel.length; i++) {
    const id = peel[i];
    downstream.add(id);
    for (const source of feeders.get(id)!) {
      const rest = feeds.get(source)! - 1;
      feeds.set(source, rest);
      if (rest === 0) peel.push(source);
    }
  }
  return {
    onLoop: graph.nodes.filter((n) => left.has(n.id) && !downstream.has(n.id)),
    afterLoop: graph.nodes.filter((n) => downstream.has(n.id)),
  };
}

/** A connection from an output its layer does not give (any more): an LSTM's state after Return state was turned off. */
function missingPortMessage(node: ProjectNode, source: ProjectNode, port: number): string {
  const names = outputNames(source);
  const has = names.length === 1 ? 'only its main output' : `the outputs ${names.join(', ')}`;
  return `${node.name}: its input comes from output ${port + 1} of ${source.name}, which ${source.name} does not give with its current settings (it has ${has}) — connect ${source.name}'s main output instead, or turn back on the setting that gave that output.`;
}

function wiringMessage(node: ProjectNode, label: string, inputs: { min: number; max: number; names?: readonly string[] }, got: number): string {
  if (inputs.max === 0) return `${node.name}: an ${label} layer takes no incoming connections; remove the ${plural(got, 'connection')} into it.`;
  if (got === 0) return `${node.name} has no input — connect a layer into it.`;
  if (inputs.max === 1) return `${node.name}: ${label} takes one input but ${got} are connected. Join them first with Add or Concatenate.`;
  if (got > inputs.max) {
    // Layers whose inputs play roles (MultiHeadAttention: query, value, key) say which, in connection order.
    const roles = inputs.names ? ` (${inputs.names.slice(0, inputs.max).join(', ')}, in the order they are connected)` : '';
    return `${node.name}: ${label} takes at most ${inputs.max} inputs${roles} but ${got} are connected. Remove ${plural(got - inputs.max, 'connection')}.`;
  }
  return `${node.name}: ${label} needs at least ${inputs.min} inputs but has ${got}. Connect another branch into it.`;
}

type ParsedParams = { ok: true; params: ParamValues<ParamDefs> } | { ok: false; error: string };

export function parseParams(node: ProjectNode): ParsedParams {
  const spec = getLayerSpec(node.kind);
  if (!spec) return { ok: false, error: `unknown layer kind "${node.kind}"` };
  const schema = paramsSchemaCache(spec.kind);
  const r = schema.safeParse(node.params);
  if (r.success) return { ok: true, params: r.data as ParamValues<ParamDefs> };
  const issue = r.error.issues[0];
  return { ok: false, error: issue.message };
}

const schemaCache = new Map<string, z.ZodType>();
function paramsSchemaCache(kind: string): z.ZodType {
  let s = schemaCache.get(kind);
  if (!s) {
    s = paramsSchema(getLayerSpec(kind)!.params);
    schemaCache.set(kind, s);
  }
  return s;
}

/**
 * Each Input and output must take a part of the data: with data that has one input and one target, the network
 * has one Input and one output (bound implicitly, as always); with bound parts (a CSV's input and target
 * bindings), every Input and output is bound to one. Unbound ones get an error on the node that says what to do.
 */
function checkBindings(result: GraphAnalysis, byId: Map<string, ProjectNode>, target: DatasetTarget): void {
  const nameOf = (id: string) => byId.get(id)!.name;
  const ds = target.datasetName;
  if (target.inputs && target.inputs.length > 0) {
    const bound = new Set(target.inputs.map((p) => p.node));
    for (const id of result.inputIds) {
      if (!bound.has(id) && !(target.inputs.length === 1 && result.inputIds.length === 1 && target.inputs[0].node === undefined)) {
        result.nodes[id].errors.push(`${nameOf(id)} is not bound to any columns of ${ds}. Choose its columns under Inputs in the Dataset panel, or delete it.`);
      }
    }
  } else if (result.inputIds.length > 1) {
    const names = result.inputIds.map(nameOf).join(', ');
    result.errors.push(
      `The network has ${result.inputIds.length} Input layers (${names}) but ${ds} gives one input. Bind each Input to columns of a CSV in the Dataset panel (Inputs), or delete the extra ones.`,
    );
  }
  if (target.outputs && target.outputs.length > 0) {
    const bound = new Set(target.outputs.map((p) => p.node));
    for (const id of result.outputIds) {
      if (!bound.has(id) && !(target.outputs.length === 1 && result.outputIds.length === 1 && target.outputs[0].node === undefined)) {
        result.nodes[id].errors.push(`${nameOf(id)} ends the network but predicts no column of ${ds}. Choose its target under Outputs in the Dataset panel, or connect it onward (or delete it).`);
      }
    }
  } else if (result.outputIds.length > 1) {
    const names = result.outputIds.map(nameOf).join(', ');
    const problem = `The network ends in ${result.outputIds.length} layers (${names}) but ${ds} has one target. Join the branches with Add or Concatenate, delete the unused ones, or bind each output to a target column of a CSV in the Dataset panel (Outputs).`;
    result.errors.push(problem);
    result.fixes.push(...joinFixes(result.outputIds.map((id) => byId.get(id)!), result, problem));
  }
}

/** The fixed batch size an Input's params set (its spec's `batchSizeParam`), 0 for any size; null for a layer that has none. */
function fixedBatchOf(node: ProjectNode, parse: (node: ProjectNode) => ParsedParams): number | null {
  const param = getLayerSpec(node.kind)?.batchSizeParam;
  if (!param) return null;
  const parsed = parse(node);
  if (!parsed.ok) return null;
  const value = (parsed.params as Record<string, unknown>)[param];
  return typeof value === 'number' ? value : 0;
}

/** The Inputs a layer's values come from, in graph order. */
function inputsBefore(id: string, byId: Map<string, ProjectNode>, incoming: Map<string, string[]>): ProjectNode[] {
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length) {
    for (const source of incoming.get(stack.pop()!) ?? []) {
      if (seen.has(source)) continue;
      seen.add(source);
      stack.push(source);
    }
  }
  return [...byId.values()].filter((n) => seen.has(n.id) && isInputKind(n.kind));
}

/**
 * Layers that need every batch the same size (a stateful LSTM, see `needsFixedBatch`) need a fixed batch size on
 * each Input before them: an error on the layer, fixed by setting it to the training batch size (32 where unknown).
 * An Input whose fixed batch differs from the training batch size gets a warning: training would refuse to start.
 */
/** `parse`: the cache's, so that an analysis does not parse every layer's params again (it is run on every edit). */
function checkFixedBatches(
  graph: Graph,
  result: GraphAnalysis,
  byId: Map<string, ProjectNode>,
  incoming: Map<string, string[]>,
  batchSize: number | undefined,
  parse: (node: ProjectNode) => ParsedParams,
): void {
  const size = batchSize && batchSize > 0 ? batchSize : 32;
  const sizeNote = batchSize && batchSize > 0 ? `${size}, the training batch size` : `${size}`;
  for (const node of graph.nodes) {
    const spec = getLayerSpec(node.kind);
    if (!spec?.needsFixedBatch) continue;
    const parsed = parse(node);
    if (!parsed.ok || !spec.needsFixedBatch(parsed.params)) continue;
    const missing = inputsBefore(node.id, byId, incoming).filter((n) => fixedBatchOf(n, parse) === 0);
    if (missing.length === 0) continue;
    const param = getLayerSpec(missing[0].kind)!.batchSizeParam!;
    const label = (getLayerSpec(missing[0].kind)!.params as ParamDefs)[param].label;
    const names = missing.map((n) => n.name).join(' and ');
    const problem = `${node.name} is stateful: it carries each sample's state to the next batch, so it needs a fixed batch size — set ${label} on ${names} (e.g. ${sizeNote}).`;
    result.nodes[node.id].errors.push(problem);
    result.nodes[node.id].fixes.push({
      problem,
      label: `Set ${label} on ${names} to ${size}`,
      edits: missing.map((n): GraphEdit => ({ op: 'setParams', node: n.id, params: { [getLayerSpec(n.kind)!.batchSizeParam!]: size } })),
    });
  }
  if (!batchSize || batchSize <= 0) return;
  for (const node of graph.nodes) {
    const fixed = fixedBatchOf(node, parse);
    if (!fixed || fixed === batchSize) continue;
    const spec = getLayerSpec(node.kind)!;
    const label = (spec.params as ParamDefs)[spec.batchSizeParam!].label;
    const problem = `${node.name}: its ${label} is ${fixed} but training uses batches of ${batchSize}, so training would refuse to start — set ${label} to ${batchSize} (or the training batch size to ${fixed}).`;
    result.nodes[node.id].warnings.push(problem);
    result.nodes[node.id].fixes.push({ problem, label: `Set ${label} on ${node.name} to ${batchSize}`, edits: [{ op: 'setParams', node: node.id, params: { [spec.batchSizeParam!]: batchSize } }] });
  }
}

function checkAgainstDataset(graph: Graph, result: GraphAnalysis, target: DatasetTarget, losses: readonly OutputLoss[]): void {
  const single = <T extends { node?: string }>(parts: T[] | undefined, ids: string[]) => (parts?.length === 1 && ids.length === 1 && parts[0].node === undefined ? parts[0] : undefined);
  for (const id of result.inputIds) {
    const node = graph.nodes.find((n) => n.id === id)!;
    const part = target.inputs?.length ? (target.inputs.find((p) => p.node === id) ?? single(target.inputs, result.inputIds)) : { name: target.datasetName, shape: target.inputShape };
    const shape = result.nodes[id].outputShape;
    if (part && shape && !shapeFits(shape, part.shape)) {
      const what = target.inputs?.length ? `"${part.name}" of ${target.datasetName} gives` : `the dataset ${target.datasetName} gives`;
      const problem = `${node.name}: ${what} samples of shape ${formatShape(part.shape)} but this Input expects ${formatShape(shape)}. Set the Input shape to ${formatShape(part.shape)}.`;
      result.nodes[id].warnings.push(problem);
      result.nodes[id].fixes.push({
        problem,
        label: `Set the Input shape to ${formatShape(part.shape)}`,
        edits: [{ op: 'setParams', node: id, params: { shape: [...part.shape] } }],
      });
    }
  }
  if (!target.outputs?.length && result.outputIds.length !== 1) return;
  for (const outId of result.outputIds) {
    const part = target.outputs?.length ? (target.outputs.find((p) => p.node === outId) ?? single(target.outputs, result.outputIds)) : target;
    if (!part) continue; // checkBindings reported it
    const out = graph.nodes.find((n) => n.id === outId)!;
    const shape = result.nodes[outId].outputShape;
    if (!shape) continue;
    const chain = outputChainOf(graph, out);
    const fromLogits = losses.some((l) => l.node === outId && l.fromLogits);
    const datasetName = 'name' in part ? `"${part.name}" of ${target.datasetName}` : target.datasetName;
    const fitTarget: FitTarget = { datasetName, task: part.task, numClasses: part.numClasses, outputSize: part.outputSize, fromLogits };
    if ('outputShape' in part && part.outputShape) fitTarget.outputShape = part.outputShape;
    if ('unitRange' in part && part.unitRange) fitTarget.unitRange = part.unitRange;
    const fit = checkOutputFit(
      { name: out.name, shape, unitsLayer: chain.setter?.name, activation: outputActivation(out, chain), activationLayer: (chain.activationLayer ?? chain.setter ?? out).name },
      fitTarget,
    );
    // Analysis only warns: the person may be half-way through editing; training refuses a misfit.
    const problems = fit.fits ? fit.warnings : [fit.problem];
    result.nodes[outId].warnings.push(...problems);
    const fix = outputFix(out, shape, chain, fitTarget);
    if (fix) result.nodes[outId].fixes.push(...problems.map((problem) => ({ problem, ...fix })));
  }
}

/** The first layer kind whose spec only flattens (Flatten) and the first that sets an output's width (Dense). */
const flattenSpec = () => LAYER_SPECS.find((s) => s.onlyFlattens);
const widthSpec = () => LAYER_SPECS.find((s) => s.outputFit.fit === 'sets');

/**
 * What makes the output give the dataset's labels: the width-setting layer's units and activation where the
 * output is a flat vector it sets, else a new output layer (after a Flatten where the output is not flat).
 */
function outputFix(out: ProjectNode, shape: Shape, chain: OutputChain<ProjectNode>, target: FitTarget): Omit<ProblemFix, 'problem'> | null {
  const flat = shape.length === 1 && shape[0] !== null;
  if (flat && chain.setter) {
    const patches = outputParamPatches(chain, target);
    if (!patches?.length) return null;
    const edits: GraphEdit[] = [];
    for (const p of patches) {
      const last = edits[edits.length - 1];
      if (last?.op === 'setParams' && last.node === p.node.id) last.params[p.key] = p.value;
      else edits.push({ op: 'setParams', node: p.node.id, params: { [p.key]: p.value } });
    }
    // "Set dense_1 to linear and activation_1 to softmax": each layer once, with what changes on it.
    const perLayer = edits.map((e) => {
      const node = patches.find((p) => e.op === 'setParams' && p.node.id === e.node)!.node;
      const what = patches.filter((p) => p.node === node).map((p) => p.text.slice(node.name.length + 1));
      return `${node.name} to ${what.join(', ')}`;
    });
    return { label: `Set ${perLayer.join(' and ')}`, edits };
  }
  // A reconstruction that is not a flat Dense output is shaped by its decoder: a Flatten and a Dense of every input
  // value at the end would fit, but not as an autoencoder is meant to be built (the message says how).
  if (target.task === 'reconstruction') return null;
  const dense = widthSpec();
  if (!dense || dense.outputFit.fit !== 'sets') return null;
  const wanted = outputTarget(target, undefined);
  const layer = { kind: dense.kind, params: { [dense.outputFit.units]: wanted.units, [dense.outputFit.activation]: wanted.activation } };
  const what = `${dense.label}(${wanted.units}, ${wanted.activation})`;
  if (flat) return { label: `Add ${what} at the end`, edits: [{ op: 'insertAfter', node: out.id, ...layer }] };
  const flatten = flattenSpec();
  // A Flatten needs every size known; a 1-D output of unknown length cannot be flattened further.
  if (!flatten || shape.length < 2 || shapeSize(shape) === null) return null;
  return {
    label: `Add ${flatten.label} and ${what} at the end`,
    edits: [
      { op: 'insertAfter', node: out.id, kind: flatten.kind, key: 'flatten' },
      { op: 'insertAfter', node: { inserted: 'flatten' }, ...layer },
    ],
  };
}

/**
 * A spec's structured fixes as graph edits on `node`, each tied to the message it answers (the error unless it
 * names a warning). An inserted layer is checked first, here: only a fix whose new layer takes the input and gives
 * this layer an input it accepts is offered (a Reshape to [2, 60] that leaves a Conv1D's kernel too long is not).
 */
function specFixes(node: ProjectNode, check: ShapeCheck, inputs: Shape[], warnings: readonly string[]): ProblemFix[] {
  const out: ProblemFix[] = [];
  for (const f of check.fixes ?? []) {
    const problem = f.problem ?? (check.ok ? undefined : check.error);
    if (problem === undefined || (f.problem !== undefined && !warnings.includes(f.problem))) continue;
    if ('insertBefore' in f && !insertionWorks(node, inputs, f.input ?? 0, f.insertBefore, f.params ?? {})) continue;
    const edit: GraphEdit =
      'insertBefore' in f
        ? { op: 'insertBefore', node: node.id, kind: f.insertBefore, ...(f.input ? { input: f.input } : {}), ...(f.params ? { params: f.params } : {}) }
        : { op: 'removeNode', node: node.id };
    out.push({ problem, label: f.label, edits: [edit] });
  }
  return out;
}

/** Whether a layer of `kind` on input `index` of `node` takes that input and gives `node` inputs its own check accepts. */
function insertionWorks(node: ProjectNode, inputs: Shape[], index: number, kind: string, params: Record<string, unknown>): boolean {
  const spec = getLayerSpec(kind);
  const own = parseParams(node);
  if (!spec || !own.ok || index >= inputs.length) return false;
  const parsed = paramsSchemaCache(kind).safeParse({ ...(defaultParams(spec.params) as Record<string, unknown>), ...params });
  if (!parsed.success) return false;
  const inserted = spec.inferShape([inputs[index]], parsed.data as ParamValues<ParamDefs>, { name: spec.namePrefix });
  if (!inserted.ok) return false;
  const fixedInputs = inputs.map((s, i) => (i === index ? inserted.shape : s));
  return getLayerSpec(node.kind)!.inferShape(fixedInputs, own.params, { name: node.name }).ok;
}

/**
 * Joining several layers into one, with each merge the message suggests whose own shape check takes their shapes
 * (Concatenate for [64] and [32], Add only for equal shapes): the network's several ends, or the several inputs of
 * a layer that takes one (`before`: the merge then replaces its connections).
 */
function joinFixes(outputs: ProjectNode[], result: GraphAnalysis, problem: string, before?: { node: ProjectNode; edges: ProjectEdge[] }): ProblemFix[] {
  const shapes = outputs.map((n) => result.nodes[n.id].outputShape);
  if (shapes.some((s) => !s)) return [];
  const fixes: ProblemFix[] = [];
  for (const spec of LAYER_SPECS) {
    if (!spec.joinsBranches || outputs.length < spec.inputs.min || outputs.length > spec.inputs.max) continue;
    // Only a clean join: an Add that would broadcast different shapes warns, and is not what the person meant.
    const check = spec.inferShape(shapes as Shape[], defaultParams(spec.params), { name: spec.namePrefix });
    if (!check.ok || check.warnings?.length) continue;
    const join: GraphEdit = { op: 'join', nodes: outputs.map((n) => n.id), kind: spec.kind, key: 'join' };
    const label = `Join ${outputs.map((n) => n.name).join(', ')} with ${spec.label}`;
    if (!before) fixes.push({ problem, label, edits: [join] });
    else {
      const rewire = [...before.edges.map((e): GraphEdit => ({ op: 'removeEdge', edge: e.id })), { op: 'addEdge', source: { inserted: 'join' }, target: before.node.id } as const];
      fixes.push({ problem, label: `${label} before ${before.node.name}`, edits: [join, ...rewire] });
    }
  }
  return fixes;
}

/**
 * Loop messages and their fixes. A layer connected to itself gets its own message; longer loops one message naming
 * their layers in loop order, with the fix that removes the connections closing them (the ones a walk from the
 * Input meets last). Removing every such connection leaves no loop.
 */
function reportLoops(graph: Graph, onLoop: ProjectNode[], result: GraphAnalysis): void {
  const selfLoops = graph.edges.filter((e) => e.source === e.target && result.nodes[e.source]);
  // A map, not a search of onLoop per connection: many layers each connected to itself stay linear.
  const loopLayer = new Map(onLoop.map((n) => [n.id, n]));
  for (const e of selfLoops) {
    const node = loopLayer.get(e.source)!;
    const fix = { label: `Remove the connection ${node.name} → ${node.name}`, edits: [{ op: 'removeEdge', edge: e.id } as const] };
    const problem = `${node.name} is connected to itself — a layer cannot feed its own input. Remove that connection.`;
    const nodeProblem = `${node.name} is connected to itself; remove that connection.`;
    result.errors.push(problem);
    result.fixes.push({ problem, ...fix });
    result.nodes[node.id].errors.push(nodeProblem);
    result.nodes[node.id].fixes.push({ problem: nodeProblem, ...fix });
  }
  // Layers only connected to themselves are not on a longer loop: look for those without their self-connections.
  let longLoop = onLoop;
  if (selfLoops.length) {
    const withoutSelf = { ...graph, edges: graph.edges.filter((e) => e.source !== e.target) };
    longLoop = loopNodes(withoutSelf, topologicalOrder(withoutSelf)).onLoop;
  }
  const { visited, closing } = loopWalk(graph, longLoop);
  if (!closing.length) return;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const name = (id: string) => byId.get(id)!.name;
  const onLongLoop = visited.map((id) => byId.get(id)!);
  const problem = `The graph has a loop through ${onLongLoop.map((n) => n.name).join(', ')} — a layer cannot feed its own input. Remove one of those connections.`;
  const arrows = closing.map((e) => `${name(e.source)} → ${name(e.target)}`);
  const fix = {
    label: closing.length === 1 ? `Remove the connection ${arrows[0]}` : `Remove ${closing.length} connections that close loops (${arrows.join(', ')})`,
    edits: closing.map((e): GraphEdit => ({ op: 'removeEdge', edge: e.id })),
  };
  result.errors.push(problem);
  result.fixes.push({ problem, ...fix });
  for (const n of onLongLoop) {
    const nodeProblem = `${n.name} is part of a loop; remove one connection of the loop.`;
    result.nodes[n.id].errors.push(nodeProblem);
    result.nodes[n.id].fixes.push({ problem: nodeProblem, ...fix });
  }
}

/**
 * A depth-first walk over the loop layers (not counting connections of a layer to itself), started where the
 * rest of the network enters a loop: `closing` are the connections back to a layer still on the walk's path
 * (each closes a loop; without them the layers have no loop), `visited` the loop layers in walk order (along each
 * loop, from where it is entered).
 */
function loopWalk(graph: Graph, onLoop: ProjectNode[]): { visited: string[]; closing: ProjectEdge[] } {
  const loopIds = new Set(onLoop.map((n) => n.id));
  const out = new Map<string, ProjectEdge[]>(onLoop.map((n) => [n.id, []]));
  const entered = new Set<string>();
  for (const e of graph.edges) {
    if (e.source === e.target || !loopIds.has(e.target)) continue;
    if (loopIds.has(e.source)) out.get(e.source)!.push(e);
    else entered.add(e.target);
  }
  const starts = [...onLoop.filter((n) => entered.has(n.id)), ...onLoop.filter((n) => !entered.has(n.id))].map((n) => n.id);
  const state = new Map<string, 'open' | 'done'>();
  const order: string[] = [];
  const closing: ProjectEdge[] = [];
  for (const start of starts) {
    if (state.has(start)) continue;
    // An explicit stack (layer, index of its next connection) keeps long chains from overflowing the call stack.
    const stack: [string, number][] = [[start, 0]];
    state.set(start, 'open');
    order.push(start);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = out.get(top[0])![top[1]++];
      if (!next) {
        state.set(top[0], 'done');
        stack.pop();
      } else if (state.get(next.target) === 'open') {
        closing.push(next);
      } else if (!state.has(next.target)) {
        state.set(next.target, 'open');
        order.push(next.target);
        stack.push([next.target, 0]);
      }
    }
  }
  // In the order the connections were made, which is how the person sees them.
  const made = new Map(graph.edges.map((e, i) => [e, i]));
  return { visited: order, closing: closing.sort((a, b) => made.get(a)! - made.get(b)!) };
}


/** The output's width-setting and activation layers (see walkOutput), walked over the graph's nodes. */
export function outputChainOf(graph: Graph, out: ProjectNode): OutputChain<ProjectNode> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingEdges(graph);
  return walkOutput(
    out,
    (n) => getLayerSpec(n.kind),
    (n) => {
      const sources = incoming.get(n.id) ?? [];
      return sources.length === 1 ? byId.get(sources[0]) : undefined;
    },
  );
}

/**
 * The activation the output's values leave with, read after defaults are applied (a Dense saved without
 * one is relu, not softmax): a trailing Activation's, else the width-setting layer's, else the output's
 * own `activation` param where it has one (e.g. an LSTM's tanh).
 */
function outputActivation(out: ProjectNode, chain: OutputChain<ProjectNode>): string | undefined {
  const read = (node: ProjectNode | undefined, param: string | undefined): string | undefined => {
    if (!node || !param) return undefined;
    const parsed = parseParams(node);
    const value = parsed.ok ? (parsed.params as Record<string, unknown>)[param] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const fitOf = (node: ProjectNode | undefined) => (node ? getLayerSpec(node.kind)?.outputFit : undefined);
  const passes = fitOf(chain.activationLayer);
  if (passes?.fit === 'passes') return passes.applies ?? read(chain.activationLayer, passes.activation);
  const sets = fitOf(chain.setter);
  if (sets?.fit === 'sets') return read(chain.setter, sets.activation);
  return read(out, 'activation');
}
