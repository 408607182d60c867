import type { Graph, OutputLoss, ProjectNode } from '../project';
import type { Shape } from '../shapes';
import { formatShape, shapeFits } from '../shapes';
import { getLayerSpec, isInputKind } from '../layers/registry';
import type { DatasetTarget } from '../datasets';
import { checkOutputFit, walkOutput, type OutputChain } from '../outputFit';
import { paramsSchema, type ParamDefs, type ParamValues } from '../layers/params';
import type { z } from 'zod';

export interface NodeAnalysis {
  /** Output shape without the batch axis, or null where it cannot be known (error upstream or here). */
  outputShape: Shape | null;
  /** Parameter count as tfjs reports it; 0 where unknown. */
  params: number;
  errors: string[];
  warnings: string[];
}

export interface GraphAnalysis {
  nodes: Record<string, NodeAnalysis>;
  /** Problems not tied to one layer (no input, cycles, several outputs). */
  errors: string[];
  warnings: string[];
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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Shape inference and friendly validation for a whole graph, run on every edit.
 * Each layer's own spec checks its inputs; this function handles wiring and the fit to the dataset.
 */
export function analyzeGraph(graph: Graph, target?: DatasetTarget, losses: readonly OutputLoss[] = []): GraphAnalysis {
  const result: GraphAnalysis = { nodes: {}, errors: [], warnings: [], totalParams: 0, order: [], inputIds: [], outputIds: [], valid: false };
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingEdges(graph);
  const hasOutgoing = new Set(graph.edges.map((e) => e.source));
  for (const n of graph.nodes) result.nodes[n.id] = { outputShape: null, params: 0, errors: [], warnings: [] };

  const order = topologicalOrder(graph);
  result.order = order;
  const { onLoop, afterLoop } = loopNodes(graph, order);
  if (onLoop.length) {
    result.errors.push(`The graph has a loop through ${onLoop.map((n) => n.name).join(', ')} — a layer cannot feed its own input. Remove one of those connections.`);
    for (const n of onLoop) result.nodes[n.id].errors.push(`${n.name} is part of a loop; remove one connection of the loop.`);
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
      info.errors.push(wiringMessage(node, spec.label, spec.inputs, sources.length));
      continue;
    }
    const parsed = parseParams(node);
    if (!parsed.ok) {
      info.errors.push(`${node.name}: ${parsed.error}`);
      continue;
    }
    const inputShapes: Shape[] = [];
    let upstreamBroken = false;
    for (const src of sources) {
      const s = result.nodes[src]?.outputShape;
      if (!s) upstreamBroken = true;
      else inputShapes.push(s);
    }
    if (upstreamBroken) continue; // the upstream layer already carries the error
    const check = spec.inferShape(inputShapes, parsed.params, { name: node.name });
    info.warnings.push(...(check.warnings ?? []));
    if (!check.ok) {
      info.errors.push(check.error);
      continue;
    }
    info.outputShape = check.shape;
    info.params = spec.countParams(inputShapes, parsed.params);
    result.totalParams += info.params;
  }

  result.inputIds = graph.nodes.filter((n) => isInputKind(n.kind)).map((n) => n.id);
  result.outputIds = graph.nodes.filter((n) => !hasOutgoing.has(n.id) && !isInputKind(n.kind)).map((n) => n.id);
  if (graph.nodes.length === 0) result.errors.push('The canvas is empty. Drag an Input layer from the palette to start.');
  else if (result.inputIds.length === 0) result.errors.push('The network has no Input layer. Drag one from the palette and connect it to the first layer.');
  if (graph.nodes.length > 0 && result.outputIds.length === 0 && result.inputIds.length > 0) {
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

  if (target) checkAgainstDataset(graph, result, target, losses);

  const nodeErrors = Object.values(result.nodes).some((n) => n.errors.length > 0);
  result.valid = !nodeErrors && result.errors.length === 0;
  return result;
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
    result.errors.push(
      `The network ends in ${result.outputIds.length} layers (${names}) but ${ds} has one target. Join the branches with Add or Concatenate, delete the unused ones, or bind each output to a target column of a CSV in the Dataset panel (Outputs).`,
    );
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
      result.nodes[id].warnings.push(
        `${node.name}: ${what} samples of shape ${formatShape(part.shape)} but this Input expects ${formatShape(shape)}. Set the Input shape to ${formatShape(part.shape)}.`,
      );
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
    const fit = checkOutputFit(
      { name: out.name, shape, unitsLayer: chain.setter?.name, activation: outputActivation(out, chain), activationLayer: (chain.activationLayer ?? chain.setter ?? out).name },
      { datasetName, task: part.task, numClasses: part.numClasses, outputSize: part.outputSize, fromLogits },
    );
    // Analysis only warns: the person may be half-way through editing; training refuses a misfit.
    result.nodes[outId].warnings.push(...(fit.fits ? fit.warnings : [fit.problem]));
  }
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
