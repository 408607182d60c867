/**
 * The starter templates train through the engine as the app trains them (training.start → a worker → the run
 * history → export.run). Every run is bounded by epochs, never by time; seeds come from the templates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../main/node/engine';
import { withDataBeside } from '../../main/node/projectFiles';
import { openDataset } from '../../main/node/datasets';
import { parseProject, type Project } from '../../main/core/project';
import type { TrainingEvent } from '../../main/core/api/contract';
import type { TrainingResult } from '../../main/node/training/run';
import { analyzeGraph } from '../../main/core/graph/analyze';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../../main/core/compile';
import { evaluateOnTest } from '../../main/core/training/evaluate';

const ROOT = path.resolve(__dirname, '../..');
/** A template as the engine opens it: data shipped under templates/data/ is named relative to the templates folder. */
const template = (id: string): Project => withDataBeside(parseProject(readFileSync(path.join(ROOT, 'templates', `${id}.json`), 'utf8'), id), path.join(ROOT, 'templates'));

/**
 * Templates that promise an accuracy, and the least test accuracy a run with the template's own settings (its
 * epochs, seeds and data) must reach. A new template on the same data — the Transformer-encoder classifier on the
 * reviews — is one more row here.
 */
const PROMISED_ACCURACY: { template: string; minTestAccuracy: number }[] = [
  { template: 'reviews-lstm', minTestAccuracy: 0.85 },
  { template: 'reviews-transformer', minTestAccuracy: 0.85 },
  // Its first output's accuracy; the integration test multi-io.test.ts checks the value output too.
  { template: 'two-inputs-two-outputs', minTestAccuracy: 0.85 },
];
/**
 * Templates whose target is the input itself (autoencoders) promise a test reconstruction MSE: a run with the
 * template's own settings must stay under `maxTestMse`, which the same network untrained does not reach, and be
 * clearly better than always answering the mean test sample.
 */
const PROMISED_RECONSTRUCTION: { template: string; maxTestMse: number }[] = [{ template: 'mnist-autoencoder', maxTestMse: 0.03 }];

/** Test accuracy each promised template reached in this file's runs, for comparisons between them. */
const reached = new Map<string, number>();

type Started = Extract<TrainingEvent, { type: 'started' }>;

describe('templates train through the engine', () => {
  let dataDir: string;
  let engine: Engine;
  let events: TrainingEvent[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-templates-train-'));
    engine = new Engine({ host: 'browser', dataDir, templatesDir: path.join(ROOT, 'templates') });
    engine.onEvent((event, payload) => {
      if (event === 'training') events.push(payload as TrainingEvent);
    });
  });
  afterAll(async () => {
    await engine?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Trains as the app does and exports the run; the run's events, result and export folder. `batches` is the batch
   * count of the epoch as its last batch event reports it (batch events are rate-limited, so counting them would
   * depend on the machine's speed; the last batch of an epoch is always reported).
   */
  async function trainAndExport(project: Project): Promise<{ result: TrainingResult; started: Started; batches: number; exported: string; logs: string }> {
    events = [];
    const { runId } = (await engine.dispatch('training.start', { project })) as { runId: string };
    const result = await engine.waitForRun(runId);
    const mine = events.filter((e) => e.runId === runId);
    const logs = mine.flatMap((e) => (e.type === 'log' ? [e.message] : [])).join('\n');
    expect(result.error, logs).toBeUndefined();
    expect(result.status).toBe('completed');
    const exported = path.join(dataDir, `export-${runId}`);
    await engine.dispatch('export.run', { runId, dir: exported });
    const batchEvents = mine.filter((e): e is Extract<TrainingEvent, { type: 'batch' }> => e.type === 'batch');
    const last = batchEvents[batchEvents.length - 1];
    expect(last.batch + 1).toBe(last.batchesPerEpoch); // the epoch ran to its last batch
    return { result, started: mine.find((e): e is Started => e.type === 'started')!, batches: last.batchesPerEpoch, exported, logs };
  }

  const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));
  /** The exported weights hold every parameter (trainable or not) as float32. */
  const exportedParameters = async (dir: string) => (await fs.stat(path.join(dir, 'weights.bin'))).size / 4;

  it.each(PROMISED_ACCURACY)('$template reaches ≥ $minTestAccuracy test accuracy in its own epochs', async ({ template: id, minTestAccuracy }) => {
    const project = template(id);
    const { result, exported, logs } = await trainAndExport(project);
    expect(result.epochsCompleted).toBe(project.training.epochs);
    expect(result.test!.acc, logs).toBeGreaterThanOrEqual(minTestAccuracy);
    reached.set(id, result.test!.acc);
    // The description's promise is at least what this run checks.
    const promised = /(\d+(?:\.\d+)?) % test accuracy/.exec(project.description ?? '');
    expect(Number(promised![1]) / 100).toBeGreaterThanOrEqual(minTestAccuracy);
    expect(await exportedParameters(exported)).toBe(analyzeGraph(project.graph).totalParams);
  }, 600_000);

  it.each(PROMISED_RECONSTRUCTION)('$template reconstructs the test digits with MSE ≤ $maxTestMse in its own epochs; untrained it does not', async ({ template: id, maxTestMse }) => {
    const project = template(id);
    const { result, exported, logs } = await trainAndExport(project);
    expect(result.epochsCompleted).toBe(project.training.epochs);
    const reconstruction = result.evaluation!.reconstruction!;
    expect(reconstruction.mse, logs).toBeLessThanOrEqual(maxTestMse);
    // Clearly better than the mean digit (what a network that learned nothing about each sample gives).
    expect(reconstruction.mse).toBeLessThan(reconstruction.baselineMse / 2);
    expect(logs).toMatch(/Test set \(\d+ samples\): loss [\d.]+, reconstruction MSE [\d.]+, PSNR [\d.]+ dB/);
    // The documented figure is one the bound holds.
    const promised = /test MSE (\d+(?:\.\d+)?) after (\d+) epochs/i.exec(project.description ?? '');
    expect(Number(promised![1])).toBeLessThanOrEqual(maxTestMse);
    expect(Number(promised![2])).toBe(project.training.epochs);
    // The gallery holds test digits with their reconstructions.
    const item = result.evaluation!.gallery[0];
    expect(item.image!.pixels).toHaveLength(784);
    expect(item.reconstruction!.pixels).toHaveLength(784);
    // The export says what the model gives back.
    const pre = await readJson(path.join(exported, 'preprocessing.json'));
    expect(pre).toMatchObject({ task: 'reconstruction', inputShape: [28, 28, 1], outputShape: [28, 28, 1], outputSize: 784, preprocessing: { kind: 'image', scale: 1 / 255 } });

    // The same network untrained, on the same test split: far from the bound.
    const data = await openDataset(project.dataset);
    const untrained = compileGraph(tf, project.graph);
    try {
      const before = await evaluateOnTest(tf, untrained, data, 'meanSquaredError');
      expect(before.reconstruction!.mse).toBeGreaterThan(maxTestMse);
      expect(before.reconstruction!.baselineMse).toBeCloseTo(reconstruction.baselineMse, 6);
    } finally {
      untrained.dispose();
    }
  }, 600_000);

  it('the Transformer encoder reads the reviews as well as the LSTM does (within 2 points)', () => {
    // Runs after both templates above (vitest keeps the order within a file).
    expect(reached.get('reviews-transformer')).toBeGreaterThanOrEqual(reached.get('reviews-lstm')! - 0.02);
  });

  it('the sentiment LSTM exports the reviews vocabulary in preprocessing.json, as for a text CSV', async () => {
    const project = template('reviews-lstm');
    project.training.epochs = 1;
    const { exported } = await trainAndExport(project);
    const data = await openDataset(project.dataset);
    const pre = await readJson(path.join(exported, 'preprocessing.json'));
    expect(pre).toMatchObject({ task: 'classification', classNames: ['negative', 'positive'], inputShape: data.info.inputShape });
    expect(pre.preprocessing).toEqual({ kind: 'text', lowercase: true, sequenceLength: data.info.inputShape[0], padding: 'post', truncation: 'post', vocabulary: data.info.vocabulary });
  }, 600_000);

  it('the CIFAR-10 CNN trains a few steps on files in the CIFAR-10 binary format, with 167,562 parameters', async () => {
    // Two training batches and the test batch, 1 label byte + 3,072 pixel bytes (red, green, blue planes) per record.
    const dir = path.join(dataDir, 'cifar-10-batches-bin');
    await fs.mkdir(dir);
    const records = (count: number, seed: number) => {
      const bytes = Buffer.alloc(count * 3073);
      for (let r = 0; r < count; r++) {
        const label = (r + seed) % 10;
        bytes[r * 3073] = label;
        // A learnable picture: each class its own brightness per plane, with a little texture.
        for (let p = 0; p < 3072; p++) bytes[r * 3073 + 1 + p] = (label * 23 + Math.floor(p / 1024) * 40 + ((p * 7 + r) % 13)) % 256;
      }
      return bytes;
    };
    await fs.writeFile(path.join(dir, 'data_batch_1.bin'), records(48, 0));
    await fs.writeFile(path.join(dir, 'data_batch_2.bin'), records(48, 3));
    await fs.writeFile(path.join(dir, 'test_batch.bin'), records(20, 5));

    const project = template('cifar10-cnn');
    const source = project.dataset.source;
    if (source.type !== 'builtin' || source.name !== 'cifar10') throw new Error('The CIFAR-10 template must use the built-in cifar10');
    project.dataset.source = { ...source, dir };
    project.training = { ...project.training, epochs: 1, batchSize: 16 };
    const { result, started, batches, exported } = await trainAndExport(project);
    // The official split: test_batch.bin is the test set, validation comes from the training batches.
    expect(started.trainSamples + started.valSamples).toBe(96);
    expect(started.testSamples).toBe(20);
    expect(batches).toBe(Math.ceil(started.trainSamples / 16));
    expect(result.epochsCompleted).toBe(1);
    expect(Number.isFinite(result.history[0].loss)).toBe(true);
    expect(Number.isFinite(result.test!.loss)).toBe(true);
    expect(await exportedParameters(exported)).toBe(167_562);
    const model = await readJson(path.join(exported, 'model.json'));
    expect(model.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(['InputLayer', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    const pre = await readJson(path.join(exported, 'preprocessing.json'));
    expect(pre.preprocessing).toMatchObject({ kind: 'image', width: 32, height: 32, channels: 3 });
  }, 600_000);

  it('the ResNet-style CNN trains an epoch on a slice of MNIST, batch normalization statistics included', async () => {
    const project = template('mnist-resnet');
    // 1,000 training samples: a few steps of the real model and data.
    project.dataset = { ...project.dataset, validationFraction: 0.45, testFraction: 0.45 };
    project.training = { ...project.training, epochs: 1 };
    const { result, started, batches, exported } = await trainAndExport(project);
    expect(started.trainSamples).toBe(1000);
    expect(batches).toBe(Math.ceil(1000 / project.training.batchSize));
    expect(Number.isFinite(result.history[0].loss)).toBe(true);
    expect(result.test!.acc).toBeGreaterThan(0.1); // better than guessing among 10 classes
    expect(await exportedParameters(exported)).toBe(analyzeGraph(project.graph).totalParams);
    const model = await readJson(path.join(exported, 'model.json'));
    const classNames = model.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name);
    expect(classNames.filter((c: string) => c === 'Add')).toHaveLength(2);
    expect(classNames.filter((c: string) => c === 'BatchNormalization')).toHaveLength(4);
  }, 600_000);
});
