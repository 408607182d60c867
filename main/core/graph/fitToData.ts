/**
 * "Fit to data": the edit that makes a network take a dataset's samples and give its labels. Pure and
 * shared by every UI; what the output needs comes from the one output-fit rule (core/outputFit.ts), and
 * which layers set, pass or only flatten values comes from the layer specs.
 */
import { inputPartsOf, outputPartsOf, type DatasetInfo } from '../datasets';
import type { Project, ProjectNode } from '../project';
import { formatShape, shapeFits, type Shape } from '../shapes';
import { getLayerSpec, isInputKind } from '../layers/registry';
import { outputChainOf } from './analyze';
import { outputParamPatches, sameValue, type ParamPatch } from './outputPatches';

export type FitResult = { ok: true; project: Project; changes: string[] } | { ok: false; error: string };

export { sameValue };

/**
 * Sets the Input's shape to the dataset's sample shape and the output layer's width and activation to
 * what the dataset's labels need. Pure: returns the new project (or why it cannot), never mutates.
 * When the network ends in pass-through layers (Activation, Dropout) after the Dense, the Dense gets the
 * units and the trailing Activation the activation (the Dense then stays linear). For flat (1-D) samples,
 * a Flatten directly after the Input is removed, its layers connected to the Input instead.
 */
export function fitProjectToData(project: Project, info: DatasetInfo): FitResult {
  const { nodes, edges } = project.graph;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const inputs = nodes.filter((n) => isInputKind(n.kind));
  const hasOutgoing = new Set(edges.map((e) => e.source));
  const outputs = nodes.filter((n) => !isInputKind(n.kind) && !hasOutgoing.has(n.id));
  if (inputs.length === 0) return { ok: false, error: 'Add an Input layer first, then fit the model to the data.' };
  const inputParts = inputPartsOf(info);
  const outputParts = outputPartsOf(info);
  // Which Input / output takes which part of the data: by binding, or the only one takes the only part.
  const pair = <T extends { node?: string }>(layers: ProjectNode[], parts: T[]): [ProjectNode, T][] =>
    parts.length === 1 && parts[0].node === undefined ? (layers.length === 1 ? [[layers[0], parts[0]]] : []) : parts.flatMap((p) => layers.filter((l) => l.id === p.node).map((l): [ProjectNode, T] => [l, p]));
  const inputPairs = pair(inputs, inputParts);
  if (inputPairs.length === 0 || (inputParts.length === 1 && inputs.length > 1)) {
    return { ok: false, error: `The network has ${inputs.length} Input layers; fitting needs exactly one, or each bound to columns of a CSV (Dataset panel, Inputs).` };
  }
  for (const [, part] of inputPairs) {
    if (part.shape.length < 1 || part.shape.length > 4) {
      return { ok: false, error: `${info.name} gives samples of shape ${formatShape(part.shape)}, which an Input layer cannot take (1 to 4 axes).` };
    }
  }
  const outputPairs = pair(outputs, outputParts);
  if (outputPairs.length === 0 || (outputParts.length === 1 && outputs.length !== 1)) {
    return {
      ok: false,
      error:
        outputs.length === 0
          ? 'The network has no output layer: connect a Dense layer after the Input.'
          : `The network ends in ${outputs.length} layers; join them into one output first, or bind each to a target column of a CSV (Dataset panel, Outputs).`,
    };
  }
  const changes: string[] = [];
  const patches = new Map<string, Record<string, unknown>>();
  const patch = ({ node, key, value, text }: ParamPatch) => {
    if (sameValue(node.params[key], value)) return;
    patches.set(node.id, { ...(patches.get(node.id) ?? {}), [key]: value });
    changes.push(text);
  };
  for (const [input, part] of inputPairs) {
    // An Input that already takes these samples (e.g. [?, 16] for [20, 16]) keeps its axes of unknown length.
    const inputShape = input.params.shape;
    if (!Array.isArray(inputShape) || !shapeFits(inputShape as Shape, part.shape)) {
      patch({ node: input, key: 'shape', value: [...part.shape], text: `${input.name} shape ${formatShape(part.shape)}` });
    }
  }
  for (const [out, part] of outputPairs) {
    // From logits (the output's loss option): the loss applies softmax / sigmoid, so the layer stays linear.
    const fromLogits = (project.training.outputs ?? []).some((o) => o.node === out.id && o.fromLogits);
    const outputPatches = outputParamPatches(outputChainOf(project.graph, out), { ...part, fromLogits });
    if (!outputPatches) {
      // An autoencoder's decoder (UpSampling2D, Conv2DTranspose, a last Conv2D) sets its shape by its layers, which
      // fitting leaves as they are; analysis says what to change where the shape is not the input's.
      if (part.task === 'reconstruction') continue;
      return { ok: false, error: `${out.name} is not a Dense layer; end the network with Dense so its units can match the ${part.task === 'regression' ? 'values to predict' : 'classes'}.` };
    }
    outputPatches.forEach(patch);
  }
  // A flattening layer right after the Input has nothing left to flatten once samples are flat vectors
  // (analysis would call it an error): take it out and wire its layers to the Input directly.
  const removed = new Set<string>();
  let nextEdges = edges;
  for (const [input, part] of inputPairs) {
    if (part.shape.length !== 1) continue;
    for (const e of edges) {
      const flatten = byId.get(e.target);
      if (e.source !== input.id || !flatten || !getLayerSpec(flatten.kind)?.onlyFlattens) continue;
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
