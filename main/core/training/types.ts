import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendInfo, EpochMetrics, TrainingEvent } from '../api/contract';
import type { DatasetInfo } from '../datasets';
import type { TrainingConfig } from '../project';

/**
 * The portable training seam. The same loop runs in the Node worker (tfjs-node, wasm, cpu) and in a
 * Chromium page (WebGPU, WebGL): it receives tf, a compiled-graph model and data behind this interface,
 * and never touches Node or DOM APIs itself.
 */

type Tf = typeof tfTypes;

/** A batch of samples: x flattened sample-major (int32 token ids for text), y as class indices or regression targets. */
export interface Batch {
  x: Float32Array | Int32Array;
  /** Classification: Int32Array of class indices. Regression: Float32Array of outputSize values per sample. */
  y: Int32Array | Float32Array;
  count: number;
}

/** One split, read by sample index so data can be shuffled and streamed from disk batch by batch. */
export interface SplitData {
  count: number;
  /** Class index per sample (classification), for class weights, stratification and evaluation. */
  labels?: Int32Array;
  getBatch(indices: ArrayLike<number>): Batch | Promise<Batch>;
}

export interface TrainingData {
  info: DatasetInfo;
  train: SplitData;
  validation: SplitData;
  test: SplitData;
}

export interface LoopControl {
  shouldStop(): boolean;
  /** Resolves at once when not paused; otherwise when resumed or stopped. */
  waitWhilePaused(): Promise<void>;
}

export interface LoopOptions {
  tf: Tf;
  /** The model built by compileGraph (not yet compiled with an optimizer). */
  model: tfTypes.LayersModel;
  data: TrainingData;
  config: TrainingConfig;
  runId: string;
  backend: BackendInfo;
  emit(event: TrainingEvent): void;
  control: LoopControl;
  /** Called after each epoch's validation; `isBest` by the monitored metric. Checkpointing hooks in here. */
  onEpochEnd?(epoch: number, metrics: EpochMetrics, isBest: boolean): Promise<void> | void;
}

export interface LoopResult {
  status: 'completed' | 'stopped' | 'failed';
  error?: string;
  epochsCompleted: number;
  history: EpochMetrics[];
  stoppedEarly?: boolean;
  /** 0-based epoch whose weights the model holds at the end (after restoring the best). */
  bestEpoch?: number;
}
