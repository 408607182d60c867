/**
 * RunModels, the one loader of a run's model (Try, Inside, export): a second use does not load again, the least
 * recently used model is disposed when the cache is full (its tensors freed), a run whose files changed is loaded
 * again, a deleted run is refused, and a model in use is only disposed once that use ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunRecorder, RunStore, RunStoreError } from '../../main/node/runs';
import { captureArtifacts } from '../../main/node/export';
import { loadRunModel, RunModels, type RunModelLoader } from '../../main/node/runModel';
import { parseProject } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');

describe('RunModels', () => {
  let tmp: string;
  let store: RunStore;
  const sample = tf.tensor2d([[0.1, -0.2, 0.3]]);

  async function recordRun(runId: string, seed: number): Promise<void> {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed }) })] });
    const artifacts = await captureArtifacts(model);
    model.dispose();
    const project = parseProject(readFileSync(path.join(ROOT, 'templates/mnist-mlp.json'), 'utf8'));
    const r = new RunRecorder(store, runId, project);
    await r.finish({ status: 'completed', epochsCompleted: 1, artifacts });
  }

  /** The real loader, counting loads and disposals per run. */
  function counting() {
    const loads: string[] = [];
    const disposed: string[] = [];
    const load: RunModelLoader = async (s, runId) => {
      loads.push(runId);
      const m = await loadRunModel(s, runId);
      const dispose = m.model.dispose.bind(m.model);
      m.model.dispose = () => {
        disposed.push(runId);
        return dispose();
      };
      return m;
    };
    return { loads, disposed, load };
  }

  const predict = (m: { model: tf.LayersModel }) => Array.from((m.model.predict(sample) as tf.Tensor).dataSync());
  const flush = () => new Promise((r) => setTimeout(r, 0));

  beforeAll(async () => {
    await tf.setBackend('cpu');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'neurowire-run-models-'));
    store = new RunStore(path.join(tmp, 'runs'), () => undefined);
    await recordRun('run-a', 1);
    await recordRun('run-b', 2);
    await recordRun('run-c', 3);
  });
  afterAll(() => {
    sample.dispose();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads a run once: the second use gets the same model, with the saved model’s outputs', async () => {
    const { loads, load } = counting();
    const models = new RunModels(store, { load });
    const first = await models.use('run-a', (m) => ({ model: m.model, out: predict(m) }));
    const second = await models.use('run-a', (m) => ({ model: m.model, out: predict(m) }));
    expect(loads).toEqual(['run-a']);
    expect(second.model).toBe(first.model);
    const saved = await tf.loadLayersModel(tf.io.fromMemory(await store.loadArtifacts('run-a')));
    expect(first.out).toEqual(Array.from((saved.predict(sample) as tf.Tensor).dataSync()));
    saved.dispose();
    models.clear();
  });

  it('keeps a bounded number of models and disposes (frees the tensors of) the least recently used', async () => {
    const { loads, disposed, load } = counting();
    const models = new RunModels(store, { capacity: 2, load });
    const before = tf.memory().numTensors;
    await models.use('run-a', () => undefined);
    const perModel = tf.memory().numTensors - before;
    expect(perModel).toBeGreaterThan(0);
    await models.use('run-b', () => undefined);
    await models.use('run-a', () => undefined); // a is now the most recently used
    await models.use('run-c', () => undefined);
    await flush();
    expect(loads).toEqual(['run-a', 'run-b', 'run-c']);
    expect(disposed).toEqual(['run-b']);
    expect(models.kept()).toEqual(['run-a', 'run-c']);
    expect(tf.memory().numTensors - before).toBe(2 * perModel);
    models.clear();
    await flush();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('loads a run again when its model files change, and refuses a deleted run', async () => {
    const { loads, disposed, load } = counting();
    const models = new RunModels(store, { load });
    await models.use('run-c', () => undefined);
    // The model written again (as a resumed run's end does): a newer modification time.
    const weights = path.join(store.dir, 'run-c', 'model', 'weights.bin');
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(weights, later, later);
    await models.use('run-c', () => undefined);
    await flush();
    expect(loads).toEqual(['run-c', 'run-c']);
    expect(disposed).toEqual(['run-c']);

    await store.delete('run-c');
    const gone = await models.use('run-c', () => undefined).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(RunStoreError);
    expect((gone as RunStoreError).code).toBe('not_found');
    await flush();
    expect(disposed).toEqual(['run-c', 'run-c']);
    expect(models.kept()).toEqual([]);
  });

  it('disposes a model dropped while in use only when that use ends; a failed load is not kept', async () => {
    const { disposed, load } = counting();
    let failNext = true;
    const models = new RunModels(store, {
      load: (s, runId) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('disk unreadable'));
        }
        return load(s, runId);
      },
    });
    await expect(models.use('run-a', () => undefined)).rejects.toThrow('disk unreadable');
    let finish!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const inUse = models.use('run-a', (m) => {
      started();
      return new Promise<number[]>((r) => (finish = () => r(predict(m))));
    });
    await running;
    models.clear();
    await flush();
    expect(disposed).toEqual([]);
    finish();
    expect(await inUse).toHaveLength(2); // the model still worked after it was dropped
    await flush();
    expect(disposed).toEqual(['run-a']);
  });
});
