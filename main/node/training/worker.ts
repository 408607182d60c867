/**
 * The training worker: runs in a worker_threads Worker started by run.ts, so a long or failing training
 * never blocks or crashes the engine. It is thin: backend selection, openDataset, compileGraph, then the
 * portable loop (core/training/loop.ts) and the test evaluation (core/training/evaluate.ts). It posts
 * TrainingEvents as they happen, `checkpoint` messages after epochs (when the parent wants them), and
 * finally one `result` message (with the model's artifacts, weights transferred).
 *
 * Stop and pause: the parent writes a SharedArrayBuffer of two int32 flags, [stop, pause]. The loop
 * reads them with Atomics.load before and after every batch, so a stop takes effect within one batch
 * even when this thread's event loop does not turn between batches; while paused, the loop waits
 * between batches (polling the flags every 50 ms).
 *
 * Numbering: `epoch` and `batch` in events (and EpochMetrics.epoch) are 0-based, as in tfjs callbacks;
 * messages written for people say "epoch 1".
 *
 * Seeding: tfjs layer initializers take a seed only per layer, and the compiler does not pass one; but
 * every tfjs random op without a seed seeds itself from Math.random. This thread owns its own Math, so
 * Math.random is replaced here by a PRNG seeded with the project's training seed: initial weights,
 * dropout masks and (through the loop's own PRNG from the same seed) the batch order are then the same
 * for every run of the same project on the same backend (different backends differ in float rounding).
 */
import { parentPort, workerData, isMainThread } from 'node:worker_threads';
import type * as tfTypes from '@tensorflow/tfjs';
import type { EpochMetrics, TrainingEvent } from '../../core/api/contract';
import type { EvaluationReport } from '../../core/metrics';
import type { Project } from '../../core/project';
import type { TrainingData } from '../../core/training/types';
import type { DatasetInfo } from '../../core/datasets';
import { runTrainingLoop, mulberry32, describeTrainingError, checkModelFitsData } from '../../core/training/loop';
import { evaluateOnTest, testSummary } from '../../core/training/evaluate';
import { captureArtifacts } from '../../core/training/artifacts';
import { selectBackend, type Tf } from '../backend';
import { openDataset } from '../datasets';
import { createFusedAdam, createLstmLayer } from '../wasm/trainingKernels';
import { compileGraph, GraphCompileError } from '../compiler';

export interface WorkerInput {
  runId: string;
  project: Project;
  backend?: string;
  /** Int32Array(2) over a SharedArrayBuffer: [0] non-zero means "stop", [1] non-zero means "pause". */
  flags: SharedArrayBuffer;
  /** Post `checkpoint` messages (the parent has an onCheckpoint). */
  checkpoints?: boolean;
}

export interface WorkerResult {
  status: 'completed' | 'stopped' | 'failed';
  error?: string;
  epochsCompleted: number;
  history: EpochMetrics[];
  test?: { loss: number; acc: number };
  evaluation?: EvaluationReport;
  stoppedEarly?: boolean;
  bestEpoch?: number;
  artifacts?: tfTypes.io.ModelArtifacts;
}

export type WorkerMessage =
  | { kind: 'event'; event: TrainingEvent }
  | { kind: 'checkpoint'; epoch: number; isBest: boolean; artifacts: tfTypes.io.ModelArtifacts }
  | { kind: 'result'; result: WorkerResult };

export const STOP_FLAG = 0;
export const PAUSE_FLAG = 1;
const PAUSE_POLL_MS = 50;

function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(msg, transfer);
}

async function main(input: WorkerInput): Promise<void> {
  const { runId, project } = input;
  const flags = new Int32Array(input.flags);
  const stopRequested = () => Atomics.load(flags, STOP_FLAG) !== 0;
  const pauseRequested = () => Atomics.load(flags, PAUSE_FLAG) !== 0;
  const cfg = project.training;
  const emit = (event: TrainingEvent) => post({ kind: 'event', event });
  const log = (message: string) => emit({ type: 'log', runId, message });
  const fail = (error: string) => post({ kind: 'result', result: { status: 'failed', error, epochsCompleted: 0, history: [] } });

  // Everything random in this thread (weight init, dropout) follows the project's seed.
  Math.random = mulberry32(cfg.seed);

  let tf: Tf;
  let backend;
  let data: TrainingData;
  let model: tfTypes.LayersModel;
  try {
    const selected = await selectBackend({ prefer: input.backend });
    tf = selected.tf;
    backend = selected.info;
    log(`Training on ${backend.device} (tfjs backend "${backend.name}").`);
    if (stopRequested()) {
      log('Stopped before training began.');
      post({ kind: 'result', result: { status: 'stopped', epochsCompleted: 0, history: [] } });
      return;
    }
    const t0 = Date.now();
    let problems = 0;
    data = await openDataset(project.dataset, {
      onProblem: (p) => {
        if (++problems <= 5) log(`Data problem in ${p.file}${p.line ? `, line ${p.line}` : ''}${p.column ? `, column ${p.column}` : ''}: ${p.message}`);
      },
    });
    log(
      `Loaded ${data.info.name} in ${Date.now() - t0} ms: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test samples${problems > 5 ? ` (${problems} problems, first 5 shown)` : ''}.`,
    );
    // On wasm, LSTMs use the fused sequence kernel (same weights, saved as a plain tfjs LSTM).
    const overrides = tf.getBackend() === 'wasm' ? { lstm: (config: Record<string, unknown>) => createLstmLayer(tf!, config as never) as never } : {};
    model = compileGraph(tf, project.graph, undefined, overrides);
    checkModelFitsData(model, data.info); // a clear message before anything starts
  } catch (e) {
    fail(e instanceof GraphCompileError ? `The network cannot be built: ${e.message}` : e instanceof Error && /^The network/.test(e.message) ? e.message : describeTrainingError(e));
    return;
  }

  const result = await runTrainingLoop({
    tf,
    model,
    data,
    config: cfg,
    runId,
    backend,
    emit,
    // On wasm, Adam / AdamW update each variable in one fused kernel (same updates as tf.train.adam).
    ...(tf.getBackend() === 'wasm' ? { makeOptimizer: (t: Tf, c: { optimizer: string }, lr: number) => (c.optimizer === 'adam' || c.optimizer === 'adamw' ? createFusedAdam(t, lr) : undefined) } : {}),
    control: {
      shouldStop: stopRequested,
      isPaused: pauseRequested,
      waitWhilePaused: async () => {
        while (pauseRequested() && !stopRequested()) await new Promise((r) => setTimeout(r, PAUSE_POLL_MS));
      },
    },
    onEpochEnd: input.checkpoints
      ? async (epoch, _metrics, isBest) => {
          if (!cfg.checkpointEveryEpoch && !isBest) return;
          const artifacts = await captureArtifacts(tf, model);
          post({ kind: 'checkpoint', epoch, isBest, artifacts }, artifacts.weightData instanceof ArrayBuffer ? [artifacts.weightData] : []);
        }
      : undefined,
  });

  const out: WorkerResult = { status: result.status, epochsCompleted: result.epochsCompleted, history: result.history };
  if (result.error !== undefined) out.error = result.error;
  if (result.stoppedEarly !== undefined) out.stoppedEarly = result.stoppedEarly;
  if (result.bestEpoch !== undefined) out.bestEpoch = result.bestEpoch;
  const transfer: ArrayBuffer[] = [];
  if (result.status !== 'failed') {
    try {
      if (result.epochsCompleted >= 1 && data.test.count > 0) {
        const fit = checkModelFitsData(model, data.info);
        const report = await evaluateOnTest(tf, model, data, fit.loss);
        out.evaluation = report;
        out.test = testSummary(report);
        emit({ type: 'evaluation', runId, report });
        log(
          `Test set (${report.samples} samples): loss ${report.loss.toFixed(4)}, ${
            report.regression ? `MAE ${report.regression.mae.toPrecision(4)}, R² ${report.regression.r2.toFixed(3)}` : `accuracy ${(out.test.acc * 100).toFixed(2)} %`
          }.`,
        );
      }
    } catch (e) {
      log(`Could not evaluate the model on the test set: ${(e as Error).message}`);
    }
    try {
      // The data's description travels inside model.json, so an exported model says how to feed it.
      model.setUserDefinedMetadata({ neurowire: datasetMetadata(data.info) });
      out.artifacts = await captureArtifacts(tf, model);
      if (out.artifacts.weightData instanceof ArrayBuffer) transfer.push(out.artifacts.weightData);
    } catch (e) {
      log(`Could not keep the model: ${(e as Error).message}`);
    }
  }
  post({ kind: 'result', result: out }, transfer);
}

/** What a deployer needs to know about the training data: task, classes, input shape and preprocessing. */
function datasetMetadata(info: DatasetInfo): Record<string, unknown> {
  const { name, task, classNames, inputShape, inputDType, outputSize, featureNames, preprocessing } = info;
  // A JSON round trip drops undefined fields, which tfjs refuses in metadata.
  return JSON.parse(JSON.stringify({ dataset: name, task, classNames, inputShape, inputDType, outputSize, featureNames, preprocessing }));
}


if (!isMainThread && parentPort) {
  const input = workerData as WorkerInput;
  const failHard = (e: unknown) => {
    try {
      post({ kind: 'result', result: { status: 'failed', error: describeTrainingError(e), epochsCompleted: 0, history: [] } });
    } catch {
      /* the parent will see the worker exit */
    }
  };
  process.on('unhandledRejection', failHard);
  main(input).catch(failHard);
}
