import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CommandControl, resultToWire, toTrainingData } from '../../main/core/api/compute';
import type { TrainingEvent } from '../../main/core/api/contract';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { DatasetChoiceSchema, emptyProject, TrainingConfigSchema, type Project } from '../../main/core/project';
import { runTrainingJob } from '../../main/core/training/job';
import type { ComputeHost } from '../../main/node/computeBridge';
import { Engine } from '../../main/node/engine';

/**
 * The training job is one implementation: a run on the browser GPU (here a stand-in compute page that
 * hosts runTrainingJob exactly as renderer/src/compute/runner.ts does, on tfjs's cpu backend) exports
 * the same files and model metadata as a run in the Node worker.
 */

function layer(id: string, kind: string, params: Record<string, unknown> = {}) {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}

async function csvProject(): Promise<Project> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-onejob-'));
  const rows = ['size,color,kind'];
  for (let i = 0; i < 160; i++) rows.push(`${(i % 40) + 10},${i % 3 === 0 ? 'red' : 'blue'},${i % 40 < 20 ? 'small' : 'large'}`);
  const file = path.join(dir, 'things.csv');
  await fs.writeFile(file, rows.join('\n'));
  const nodes = [layer('input_1', 'Input', { shape: [3] }), layer('dense_1', 'Dense', { units: 8 }), layer('dense_2', 'Dense', { units: 2, activation: 'softmax' })];
  return {
    ...emptyProject('Things'),
    graph: { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) },
    dataset: DatasetChoiceSchema.parse({ source: { type: 'csv', path: file, labelColumn: 'kind' }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 3 }),
    training: TrainingConfigSchema.parse({ epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'adam', seed: 1 }),
  };
}

/** A compute window that runs the job in this process, as the hidden Chromium window would. */
function inProcessComputeHost(): ComputeHost {
  return {
    probe: async () => ({ available: true, backend: 'webgl', device: 'GPU (stand-in page, tfjs cpu)', attempts: [] }),
    run(job, onMessage) {
      const control = new CommandControl();
      void (async () => {
        await tf.setBackend('cpu');
        const result = await runTrainingJob(
          { runId: job.runId, project: job.project },
          {
            selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'stand-in page', attempts: [] } }),
            loadData: async () => toTrainingData(job.data),
            emit: (event) => onMessage({ kind: 'event', runId: job.runId, event }),
            control,
          },
        );
        const wire = resultToWire(tf, result);
        onMessage({ kind: 'result', runId: job.runId, result: wire.result, weightData: wire.weightData });
      })();
      return { command: (c) => control.apply(c), close: () => undefined };
    },
  };
}

async function trainAndExport(engine: Engine, project: Project, compute: 'node' | 'browser-gpu', dir: string) {
  const events: TrainingEvent[] = [];
  const off = engine.onEvent((name, payload) => name === 'training' && events.push(payload as TrainingEvent));
  const { runId } = (await engine.dispatch('training.start', { project, compute })) as { runId: string };
  const result = await engine.waitForRun(runId);
  off();
  expect(result.status, result.error).toBe('completed');
  const { files } = (await engine.dispatch('export.run', { runId, dir })) as { files: string[] };
  const modelJson = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as { userDefinedMetadata?: unknown };
  const preprocessing = JSON.parse(await fs.readFile(path.join(dir, 'preprocessing.json'), 'utf8')) as unknown;
  const types = events.filter((e) => e.runId === runId).map((e) => e.type);
  return { files: files.map((f) => path.relative(dir, path.resolve(dir, f))).sort(), modelJson, preprocessing, types, result };
}

describe('one training job', () => {
  it('a browser-GPU run exports exactly what a Node run exports: files, preprocessing.json and model.json metadata', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-onejob-data-'));
    const engine = new Engine({ host: 'electron', dataDir, computeHost: inProcessComputeHost() });
    try {
      const project = await csvProject();
      const node = await trainAndExport(engine, project, 'node', path.join(dataDir, 'node-export'));
      const gpu = await trainAndExport(engine, project, 'browser-gpu', path.join(dataDir, 'gpu-export'));

      expect(gpu.files).toEqual(node.files);
      expect(node.files).toContain('preprocessing.json');
      expect(gpu.preprocessing).toEqual(node.preprocessing);
      expect(gpu.modelJson.userDefinedMetadata).toEqual(node.modelJson.userDefinedMetadata);
      expect(node.modelJson.userDefinedMetadata).toMatchObject({ neurowire: { task: 'classification', classNames: ['large', 'small'], inputShape: [3] } });
      // The same steps, in the same order, end both runs: evaluation on the test split, then one done event.
      for (const run of [node, gpu]) {
        expect(run.types[0]).toBe('log');
        expect(run.types).toContain('started');
        expect(run.types, 'per-layer norms ("is this layer learning?") reach the page from either trainer').toContain('norms');
        expect(run.types.indexOf('evaluation')).toBeGreaterThan(run.types.lastIndexOf('epoch'));
        expect(run.types.at(-1)).toBe('done');
        expect(run.types.filter((t) => t === 'done')).toHaveLength(1);
        expect(run.result.test?.acc).toBeGreaterThan(0);
      }
    } finally {
      await engine.dispose();
    }
  }, 180_000);
});
