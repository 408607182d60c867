/**
 * Runs generated projects for real: `tsx train.ts` in a folder of its own, as a person would after `npm install`.
 * Each must train, print its test score, and save a model that loads back with the app's parameter count.
 * NEUROWIRE_EPOCHS / NEUROWIRE_MAX_SAMPLES (honoured by every generated train.ts) keep the runs short.
 * These use the repository's node_modules; one export is installed and trained on its own, exactly as a person would
 * (`npm install && npm run train` in a folder outside the repository, which sees no node_modules but its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { generateProjectFiles } from '../../main/node/projectSources';
import { compileGraph } from '../../main/node/compiler';
import { DatasetChoiceSchema, TrainingConfigSchema, emptyProject, parseProject, type Project } from '../../main/core/project';
import { captureArtifacts, exportTrainedModel } from '../../main/node/export';
import { sourceLocations } from '../../main/node/projectSources';
import { SHIPPED_DIR } from '../../main/core/codegen/typescript';
import { registerCustomLayers } from '../../main/core/layers/custom';

const ROOT = path.resolve(__dirname, '../..');
const TSX_CLI = require.resolve('tsx/cli');

type NodeSpec = [id: string, kind: string, name: string, params?: Record<string, unknown>];

/** A chain of layers (each feeds the next). */
function chain(name: string, nodes: NodeSpec[], changes: Partial<Project>): Project {
  return {
    ...emptyProject(name),
    graph: {
      nodes: nodes.map(([id, kind, nodeName, params], i) => ({ id, kind, name: nodeName, params: params ?? {}, position: { x: i * 200, y: 0 } })),
      edges: nodes.slice(1).map(([id], i) => ({ id: `e${i}`, source: nodes[i][0], target: id })),
    },
    ...changes,
  };
}

function csvTable(rows: number): string {
  const colours = ['red', 'green', 'blue'];
  const lines = ['width,height,weight,colour,kind'];
  let s = 3;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < rows; i++) {
    const kind = i % 3;
    const width = (kind * 2 + r()).toFixed(3);
    const height = i % 17 === 4 ? 'NA' : (kind + r() * 0.5).toFixed(3);
    lines.push([width, height, (r() * 10).toFixed(2), i % 19 === 7 ? '' : colours[(kind + (i % 2)) % 3], ['ant', 'bee', 'cat'][kind]].join(','));
  }
  lines.splice(12, 0, '1.0,2.0'); // a bad row: skipped
  return lines.join('\n') + '\n';
}

function textTable(rows: number): string {
  const happy = ['great', 'lovely', 'good', 'fun', 'best'];
  const sad = ['awful', 'boring', 'bad', 'dull', 'worst'];
  const neutral = ['the', 'movie', 'plot', 'was', 'and', 'acting'];
  const lines = ['review,label'];
  let s = 5;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const pick = (list: string[]) => list[Math.floor(r() * list.length)];
  for (let i = 0; i < rows; i++) {
    const label = i % 2 ? 'positive' : 'negative';
    const words = Array.from({ length: 6 }, (_, k) => (k % 2 ? pick(neutral) : pick(label === 'positive' ? happy : sad)));
    lines.push(`"${words.join(' ')}.",${label}`);
  }
  return lines.join('\n') + '\n';
}

interface Run {
  code: number | null;
  out: string;
}

function run(dir: string, command = [process.execPath, TSX_CLI, 'train.ts'], env: Record<string, string> = { NEUROWIRE_EPOCHS: '2', NEUROWIRE_MAX_SAMPLES: '400' }, timeoutMs = 150_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: dir, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs); // a safety net on a possibly busy machine
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** tf.loadLayersModel with an IO handler reading model.json + weights.bin from disk. */
async function loadSaved(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weights = readFileSync(path.join(dir, 'weights.bin'));
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  });
}

describe('generated projects train for real', () => {
  let tmp: string;
  const projects: Array<[string, Project, RegExp]> = [];
  const runs = new Map<string, Promise<Run>>();

  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerCustomLayers(tf); // the saved text model uses Neurowire's layer classes
    mkdirSync(path.join(ROOT, '.neurowire-tmp'), { recursive: true });
    // Under the repo so that the generated code resolves @tensorflow/tfjs, papaparse… from its node_modules.
    tmp = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'codegen-run-'));
    writeFileSync(path.join(tmp, 'insects.csv'), csvTable(240));
    writeFileSync(path.join(tmp, 'reviews.csv'), textTable(200));

    projects.push(
      [
        'spirals',
        chain(
          'Spirals',
          [
            ['in', 'Input', 'input_1', { shape: [2] }],
            ['h', 'Dense', 'dense_1', { units: 16, activation: 'tanh' }],
            ['out', 'Dense', 'dense_2', { units: 2, activation: 'softmax' }],
          ],
          {
            dataset: DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'spirals', samples: 500 }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 3, stratify: true }),
            // The written-out loop: clipping, with AdamW decay, a warm-up + cosine schedule, class weights and early stopping.
            training: TrainingConfigSchema.parse({
              epochs: 20,
              batchSize: 32,
              learningRate: 0.02,
              optimizer: 'adamw',
              weightDecay: 0.01,
              seed: 1,
              gradientClip: { type: 'norm', value: 1 },
              classWeights: 'balanced',
              schedule: { type: 'cosine', warmupEpochs: 1 },
              earlyStopping: { enabled: true, patience: 1 },
              l2: 0.0001,
            }),
          },
        ),
        /Test loss \d+\.\d+ {2}test accuracy \d\.\d{4}/,
      ],
      [
        'csv',
        chain(
          'Insects',
          [
            ['in', 'Input', 'input_1', { shape: [6] }],
            ['h', 'Dense', 'dense_1', { units: 12, activation: 'relu' }],
            ['out', 'Dense', 'dense_2', { units: 3, activation: 'softmax' }],
          ],
          {
            dataset: DatasetChoiceSchema.parse({ source: { type: 'csv', path: path.join(tmp, 'insects.csv'), labelColumn: 'kind', missing: 'mean' }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 9 }),
            // model.fit with callbacks: SGD + Nesterov momentum, a step schedule, early stopping, L2, class weights.
            training: TrainingConfigSchema.parse({
              epochs: 3,
              batchSize: 16,
              learningRate: 0.05,
              optimizer: 'sgd',
              momentum: 0.9,
              nesterov: true,
              seed: 2,
              schedule: { type: 'step', stepEpochs: 1, gamma: 0.5 },
              earlyStopping: { enabled: true, patience: 2, restoreBest: true },
              l2: 0.001,
              classWeights: 'balanced',
            }),
          },
        ),
        /Test loss \d+\.\d+ {2}test accuracy \d\.\d{4}/,
      ],
      [
        'sine',
        chain(
          'Sine',
          [
            ['in', 'Input', 'input_1', { shape: [24, 1] }],
            ['flat', 'Flatten', 'flatten_1'],
            ['h', 'Dense', 'dense_1', { units: 8, activation: 'tanh' }],
            ['out', 'Dense', 'dense_2', { units: 1, activation: 'linear' }],
          ],
          {
            // Regression, split in time order: the MAE is reported instead of the accuracy.
            dataset: DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'sine', samples: 600 }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 1 }),
            training: TrainingConfigSchema.parse({ epochs: 2, batchSize: 32, learningRate: 0.01, optimizer: 'adam', seed: 4 }),
          },
        ),
        /Test loss \d+\.\d+ {2}test MAE \d+\.\d{4}/,
      ],
      [
        'text',
        chain(
          'Reviews',
          [
            ['in', 'Input', 'input_1', { shape: [10] }],
            ['emb', 'Embedding', 'embedding_1', { inputDim: 30, outputDim: 8 }],
            // Neurowire's own layer classes: model.ts defines them from the shipped modules, and the saved model names them.
            ['pos', 'PositionalEmbedding', 'positional_embedding_1', { mode: 'sinusoidal' }],
            ['enc', 'TransformerEncoder', 'transformer_encoder_1', { numHeads: 2, intermediateDim: 16 }],
            ['pool', 'GlobalAveragePooling1D', 'global_average_pooling1d_1'],
            ['out', 'Dense', 'dense_1', { units: 1, activation: 'sigmoid' }],
          ],
          {
            dataset: DatasetChoiceSchema.parse({
              source: { type: 'text', path: path.join(tmp, 'reviews.csv'), textColumn: 'review', labelColumn: 'label', vocabSize: 30, sequenceLength: 10 },
              validationFraction: 0.1,
              testFraction: 0.2,
              splitSeed: 4,
            }),
            training: TrainingConfigSchema.parse({ epochs: 2, batchSize: 16, learningRate: 0.05, optimizer: 'adam', seed: 3 }),
          },
        ),
        /Test loss \d+\.\d+ {2}test accuracy \d\.\d{4}/,
      ],
    );
    // All train at once: each is a separate Node process.
    for (const [id, p] of projects) {
      const dir = path.join(tmp, id);
      for (const [name, text] of Object.entries(generateProjectFiles(p))) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      }
      runs.set(id, run(dir));
    }
  }, 20_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  for (const id of ['spirals', 'csv', 'sine', 'text']) {
    it(`${id}: train.ts exits 0, prints the test score and saves a model that loads back`, async () => {
      const [, p, score] = projects.find(([name]) => name === id)!;
      const result = await runs.get(id)!;
      expect(result.code, result.out).toBe(0);
      expect(result.out).toMatch(id === 'sine' ? /Epoch 1\/2 {2}loss \d+\.\d+ {2}MAE \d/ : /Epoch 1\/2 {2}loss \d+\.\d+ {2}accuracy \d/);
      expect(result.out).toMatch(score);
      const saved = path.join(tmp, id, 'trained-model');
      expect(existsSync(path.join(saved, 'model.json'))).toBe(true);
      const loaded = await loadSaved(saved);
      const reference = compileGraph(tf, p.graph);
      try {
        expect(loaded.countParams()).toBe(reference.countParams());
        expect(loaded.layers.map((l) => l.name)).toEqual(reference.layers.map((l) => l.name));
      } finally {
        loaded.dispose();
        reference.dispose();
      }
      if (id === 'text') {
        const vocabulary = JSON.parse(readFileSync(path.join(saved, 'vocabulary.json'), 'utf8')) as string[];
        expect(vocabulary.slice(0, 2)).toEqual(['<pad>', '<unk>']);
        expect(vocabulary.length).toBeLessThanOrEqual(30);
      }
      if (id === 'csv') expect(result.out).toMatch(/Data problem in .*insects\.csv, line \d+/);
    }, 180_000);
  }
});

/** Every file under `dir`, relative to it, with / separators. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

describe('an exported project, installed and trained on its own', () => {
  let tmp: string;
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('ships the app\'s own modules byte for byte; npm install && npm run train trains it and saves a model that loads', async () => {
    await tf.setBackend('cpu');
    const project = parseProject(readFileSync(path.join(ROOT, 'templates/mnist-mlp.json'), 'utf8'));
    const model = compileGraph(tf, project.graph);
    const artifacts = await captureArtifacts(model);
    model.dispose();
    // Outside the repository, so nothing resolves from its node_modules.
    tmp = mkdtempSync(path.join(os.tmpdir(), 'neurowire-standalone-'));
    const { dir } = await exportTrainedModel({ project, artifacts, dir: path.join(tmp, 'export') });
    const code = path.join(dir, 'code');

    // The data and training modules are the app's files, read from both sides.
    const shipped = filesUnder(path.join(code, SHIPPED_DIR));
    expect(shipped).toEqual(expect.arrayContaining(['core/training/job.ts', 'node/datasets/index.ts', 'node/datasets/mnist.ts']));
    for (const name of shipped) {
      expect(readFileSync(path.join(code, SHIPPED_DIR, name)).equals(readFileSync(path.join(sourceLocations().main, name))), name).toBe(true);
    }

    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const install = await run(code, [npm, 'install', '--prefer-offline', '--no-audit', '--no-fund'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, 240_000);
    expect(install.code, install.out).toBe(0);
    const result = await run(code, [npm, 'run', 'train'], { NEUROWIRE_EPOCHS: '1', NEUROWIRE_MAX_SAMPLES: '300' }, 120_000);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(/Epoch 1\/1 {2}loss \d/);
    expect(result.out).toMatch(/Test loss \d+\.\d+ {2}test accuracy \d\.\d{4}/);
    const loaded = await loadSaved(path.join(code, 'trained-model'));
    const reference = compileGraph(tf, project.graph);
    try {
      expect(loaded.countParams()).toBe(reference.countParams());
    } finally {
      loaded.dispose();
      reference.dispose();
    }
  }, 400_000);
});
