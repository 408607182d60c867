/**
 * The weights of an imported Keras / TensorFlow.js model: read from a tfjs `weightsManifest` (its binary shards) and
 * given to the nodes the importer made. A weight's global name ("dense_1/kernel", "model/dense/kernel:0",
 * "sequential/lstm/lstm_cell/recurrent_kernel") names its layer by one of its segments; the rest is its name within
 * the layer, which is how the project keeps it (nodeWeights.ts).
 */
import type { NodeWeight, NodeWeights } from '../nodeWeights';
import { describeValue } from '../project';
import { KerasImportError } from './kerasConfig';

/** One weight as a model file holds it. */
export type NamedWeight = NodeWeight;

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** IEEE half → float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The values of one entry at `offset` of its group's bytes, as float32; returns them and the bytes read. */
function readEntry(entry: ManifestEntry, bytes: Uint8Array, offset: number): { values: Float32Array; length: number } {
  const size = sizeOf(entry.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = entry.quantization;
  const kind = q?.dtype ?? entry.dtype;
  const width = kind === 'uint8' || kind === 'bool' ? 1 : kind === 'uint16' || kind === 'float16' ? 2 : 4;
  if (offset + size * width > bytes.byteLength) throw new KerasImportError(`the weight files end before weight "${entry.name}" (they are shorter than the manifest says)`);
  if (kind === 'float32' && !q) {
    // The common case, copied whole (a large model has tens of millions of values).
    return { values: new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4)), length: size * 4 };
  }
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const at = offset + i * width;
    let v: number;
    if (kind === 'float32') v = view.getFloat32(at, true);
    else if (kind === 'int32') v = view.getInt32(at, true);
    else if (kind === 'float16') v = halfToFloat(view.getUint16(at, true));
    else if (kind === 'uint16') v = view.getUint16(at, true);
    else if (kind === 'uint8' || kind === 'bool') v = view.getUint8(at);
    else throw new KerasImportError(`weight "${entry.name}" has dtype ${describeValue(kind)}, which Neurowire cannot read`);
    values[i] = q && q.dtype !== 'float16' ? (q.min ?? 0) + (q.scale ?? 1) * v : v;
  }
  return { values, length: size * width };
}

/**
 * The weights listed in a tfjs model.json's `weightsManifest`, read from its shard files (`readFile(path)` gives the
 * bytes of a path as the manifest writes it; it throws with its own message when a file is not there).
 */
export function readTfjsWeights(manifest: unknown, readFile: (path: string) => Uint8Array): NamedWeight[] {
  if (!Array.isArray(manifest)) throw new KerasImportError('its weightsManifest is not a list');
  const weights: NamedWeight[] = [];
  for (const group of manifest as { paths?: unknown; weights?: unknown }[]) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) throw new KerasImportError('a group of its weightsManifest has no "paths" or "weights"');
    const shards = (group.paths as unknown[]).map((p) => readFile(String(p)));
    const bytes = new Uint8Array(shards.reduce((a, s) => a + s.byteLength, 0));
    let at = 0;
    for (const s of shards) {
      bytes.set(s, at);
      at += s.byteLength;
    }
    let offset = 0;
    for (const entry of group.weights as ManifestEntry[]) {
      if (typeof entry?.name !== 'string' || !Array.isArray(entry.shape)) throw new KerasImportError('an entry of its weightsManifest has no name or shape');
      if (!entry.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new KerasImportError(`weight ${describeValue(entry.name)} has an invalid shape in its weightsManifest`);
      const { values, length } = readEntry(entry, bytes, offset);
      offset += length;
      weights.push({ name: entry.name, shape: entry.shape, values });
    }
  }
  return weights;
}

/** A weight's global name without Keras's ":0" suffix, split into its scopes. */
function scopesOf(name: string): string[] {
  return name.replace(/:\d+$/, '').split('/').filter(Boolean);
}

/**
 * Gives each weight to the node of the layer its name names (the first scope that is an imported layer's Keras
 * name; the scopes before it are models it was nested in). Weights of no layer (an optimizer's) come back unused.
 */
export function weightsByNode(weights: NamedWeight[], nodeOfKerasName: (name: string) => string | undefined): { byNode: NodeWeights; unused: string[] } {
  const byNode: NodeWeights = {};
  const unused: string[] = [];
  for (const w of weights) {
    const scopes = scopesOf(w.name);
    const at = scopes.findIndex((s, i) => i < scopes.length - 1 && nodeOfKerasName(s) !== undefined);
    if (at < 0) {
      unused.push(w.name);
      continue;
    }
    (byNode[nodeOfKerasName(scopes[at])!] ??= []).push({ ...w, name: scopes.slice(at + 1).join('/') });
  }
  return { byNode, unused };
}
