/**
 * A training run recorded in the run history, whoever starts it (the engine for the app, the command-line
 * trainer): every event goes to the RunRecorder, checkpoints to the run's folder, and `done` reaches the
 * listener only once the run's end is on disk, so a runs list read after `done` agrees with it.
 */
import type { TrainingEvent } from '../core/api/contract';
import type { Project } from '../core/project';
import type { TrainingResult } from '../core/training/types';
import { RunRecorder, type CheckpointHandler, type RunResume, type RunStore } from './runs';

/** What a trainer must offer to be recorded (the Node worker's TrainingRun, the browser GPU's run). */
export interface RecordableRun {
  runId: string;
  done: Promise<TrainingResult>;
}

export interface RecordedTraining<R extends RecordableRun> {
  run: R;
  /** Settles (never rejects) when the run's end is written to the run history, after `done` was delivered. */
  persisted: Promise<void>;
}

export interface RecordOptions {
  /** Receives every event of the run; `done` comes last, once the run is on disk. */
  emit(e: TrainingEvent): void;
  /** Continue this earlier run instead of recording a new one; `start` must train it under the same id. */
  resume?: RunResume;
  /** Where recording problems are reported (they never stop training). */
  log?: (message: string) => void;
}

/** Starts a run with `start` (given the hooks to pass to the trainer) and records it in `store`. */
export function startRecordedTraining<R extends RecordableRun>(
  store: RunStore,
  project: Project,
  start: (onEvent: (e: TrainingEvent) => void, onCheckpoint: CheckpointHandler) => R,
  options: RecordOptions,
): RecordedTraining<R> {
  // Assigned once the run (and its id) exists; the event callback below may already be called before that.
  // eslint-disable-next-line prefer-const -- a const cannot be read by the callback before it is initialized
  let recorder: RunRecorder | undefined;
  let heldDone: TrainingEvent | undefined;
  const onEvent = (e: TrainingEvent) => {
    recorder?.event(e);
    if (e.type === 'done') heldDone = e;
    else options.emit(e);
  };
  const onCheckpoint: CheckpointHandler = (epoch, artifacts, isBest, optimizer) => recorder?.checkpoint(epoch, artifacts, isBest, optimizer) ?? Promise.resolve();
  const run = start(onEvent, onCheckpoint);
  if (options.resume && options.resume.runId !== run.runId) throw new Error(`A resumed run must keep its id ${options.resume.runId} (the trainer gave ${run.runId}).`);
  recorder = new RunRecorder(store, run.runId, project, options.log, options.resume);
  const rec = recorder;
  const persisted = run.done
    .then(
      (result) => rec.finish(result),
      (e: Error) => rec.finish({ status: 'failed', error: e.message, epochsCompleted: 0 }),
    )
    .finally(() => {
      if (heldDone) options.emit(heldDone);
    });
  return { run, persisted };
}
