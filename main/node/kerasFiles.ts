/**
 * Reads a model file to import, whatever its form: a TensorFlow.js model.json (with the weight files its
 * weightsManifest names, beside it), a Keras `model.to_json()` file, a Keras 2 `.h5` or a Keras 3 `.keras` archive
 * (a zip of config.json and model.weights.h5). HDF5 is read with h5wasm (the HDF5 library compiled to WebAssembly),
 * the zip with fflate; what the files mean is main/core/import's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { KerasImportError, readTfjsWeights, type NamedWeight } from '../core/import/keras';
import { readKeras3Weights, readLegacyKerasH5, type H5Reader } from '../core/import/kerasH5';

export interface ModelFile {
  /** The model's JSON (model.json, a to_json() file, an .h5's model_config, a .keras archive's config.json). */
  json: unknown;
  /** Its weights by Keras / tfjs name; undefined when the file has none. */
  weights?: NamedWeight[];
}

/** The extensions `readModelFile` takes. */
export const MODEL_FILE_EXTENSIONS = ['.json', '.h5', '.hdf5', '.keras'] as const;

/** One weights file a model.json names, beside it; a missing one is named. */
function readShard(dir: string, shard: string): Uint8Array {
  const file = path.resolve(dir, shard);
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch {
    throw new KerasImportError(`its weights file ${shard} is not there (looked for ${file}); keep the .bin files beside model.json`);
  }
}

/**
 * Reads a model file given as bytes (`fileName` says which kind it is); `sibling` gives the bytes of a file a
 * model.json names beside it (its weight shards), and throws a KerasImportError naming one that is missing.
 */
export async function readModelBytes(fileName: string, bytes: Uint8Array, sibling: (name: string) => Uint8Array): Promise<ModelFile> {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) return withH5(bytes, readLegacyKerasH5);
  if (lower.endsWith('.keras')) return readKerasArchive(bytes);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new KerasImportError('it is not valid JSON (a model to import is a model.json, a Keras .h5 or a .keras file)');
  }
  const manifest = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).weightsManifest : undefined;
  return manifest === undefined ? { json } : { json, weights: readTfjsWeights(manifest, sibling) };
}

type H5Module = typeof import('h5wasm');
let h5wasm: Promise<H5Module> | undefined;
let opened = 0;

/** Opens HDF5 bytes in h5wasm's in-memory file system and hands a reader to `use`; the file is closed after. */
export async function withH5<T>(bytes: Uint8Array, use: (reader: H5Reader) => T): Promise<T> {
  h5wasm ??= import('h5wasm').then(async (m) => (await m.ready, m));
  const lib = await h5wasm;
  const FS = (await lib.ready).FS;
  const name = `/neurowire-import-${process.pid}-${opened++}.h5`;
  FS.writeFile(name, bytes);
  let file: InstanceType<H5Module['File']> | undefined;
  try {
    file = new lib.File(name, 'r');
    const f = file;
    const at = (p: string) => (p === '/' || p === '' ? f : f.get(p));
    const reader: H5Reader = {
      attr(p, attrName) {
        const obj = at(p);
        if (!obj || !('attrs' in obj) || !(attrName in obj.attrs)) return undefined;
        return obj.get_attribute(attrName, false);
      },
      keys(p) {
        const obj = at(p);
        return obj instanceof lib.Group ? obj.keys() : [];
      },
      dataset(p) {
        const obj = at(p);
        if (!(obj instanceof lib.Dataset)) return null;
        const value = obj.value;
        const shape = obj.shape ?? [];
        if (typeof value === 'number') return { shape, values: Float32Array.of(value) };
        if (!ArrayBuffer.isView(value)) throw new KerasImportError(`${p} in the HDF5 file is not an array of numbers`);
        return { shape, values: Float32Array.from(value as unknown as ArrayLike<number | bigint>, Number) };
      },
    };
    return use(reader);
  } catch (e) {
    if (e instanceof KerasImportError) throw e;
    throw new KerasImportError(`it is not a readable HDF5 file (${(e as Error).message})`);
  } finally {
    file?.close();
    FS.unlink(name);
  }
}

/** The model and weights of a .keras archive (Keras 3). */
async function readKerasArchive(bytes: Uint8Array): Promise<ModelFile> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name === 'config.json' || f.name === 'model.weights.h5' });
  } catch {
    throw new KerasImportError('the .keras file is not a zip archive (a Keras 3 .keras file is one)');
  }
  if (!entries['config.json']) throw new KerasImportError('the .keras archive has no config.json');
  let json: unknown;
  try {
    json = JSON.parse(strFromU8(entries['config.json']));
  } catch {
    throw new KerasImportError("the .keras archive's config.json is not valid JSON");
  }
  const weightsFile = entries['model.weights.h5'];
  if (!weightsFile) return { json };
  return { json, weights: await withH5(weightsFile, (h5) => readKeras3Weights(json, h5)) };
}

/** Reads the model file at `file`. Throws a KerasImportError saying what is wrong with it. */
export async function readModelFile(file: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new KerasImportError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read it (${(e as Error).message})`);
  }
  return readModelBytes(file, bytes, (shard) => readShard(path.dirname(file), shard));
}