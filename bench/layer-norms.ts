/**
 * What the per-layer norms ("is this layer learning?", core/training/layerNorms.ts) cost: training samples/s of the
 * same runs with and without them, alternated so that load on the machine hits both alike. Small CNN and MLP on
 * seeded random 28×28 digits-sized data, on the engine's best backend.
 *
 *   npx tsx bench/layer-norms.ts [rounds]
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { selectBackend } from '../main/node/backend';
import { runTrainingLoop } from '../main/core/training/loop';
import type { Batch, SplitData, TrainingData } from '../main/core/training/types';
import type { DatasetInfo } from '../main/core/datasets';
import type { TrainingEvent } from '../main/core/api/contract';
import { TrainingConfigSchema } from '../main/core/project';
import { mulberry32 } from '../main/core/random';

const SAMPLES = 2048;
const SIDE = 28;
const CLASSES = 10;

function data(): TrainingData {
  const r = mulberry32(1);
  const size = SIDE * SIDE;
  const x = Float32Array.from({ length: SAMPLES * size }, () => r());
  const y = Int32Array.from({ length: SAMPLES }, () => Math.floor(r() * CLASSES));
  const split = (count: number): SplitData => ({
    count,
    labels: y.slice(0, count),
    getBatch(indices: ArrayLike<number>): Batch {
      const n = indices.length;
      const bx = new Float32Array(n * size);
      const by = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        bx.set(x.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
        by[i] = y[indices[i]];
      }
      return { x: bx, y: by, count: n };
    },
  });
  const info: DatasetInfo = {
    id: 'bench', name: 'Bench digits', description: '', inputShape: [SIDE, SIDE, 1], inputDType: 'float32', task: 'classification', numClasses: CLASSES,
    classNames: Array.from({ length: CLASSES }, (_, i) => String(i)), outputSize: CLASSES, totalSamples: SAMPLES, available: true,
  };
  return { info, train: split(SAMPLES), validation: split(0), test: split(0) };
}

const MODELS: Record<string, (tf: typeof tfTypes) => tfTypes.LayersModel> = {
  'small CNN (conv 8 → pool → dense 10)': (tf) =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
      ],
    }),
  'MLP (784 → 128 → 10)': (tf) =>
    tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [SIDE, SIDE, 1] }), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dense({ units: CLASSES, activation: 'softmax' })],
    }),
};

async function samplesPerSec(tf: typeof tfTypes, build: (tf: typeof tfTypes) => tfTypes.LayersModel, layerNorms: boolean): Promise<number> {
  const model = build(tf);
  let sps = 0;
  const result = await runTrainingLoop({
    tf, model, data: data(), runId: 'bench', backend: { name: tf.getBackend(), device: '', attempts: [] }, layerNorms,
    config: TrainingConfigSchema.parse({ epochs: 2, batchSize: 32, learningRate: 0.001, optimizer: 'adam', seed: 1 }),
    control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
    emit: (e: TrainingEvent) => {
      if (e.type === 'batch') sps = e.samplesPerSec;
    },
  });
  model.dispose();
  if (result.status !== 'completed') throw new Error(result.error);
  return sps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const { tf, info } = await selectBackend();
  console.log(`Backend: ${info.device} (${info.name}); ${SAMPLES} samples × 2 epochs, batch 32; ${rounds} alternated rounds.`);
  for (const [name, build] of Object.entries(MODELS)) {
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < rounds; i++) {
      off.push(await samplesPerSec(tf, build, false));
      on.push(await samplesPerSec(tf, build, true));
    }
    const a = median(off);
    const b = median(on);
    console.log(`${name}: without norms ${a.toFixed(0)} samples/s, with norms ${b.toFixed(0)} samples/s (${(((b - a) / a) * 100).toFixed(1)} %); runs ${off.map((v) => v.toFixed(0)).join('/')} vs ${on.map((v) => v.toFixed(0)).join('/')}`);
  }
}

void main();
