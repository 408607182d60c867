/**
 * Continuing a run cut off after some finished epochs: from the weights checkpointed after the last of them,
 * with the run's own project (network, data, split, training options), at the next epoch. What is on disk and
 * how it is found is the run history's (main/node/runs.ts); this is the part every trainer shares.
 *
 * A checkpoint also holds the optimizer's state (its step count, Adam's moments, momentum…), so a resumed run
 * takes the same steps the uninterrupted run would have. A checkpoint without it (written before it was kept)
 * still resumes, with the optimizer started afresh, which the run's log and its summary say.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { EpochMetrics } from '../api/contract';
import type { Project } from '../project';

type Tf = typeof tfTypes;

export interface ResumePoint {
  /** 0-based epoch to train next: the epoch after the last checkpointed one. */
  startEpoch: number;
  /** The metrics of epochs 0 … startEpoch − 1, as recorded; the resumed run appends after them. */
  history: EpochMetrics[];
  /** The checkpoint of epoch startEpoch − 1 (its weight specs and data; the topology is the project's). */
  weights: Pick<tfTypes.io.ModelArtifacts, 'weightSpecs' | 'weightData'>;
  /** The optimizer's state at that checkpoint; absent in a checkpoint that did not keep it. */
  optimizer?: OptimizerState;
}

/** An optimizer's weights (tf.Optimizer.getWeights), encoded as a model's weights are. */
export interface OptimizerState {
  weightSpecs: tfTypes.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/** Said in the run's log and kept in its summary when a checkpoint has no optimizer state. */
export const OPTIMIZER_STATE_NOTE = "the checkpoint holds the model's weights but not the optimizer's state: the optimizer starts afresh at the resumed epoch";
/** Said in the run's log and kept in its summary when it has. */
export const OPTIMIZER_RESTORED_NOTE = "the optimizer's state was restored from the checkpoint";

/** The optimizer's state now, in a freshly allocated buffer (safe to transfer to another thread). */
export async function captureOptimizerState(tf: Tf, optimizer: tfTypes.Optimizer): Promise<OptimizerState> {
  const named = await optimizer.getWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    return { weightSpecs: specs, weightData: tf.io.CompositeArrayBuffer.join(data) };
  } finally {
    // The step count comes as a new tensor; the rest are the optimizer's own variables.
    for (const { tensor } of named) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
}

/** Puts a captured state back into an optimizer of the same kind, for the same variables in the same order. */
export async function restoreOptimizerState(tf: Tf, optimizer: tfTypes.Optimizer, state: OptimizerState): Promise<void> {
  const decoded = tf.io.decodeWeights(state.weightData, state.weightSpecs);
  try {
    await optimizer.setWeights(state.weightSpecs.map((s) => ({ name: s.name, tensor: decoded[s.name] })));
  } finally {
    // setWeights keeps variables of its own (they share the data, which stays referenced).
    for (const t of Object.values(decoded)) t.dispose();
  }
}

/**
 * Why `current` cannot continue a run that trained `trained`, or null when it can: the network (layers, their
 * settings and connections), the data choice (source, split) and the training options must be the same; the
 * project's name, description and canvas positions may differ.
 */
export function resumeMismatch(trained: Project, current: Project): string | null {
  const graphOf = (p: Project) => ({
    nodes: p.graph.nodes.map(({ id, kind, name, params, trainable }) => ({ id, kind, name, params, trainable: trainable !== false })),
    edges: p.graph.edges.map(({ source, target }) => ({ source, target })),
  });
  const network = firstDifference(graphOf(trained), graphOf(current), 'graph');
  if (network) return `the network differs from the one the run trained (${describeAt(network, trained)})`;
  const data = firstDifference(trained.dataset, current.dataset, 'dataset');
  if (data) return `the data differs from what the run trained on (${data.path} was ${show(data.was)}, now ${show(data.now)})`;
  const training = firstDifference(trained.training, current.training, 'training');
  if (training) return `the training options differ from the run's (${training.path} was ${show(training.was)}, now ${show(training.now)})`;
  return null;
}

interface Difference {
  path: string;
  was: unknown;
  now: unknown;
}

function firstDifference(was: unknown, now: unknown, at: string): Difference | null {
  if (Object.is(was, now)) return null;
  if (typeof was !== 'object' || typeof now !== 'object' || was === null || now === null || Array.isArray(was) !== Array.isArray(now)) {
    return { path: at, was, now };
  }
  if (Array.isArray(was) && Array.isArray(now) && was.length !== now.length) return { path: `${at}.length`, was: was.length, now: now.length };
  const a = was as Record<string, unknown>;
  const b = now as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference(a[key], b[key], `${at}.${key}`);
    if (d) return d;
  }
  return null;
}

/** "layer dense_2: params.units was 32, now 64" for a path into a node; the path itself otherwise. */
function describeAt(d: Difference, trained: Project): string {
  const m = /^graph\.nodes\.(\d+)\.(.+)$/.exec(d.path);
  const node = m ? trained.graph.nodes[Number(m[1])] : undefined;
  if (m && node) return `layer ${node.name}: ${m[2]} was ${show(d.was)}, now ${show(d.now)}`;
  if (d.path === 'graph.nodes.length') return `${show(d.was)} layers then, ${show(d.now)} now`;
  if (d.path.startsWith('graph.edges')) return 'the layers are connected differently';
  return `${d.path} was ${show(d.was)}, now ${show(d.now)}`;
}

function show(v: unknown): string {
  return v === undefined ? 'unset' : JSON.stringify(v);
}

/** Why epochs after `startEpoch` cannot be trained under `config`, or null. */
export function resumeRefusal(startEpoch: number, epochs: number): string | null {
  return startEpoch >= epochs ? `all ${epochs} epoch${epochs === 1 ? '' : 's'} are trained` : null;
}

/**
 * Sets the model's weights from a checkpoint, weight by weight in the model's order (the order they were saved
 * in). Throws a message naming the first weight that does not fit.
 */
export function loadCheckpointWeights(tf: Tf, model: tfTypes.LayersModel, weights: ResumePoint['weights']): void {
  const specs = weights.weightSpecs ?? [];
  const data = weights.weightData;
  if (!data) throw new Error('The checkpoint has no weights.');
  const targets = model.weights;
  if (specs.length !== targets.length) {
    throw new Error(`The checkpoint holds ${specs.length} weights but the network has ${targets.length}: it was saved from another network.`);
  }
  specs.forEach((spec, i) => {
    const want = targets[i].shape;
    if (spec.shape.length !== want.length || spec.shape.some((d, j) => d !== want[j])) {
      throw new Error(`The checkpoint does not fit the network: ${targets[i].originalName ?? targets[i].name} is [${want.join(', ')}] but the checkpoint's ${spec.name} is [${spec.shape.join(', ')}].`);
    }
  });
  const decoded = tf.io.decodeWeights(data, specs);
  const tensors = specs.map((s) => decoded[s.name]);
  try {
    model.setWeights(tensors);
  } finally {
    for (const t of Object.values(decoded)) t.dispose();
  }
}
