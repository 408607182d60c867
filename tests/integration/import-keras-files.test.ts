/**
 * Importing Keras's own files with their weights: a Keras 2 `.h5` and a Keras 3 `.keras` archive. No Keras (nor
 * h5py) is on these machines, so the fixtures are written here with h5wasm, in the layout Keras's savers write
 * (keras/src/legacy/saving/legacy_h5_format.py: model_config + model_weights/<layer>/<weight_names>;
 * keras/src/saving/saving_lib.py: config.json + model.weights.h5 with layers/<snake_case class>/vars/<i>), from a
 * tfjs model whose predictions the imported project must give.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as h5wasm from 'h5wasm';
import { zipSync, strToU8 } from 'fflate';
import { importKerasModel } from '../../main/core/import/keras';
import { kerasSnakeCase } from '../../main/core/import/kerasH5';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { compileGraph } from '../../main/core/compile';
import { setNodeWeights } from '../../main/core/nodeWeights';
import { readModelFile } from '../../main/node/kerasFiles';
import { parseProject } from '../../main/core/project';
import { mulberry32 } from '../../main/core/random';

const root = path.resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli');

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCustomLayers(tf);
});

let written = 0;
/** An HDF5 file built by `build`, as bytes. */
async function h5File(build: (file: h5wasm.File) => void): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const name = `/fixture-${written++}.h5`;
  const file = new h5wasm.File(name, 'w');
  build(file);
  file.close();
  const bytes = FS!.readFile(name) as Uint8Array;
  FS!.unlink(name);
  return bytes;
}

/** A dataset at a path below `group`, making the groups on the way (as h5py does). */
function putDataset(group: h5wasm.Group, datasetPath: string, weight: tf.LayerVariable): void {
  const parts = datasetPath.split('/');
  let at = group;
  for (const part of parts.slice(0, -1)) at = (at.get(part) as h5wasm.Group | null) ?? at.create_group(part);
  at.create_dataset({ name: parts.at(-1)!, data: weight.read().dataSync() as Float32Array, shape: weight.shape as number[] });
}

const RNN = new Set(['LSTM', 'GRU', 'SimpleRNN']);

/** What tfjs writes as the model's topology: a Keras 2 model config. */
async function topologyOf(model: tf.LayersModel): Promise<Record<string, unknown>> {
  let topology: unknown;
  await model.save(tf.io.withSaveHandler(async (a) => ((topology = a.modelTopology), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return topology as Record<string, unknown>;
}

/** A Keras 2 model.save('model.h5'). */
async function kerasH5(model: tf.LayersModel): Promise<Uint8Array> {
  const topology = await topologyOf(model);
  return h5File((file) => {
    file.create_attribute('keras_version', '2.15.0');
    file.create_attribute('backend', 'tensorflow');
    file.create_attribute('model_config', JSON.stringify({ class_name: topology.class_name, config: topology.config }));
    const weights = file.create_group('model_weights');
    weights.create_attribute('layer_names', model.layers.map((l) => l.name));
    for (const layer of model.layers) {
      const group = weights.create_group(layer.name);
      if (!layer.weights.length) continue;
      // Keras 2 names a variable by its layer's scope and, in an RNN, its cell's: "lstm/lstm_cell/kernel:0".
      const cell = RNN.has(layer.getClassName()) ? `/${kerasSnakeCase(layer.getClassName())}_cell` : '';
      const names = layer.weights.map((w) => `${layer.name}${cell}/${w.originalName.slice(layer.name.length + 1)}:0`);
      group.create_attribute('weight_names', names);
      layer.weights.forEach((w, i) => putDataset(group, names[i], w));
    }
  });
}

/** A Keras 3 model.save('model.keras'): config.json, metadata.json and model.weights.h5 in a zip. */
async function kerasArchive(model: tf.LayersModel): Promise<Uint8Array> {
  const topology = await topologyOf(model);
  const used = new Map<string, number>();
  const weightsH5 = await h5File((file) => {
    const layers = file.create_group('layers');
    for (const layer of model.layers) {
      const base = kerasSnakeCase(layer.getClassName());
      const seen = used.get(base);
      used.set(base, seen === undefined ? 0 : seen + 1);
      const group = layers.create_group(seen === undefined ? base : `${base}_${seen + 1}`);
      if (layer.getClassName() === 'Bidirectional') {
        // Its two RNNs are attributes forward_layer and backward_layer, their variables their cells'.
        const half = layer.weights.length / 2;
        for (const [side, list] of [['forward_layer', layer.weights.slice(0, half)], ['backward_layer', layer.weights.slice(half)]] as const) {
          const vars = group.create_group(side).create_group('cell').create_group('vars');
          list.forEach((w, i) => putDataset(vars, String(i), w));
        }
        continue;
      }
      // An RNN's variables are its cell's.
      const owner = RNN.has(layer.getClassName()) ? group.create_group('cell') : group;
      const vars = owner.create_group('vars');
      layer.weights.forEach((w, i) => putDataset(vars, String(i), w));
    }
  });
  const config = { module: 'keras', class_name: topology.class_name, config: topology.config, registered_name: null };
  return zipSync({
    'metadata.json': strToU8(JSON.stringify({ keras_version: '3.6.0', date_saved: '2026-11-29@00:00:00' })),
    'config.json': strToU8(JSON.stringify(config)),
    'model.weights.h5': weightsH5,
  });
}

function randomize(model: tf.LayersModel, seed: number): void {
  const random = mulberry32(seed);
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape as number[];
      return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (w.name.includes('variance') ? 0.5 + random() : random() - 0.5)), shape);
    }),
  );
}

const MODELS: [string, () => tf.LayersModel, () => tf.Tensor][] = [
  [
    'Conv2D + BatchNormalization + Dense',
    () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, activation: 'relu' }),
          tf.layers.batchNormalization(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 4, activation: 'relu' }),
          tf.layers.dense({ units: 2 }),
        ],
      }),
    () => tf.randomUniform([3, 6, 6, 1], -1, 1, 'float32', 1),
  ],
  [
    'Embedding + LSTM + GRU',
    () =>
      tf.sequential({
        layers: [tf.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 5 }), tf.layers.lstm({ units: 3, returnSequences: true }), tf.layers.gru({ units: 3 }), tf.layers.dense({ units: 1 })],
      }),
    () => tf.tensor2d([[1, 2, 3, 4, 5], [11, 0, 7, 7, 2]], [2, 5], 'float32'),
  ],
  [
    'Bidirectional LSTM',
    () => tf.sequential({ layers: [tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) as tf.RNN, inputShape: [4, 2] }), tf.layers.dense({ units: 2 })] }),
    () => tf.randomUniform([3, 4, 2], -1, 1, 'float32', 4),
  ],
];

async function predictionsMatch(file: string, original: tf.LayersModel, input: tf.Tensor): Promise<number> {
  const read = await readModelFile(file);
  const result = importKerasModel(read.json, read.weights);
  if ('unknown' in result) throw new Error(JSON.stringify(result.unknown));
  expect(result.weights?.unused).toEqual([]);
  const copy = compileGraph(tf, result.project.graph);
  setNodeWeights(tf, copy, result.project.graph, result.weights!.byNode);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(copy.predict(input) as tf.Tensor, original.predict(input) as tf.Tensor))).dataSync()[0]);
  copy.dispose();
  return diff;
}

describe('Keras files with their weights', () => {
  it.each(MODELS)('%s: a Keras 2 .h5 and a Keras 3 .keras give the original predictions', async (_label, make, input) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-keras-files-'));
    const original = make();
    randomize(original, 13);
    const x = input();
    await fs.writeFile(path.join(dir, 'model.h5'), await kerasH5(original));
    await fs.writeFile(path.join(dir, 'model.keras'), await kerasArchive(original));
    expect(await predictionsMatch(path.join(dir, 'model.h5'), original, x)).toBeLessThanOrEqual(1e-5);
    expect(await predictionsMatch(path.join(dir, 'model.keras'), original, x)).toBeLessThanOrEqual(1e-5);
    x.dispose();
    original.dispose();
    await fs.rm(dir, { recursive: true });
  }, 120_000);

  it('npm run import reads a .keras archive and says which weights it kept; a broken file is named', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-keras-cli-'));
    const original = MODELS[0][1]();
    await fs.writeFile(path.join(dir, 'classifier.keras'), await kerasArchive(original));
    const run = (args: string[]) => spawnSync(process.execPath, [tsxCli, 'main/node/cli/import.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    const r = run([path.join(dir, 'classifier.keras')]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Weights kept: 10 weights of 4 layers/);
    const project = parseProject(await fs.readFile(path.join(dir, 'classifier.neurowire'), 'utf8'));
    expect(project.weights?.file).toBe('classifier.weights.bin');
    await fs.access(path.join(dir, 'classifier.weights.bin'));

    await fs.writeFile(path.join(dir, 'broken.h5'), 'not hdf5');
    const broken = run([path.join(dir, 'broken.h5')]);
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/broken\.h5: it is not a readable HDF5 file/);
    original.dispose();
    await fs.rm(dir, { recursive: true });
  }, 240_000);
});
