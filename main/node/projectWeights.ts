/**
 * The trained weights a project keeps in a sidecar file beside it (core/nodeWeights.ts): where the file is while
 * the project is open (absolute) and in the saved file (its name, when it lies beside the project), and reading it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Project } from '../core/project';
import { checkWeightsFileSize, decodeNodeWeights, type NodeWeights } from '../core/nodeWeights';

/** The project with its weights file named absolutely, resolved against the project's folder. */
export function weightsBeside(project: Project, baseDir: string): Project {
  if (!project.weights || path.isAbsolute(project.weights.file)) return project;
  return { ...project, weights: { ...project.weights, file: path.resolve(baseDir, project.weights.file) } };
}

/** The project as it is saved in `dir`: a weights file in that folder is named by its file name alone. */
export function weightsRelativeTo(project: Project, dir: string): Project {
  if (!project.weights || !path.isAbsolute(project.weights.file) || path.dirname(project.weights.file) !== dir) return project;
  return { ...project, weights: { ...project.weights, file: path.basename(project.weights.file) } };
}

/** Reads the project's weights file; a missing or damaged one is an error naming it. */
export async function readProjectWeights(project: Project): Promise<NodeWeights> {
  if (!project.weights) return {};
  return decodeNodeWeights(project.weights, await readProjectWeightBytes(project));
}

/**
 * The bytes of the project's weights file as they are (for a page that trains: it decodes them itself), checked
 * against the project's manifest; a missing or damaged file is an error naming it. Empty when it keeps none.
 */
export async function readProjectWeightBytes(project: Project): Promise<Uint8Array> {
  if (!project.weights) return new Uint8Array(0);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(project.weights.file));
  } catch {
    throw new Error(`The weights file ${project.weights.file} of the project is not there: keep it beside the project file, or remove the project's weights to train from fresh ones.`);
  }
  checkWeightsFileSize(project.weights, bytes.byteLength);
  return bytes;
}
