/**
 * The keras/ folder of an export: the generated Keras project (core/codegen/keras.ts) and the app's Python modules
 * it imports (main/python), shipped as they are.
 */
import type * as tf from '@tensorflow/tfjs';
import { KERAS_SHIPPED_MODULES, generateKerasProject } from '../core/codegen/keras';
import type { Project } from '../core/project';
import { shippedPythonModule } from './projectSources';

export const KERAS_DIR = 'keras';

/**
 * keras/model.py, train.py, README.md and the shipped modules, as [path in the export folder, text]. A model Keras
 * cannot build the same way gets keras/README.md saying which layer and why, and the rest of the export goes on.
 */
export function kerasExportFiles(project: Project, artifacts: tf.io.ModelArtifacts, data: Record<string, unknown> | null): Array<[string, string]> {
  let files: Record<string, string>;
  try {
    files = generateKerasProject(project, { modelTopology: artifacts.modelTopology, weightNames: (artifacts.weightSpecs ?? []).map((w) => w.name), data });
  } catch (e) {
    return [[`${KERAS_DIR}/README.md`, `# ${project.name} — Keras\n\nThis model has no Keras export: ${(e as Error).message}\n`]];
  }
  for (const name of KERAS_SHIPPED_MODULES) files[name] = shippedPythonModule(name);
  return Object.entries(files).map(([name, text]): [string, string] => [`${KERAS_DIR}/${name}`, text]);
}
