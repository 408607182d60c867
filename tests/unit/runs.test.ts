import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fs, existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunStore, RunStoreError, RunRecorder, CRASHED_RUN_ERROR, checkRunId } from '../../main/node/runs';
import { captureArtifacts } from '../../main/node/export';
import { parseProject, type Project } from '../../main/core/project';
import type { EpochMetrics } from '../../main/core/api/contract';
import type { EvaluationReport } from '../../main/core/metrics';

const ROOT = path.resolve(__dirname, '../..');

function smallProject(): Project {
  const p = parseProject(readFileSync(path.join(ROOT, 'templates/mnist-mlp.json'), 'utf8'));
  p.name = 'Tiny';
  return p;
}

const epoch = (e: number, loss = 1 - e * 0.1): EpochMetrics => ({ epoch: e, loss, acc: 0.5 + e * 0.1, valLoss: loss + 0.05, valAcc: 0.45 + e * 0.1 });

const evaluation: EvaluationReport = {
  task: 'classification',
  samples: 4,
  loss: 0.3,
  classification: {
    accuracy: 0.75,
    classNames: ['a', 'b'],
    confusion: [
      [2, 0],
      [1, 1],
    ],
    perClass: [
      { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
      { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
    ],
    macroF1: 0.7333,
  },
  gallery: [],
};

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a RunStoreError ${code}`).toBeInstanceOf(RunStoreError);
  expect((err as RunStoreError).code).toBe(code);
}

describe('RunStore', () => {
  let tmp: string;
  let model: tf.LayersModel;
  let artifacts: tf.io.ModelArtifacts;
  let logs: string[];
  const store = (dir = 'runs') => new RunStore(path.join(tmp, dir), (m) => logs.push(m));

  beforeAll(async () => {
    await tf.setBackend('cpu');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'neurowire-runs-'));
    model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })] });
    artifacts = await captureArtifacts(model);
  });
  afterAll(() => {
    model?.dispose();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('records a run and reads it back: summary, history, evaluation, config and model', async () => {
    logs = [];
    const s = store('roundtrip');
    const project = smallProject();
    const id = 'run-1';
    const created = s.create(project, id, null);
    // Registered synchronously: writes queued right away land after the folder exists.
    const appends = [s.setBackend(id, 'wasm'), s.appendEpoch(id, epoch(0)), s.saveCheckpoint(id, 0, artifacts, true), s.appendEpoch(id, epoch(1))];
    expect((await created).status).toBe('running');
    await Promise.all(appends);

    const running = await s.list();
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({ runId: id, status: 'running', backend: 'wasm', epochsCompleted: 2, endedMs: null });

    const finished = await s.finish(
      id,
      { status: 'completed', epochsCompleted: 2, test: { loss: 0.3, acc: 0.75 }, stoppedEarly: true, bestEpoch: 0, artifacts, evaluation },
    );
    expect(finished).toMatchObject({ status: 'completed', hasModel: true, epochsCompleted: 2, test: { loss: 0.3, acc: 0.75 }, bestEpoch: 0, stoppedEarly: true });
    expect(finished.best).toEqual({ epoch: 0, loss: 1, acc: 0.5, valLoss: 1.05, valAcc: 0.45 });
    expect(s.isActive(id)).toBe(false);

    const dir = path.join(tmp, 'roundtrip', id);
    for (const f of ['config.json', 'summary.json', 'metrics.ndjson', 'evaluation.json', 'model/model.json', 'model/weights.bin', 'checkpoints/epoch-0/model.json', 'checkpoints/best.json']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    // No temp files or folders left behind.
    expect((await fs.readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);

    const details = await s.get(id);
    expect(details.summary).toMatchObject({ runId: id, projectName: 'Tiny', datasetName: 'mnist', status: 'completed', backend: 'wasm' });
    expect(details.summary.endedMs).toBeGreaterThanOrEqual(details.summary.startedMs);
    expect(details.history).toEqual([epoch(0), epoch(1)]);
    expect(details.evaluation).toEqual(evaluation);
    expect(details.config).toEqual(project);

    // A fresh store (the app restarted) reads the same, and the model loads and predicts identically.
    const again = store('roundtrip');
    expect((await again.list()).map((r) => r.runId)).toEqual([id]);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await again.loadArtifacts(id)));
    const x = tf.tensor2d([[0.1, -0.4, 2]]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    expect(await again.loadConfig(id)).toEqual(project);
    x.dispose();
    loaded.dispose();
    expect(logs).toEqual([]);
  });

  it('appends one NDJSON line per epoch as epochs arrive, and skips a line torn by a crash', async () => {
    logs = [];
    const s = store('ndjson');
    const id = 'ndjson-run';
    await s.create(smallProject(), id, 'cpu');
    const file = path.join(tmp, 'ndjson', id, 'metrics.ndjson');
    for (let e = 0; e < 3; e++) {
      await s.appendEpoch(id, epoch(e));
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines).toHaveLength(e + 2); // e+1 lines and the empty string after the last newline
      expect(lines[e + 1]).toBe('');
      expect(JSON.parse(lines[e])).toEqual(epoch(e));
    }
    await fs.appendFile(file, '{"epoch":3,"loss":0.'); // the app died mid-write
    expect((await s.get(id)).history).toEqual([epoch(0), epoch(1), epoch(2)]);
    await s.finish(id, { status: 'stopped', epochsCompleted: 3 });
    const [summary] = await s.list();
    expect(summary).toMatchObject({ status: 'stopped', epochsCompleted: 3, hasModel: false, best: { epoch: 2 } });
  });

  it('shows a run left "running" by a crash as failed, with the epochs and checkpoint it kept', async () => {
    logs = [];
    const before = store('crash');
    const id = 'crashed-run';
    await before.create(smallProject(), id, 'wasm');
    await before.appendEpoch(id, epoch(0));
    await before.saveCheckpoint(id, 0, artifacts, true);
    await before.appendEpoch(id, epoch(1));
    // The process dies here: no finish(). A new store is a new app start.
    const after = store('crash');
    const [summary] = await after.list();
    expect(summary).toMatchObject({ runId: id, status: 'failed', error: CRASHED_RUN_ERROR, epochsCompleted: 2, hasModel: true, best: { epoch: 0 } });
    expect(summary.endedMs).not.toBeNull();
    expect((await after.get(id)).summary.status).toBe('failed');
    // The best checkpoint stands in for the model that was never saved.
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await after.loadArtifacts(id)));
    expect(loaded.layers).toHaveLength(1);
    loaded.dispose();
    // The store that is still recording it shows it running.
    expect((await before.list())[0].status).toBe('running');
  });

  it('skips damaged run folders with a logged reason and still lists the good ones, newest first', async () => {
    logs = [];
    const s = store('damaged');
    await s.create(smallProject(), 'good-old', null);
    await s.finish('good-old', { status: 'completed', epochsCompleted: 0 });
    await new Promise((r) => setTimeout(r, 5));
    await s.create(smallProject(), 'good-new', null);
    await s.finish('good-new', { status: 'failed', epochsCompleted: 0, error: 'Training diverged' });

    const root = path.join(tmp, 'damaged');
    await fs.mkdir(path.join(root, 'no-summary'));
    await fs.mkdir(path.join(root, 'bad-json'));
    await fs.writeFile(path.join(root, 'bad-json', 'summary.json'), '{"runId": "bad-js');
    await fs.mkdir(path.join(root, 'wrong-id'));
    await fs.writeFile(path.join(root, 'wrong-id', 'summary.json'), JSON.stringify({ runId: 'other', status: 'completed', startedMs: 1, projectName: 'x', epochsCompleted: 0 }));
    await fs.mkdir(path.join(root, 'bad-status'));
    await fs.writeFile(path.join(root, 'bad-status', 'summary.json'), JSON.stringify({ runId: 'bad-status', status: 'exploded', startedMs: 1, projectName: 'x', epochsCompleted: 0 }));
    await fs.mkdir(path.join(root, 'odd name!'));
    await fs.writeFile(path.join(root, 'stray-file'), 'x');
    await fs.mkdir(path.join(root, '.deleted-leftover'));

    const list = await s.list();
    expect(list.map((r) => r.runId)).toEqual(['good-new', 'good-old']);
    expect(list[0]).toMatchObject({ status: 'failed', error: 'Training diverged' });
    const joined = logs.join('\n');
    expect(joined).toMatch(/no-summary: it has no summary\.json/);
    expect(joined).toMatch(/bad-json: its summary\.json cannot be read/);
    expect(joined).toMatch(/wrong-id: summary\.json names run "other"/);
    expect(joined).toMatch(/bad-status: summary\.json has an unknown status "exploded"/);
    expect(joined).toMatch(/odd name!: not a run folder name/);
    expect(joined).toMatch(/stray-file: not a folder/);
    expect(joined).not.toMatch(/deleted-leftover/);
    // Reasons are logged once, not on every list.
    const count = logs.length;
    await s.list();
    expect(logs).toHaveLength(count);

    await expectCode(s.get('bad-json'), 'damaged');
    await expectCode(s.get('no-such-run'), 'not_found');
    await expectCode(s.loadArtifacts('good-old'), 'no_model');
    // A missing runs folder is an empty history, not an error.
    expect(await store('never-created').list()).toEqual([]);
  });

  it('deletes a finished run, refuses one still recording', async () => {
    logs = [];
    const s = store('delete');
    await s.create(smallProject(), 'keep', null);
    await s.create(smallProject(), 'drop', null);
    await s.appendEpoch('drop', epoch(0));
    await s.saveCheckpoint('drop', 0, artifacts, false);
    await expectCode(s.delete('drop'), 'busy');
    await s.finish('drop', { status: 'completed', epochsCompleted: 1, artifacts });
    expect(await s.delete('drop')).toBe(true);
    expect(existsSync(path.join(tmp, 'delete', 'drop'))).toBe(false);
    expect(await fs.readdir(path.join(tmp, 'delete'))).toEqual(['keep']);
    expect((await s.list()).map((r) => r.runId)).toEqual(['keep']);
    expect(await s.delete('drop')).toBe(false);
    await expectCode(s.get('drop'), 'not_found');
  });

  it('keeps only the latest and the best checkpoint when the project does not keep every epoch', async () => {
    const s = store('prune');
    const project = smallProject();
    project.training.checkpointEveryEpoch = false;
    await s.create(project, 'p', null);
    await s.saveCheckpoint('p', 0, artifacts, true);
    await s.saveCheckpoint('p', 1, artifacts, false);
    await s.saveCheckpoint('p', 2, artifacts, false);
    expect((await fs.readdir(path.join(tmp, 'prune', 'p', 'checkpoints'))).sort()).toEqual(['best.json', 'epoch-0', 'epoch-2']);
    await s.saveCheckpoint('p', 3, artifacts, true);
    expect((await fs.readdir(path.join(tmp, 'prune', 'p', 'checkpoints'))).sort()).toEqual(['best.json', 'epoch-3']);
    await s.finish('p', { status: 'completed', epochsCompleted: 4 });
  });

  it('RunRecorder turns the trainer events, checkpoints and result into a stored run', async () => {
    logs = [];
    const s = store('recorder');
    const id = 'rec-1';
    const r = new RunRecorder(s, id, smallProject(), (m) => logs.push(m));
    const backend = { name: 'wasm', device: 'CPU (WebAssembly)', attempts: [] };
    r.event({ type: 'started', runId: id, backend, trainSamples: 10, valSamples: 2, testSamples: 4, epochs: 3, batchesPerEpoch: 1 });
    r.event({ type: 'log', runId: id, message: 'hello' });
    r.event({ type: 'epoch', runId: 'someone-else', metrics: epoch(9), progress: 0, etaSec: null }); // not this run
    r.event({ type: 'epoch', runId: id, metrics: epoch(0, 0.5), progress: 0.33, etaSec: 1 });
    const c0 = r.checkpoint(0, artifacts, true);
    r.event({ type: 'epoch', runId: id, metrics: epoch(1, 0.7), progress: 0.66, etaSec: 1 });
    const c1 = r.checkpoint(1, artifacts, false);
    r.event({ type: 'evaluation', runId: id, report: evaluation });
    r.event({ type: 'done', runId: id, status: 'completed', epochsCompleted: 2, hasModel: true, stoppedEarly: true, bestEpoch: 0, test: { loss: 0.3, acc: 0.75 } });
    await Promise.all([c0, c1]);
    await r.finish({ status: 'completed', epochsCompleted: 2, history: [epoch(0, 0.5), epoch(1, 0.7)], test: { loss: 0.3, acc: 0.75 }, artifacts });
    const d = await s.get(id);
    expect(d.summary).toMatchObject({ status: 'completed', backend: 'wasm', epochsCompleted: 2, stoppedEarly: true, bestEpoch: 0, hasModel: true, best: { epoch: 0, loss: 0.5 } });
    expect(d.history.map((h) => h.epoch)).toEqual([0, 1]);
    expect(d.evaluation).toEqual(evaluation);
    expect(existsSync(path.join(tmp, 'recorder', id, 'checkpoints', 'epoch-1', 'weights.bin'))).toBe(true);
    expect(logs).toEqual([]);

    // A run stopped in the middle of an epoch keeps where it stopped, so a reload can say what was kept.
    const stopped = new RunRecorder(s, 'rec-stop', smallProject(), (m) => logs.push(m));
    stopped.event({ type: 'done', runId: 'rec-stop', status: 'stopped', epochsCompleted: 0, hasModel: true, stoppedAt: { epoch: 1, batch: 75, batchesPerEpoch: 250 } });
    await stopped.finish({ status: 'stopped', epochsCompleted: 0, history: [], artifacts });
    expect((await s.get('rec-stop')).summary).toMatchObject({ status: 'stopped', epochsCompleted: 0, stoppedAt: { epoch: 1, batch: 75, batchesPerEpoch: 250 } });

    // A disk that refuses the run: logged once, training events are still accepted, nothing throws.
    await fs.writeFile(path.join(tmp, 'blocked'), 'a file where the runs folder should be');
    const blocked = new RunStore(path.join(tmp, 'blocked'), (m) => logs.push(m));
    const rb = new RunRecorder(blocked, 'rec-2', smallProject(), (m) => logs.push(m));
    rb.event({ type: 'epoch', runId: 'rec-2', metrics: epoch(0), progress: 1, etaSec: 0 });
    await rb.checkpoint(0, artifacts, true);
    await rb.finish({ status: 'completed', epochsCompleted: 1 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/Could not record run rec-2 in the run history/);
    expect(await blocked.list()).toEqual([]);
  });

  it('refuses run ids that could reach outside the runs folder', async () => {
    logs = [];
    const s = store('traversal');
    const outside = path.join(tmp, 'outside');
    await fs.mkdir(path.join(outside, 'model'), { recursive: true });
    await fs.writeFile(path.join(outside, 'summary.json'), '{}');
    for (const bad of ['..', '../outside', '..\\outside', 'a/b', '/etc', 'run.1', '', 'x'.repeat(200), 'run id']) {
      expect(() => checkRunId(bad), bad).toThrow(RunStoreError);
      await expectCode(s.get(bad), 'invalid_params');
      await expectCode(s.delete(bad), 'invalid_params');
      await expectCode(s.loadArtifacts(bad), 'invalid_params');
      await expectCode(s.loadConfig(bad), 'invalid_params');
      await expectCode(s.create(smallProject(), bad, null), 'invalid_params');
      await expectCode(s.appendEpoch(bad, epoch(0)), 'invalid_params');
      await expectCode(s.saveCheckpoint(bad, 0, artifacts, false), 'invalid_params');
      await expectCode(s.finish(bad, { status: 'completed', epochsCompleted: 0 }), 'invalid_params');
    }
    expect(existsSync(path.join(outside, 'summary.json'))).toBe(true);
    expect(existsSync(path.join(tmp, 'traversal'))).toBe(false);
    // A valid id that is not being recorded cannot be written to.
    await expectCode(s.appendEpoch('not-recording', epoch(0)), 'not_found');
  });
});
