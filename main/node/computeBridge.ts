/**
 * "GPU without CUDA": training runs in a Chromium page on WebGPU (else WebGL) with the same trainer code
 * (runTrainingLoop from main/core/training/loop.ts) as the Node worker. This module is the engine's side:
 *
 * - It prepares the dataset into contiguous buffers per split (x, y, labels) and hands them to the page:
 *   in browser mode through authenticated binary HTTP routes of the local server (`handleComputeHttp`),
 *   in the desktop app through a ComputeHost (electron/computeWindow.ts: a hidden window and a MessagePort).
 * - It takes the page's TrainingEvents back (`training.report` in browser mode, the port in Electron) and
 *   re-emits them through the engine's `training` stream, so run history and every client see them as they
 *   see Node-trained runs; it synthesizes the final `done` event from the page's result.
 * - Stop / pause / resume reach the page as engine `compute` events (browser mode; also answered on the
 *   next report) or as port messages (Electron).
 *
 * A run exposes the same face as a Node run (TrainingRun: runId, stop(), done → TrainingResult with the
 * model's artifacts), so the engine's export and run bookkeeping do not care where it trained.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BrowserGpuInfo, ComputeCommandEvent, ComputeResult, EpochMetrics, TrainingEvent } from '../core/api/contract';
import { ComputeResultSchema, ReportedTrainingEventSchema } from '../core/api/contract';
import type { DatasetInfo } from '../core/datasets';
import { describeValue, type DatasetChoice, type Project } from '../core/project';
import type { SplitData, TrainingData, TrainingResult } from '../core/training/types';
import { doneEvent } from '../core/training/job';
import { formatBytes } from '../core/format';
import {
  SPLITS,
  splitArray,
  splitMeta,
  partsPerSample,
  valuesPerSample,
  type ComputeCommand,
  type ComputeDataset,
  type ComputeJob,
  type ComputeJobMeta,
  type ComputePageMessage,
  type SplitBuffers,
  type SplitName,
} from '../core/api/compute';
import type { TrainingRun } from './training/run';
import { openDataset } from './datasets';
import { readProjectWeightBytes } from './projectWeights';

/** The desktop app's hidden compute window, as the engine sees it (implemented in electron/computeWindow.ts). */
export interface ComputeHost {
  /** Which GPU backends the compute window can use (creates the window on first use). */
  probe(): Promise<BrowserGpuInfo>;
  /** Starts a job; the page's messages for it arrive through onMessage. */
  run(job: ComputeJob, onMessage: (msg: ComputePageMessage) => void): ComputeJobHandle;
}
export interface ComputeJobHandle {
  command(command: ComputeCommand): void;
  /** The run is over (or abandoned): drop listeners. */
  close(): void;
}

export interface BrowserRun extends TrainingRun {
  pause(): boolean;
  resume(): boolean;
}

export interface ComputeBridgeOptions {
  /** The desktop app's hidden window; absent in browser mode, where the page that pressed Train computes. */
  host?: ComputeHost | null;
  /** Loads a dataset choice (default: openDataset from ./datasets). */
  loadData?: (choice: DatasetChoice) => Promise<TrainingData>;
  /** Reads the bytes of the project's weights file, which the page's run starts from (default: readProjectWeightBytes). */
  loadProjectWeights?: (project: Project) => Promise<Uint8Array>;
  /** Sends a `compute` engine event (browser mode: the page listens). */
  emitCommand?: (event: ComputeCommandEvent) => void;
  /** Largest dataset handed to a page, in bytes (default 1.5 GB). */
  maxDatasetBytes?: number;
  /** A run fails when the page has not been heard from for this long (default 90 s). */
  idleTimeoutMs?: number;
  /** After stop(), how long the page gets to send its result before the run is settled as stopped (default 60 s). */
  stopGraceMs?: number;
}

export class ComputeBridgeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'ComputeBridgeError';
  }
}

export const MAX_DATASET_BYTES = 1.5 * 1024 ** 3;
/** Uploaded weights larger than this are refused (a model this size would not fit a browser tab anyway). */
export const MAX_WEIGHT_BYTES = 1024 ** 3;

/** Bytes a dataset will take as buffers, before reading any sample. */
export function estimateDatasetBytes(data: TrainingData): number {
  const parts = partsPerSample(data.info);
  const perSample = [...parts.xs, ...parts.ys].reduce((total, p) => total + p.size, 0);
  let total = 0;
  for (const s of SPLITS) {
    const split = data[s];
    total += split.count * perSample * 4 + (split.labels ? split.count * 4 : 0);
  }
  return total;
}

/** Reads every sample of a split into one buffer per array, a chunk of indices at a time. */
export async function splitToBuffers(split: SplitData, info: DatasetInfo, chunk = 4096): Promise<SplitBuffers> {
  if (info.inputs?.length || info.outputs?.length) return partsToBuffers(split, info, chunk);
  const { x: xPer, y: yPer } = valuesPerSample(info);
  const classification = info.task === 'classification';
  const n = split.count;
  const x = info.inputDType === 'int32' ? new Int32Array(n * xPer) : new Float32Array(n * xPer);
  const y = classification ? new Int32Array(n * yPer) : new Float32Array(n * yPer);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const idx = new Int32Array(m);
    for (let i = 0; i < m; i++) idx[i] = start + i;
    const batch = await split.getBatch(idx);
    if (batch.count !== m || batch.x.length !== m * xPer || batch.y.length !== m * yPer) {
      throw new Error(
        `the dataset returned a batch of the wrong size (${batch.count} samples, ${batch.x.length} x values, ${batch.y.length} y values for ${m} samples of ${xPer} / ${yPer})`,
      );
    }
    x.set(batch.x as never, start * xPer);
    y.set(batch.y as never, start * yPer);
  }
  const out: SplitBuffers = { count: n, x, y };
  if (split.labels) out.labels = split.labels;
  return out;
}

/** splitToBuffers for data with several inputs or targets: one buffer per part (x and y are the first). */
async function partsToBuffers(split: SplitData, info: DatasetInfo, chunk: number): Promise<SplitBuffers> {
  const parts = partsPerSample(info);
  const n = split.count;
  const make = (p: { size: number; dtype: 'float32' | 'int32' }) => (p.dtype === 'int32' ? new Int32Array(n * p.size) : new Float32Array(n * p.size));
  const xs = parts.xs.map(make);
  const ys = parts.ys.map(make);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const idx = new Int32Array(m);
    for (let i = 0; i < m; i++) idx[i] = start + i;
    const batch = await split.getBatch(idx);
    const bx = batch.xs ?? [batch.x];
    const by = batch.ys ?? [batch.y];
    const sizes = [...parts.xs, ...parts.ys].map((p) => p.size);
    const got = [...bx, ...by];
    if (batch.count !== m || got.length !== sizes.length || got.some((a, k) => a.length !== m * sizes[k])) {
      throw new Error(`the dataset returned a batch of the wrong size (${batch.count} samples, parts of ${got.map((a) => a.length).join(' / ')} values for ${m} samples of ${sizes.join(' / ')})`);
    }
    xs.forEach((a, k) => a.set(bx[k] as never, start * parts.xs[k].size));
    ys.forEach((a, k) => a.set(by[k] as never, start * parts.ys[k].size));
  }
  const out: SplitBuffers = { count: n, x: xs[0], y: ys[0], xs, ys };
  if (split.labels) out.labels = split.labels;
  return out;
}

export async function datasetToBuffers(data: TrainingData, maxBytes = MAX_DATASET_BYTES): Promise<ComputeDataset> {
  const bytes = estimateDatasetBytes(data);
  if (bytes > maxBytes) {
    throw new ComputeBridgeError(
      `${data.info.name} needs ${formatBytes(bytes)} as training buffers, more than the ${formatBytes(maxBytes)} a browser GPU run can take. Train it on Node instead, or use a smaller dataset.`,
      'too_large',
    );
  }
  return {
    info: data.info,
    train: await splitToBuffers(data.train, data.info),
    validation: await splitToBuffers(data.validation, data.info),
    test: await splitToBuffers(data.test, data.info),
  };
}

function base64ToArrayBuffer(b64: string): ArrayBuffer {
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

interface ActiveRun {
  runId: string;
  project: Project;
  data: Promise<ComputeDataset>;
  /** Set once the data is ready (for the synchronous HTTP handler). */
  ready: ComputeDataset | null;
  /** The bytes of the project's weights file (project.weights), read with the data; null when it keeps none. */
  projectWeights: Uint8Array | null;
  lastSeen: number;
  pending: ComputeCommand | null;
  paused: boolean;
  stopping: boolean;
  history: EpochMetrics[];
  uploadedWeights: ArrayBuffer | null;
  handle: ComputeJobHandle | null;
  send(e: TrainingEvent): void;
  settle(result: TrainingResult): void;
}

export class ComputeBridge {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly host: ComputeHost | null;
  private readonly loadData: (choice: DatasetChoice) => Promise<TrainingData>;
  private readonly loadProjectWeights: (project: Project) => Promise<Uint8Array>;
  private readonly maxBytes: number;
  private readonly idleTimeoutMs: number;
  private readonly stopGraceMs: number;
  private gpuProbe: Promise<BrowserGpuInfo> | null = null;

  constructor(private readonly options: ComputeBridgeOptions = {}) {
    this.host = options.host ?? null;
    this.loadData = options.loadData ?? ((choice) => openDataset(choice));
    this.loadProjectWeights = options.loadProjectWeights ?? readProjectWeightBytes;
    this.maxBytes = options.maxDatasetBytes ?? MAX_DATASET_BYTES;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 90_000;
    this.stopGraceMs = options.stopGraceMs ?? 60_000;
  }

  /** True in the desktop app (a hidden compute window trains); false in browser mode (the page that pressed Train does). */
  get hasHost(): boolean {
    return this.host !== null;
  }

  /** The compute window's GPU, in the desktop app; null in browser mode (the page probes its own). */
  async probe(): Promise<BrowserGpuInfo | null> {
    if (!this.host) return null;
    this.gpuProbe ??= this.host.probe().catch((e: Error) => {
      this.gpuProbe = null; // try again next time
      return { available: false, attempts: [{ name: 'compute window', ok: false, reason: e.message }] };
    });
    return this.gpuProbe;
  }

  isActive(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** Starts a browser-gpu run. Events (and the final `done`) go to onEvent, as for a Node run. */
  start(project: Project, onEvent: (e: TrainingEvent) => void): BrowserRun {
    const runId = randomUUID();
    let resolveDone!: (r: TrainingResult) => void;
    const done = new Promise<TrainingResult>((resolve) => (resolveDone = resolve));
    let settled = false;
    let watchdog: NodeJS.Timeout | null = null;
    let stopTimer: NodeJS.Timeout | null = null;
    const send = (e: TrainingEvent) => {
      try {
        onEvent(e);
      } catch (err) {
        console.error('[neurowire] training event listener threw:', err);
      }
    };

    const run: ActiveRun = {
      runId,
      project,
      data: Promise.resolve(null as never),
      ready: null,
      projectWeights: null,
      lastSeen: Date.now(),
      pending: null,
      paused: false,
      stopping: false,
      history: [],
      uploadedWeights: null,
      handle: null,
      send,
      settle: (result) => {
        if (settled) return;
        settled = true;
        if (watchdog) clearInterval(watchdog);
        if (stopTimer) clearTimeout(stopTimer);
        this.runs.delete(runId);
        run.handle?.close();
        run.ready = null;
        run.projectWeights = null;
        send(doneEvent(runId, result));
        resolveDone(result);
      },
    };
    this.runs.set(runId, run);

    const fail = (error: string) =>
      run.settle({ status: 'failed', error, epochsCompleted: run.history.length, history: [...run.history] });

    // The project's trained weights are the run's starting point, as on Node: read with the data, handed over with it.
    const weights = project.weights
      ? this.loadProjectWeights(project).catch((e: Error) => {
          throw new ComputeBridgeError(e.message, 'weights');
        })
      : Promise.resolve(null);
    run.data = Promise.all([this.loadData(project.dataset).then((d) => datasetToBuffers(d, this.maxBytes)), weights]).then(([d, w]) => {
      run.projectWeights = w;
      return d;
    });
    run.data.then(
      (d) => {
        if (settled) return;
        run.ready = d;
        if (this.host) this.startOnHost(run, d);
      },
      (e: Error) => fail(e instanceof ComputeBridgeError ? e.message : `Could not prepare the dataset for the browser GPU: ${e.message}`),
    );

    watchdog = setInterval(() => {
      if (Date.now() - run.lastSeen > this.idleTimeoutMs) {
        fail(
          this.host
            ? `The GPU compute window stopped responding for ${Math.round(this.idleTimeoutMs / 1000)} s.`
            : `The browser page training this run stopped responding for ${Math.round(this.idleTimeoutMs / 1000)} s (was it closed or reloaded?). Keep the page that pressed Train open while it trains.`,
        );
      }
    }, Math.min(5000, Math.max(50, this.idleTimeoutMs / 4)));
    watchdog.unref?.();

    const command = (c: ComputeCommand) => {
      run.pending = c;
      if (run.handle) run.handle.command(c);
      else this.options.emitCommand?.({ runId, command: c });
    };

    return {
      runId,
      done,
      stop: () => {
        if (settled || run.stopping) return;
        run.stopping = true;
        command('stop');
        // Data not ready yet: nothing has trained, end it here.
        if (!run.ready) {
          run.settle({ status: 'stopped', epochsCompleted: 0, history: [] });
          return;
        }
        stopTimer = setTimeout(() => run.settle({ status: 'stopped', epochsCompleted: run.history.length, history: [...run.history] }), this.stopGraceMs);
        stopTimer.unref?.();
      },
      pause: () => {
        if (settled || run.stopping || run.paused) return false;
        run.paused = true;
        command('pause');
        return true;
      },
      resume: () => {
        if (settled || run.stopping || !run.paused) return false;
        run.paused = false;
        command('resume');
        return true;
      },
    };
  }

  private startOnHost(run: ActiveRun, data: ComputeDataset): void {
    try {
      const w = run.projectWeights;
      const projectWeights = w ? (w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer) : undefined;
      run.handle = this.host!.run({ runId: run.runId, project: run.project, data, ...(projectWeights ? { projectWeights } : {}) }, (msg) => {
        try {
          if (msg.kind === 'gpu') return;
          if (msg.runId !== run.runId) return;
          if (msg.kind === 'heartbeat') this.report(run.runId, {});
          else if (msg.kind === 'event') this.report(run.runId, { event: msg.event });
          else if (msg.kind === 'result') {
            if (msg.weightData) run.uploadedWeights = msg.weightData;
            this.report(run.runId, { result: msg.result });
          }
        } catch (e) {
          console.error('[neurowire] bad message from the compute window:', (e as Error).message);
        }
      });
      if (run.stopping) run.handle.command('stop');
      else if (run.paused) run.handle.command('pause');
    } catch (e) {
      run.settle({ status: 'failed', error: `Could not start the GPU compute window: ${(e as Error).message}`, epochsCompleted: 0, history: [] });
    }
  }

  /**
   * `training.report` from a compute page: an event, the result, or (neither) a heartbeat. Throws
   * ComputeBridgeError (code not_found) when runId is not an active browser-gpu run.
   */
  report(runId: string, params: { event?: unknown; result?: unknown }): { accepted: boolean; command: ComputeCommand | null } {
    const run = this.runs.get(runId);
    if (!run) throw new ComputeBridgeError(`Run ${describeValue(runId)} is not an active browser GPU run.`, 'not_found', 404);
    run.lastSeen = Date.now();
    if (params.event !== undefined) {
      const parsed = ReportedTrainingEventSchema.safeParse(params.event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ComputeBridgeError(`Invalid training event: ${issue.path.join('.') || 'event'} — ${issue.message}`, 'invalid_params');
      }
      const event = parsed.data as TrainingEvent;
      if (event.runId !== runId) throw new ComputeBridgeError(`The event belongs to run ${describeValue(event.runId)}, not ${describeValue(runId)}.`, 'invalid_params');
      if (event.type === 'epoch') run.history.push(event.metrics);
      if (event.type === 'state') run.paused = event.state === 'paused';
      run.send(event);
    }
    if (params.result !== undefined) {
      const parsed = ComputeResultSchema.safeParse(params.result);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ComputeBridgeError(`Invalid training result: ${issue.path.join('.') || 'result'} — ${issue.message}`, 'invalid_params');
      }
      run.settle(this.toTrainingResult(run, parsed.data));
    }
    const command = run.pending;
    run.pending = null;
    return { accepted: true, command };
  }

  private toTrainingResult(run: ActiveRun, r: ComputeResult): TrainingResult {
    const out: TrainingResult = {
      status: r.status,
      epochsCompleted: r.epochsCompleted,
      history: r.history.length ? r.history : [...run.history],
    };
    if (r.error !== undefined) out.error = r.error;
    if (r.test) out.test = r.test;
    if (r.stoppedEarly !== undefined) out.stoppedEarly = r.stoppedEarly;
    if (r.bestEpoch !== undefined) out.bestEpoch = r.bestEpoch;
    if (r.model) {
      const weightData = r.model.weightDataBase64 !== undefined ? base64ToArrayBuffer(r.model.weightDataBase64) : run.uploadedWeights;
      if (!weightData || weightData.byteLength !== r.model.weightBytes) {
        out.error ??= `the trained weights did not arrive (expected ${r.model.weightBytes} bytes, got ${weightData?.byteLength ?? 0})`;
        if (out.status === 'completed') out.status = 'failed';
      } else {
        out.artifacts = {
          modelTopology: r.model.modelTopology as tfTypes.io.ModelArtifacts['modelTopology'],
          weightSpecs: r.model.weightSpecs as tfTypes.io.WeightsManifestEntry[],
          weightData,
          format: 'layers-model',
          ...(r.model.userDefinedMetadata ? { userDefinedMetadata: r.model.userDefinedMetadata as tfTypes.io.ModelArtifacts['userDefinedMetadata'] } : {}),
        };
      }
    }
    return out;
  }

  /** Stops every run (engine dispose). */
  disposeAll(): void {
    for (const run of [...this.runs.values()]) run.settle({ status: 'stopped', epochsCompleted: run.history.length, history: [...run.history] });
  }

  /**
   * The browser-mode data routes (the server has checked the token):
   *   GET /compute/<runId>/meta                       → ComputeJobMeta (JSON)
   *   GET /compute/<runId>/data/<split>/<x|y|labels>  → the raw little-endian bytes
   *   GET /compute/<runId>/project-weights            → the bytes of the project's weights file (meta.projectWeightBytes)
   *   PUT /compute/<runId>/weights                     → the trained weights (then training.report with the result)
   * Returns false when the path is not a compute route.
   */
  async handleHttp(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
    const m = /^\/compute\/([A-Za-z0-9-]{1,128})\/(meta|data\/(train|validation|test)\/(x|y|labels|[xy][1-9]\d?)|weights|project-weights)$/.exec(pathname);
    if (!pathname.startsWith('/compute/')) return false;
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    const fail = (status: number, message: string) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: message }));
      return true;
    };
    if (!m) return fail(404, 'Unknown compute route.');
    const run = this.runs.get(m[1]);
    if (!run) return fail(404, `Run "${m[1]}" is not an active browser GPU run.`);
    run.lastSeen = Date.now();
    if (m[2] === 'weights') {
      if (req.method !== 'PUT' && req.method !== 'POST') return fail(405, 'Use PUT to upload weights.');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_WEIGHT_BYTES) return fail(413, `The weights are larger than ${formatBytes(MAX_WEIGHT_BYTES)}.`);
        chunks.push(chunk as Buffer);
      }
      const buf = Buffer.concat(chunks);
      run.uploadedWeights = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      res.writeHead(204, headers).end();
      return true;
    }
    if (req.method !== 'GET') return fail(405, 'Use GET.');
    let data: ComputeDataset;
    try {
      data = await run.data;
    } catch (e) {
      return fail(409, (e as Error).message);
    }
    if (m[2] === 'meta') {
      const meta: ComputeJobMeta = {
        runId: run.runId,
        project: run.project,
        info: data.info,
        splits: { train: splitMeta(data.train, data.info), validation: splitMeta(data.validation, data.info), test: splitMeta(data.test, data.info) },
        ...(run.projectWeights ? { projectWeightBytes: run.projectWeights.byteLength } : {}),
      };
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(meta));
      return true;
    }
    if (m[2] === 'project-weights') {
      const bytes = run.projectWeights;
      if (!bytes) return fail(404, 'The project keeps no trained weights.');
      res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength) });
      res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return true;
    }
    const arr = splitArray(data[m[3] as SplitName], m[4]);
    if (!arr) return fail(404, `The ${m[3]} split has no ${m[4]}.`);
    res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': String(arr.byteLength) });
    res.end(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
    return true;
  }
}
