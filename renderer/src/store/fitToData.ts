import type { DatasetInfo } from '../../../main/core/datasets';
import type { Project, ProjectNode } from '../../../main/core/project';
import { formatShape } from '../../../main/core/shapes';
import { sameValue } from './graphOps';

export type FitResult = { ok: true; project: Project; changes: string[] } | { ok: false; error: string };

/** Layers that pass the last Dense's values through unchanged in count (walked over to find it). */
const PASS_THROUGH = new Set(['Activation', 'Dropout']);

/** The activation and width the output should have for a dataset, given the output's current width. */
export function outputFor(info: Pick<DatasetInfo, 'task' | 'numClasses' | 'outputSize'>, currentUnits: unknown): { units: number; activation: string } {
  if (info.task === 'regression') return { units: info.outputSize, activation: 'linear' };
  // A binary classifier may keep one sigmoid unit; otherwise one softmax unit per class.
  if (info.numClasses === 2 && currentUnits === 1) return { units: 1, activation: 'sigmoid' };
  return { units: info.outputSize, activation: 'softmax' };
}

/**
 * Sets the Input's shape to the dataset's sample shape and the last Dense layer's units and activation
 * to what the dataset's labels need. Pure: returns the new project (or why it cannot), never mutates.
 * When the network ends in Activation/Dropout after the Dense, the Dense gets the units and the
 * trailing Activation the activation (the Dense then stays linear). For flat (1-D) samples, a Flatten
 * directly after the Input is removed, its layers connected to the Input instead.
 */
export function fitProjectToData(project: Project, info: DatasetInfo): FitResult {
  const { nodes, edges } = project.graph;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const inputs = nodes.filter((n) => n.kind === 'Input');
  if (inputs.length === 0) return { ok: false, error: 'Add an Input layer first, then fit the model to the data.' };
  if (inputs.length > 1) return { ok: false, error: `The network has ${inputs.length} Input layers; fitting needs exactly one.` };
  if (info.inputShape.length < 1 || info.inputShape.length > 4) {
    return { ok: false, error: `${info.name} gives samples of shape ${formatShape(info.inputShape)}, which an Input layer cannot take (1 to 4 axes).` };
  }
  const hasOutgoing = new Set(edges.map((e) => e.source));
  const outputs = nodes.filter((n) => n.kind !== 'Input' && !hasOutgoing.has(n.id));
  if (outputs.length !== 1) {
    return {
      ok: false,
      error: outputs.length === 0 ? 'The network has no output layer: connect a Dense layer after the Input.' : `The network ends in ${outputs.length} layers; join them into one output first.`,
    };
  }
  const out = outputs[0];
  let dense: ProjectNode | undefined = out;
  let activationNode: ProjectNode | undefined = out.kind === 'Activation' ? out : undefined;
  const seen = new Set<string>();
  while (dense && dense.kind !== 'Dense' && PASS_THROUGH.has(dense.kind) && !seen.has(dense.id)) {
    seen.add(dense.id);
    const incoming = edges.filter((e) => e.target === dense!.id);
    if (incoming.length !== 1) break;
    dense = byId.get(incoming[0].source);
    if (dense && !activationNode && dense.kind === 'Activation') activationNode = dense;
  }
  if (!dense || dense.kind !== 'Dense') {
    return { ok: false, error: `${out.name} is not a Dense layer; end the network with Dense so its units can match the ${info.task === 'regression' ? 'values to predict' : 'classes'}.` };
  }

  const target = outputFor(info, dense.params.units);
  const changes: string[] = [];
  const patches = new Map<string, Record<string, unknown>>();
  const patch = (node: ProjectNode, key: string, value: unknown, text: string) => {
    if (sameValue(node.params[key], value)) return;
    patches.set(node.id, { ...(patches.get(node.id) ?? {}), [key]: value });
    changes.push(text);
  };
  const input = inputs[0];
  patch(input, 'shape', [...info.inputShape], `${input.name} shape ${formatShape(info.inputShape)}`);
  patch(dense, 'units', target.units, `${dense.name} ${target.units} unit${target.units === 1 ? '' : 's'}`);
  if (activationNode) {
    patch(dense, 'activation', 'linear', `${dense.name} linear`);
    patch(activationNode, 'activation', target.activation, `${activationNode.name} ${target.activation}`);
  } else {
    patch(dense, 'activation', target.activation, `${dense.name} ${target.activation}`);
  }
  // A Flatten right after the Input has nothing left to flatten once samples are flat vectors
  // (analysis would call it an error): take it out and wire its layers to the Input directly.
  const removed = new Set<string>();
  let nextEdges = edges;
  if (info.inputShape.length === 1) {
    for (const e of edges) {
      const flatten = byId.get(e.target);
      if (e.source !== input.id || flatten?.kind !== 'Flatten') continue;
      if (edges.some((x) => x.target === flatten.id && x.source !== input.id)) continue;
      const outgoing = nextEdges.filter((x) => x.source === flatten.id);
      // Keep the graph free of duplicate connections.
      if (outgoing.some((o) => nextEdges.some((x) => x.source === input.id && x.target === o.target))) continue;
      removed.add(flatten.id);
      nextEdges = nextEdges.filter((x) => x.target !== flatten.id).map((x) => (x.source === flatten.id ? { ...x, source: input.id } : x));
      changes.push(`removed ${flatten.name} (the data is already flat)`);
    }
  }
  if (!patches.size && !removed.size) return { ok: true, project, changes };
  const nextNodes = nodes
    .filter((n) => !removed.has(n.id))
    .map((n) => {
      const p = patches.get(n.id);
      return p ? { ...n, params: { ...n.params, ...p } } : n;
    });
  return { ok: true, project: { ...project, graph: { ...project.graph, nodes: nextNodes, edges: nextEdges } }, changes };
}
