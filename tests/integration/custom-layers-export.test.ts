/**
 * Models with Neurowire's own layer classes (main/core/layers/custom) leave the app usable by plain TensorFlow.js:
 * the export folder carries neurowire-layers.js/.mjs, and a stock-tfjs client (tests/fixtures/stock-tfjs-client.mjs:
 * only `@tensorflow/tfjs` and the folder) loads the model and reproduces the app's predictions. The classic script
 * registers with a page's global `tf`; the generated model.ts builds the same classes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../../main/node/compiler';
import { captureArtifacts, exportTrainedModel, fileSystemLoadHandler } from '../../main/node/export';
import { generateProjectFiles } from '../../main/node/projectSources';
import { LAYER_LOADER_MODULE, LAYER_LOADER_SCRIPT, customClassesIn } from '../../main/node/layerLoader';
import { emptyProject, type Project } from '../../main/core/project';
import { mulberry32 } from '../../main/core/random';

const ROOT = path.resolve(__dirname, '../..');
const CLIENT = path.join(ROOT, 'tests/fixtures/stock-tfjs-client.mjs');
const run = promisify(execFile);

type NodeSpec = [id: string, kind: string, name: string, params?: Record<string, unknown>];

function graphProject(name: string, nodes: NodeSpec[], edges: Array<[string, string]>): Project {
  return {
    ...emptyProject(name),
    graph: {
      nodes: nodes.map(([id, kind, nodeName, params], i) => ({ id, kind, name: nodeName, params: params ?? {}, position: { x: i * 200, y: 0 } })),
      edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
    },
  };
}

interface CustomCase {
  project: Project;
  /** The custom classes its model.json must name. */
  classes: string[];
  /** Per-sample input shape, and a sample generator. */
  sample: number[];
  integerInputs?: number;
}

const CASES: CustomCase[] = [
  {
    // Two branches of the same input, subtracted: a difference network.
    project: graphProject(
      'difference',
      [
        ['in', 'Input', 'input_1', { shape: [6] }],
        ['a', 'Dense', 'dense_1', { units: 5, activation: 'tanh' }],
        ['b', 'Dense', 'dense_2', { units: 5, activation: 'relu' }],
        ['s', 'Subtract', 'subtract_1'],
        ['o', 'Dense', 'dense_3', { units: 3, activation: 'softmax' }],
      ],
      [['in', 'a'], ['in', 'b'], ['a', 's'], ['b', 's'], ['s', 'o']],
    ),
    classes: ['Subtract'],
    sample: [6],
  },
  {
    // A BERT-style text classifier: token ids → embedding + positions → a Transformer encoder block → pooled → classes.
    project: graphProject(
      'transformer-text',
      [
        ['in', 'Input', 'input_1', { shape: [12] }],
        ['emb', 'Embedding', 'embedding_1', { inputDim: 20, outputDim: 16 }],
        ['pos', 'PositionalEmbedding', 'positional_embedding_1', { mode: 'learned', maxLength: 12 }],
        ['enc', 'TransformerEncoder', 'transformer_encoder_1', { numHeads: 2, intermediateDim: 32 }],
        ['pool', 'GlobalAveragePooling1D', 'global_average_pooling1d_1'],
        ['o', 'Dense', 'dense_1', { units: 2, activation: 'softmax' }],
      ],
      [['in', 'emb'], ['emb', 'pos'], ['pos', 'enc'], ['enc', 'pool'], ['pool', 'o']],
    ),
    classes: ['PositionalEmbedding', 'TransformerEncoder'],
    sample: [12],
    integerInputs: 20,
  },
  {
    // Cross-attention: per-step features attend over a convolved view of the same sequence (query, value).
    project: graphProject(
      'cross-attention',
      [
        ['in', 'Input', 'input_1', { shape: [10, 4] }],
        ['q', 'Dense', 'dense_1', { units: 8 }],
        ['v', 'Conv1D', 'conv1d_1', { filters: 8, kernelSize: 3, padding: 'same' }],
        ['mha', 'MultiHeadAttention', 'multi_head_attention_1', { numHeads: 2, keyDim: 4 }],
        ['flat', 'Flatten', 'flatten_1'],
        ['o', 'Dense', 'dense_2', { units: 3, activation: 'softmax' }],
      ],
      [['in', 'q'], ['in', 'v'], ['q', 'mha'], ['v', 'mha'], ['mha', 'flat'], ['flat', 'o']],
    ),
    classes: ['MultiHeadAttention'],
    sample: [10, 4],
  },
  {
    // Keras's GRU (reset after, its default), which tfjs 4.22 has no built-in class for.
    project: graphProject(
      'gru-reset-after',
      [
        ['in', 'Input', 'input_1', { shape: [8, 3] }],
        ['gru', 'GRU', 'gru_1', { units: 6, resetAfter: true }],
        ['o', 'Dense', 'dense_1', { units: 2, activation: 'softmax' }],
      ],
      [['in', 'gru'], ['gru', 'o']],
    ),
    classes: ['GRU'],
    sample: [8, 3],
  },
];

function samplesFor(c: CustomCase, count: number, seed: number): number[][] | number[][][] {
  const random = mulberry32(seed);
  const one = (shape: number[]): unknown => (shape.length === 0 ? (c.integerInputs ? Math.floor(random() * c.integerInputs) : random() * 2 - 1) : Array.from({ length: shape[0] }, () => one(shape.slice(1))));
  return Array.from({ length: count }, () => one(c.sample)) as number[][];
}

function maxAbsDifference(a: unknown, b: unknown): number {
  const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
  const [fa, fb] = [flat(a), flat(b)];
  expect(fa.length).toBe(fb.length);
  return fa.reduce((m, v, i) => Math.max(m, Math.abs(v - fb[i])), 0);
}

describe.each(CASES.map((c) => [c.project.name, c] as const))('export of %s (custom layer classes)', (_name, c) => {
  let tmp: string;
  let model: tf.LayersModel;
  let exported: { dir: string; files: string[] };
  let samplesFile: string;
  let appPredictions: unknown;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    mkdirSync(path.join(ROOT, '.neurowire-tmp'), { recursive: true });
    tmp = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'custom-export-'));
    model = compileGraph(tf, c.project.graph);
    // A few steps of training so the exported weights are trained ones, not the initial draw.
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const xs = tf.tensor(samplesFor(c, 32, 1));
    const ys = tf.randomUniform([32, ...(model.outputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 2);
    await model.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0 });
    tf.dispose([xs, ys]);
    exported = await exportTrainedModel({ project: c.project, artifacts: await captureArtifacts(model), dir: path.join(tmp, 'export') });
    const samples = samplesFor(c, 4, 3);
    samplesFile = path.join(tmp, 'samples.json');
    writeFileSync(samplesFile, JSON.stringify(samples));
    appPredictions = (model.predict(tf.tensor(samples)) as tf.Tensor).arraySync();
  });

  afterAll(() => {
    model?.dispose();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('names the classes in model.json and carries the loader files', () => {
    const modelJson = JSON.parse(readFileSync(path.join(exported.dir, 'model.json'), 'utf8'));
    expect(customClassesIn(modelJson.modelTopology)).toEqual(c.classes);
    expect(exported.files).toContain(LAYER_LOADER_SCRIPT);
    expect(exported.files).toContain(LAYER_LOADER_MODULE);
    // Self-contained: the bundles import nothing (tfjs is handed in), so they work from the folder alone.
    for (const file of [LAYER_LOADER_SCRIPT, LAYER_LOADER_MODULE]) {
      const text = readFileSync(path.join(exported.dir, file), 'utf8');
      expect(text).not.toMatch(/\brequire\(|^\s*import\s/m);
      expect(text.length).toBeLessThan(200_000);
    }
  });

  it('a stock-tfjs client loads it from the folder alone and reproduces the predictions', async () => {
    const { stdout } = await run(process.execPath, [CLIENT, exported.dir, samplesFile], { cwd: ROOT, timeout: 120_000 });
    const client = JSON.parse(stdout) as { registered: string[]; classes: string[]; predictions: unknown };
    for (const name of c.classes) {
      expect(client.registered).toContain(name);
      expect(client.classes).toContain(name);
    }
    expect(maxAbsDifference(client.predictions, appPredictions)).toBeLessThanOrEqual(1e-5);
  });

  it('the classic script registers the classes with a global tf, and those classes load the model', async () => {
    const script = readFileSync(path.join(exported.dir, LAYER_LOADER_SCRIPT), 'utf8');
    const page = { tf, neurowireLayers: undefined as unknown };
    vm.runInNewContext(script, page);
    expect(typeof (page.neurowireLayers as { registerNeurowireLayers?: unknown }).registerNeurowireLayers).toBe('function');
    // The script's classes now serve tf.loadLayersModel in this process.
    const loaded = await tf.loadLayersModel(fileSystemLoadHandler(path.join(exported.dir, 'model.json')));
    const samples = JSON.parse(readFileSync(samplesFile, 'utf8'));
    expect(maxAbsDifference((loaded.predict(tf.tensor(samples)) as tf.Tensor).arraySync(), appPredictions)).toBeLessThanOrEqual(1e-5);
    loaded.dispose();
  });

  it('the generated model.ts defines the same classes from the shipped modules', () => {
    const modelTs = generateProjectFiles(c.project)['model.ts'];
    expect(modelTs).toContain("import { customLayerClass } from './src/neurowire/core/layers/custom';");
    for (const name of c.classes) {
      expect(modelTs).toMatch(new RegExp(`const ${name} = customLayerClass(<tf\\.\\w+>)?\\(tf, '${name}'\\);`));
      expect(modelTs).toMatch(new RegExp(`= new ${name}\\(`));
    }
  });
});
