import { afterEach, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { ComputeCommandEvent, TrainingEvent } from '../../main/core/api/contract';
import type { DatasetInfo } from '../../main/core/datasets';
import { CURRENT_PROJECT_VERSION, DEFAULT_DATASET, DEFAULT_TRAINING, parseProject, type Project } from '../../main/core/project';
import type { SplitData, TrainingData } from '../../main/core/training/types';
import {
  ComputeBridge,
  ComputeBridgeError,
  datasetToBuffers,
  estimateDatasetBytes,
  type ComputeHost,
} from '../../main/node/computeBridge';
import type { ComputeJob, ComputePageMessage } from '../../main/core/api/compute';
import { Engine, EngineError } from '../../main/node/engine';
import { startServer } from '../../main/node/server/server';

const INFO: DatasetInfo = {
  id: 'tiny',
  name: 'Tiny',
  description: 'four values per sample, three classes',
  inputShape: [2, 2],
  inputDType: 'float32',
  task: 'classification',
  numClasses: 3,
  outputSize: 3,
  classNames: ['a', 'b', 'c'],
  totalSamples: null,
  available: true,
};

/** Sample i has x = [i, i+0.25, i+0.5, i+0.75] and class i % 3. */
function split(count: number, offset = 0): SplitData {
  const labels = Int32Array.from({ length: count }, (_, i) => (offset + i) % 3);
  return {
    count,
    labels,
    getBatch(indices) {
      const n = indices.length;
      const x = new Float32Array(n * 4);
      const y = new Int32Array(n);
      for (let k = 0; k < n; k++) {
        const i = offset + indices[k];
        x.set([i, i + 0.25, i + 0.5, i + 0.75], k * 4);
        y[k] = i % 3;
      }
      return { x, y, count: n };
    },
  };
}
const tinyData = (): TrainingData => ({ info: INFO, train: split(10), validation: split(3, 100), test: split(2, 200) });

const project: Project = {
  format: 'neurowire-project',
  version: CURRENT_PROJECT_VERSION,
  name: 'tiny',
  graph: { nodes: [], edges: [] },
  dataset: DEFAULT_DATASET,
  training: DEFAULT_TRAINING,
};

function collect() {
  const events: TrainingEvent[] = [];
  const commands: ComputeCommandEvent[] = [];
  return { events, commands, onEvent: (e: TrainingEvent) => events.push(e), emitCommand: (c: ComputeCommandEvent) => commands.push(c) };
}

const started = (runId: string): TrainingEvent => ({
  type: 'started',
  runId,
  backend: { name: 'webgl', device: 'GPU (WebGL via Chromium — SwiftShader software renderer here)', attempts: [{ name: 'webgpu', ok: false, reason: 'no adapter' }, { name: 'webgl', ok: true }] },
  trainSamples: 10,
  valSamples: 3,
  testSamples: 2,
  epochs: 1,
  batchesPerEpoch: 1,
});

const weights = new Float32Array([1, 2, 3, 4]);
const resultWithModel = (status: 'completed' | 'stopped' = 'completed') => ({
  status,
  epochsCompleted: 1,
  history: [{ epoch: 0, loss: 1.2, acc: 0.5 }],
  test: { loss: 1.1, acc: 0.5 },
  model: {
    modelTopology: { class_name: 'Model', config: {} },
    weightSpecs: [{ name: 'dense/kernel', shape: [2, 2], dtype: 'float32' as const }],
    weightDataBase64: Buffer.from(weights.buffer).toString('base64'),
    weightBytes: weights.byteLength,
  },
});

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('dataset buffers', () => {
  it('copies every split into contiguous buffers, in sample order', async () => {
    const d = await datasetToBuffers(tinyData());
    expect(d.train.count).toBe(10);
    expect(d.train.x).toBeInstanceOf(Float32Array);
    expect(Array.from(d.train.x.subarray(4, 8))).toEqual([1, 1.25, 1.5, 1.75]);
    expect(Array.from(d.train.y)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    expect(Array.from(d.test.x.subarray(0, 1))).toEqual([200]);
    expect(d.validation.labels).toBeInstanceOf(Int32Array);
  });

  it('refuses a dataset over the size limit before reading it, with a clear message', async () => {
    const getBatch = vi.fn();
    const huge: TrainingData = { info: { ...INFO, name: 'Huge', inputShape: [224, 224, 3] }, train: { count: 3000, getBatch }, validation: split(0), test: split(0) };
    expect(estimateDatasetBytes(huge)).toBeGreaterThan(1.5 * 1024 ** 3 / 3);
    await expect(datasetToBuffers(huge, 100 * 1024 ** 2)).rejects.toThrow(/Huge needs .* more than the 100\.0 MB a browser GPU run can take. Train it on Node instead/);
    expect(getBatch).not.toHaveBeenCalled();
  });
});

describe('browser mode: reports from the page', () => {
  let bridge: ComputeBridge;
  afterEach(() => bridge?.disposeAll());

  it('re-emits valid events, refuses the wrong run, done events and unknown runs', async () => {
    const c = collect();
    bridge = new ComputeBridge({ loadData: async () => tinyData(), emitCommand: c.emitCommand });
    const run = bridge.start(project, c.onEvent);
    expect(bridge.isActive(run.runId)).toBe(true);

    expect(bridge.report(run.runId, { event: started(run.runId) })).toEqual({ accepted: true, command: null });
    expect(c.events.map((e) => e.type)).toEqual(['started']);

    expect(() => bridge.report(run.runId, { event: started('another-run') })).toThrow(/belongs to run "another-run"/);
    expect(() => bridge.report(run.runId, { event: { type: 'done', runId: run.runId, status: 'completed', epochsCompleted: 1, hasModel: true } })).toThrow(ComputeBridgeError);
    expect(() => bridge.report(run.runId, { event: { type: 'batch', runId: run.runId } })).toThrow(/Invalid training event/);
    try {
      bridge.report('no-such-run', {});
      expect.unreachable();
    } catch (e) {
      expect((e as ComputeBridgeError).code).toBe('not_found');
    }
    expect(c.events).toHaveLength(1);
  });

  it('stop reaches the page as a compute event and in the next report answer; the result ends the run with a model', async () => {
    const c = collect();
    bridge = new ComputeBridge({ loadData: async () => tinyData(), emitCommand: c.emitCommand });
    const run = bridge.start(project, c.onEvent);
    await tick(); // data prepared
    bridge.report(run.runId, { event: started(run.runId) });
    bridge.report(run.runId, { event: { type: 'epoch', runId: run.runId, metrics: { epoch: 0, loss: 1.2, acc: 0.5 }, progress: 1, etaSec: 0 } });

    expect(run.pause()).toBe(true);
    expect(run.pause()).toBe(false);
    run.stop();
    expect(c.commands).toEqual([
      { runId: run.runId, command: 'pause' },
      { runId: run.runId, command: 'stop' },
    ]);
    expect(bridge.report(run.runId, {}).command).toBe('stop'); // a heartbeat answers the latest command once
    expect(bridge.report(run.runId, {}).command).toBeNull();

    bridge.report(run.runId, { result: resultWithModel('stopped') });
    const result = await run.done;
    expect(result.status).toBe('stopped');
    expect(result.test).toEqual({ loss: 1.1, acc: 0.5 });
    expect(new Float32Array(result.artifacts!.weightData as ArrayBuffer)).toEqual(weights);
    const done = c.events.at(-1)!;
    expect(done).toMatchObject({ type: 'done', runId: run.runId, status: 'stopped', hasModel: true, epochsCompleted: 1 });
    expect(bridge.isActive(run.runId)).toBe(false);
    expect(() => bridge.report(run.runId, {})).toThrow(/not an active browser GPU run/);
  });

  it('fails a result whose uploaded weights are missing', async () => {
    const c = collect();
    bridge = new ComputeBridge({ loadData: async () => tinyData(), emitCommand: c.emitCommand });
    const run = bridge.start(project, c.onEvent);
    const { weightDataBase64: _drop, ...model } = resultWithModel().model;
    bridge.report(run.runId, { result: { ...resultWithModel(), model } });
    const result = await run.done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/weights did not arrive \(expected 16 bytes, got 0\)/);
    expect(c.events.at(-1)).toMatchObject({ type: 'done', hasModel: false });
  });

  it('fails the run when the page goes quiet, and when the dataset cannot be prepared', async () => {
    const c = collect();
    bridge = new ComputeBridge({ loadData: async () => tinyData(), emitCommand: c.emitCommand, idleTimeoutMs: 120 });
    const quiet = bridge.start(project, c.onEvent);
    const r = await quiet.done;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/stopped responding .* Keep the page that pressed Train open/);

    const big = new ComputeBridge({ loadData: async () => tinyData(), maxDatasetBytes: 10 });
    const tooBig = await big.start(project, () => undefined).done;
    expect(tooBig).toMatchObject({ status: 'failed' });
    expect(tooBig.error).toMatch(/more than the .* a browser GPU run can take/);
  });

  it('stopping before the data is ready ends the run at once', async () => {
    bridge = new ComputeBridge({ loadData: () => new Promise(() => undefined) });
    const run = bridge.start(project, () => undefined);
    run.stop();
    expect(await run.done).toMatchObject({ status: 'stopped', epochsCompleted: 0 });
  });
});

describe('browser mode: binary data routes', () => {
  it('serves meta, raw split bytes and takes uploaded weights', async () => {
    const c = collect();
    const bridge = new ComputeBridge({ loadData: async () => tinyData() });
    const run = bridge.start(project, c.onEvent);
    const server = http.createServer((req, res) => {
      void bridge.handleHttp(req, res, new URL(req.url!, 'http://x').pathname).then((handled) => handled || res.writeHead(418).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/compute/${run.runId}`;
    try {
      const meta = await (await fetch(`${base}/meta`)).json();
      expect(meta.splits.train).toMatchObject({ count: 10, xDType: 'float32', yDType: 'int32', xPerSample: 4, yPerSample: 1, hasLabels: true });
      expect(meta.project.name).toBe('tiny');
      const x = new Float32Array(await (await fetch(`${base}/data/train/x`)).arrayBuffer());
      expect(x.length).toBe(40);
      expect(x[4]).toBe(1);
      const y = new Int32Array(await (await fetch(`${base}/data/validation/y`)).arrayBuffer());
      expect(Array.from(y)).toEqual([1, 2, 0]);
      expect((await fetch(`${base}/data/nope/x`)).status).toBe(404);
      expect((await fetch(`${base.replace(run.runId, 'other-run')}/meta`)).status).toBe(404);
      expect((await fetch(`${base}/weights`, { method: 'PUT', body: Buffer.from(weights.buffer) })).status).toBe(204);
      const { weightDataBase64: _inline, ...model } = resultWithModel().model;
      bridge.report(run.runId, { result: { ...resultWithModel(), model } });
      const result = await run.done;
      expect(result.status).toBe('completed');
      expect(new Float32Array(result.artifacts!.weightData as ArrayBuffer)).toEqual(weights);
    } finally {
      bridge.disposeAll();
      await new Promise((r) => server.close(r));
    }
  });

  it('the server refuses compute routes without the per-launch token or from another origin', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cb-'));
    const engine = new Engine({ host: 'browser', dataDir });
    const server = await startServer({ engine, staticDir: dataDir, token: 'secret-token' });
    const base = `http://127.0.0.1:${server.port}/compute/some-run/meta`;
    try {
      expect((await fetch(base)).status).toBe(401);
      expect((await fetch(base, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(base, { headers: { Authorization: 'Bearer secret-token', Origin: 'http://evil.example' } })).status).toBe(401);
      const ok = await fetch(base, { headers: { Authorization: 'Bearer secret-token' } });
      expect(ok.status).toBe(404); // authorized, but no such run
      expect((await ok.json()).error).toMatch(/not an active browser GPU run/);
    } finally {
      await server.close();
      await engine.dispose();
    }
  });
});

/** A stand-in for the hidden compute window: records jobs and commands, lets the test post page messages. */
function fakeHost() {
  const jobs: { job: ComputeJob; send: (m: ComputePageMessage) => void; commands: string[]; closed: boolean }[] = [];
  const host: ComputeHost = {
    probe: async () => ({ available: true, backend: 'webgl', device: 'GPU (WebGL via Chromium: Test GPU)', attempts: [{ name: 'webgl', ok: true }] }),
    run(job, onMessage) {
      const entry = { job, send: onMessage, commands: [] as string[], closed: false };
      jobs.push(entry);
      return { command: (c) => entry.commands.push(c), close: () => (entry.closed = true) };
    },
  };
  return { host, jobs };
}

describe('desktop app: the hidden compute window (ComputeHost)', () => {
  it('hands the job over as buffers, routes its messages, forwards commands and takes transferred weights', async () => {
    const c = collect();
    const { host, jobs } = fakeHost();
    const bridge = new ComputeBridge({ host, loadData: async () => tinyData(), emitCommand: c.emitCommand });
    expect(bridge.hasHost).toBe(true);
    expect(await bridge.probe()).toMatchObject({ available: true, backend: 'webgl' });
    const run = bridge.start(project, c.onEvent);
    await tick();
    expect(jobs).toHaveLength(1);
    const [{ job, send }] = jobs;
    expect(job.runId).toBe(run.runId);
    expect(job.data.train.x).toBeInstanceOf(Float32Array);
    expect(job.data.train.count).toBe(10);

    send({ kind: 'event', runId: run.runId, event: started(run.runId) });
    send({ kind: 'event', runId: 'someone-else', event: started('someone-else') }); // ignored
    send({ kind: 'heartbeat', runId: run.runId });
    run.stop();
    expect(jobs[0].commands).toEqual(['stop']);
    expect(c.commands).toEqual([]); // no engine event needed: the port carries it

    const { weightDataBase64: _inline, ...model } = resultWithModel().model;
    send({ kind: 'result', runId: run.runId, result: { ...resultWithModel('stopped'), model }, weightData: weights.slice().buffer });
    const result = await run.done;
    expect(result.status).toBe('stopped');
    expect(result.artifacts?.weightSpecs).toHaveLength(1);
    expect(c.events.map((e) => e.type)).toEqual(['started', 'done']);
    expect(jobs[0].closed).toBe(true);
  });
});

describe('engine', () => {
  it('starts browser-gpu runs on the compute host, re-emits their events, exports their model; refuses reports for other runs', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cb-'));
    const { host, jobs } = fakeHost();
    const engine = new Engine({ host: 'electron', dataDir, computeHost: host });
    const seen: { event: string; payload: unknown }[] = [];
    engine.onEvent((event, payload) => seen.push({ event, payload }));
    try {
      const info = await engine.info();
      expect(info.browserGpu).toMatchObject({ available: true, device: 'GPU (WebGL via Chromium: Test GPU)' });
      await expect(engine.dispatch('training.report', { runId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
      await expect(engine.dispatch('training.start', { project, compute: 'gpu-please' })).rejects.toBeInstanceOf(EngineError);

      // Templates are stored in an older format version; opening one migrates it, as the app does.
      const template = parseProject(await fs.readFile(path.join(__dirname, '../../templates/mnist-mlp.json'), 'utf8'));
      const { runId, compute } = (await engine.dispatch('training.start', { project: template, compute: 'browser-gpu' })) as { runId: string; compute: string };
      expect(compute).toBe('browser-gpu');
      await expect(engine.dispatch('training.start', { project: template })).rejects.toMatchObject({ code: 'busy' });
      await vi.waitFor(() => expect(jobs).toHaveLength(1), { timeout: 100_000 }); // reading MNIST: a generous deadline for a busy machine
      const job = jobs[0].job;
      expect(job.data.info.inputShape).toEqual([28, 28, 1]);
      expect(job.data.train.x.length).toBe(job.data.train.count * 784);

      jobs[0].send({ kind: 'event', runId, event: started(runId) });
      await engine.dispatch('training.pause', { runId }).catch(() => undefined); // pause may not be wired in the engine yet
      const { weightDataBase64: _inline, ...model } = resultWithModel().model;
      const topology = { class_name: 'Model', config: { name: 'm', layers: [], input_layers: [], output_layers: [] }, keras_version: 'tfjs-layers', backend: 'tensor_flow.js' };
      jobs[0].send({ kind: 'result', runId, result: { ...resultWithModel(), model: { ...model, modelTopology: topology } }, weightData: weights.slice().buffer });
      const result = await engine.waitForRun(runId);
      expect(result.status).toBe('completed');
      const training = seen.filter((s) => s.event === 'training').map((s) => (s.payload as TrainingEvent).type);
      expect(training).toEqual(['started', 'done']);

      const exported = (await engine.dispatch('export.run', { runId, dir: path.join(dataDir, 'export') })) as { files: string[] };
      expect(exported.files.join(' ')).toContain('model.json');
    } finally {
      await engine.dispose();
    }
  }, 120_000);
});

describe('electron/computeWindow.ts with a stand-in Electron', () => {
  it('creates one hidden sandboxed window on first use, hands it a port, routes messages, fails jobs when it crashes', async () => {
    const { createComputeHost, PORT_CHANNEL } = await import('../../electron/computeWindow');
    type Handler = (...args: unknown[]) => void;
    const windows: { options: Record<string, unknown>; wc: Record<string, Handler>; posted: unknown[][]; destroyed: boolean }[] = [];
    const portPosts: unknown[] = [];
    let pageSide: ((data: unknown) => void) | null = null;
    class BrowserWindow {
      private readonly rec: (typeof windows)[number];
      webContents: Record<string, unknown>;
      constructor(options: Record<string, unknown>) {
        const rec = (this.rec = { options, wc: {} as Record<string, Handler>, posted: [] as unknown[][], destroyed: false });
        windows.push(rec);
        this.webContents = {
          setWindowOpenHandler: () => undefined,
          on: (name: string, fn: Handler) => (rec.wc[name] = fn),
          once: (name: string, fn: Handler) => (rec.wc[name] = fn),
          postMessage: (...args: unknown[]) => rec.posted.push(args),
        };
      }
      on(name: string, fn: Handler) {
        this.rec.wc[`win:${name}`] = fn;
      }
      async loadURL() {
        queueMicrotask(() => this.rec.wc['did-finish-load']?.());
      }
      isDestroyed() {
        return this.rec.destroyed;
      }
      destroy() {
        this.rec.destroyed = true;
      }
    }
    class MessageChannelMain {
      port1 = {
        on: (_: string, fn: (e: { data: unknown }) => void) => (pageSide = (data) => fn({ data })),
        start: () => undefined,
        postMessage: (m: unknown) => portPosts.push(m),
      };
      port2 = { name: 'port2' };
    }
    const host = createComputeHost({ pageUrl: 'app://neurowire/compute.html', preloadPath: '/x/compute-preload.js', electron: { BrowserWindow, MessageChannelMain } as never });
    expect(windows).toHaveLength(0); // nothing until first use

    const probe = host.probe();
    await tick();
    expect(windows).toHaveLength(1);
    expect(windows[0].options).toMatchObject({ show: false, webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, backgroundThrottling: false, preload: '/x/compute-preload.js' } });
    expect(windows[0].posted[0]).toEqual([PORT_CHANNEL, null, [{ name: 'port2' }]]);
    expect(portPosts).toEqual([{ kind: 'probe' }]);
    pageSide!({ kind: 'gpu', info: { available: true, backend: 'webgl', device: 'GPU (WebGL via Chromium: X)', attempts: [] } });
    expect(await probe).toMatchObject({ backend: 'webgl' });

    const got: ComputePageMessage[] = [];
    const job = { runId: 'r1', project, data: await datasetToBuffers(tinyData()) };
    const handle = host.run(job, (m) => got.push(m));
    await tick();
    expect(portPosts[1]).toEqual({ kind: 'job', job });
    handle.command('pause');
    await tick();
    expect(portPosts[2]).toEqual({ kind: 'command', runId: 'r1', command: 'pause' });
    pageSide!({ kind: 'heartbeat', runId: 'r1' });
    pageSide!({ kind: 'heartbeat', runId: 'other' });
    expect(got).toEqual([{ kind: 'heartbeat', runId: 'r1' }]);

    windows[0].wc['render-process-gone'](null, { reason: 'crashed' });
    expect(got.at(-1)).toMatchObject({ kind: 'result', runId: 'r1', result: { status: 'failed', error: expect.stringMatching(/crashed \(crashed\)/) } });
    expect(windows[0].destroyed).toBe(true);

    void host.probe().catch(() => undefined); // a later use opens a fresh window
    await tick();
    expect(windows).toHaveLength(2);
    host.dispose();
    expect(windows[1].destroyed).toBe(true);
  });
});
