/**
 * Trained weights kept with a project (an imported model's): per node, each weight by its name within the layer
 * ("kernel", "recurrent_kernel", "query/kernel"), never by a framework's global names, so renaming a layer or
 * importing from another tool keeps them. They live in a sidecar file beside the project (float32, little-endian,
 * in manifest order); the project's `weights` field is the manifest. Pure: the model is set through the `tf` given.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Graph, ProjectWeights } from './project';

type Tf = typeof tfTypes;

export interface NodeWeight {
  /** Name within the layer, as the file named it (framework prefixes and ":0" removed). */
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Weights by node id, in the order the layer holds them. */
export type NodeWeights = Record<string, NodeWeight[]>;

/** The sidecar's file name beside a project file: `model.neurowire` → `model.weights.bin`. */
export function weightsFileName(projectFileName: string): string {
  const base = projectFileName.replace(/\.json$/i, '').replace(/\.neurowire$/i, '');
  return `${base}.weights.bin`;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The manifest (for the project) and the sidecar's bytes. */
export function encodeNodeWeights(weights: NodeWeights, file: string): { manifest: ProjectWeights; data: Uint8Array } {
  const entries = Object.entries(weights).flatMap(([node, list]) => list.map((w) => ({ node, name: w.name, shape: w.shape })));
  const total = Object.values(weights).flat().reduce((a, w) => a + w.values.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const w of Object.values(weights).flat()) {
    data.set(w.values, offset);
    offset += w.values.length;
  }
  return { manifest: { file, entries }, data: new Uint8Array(data.buffer) };
}

/** Throws naming the file when a sidecar of `byteLength` bytes does not fit the manifest. */
export function checkWeightsFileSize(manifest: ProjectWeights, byteLength: number): void {
  const expected = manifest.entries.reduce((a, e) => a + sizeOf(e.shape), 0) * 4;
  if (byteLength !== expected) {
    throw new Error(`The weights file ${manifest.file} holds ${byteLength} bytes but the project's list of weights needs ${expected}: it belongs to another project or was damaged.`);
  }
}

/** The weights a sidecar holds; throws naming the file when its size does not fit the manifest. */
export function decodeNodeWeights(manifest: ProjectWeights, bytes: Uint8Array): NodeWeights {
  checkWeightsFileSize(manifest, bytes.byteLength);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights: NodeWeights = {};
  let offset = 0;
  for (const e of manifest.entries) {
    const size = sizeOf(e.shape);
    (weights[e.node] ??= []).push({ name: e.name, shape: e.shape, values: all.subarray(offset, offset + size) });
    offset += size;
  }
  return weights;
}

/**
 * A weight name reduced to what names it within its layer whatever wrote it: ":0" and RNN cell scopes dropped
 * ("lstm_cell/kernel" and tfjs's "kernel" are one weight), a Bidirectional's halves as "forward" / "backward".
 */
export function canonicalWeightName(name: string): string {
  return name
    .toLowerCase()
    .replace(/:\d+$/, '')
    .split('/')
    .filter((s) => s !== '' && !/(^|_)cell$/.test(s))
    .map((s) => (s.startsWith('forward') ? 'forward' : s.startsWith('backward') ? 'backward' : s))
    .join('/');
}

/**
 * The sublayer a weight belongs to within its layer ("" for the layer's own), as Keras 2, Keras 3 and tfjs all
 * spell it: Keras 3 keeps an attention's projections as "_query_dense", Keras 2 and tfjs as "query"; its output
 * projection is "_output_dense" or "attention_output".
 */
function sublayerOf(canonical: string): string {
  const parts = canonical.split('/');
  const scope = parts.slice(0, parts.length - (parts.at(-2) === 'vars' ? 2 : 1)).join('/');
  return scope
    .split('/')
    .map((s) => s.replace(/^_+/, '').replace(/_dense$/, '').replace(/^attention_output$/, 'output'))
    .join('/');
}

/**
 * Which stored weight goes to each of the layer's own weights: by name where every one is found once; else by
 * position within each sublayer when the sublayers correspond (Keras 3's weight files number a layer's variables,
 * "_query_dense/vars/0", instead of naming them, and list sublayers in name order); else by position when the
 * counts agree. Returns the index into `stored` per target, or a message naming what is missing.
 */
export function matchWeights(targets: string[], stored: string[]): number[] | string {
  const keys = stored.map(canonicalWeightName);
  const byName = targets.map((t) => {
    const key = canonicalWeightName(t);
    const hits = keys.flatMap((k, i) => (k === key || k.endsWith(`/${key}`) || key.endsWith(`/${k}`) ? [i] : []));
    return hits.length === 1 ? hits[0] : -1;
  });
  if (byName.every((i) => i >= 0) && new Set(byName).size === byName.length) return byName;
  const storedScopes = keys.map(sublayerOf);
  const targetScopes = targets.map((t) => sublayerOf(canonicalWeightName(t)));
  if (stored.length === targets.length && new Set(targetScopes).size > 1) {
    const seen = new Map<string, number>();
    const bySublayer = targetScopes.map((scope) => {
      const n = seen.get(scope) ?? 0;
      seen.set(scope, n + 1);
      return storedScopes.flatMap((s, i) => (s === scope ? [i] : []))[n] ?? -1;
    });
    if (bySublayer.every((i) => i >= 0)) return bySublayer;
  }
  if (stored.length === targets.length) return targets.map((_t, i) => i);
  const missing = targets.find((_t, i) => byName[i] < 0) ?? targets[0];
  return `weight "${missing}" is missing (the stored weights are ${stored.map((s) => `"${s}"`).join(', ') || 'none'})`;
}

/** A tfjs weight's name within its layer: "dense_1/kernel" of layer "dense_1" → "kernel". */
function nameWithinLayer(layerName: string, weight: tfTypes.LayerVariable): string {
  const full = weight.originalName ?? weight.name;
  return full.startsWith(`${layerName}/`) ? full.slice(layerName.length + 1) : full;
}

/**
 * Sets the compiled model's layers to the stored weights (nodes without stored weights keep their fresh ones).
 * Throws naming the layer and the weight when one is missing or has another shape: the network was edited since.
 */
export function setNodeWeights(tf: Tf, model: tfTypes.LayersModel, graph: Graph, weights: NodeWeights): void {
  for (const node of graph.nodes) {
    const stored = weights[node.id];
    if (!stored?.length) continue;
    const layer = model.layers.find((l) => l.name === node.name);
    if (!layer) continue;
    const targets = layer.weights;
    const match = matchWeights(
      targets.map((w) => nameWithinLayer(layer.name, w)),
      stored.map((w) => w.name),
    );
    if (typeof match === 'string') throw new Error(`The stored weights do not fit layer ${node.name}: ${match}.`);
    const tensors = targets.map((target, i) => {
      const source = stored[match[i]];
      const want = target.shape;
      if (source.shape.length !== want.length || source.shape.some((d, j) => d !== want[j])) {
        throw new Error(`The stored weights do not fit layer ${node.name}: weight "${nameWithinLayer(layer.name, target)}" is [${want.join(', ')}] but the stored "${source.name}" is [${source.shape.join(', ')}].`);
      }
      return source;
    });
    const built = tensors.map((w) => tf.tensor(w.values, w.shape, 'float32'));
    try {
      layer.setWeights(built);
    } finally {
      for (const t of built) t.dispose();
    }
  }
}
