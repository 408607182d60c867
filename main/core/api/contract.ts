import { z } from 'zod';
import { ProjectSchema, type Project } from '../project';
import type { DatasetInfo, DatasetPreview } from '../datasets';
import { DatasetSourceSchema } from '../project';
import type { EvaluationReport } from '../metrics';

/**
 * The one API between the UI and the engine. Electron IPC and the local WebSocket server both
 * carry exactly these calls and events; the engine validates every call's params with these schemas.
 */

export interface BackendAttempt {
  name: string;
  ok: boolean;
  /** Why it was not used (load failure, no device, missing kernels). */
  reason?: string;
}
export interface BackendInfo {
  /** tfjs backend in use for training, e.g. "tensorflow", "wasm", "cpu". */
  name: string;
  /** Human description of where the maths runs, e.g. "CPU (WebAssembly, SIMD)". */
  device: string;
  attempts: BackendAttempt[];
}
export interface EngineInfo {
  version: string;
  /** "electron" or "browser": decides which file dialogs the UI can offer. */
  host: 'electron' | 'browser';
  backend: BackendInfo;
  /** Folder where projects are saved by default. */
  projectsDir: string;
  exportsDir: string;
}

export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
}

export interface ProjectFileEntry {
  path: string;
  name: string;
  modifiedMs: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
}

export type TrainingEvent =
  | { type: 'started'; runId: string; backend: BackendInfo; trainSamples: number; valSamples: number; testSamples: number; epochs: number; batchesPerEpoch: number }
  | { type: 'batch'; runId: string; epoch: number; batch: number; batchesPerEpoch: number; loss: number; acc: number; samplesPerSec: number; progress: number; etaSec: number | null }
  | { type: 'epoch'; runId: string; metrics: EpochMetrics; progress: number; etaSec: number | null }
  | { type: 'log'; runId: string; message: string }
  /** Pause and resume take effect between batches. */
  | { type: 'state'; runId: string; state: 'paused' | 'running' }
  /** Test-set evaluation, sent once after training ends with at least one epoch done. */
  | { type: 'evaluation'; runId: string; report: EvaluationReport }
  | {
      type: 'done';
      runId: string;
      status: 'completed' | 'stopped' | 'failed';
      /** Present when status is failed: what went wrong, in words a person can act on. */
      error?: string;
      epochsCompleted: number;
      test?: { loss: number; acc: number };
      /** True when a (possibly partially) trained model is kept and can be exported. */
      hasModel: boolean;
      /** Early stopping ended the run; bestEpoch (0-based) is the epoch whose weights were kept. */
      stoppedEarly?: boolean;
      bestEpoch?: number;
    };

/** One training run as kept on disk (run history). */
export interface RunSummary {
  runId: string;
  projectName: string;
  startedMs: number;
  endedMs: number | null;
  status: 'running' | 'completed' | 'stopped' | 'failed';
  epochsCompleted: number;
  backend: string | null;
  datasetName: string;
  /** Final (or best) validation metrics, for the run list. */
  best?: { epoch: number; valLoss?: number; valAcc?: number; loss: number; acc: number };
  test?: { loss: number; acc: number };
  /** A trained model is on disk and can be exported. */
  hasModel: boolean;
}

export interface RunDetails {
  summary: RunSummary;
  /** Per-epoch metrics, from the run's append-only metrics log. */
  history: EpochMetrics[];
  evaluation: EvaluationReport | null;
  config: import('../project').Project;
}

export interface EngineEvents {
  training: TrainingEvent;
}

const PathParam = z.string().min(1, 'A path is required').max(4096);

export const api = {
  'engine.info': { params: z.object({}), result: {} as EngineInfo },
  'datasets.list': { params: z.object({}), result: [] as DatasetInfo[] },
  'templates.list': { params: z.object({}), result: [] as TemplateInfo[] },
  'templates.get': { params: z.object({ id: z.string().regex(/^[a-z0-9-]+$/, 'Template ids use a-z, 0-9 and -') }), result: {} as Project },
  'project.save': { params: z.object({ path: PathParam, project: ProjectSchema }), result: {} as { path: string } },
  'project.open': { params: z.object({ path: PathParam }), result: {} as { path: string; project: Project } },
  'project.list': { params: z.object({}), result: [] as ProjectFileEntry[] },
  'project.autosave': { params: z.object({ project: ProjectSchema }), result: {} as { path: string } },
  'project.restoreAutosave': { params: z.object({}), result: {} as { project: Project | null; savedMs: number | null } },
  'training.start': { params: z.object({ project: ProjectSchema }), result: {} as { runId: string } },
  'training.stop': { params: z.object({ runId: z.string().min(1) }), result: {} as { stopping: boolean } },
  'training.pause': { params: z.object({ runId: z.string().min(1) }), result: {} as { paused: boolean } },
  'training.resume': { params: z.object({ runId: z.string().min(1) }), result: {} as { resumed: boolean } },
  /** Reads a dataset source far enough to describe it: shape, classes, a preview, and problems found. */
  'datasets.inspect': { params: z.object({ source: DatasetSourceSchema }), result: {} as DatasetPreview },
  'runs.list': { params: z.object({}), result: [] as RunSummary[] },
  'runs.get': { params: z.object({ runId: z.string().min(1) }), result: {} as RunDetails },
  'runs.delete': { params: z.object({ runId: z.string().min(1) }), result: {} as { deleted: boolean } },
  /** Native file dialogs; only the desktop app has them (the browser UI uses its own path dialog). */
  'dialog.pickPath': {
    params: z.object({ purpose: z.enum(['openProject', 'saveProject', 'exportFolder']), defaultPath: z.string().max(4096).optional() }),
    result: {} as { path: string | null },
  },
  'export.run': {
    params: z.object({ runId: z.string().min(1), dir: PathParam.optional() }),
    result: {} as { dir: string; files: string[] },
  },
} as const;

export type ApiMethod = keyof typeof api;
export type ApiParams<M extends ApiMethod> = z.input<(typeof api)[M]['params']>;
export type ApiResult<M extends ApiMethod> = (typeof api)[M]['result'];

/** Wire messages shared by both transports. */
export type WireRequest = { kind: 'request'; id: number; method: string; params: unknown };
export type WireResponse =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: { message: string; code: string } };
export type WireEvent = { kind: 'event'; event: keyof EngineEvents; payload: unknown };
export type WireMessage = WireRequest | WireResponse | WireEvent;

/** The client side of the contract, implemented by the IPC and WebSocket transports. */
export interface EngineClient {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  on<E extends keyof EngineEvents>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}

export function isApiMethod(method: string): method is ApiMethod {
  return Object.prototype.hasOwnProperty.call(api, method);
}
