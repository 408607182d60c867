import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendInfo, EpochMetrics, TrainingEvent } from '../api/contract';
import type { DatasetInfo } from '../datasets';
import type { EvaluationReport } from '../metrics';
import type { TrainingConfig } from '../project';
import type { OutputLosses } from './loop';
import type { OptimizerState } from './resume';

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
  /** Data with several inputs (DatasetInfo.inputs): every input's values, in that order; x is xs[0]. */
  xs?: (Float32Array | Int32Array)[];
  /** Data with several targets (DatasetInfo.outputs): every target, in that order; y is ys[0]. */
  ys?: (Int32Array | Float32Array)[];
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
  /** Checked after every batch (and between evaluation chunks): a stop takes effect within one batch. */
  shouldStop(): boolean;
  /** Resolves at once when not paused; otherwise when resumed or stopped. */
  waitWhilePaused(): Promise<void>;
  /**
   * Optional: whether a pause is requested now. When given, the loop checks it before every batch and
   * emits the `state` events ('paused', then 'running' on resume) itself; without it the loop still
   * awaits waitWhilePaused() before every batch, and the host emits the state events.
   */
  isPaused?(): boolean;
}

/**
 * What runTrainingLoop does (main/core/training/loop.ts):
 * - Loss by lossFor(target, output units): categoricalCrossentropy, binaryCrossentropy (2 classes, one
 *   sigmoid unit; or each pixel of a reconstruction in 0..1) or meanSquaredError (values), from probabilities or
 *   (From logits) from raw scores; balanced class
 *   weights weigh each sample's loss; L1/L2 penalties on kernels and embeddings (never biases) are added to
 *   the training loss.
 * - Several outputs (each bound to a target of the data): the loss is Σ loss weight · each output's loss;
 *   `acc`/`mae` describe the output of the data's first target, and EpochMetrics.outputs / the batch event's
 *   `outputs` give every output's own loss and metric.
 * - Metrics: classification reports accuracy in `acc`/`valAcc`. Regression reports its MAE in the
 *   optional `mae`/`valMae` of EpochMetrics (and `mae` of batch events) and sets `acc`/`valAcc` to 0,
 *   never NaN; the UI tells a regression run by `mae !== undefined` (or by the dataset's task).
 *   Early stopping's `acc`/`val_acc` monitors mean MAE (lower is better) for regression.
 * - `loss` is the training loss with penalties and class weights; `valLoss` the plain data loss.
 * - The learning rate follows config.schedule per epoch (EpochMetrics.learningRate reports it).
 * - Per-layer weight, gradient and step norms on about ten batches an epoch (`norms` events, layerNorms.ts).
 * - Events: started, batch (≤ 20/s, always the last of each epoch), epoch, log, state (with
 *   control.isPaused). The host sends `evaluation` (evaluateOnTest, evaluate.ts) and `done`.
 * - The optimizer is created and disposed inside; after it returns, tf.memory().numTensors is what it
 *   was before (the model's weights stay).
 */
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
  onEpochEnd?(epoch: number, metrics: EpochMetrics, isBest: boolean, optimizer: tfTypes.Optimizer): Promise<void> | void;
  /**
   * Optional: builds the optimizer instead of the loop's own makeOptimizer (e.g. a fused Adam on wasm); return
   * undefined to use the default. Must behave like the default for `config` (AdamW's decay stays in the loop).
   */
  makeOptimizer?(tf: Tf, config: TrainingConfig, learningRate: number): tfTypes.Optimizer | undefined;
  /** Loss options (From logits, loss weight) by output layer name; the job reads them from project.training.outputs. */
  outputLosses?: OutputLosses;
  /** false leaves out the per-layer `norms` events (layerNorms.ts); the default measures them (bench/layer-norms.ts compares the speed). */
  layerNorms?: boolean;
  /**
   * Continue a run (resume.ts): train from 0-based epoch `startEpoch`, the model already holding the weights of the
   * epoch before it. `history` (those earlier epochs' metrics) seeds the best epoch and begins the result's history.
   */
  resume?: { startEpoch: number; history: EpochMetrics[]; optimizer?: OptimizerState };
}

/**
 * How a run ended: the one result type of a training job (job.ts), whatever ran it. The loop fills the
 * first fields; the job adds the test evaluation and the captured model.
 */
export interface TrainingResult {
  status: 'completed' | 'stopped' | 'failed';
  /** Present when status is failed: what went wrong, in words a person can act on. */
  error?: string;
  epochsCompleted: number;
  history: EpochMetrics[];
  stoppedEarly?: boolean;
  /**
   * 0-based epoch whose weights the model holds at the end (after restoring the best). Set when early
   * stopping is enabled and at least one epoch completed (stoppedEarly likewise).
   */
  bestEpoch?: number;
  /** Where a stopped run stopped: 1-based epoch and the batches of it that were trained (0: at the epoch's end). */
  stoppedAt?: StopPosition;
  test?: { loss: number; acc: number };
  /** The test-set report (also sent as the `evaluation` event). */
  evaluation?: EvaluationReport;
  /** The trained (or, after a stop, partially trained) model with the dataset's metadata; absent when the run failed. */
  artifacts?: tfTypes.io.ModelArtifacts;
}

/** Where a run was stopped: the 1-based epoch, the batches done in it (0: after it ended), of how many. */
export interface StopPosition {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
}
