import { describe, it, expect, beforeAll } from 'vitest';
import { promises as fs, readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunStore, RunStoreError, METRICS_FILE, SUMMARY_FILE, type StoredRunSummary } from '../../main/node/runs';
import { captureArtifacts } from '../../main/node/export';
import { parseProject, type Project } from '../../main/core/project';
import { loadCheckpointWeights, resumeMismatch } from '../../main/core/training/resume';
import type { EpochMetrics } from '../../main/core/api/contract';
import { runTrainingJob, type JobHost } from '../../main/core/training/job';
import { mulberry32 } from '../../main/core/random';
import type { Batch, SplitData, TrainingData } from '../../main/core/training/types';
import type { OptimizerState, ResumePoint } from '../../main/core/training/resume';
import type { DatasetInfo } from '../../main/core/datasets';

const ROOT = path.resolve(__dirname, '../..');
const spirals = (): Project => parseProject(readFileSync(path.join(ROOT, 'templates/spirals-mlp.json'), 'utf8'));
const epoch = (e: number): EpochMetrics => ({ epoch: e, loss: 1 - e * 0.1, acc: 0.5 + e * 0.1, valLoss: 1.05 - e * 0.1, valAcc: 0.45 + e * 0.1 });

function dense(units: number): tf.LayersModel {
  const m = tf.sequential({ name: 'm' });
  m.add(tf.layers.dense({ name: 'hidden', units, inputShape: [2], activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
  return m;
}

/** Two noisy blobs in 2-D, split 200 / 50 / 50. */
function blobData(): TrainingData {
  const n = 300;
  const r = mulberry32(7);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    x[2 * i] = (y[i] ? 1 : -1) + (r() - 0.5) * 2;
    x[2 * i + 1] = r() - 0.5;
  }
  const split = (from: number, to: number): SplitData => ({
    count: to - from,
    labels: y.slice(from, to),
    getBatch(indices): Batch {
      const ix = Array.from(indices, (k) => from + k);
      return { x: Float32Array.from(ix.flatMap((k) => [x[2 * k], x[2 * k + 1]])), y: Int32Array.from(ix, (k) => y[k]), count: ix.length };
    },
  });
  const info: DatasetInfo = { id: 'blobs', name: 'Blobs', description: '', task: 'classification', inputShape: [2], inputDType: 'float32', numClasses: 2, classNames: ['a', 'b'], outputSize: 2, totalSamples: n, available: true };
  return { info, train: split(0, 200), validation: split(200, 250), test: split(250, 300) };
}

interface Checkpoint {
  artifacts: tf.io.ModelArtifacts;
  optimizer: OptimizerState;
}

/** Trains the spirals network on the blobs with Adam (whose moments are state) on tfjs's cpu backend. */
async function trainBlobs(resume?: ResumePoint): Promise<{ history: EpochMetrics[]; checkpoints: Map<number, Checkpoint> }> {
  const project = spirals();
  project.training = { ...project.training, epochs: 3, batchSize: 16, optimizer: 'adam', learningRate: 0.01 };
  const checkpoints = new Map<number, Checkpoint>();
  const host: JobHost = {
    selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'cpu', attempts: [] } }),
    loadData: async () => blobData(),
    emit: () => undefined,
    control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
    onCheckpoint: async (e, _best, capture, captureOptimizer) => void checkpoints.set(e, { artifacts: await capture(), optimizer: await captureOptimizer() }),
  };
  const result = await runTrainingJob({ runId: 'blobs', project, ...(resume ? { resume } : {}) }, host);
  expect(result.status, result.error).toBe('completed');
  return { history: result.history, checkpoints };
}

async function refusal(p: Promise<unknown>): Promise<RunStoreError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RunStoreError);
  return e as RunStoreError;
}

describe('resume', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('accepts the same project under another name and layout; names what differs otherwise', () => {
    const trained = spirals();
    const moved = { ...spirals(), name: 'Renamed', graph: { ...trained.graph, nodes: trained.graph.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })) } };
    expect(resumeMismatch(trained, moved)).toBeNull();

    const wider = spirals();
    wider.graph.nodes[2].params.units = 64;
    expect(resumeMismatch(trained, wider)).toBe(`the network differs from the one the run trained (layer ${trained.graph.nodes[2].name}: params.units was 32, now 64)`);

    const otherSplit = { ...spirals(), dataset: { ...trained.dataset, splitSeed: trained.dataset.splitSeed + 1 } };
    expect(resumeMismatch(trained, otherSplit)).toMatch(/^the data differs from what the run trained on \(dataset\.splitSeed was \d+, now \d+\)$/);

    const longer = { ...spirals(), training: { ...trained.training, epochs: trained.training.epochs + 5 } };
    expect(resumeMismatch(trained, longer)).toBe(`the training options differ from the run's (training.epochs was ${trained.training.epochs}, now ${trained.training.epochs + 5})`);
  });

  it('a run resumed from the checkpoint of epoch 1 trains epochs 2 and 3 as the uninterrupted run did (to float32 rounding); without the optimizer state it would not', async () => {
    const whole = await trainBlobs();
    expect(whole.history.map((m) => m.epoch)).toEqual([0, 1, 2]);
    const first = whole.checkpoints.get(0)!;
    const resumed = await trainBlobs({ startEpoch: 1, history: whole.history.slice(0, 1), weights: first.artifacts, optimizer: first.optimizer });
    // Same weights, the same Adam moments and step count, the same batch order: the same numbers, but for float32
    // rounding (tfjs rebuilds Adam's β^t as a power where the uninterrupted run multiplied it step by step).
    expect(resumed.history[0]).toEqual(whole.history[0]);
    expect(resumed.checkpoints.has(0)).toBe(false);
    const apart = (a: EpochMetrics[]) => Math.max(...a.slice(1).flatMap((m, i) => [m.loss, m.valLoss!].map((v, j) => Math.abs(v / [whole.history[i + 1].loss, whole.history[i + 1].valLoss!][j] - 1))));
    expect(apart(resumed.history)).toBeLessThan(1e-5);
    // Without the optimizer's state (an older checkpoint) it still resumes, but Adam starts over: other numbers.
    const afresh = await trainBlobs({ startEpoch: 1, history: whole.history.slice(0, 1), weights: first.artifacts });
    expect(afresh.history[0]).toEqual(whole.history[0]);
    expect(apart(afresh.history)).toBeGreaterThan(1e-3);
  });

  it("sets a network's weights from a checkpoint of the same network, and refuses another network's by name", async () => {
    const saved = dense(4);
    const checkpoint = await captureArtifacts(saved);
    const fresh = dense(4);
    loadCheckpointWeights(tf, fresh, checkpoint);
    const want = saved.getWeights().map((w) => Array.from(w.dataSync()));
    expect(fresh.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(want);
    expect(() => loadCheckpointWeights(tf, dense(8), checkpoint)).toThrow(/^The checkpoint does not fit the network: hidden\/kernel is \[2, 8\] but the checkpoint's hidden\/kernel is \[2, 4\]\.$/);
  });

  it('continues a cut-off run from its last checkpoint, dropping the metrics of an epoch that has none', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-resume-'));
    const before = new RunStore(dir);
    const id = 'cut-off';
    const project = { ...spirals(), training: { ...spirals().training, epochs: 4 } };
    const weights = await captureArtifacts(dense(4));
    await before.create(project, id, 'cpu');
    await before.appendEpoch(id, epoch(0));
    await before.saveCheckpoint(id, 0, weights, true);
    await before.appendEpoch(id, epoch(1));
    await before.saveCheckpoint(id, 1, weights, true);
    await before.appendEpoch(id, epoch(2)); // killed before epoch 3's checkpoint was written

    const after = new RunStore(dir);
    const point = await after.resumePoint(id);
    expect(point).toMatchObject({ runId: id, startEpoch: 2, history: [epoch(0), epoch(1)] });
    expect(point.project.training.epochs).toBe(4);
    expect(new Uint8Array(point.weights.weightData as ArrayBuffer)).toEqual(new Uint8Array(weights.weightData as ArrayBuffer));

    const reopened = await after.reopen(point);
    expect(reopened).toMatchObject({ status: 'running', epochsCompleted: 2, resumes: [{ startEpoch: 2 }] });
    const lines = (await fs.readFile(path.join(dir, id, METRICS_FILE), 'utf8')).split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l))).toEqual([epoch(0), epoch(1)]);
    await after.appendEpoch(id, epoch(2));
    await after.appendEpoch(id, epoch(3));
    const done = await after.finish(id, { status: 'completed', epochsCompleted: 4 });
    expect(done).toMatchObject({ status: 'completed', epochsCompleted: 4, best: { epoch: 3 } });
    expect(done.pid).toBeUndefined();
    expect((await after.get(id)).history.map((m) => m.epoch)).toEqual([0, 1, 2, 3]);

    expect((await refusal(after.resumePoint(id))).message).toBe(`Run ${id} is complete (4 epochs); there is nothing to resume.`);
    expect((await refusal(after.resumePoint('nothing-here'))).code).toBe('not_found');
  });

  it('refuses a run with no finished epoch, and one another live process is still recording (the app lists it as running and will not delete it)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-resume-'));
    const first = new RunStore(dir);
    await first.create(spirals(), 'no-epoch', 'cpu');
    expect((await refusal(new RunStore(dir).resumePoint('no-epoch'))).message).toMatch(/has no checkpoint to resume from/);

    await first.create(spirals(), 'elsewhere', 'cpu');
    await first.appendEpoch('elsewhere', epoch(0));
    await first.saveCheckpoint('elsewhere', 0, await captureArtifacts(dense(4)), true);
    // As if another process (here: our parent, which is alive) were recording it.
    const file = path.join(dir, 'elsewhere', SUMMARY_FILE);
    const summary = JSON.parse(await fs.readFile(file, 'utf8')) as StoredRunSummary;
    await fs.writeFile(file, JSON.stringify({ ...summary, pid: process.ppid }));
    const other = new RunStore(dir);
    expect((await other.list()).find((r) => r.runId === 'elsewhere')).toMatchObject({ status: 'running', epochsCompleted: 1 });
    const busy = await refusal(other.resumePoint('elsewhere'));
    expect(busy.code).toBe('busy');
    expect(busy.message).toContain(`process ${process.ppid}`);
    expect((await refusal(other.delete('elsewhere'))).message).toBe(`Run elsewhere is still training in another process (${process.ppid}); stop it before deleting it.`);
  });
});
