/**
 * The engine's model.import: a model given as files (the page has no paths), imported with its weights. The kept
 * weights are written to the engine's data folder; saving the project puts a copy beside it (projectFiles.ts).
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ModelImportResult } from '../core/api/contract';
import { importKerasModel, KerasImportError } from '../core/import/keras';
import { encodeNodeWeights } from '../core/nodeWeights';
import { readModelBytes, readModelFile, type ModelFile } from './kerasFiles';
import { writeFileAtomic } from './projectFiles';

/** Imports `name` from `files` (base64); a problem with the files is a KerasImportError naming the file. */
export async function importModelFiles(name: string, files: { name: string; base64: string }[], weightsDir: string): Promise<ModelImportResult> {
  const byName = new Map(files.map((f) => [path.basename(f.name), f.base64]));
  const bytesOf = (file: string): Uint8Array | undefined => {
    const base64 = byName.get(path.basename(file));
    return base64 === undefined ? undefined : new Uint8Array(Buffer.from(base64, 'base64'));
  };
  const main = bytesOf(name);
  if (!main) throw new KerasImportError(`Could not import ${name}: the file was not given`);
  return importRead(name, weightsDir, () =>
    readModelBytes(name, main, (shard) => {
      const bytes = bytesOf(shard);
      if (!bytes) throw new KerasImportError(`its weights file ${shard} was not given with it — pick or drop model.json together with its .bin files`);
      return bytes;
    }),
  );
}

/** Imports the model file at `file` (a model.json's weight files beside it). */
export function importModelFile(file: string, weightsDir: string): Promise<ModelImportResult> {
  return importRead(path.basename(file), weightsDir, () => readModelFile(file));
}

async function importRead(name: string, weightsDir: string, read: () => Promise<ModelFile>): Promise<ModelImportResult> {
  let result;
  try {
    const model = await read();
    result = importKerasModel(model.json, model.weights);
  } catch (e) {
    if (e instanceof KerasImportError) throw new KerasImportError(`Could not import ${name}: ${e.message}.`);
    throw e;
  }
  if ('unknown' in result) return { unknown: result.unknown };
  let project = result.project;
  let weights: { count: number; layers: number } | null = null;
  if (result.weights) {
    const file = path.join(weightsDir, `${randomUUID()}.weights.bin`);
    const { manifest, data } = encodeNodeWeights(result.weights.byNode, file);
    await writeFileAtomic(file, data);
    project = { ...project, weights: manifest };
    weights = { count: manifest.entries.length, layers: Object.keys(result.weights.byNode).length };
  }
  return { project, layers: result.summary.layers.length, totalParams: result.summary.totalParams, dropped: result.dropped, weights };
}
