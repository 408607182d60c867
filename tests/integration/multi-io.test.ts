import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics, TrainingEvent } from '../../main/core/api/contract';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { DatasetChoiceSchema, emptyProject, parseProject, serializeProject, TrainingConfigSchema, type Project } from '../../main/core/project';
import { mulberry32 } from '../../main/core/random';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { targetOf } from '../../main/core/datasets';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { encodeText } from '../../main/node/datasets/text';
import { Engine } from '../../main/node/engine';
import { datasetToBuffers } from '../../main/node/computeBridge';
import { splitArray, splitMeta, toTrainingData } from '../../main/core/api/compute';
import { fileSystemLoadHandler } from '../../main/node/export';

/**
 * Two Inputs and two outputs through the real job (the Node worker) and export: a table whose class is named
 * only in a short text and whose value follows only from two numbers. Each output can learn its target only
 * through its own binding, so a wrong binding leaves the class at chance or the value at the mean.
 */

function layer(id: string, kind: string, params: Record<string, unknown> = {}) {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}

const COLORS = ['red', 'green', 'blue'];
const FILLER = ['the', 'a', 'quick', 'note', 'about', 'item', 'today', 'small', 'box'];
const SEQUENCE = 6;

async function writeTable(rows: number): Promise<string> {
  const rand = mulberry32(11);
  const lines = ['a,b,note,kind,value'];
  for (let i = 0; i < rows; i++) {
    const a = rand() * 4 - 2;
    const b = rand() * 4 - 2;
    const color = COLORS[Math.floor(rand() * 3)];
    const words = Array.from({ length: 3 + Math.floor(rand() * 3) }, () => FILLER[Math.floor(rand() * FILLER.length)]);
    words.splice(Math.floor(rand() * (words.length + 1)), 0, color.toUpperCase());
    const value = 3 * a - 2 * b + (rand() - 0.5) * 0.2;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},"${words.join(' ')}",${color},${value.toFixed(4)}`);
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-multiio-'));
  const file = path.join(dir, 'things.csv');
  await fs.writeFile(file, lines.join('\n') + '\n');
  return file;
}

function twoByTwo(file: string): Project {
  const nodes = [
    layer('numbers', 'Input', { shape: [2] }),
    layer('words', 'Input', { shape: [SEQUENCE] }),
    layer('embedding_1', 'Embedding', { inputDim: 50, outputDim: 8 }),
    layer('pool_1', 'GlobalAveragePooling1D'),
    layer('dense_1', 'Dense', { units: 16, activation: 'relu' }),
    layer('concat_1', 'Concatenate'),
    layer('dense_2', 'Dense', { units: 32, activation: 'relu' }),
    layer('kind_out', 'Dense', { units: 3, activation: 'linear' }),
    layer('value_out', 'Dense', { units: 1, activation: 'linear' }),
  ];
  const wires: [string, string][] = [
    ['words', 'embedding_1'], ['embedding_1', 'pool_1'], ['numbers', 'dense_1'], ['dense_1', 'concat_1'], ['pool_1', 'concat_1'],
    ['concat_1', 'dense_2'], ['dense_2', 'kind_out'], ['dense_2', 'value_out'],
  ];
  return {
    ...emptyProject('Two by two'),
    graph: { nodes, edges: wires.map(([source, target], i) => ({ id: `e${i}`, source, target })) },
    dataset: DatasetChoiceSchema.parse({
      source: {
        type: 'csv', path: file, labelColumn: 'kind',
        inputs: [
          { type: 'columns', node: 'numbers', columns: ['a', 'b'] },
          { type: 'text', node: 'words', column: 'note', vocabSize: 50, sequenceLength: SEQUENCE },
        ],
        targets: [
          { node: 'kind_out', column: 'kind' },
          { node: 'value_out', column: 'value', task: 'regression' },
        ],
      },
      validationFraction: 0.1, testFraction: 0.2, splitSeed: 5,
    }),
    training: TrainingConfigSchema.parse({
      epochs: 25, batchSize: 32, learningRate: 0.01, optimizer: 'adam', seed: 3,
      outputs: [{ node: 'kind_out', fromLogits: true }, { node: 'value_out', lossWeight: 0.5 }],
    }),
  };
}

describe('several inputs and outputs', () => {
  it('reads a bound table into one part per Input and per output, and the analysis accepts the bound network', async () => {
    const project = twoByTwo(await writeTable(120));
    const preview = await inspectDataset(project.dataset.source);
    expect(preview.info.inputs?.map((i) => [i.node, i.shape, i.dtype])).toEqual([['numbers', [2], 'float32'], ['words', [SEQUENCE], 'int32']]);
    expect(preview.info.outputs?.map((o) => [o.node, o.task, o.numClasses])).toEqual([['kind_out', 'classification', 3], ['value_out', 'regression', 0]]);
    expect(analyzeGraph(project.graph, targetOf(preview.info), project.training.outputs).valid).toBe(true);

    // An output left unbound is named, with what to do.
    const oneTarget = { ...project.dataset.source, targets: [{ node: 'kind_out', column: 'kind', task: 'auto' as const }] };
    const unbound = analyzeGraph(project.graph, targetOf((await inspectDataset(oneTarget)).info), project.training.outputs);
    expect(unbound.valid).toBe(false);
    expect(unbound.nodes.value_out.errors).toEqual([
      'value_out ends the network but predicts no column of things.csv. Choose its target under Outputs in the Dataset panel, or connect it onward (or delete it).',
    ]);

    const data = await openDataset(project.dataset);
    const batch = await data.train.getBatch([0, 1, 2]);
    expect(batch.xs?.map((x) => x.constructor.name)).toEqual(['Float32Array', 'Int32Array']);
    expect(batch.xs?.[1].length).toBe(3 * SEQUENCE);
    expect(batch.ys?.map((y) => y.constructor.name)).toEqual(['Int32Array', 'Float32Array']);

    // The browser GPU page gets every part: as buffers over a port (structured clone) or as x, x1, y, y1 over HTTP.
    const buffers = structuredClone(await datasetToBuffers(data));
    const meta = splitMeta(buffers.train, data.info);
    expect(meta.parts).toEqual({ xs: ['float32', 'int32'], ys: ['int32', 'float32'] });
    expect(splitArray(buffers.train, 'x1')).toBe(buffers.train.xs![1]);
    expect(splitArray(buffers.train, 'y2')).toBeUndefined();
    const onPage = toTrainingData(buffers);
    const indices = [5, 0, data.train.count - 1];
    const [here, there] = [await data.train.getBatch(indices), await onPage.train.getBatch(indices)];
    expect(there.xs).toEqual(here.xs);
    expect(there.ys).toEqual(here.ys);
  });

  it('trains both outputs through the real job, and the export reloads with the same predictions', async () => {
    const file = await writeTable(900);
    const project = twoByTwo(file);
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-multiio-data-'));
    const engine = new Engine({ host: 'electron', dataDir });
    try {
      const events: TrainingEvent[] = [];
      const off = engine.onEvent((name, payload) => name === 'training' && events.push(payload as TrainingEvent));
      const { runId } = (await engine.dispatch('training.start', { project })) as { runId: string };
      const result = await engine.waitForRun(runId);
      off();
      expect(result.status, result.error).toBe('completed');

      // Per-output detail in the epoch events; the single-output fields keep their meaning.
      const epochs = events.filter((e): e is Extract<TrainingEvent, { type: 'epoch' }> => e.type === 'epoch').map((e) => e.metrics);
      const last: EpochMetrics = epochs[epochs.length - 1];
      expect(last.outputs?.map((o) => o.name)).toEqual(['kind_out', 'value_out']);
      const [kind, value] = last.outputs!;
      expect(last.acc).toBe(kind.acc);
      expect(last.loss).toBeGreaterThan(0);
      expect(last.valLoss!).toBeCloseTo(kind.valLoss! + 0.5 * value.valLoss!, 4);
      expect(value.mae).toBeDefined();

      // Each output learned its own target: far above chance (1/3) and far below predicting the mean.
      const evaluation = events.find((e): e is Extract<TrainingEvent, { type: 'evaluation' }> => e.type === 'evaluation')!.report;
      const [kindReport, valueReport] = evaluation.outputs!;
      expect(kindReport.name).toBe('kind_out');
      expect(kindReport.classification!.accuracy).toBeGreaterThan(0.85);
      const data = await openDataset(project.dataset);
      const truths = (await data.test.getBatch(Array.from({ length: data.test.count }, (_, i) => i))).ys![1] as Float32Array;
      const mean = truths.reduce((s, v) => s + v, 0) / truths.length;
      const baseline = truths.reduce((s, v) => s + Math.abs(v - mean), 0) / truths.length;
      expect(valueReport.regression!.mae).toBeLessThan(baseline * 0.35);
      // Confidences are probabilities although the class output gives logits.
      for (const g of kindReport.gallery) expect(g.confidence!).toBeLessThanOrEqual(1);

      // Export: preprocessing.json describes each input and output.
      const dir = path.join(dataDir, 'export');
      await engine.dispatch('export.run', { runId, dir });
      const pre = JSON.parse(await fs.readFile(path.join(dir, 'preprocessing.json'), 'utf8')) as {
        inputs: { layer: string; preprocessing: { kind: string; features?: { column: string; mean: number; std: number }[]; vocabulary?: string[]; lowercase?: boolean } }[];
        outputs: { layer: string; target: string; task: string; classNames: string[] }[];
      };
      expect(pre.inputs.map((i) => [i.layer, i.preprocessing.kind])).toEqual([['numbers', 'tabular'], ['words', 'text']]);
      expect(pre.outputs.map((o) => [o.layer, o.target, o.task])).toEqual([['kind_out', 'kind', 'classification'], ['value_out', 'value', 'regression']]);
      // The generated model.ts builds both Inputs and both outputs.
      expect(await fs.readFile(path.join(dir, 'code', 'model.ts'), 'utf8')).toContain('return tf.model({ inputs: [numbers, words], outputs: [kindOut, valueOut]');
      // The project saved with the export keeps the text Input's vocabulary, so it reopens to the same tokens.
      const saved = parseProject(await fs.readFile(path.join(dir, 'project.neurowire.json'), 'utf8'));
      const words = saved.dataset.source.type === 'csv' ? saved.dataset.source.inputs[1] : undefined;
      expect(words?.type === 'text' && words.vocabulary).toEqual(pre.inputs[1].preprocessing.vocabulary);

      // Raw rows → model inputs by preprocessing.json alone, then the reloaded model: the trained model's predictions.
      const raw = (await fs.readFile(file, 'utf8')).trim().split('\n').slice(1, 201).map((line) => /^([^,]+),([^,]+),"([^"]*)",([^,]+),(.+)$/.exec(line)!);
      const [numbersPre, wordsPre] = pre.inputs.map((i) => i.preprocessing);
      const nums = tf.tensor2d(raw.map((m) => numbersPre.features!.map((f, k) => (Number(m[k + 1]) - f.mean) / f.std)));
      const vocab = new Map(wordsPre.vocabulary!.map((w, i) => [w, i]));
      const ids = new Int32Array(raw.length * SEQUENCE);
      raw.forEach((m, r) => encodeText(m[3], vocab, SEQUENCE, wordsPre.lowercase!, ids, r * SEQUENCE));
      const tokens = tf.tensor2d(ids, [raw.length, SEQUENCE], 'int32');
      const reloaded = await tf.loadLayersModel(fileSystemLoadHandler(path.join(dir, 'model.json')));
      const trained = await tf.loadLayersModel(tf.io.fromMemory(result.artifacts!));
      const inputsOf = (m: tf.LayersModel) => m.inputs.map((i) => (i.sourceLayer.name === 'numbers' ? nums : tokens));
      const outs = (m: tf.LayersModel) => (m.predict(inputsOf(m)) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
      const [a, b] = [outs(reloaded), outs(trained)];
      expect(reloaded.outputNames).toEqual(trained.outputNames);
      for (let k = 0; k < a.length; k++) for (let r = 0; r < raw.length; r++) for (let j = 0; j < a[k][r].length; j++) expect(a[k][r][j]).toBeCloseTo(b[k][r][j], 5);
      // And those predictions are right: the class from the text, the value from the numbers.
      const kindIndex = reloaded.outputNames.indexOf('kind_out');
      const classes = pre.outputs[0].classNames;
      const correct = raw.filter((m, r) => classes[a[kindIndex][r].indexOf(Math.max(...a[kindIndex][r]))] === m[4]).length;
      expect(correct / raw.length).toBeGreaterThan(0.85);
      const valueError = raw.reduce((s, m, r) => s + Math.abs(a[1 - kindIndex][r][0] - Number(m[5])), 0) / raw.length;
      expect(valueError).toBeLessThan(baseline * 0.35);
    } finally {
      await engine.dispose();
    }
  }, 240_000);

  it('trains from the command line, printing each output', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-multiio-cli-'));
    const file = path.join(dir, 'two-by-two.json');
    // The project names a file elsewhere; --dataset points at this copy and the bindings stay.
    await fs.writeFile(file, serializeProject(twoByTwo('/elsewhere/things.csv')));
    const table = await writeTable(300);
    const args = [file, '--dataset', table, '--label', 'kind', '--epochs', '2', '--backend', 'cpu', '--out', path.join(dir, 'out')];
    const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main/node/cli/train.ts', ...args], {
      cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 180_000, env: { ...process.env, NEUROWIRE_HOME: path.join(dir, 'home') },
    });
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/epoch 2: loss [\d.]+ acc [\d.]+/);
    expect(out).toMatch(/ {2}kind_out: loss [\d.]+ acc [\d.]+ {2}val_loss [\d.]+ val_acc [\d.]+/);
    expect(out).toMatch(/ {2}value_out: loss [\d.]+ mae [\d.]+ {2}val_loss [\d.]+ val_mae [\d.]+/);
    expect(out).toMatch(/ {2}value_out: test loss [\d.]+ MAE [\d.]+ R²/);
    expect(await fs.readdir(path.join(dir, 'out'))).toEqual(expect.arrayContaining(['model.json', 'preprocessing.json']));
  }, 200_000);
});
