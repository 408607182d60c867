/**
 * A run's trained model, the one way the engine loads it: readRunModel reads the project saved with the run and the
 * artifacts it kept (model/, else its best or latest checkpoint: RunStore.loadArtifacts) — all export needs —, and
 * loadRunModel adds the model tfjs builds from those artifacts, for Try's predictions and Inside's activations.
 * RunModels keeps the last few built, so stepping through samples or trying one after another does not read and
 * build the model again each time.
 */
import * as tf from '@tensorflow/tfjs';
import type { Project } from '../core/project';
import { registerCustomLayers } from '../core/layers/custom';
import type { RunStore } from './runs';

/** A run's saved model as read from its folder, not built. */
export interface SavedRunModel {
  runId: string;
  project: Project;
  /** The saved model (topology with its metadata, weights). */
  artifacts: tf.io.ModelArtifacts;
}

export interface RunModel extends SavedRunModel {
  model: tf.LayersModel;
  /** The tfjs the model was built with: use it for its tensors. */
  tf: typeof tf;
}

/** Loads one run's model; the caller (RunModels) disposes it. */
export type RunModelLoader = (store: RunStore, runId: string) => Promise<RunModel>;

/** The model tfjs builds from a run's artifacts (their topology and weights, exactly as saved). */
export async function buildRunModel({ runId, project, artifacts }: SavedRunModel): Promise<RunModel> {
  registerCustomLayers(tf);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new Error(`The saved model of run ${runId} cannot be built: ${(e as Error).message}`);
  }
  return { runId, project, artifacts, model, tf };
}

/** Reads run `runId`'s project and saved model; throws the store's errors (no such run, no model) as they are. */
export async function readRunModel(store: RunStore, runId: string): Promise<SavedRunModel> {
  const project = await store.loadConfig(runId);
  const artifacts = await store.loadArtifacts(runId);
  return { runId, project, artifacts };
}

/** Reads and builds run `runId`'s model (RunModels' loader); the caller disposes it. */
export async function loadRunModel(store: RunStore, runId: string): Promise<RunModel> {
  return buildRunModel(await readRunModel(store, runId));
}

/** How many run models are kept in memory by default. */
export const RUN_MODELS_KEPT = 3;

interface Entry {
  /** RunStore.modelStamp when the load began: a different stamp means the files changed since. */
  stamp: string;
  model: Promise<RunModel>;
  /** Calls of use() running with this model now; an evicted model is disposed when the last one ends. */
  users: number;
  evicted: boolean;
}

/**
 * The run models kept in memory, least recently used first out. Each use() checks the run's files (modelStamp): a run
 * whose model or project changed is loaded again, a deleted one is refused and dropped. An evicted model is disposed
 * once no use() is running with it.
 */
export class RunModels {
  private readonly entries = new Map<string, Entry>();
  private readonly capacity: number;
  private readonly load: RunModelLoader;

  constructor(
    private readonly store: RunStore,
    opts: { capacity?: number; load?: RunModelLoader } = {},
  ) {
    this.capacity = Math.max(1, opts.capacity ?? RUN_MODELS_KEPT);
    this.load = opts.load ?? loadRunModel;
  }

  /** Runs `fn` with run `runId`'s model, loading it only when it is not kept or its files changed. */
  async use<T>(runId: string, fn: (m: RunModel) => Promise<T> | T): Promise<T> {
    let stamp: string;
    try {
      stamp = await this.store.modelStamp(runId);
    } catch (e) {
      this.forget(runId);
      throw e;
    }
    let entry = this.entries.get(runId);
    if (entry && entry.stamp !== stamp) {
      this.forget(runId);
      entry = undefined;
    }
    if (entry) {
      // Most recently used last.
      this.entries.delete(runId);
      this.entries.set(runId, entry);
    } else {
      const fresh: Entry = { stamp, model: this.load(this.store, runId), users: 0, evicted: false };
      entry = fresh;
      this.entries.set(runId, fresh);
      // A failed load is not kept: the next use tries again.
      fresh.model.catch(() => {
        if (this.entries.get(runId) === fresh) this.entries.delete(runId);
      });
      for (const [id, old] of this.entries) {
        if (this.entries.size <= this.capacity) break;
        if (id !== runId) this.evict(id, old);
      }
    }
    entry.users++;
    try {
      return await fn(await entry.model);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) dispose(entry);
    }
  }

  /** Drops run `runId`'s model (disposed once no use() runs with it). */
  forget(runId: string): void {
    const entry = this.entries.get(runId);
    if (entry) this.evict(runId, entry);
  }

  /** Drops every model. */
  clear(): void {
    for (const [id, entry] of [...this.entries]) this.evict(id, entry);
  }

  /** Run ids of the models kept, least recently used first. */
  kept(): string[] {
    return [...this.entries.keys()];
  }

  private evict(runId: string, entry: Entry): void {
    if (this.entries.get(runId) === entry) this.entries.delete(runId);
    entry.evicted = true;
    if (entry.users === 0) dispose(entry);
  }
}

function dispose(entry: Entry): void {
  entry.model.then((m) => m.model.dispose()).catch(() => undefined);
}
