import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Engine, EngineError } from '../../main/node/engine';
import { openDataset } from '../../main/node/datasets';
import { DatasetChoiceSchema, emptyProject, TrainingConfigSchema, type Project } from '../../main/core/project';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import type { ModelInputs, Prediction } from '../../main/core/prediction';

function layer(id: string, kind: string, params: Record<string, unknown> = {}) {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}

describe('model.predict: one sample through a run saved by the engine', () => {
  let dataDir: string;
  let engine: Engine;
  let project: Project;
  let runId: string;
  const rows: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-predict-'));
    // Each row has a distinct id, so a training sample can be traced back to its row.
    for (let i = 0; i < 60; i++) rows.push(`${i},${['red', 'blue', 'green'][i % 3]},${(i * 7) % 13},${i % 3 === 0 ? 'yes' : 'no'}`);
    const file = path.join(dataDir, 'things.csv');
    writeFileSync(file, ['id,color,weight,label', ...rows].join('\n'));
    project = {
      ...emptyProject('Things'),
      graph: {
        nodes: [layer('input_1', 'Input', { shape: [5] }), layer('dense_1', 'Dense', { units: 6, activation: 'relu' }), layer('dense_2', 'Dense', { units: 2, activation: 'softmax' })],
        edges: [
          { id: 'e1', source: 'input_1', target: 'dense_1' },
          { id: 'e2', source: 'dense_1', target: 'dense_2' },
        ],
      },
      dataset: DatasetChoiceSchema.parse({ source: { type: 'csv', path: file, labelColumn: 'label' }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 3 }),
      training: TrainingConfigSchema.parse({ epochs: 2, batchSize: 8, learningRate: 0.01, optimizer: 'adam', seed: 1 }),
    };
    engine = new Engine({ host: 'browser', dataDir });
    ({ runId } = (await engine.dispatch('training.start', { project })) as { runId: string });
    const result = await engine.waitForRun(runId);
    expect(result.status, result.error).toBe('completed');
  }, 300_000);
  afterAll(async () => {
    await engine?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("gives the model's own output on the training tensor of the same row, from a new engine (the model on disk)", async () => {
    const again = new Engine({ host: 'browser', dataDir });
    const inputs = (await again.dispatch('model.inputs', { runId })) as ModelInputs;
    expect(inputs).toMatchObject({ kind: 'table', columns: ['id', 'color', 'weight'], outputs: [{ task: 'classification', classNames: ['no', 'yes'] }] });

    // The training split as training made it; the first sample's id column (standardized) says which row it is.
    const data = await openDataset(project.dataset);
    const batch = await data.train.getBatch([0, 1, 2]);
    const pre = data.info.preprocessing as Extract<NonNullable<typeof data.info.preprocessing>, { kind: 'tabular' }>;
    const idFeature = pre.features[0] as { mean: number; std: number };
    const model = await tf.loadLayersModel(tf.io.fromMemory(await again.runStore.loadArtifacts(runId)));
    const expected = (model.predict(tf.tensor2d(batch.x as Float32Array, [3, 5])) as tf.Tensor).arraySync() as number[][];
    for (let i = 0; i < 3; i++) {
      const id = Math.round(batch.x[i * 5] * idFeature.std + idFeature.mean);
      const row = rows[id].split(',').slice(0, 3).join(',');
      const prediction = (await again.dispatch('model.predict', { runId, sample: { type: 'row', text: row } })) as Prediction;
      expect(prediction.outputs).toHaveLength(1);
      const [out] = prediction.outputs;
      expect(out).toMatchObject({ task: 'classification', classNames: ['no', 'yes'], name: 'dense_2' });
      out.probabilities!.forEach((p, k) => expect(p).toBeCloseTo(expected[i][k], 6));
      expect(out.predicted).toBe(expected[i][1] > expected[i][0] ? 'yes' : 'no');
    }
    // Loaded once for all the predictions (and model.inputs), and kept.
    expect(again.models.kept()).toEqual([runId]);
    model.dispose();
    await again.dispose();
  }, 120_000);

  it('refuses bad samples with a message naming the field, and unknown runs', async () => {
    const call = (sample: unknown) => engine.dispatch('model.predict', { runId, sample });
    await expect(call({ type: 'row', text: '1,red' })).rejects.toThrow('Expected 3 fields (id, color, weight) but the row has 2.');
    await expect(call({ type: 'row', text: '1,purple,3' })).rejects.toThrow('Column "color": unknown category "purple"');
    await expect(call({ type: 'row', text: '1,red,heavy' })).rejects.toThrow('Column "weight": "heavy" is not a number.');
    await expect(call({ type: 'text', text: 'hello' })).rejects.toThrow('does not take a sentence');
    await expect(call({ type: 'image', name: 'x.png', dataBase64: 'AAAA' })).rejects.toThrow('does not take an image');
    await expect(call({ type: 'pixels', width: 2, height: 2, channels: 1, pixels: [1, 2, 3] })).rejects.toThrow(/pixels must hold width × height × channels values/);
    await expect(engine.dispatch('model.predict', { runId: 'no-such-run', sample: { type: 'text', text: 'x' } })).rejects.toThrow(EngineError);
    const bad = await call({ type: 'row', text: '1,purple,3' }).catch((e: EngineError) => e);
    expect((bad as EngineError).code).toBe('bad_sample');
  });
});
