/**
 * Runs generated projects for real: `tsx train.ts` in a folder of its own, as a person would after `npm install`.
 * Each must train, print its test score, and save a model that loads back with the app's parameter count.
 * NEUROWIRE_EPOCHS / NEUROWIRE_MAX_SAMPLES (honoured by every generated train.ts) keep the runs short.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { generateTypeScriptProject } from '../../main/core/codegen/typescript';
import { compileGraph } from '../../main/node/compiler';
import { DatasetChoiceSchema, TrainingConfigSchema, emptyProject, type Project } from '../../main/core/project';

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

function run(dir: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX_CLI, 'train.ts'], {
      cwd: dir,
      env: { ...process.env, NEUROWIRE_EPOCHS: '2', NEUROWIRE_MAX_SAMPLES: '400' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000); // a safety net: three of these train at once on a possibly busy machine
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
        'text',
        chain(
          'Reviews',
          [
            ['in', 'Input', 'input_1', { shape: [10] }],
            ['emb', 'Embedding', 'embedding_1', { inputDim: 30, outputDim: 8 }],
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
    // All three train at once: each is a separate Node process.
    for (const [id, p] of projects) {
      const dir = path.join(tmp, id);
      mkdirSync(dir);
      for (const [name, text] of Object.entries(generateTypeScriptProject(p))) writeFileSync(path.join(dir, name), text);
      runs.set(id, run(dir));
    }
  }, 20_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  for (const id of ['spirals', 'csv', 'text']) {
    it(`${id}: train.ts exits 0, prints the test score and saves a model that loads back`, async () => {
      const [, p, score] = projects.find(([name]) => name === id)!;
      const result = await runs.get(id)!;
      expect(result.code, result.out).toBe(0);
      expect(result.out).toMatch(/Epoch 1\/2 {2}loss \d/);
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
      if (id === 'csv') expect(result.out).toMatch(/rows of .*insects\.csv were not used/);
    }, 180_000);
  }
});
