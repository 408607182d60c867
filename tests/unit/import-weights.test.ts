/**
 * Importing a model with its weights: a tfjs model saved with its weights, imported, compiled from the project and
 * given the kept weights predicts what the original predicts (max abs difference ≤ 1e-5). Frozen layers import,
 * compile and count as tfjs counts them; weights that do not fit are refused naming the layer and the weight.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { importKerasModel, KerasImportError, readTfjsWeights, type KerasImportResult } from '../../main/core/import/keras';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { compileGraph } from '../../main/core/compile';
import { decodeNodeWeights, encodeNodeWeights, matchWeights, setNodeWeights, type NodeWeights } from '../../main/core/nodeWeights';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { modelSummary } from '../../main/core/graph/summary';
import { DEFAULT_TRAINING, parseProject, serializeProject, type Graph } from '../../main/core/project';
import { generateTypeScriptProject } from '../../main/core/codegen/typescript';
import { shippedSources } from '../../main/node/projectSources';
import { mulberry32 } from '../../main/core/random';
import { runTrainingJob } from '../../main/core/training/job';
import { resumeMismatch } from '../../main/core/training/resume';
import { bufferSplit } from '../../main/core/api/compute';
import type { TrainingEvent } from '../../main/core/api/contract';
import type { DatasetInfo } from '../../main/core/datasets';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCustomLayers(tf);
});

/** The model as tfjs saves it: model.json (topology + manifest) and its one weights file. */
export async function savedModel(model: tf.LayersModel): Promise<{ json: Record<string, unknown>; bin: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const data = artifacts!.weightData as ArrayBuffer;
  return {
    json: { format: 'layers-model', modelTopology: artifacts!.modelTopology, weightsManifest: [{ paths: ['./group1-shard1of1.bin'], weights: artifacts!.weightSpecs }] },
    bin: new Uint8Array(data),
  };
}

export function importWithWeights(saved: { json: Record<string, unknown>; bin: Uint8Array }): Extract<KerasImportResult, { project: unknown }> {
  const weights = readTfjsWeights(saved.json.weightsManifest, () => saved.bin);
  const result = importKerasModel(saved.json, weights);
  if ('unknown' in result) throw new Error(`not imported: ${JSON.stringify(result.unknown)}`);
  return result;
}

/** The imported graph built by Neurowire's compiler, with the kept weights set. */
export function rebuilt(graph: Graph, weights: NodeWeights): tf.LayersModel {
  const model = compileGraph(tf, graph);
  setNodeWeights(tf, model, graph, weights);
  return model;
}

export function maxAbsDifference(a: tf.Tensor | tf.Tensor[], b: tf.Tensor | tf.Tensor[]): number {
  const as = Array.isArray(a) ? a : [a];
  const bs = Array.isArray(b) ? b : [b];
  return Math.max(...as.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, bs[i]))).dataSync()[0])));
}

/** Random weights (seeded), so that a weight left at its initial value would show in the predictions. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const random = mulberry32(seed);
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape as number[];
      return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (w.name.includes('variance') ? 0.5 + random() : random() - 0.5)), shape);
    }),
  );
}

const CASES: [string, () => tf.LayersModel, number[]][] = [
  [
    'Dense',
    () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
    [6],
  ],
  [
    'Conv2D + BatchNormalization + pooling',
    () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.batchNormalization(),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2 }),
        ],
      }),
    [8, 8, 2],
  ],
  [
    'Embedding + LSTM + GRU',
    () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 20, outputDim: 5, inputLength: 7 }),
          tf.layers.lstm({ units: 6, returnSequences: true }),
          tf.layers.gru({ units: 4 }),
          tf.layers.dense({ units: 1 }),
        ],
      }),
    [7],
  ],
  [
    'Bidirectional LSTM + TimeDistributed Dense + Conv1D',
    () =>
      tf.sequential({
        layers: [
          tf.layers.conv1d({ inputShape: [6, 3], filters: 4, kernelSize: 2, activation: 'relu' }),
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as tf.RNN, mergeMode: 'concat' }),
          tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
        ],
      }),
    [6, 3],
  ],
];

describe('imported weights give the original predictions', () => {
  it.each(CASES)('%s', async (_label, make, inputShape) => {
    const original = make();
    randomizeWeights(original, 7);
    const saved = await savedModel(original);
    const result = importWithWeights(saved);
    expect(result.weights!.unused).toEqual([]);
    const copy = rebuilt(result.project.graph, result.weights!.byNode);
    const random = mulberry32(3);
    const isTokens = _label.startsWith('Embedding');
    const x = tf.tensor(Float32Array.from({ length: 4 * inputShape.reduce((a, b) => a * b, 1) }, () => (isTokens ? Math.floor(random() * 20) : random() * 2 - 1)), [4, ...inputShape]);
    const want = original.predict(x) as tf.Tensor;
    const got = copy.predict(x) as tf.Tensor;
    expect(maxAbsDifference(got, want)).toBeLessThanOrEqual(1e-5);
    // Weights of the original that differ from fresh ones: the comparison would catch weights left unset.
    const fresh = compileGraph(tf, result.project.graph);
    expect(maxAbsDifference(fresh.predict(x) as tf.Tensor, want)).toBeGreaterThan(1e-4);
    tf.dispose([x, want, got]);
    for (const m of [original, copy, fresh]) m.dispose();
  }, 60_000);

  it('a functional model with MultiHeadAttention (Keras names, the layout Keras writes) keeps its weights', async () => {
    // tfjs 4.22 has no MultiHeadAttention: Neurowire's class builds the original; its weights are saved under
    // Keras's names ("mha/query/kernel") as the tfjs converter writes a Keras model's.
    const graph: Graph = {
      nodes: [
        { id: 'in', kind: 'Input', name: 'tokens', params: { shape: [5, 8] }, position: { x: 0, y: 0 } },
        { id: 'mha', kind: 'MultiHeadAttention', name: 'mha', params: { numHeads: 2, keyDim: 4 }, position: { x: 0, y: 0 } },
        { id: 'out', kind: 'Dense', name: 'head', params: { units: 3 }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'e1', source: 'in', target: 'mha' },
        { id: 'e2', source: 'mha', target: 'out' },
      ],
    };
    const original = compileGraph(tf, graph);
    randomizeWeights(original, 11);
    const saved = await savedModel(original);
    const result = importWithWeights(saved);
    const copy = rebuilt(result.project.graph, result.weights!.byNode);
    const x = tf.randomUniform([3, 5, 8], -1, 1, 'float32', 5);
    expect(maxAbsDifference(copy.predict(x) as tf.Tensor, original.predict(x) as tf.Tensor)).toBeLessThanOrEqual(1e-5);
    tf.dispose(x);
    original.dispose();
    copy.dispose();
  }, 60_000);
});

describe('weights kept beside the project', () => {
  it('the sidecar holds every weight by node and name, and reads back the same', async () => {
    const original = CASES[1][1]();
    const result = importWithWeights(await savedModel(original));
    const { manifest, data } = encodeNodeWeights(result.weights!.byNode, 'model.weights.bin');
    expect(manifest.entries.map((e) => `${e.node}/${e.name}`)).toContain(`${result.project.graph.nodes[2].id}/moving_variance`);
    const back = decodeNodeWeights(manifest, data);
    expect(Object.keys(back)).toEqual(Object.keys(result.weights!.byNode));
    for (const [node, list] of Object.entries(back)) list.forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(result.weights!.byNode[node][i].values)));
    expect(() => decodeNodeWeights(manifest, data.subarray(4))).toThrow(/model\.weights\.bin holds .* bytes/);
    // The project names the sidecar and opens with it.
    const project = parseProject(serializeProject({ ...result.project, weights: manifest }));
    expect(project.weights?.entries.length).toBe(manifest.entries.length);
    original.dispose();
  }, 60_000);

  it('weights matched by Keras 2, Keras 3 and tfjs names, or by position where a file numbers them', () => {
    expect(matchWeights(['kernel', 'recurrent_kernel', 'bias'], ['lstm_cell/kernel:0', 'lstm_cell/recurrent_kernel:0', 'lstm_cell/bias:0'])).toEqual([0, 1, 2]);
    expect(matchWeights(['kernel', 'bias'], ['bias', 'kernel'])).toEqual([1, 0]);
    expect(matchWeights(['forward_lstm_LSTM1/kernel', 'backward_lstm_LSTM1/kernel'], ['backward_lstm/lstm_cell/kernel', 'forward_lstm/lstm_cell/kernel'])).toEqual([1, 0]);
    expect(matchWeights(['kernel', 'bias'], ['vars/0', 'vars/1'])).toEqual([0, 1]);
    // Keras 3 numbers an attention's variables per projection and lists the projections in name order.
    const attention = ['query/kernel', 'query/bias', 'key/kernel', 'key/bias', 'value/kernel', 'value/bias', 'attention_output/kernel', 'attention_output/bias'];
    const keras3 = ['_key_dense/vars/0', '_key_dense/vars/1', '_output_dense/vars/0', '_output_dense/vars/1', '_query_dense/vars/0', '_query_dense/vars/1', '_value_dense/vars/0', '_value_dense/vars/1'];
    expect(matchWeights(attention, keras3)).toEqual([4, 5, 0, 1, 6, 7, 2, 3]);
    expect(matchWeights(['kernel', 'bias'], ['kernel'])).toMatch(/weight "bias" is missing/);
  });

  it('a weight of another shape is refused naming the layer and the weight', async () => {
    const original = CASES[0][1]();
    const result = importWithWeights(await savedModel(original));
    const edited: Graph = { ...result.project.graph, nodes: result.project.graph.nodes.map((n) => (n.kind === 'Dense' && n.params.units === 8 ? { ...n, params: { ...n.params, units: 9 } } : n)) };
    const hidden = edited.nodes.find((n) => n.params.units === 9)!;
    const model = compileGraph(tf, edited);
    expect(() => setNodeWeights(tf, model, edited, result.weights!.byNode)).toThrow(new RegExp(`layer ${hidden.name}: weight "kernel" is \\[6, 9\\] but the stored "kernel" is \\[6, 8\\]`));
    model.dispose();
    original.dispose();
  }, 60_000);

  it('weights that do not fit the layers refuse the import, naming each layer', async () => {
    const original = CASES[0][1]();
    const saved = await savedModel(original);
    const manifest = saved.json.weightsManifest as { weights: { name: string }[] }[];
    // The file lacks the second layer's bias.
    const specs = manifest[0].weights;
    const withoutBias = { ...saved.json, weightsManifest: [{ ...manifest[0], weights: specs.slice(0, 3) }] };
    const weights = readTfjsWeights(withoutBias.weightsManifest, () => saved.bin);
    const second = specs[3].name.split('/')[0];
    expect(() => importKerasModel(withoutBias, weights)).toThrow(KerasImportError);
    // A damaged manifest is named, never a crash.
    expect(() => readTfjsWeights([{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: ['x'], dtype: 'float32' }] }], () => saved.bin)).toThrow(/weight "d\/kernel" has an invalid shape/);
    expect(() => readTfjsWeights([{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [1000, 1000], dtype: 'float32' }] }], () => saved.bin)).toThrow(/weight files end before weight "d\/kernel"/);
    expect(() => readTfjsWeights([{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [2], dtype: 'complex64' }] }], () => saved.bin)).toThrow(KerasImportError);
    expect(() => importKerasModel(withoutBias, weights)).toThrow(new RegExp(`layer ${second}: its weights in the file \\(kernel \\[8, 3\\]\\) hold 24 values, but the layer has 27 parameters`));
    original.dispose();
  }, 60_000);
});

describe('frozen layers', () => {
  it('Keras trainable=false imports as a frozen node; tfjs and the summary count it non-trainable; code says so', async () => {
    const original = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 5, name: 'base', trainable: false }), tf.layers.dense({ units: 2, name: 'head' })] });
    const result = importWithWeights(await savedModel(original));
    const base = result.project.graph.nodes.find((n) => n.name === 'base')!;
    expect(base.trainable).toBe(false);
    expect(result.dropped).toEqual([]);
    const model = compileGraph(tf, result.project.graph);
    const trainableCount = model.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1), 0);
    expect(trainableCount).toBe(12);
    const summary = modelSummary(result.project.graph, analyzeGraph(result.project.graph), DEFAULT_TRAINING);
    expect(summary.trainableParams).toBe(12);
    expect(summary.nonTrainableParams).toBe(25);
    const modelTs = generateTypeScriptProject(result.project, shippedSources())['model.ts'];
    expect(modelTs).toMatch(/name: 'base',[^}]*trainable: false/s);
    // A run cannot be resumed on a network whose frozen layers changed since.
    const unfrozen = { ...result.project, graph: { ...result.project.graph, nodes: result.project.graph.nodes.map((n) => (n.id === base.id ? { ...n, trainable: true } : n)) } };
    expect(resumeMismatch(result.project, unfrozen)).toMatch(/layer base: trainable was false, now true/);
    model.dispose();
    original.dispose();
  }, 60_000);
});

describe('training an imported model', () => {
  it('starts from the kept weights and leaves a frozen layer as it was', async () => {
    const original = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', name: 'base', trainable: false }), tf.layers.dense({ units: 4, activation: 'softmax', name: 'head' })],
    });
    randomizeWeights(original, 5);
    const result = importWithWeights(await savedModel(original));
    const { manifest } = encodeNodeWeights(result.weights!.byNode, 'imported.weights.bin');
    const project = { ...result.project, weights: manifest, training: { ...result.project.training, epochs: 1, batchSize: 16, learningRate: 0.01 } };
    const n = 96;
    const random = mulberry32(9);
    const x = Float32Array.from({ length: n * 4 }, () => random() * 2 - 1);
    const y = Int32Array.from({ length: n }, (_v, i) => (x[i * 4] > 0 ? 1 : 0) + (x[i * 4 + 1] > 0 ? 2 : 0));
    const split = (a: number, b: number) => bufferSplit({ count: b - a, x: x.subarray(a * 4, b * 4), y: y.subarray(a, b), labels: y.subarray(a, b) });
    const info = { id: 't', name: 'T', description: '', inputShape: [4], inputDType: 'float32', task: 'classification', numClasses: 4, outputSize: 4, classNames: ['a', 'b', 'c', 'd'] } as DatasetInfo;
    const logs: string[] = [];
    const trained = await runTrainingJob(
      { runId: 'r', project },
      {
        selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'test', attempts: [] } }),
        loadData: async () => ({ info, train: split(0, 64), validation: split(64, 80), test: split(80, 96) }),
        loadProjectWeights: async () => result.weights!.byNode,
        emit: (e: TrainingEvent) => e.type === 'log' && logs.push(e.message),
        control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
      },
    );
    expect(trained.status, trained.error).toBe('completed');
    expect(logs.some((m) => m.startsWith("Starting from the project's trained weights"))).toBe(true);
    const decoded = tf.io.decodeWeights(trained.artifacts!.weightData as ArrayBuffer, trained.artifacts!.weightSpecs!);
    const before = Object.fromEntries(original.weights.map((w) => [w.originalName, w.read()]));
    const diff = (name: string) => tf.tidy(() => tf.max(tf.abs(tf.sub(decoded[name], before[name]))).dataSync()[0]);
    expect(diff('base/kernel')).toBe(0);
    expect(diff('base/bias')).toBe(0);
    // The head trained from its kept weights: moved, but by a few steps of 0.01, not from a fresh start.
    expect(diff('head/kernel')).toBeGreaterThan(0);
    expect(diff('head/kernel')).toBeLessThan(0.2);
    original.dispose();
  }, 120_000);
});
