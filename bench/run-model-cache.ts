/**
 * What keeping a run's model (main/node/runModel.ts, RunModels) saves Try and Inside: per prediction, loading the
 * run's model from its folder every time (as Try did) against a model kept by RunModels; and how large a line of the
 * run's norms log (core/training/normHistory.ts) is for the same network. Medians of alternating rounds, so load on the
 * machine hits both alike.
 *
 *   npx tsx bench/run-model-cache.ts [rounds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunRecorder, RunStore } from '../main/node/runs';
import { captureArtifacts } from '../main/node/export';
import { loadRunModel, RunModels } from '../main/node/runModel';
import { emptyProject } from '../main/core/project';
import { normRecordLine } from '../main/core/training/normHistory';

const ROUNDS = Number(process.argv[2] ?? 20);

const MODELS: Record<string, () => tf.LayersModel> = {
  'MLP (784 → 128 → 10)': () =>
    tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  'CNN (conv 32 → conv 64 → pool → dense 128 → 10)': () =>
    tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
        tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 128, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'neurowire-bench-run-models-'));
  const store = new RunStore(path.join(tmp, 'runs'), () => undefined);
  const sample = tf.zeros([1, 784]);
  const predict = (m: tf.LayersModel) => (m.predict(sample) as tf.Tensor).dataSync();
  console.log(`Run models: per prediction, ${ROUNDS} rounds, tfjs ${tf.getBackend()} backend, ${os.cpus()[0]?.model ?? 'CPU'} (${os.cpus().length} threads), load ${os.loadavg()[0].toFixed(1)}`);
  try {
    for (const [name, make] of Object.entries(MODELS)) {
      const model = make();
      const runId = `bench-${Object.keys(MODELS).indexOf(name)}`;
      const recorder = new RunRecorder(store, runId, emptyProject(name));
      await recorder.finish({ status: 'completed', epochsCompleted: 1, artifacts: await captureArtifacts(model) });
      const layers = model.layers.filter((l) => l.trainableWeights.length > 0).map((l) => ({ layer: l.name, weight: Math.PI, grad: Math.E / 1e3, update: 1 / 7e5 }));
      const line = normRecordLine({ type: 'norms', runId, epoch: 12, batch: 233, batchesPerEpoch: 235, layers });
      model.dispose();

      const models = new RunModels(store);
      await models.use(runId, (m) => predict(m.model)); // warm
      const reload: number[] = [];
      const kept: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        let t = performance.now();
        const m = await loadRunModel(store, runId);
        predict(m.model);
        m.model.dispose();
        reload.push(performance.now() - t);
        t = performance.now();
        await models.use(runId, (k) => predict(k.model));
        kept.push(performance.now() - t);
      }
      models.clear();
      const r = median(reload);
      const k = median(kept);
      console.log(`  ${name}: loaded each time ${r.toFixed(1)} ms, kept ${k.toFixed(2)} ms (${(r / k).toFixed(0)}×); norms log ${line.length} bytes a measurement (~${((line.length * 10) / 1024).toFixed(1)} KiB an epoch)`);
    }
  } finally {
    sample.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
