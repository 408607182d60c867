import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, EngineError } from '../../main/node/engine';
import type { CompareResult } from '../../main/core/compare';
import type { Project } from '../../main/core/project';
import { unclearReason } from '../fuzz/clearError';

const ROOT = path.resolve(__dirname, '../..');

describe('diff.compare through the engine', () => {
  let dataDir: string;
  let engine: Engine;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-compare-engine-'));
    engine = new Engine({ host: 'browser', dataDir, templatesDir: path.join(ROOT, 'templates') });
  });
  afterAll(async () => {
    await engine?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('compares two templates, and a Keras model.json with a template, giving both graphs and the diff', async () => {
    const r = (await engine.dispatch('diff.compare', { a: { type: 'template', id: 'mnist-mlp' }, b: { type: 'template', id: 'mnist-small-cnn' } })) as CompareResult;
    expect(r.a).toMatchObject({ kind: 'template', label: 'template mnist-mlp', name: 'MNIST MLP' });
    expect(r.a.graph.nodes).toHaveLength(4);
    expect(r.diff.equal).toBe(false);
    expect(r.diff.counts.added).toBeGreaterThan(0);
    expect(r.a.run).toBeUndefined();

    const model = (await engine.dispatch('diff.compare', {
      a: { type: 'file', path: path.join(ROOT, 'tests/fixtures/import/sequential-mlp.json') },
      b: { type: 'template', id: 'spirals-mlp' },
    })) as CompareResult;
    expect(model.a.kind).toBe('model');
    expect(model.a.graph.nodes.length).toBeGreaterThan(2);

    // A project given whole (the editor's open document), against the template it came from.
    const project = JSON.parse(readFileSync(path.join(ROOT, 'templates/mnist-mlp.json'), 'utf8')) as Project;
    const open = (await engine.dispatch('diff.compare', { a: { type: 'project', project }, b: { type: 'template', id: 'mnist-mlp' } })) as CompareResult;
    expect(open.a).toMatchObject({ kind: 'document', label: 'open project', name: 'MNIST MLP' });
    expect(open.diff.equal).toBe(true);
  }, 60_000);

  it('finds a trained run and the model.json exported from it the same network, with the run\u2019s final metrics', async () => {
    const project = JSON.parse(readFileSync(path.join(ROOT, 'templates/spirals-mlp.json'), 'utf8')) as Project;
    project.training.epochs = 1;
    project.dataset.source = { ...project.dataset.source, samples: 200 } as Project['dataset']['source'];
    const { runId } = (await engine.dispatch('training.start', { project })) as { runId: string };
    expect((await engine.waitForRun(runId)).status).toBe('completed');
    const exported = (await engine.dispatch('export.run', { runId, dir: path.join(dataDir, 'export') })) as { dir: string };
    const r = (await engine.dispatch('diff.compare', { a: { type: 'file', path: path.join(exported.dir, 'model.json') }, b: { type: 'run', runId } })) as CompareResult;
    expect(r.a.kind).toBe('model');
    expect(r.diff.equal).toBe(true);
    expect(r.diff.totals.after.layers).toBe(project.graph.nodes.length);
    expect(r.b.run?.summary.status).toBe('completed');
    expect(r.b.run?.history).toHaveLength(1);
  }, 300_000);

  it('refuses what cannot be compared with a clear error naming it', async () => {
    const refusal = async (a: unknown, b: unknown) => {
      try {
        await engine.dispatch('diff.compare', { a, b });
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect(unclearReason(e)).toBeNull();
        return e as EngineError;
      }
      throw new Error('not refused');
    };
    const mlp = { type: 'template', id: 'mnist-mlp' };
    const missing = await refusal({ type: 'file', path: path.join(dataDir, 'gone.neurowire') }, mlp);
    expect([missing.code, missing.message]).toEqual(['compare_source', `No file at ${path.join(dataDir, 'gone.neurowire')}.`]);
    expect((await refusal(mlp, { type: 'file', path: dataDir })).message).toContain('is a folder');
    expect((await refusal(mlp, { type: 'run', runId: 'never-ran' })).message).toBe('There is no run never-ran.');
    expect((await refusal(mlp, { type: 'template', id: 'nope' })).message).toBe('There is no template "nope".');
    const unknown = await refusal({ type: 'file', path: path.join(ROOT, 'tests/fixtures/import/unknown-layer.json') }, mlp);
    expect(unknown.message).toMatch(/unknown-layer\.json cannot be compared: .*scale \(Lambda\)/);
    const invalid = await refusal({ type: 'template', id: '../secrets' }, mlp);
    expect(invalid.code).toBe('invalid_params');
    expect((await refusal({ type: 'url', path: 'x' }, mlp)).code).toBe('invalid_params');
  }, 60_000);
});
