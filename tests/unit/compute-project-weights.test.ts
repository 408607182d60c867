/**
 * A browser-GPU run starts from the project's trained weights, as a Node run does: the engine hands the page the bytes
 * of the weights file (a binary route in browser mode, the job's ArrayBuffer in the desktop app), and the page decodes
 * them with the same core code (projectWeightsLoader → decodeNodeWeights → setNodeWeights in the job). The first batch
 * of such a run sees the imported model's predictions, and it trains exactly as the Node host's reading of the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { emptyProject, type Project } from '../../main/core/project';
import { encodeNodeWeights, type NodeWeights } from '../../main/core/nodeWeights';
import { bufferSplit, projectWeightsLoader, type ComputeJob } from '../../main/core/api/compute';
import { runTrainingJob, type JobHost } from '../../main/core/training/job';
import type { TrainingEvent } from '../../main/core/api/contract';
import type { DatasetInfo } from '../../main/core/datasets';
import type { TrainingData } from '../../main/core/training/types';
import { mulberry32 } from '../../main/core/random';
import { ComputeBridge, type ComputeHost } from '../../main/node/computeBridge';
import { readProjectWeights } from '../../main/node/projectWeights';

const FEATURES = 4;
const CLASSES = 3;
const TRAIN = 24;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-page-weights-'));
});
afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** The imported model: Dense(5, tanh) → Dense(3, softmax), with seeded weights far from a fresh start's. */
function importedModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [FEATURES], units: 5, activation: 'tanh', name: 'hidden' }), tf.layers.dense({ units: CLASSES, activation: 'softmax', name: 'out' })],
  });
  const random = mulberry32(21);
  model.setWeights(model.weights.map((w) => tf.tensor(Float32Array.from({ length: (w.shape as number[]).reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * 3), w.shape as number[])));
  return model;
}

function weightsOf(model: tf.LayersModel): NodeWeights {
  const byNode: NodeWeights = {};
  for (const layer of model.layers) byNode[layer.name] = layer.weights.map((w) => ({ name: w.originalName.split('/').pop()!, shape: w.shape as number[], values: w.read().dataSync() as Float32Array }));
  return byNode;
}

/** The project as an import leaves it: the same layers (node id = name) and the weights file beside it. */
async function importedProject(model: tf.LayersModel, name = 'imported'): Promise<{ project: Project; bytes: Uint8Array }> {
  const file = path.join(dir, `${name}.weights.bin`);
  const { manifest, data } = encodeNodeWeights(weightsOf(model), file);
  await fs.writeFile(file, data);
  const nodes: [string, string, Record<string, unknown>][] = [
    ['input_1', 'Input', { shape: [FEATURES] }],
    ['hidden', 'Dense', { units: 5, activation: 'tanh' }],
    ['out', 'Dense', { units: CLASSES, activation: 'softmax' }],
  ];
  const project: Project = {
    ...emptyProject(name),
    graph: {
      nodes: nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params, position: { x: i * 200, y: 0 } })),
      edges: nodes.slice(1).map(([id], i) => ({ id: `e${i}`, source: nodes[i][0], target: id })),
    },
    // One batch holds the whole training split, so the first batch's loss is the mean over all of it.
    training: { ...emptyProject(name).training, epochs: 2, batchSize: TRAIN, learningRate: 0.01, optimizer: 'adam' },
    weights: manifest,
  };
  return { project, bytes: data };
}

const random = mulberry32(5);
const x = Float32Array.from({ length: 40 * FEATURES }, () => random() * 2 - 1);
const y = Int32Array.from({ length: 40 }, (_v, i) => (x[i * FEATURES] > 0 ? 1 : 0) + (x[i * FEATURES + 1] > 0.3 ? 1 : 0));
const info = { id: 't', name: 'T', description: '', inputShape: [FEATURES], inputDType: 'float32', task: 'classification', numClasses: CLASSES, outputSize: CLASSES, classNames: ['a', 'b', 'c'] } as DatasetInfo;
const split = (a: number, b: number) => bufferSplit({ count: b - a, x: x.subarray(a * FEATURES, b * FEATURES), y: y.subarray(a, b), labels: y.subarray(a, b) });
const data = (): TrainingData => ({ info, train: split(0, TRAIN), validation: split(TRAIN, 32), test: split(32, 40) });

/** Trains the project on the CPU backend with `loadProjectWeights`; the events and the trained weights. */
async function train(project: Project, loadProjectWeights: JobHost['loadProjectWeights']) {
  const events: TrainingEvent[] = [];
  const result = await runTrainingJob(
    { runId: 'r', project },
    {
      selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'test', attempts: [] } }),
      loadData: async () => data(),
      ...(loadProjectWeights ? { loadProjectWeights } : {}),
      emit: (e) => events.push(e),
      control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
    },
  );
  expect(result.status, result.error).toBe('completed');
  const firstBatch = events.find((e): e is Extract<TrainingEvent, { type: 'batch' }> => e.type === 'batch' && e.epoch === 0 && e.batch === 0)!;
  const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
  return { firstLoss: firstBatch.loss, logs, weightData: new Uint8Array(result.artifacts!.weightData as ArrayBuffer) };
}

const asBuffer = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

describe('projectWeightsLoader (the page side of the job host)', () => {
  it('decodes the bytes the engine handed over as the Node host decodes the file', async () => {
    const model = importedModel();
    const { project, bytes } = await importedProject(model);
    const load = projectWeightsLoader(project, asBuffer(bytes))!;
    const fromPage = await load();
    const fromNode = await readProjectWeights(project);
    expect(Object.keys(fromPage)).toEqual(['hidden', 'out']);
    for (const node of Object.keys(fromNode)) {
      expect(fromPage[node].map((w) => [w.name, w.shape, Array.from(w.values)])).toEqual(fromNode[node].map((w) => [w.name, w.shape, Array.from(w.values)]));
    }
    model.dispose();
  });

  it('is absent without weights, and fails naming the file when the bytes are missing or do not fit', async () => {
    const model = importedModel();
    const { project, bytes } = await importedProject(model);
    expect(projectWeightsLoader({ ...project, weights: undefined }, undefined)).toBeUndefined();
    await expect(projectWeightsLoader(project, undefined)!()).rejects.toThrow(/The weights file .*imported\.weights\.bin of the project did not reach the page that trains/);
    await expect(projectWeightsLoader(project, asBuffer(bytes.subarray(4)))!()).rejects.toThrow(/imported\.weights\.bin holds \d+ bytes but the project's list of weights needs/);
    model.dispose();
  });
});

describe('a run that starts from the handed-over weights', () => {
  it("sees the imported model's predictions in its first batch, and trains as the Node host does", async () => {
    const model = importedModel();
    const { project, bytes } = await importedProject(model);
    const page = await train(project, projectWeightsLoader(project, asBuffer(bytes)));
    // The imported model's loss on the training split: the first batch, before any step.
    const expected = tf.tidy(() => {
      const probabilities = model.predict(tf.tensor2d(x.subarray(0, TRAIN * FEATURES), [TRAIN, FEATURES])) as tf.Tensor;
      const ofLabel = tf.sum(tf.mul(probabilities, tf.oneHot(tf.tensor1d(y.subarray(0, TRAIN), 'int32'), CLASSES)), 1);
      return tf.neg(tf.mean(tf.log(ofLabel))).dataSync()[0];
    });
    expect(page.firstLoss).toBeCloseTo(expected, 5);
    expect(page.logs.some((m) => m.startsWith("Starting from the project's trained weights (4 weights)"))).toBe(true);
    expect(page.logs.some((m) => /cannot be read here/.test(m))).toBe(false);

    const node = await train(project, () => readProjectWeights(project));
    expect(page.firstLoss).toBe(node.firstLoss);
    expect(Buffer.from(page.weightData).equals(Buffer.from(node.weightData))).toBe(true);

    // Fresh weights (what the page did before): another first batch.
    const fresh = await train({ ...project, weights: undefined }, undefined);
    expect(Math.abs(fresh.firstLoss - expected)).toBeGreaterThan(0.05);
    model.dispose();
  }, 120_000);
});

describe('the engine hands the weights to the page', () => {
  const tinyData = async () => data();

  it('browser mode: meta gives their size and a binary route their bytes', async () => {
    const model = importedModel();
    const { project, bytes } = await importedProject(model, 'browser');
    const bridge = new ComputeBridge({ loadData: tinyData });
    const run = bridge.start(project, () => undefined);
    const plain = bridge.start({ ...project, weights: undefined }, () => undefined);
    const server = http.createServer((req, res) => {
      void bridge.handleHttp(req, res, new URL(req.url!, 'http://x').pathname).then((handled) => handled || res.writeHead(418).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = (runId: string) => `http://127.0.0.1:${(server.address() as { port: number }).port}/compute/${runId}`;
    try {
      const meta = await (await fetch(`${base(run.runId)}/meta`)).json();
      expect(meta.projectWeightBytes).toBe(bytes.byteLength);
      const served = new Uint8Array(await (await fetch(`${base(run.runId)}/project-weights`)).arrayBuffer());
      expect(Buffer.from(served).equals(Buffer.from(bytes))).toBe(true);
      expect((await (await fetch(`${base(plain.runId)}/meta`)).json()).projectWeightBytes).toBeUndefined();
      expect((await fetch(`${base(plain.runId)}/project-weights`)).status).toBe(404);
    } finally {
      bridge.disposeAll();
      await new Promise((r) => server.close(r));
      model.dispose();
    }
  });

  it('desktop app: the job carries them as an ArrayBuffer', async () => {
    const model = importedModel();
    const { project, bytes } = await importedProject(model, 'desktop');
    const jobs: ComputeJob[] = [];
    const host: ComputeHost = {
      probe: async () => ({ available: true, backend: 'webgl', device: 'GPU (WebGL via Chromium: Test GPU)', attempts: [{ name: 'webgl', ok: true }] }),
      run(job) {
        jobs.push(job);
        return { command: () => undefined, close: () => undefined };
      },
    };
    const bridge = new ComputeBridge({ host, loadData: tinyData });
    try {
      bridge.start(project, () => undefined);
      await expect.poll(() => jobs.length, { timeout: 30_000 }).toBe(1);
      expect(jobs[0].projectWeights).toBeInstanceOf(ArrayBuffer);
      expect(Buffer.from(jobs[0].projectWeights!).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      bridge.disposeAll();
      model.dispose();
    }
  });

  it('fails the run, naming the file, when the weights file is gone', async () => {
    const model = importedModel();
    const { project } = await importedProject(model, 'gone');
    await fs.rm(project.weights!.file);
    const bridge = new ComputeBridge({ loadData: tinyData });
    const result = await bridge.start(project, () => undefined).done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/The weights file .*gone\.weights\.bin of the project is not there/);
    model.dispose();
  });
});
