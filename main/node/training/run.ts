import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type * as tfTypes from '@tensorflow/tfjs';
import type { EpochMetrics, TrainingEvent } from '../../core/api/contract';
import type { Project } from '../../core/project';
import type { TrainingResult } from '../../core/training/types';
import { doneEvent } from '../../core/training/job';
import type { OptimizerState, ResumePoint } from '../../core/training/resume';
import { STOP_FLAG as STOP, PAUSE_FLAG as PAUSE, type WorkerInput, type WorkerMessage } from './worker';

export type { TrainingResult };

export interface TrainingRun {
  runId: string;
  /** Asks the worker to stop after the batch it is on; `done` then resolves with status "stopped". */
  stop(): void;
  /**
   * Pauses between batches (the worker then sends a `state: paused` event). False when the run is over,
   * stopping, or already paused.
   */
  pause(): boolean;
  /** Resumes a paused run (`state: running` follows). False when it was not paused. */
  resume(): boolean;
  /** Always resolves (never rejects), after the 'done' event has been sent. */
  done: Promise<TrainingResult>;
}

export interface StartTrainingOptions {
  /** Force a backend ("cpu", "wasm", "tfjs-node", "tfjs-node-gpu"); default: the best that works. */
  backend?: string;
  /** Threads for CPU training on wasm (default: NEUROWIRE_THREADS, else the free cores). */
  threads?: number;
  /**
   * Checkpoints: called after every epoch when the project's checkpointEveryEpoch is set, and after every
   * epoch that is the best so far by the early-stopping monitor (isBest). `done` waits for the returned
   * promises; a rejection is reported as a log event, never fails the run.
   */
  onCheckpoint?: (epoch: number, artifacts: tfTypes.io.ModelArtifacts, isBest: boolean, optimizer?: OptimizerState) => Promise<void> | void;
  /** Continue run `runId` from its checkpoint (core/training/resume.ts) under the same id, instead of a new run. */
  resume?: ResumePoint & { runId: string };
}

/** After stop(), how long the worker gets to finish its batch and save the model before it is terminated. */
const STOP_GRACE_MS = 60_000;

const nodeRequire: NodeJS.Require = typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'index.js'));

/**
 * Where the worker script is and how to start it.
 * - From TypeScript sources (vitest, tsx): this file is run.ts, the worker is worker.ts beside it and the
 *   Worker gets `--require <tsx/cjs>` so Node can load .ts. (`--import tsx` in a Worker's execArgv does
 *   not work on Node 20: the worker fails with "Unknown file extension .ts".)
 * - From the esbuild bundle (CommonJS): run.js and worker.js sit side by side in dist/main/node/training.
 *   If run.ts was bundled into another entry instead, a few likely places of worker.js are tried as well,
 *   and NEUROWIRE_TRAINING_WORKER may name the file outright.
 */
export function resolveWorkerEntry(): { file: string; execArgv?: string[] } {
  const ext = path.extname(__filename);
  if (process.env.NEUROWIRE_TRAINING_WORKER) {
    const file = path.resolve(process.env.NEUROWIRE_TRAINING_WORKER);
    return path.extname(file) === '.ts' ? { file, execArgv: ['--require', nodeRequire.resolve('tsx/cjs')] } : { file };
  }
  const primary = path.join(__dirname, 'worker' + ext);
  if (ext === '.ts') return { file: primary, execArgv: ['--require', nodeRequire.resolve('tsx/cjs')] };
  const candidates = [primary, path.join(__dirname, 'training', 'worker.js'), path.join(__dirname, '..', 'training', 'worker.js'), path.join(__dirname, 'main', 'node', 'training', 'worker.js')];
  const found = candidates.find((f) => fs.existsSync(f));
  return { file: found ?? primary };
}

export function startTraining(project: Project, onEvent: (e: TrainingEvent) => void, opts: StartTrainingOptions = {}): TrainingRun {
  const runId = opts.resume?.runId ?? randomUUID();
  const flagsBuffer = new SharedArrayBuffer(8);
  const flags = new Int32Array(flagsBuffer);
  let settled = false;
  let worker: Worker | null = null;
  let stopTimer: NodeJS.Timeout | null = null;
  let resolveDone!: (r: TrainingResult) => void;
  const done = new Promise<TrainingResult>((resolve) => (resolveDone = resolve));

  const send = (e: TrainingEvent) => {
    try {
      onEvent(e);
    } catch (err) {
      // A listener's bug must not take the run (or the engine) down.
      console.error('[neurowire] training event listener threw:', err);
    }
  };

  const settle = (result: TrainingResult) => {
    if (settled) return;
    settled = true;
    if (stopTimer) clearTimeout(stopTimer);
    send(doneEvent(runId, result));
    resolveDone(result);
    // The worker has posted everything it will; make sure the thread goes away.
    if (worker) void worker.terminate().catch(() => undefined);
  };

  const failed = (error: string, partial?: Partial<TrainingResult>): TrainingResult => ({
    status: 'failed',
    error,
    epochsCompleted: partial?.epochsCompleted ?? 0,
    history: partial?.history ?? [],
  });

  // Progress seen so far, so a crash of the worker still reports what was done.
  const history: EpochMetrics[] = opts.resume ? opts.resume.history.slice(0, opts.resume.startEpoch) : [];
  // Checkpoint writes in flight: the result waits for them so the run folder is complete at 'done'.
  const checkpointWrites: Promise<void>[] = [];
  // Once the result is in, the worker's exit is expected (the result may still wait for checkpoint writes).
  let resultReceived = false;

  try {
    const entry = resolveWorkerEntry();
    if (!fs.existsSync(entry.file)) throw new Error(`the training worker script is missing (${entry.file})`);
    const resume = opts.resume ? { startEpoch: opts.resume.startEpoch, history: opts.resume.history, weights: opts.resume.weights, optimizer: opts.resume.optimizer } : undefined;
    const input: WorkerInput = { runId, project, backend: opts.backend, ...(opts.threads !== undefined ? { threads: opts.threads } : {}), flags: flagsBuffer, checkpoints: opts.onCheckpoint !== undefined, ...(resume ? { resume } : {}) };
    worker = new Worker(entry.file, { workerData: input, ...(entry.execArgv ? { execArgv: entry.execArgv } : {}) });
  } catch (e) {
    const result = failed(`Could not start training: ${(e as Error).message}`);
    // Deliver asynchronously so the caller has the run object (and its runId) before events arrive.
    queueMicrotask(() => settle(result));
    return { runId, stop() {}, pause: () => false, resume: () => false, done };
  }

  worker.on('message', (msg: WorkerMessage) => {
    if (settled || resultReceived) return;
    if (msg.kind === 'event') {
      if (msg.event.type === 'epoch') history.push(msg.event.metrics);
      send(msg.event);
    } else if (msg.kind === 'checkpoint') {
      const onCheckpoint = opts.onCheckpoint;
      if (!onCheckpoint) return;
      const write = (async () => {
        try {
          await onCheckpoint(msg.epoch, msg.artifacts, msg.isBest, msg.optimizer);
        } catch (e) {
          send({ type: 'log', runId, message: `Could not save the checkpoint of epoch ${msg.epoch + 1}: ${(e as Error).message}` });
        }
      })();
      checkpointWrites.push(write);
    } else if (msg.kind === 'result') {
      resultReceived = true;
      const result = msg.result;
      void Promise.all(checkpointWrites).then(() => settle(result));
    }
  });
  worker.on('error', (err) => {
    if (settled || resultReceived) return;
    const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    settle(
      failed(
        oom ? `Training ran out of memory (${err.message}). Use a smaller batch size or a smaller network.` : `The training worker crashed: ${err.message}`,
        { history: [...history], epochsCompleted: history.length },
      ),
    );
  });
  worker.on('exit', (code) => {
    if (settled || resultReceived) return;
    if (Atomics.load(flags, STOP) !== 0) {
      settle({ status: 'stopped', epochsCompleted: history.length, history: [...history] });
    } else {
      settle(failed(`The training worker exited unexpectedly (exit code ${code}).`, { history: [...history], epochsCompleted: history.length }));
    }
  });

  return {
    runId,
    stop() {
      if (settled) return;
      Atomics.store(flags, STOP, 1);
      if (!stopTimer) {
        stopTimer = setTimeout(() => {
          if (settled) return;
          settle({ status: 'stopped', epochsCompleted: history.length, history: [...history] });
        }, STOP_GRACE_MS);
        stopTimer.unref?.();
      }
    },
    pause() {
      if (settled || Atomics.load(flags, STOP) !== 0 || Atomics.load(flags, PAUSE) !== 0) return false;
      Atomics.store(flags, PAUSE, 1);
      return true;
    },
    resume() {
      if (settled || Atomics.load(flags, PAUSE) === 0) return false;
      Atomics.store(flags, PAUSE, 0);
      return true;
    },
    done,
  };
}
