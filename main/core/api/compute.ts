/**
 * The compute protocol: how the engine hands a browser-GPU job to a Chromium page (browser mode over the
 * local server's binary routes; the desktop app's hidden window over a MessagePort) and how the page's
 * result comes back. Pure: both sides import it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BrowserGpuInfo, ComputeCommandEvent, ComputeResult } from './contract';
import { inputPartsOf, outputPartsOf, type DatasetInfo } from '../datasets';
import type { Project } from '../project';
import { decodeNodeWeights, type NodeWeights } from '../nodeWeights';
import type { LoopControl, SplitData, TrainingData, TrainingResult } from '../training/types';

export type ComputeCommand = ComputeCommandEvent['command'];
export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];
export const SPLIT_ARRAYS = ['x', 'y', 'labels'] as const;
/** x, y and labels; with several inputs or targets, part k > 0 of them is `x<k>` / `y<k>` (x and y are part 0). */
export type SplitArrayName = (typeof SPLIT_ARRAYS)[number] | `x${number}` | `y${number}`;

/** One split as contiguous, transferable buffers: x sample-major, y per sample (class index or targets). */
export interface SplitBuffers {
  count: number;
  x: Float32Array | Int32Array;
  y: Int32Array | Float32Array;
  labels?: Int32Array;
  /** Data with several inputs (DatasetInfo.inputs): every input's buffer; xs[0] is x. */
  xs?: (Float32Array | Int32Array)[];
  /** Data with several targets (DatasetInfo.outputs): every target's buffer; ys[0] is y. */
  ys?: (Int32Array | Float32Array)[];
}

/** A split's buffer by its route name: x, y, labels, or part k of several as x<k> / y<k>. */
export function splitArray(s: SplitBuffers, name: string): Float32Array | Int32Array | undefined {
  if (name === 'x' || name === 'y' || name === 'labels') return s[name];
  const m = /^(x|y)([1-9]\d?)$/.exec(name);
  if (!m) return undefined;
  return (m[1] === 'x' ? s.xs : s.ys)?.[Number(m[2])];
}

export interface ComputeDataset {
  info: DatasetInfo;
  train: SplitBuffers;
  validation: SplitBuffers;
  test: SplitBuffers;
}

/** Shapes and dtypes of the buffers, served as JSON before the bytes (browser mode). */
export interface SplitMeta {
  count: number;
  xDType: 'float32' | 'int32';
  yDType: 'float32' | 'int32';
  xPerSample: number;
  yPerSample: number;
  hasLabels: boolean;
  bytes: number;
  /** Several inputs / targets: each part's dtype (part 0 is x / y above; part k is served as x<k> / y<k>). */
  parts?: { xs: ('float32' | 'int32')[]; ys: ('float32' | 'int32')[] };
}
export interface ComputeJobMeta {
  runId: string;
  project: Project;
  info: DatasetInfo;
  splits: Record<SplitName, SplitMeta>;
  /**
   * Size of the project's trained weights (its weights file, project.weights), which the run starts from: served raw
   * at /compute/<runId>/project-weights. Absent when the project keeps none.
   */
  projectWeightBytes?: number;
}

/** What the engine sends a compute page in Electron (structured-cloned over a MessagePort). */
export interface ComputeJob {
  runId: string;
  project: Project;
  data: ComputeDataset;
  /** The bytes of the project's weights file (project.weights), which the run starts from; absent when it keeps none. */
  projectWeights?: ArrayBuffer;
}

/**
 * The job host's `loadProjectWeights` for a page: the weights file's bytes the engine handed over, decoded against the
 * project's manifest (as the Node worker decodes the file it reads). Undefined when the project keeps no weights; a
 * project that keeps some whose bytes did not come fails the run, naming the file, rather than train from fresh ones.
 */
export function projectWeightsLoader(project: Project, bytes: ArrayBuffer | undefined): (() => Promise<NodeWeights>) | undefined {
  const manifest = project.weights;
  if (!manifest) return undefined;
  return async () => {
    if (!bytes) throw new Error(`The weights file ${manifest.file} of the project did not reach the page that trains: train on Node, or open the project again.`);
    return decodeNodeWeights(manifest, new Uint8Array(bytes));
  };
}

/** Messages from a compute page to the engine (Electron port; browser mode maps training.report onto these). */
export type ComputePageMessage =
  | { kind: 'gpu'; info: BrowserGpuInfo }
  | { kind: 'event'; runId: string; event: unknown }
  | { kind: 'heartbeat'; runId: string }
  | { kind: 'result'; runId: string; result: unknown; weightData?: ArrayBuffer };

/** Messages from the engine to a compute page (Electron port). */
export type ComputeHostMessage = { kind: 'job'; job: ComputeJob } | { kind: 'command'; runId: string; command: ComputeCommand } | { kind: 'probe' };

/** Values per sample of x and y for a dataset (y: one class index, or outputSize regression targets). */
export function valuesPerSample(info: DatasetInfo): { x: number; y: number } {
  return { x: info.inputShape.reduce((a, b) => a * b, 1), y: info.task === 'classification' ? 1 : Math.max(1, info.outputSize) };
}

/** Values per sample and dtype of every input and target of a dataset, in Batch.xs / Batch.ys order. */
export function partsPerSample(info: DatasetInfo): { xs: { size: number; dtype: 'float32' | 'int32' }[]; ys: { size: number; dtype: 'float32' | 'int32' }[] } {
  return {
    xs: inputPartsOf(info).map((p) => ({ size: p.shape.reduce((a, b) => a * b, 1), dtype: p.dtype })),
    ys: outputPartsOf(info).map((p) => (p.task === 'classification' ? { size: 1, dtype: 'int32' as const } : { size: Math.max(1, p.outputSize), dtype: 'float32' as const })),
  };
}

const dtypeOf = (a: Float32Array | Int32Array): 'float32' | 'int32' => (a instanceof Int32Array ? 'int32' : 'float32');

export function splitMeta(s: SplitBuffers, info: DatasetInfo): SplitMeta {
  const per = valuesPerSample(info);
  const xs = s.xs ?? [s.x];
  const ys = s.ys ?? [s.y];
  const meta: SplitMeta = {
    count: s.count,
    xDType: dtypeOf(s.x),
    yDType: dtypeOf(s.y),
    xPerSample: s.count ? s.x.length / s.count : per.x,
    yPerSample: s.count ? s.y.length / s.count : per.y,
    hasLabels: s.labels !== undefined,
    bytes: [...xs, ...ys].reduce((total, a) => total + a.byteLength, 0) + (s.labels?.byteLength ?? 0),
  };
  if (s.xs || s.ys) meta.parts = { xs: xs.map(dtypeOf), ys: ys.map(dtypeOf) };
  return meta;
}

/** A split over contiguous buffers: getBatch gathers the rows of `indices`. */
export function bufferSplit(s: SplitBuffers): SplitData {
  if (s.xs || s.ys) return partBufferSplit(s);
  const xPer = s.count ? s.x.length / s.count : 0;
  const yPer = s.count ? s.y.length / s.count : 0;
  const out: SplitData = {
    count: s.count,
    getBatch(indices) {
      const n = indices.length;
      const x = s.x instanceof Int32Array ? new Int32Array(n * xPer) : new Float32Array(n * xPer);
      const y = s.y instanceof Int32Array ? new Int32Array(n * yPer) : new Float32Array(n * yPer);
      for (let i = 0; i < n; i++) {
        const j = indices[i];
        if (j < 0 || j >= s.count) throw new RangeError(`sample ${j} is outside the split (0..${s.count - 1})`);
        x.set(s.x.subarray(j * xPer, (j + 1) * xPer), i * xPer);
        if (yPer === 1) y[i] = s.y[j];
        else y.set(s.y.subarray(j * yPer, (j + 1) * yPer), i * yPer);
      }
      return { x, y, count: n };
    },
  };
  if (s.labels) out.labels = s.labels;
  return out;
}

/** A split over several inputs' and targets' buffers: batches carry xs and ys (x and y are their first). */
function partBufferSplit(s: SplitBuffers): SplitData {
  const gather = <T extends Float32Array | Int32Array>(a: T, indices: ArrayLike<number>): T => {
    const per = s.count ? a.length / s.count : 0;
    const out = (a instanceof Int32Array ? new Int32Array(indices.length * per) : new Float32Array(indices.length * per)) as T;
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      if (j < 0 || j >= s.count) throw new RangeError(`sample ${j} is outside the split (0..${s.count - 1})`);
      out.set(a.subarray(j * per, (j + 1) * per), i * per);
    }
    return out;
  };
  const out: SplitData = {
    count: s.count,
    getBatch(indices) {
      const xs = (s.xs ?? [s.x]).map((a) => gather(a, indices));
      const ys = (s.ys ?? [s.y]).map((a) => gather(a, indices));
      return { x: xs[0], y: ys[0], xs, ys, count: indices.length };
    },
  };
  if (s.labels) out.labels = s.labels;
  return out;
}

export function toTrainingData(d: ComputeDataset): TrainingData {
  return { info: d.info, train: bufferSplit(d.train), validation: bufferSplit(d.validation), test: bufferSplit(d.test) };
}

/** Stop / pause / resume of a job driven by commands (UI buttons, engine events, port messages). */
export class CommandControl implements LoopControl {
  private stopped = false;
  private paused = false;
  private waiters: (() => void)[] = [];

  apply(command: ComputeCommand): void {
    if (command === 'stop') this.stopped = true;
    else if (command === 'pause') this.paused = true;
    else this.paused = false;
    if (this.stopped || !this.paused) for (const w of this.waiters.splice(0)) w();
  }
  shouldStop(): boolean {
    return this.stopped;
  }
  isPaused(): boolean {
    return this.paused && !this.stopped;
  }
  waitWhilePaused(): Promise<void> {
    if (!this.isPaused()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * A job's result as a compute page reports it: JSON fields plus the weights as one buffer (sent beside
 * it: transferred over a port, or uploaded over HTTP). The evaluation travels as its own event.
 */
export function resultToWire(tf: typeof tfTypes, result: TrainingResult): { result: ComputeResult; weightData?: ArrayBuffer } {
  const { artifacts, evaluation: _evaluation, ...fields } = result;
  const wire: ComputeResult = fields;
  if (!artifacts) return { result: wire };
  const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
  wire.model = {
    modelTopology: artifacts.modelTopology as Record<string, unknown>,
    weightSpecs: (artifacts.weightSpecs ?? []) as NonNullable<ComputeResult['model']>['weightSpecs'],
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    weightBytes: weightData.byteLength,
  };
  return { result: wire, weightData };
}
