/**
 * "Is this layer learning?" kept with the run: every `norms` event becomes a line of the run's norms.ndjson, read back
 * as the charts' points (the same numbers the page charted live), through the engine's runs.norms; runs recorded
 * before runs kept norms read as none; a resumed run drops the norms of epochs after its checkpoint; the compute page's
 * reported events (zod-validated) store the same line as the Node worker's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunRecorder, RunStore, RUN_FORMAT_VERSION, NORMS_FILE } from '../../main/node/runs';
import { Engine, EngineError } from '../../main/node/engine';
import { parseProject, type Project } from '../../main/core/project';
import { ReportedTrainingEventSchema, type EpochMetrics, type TrainingEvent } from '../../main/core/api/contract';
import { MAX_NORM_POINTS, normPointOf, normRecordLine, parseNormRecords, thinNormPoints } from '../../main/core/training/normHistory';

const ROOT = path.resolve(__dirname, '../..');

function smallProject(): Project {
  const p = parseProject(readFileSync(path.join(ROOT, 'templates/mnist-mlp.json'), 'utf8'));
  p.name = 'Tiny';
  return p;
}

type NormsEvent = Extract<TrainingEvent, { type: 'norms' }>;
const norms = (runId: string, epoch: number, batch: number, grad = 0.1 * (epoch + 1)): NormsEvent => ({
  type: 'norms',
  runId,
  epoch,
  batch,
  batchesPerEpoch: 4,
  layers: [
    { layer: 'dense_1', weight: 2 + epoch, grad, update: 0.001 },
    { layer: 'dense_2', weight: 1, grad: 0, update: 0 },
  ],
});
const epochMetrics = (e: number): EpochMetrics => ({ epoch: e, loss: 1 - e * 0.1, acc: 0.5 });

describe('norms kept with the run', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'neurowire-run-norms-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('records each norms event and reads them back as the charts drew them, through runs.norms', async () => {
    const engine = new Engine({ host: 'browser', dataDir: path.join(tmp, 'engine') });
    const store = engine.runStore;
    const id = 'with-norms';
    const events = [norms(id, 0, 1), norms(id, 0, 3), norms(id, 1, 1), norms(id, 1, 3, Number.POSITIVE_INFINITY)];
    const r = new RunRecorder(store, id, smallProject());
    for (const e of events.slice(0, 2)) r.event(e);
    r.event(norms('another-run', 0, 0)); // not this run's
    r.event({ type: 'epoch', runId: id, metrics: epochMetrics(0), progress: 0.5, etaSec: 1 });
    for (const e of events.slice(2)) r.event(e);
    await r.finish({ status: 'completed', epochsCompleted: 1 });

    const lines = readFileSync(path.join(store.dir, id, NORMS_FILE), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect((await store.get(id)).summary.format).toBe(RUN_FORMAT_VERSION);

    const { runId, points } = (await engine.dispatch('runs.norms', { runId: id })) as { runId: string; points: ReturnType<typeof normPointOf>[] };
    expect(runId).toBe(id);
    // What the page charted live from the events, but an overflowed norm (JSON has no Infinity) comes back as NaN.
    const live = events.map(normPointOf);
    expect(points.map((p) => p.x)).toEqual([0.5, 1, 1.5, 2]);
    expect(points.slice(0, 3)).toEqual(live.slice(0, 3));
    expect(points[3].layers[0].grad).toBeNaN();
    expect(points[3].layers[1]).toEqual(live[3].layers[1]);

    // A line torn by a crash is skipped; the others still read.
    await fs.appendFile(path.join(store.dir, id, NORMS_FILE), '{"epoch":2,"batch":1,"batchesPerEp');
    expect((await store.norms(id)).map((p) => p.x)).toEqual([0.5, 1, 1.5, 2]);

    await expect(engine.dispatch('runs.norms', { runId: '../etc' })).rejects.toThrow(/not a run id/);
    const missing = await engine.dispatch('runs.norms', { runId: 'no-such-run' }).catch((e: EngineError) => e);
    expect(missing).toBeInstanceOf(EngineError);
    expect((missing as EngineError).code).toBe('not_found');
    await engine.dispose();
  });

  it('reads a run recorded before runs kept norms (format 1, no norms.ndjson) as having none', async () => {
    const store = new RunStore(path.join(tmp, 'old'), () => undefined);
    const dir = path.join(store.dir, 'old-run');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(smallProject()));
    await fs.writeFile(
      path.join(dir, 'summary.json'),
      JSON.stringify({ runId: 'old-run', projectName: 'Tiny', startedMs: 1, endedMs: 2, status: 'completed', epochsCompleted: 1, backend: 'cpu', datasetName: 'mnist', hasModel: false }),
    );
    await fs.writeFile(path.join(dir, 'metrics.ndjson'), JSON.stringify(epochMetrics(0)) + '\n');
    expect(await store.norms('old-run')).toEqual([]);
    const details = await store.get('old-run');
    expect(details.summary.format).toBeUndefined();
    expect(details.history).toHaveLength(1);
  });

  it('drops the norms of epochs after the checkpoint a run resumes from', async () => {
    const store = new RunStore(path.join(tmp, 'resume'), () => undefined);
    const id = 'resumed';
    const project = smallProject();
    const r = new RunRecorder(store, id, project);
    for (const e of [norms(id, 0, 3), norms(id, 1, 3), norms(id, 2, 1)]) r.event(e);
    await r.finish({ status: 'failed', error: 'cut off', epochsCompleted: 2 });
    await store.reopen({ runId: id, project, startEpoch: 1, history: [epochMetrics(0)], weights: { weightSpecs: [], weightData: new ArrayBuffer(0) } });
    await store.appendNorms(id, norms(id, 1, 1));
    expect((await store.norms(id)).map((p) => p.x)).toEqual([1, 1.5]);
  });

  it('stores the same line for an event the compute page reports (validated by the contract) as for the Node worker', () => {
    const event = norms('page-run', 3, 2);
    const reported = ReportedTrainingEventSchema.parse(JSON.parse(JSON.stringify(event))) as NormsEvent;
    expect(normRecordLine(reported)).toBe(normRecordLine(event));
    expect(parseNormRecords(normRecordLine(reported))).toEqual([normPointOf(event)]);
  });

  it('thins a long run to the charts’ limit, oldest first, keeping the latest measurements', () => {
    const many = Array.from({ length: 2500 }, (_, i) => normPointOf(norms('long', Math.floor(i / 4), i % 4)));
    const thin = thinNormPoints(many);
    expect(thin.length).toBeLessThanOrEqual(MAX_NORM_POINTS);
    expect(thin.length).toBeGreaterThan(MAX_NORM_POINTS / 2);
    expect(thin[thin.length - 1]).toBe(many[many.length - 1]);
    expect(thin.every((p, i) => i === 0 || p.x > thin[i - 1].x)).toBe(true);
    // Read back from the log, a long run keeps the very points the page kept adding them live one by one.
    let live: ReturnType<typeof normPointOf>[] = [];
    const events = Array.from({ length: 2500 }, (_, i) => norms('long', Math.floor(i / 4), i % 4));
    for (const e of events) live = thinNormPoints([...live, normPointOf(e)]);
    expect(parseNormRecords(events.map(normRecordLine).join(''))).toEqual(live);
  });
});
