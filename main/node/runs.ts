/**
 * Run history on disk. Every training run gets a folder `<dataDir>/runs/<runId>/`:
 *
 *   config.json        the project as trained (written once, at the start)
 *   summary.json       RunSummary; written atomically at the start, when the backend is known, and at the end
 *   metrics.ndjson     one EpochMetrics JSON object per line, appended as epochs end, so a crash keeps
 *                      every epoch before it (a torn last line is skipped when read)
 *   norms.ndjson       one line per `norms` event (per-layer weight, gradient and step norms on ~10 batches an
 *                      epoch; core/training/normHistory.ts), appended as they come; format 2 on
 *   evaluation.json    the test-set EvaluationReport, when there is one
 *   model/             model.json + weights.bin of the model the run kept (the final weights, or the best
 *                      epoch's after early stopping with restoreBest)
 *   checkpoints/       epoch-<n>/ (model.json + weights.bin; n is the 0-based epoch, as EpochMetrics.epoch;
 *                      optimizer.json + optimizer.bin: the optimizer's state, for resuming)
 *                      and best.json ({ "epoch": n }) naming the best checkpoint so far
 *
 * A run whose summary still says "running" but whose recording process (summary.pid on this machine) is gone
 * was cut off (the app or the command-line trainer closed or was killed): it is reported as failed, with the
 * epochs its metrics log holds. One recorded by another live process (the CLI while the app is open) is
 * reported as running.
 *
 * Format: summary.format says which of these files a run was recorded with. 1 (or no field: runs recorded before
 * it existed) has no norms.ndjson; 2 adds it. Readers take every format up to RUN_FORMAT_VERSION, and a missing
 * optional file reads as empty, so older runs open as before.
 *
 * Resume (core/training/resume.ts): a run that is not complete continues from its last checkpoint under the
 * same id; metrics of epochs after that checkpoint (trained but not checkpointed before a kill) are dropped,
 * (and their norms) are dropped, and summary.resumes lists each resume.
 * Folders that cannot be read are skipped by list() with a logged reason; list() never throws for them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics, NormPoint, RunDetails, RunSummary, TrainingEvent } from '../core/api/contract';
import { normRecordLine, normRecordsBefore, parseNormRecords } from '../core/training/normHistory';
import type { EvaluationReport } from '../core/metrics';
import type { StopPosition, TrainingResult } from '../core/training/types';
import { OPTIMIZER_RESTORED_NOTE, OPTIMIZER_STATE_NOTE, resumeRefusal, type OptimizerState, type ResumePoint } from '../core/training/resume';
import { describeValue, parseProject, serializeProject, type Project } from '../core/project';
import { writeFileAtomic } from './projectFiles';
import { fileSystemLoadHandler, modelJsonOf } from './export';

export const CONFIG_FILE = 'config.json';
export const SUMMARY_FILE = 'summary.json';
export const METRICS_FILE = 'metrics.ndjson';
export const NORMS_FILE = 'norms.ndjson';
export const EVALUATION_FILE = 'evaluation.json';
/** The run folder's format, kept in summary.format (see the top of this file). */
export const RUN_FORMAT_VERSION = 2;
export const MODEL_DIR = 'model';
export const CHECKPOINTS_DIR = 'checkpoints';
export const BEST_CHECKPOINT_FILE = 'best.json';
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';

/** Shown for a run left "running" on disk by an app that closed or crashed. */
export const CRASHED_RUN_ERROR = 'training was cut off: the app or the trainer closed before the run ended';

const RUN_ID = /^[A-Za-z0-9-]+$/;
const MAX_RUN_ID_LENGTH = 128;

export type RunStoreErrorCode = 'invalid_params' | 'not_found' | 'busy' | 'damaged' | 'no_model' | 'complete';

/** An error meant for the person at the screen, with the engine's error code. */
export class RunStoreError extends Error {
  constructor(
    message: string,
    readonly code: RunStoreErrorCode,
  ) {
    super(message);
    this.name = 'RunStoreError';
  }
}

/** RunSummary as stored: the contract's fields plus why a run failed and how early stopping ended it. */
export interface StoredRunSummary extends RunSummary {
  /** The run folder's format (RUN_FORMAT_VERSION when recorded); absent for runs recorded before it was kept: 1. */
  format?: number;
  error?: string;
  stoppedEarly?: boolean;
  /** 0-based epoch whose weights were kept (early stopping). */
  bestEpoch?: number;
  /** While running: the recording process and its machine, so another process can tell a live run from a cut-off one. */
  pid?: number;
  host?: string;
  /** Each time the run was resumed: when, at which 0-based epoch, and what was not carried over. */
  resumes?: { resumedMs: number; startEpoch: number; note: string }[];
}

/** A run to continue: its project as trained and where to pick up (runId names the run folder). */
export type RunResume = ResumePoint & { runId: string; project: Project };

/** Whether the process that wrote a "running" summary is still alive on this machine. */
function recorderAlive(summary: StoredRunSummary): boolean {
  if (summary.pid === undefined || summary.host !== os.hostname() || summary.pid === process.pid) return false;
  try {
    process.kill(summary.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How a run ended, as the run history takes it: a job's TrainingResult, whose history may be left to the recorded epochs. */
export type RunEnd = Omit<TrainingResult, 'history'> & { history?: EpochMetrics[] };

export function isValidRunId(runId: unknown): runId is string {
  return typeof runId === 'string' && runId.length <= MAX_RUN_ID_LENGTH && RUN_ID.test(runId);
}

/** Refuses anything but letters, digits and '-' (so no path can be smuggled into the runs folder). */
export function checkRunId(runId: unknown): string {
  if (!isValidRunId(runId)) {
    throw new RunStoreError(`${describeValue(runId)} is not a run id (run ids use only letters, digits and -).`, 'invalid_params');
  }
  return runId;
}

function datasetNameOf(project: Project): string {
  const source = project.dataset.source;
  return source.type === 'builtin' ? source.name : path.basename(source.path);
}

function bestOf(history: EpochMetrics[], bestEpoch?: number): RunSummary['best'] {
  if (history.length === 0) return undefined;
  const m = (bestEpoch !== undefined ? history.find((h) => h.epoch === bestEpoch) : undefined) ?? history[history.length - 1];
  return {
    epoch: m.epoch,
    loss: m.loss,
    acc: m.acc,
    ...(m.valLoss !== undefined ? { valLoss: m.valLoss } : {}),
    ...(m.valAcc !== undefined ? { valAcc: m.valAcc } : {}),
  };
}

const STATUSES = new Set(['running', 'completed', 'stopped', 'failed']);

/** Checks the fields the run list relies on; returns why the summary is unusable, or null. */
function summaryProblem(s: unknown, folder: string): string | null {
  if (!s || typeof s !== 'object') return 'summary.json is not a JSON object';
  const o = s as Record<string, unknown>;
  if (o.runId !== folder) return `summary.json names run "${String(o.runId)}", not the folder's "${folder}"`;
  if (typeof o.status !== 'string' || !STATUSES.has(o.status)) return `summary.json has an unknown status "${String(o.status)}"`;
  if (typeof o.startedMs !== 'number' || !Number.isFinite(o.startedMs)) return 'summary.json has no start time';
  if (typeof o.projectName !== 'string') return 'summary.json has no project name';
  if (typeof o.epochsCompleted !== 'number') return 'summary.json has no epoch count';
  return null;
}

function isEpochMetrics(x: unknown): x is EpochMetrics {
  if (!x || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  return typeof o.epoch === 'number' && typeof o.loss === 'number' && typeof o.acc === 'number';
}


/**
 * Writes model.json + weights.bin into `dir`, replacing what was there: the files go to a temp folder
 * beside it first, so `dir` holds either the old or the new model, or (after a crash at the one
 * moment in between) none, never half of one.
 */
async function writeModelDir(dir: string, artifacts: tf.io.ModelArtifacts, optimizer?: OptimizerState): Promise<void> {
  const json = JSON.stringify(modelJsonOf(artifacts));
  const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
  const tmp = path.join(path.dirname(dir), `.${path.basename(dir)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFileAtomic(path.join(tmp, WEIGHTS_BIN), new Uint8Array(weights));
    await writeFileAtomic(path.join(tmp, MODEL_JSON), json);
    if (optimizer) {
      await writeFileAtomic(path.join(tmp, OPTIMIZER_BIN), new Uint8Array(optimizer.weightData));
      await writeFileAtomic(path.join(tmp, OPTIMIZER_JSON), JSON.stringify({ weightSpecs: optimizer.weightSpecs }));
    }
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

/** A rejected promise with the error `f` throws (recording methods reject, never throw synchronously). */
function rejected<T>(f: () => unknown): Promise<T> {
  try {
    f();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  return Promise.reject(new Error('unexpected state'));
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
}

interface ActiveRun {
  project: Project;
  summary: StoredRunSummary;
  history: EpochMetrics[];
  /** Every write of the run goes through this chain, in call order. */
  queue: Promise<void>;
}

export class RunStore {
  /** Runs this store is recording now (created, not yet finished). */
  private readonly active = new Map<string, ActiveRun>();
  /** Reasons already logged for damaged folders, so a list() per second does not flood the log. */
  private readonly warned = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void = (m) => console.warn(`[neurowire] ${m}`),
  ) {}

  runDir(runId: string): string {
    return path.join(this.dir, checkRunId(runId));
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Runs `op` after every earlier write of the run; the returned promise settles with `op`. */
  private enqueue<T>(run: ActiveRun, op: () => Promise<T>): Promise<T> {
    const result = run.queue.then(op);
    run.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Throws why `runId` is not a run being recorded. */
  private activeRun(runId: string): ActiveRun {
    checkRunId(runId);
    const run = this.active.get(runId);
    if (!run) throw new RunStoreError(`Run ${runId} is not being recorded.`, 'not_found');
    return run;
  }

  private writeSummary(runId: string, summary: StoredRunSummary): Promise<void> {
    return writeFileAtomic(path.join(this.runDir(runId), SUMMARY_FILE), JSON.stringify(summary, null, 2));
  }

  /**
   * Starts recording a run: its folder, config.json and a "running" summary. The run is registered
   * before this returns (synchronously), so appendEpoch & co. called right after queue behind it.
   */
  create(project: Project, runId: string, backend: string | null): Promise<StoredRunSummary> {
    if (!isValidRunId(runId)) return rejected(() => checkRunId(runId));
    if (this.active.has(runId)) return Promise.reject(new RunStoreError(`Run ${runId} is already being recorded.`, 'busy'));
    const summary: StoredRunSummary = {
      format: RUN_FORMAT_VERSION,
      runId,
      projectName: project.name,
      startedMs: Date.now(),
      endedMs: null,
      status: 'running',
      epochsCompleted: 0,
      backend,
      datasetName: datasetNameOf(project),
      hasModel: false,
      pid: process.pid,
      host: os.hostname(),
    };
    const run: ActiveRun = { project, summary, history: [], queue: Promise.resolve() };
    this.active.set(runId, run);
    return this.enqueue(run, async () => {
      try {
        const dir = this.runDir(runId);
        if (await exists(dir)) throw new RunStoreError(`A run folder for ${runId} already exists.`, 'busy');
        await fs.mkdir(dir, { recursive: true });
        await writeFileAtomic(path.join(dir, CONFIG_FILE), serializeProject(project));
        await this.writeSummary(runId, summary);
        return { ...summary };
      } catch (e) {
        // Not recorded: later calls for this run are refused rather than writing into a wrong folder.
        if (this.active.get(runId) === run) this.active.delete(runId);
        throw e;
      }
    });
  }

  /** Records the backend once the training worker has chosen it. */
  setBackend(runId: string, backend: string): Promise<void> {
    const run = this.active.get(runId);
    if (!run) return rejected(() => this.activeRun(runId));
    run.summary.backend = backend;
    return this.enqueue(run, () => this.writeSummary(runId, { ...run.summary }));
  }

  /** Appends one epoch's metrics as a line of metrics.ndjson. */
  appendEpoch(runId: string, metrics: EpochMetrics): Promise<void> {
    const run = this.active.get(runId);
    if (!run) return rejected(() => this.activeRun(runId));
    run.history.push(metrics);
    run.summary.epochsCompleted = run.history.length;
    const line = JSON.stringify(metrics) + '\n';
    return this.enqueue(run, () => fs.appendFile(path.join(this.runDir(runId), METRICS_FILE), line, 'utf8'));
  }

  /** Appends one `norms` event as a line of norms.ndjson. */
  appendNorms(runId: string, event: Extract<TrainingEvent, { type: 'norms' }>): Promise<void> {
    const run = this.active.get(runId);
    if (!run) return rejected(() => this.activeRun(runId));
    const line = normRecordLine(event);
    return this.enqueue(run, () => fs.appendFile(path.join(this.runDir(runId), NORMS_FILE), line, 'utf8'));
  }

  /**
   * Keeps the weights at the end of `epoch` (0-based) in checkpoints/epoch-<epoch>/; `isBest` also
   * names it in checkpoints/best.json. When the project does not keep every epoch
   * (training.checkpointEveryEpoch false), older checkpoints other than the best are removed.
   */
  saveCheckpoint(runId: string, epoch: number, artifacts: tf.io.ModelArtifacts, isBest: boolean, optimizer?: OptimizerState): Promise<void> {
    const run = this.active.get(runId);
    if (!run) return rejected(() => this.activeRun(runId));
    if (!Number.isInteger(epoch) || epoch < 0) return Promise.reject(new RunStoreError(`Invalid checkpoint epoch ${epoch}.`, 'invalid_params'));
    return this.enqueue(run, async () => {
      const dir = path.join(this.runDir(runId), CHECKPOINTS_DIR);
      await writeModelDir(path.join(dir, `epoch-${epoch}`), artifacts, optimizer);
      if (isBest) await writeFileAtomic(path.join(dir, BEST_CHECKPOINT_FILE), JSON.stringify({ epoch }));
      if (run.project.training.checkpointEveryEpoch === false) {
        const best = await this.bestCheckpointEpoch(runId);
        for (const e of await this.checkpointEpochs(runId)) {
          if (e !== epoch && e !== best) await fs.rm(path.join(dir, `epoch-${e}`), { recursive: true, force: true });
        }
      }
    });
  }

  /**
   * Ends the recording: evaluation.json and model/ when given, then the final summary (atomically).
   * Waits for every earlier write of the run. Returns the summary written.
   */
  finish(runId: string, outcome: RunEnd): Promise<StoredRunSummary> {
    const { artifacts, evaluation } = outcome;
    const run = this.active.get(runId);
    if (!run) return rejected(() => this.activeRun(runId));
    return this.enqueue(run, async () => {
      try {
        const dir = this.runDir(runId);
        if (evaluation) await writeFileAtomic(path.join(dir, EVALUATION_FILE), JSON.stringify(evaluation));
        let modelSaved = false;
        if (artifacts) {
          try {
            await writeModelDir(path.join(dir, MODEL_DIR), artifacts);
            modelSaved = true;
          } catch (e) {
            this.log(`Could not save the model of run ${runId}: ${(e as Error).message}`);
          }
        }
        const history = run.history.length > 0 ? run.history : (outcome.history ?? []);
        const { pid: _pid, host: _host, ...recorded } = run.summary;
        const summary: StoredRunSummary = {
          ...recorded,
          status: outcome.status,
          endedMs: Date.now(),
          epochsCompleted: outcome.epochsCompleted,
          hasModel: modelSaved || (await this.checkpointEpochs(runId)).length > 0,
        };
        const best = bestOf(history, outcome.bestEpoch);
        if (best) summary.best = best;
        if (outcome.test) summary.test = outcome.test;
        if (outcome.error !== undefined) summary.error = outcome.error;
        if (outcome.stoppedEarly !== undefined) summary.stoppedEarly = outcome.stoppedEarly;
        if (outcome.bestEpoch !== undefined) summary.bestEpoch = outcome.bestEpoch;
        if (outcome.status === 'stopped' && outcome.stoppedAt) summary.stoppedAt = outcome.stoppedAt;
        await this.writeSummary(runId, summary);
        run.summary = summary;
        return { ...summary };
      } finally {
        this.active.delete(runId);
      }
    });
  }

  /**
   * Where run `runId` can continue: its project as trained, the epoch after its last checkpoint, that checkpoint's
   * weights and the metrics of the epochs before. Refuses, with a message naming the run, one that is missing,
   * complete, still being recorded, or has no checkpoint.
   */
  async resumePoint(runId: string): Promise<RunResume> {
    checkRunId(runId);
    if (this.active.has(runId)) throw new RunStoreError(`Run ${runId} is still training.`, 'busy');
    await this.requireFolder(runId);
    const summary = await this.readSummary(runId);
    if (summary.status === 'running') throw new RunStoreError(`Run ${runId} is still training (process ${summary.pid ?? '?'}); stop it before resuming it.`, 'busy');
    if (summary.status === 'completed') {
      throw new RunStoreError(`Run ${runId} is complete (${summary.epochsCompleted} epoch${summary.epochsCompleted === 1 ? '' : 's'}${summary.stoppedEarly ? ', stopped early' : ''}); there is nothing to resume.`, 'complete');
    }
    const project = await this.loadConfig(runId);
    const epochs = await this.checkpointEpochs(runId);
    if (epochs.length === 0) throw new RunStoreError(`Run ${runId} has no checkpoint to resume from (no epoch finished); train it again instead.`, 'no_model');
    const last = epochs[epochs.length - 1];
    const startEpoch = last + 1;
    const refusal = resumeRefusal(startEpoch, project.training.epochs);
    if (refusal) throw new RunStoreError(`Run ${runId} cannot be resumed: ${refusal}.`, 'complete');
    const history = (await this.readHistory(runId)).filter((m) => m.epoch < startEpoch);
    if (history.length !== startEpoch || history.some((m, i) => m.epoch !== i)) {
      throw new RunStoreError(`Run ${runId} has a checkpoint of epoch ${startEpoch} but the metrics of only ${history.length} epoch(s); its ${METRICS_FILE} is damaged.`, 'damaged');
    }
    const checkpoint = path.join(this.runDir(runId), CHECKPOINTS_DIR, `epoch-${last}`);
    let weights: tf.io.ModelArtifacts;
    let optimizer: OptimizerState | undefined;
    try {
      weights = await fileSystemLoadHandler(path.join(checkpoint, MODEL_JSON)).load!();
      if (await exists(path.join(checkpoint, OPTIMIZER_JSON))) {
        const { weightSpecs } = (await readJson(path.join(checkpoint, OPTIMIZER_JSON))) as { weightSpecs: tf.io.WeightsManifestEntry[] };
        const data = await fs.readFile(path.join(checkpoint, OPTIMIZER_BIN));
        optimizer = { weightSpecs, weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
      }
    } catch (e) {
      throw new RunStoreError(`The checkpoint of epoch ${startEpoch} of run ${runId} cannot be read: ${(e as Error).message}`, 'damaged');
    }
    return { runId, project, startEpoch, history, weights: { weightSpecs: weights.weightSpecs, weightData: weights.weightData }, ...(optimizer ? { optimizer } : {}) };
  }

  /**
   * Records run `resume.runId` again from `resume.startEpoch` (see resumePoint): metrics after it are dropped, the
   * model and evaluation of an earlier end are removed (a later cut-off must not export them), and the summary
   * says "running" with this resume listed. Registered synchronously, like create().
   */
  reopen(resume: RunResume): Promise<StoredRunSummary> {
    const { runId, project, startEpoch } = resume;
    if (!isValidRunId(runId)) return rejected(() => checkRunId(runId));
    if (this.active.has(runId)) return Promise.reject(new RunStoreError(`Run ${runId} is already being recorded.`, 'busy'));
    const history = resume.history.slice(0, startEpoch);
    const summary: StoredRunSummary = {
      format: RUN_FORMAT_VERSION,
      runId,
      projectName: project.name,
      startedMs: Date.now(),
      endedMs: null,
      status: 'running',
      epochsCompleted: startEpoch,
      backend: null,
      datasetName: datasetNameOf(project),
      hasModel: true,
      pid: process.pid,
      host: os.hostname(),
    };
    const run: ActiveRun = { project, summary, history: [...history], queue: Promise.resolve() };
    this.active.set(runId, run);
    return this.enqueue(run, async () => {
      try {
        const dir = this.runDir(runId);
        const before = (await readJson(path.join(dir, SUMMARY_FILE))) as StoredRunSummary;
        summary.startedMs = before.startedMs;
        summary.resumes = [...(before.resumes ?? []), { resumedMs: Date.now(), startEpoch, note: resume.optimizer ? OPTIMIZER_RESTORED_NOTE : OPTIMIZER_STATE_NOTE }];
        await writeFileAtomic(path.join(dir, METRICS_FILE), history.map((m) => JSON.stringify(m) + '\n').join(''));
        const norms = await fs.readFile(path.join(dir, NORMS_FILE), 'utf8').catch(() => '');
        await writeFileAtomic(path.join(dir, NORMS_FILE), normRecordsBefore(norms, startEpoch));
        await fs.rm(path.join(dir, EVALUATION_FILE), { force: true });
        await fs.rm(path.join(dir, MODEL_DIR), { recursive: true, force: true });
        await this.writeSummary(runId, summary);
        return { ...summary };
      } catch (e) {
        if (this.active.get(runId) === run) this.active.delete(runId);
        throw e;
      }
    });
  }

  /** Every readable run, newest first. Damaged folders are skipped (and logged once), never thrown. */
  async list(): Promise<StoredRunSummary[]> {
    let names: string[] = [];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warnOnce(`Cannot read the runs folder ${this.dir}: ${(e as Error).message}`);
    }
    // Runs being recorded come from memory (their folder may not be written yet).
    const out: StoredRunSummary[] = [...this.active.values()].map((r) => ({ ...r.summary }));
    for (const name of names) {
      if (name.startsWith('.') || this.active.has(name)) continue; // temp folders, deletions in progress, active runs
      if (!isValidRunId(name)) {
        this.warnOnce(`Skipping ${path.join(this.dir, name)}: not a run folder name.`);
        continue;
      }
      try {
        const st = await fs.stat(path.join(this.dir, name));
        if (!st.isDirectory()) {
          this.warnOnce(`Skipping ${path.join(this.dir, name)}: not a folder.`);
          continue;
        }
        out.push(await this.readSummary(name));
      } catch (e) {
        this.warnOnce(`Skipping run folder ${path.join(this.dir, name)}: ${(e as Error).message}`);
      }
    }
    return out.sort((a, b) => b.startedMs - a.startedMs || a.runId.localeCompare(b.runId));
  }

  /** Summary, per-epoch history, evaluation and the project as trained. */
  async get(runId: string): Promise<RunDetails & { summary: StoredRunSummary }> {
    checkRunId(runId);
    const active = this.active.get(runId);
    // A run just started may not have its folder yet: wait for its first writes.
    if (active) await active.queue;
    await this.requireFolder(runId);
    const summary = await this.readSummary(runId);
    const history = await this.readHistory(runId);
    const config = await this.loadConfig(runId);
    let evaluation: EvaluationReport | null = null;
    const evalFile = path.join(this.runDir(runId), EVALUATION_FILE);
    if (await exists(evalFile)) {
      try {
        evaluation = (await readJson(evalFile)) as EvaluationReport;
      } catch (e) {
        this.warnOnce(`The evaluation of run ${runId} cannot be read (${(e as Error).message}); showing the run without it.`);
      }
    }
    return { summary, history, evaluation, config };
  }

  /** The run's per-layer norms, oldest first (thinned for the charts); none for a run recorded before runs kept them. */
  async norms(runId: string): Promise<NormPoint[]> {
    checkRunId(runId);
    const active = this.active.get(runId);
    if (active) await active.queue;
    await this.requireFolder(runId);
    let text: string;
    try {
      text = await fs.readFile(path.join(this.runDir(runId), NORMS_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new RunStoreError(`The norms of run ${runId} cannot be read (${(e as Error).message}).`, 'damaged');
    }
    return parseNormRecords(text);
  }

  /** The project the run trained. */
  async loadConfig(runId: string): Promise<Project> {
    checkRunId(runId);
    await this.requireFolder(runId);
    let text: string;
    try {
      text = await fs.readFile(path.join(this.runDir(runId), CONFIG_FILE), 'utf8');
    } catch (e) {
      throw new RunStoreError(`Run ${runId} has no readable ${CONFIG_FILE} (${(e as Error).message}).`, 'damaged');
    }
    try {
      return parseProject(text, `run ${runId}`);
    } catch (e) {
      throw new RunStoreError(`The project saved with run ${runId} is damaged: ${(e as Error).message}`, 'damaged');
    }
  }

  /**
   * The run's trained model, for export: model/ when the run ended with one, otherwise (a run cut off
   * by a crash or a failure) its best checkpoint, otherwise its latest.
   */
  async loadArtifacts(runId: string): Promise<tf.io.ModelArtifacts> {
    checkRunId(runId);
    await this.requireFolder(runId);
    const problems: string[] = [];
    for (const file of await this.modelCandidates(runId)) {
      if (!(await exists(file))) continue;
      try {
        return await fileSystemLoadHandler(file).load!();
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    throw new RunStoreError(
      `Run ${runId} has no trained model to export${problems.length ? ` (${problems.join('; ')})` : ''}.`,
      problems.length ? 'damaged' : 'no_model',
    );
  }

  /** The model.json files loadArtifacts tries, in its order: model/, the best checkpoint, the latest. */
  private async modelCandidates(runId: string): Promise<string[]> {
    const dir = this.runDir(runId);
    const candidates: string[] = [path.join(dir, MODEL_DIR, MODEL_JSON)];
    const best = await this.bestCheckpointEpoch(runId);
    if (best !== null) candidates.push(path.join(dir, CHECKPOINTS_DIR, `epoch-${best}`, MODEL_JSON));
    const epochs = await this.checkpointEpochs(runId);
    if (epochs.length > 0) candidates.push(path.join(dir, CHECKPOINTS_DIR, `epoch-${epochs[epochs.length - 1]}`, MODEL_JSON));
    return candidates;
  }

  /**
   * What a loaded model of the run depends on, as one string: the modification time and size of its config.json and
   * of the model files loadArtifacts would read. It changes when any of them is written again (a resumed run, a new
   * checkpoint); throws not_found for a run that is gone.
   */
  async modelStamp(runId: string): Promise<string> {
    checkRunId(runId);
    await this.requireFolder(runId);
    const files = [path.join(this.runDir(runId), CONFIG_FILE)];
    for (const json of await this.modelCandidates(runId)) files.push(json, path.join(path.dirname(json), WEIGHTS_BIN));
    const parts = await Promise.all(
      files.map(async (f) => {
        const st = await fs.stat(f).catch(() => null);
        return st ? `${path.relative(this.dir, f)}@${st.mtimeMs}:${st.size}` : `${path.relative(this.dir, f)}-`;
      }),
    );
    return parts.join('|');
  }

  /** Removes a run folder. False when there was none; refuses a run that is still being recorded. */
  async delete(runId: string): Promise<boolean> {
    checkRunId(runId);
    if (this.active.has(runId)) throw new RunStoreError(`Run ${runId} is still training; stop it before deleting it.`, 'busy');
    const dir = this.runDir(runId);
    if (!(await exists(dir))) return false;
    const summary = (await readJson(path.join(dir, SUMMARY_FILE)).catch(() => null)) as StoredRunSummary | null;
    if (summary?.status === 'running' && recorderAlive(summary)) {
      throw new RunStoreError(`Run ${runId} is still training in another process (${summary.pid}); stop it before deleting it.`, 'busy');
    }
    // Rename first: a deletion cut short leaves a hidden folder that list() ignores, not a damaged run.
    const trash = path.join(this.dir, `.deleted-${runId}-${randomBytes(4).toString('hex')}`);
    await fs.rename(dir, trash);
    await fs.rm(trash, { recursive: true, force: true });
    return true;
  }

  // --- reading ---

  private async requireFolder(runId: string): Promise<void> {
    try {
      const st = await fs.stat(this.runDir(runId));
      if (st.isDirectory()) return;
    } catch {
      // fall through
    }
    throw new RunStoreError(`There is no run ${runId}.`, 'not_found');
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.log(message);
  }

  /** summary.json, with a run cut off by a crash shown as failed. Throws a reason when unreadable. */
  private async readSummary(runId: string): Promise<StoredRunSummary> {
    const active = this.active.get(runId);
    if (active) return { ...active.summary };
    const file = path.join(this.runDir(runId), SUMMARY_FILE);
    let raw: unknown;
    try {
      raw = await readJson(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new RunStoreError(code === 'ENOENT' ? 'it has no summary.json' : `its summary.json cannot be read (${(e as Error).message})`, 'damaged');
    }
    const problem = summaryProblem(raw, runId);
    if (problem) throw new RunStoreError(problem, 'damaged');
    const summary = raw as StoredRunSummary;
    if (summary.status !== 'running') return summary;

    // Still recorded by another process (the CLI while the app is open): running, with the epochs so far.
    const history = await this.readHistory(runId);
    if (recorderAlive(summary)) {
      const live: StoredRunSummary = { ...summary, epochsCompleted: history.length };
      const best = bestOf(history);
      if (best) live.best = best;
      return live;
    }
    // Left "running" by a process that closed mid-run: report what the metrics log kept.
    let endedMs: number | null = null;
    for (const f of [METRICS_FILE, SUMMARY_FILE]) {
      try {
        endedMs = (await fs.stat(path.join(this.runDir(runId), f))).mtimeMs;
        break;
      } catch {
        // try the next
      }
    }
    const { pid: _pid, host: _host, ...recorded } = summary;
    const crashed: StoredRunSummary = {
      ...recorded,
      status: 'failed',
      error: CRASHED_RUN_ERROR,
      endedMs,
      epochsCompleted: history.length,
      hasModel: (await this.checkpointEpochs(runId)).length > 0,
    };
    const best = bestOf(history, (await this.bestCheckpointEpoch(runId)) ?? undefined);
    if (best) crashed.best = best;
    return crashed;
  }

  /** metrics.ndjson; lines that do not parse (a line torn by a crash) are skipped. */
  private async readHistory(runId: string): Promise<EpochMetrics[]> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.runDir(runId), METRICS_FILE), 'utf8');
    } catch {
      return [];
    }
    const out: EpochMetrics[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const m = JSON.parse(line) as unknown;
        if (isEpochMetrics(m)) out.push(m);
      } catch {
        // torn or damaged line
      }
    }
    return out;
  }

  /** Epochs with a checkpoint folder, ascending. */
  private async checkpointEpochs(runId: string): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.readdir(path.join(this.runDir(runId), CHECKPOINTS_DIR));
    } catch {
      return [];
    }
    return names
      .map((n) => /^epoch-(\d+)$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  private async bestCheckpointEpoch(runId: string): Promise<number | null> {
    try {
      const best = (await readJson(path.join(this.runDir(runId), CHECKPOINTS_DIR, BEST_CHECKPOINT_FILE))) as { epoch?: unknown };
      return typeof best.epoch === 'number' && Number.isInteger(best.epoch) && best.epoch >= 0 ? best.epoch : null;
    } catch {
      return null;
    }
  }
}

/**
 * Records one training run as its events arrive: the glue between a trainer's event stream and the
 * RunStore. Never throws and never rejects: a disk that fails must not stop training; the first
 * failure of a run is logged, the following ones of that run are not.
 */
export class RunRecorder {
  private evaluation: EvaluationReport | null = null;
  private stoppedEarly: boolean | undefined;
  private bestEpoch: number | undefined;
  private stoppedAt: StopPosition | undefined;
  private failed = false;
  private readonly writes: Promise<void>[] = [];

  constructor(
    private readonly store: RunStore,
    readonly runId: string,
    project: Project,
    private readonly log: (message: string) => void = (m) => console.warn(`[neurowire] ${m}`),
    /** Continue this earlier run (RunStore.reopen) instead of creating a new one. */
    resume?: RunResume,
  ) {
    this.track(resume ? store.reopen(resume) : store.create(project, runId, null));
  }

  private track(p: Promise<unknown>): Promise<void> {
    const w = p.then(
      () => undefined,
      (e: Error) => {
        if (this.failed) return;
        this.failed = true;
        this.log(`Could not record run ${this.runId} in the run history: ${e.message}`);
      },
    );
    this.writes.push(w);
    return w;
  }

  /** Feed every training event of the run here, in order. */
  event(e: TrainingEvent): void {
    if (e.runId !== this.runId) return;
    switch (e.type) {
      case 'started':
        this.track(this.store.setBackend(this.runId, e.backend.name));
        break;
      case 'epoch':
        this.track(this.store.appendEpoch(this.runId, e.metrics));
        break;
      case 'norms':
        this.track(this.store.appendNorms(this.runId, e));
        break;
      case 'evaluation':
        this.evaluation = e.report;
        break;
      case 'done':
        if (e.stoppedEarly !== undefined) this.stoppedEarly = e.stoppedEarly;
        if (e.bestEpoch !== undefined) this.bestEpoch = e.bestEpoch;
        if (e.stoppedAt !== undefined) this.stoppedAt = e.stoppedAt;
        break;
    }
  }

  /** The trainer's onCheckpoint. Resolves when the checkpoint is on disk (or could not be written). */
  checkpoint(epoch: number, artifacts: tf.io.ModelArtifacts, isBest: boolean, optimizer?: OptimizerState): Promise<void> {
    return this.track(this.store.saveCheckpoint(this.runId, epoch, artifacts, isBest, optimizer));
  }

  /** Writes the end of the run (evaluation, model, final summary). Resolves when done; never rejects. */
  async finish(result: RunEnd): Promise<void> {
    await Promise.all(this.writes);
    const stoppedEarly = result.stoppedEarly ?? this.stoppedEarly;
    const bestEpoch = result.bestEpoch ?? this.bestEpoch;
    const stoppedAt = result.stoppedAt ?? this.stoppedAt;
    const evaluation = result.evaluation ?? this.evaluation ?? undefined;
    await this.track(
      this.store.finish(this.runId, {
        ...result,
        ...(stoppedEarly !== undefined ? { stoppedEarly } : {}),
        ...(bestEpoch !== undefined ? { bestEpoch } : {}),
        ...(stoppedAt !== undefined ? { stoppedAt } : {}),
        ...(evaluation ? { evaluation } : {}),
      }),
    );
  }
}

/** The trainer's onCheckpoint callback (StartTrainingOptions in training/run.ts). */
export type CheckpointHandler = (epoch: number, artifacts: tf.io.ModelArtifacts, isBest: boolean, optimizer?: OptimizerState) => Promise<void>;
