import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Project } from '../core/project';
import { bindToProject } from '../core/training/job';
import { checkModelFitsData } from '../core/training/loop';
import { compileGraph } from './compiler';
import { openDataset } from './datasets';
import { writeFileAtomic } from './projectFiles';

/** The data folder's index, which the exported train.py reads (pytorch/data/meta.json). */
export const PYTORCH_DATA_META = 'meta.json';

/** A .npy file (format 1.0) of a little-endian float32 or int32 array. */
export function npyBytes(values: Float32Array | Int32Array, shape: readonly number[]): Uint8Array {
  const descr = values instanceof Float32Array ? '<f4' : '<i4';
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in a newline.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 10 + header.length);
  return out;
}

/**
 * Writes a project's training samples for the exported train.py into `dir`: one .npy per Input (x_<layer>.npy, batch
 * first, channels last, as the app feeds them) and per target (y_<layer>.npy: class indices, or values in the
 * output's shape), and meta.json naming them with each target's loss as the app's training computes it
 * (checkModelFitsData). The first `maxSamples` of the training split, all of it by default.
 */
export async function writePytorchData(project: Project, dir: string, opts: { maxSamples?: number } = {}): Promise<string[]> {
  const data = await openDataset(project.dataset);
  const { info, losses } = bindToProject(data.info, project);
  const model = compileGraph(tf, project.graph);
  try {
    const fit = checkModelFitsData(model, info, losses);
    const count = Math.min(data.train.count, opts.maxSamples ?? Infinity);
    const batch = await data.train.getBatch(Array.from({ length: count }, (_, i) => i));
    const xs = batch.xs ?? [batch.x];
    const ys = batch.ys ?? [batch.y];
    const files: Array<[string, Uint8Array | string]> = [];
    const inputs = fit.inputs.map((input, i) => {
      const layer = model.inputs[i].sourceLayer.name;
      files.push([`x_${layer}.npy`, npyBytes(xs[input.part], [count, ...input.shape])]);
      return { layer, file: `x_${layer}.npy` };
    });
    const targets = fit.outputs.map((output) => {
      const y = ys[output.part];
      const classes = output.loss === 'categoricalCrossentropy';
      files.push([`y_${output.name}.npy`, npyBytes(y, classes ? [count] : [count, ...output.shape])]);
      return { layer: output.name, file: `y_${output.name}.npy`, loss: output.loss, fromLogits: output.fromLogits, lossWeight: output.lossWeight };
    });
    files.push([PYTORCH_DATA_META, JSON.stringify({ dataset: info.name, samples: count, inputs, targets }, null, 2) + '\n']);
    await fs.mkdir(dir, { recursive: true });
    for (const [name, bytes] of files) await writeFileAtomic(path.join(dir, name), bytes);
    return files.map(([name]) => name);
  } finally {
    model.dispose();
  }
}
