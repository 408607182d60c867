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

const ROOT = path.resolve(__dirname, '../..');
const spirals = (): Project => parseProject(readFileSync(path.join(ROOT, 'templates/spirals-mlp.json'), 'utf8'));
const epoch = (e: number): EpochMetrics => ({ epoch: e, loss: 1 - e * 0.1, acc: 0.5 + e * 0.1, valLoss: 1.05 - e * 0.1, valAcc: 0.45 + e * 0.1 });

function dense(units: number): tf.LayersModel {
  const m = tf.sequential({ name: 'm' });
  m.add(tf.layers.dense({ name: 'hidden', units, inputShape: [2], activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
  return m;
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

  it('refuses a run with no finished epoch, and one another live process is still recording (the app lists it as running)', async () => {
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
  });
});
