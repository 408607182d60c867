/**
 * A run's trained model, built again in the engine: the network from the project saved with the run (the same
 * compileGraph training used) and the weights from its saved model (or, for a run cut short, its checkpoint).
 */
import * as tf from '@tensorflow/tfjs';
import type { Project } from '../core/project';
import { compileGraph } from '../core/compile';
import { loadCheckpointWeights } from '../core/training/resume';
import type { RunStore } from './runs';

export interface RunModel {
  runId: string;
  project: Project;
  model: tf.LayersModel;
  /** The tfjs the model was built with: use it for its tensors. */
  tf: typeof tf;
}

/** Loads run `runId`'s model; throws the run store's errors (no such run, no model) as they are. The caller disposes the model. */
export async function loadRunModel(store: RunStore, runId: string): Promise<RunModel> {
  const project = await store.loadConfig(runId);
  const artifacts = await store.loadArtifacts(runId);
  const model = compileGraph(tf, project.graph);
  try {
    loadCheckpointWeights(tf, model, artifacts);
  } catch (e) {
    model.dispose();
    throw new Error(`The saved model of run ${runId} does not fit its network: ${(e as Error).message}`);
  }
  return { runId, project, model, tf };
}
