/**
 * The training worker: runs in a worker_threads Worker started by run.ts, so a long or failing training
 * never blocks or crashes the engine. It hosts the one training job (core/training/job.ts) and supplies
 * only what is Node's: backend selection (tfjs-node, wasm with our kernels, cpu), the dataset readers,
 * and the stop/pause flags. It posts TrainingEvents as they happen, `checkpoint` messages after epochs
 * (when the parent wants them), and finally one `result` message (artifacts' weights transferred).
 *
 * Stop and pause: the parent writes a SharedArrayBuffer of two int32 flags, [stop, pause]. The loop
 * reads them with Atomics.load before and after every batch, so a stop takes effect within one batch
 * even when this thread's event loop does not turn between batches; while paused, the loop waits
 * between batches (polling the flags every 50 ms).
 */
import { parentPort, workerData, isMainThread } from 'node:worker_threads';
import { totalmem } from 'node:os';
import type * as tfTypes from '@tensorflow/tfjs';
import type { TrainingEvent } from '../../core/api/contract';
import type { Project } from '../../core/project';
import type { LoopControl, TrainingResult } from '../../core/training/types';
import { runTrainingJob, type JobHost } from '../../core/training/job';
import type { OptimizerState, ResumePoint } from '../../core/training/resume';
import type { LayerFactoryOverrides } from '../../core/compile';
import { describeTrainingError } from '../../core/training/loop';
import { selectBackend } from '../backend';
import { readProjectWeights } from '../projectWeights';
import { openDatasetLogged } from '../datasets';
import { createFusedAdam, createLstmLayer } from '../wasm/trainingKernels';

export interface WorkerInput {
  runId: string;
  project: Project;
  backend?: string;
  /** Threads for CPU training on wasm (selectBackend's default when absent). */
  threads?: number;
  /** Int32Array(2) over a SharedArrayBuffer: [STOP_FLAG] non-zero means "stop", [PAUSE_FLAG] "pause". */
  flags: SharedArrayBuffer;
  /** Post `checkpoint` messages (the parent has an onCheckpoint). */
  checkpoints?: boolean;
  /** Continue a run from its checkpoint (core/training/resume.ts). */
  resume?: ResumePoint;
}

export type WorkerMessage =
  | { kind: 'event'; event: TrainingEvent }
  | { kind: 'checkpoint'; epoch: number; isBest: boolean; artifacts: tfTypes.io.ModelArtifacts; optimizer?: OptimizerState }
  | { kind: 'result'; result: TrainingResult };

export const STOP_FLAG = 0;
export const PAUSE_FLAG = 1;
const PAUSE_POLL_MS = 50;

function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(msg, transfer);
}

function weightsOf(artifacts: tfTypes.io.ModelArtifacts | undefined): ArrayBuffer[] {
  return artifacts?.weightData instanceof ArrayBuffer ? [artifacts.weightData] : [];
}

/** Stop / pause from the parent's shared flags. */
export function flagControl(buffer: SharedArrayBuffer): LoopControl {
  const flags = new Int32Array(buffer);
  const stop = () => Atomics.load(flags, STOP_FLAG) !== 0;
  const pause = () => Atomics.load(flags, PAUSE_FLAG) !== 0;
  return {
    shouldStop: stop,
    isPaused: pause,
    waitWhilePaused: async () => {
      while (pause() && !stop()) await new Promise((r) => setTimeout(r, PAUSE_POLL_MS));
    },
  };
}

/** The Node side of a training job. On wasm, LSTMs use the fused sequence kernel and Adam / AdamW a fused update. */
function nodeHost(input: WorkerInput): JobHost {
  const { project } = input;
  const emit = (event: TrainingEvent) => post({ kind: 'event', event });
  let onWasm = false;
  return {
    emit,
    control: flagControl(input.flags),
    memoryBytes: totalmem(),
    async selectBackend() {
      const selected = await selectBackend({ prefer: input.backend, ...(input.threads !== undefined ? { threads: input.threads } : {}) });
      onWasm = selected.tf.getBackend() === 'wasm';
      return selected;
    },
    loadData: (log) => openDatasetLogged(project.dataset, log),
    loadProjectWeights: () => readProjectWeights(project),
    layerOverrides: (tf): LayerFactoryOverrides => (onWasm ? { lstm: (config) => createLstmLayer(tf, config) } : {}),
    makeOptimizer: (tf, config, lr) => (onWasm && (config.optimizer === 'adam' || config.optimizer === 'adamw') ? createFusedAdam(tf, lr) : undefined),
    ...(input.checkpoints
      ? {
          onCheckpoint: async (epoch: number, isBest: boolean, capture: () => Promise<tfTypes.io.ModelArtifacts>, captureOptimizer: () => Promise<OptimizerState>) => {
            const artifacts = await capture();
            const optimizer = await captureOptimizer();
            post({ kind: 'checkpoint', epoch, isBest, artifacts, optimizer }, [...weightsOf(artifacts), optimizer.weightData]);
          },
        }
      : {}),
  };
}

if (!isMainThread && parentPort) {
  const input = workerData as WorkerInput;
  const fail = (e: unknown) => {
    try {
      post({ kind: 'result', result: { status: 'failed', error: describeTrainingError(e), epochsCompleted: 0, history: [] } });
    } catch {
      /* the parent will see the worker exit */
    }
  };
  process.on('unhandledRejection', fail);
  runTrainingJob({ runId: input.runId, project: input.project, ...(input.resume ? { resume: input.resume } : {}) }, nodeHost(input)).then((result) => post({ kind: 'result', result }, weightsOf(result.artifacts)), fail);
}
