import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fs, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, EngineError } from '../../main/node/engine';
import type { RunDetails, RunSummary, TrainingEvent } from '../../main/core/api/contract';
import type { Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');

describe('run history through the engine', () => {
  let dataDir: string;
  let engine: Engine;
  const events: TrainingEvent[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-runs-engine-'));
    engine = new Engine({ host: 'browser', dataDir, templatesDir: path.join(ROOT, 'templates') });
    engine.onEvent((event, payload) => {
      if (event === 'training') events.push(payload as TrainingEvent);
    });
  });
  afterAll(async () => {
    await engine?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('records a 1-epoch MNIST run, lists it, keeps it across an engine restart and exports it from disk', async () => {
    const project = JSON.parse(readFileSync(path.join(ROOT, 'templates/mnist-mlp.json'), 'utf8')) as Project;
    project.training.epochs = 1;
    const { runId } = (await engine.dispatch('training.start', { project })) as { runId: string };
    expect(runId).toMatch(/^[A-Za-z0-9-]+$/);

    // While it trains the run is on disk already, as running.
    const early = (await engine.dispatch('runs.list', {})) as RunSummary[];
    expect(early.map((r) => [r.runId, r.status])).toEqual([[runId, 'running']]);

    const result = await engine.waitForRun(runId);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    const done = events.find((e) => e.type === 'done');
    expect(done).toMatchObject({ runId, status: 'completed', hasModel: true });
    const started = events.find((e): e is Extract<TrainingEvent, { type: 'started' }> => e.type === 'started')!;

    const list = (await engine.dispatch('runs.list', {})) as RunSummary[];
    expect(list).toHaveLength(1);
    const summary = list[0];
    expect(summary).toMatchObject({ runId, projectName: 'MNIST MLP', datasetName: 'mnist', status: 'completed', epochsCompleted: 1, hasModel: true, backend: started.backend.name });
    expect(summary.endedMs).toBeGreaterThanOrEqual(summary.startedMs);
    expect(summary.test!.acc).toBeGreaterThan(0.8);
    expect(summary.test).toEqual(result.test);
    expect(summary.best).toMatchObject({ epoch: 0 });

    const details = (await engine.dispatch('runs.get', { runId })) as RunDetails;
    expect(details.summary).toEqual(summary);
    expect(details.history).toHaveLength(1);
    expect(details.history[0]).toEqual(result.history[0]);
    expect(details.config.training.epochs).toBe(1);
    expect(details.config.name).toBe('MNIST MLP');
    expect(details.evaluation, "the trainer sent no 'evaluation' event, so the run has no evaluation").not.toBeNull();
    const confusion = details.evaluation!.classification!.confusion;
    expect(confusion).toHaveLength(10);
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(started.testSamples);
    expect(details.evaluation!.samples).toBe(started.testSamples);

    // A new engine on the same data folder (the app restarted) still has the run, and exports it from disk.
    const again = new Engine({ host: 'browser', dataDir, templatesDir: path.join(ROOT, 'templates') });
    try {
      expect(((await again.dispatch('runs.list', {})) as RunSummary[]).map((r) => [r.runId, r.status])).toEqual([[runId, 'completed']]);
      const out = path.join(dataDir, 'exported');
      const exported = (await again.dispatch('export.run', { runId, dir: out })) as { dir: string; files: string[] };
      expect(exported.dir).toBe(out);
      expect(exported.files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'project.neurowire.json']));
      const modelJson = JSON.parse(await fs.readFile(path.join(out, 'model.json'), 'utf8'));
      expect(modelJson.modelTopology.config.layers.map((l: { name: string }) => l.name)).toEqual(['input_1', 'flatten_1', 'dense_1', 'dense_2']);
      const weights = await fs.readFile(path.join(out, 'weights.bin'));
      const inRun = await fs.readFile(path.join(dataDir, 'runs', runId, 'model', 'weights.bin'));
      expect(weights.equals(inRun)).toBe(true);
      expect(weights.byteLength).toBe((784 * 128 + 128 + 128 * 10 + 10) * 4);
      // checkpointEveryEpoch defaults to true: the trainer's onCheckpoint wrote epoch 0.
      expect(existsSync(path.join(dataDir, 'runs', runId, 'checkpoints', 'epoch-0', 'model.json'))).toBe(true);
      expect(existsSync(path.join(dataDir, 'runs', runId, 'checkpoints', 'epoch-0', 'weights.bin'))).toBe(true);

      // Run ids are checked before any path is built.
      for (const bad of ['../runs', '..', 'a/b']) {
        for (const [method, params] of [
          ['runs.get', { runId: bad }],
          ['runs.delete', { runId: bad }],
          ['export.run', { runId: bad }],
        ] as const) {
          const err = await again.dispatch(method, params).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(EngineError);
          expect((err as EngineError).code).toBe('invalid_params');
        }
      }
      const missing = await again.dispatch('runs.get', { runId: 'no-such-run' }).catch((e: unknown) => e);
      expect((missing as EngineError).code).toBe('not_found');

      expect(await again.dispatch('runs.delete', { runId })).toEqual({ deleted: true });
      expect(existsSync(path.join(dataDir, 'runs', runId))).toBe(false);
      expect(await again.dispatch('runs.list', {})).toEqual([]);
      const gone = await again.dispatch('export.run', { runId }).catch((e: unknown) => e);
      expect((gone as EngineError).code).toBe('not_found');
    } finally {
      await again.dispose();
    }
  });
});
