import { z } from 'zod';
import { ProjectSchema, type Project } from '../project';
import type { DatasetInfo, DatasetPreview } from '../datasets';
import { CsvDelimiterSchema, DatasetSourceSchema } from '../project';
import type { EvaluationReport } from '../metrics';
import type { StopPosition } from '../training/types';
import { SampleSchema, type ModelInputs, type Prediction } from '../prediction';
import { CompareSourceSchema, type CompareResult } from '../compare';
import type { ActivationReport } from '../inside/activations';
import { QUANTIZATIONS, type Quantization } from '../quantize';

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
  /**
   * Training on a GPU through Chromium (WebGPU, else WebGL) without CUDA. In the desktop app this is the
   * hidden compute window's probe; in browser mode the engine cannot see the page's GPU (null: the page probes itself).
   */
  browserGpu?: BrowserGpuInfo | null;
  /** Memory of the machine the engine trains on, in bytes: the editor flags a network too big for it before training. */
  memoryBytes?: number;
}

/** Where a run trains: the Node engine (tfjs-node / wasm / cpu), or a Chromium page's GPU (WebGPU / WebGL). */
export const COMPUTE_CHOICES = ['auto', 'node', 'browser-gpu'] as const;
export type ComputeChoice = (typeof COMPUTE_CHOICES)[number];

export interface BrowserGpuInfo {
  available: boolean;
  /** The tfjs backend the compute page would use. */
  backend?: 'webgpu' | 'webgl';
  /** e.g. "GPU (WebGPU via Chromium: NVIDIA GeForce RTX 3060)". */
  device?: string;
  /** Why each GPU backend is or is not usable. */
  attempts: BackendAttempt[];
}

/** Sent to the page that trains a browser-gpu run: Stop / Pause / Resume pressed anywhere reach it this way. */
export interface ComputeCommandEvent {
  runId: string;
  command: 'stop' | 'pause' | 'resume';
}

/** What the template gallery shows of a template without opening it. */
export interface TemplateInfo {
  id: string;
  name: string;
  /** The template's own description (its dataset and the accuracy it reaches), else its layers and dataset. */
  description: string;
  /** The dataset it trains on: datasetKey of its source, and the name people know it by ("CIFAR-10"). */
  dataset: { key: string; name: string };
  /** Parameters of the whole network, as the canvas counts them. */
  parameters: number;
  /** Enough of the graph to draw a thumbnail: each layer's kind, name and canvas position, and the connections. */
  graph: TemplateGraph;
}

export interface TemplateGraph {
  nodes: { id: string; kind: string; name: string; position: { x: number; y: number } }[];
  edges: { source: string; target: string }[];
}

export interface ProjectFileEntry {
  path: string;
  name: string;
  modifiedMs: number;
}

/** A project in File → Open Recent. */
export interface RecentProject {
  path: string;
  /** The file's name, as the menu shows it. */
  name: string;
  openedMs: number;
}

/** What the last session left, for the page to offer at start (the engine's autosave slot, main/node/autosave.ts). */
export interface AutosaveRestore {
  project: Project | null;
  /** When it was autosaved. */
  savedMs: number | null;
  /** The file the document belongs to, when it was ever saved. */
  path: string | null;
  /** True when it holds changes that were never saved: the page asks before restoring them. */
  unsaved: boolean;
}

export interface EpochMetrics {
  epoch: number;
  /** Mean training loss over the epoch's batches, including the L1/L2 penalties (as in Keras). */
  loss: number;
  /** Classification: accuracy. Regression: always 0 (see `mae`), never NaN. */
  acc: number;
  /** Validation loss: the plain data loss (no penalties, no class weights). */
  valLoss?: number;
  valAcc?: number;
  /** Regression only: mean absolute error (training / validation). Its presence tells a regression run. */
  mae?: number;
  valMae?: number;
  /** The learning rate used in this epoch (after the schedule and warm-up). */
  learningRate?: number;
  /**
   * A network with several outputs: each output's own (unweighted) loss and its metric, accuracy or MAE. The
   * fields above then give the total loss and the metric of the output of the data's first target.
   */
  outputs?: OutputMetrics[];
}

/** One output's scores in an epoch (or a batch, without the validation fields). */
export interface OutputMetrics {
  /** The output layer's name. */
  name: string;
  loss: number;
  /** Classification outputs. */
  acc?: number;
  /** Regression outputs. */
  mae?: number;
  valLoss?: number;
  valAcc?: number;
  valMae?: number;
}

/** One layer's norms at a measured batch (core/training/layerNorms.ts): L2 norms of its weights, their gradient and the optimizer's step. */
export interface LayerNorms {
  layer: string;
  weight: number;
  grad: number;
  update: number;
}

/** One measurement of every layer's norms, `x` epochs into the run (its 0-based `epoch` plus the share of it done). */
export interface NormPoint {
  x: number;
  epoch: number;
  layers: LayerNorms[];
}

export type TrainingEvent =
  | { type: 'started'; runId: string; backend: BackendInfo; trainSamples: number; valSamples: number; testSamples: number; epochs: number; batchesPerEpoch: number }
  /** `acc` is 0 for regression, which reports `mae` instead. */
  | {
      type: 'batch';
      runId: string;
      epoch: number;
      batch: number;
      batchesPerEpoch: number;
      loss: number;
      acc: number;
      mae?: number;
      /** Several outputs: each one's loss and metric in this batch. */
      outputs?: OutputMetrics[];
      samplesPerSec: number;
      progress: number;
      etaSec: number | null;
    }
  | { type: 'epoch'; runId: string; metrics: EpochMetrics; progress: number; etaSec: number | null }
  /** "Is this layer learning?": measured on about ten batches an epoch (0-based epoch and batch), for the layers with trainable weights. */
  | { type: 'norms'; runId: string; epoch: number; batch: number; batchesPerEpoch: number; layers: LayerNorms[] }
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
      stoppedAt?: StopPosition;
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
  /** Why the run failed, in words a person can act on. */
  error?: string;
  stoppedEarly?: boolean;
  bestEpoch?: number;
  /** A stopped run: where, so that what was kept can be named after a reload too. */
  stoppedAt?: StopPosition;
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
  compute: ComputeCommandEvent;
  /** A project file was asked to open from outside the page (a double-click, the command line, Open Recent): take it with project.takeOpenRequests. */
  openRequested: { count: number };
  /** File → Open Recent changed. */
  recentChanged: { projects: RecentProject[] };
}

const PathParam = z.string().min(1, 'A path is required').max(4096);
/** The largest project text the engine accepts (the same limit as for a file on disk, main/node/projectFiles.ts). */
export const MAX_PROJECT_BYTES = 50 * 1024 * 1024;
/** The largest file model.import takes, base64-encoded (about 300 MB of weights). */
export const MAX_IMPORT_BASE64 = 400 * 1024 * 1024;

/** What model.import gives: the project (with its kept weights) and what the import summary says, or the layers it cannot import. */
export type ModelImportResult =
  | {
      project: Project;
      layers: number;
      totalParams: number;
      dropped: { layer: string; settings: string[] }[];
      /** Weights kept and how many layers they belong to; null when the file has none. */
      weights: { count: number; layers: number } | null;
    }
  | { unknown: { name: string; className: string; reason?: string }[] };

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const num = z.number(); // NaN/Infinity cannot cross JSON anyway; a diverged loss arrives as null and is refused
const RunIdParam = z.string().min(1).max(200);
// Exactly EpochMetrics: a field the contract does not name is dropped rather than relayed unchecked.
const OutputMetricsSchema = z.object({
  name: z.string().max(200), loss: num, acc: num.optional(), mae: num.optional(), valLoss: num.optional(), valAcc: num.optional(), valMae: num.optional(),
});
const EpochMetricsSchema = z.object({
  epoch: z.number().int().min(0), loss: num, acc: num, valLoss: num.optional(), valAcc: num.optional(), mae: num.optional(), valMae: num.optional(), learningRate: num.optional(),
  outputs: z.array(OutputMetricsSchema).max(100).optional(),
});
const BackendInfoSchema = z.object({
  name: z.string().max(100),
  device: z.string().max(500),
  attempts: z.array(z.object({ name: z.string().max(100), ok: z.boolean(), reason: z.string().max(2000).optional() })).max(20),
});
/** Events a compute page may report for its run ('done' is the engine's to send, from the reported result). */
export const ReportedTrainingEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'), runId: RunIdParam, backend: BackendInfoSchema, trainSamples: z.number().int().min(0), valSamples: z.number().int().min(0),
    testSamples: z.number().int().min(0), epochs: z.number().int().min(0), batchesPerEpoch: z.number().int().min(0),
  }),
  z.object({
    type: z.literal('batch'), runId: RunIdParam, epoch: z.number().int().min(0), batch: z.number().int().min(0), batchesPerEpoch: z.number().int().min(0),
    loss: num, acc: num, samplesPerSec: num, progress: finite, etaSec: num.nullable(),
  }).passthrough(),
  z.object({ type: z.literal('epoch'), runId: RunIdParam, metrics: EpochMetricsSchema, progress: finite, etaSec: num.nullable() }),
  z.object({
    type: z.literal('norms'), runId: RunIdParam, epoch: z.number().int().min(0), batch: z.number().int().min(0), batchesPerEpoch: z.number().int().min(0),
    layers: z.array(z.object({ layer: z.string().max(200), weight: num, grad: num, update: num })).max(10_000),
  }),
  z.object({ type: z.literal('log'), runId: RunIdParam, message: z.string().max(10_000) }),
  z.object({ type: z.literal('state'), runId: RunIdParam, state: z.enum(['paused', 'running']) }),
  z.object({ type: z.literal('evaluation'), runId: RunIdParam, report: z.object({ task: z.enum(['classification', 'regression', 'reconstruction']), samples: z.number(), loss: num }).passthrough() }),
]);
/** The end of a browser-gpu run, reported once by its compute page. Weights come as base64 or were PUT to /compute/<runId>/weights. */
export const ComputeResultSchema = z.object({
  status: z.enum(['completed', 'stopped', 'failed']),
  error: z.string().max(10_000).optional(),
  epochsCompleted: z.number().int().min(0),
  history: z.array(EpochMetricsSchema).max(100_000),
  test: z.object({ loss: num, acc: num }).optional(),
  stoppedEarly: z.boolean().optional(),
  bestEpoch: z.number().int().min(0).optional(),
  stoppedAt: z.object({ epoch: z.number().int().min(0), batch: z.number().int().min(0), batchesPerEpoch: z.number().int().min(0) }).optional(),
  model: z
    .object({
      modelTopology: z.record(z.string(), z.unknown()),
      weightSpecs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']) }).passthrough()),
      /** What the model was trained on (task, classes, preprocessing), as a Node-trained model.json carries it. */
      userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
      /** Small models: the weights inline. Otherwise omitted, and weightBytes says how many bytes were uploaded. */
      weightDataBase64: z.string().optional(),
      weightBytes: z.number().int().min(0),
    })
    .optional(),
});
export type ComputeResult = z.infer<typeof ComputeResultSchema>;

/** What a native file dialog is for: project files, an export folder, or a data file (CSV) / folder (images). */
export const PICK_PATH_PURPOSES = ['openProject', 'saveProject', 'exportFolder', 'dataFile', 'dataFolder'] as const;
export type PickPathPurpose = (typeof PICK_PATH_PURPOSES)[number];

/** What one weight quantization of an export gives (export.quantizationPreview). */
export interface QuantizationChoice {
  quantization: Quantization;
  /** Size of weights.bin. */
  weightBytes: number;
  testSamples: number;
  /** The test set's loss and accuracy (null: no test split; accuracy null for a model that does not classify). */
  testLoss: number | null;
  testAccuracy: number | null;
  /** testAccuracy minus the unquantized model's (0..1 scale). */
  accuracyChange: number | null;
}

export const api = {
  'engine.info': { params: z.object({}), result: {} as EngineInfo },
  'datasets.list': { params: z.object({}), result: [] as DatasetInfo[] },
  'templates.list': { params: z.object({}), result: [] as TemplateInfo[] },
  'templates.get': { params: z.object({ id: z.string().regex(/^[a-z0-9-]+$/, 'Template ids use a-z, 0-9 and -') }), result: {} as Project },
  'project.save': { params: z.object({ path: PathParam, project: ProjectSchema }), result: {} as { path: string } },
  'project.open': { params: z.object({ path: PathParam }), result: {} as { path: string; project: Project } },
  'project.list': { params: z.object({}), result: [] as ProjectFileEntry[] },
  /** The open document, the file it belongs to and whether it has unsaved changes (dirty defaults to true). */
  'project.autosave': {
    params: z.object({ project: ProjectSchema, path: PathParam.nullable().optional(), dirty: z.boolean().optional() }),
    result: {} as { path: string },
  },
  'project.restoreAutosave': { params: z.object({}), result: {} as AutosaveRestore },
  /** Keeps the autosave as a project file in the recovered folder and empties the slot (restore declined); null when there was none. */
  'project.setAutosaveAside': { params: z.object({}), result: {} as { path: string | null } },
  /**
   * A project file's text, for a page that has no path to it (a file dropped on the browser UI). The name says
   * what it was called, for messages; the engine parses it as it would the file.
   */
  'project.openContents': {
    params: z.object({
      name: z
        .string()
        .min(1)
        .max(255)
        .regex(/\.(neurowire|json)$/i, 'must be a project file (.neurowire or .json)'),
      text: z.string().max(MAX_PROJECT_BYTES, `is larger than ${MAX_PROJECT_BYTES / 1024 / 1024} MB, too large to be a Neurowire project`),
    }),
    result: {} as { project: Project },
  },
  /**
   * Imports a Keras / TensorFlow.js model given as files (a page's File → Import Model… or drop): the model file
   * `name` (model.json, .h5 or .keras) and, for a model.json, the weight files it names. Kept weights wait in the
   * engine's data folder until the project is saved, then lie beside it.
   */
  'model.import': {
    params: z.object({
      name: z
        .string()
        .min(1)
        .max(255)
        .regex(/\.(json|h5|hdf5|keras)$/i, 'must be a model file (.json, .h5 or .keras)'),
      files: z
        .array(z.object({ name: z.string().min(1).max(255), base64: z.string().max(MAX_IMPORT_BASE64, 'is too large to import here (use npm run import)') }))
        .min(1)
        .max(1000),
    }),
    result: {} as ModelImportResult,
  },
  /** Imports the model file at `path` (model.json with its weight files beside it, .h5, .keras), as model.import does. */
  'model.importFile': { params: z.object({ path: PathParam }), result: {} as ModelImportResult },
  /** Project files asked to open from outside the page since it last asked, oldest first (see the openRequested event). */
  'project.takeOpenRequests': { params: z.object({}), result: {} as { paths: string[] } },
  /** File → Open Recent, missing files dropped (and named in `pruned`, for a message). */
  'project.recent': { params: z.object({}), result: {} as { projects: RecentProject[]; pruned: string[] } },
  /** compute: where to train (default 'node'); 'auto' picks the browser GPU only where Node has no GPU and Chromium has one. */
  'training.start': {
    params: z.object({ project: ProjectSchema, compute: z.enum(COMPUTE_CHOICES).optional() }),
    result: {} as { runId: string; compute?: 'node' | 'browser-gpu' },
  },
  /**
   * From the page that trains a browser-gpu run (browser mode): one event, or the final result, or (neither) a
   * heartbeat. The engine re-emits events as `training` events. Refused unless runId is an active browser-gpu run.
   */
  'training.report': {
    params: z.object({ runId: RunIdParam, event: ReportedTrainingEventSchema.optional(), result: ComputeResultSchema.optional() }),
    result: {} as { accepted: boolean; command: ComputeCommandEvent['command'] | null },
  },
  'training.stop': { params: z.object({ runId: z.string().min(1) }), result: {} as { stopping: boolean } },
  'training.pause': { params: z.object({ runId: z.string().min(1) }), result: {} as { paused: boolean } },
  'training.resume': { params: z.object({ runId: z.string().min(1) }), result: {} as { resumed: boolean } },
  /** The header and first rows of a CSV/TSV file, so a person can choose its label and feature columns. */
  'datasets.columns': {
    params: z.object({ path: PathParam, delimiter: CsvDelimiterSchema.optional() }),
    result: {} as NonNullable<DatasetPreview['table']>,
  },
  /** Reads a dataset source far enough to describe it: shape, classes, a preview, and problems found. */
  'datasets.inspect': { params: z.object({ source: DatasetSourceSchema }), result: {} as DatasetPreview },
  'runs.list': { params: z.object({}), result: [] as RunSummary[] },
  'runs.get': { params: z.object({ runId: z.string().min(1) }), result: {} as RunDetails },
  'runs.delete': { params: z.object({ runId: z.string().min(1) }), result: {} as { deleted: boolean } },
  /** A run's per-layer norms as it kept them (core/training/normHistory.ts); none for a run recorded before runs kept them. */
  'runs.norms': { params: z.object({ runId: RunIdParam }), result: {} as { runId: string; points: NormPoint[] } },
  /** Look inside a trained run: every layer's activations for test sample `index` (default 0), summarised (core/inside/activations.ts). */
  'runs.activations': {
    params: z.object({ runId: RunIdParam, index: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(100_000_000).optional() }),
    result: {} as ActivationReport,
  },
  /** Native file dialogs; only the desktop app has them (the browser UI uses its own path dialog). */
  'dialog.pickPath': {
    params: z.object({ purpose: z.enum(PICK_PATH_PURPOSES), defaultPath: z.string().max(4096).optional() }),
    result: {} as { path: string | null },
  },
  /** What kind of sample a run's trained model takes (an image, a table row and its columns, a sentence) and what it outputs. */
  'model.inputs': { params: z.object({ runId: RunIdParam }), result: {} as ModelInputs },
  /** One sample through a run's trained model, prepared as its training data was: each output's probabilities or values. */
  'model.predict': { params: z.object({ runId: RunIdParam, sample: SampleSchema }), result: {} as Prediction },
  /** Two networks compared (core/graph/diff.ts): each a project or model file, a run, or a template. */
  'diff.compare': { params: z.object({ a: CompareSourceSchema, b: CompareSourceSchema }), result: {} as CompareResult },
  /** Each weight quantization of a run's TensorFlow.js export: the weights' size and the test-set result with them. */
  'export.quantizationPreview': { params: z.object({ runId: z.string().min(1) }), result: {} as { choices: QuantizationChoice[] } },
  /** quantize: the TensorFlow.js weights as float16 or uint8 (core/quantize.ts); none by default. */
  'export.run': {
    params: z.object({ runId: z.string().min(1), dir: PathParam.optional(), quantize: z.enum(QUANTIZATIONS).optional() }),
    result: {} as { dir: string; files: string[] },
  },
} as const;

export type ApiMethod = keyof typeof api;
export type ApiParams<M extends ApiMethod> = z.input<(typeof api)[M]['params']>;
/** Params as the engine's handler receives them, after the method's schema parsed them. */
export type ApiParsedParams<M extends ApiMethod> = z.output<(typeof api)[M]['params']>;
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
