/**
 * `npm run import` with a model's weights, and the round trip: a run's trained model exported by Neurowire and
 * imported again is the same graph, the same parameter count and gives the same predictions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseProject, emptyProject, TrainingConfigSchema, type Graph, type Project } from '../../main/core/project';
import { importKerasModel, readTfjsWeights } from '../../main/core/import/keras';
import { compileGraph } from '../../main/core/compile';
import { setNodeWeights } from '../../main/core/nodeWeights';
import { analyzeGraph, parseParams } from '../../main/core/graph/analyze';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { runTrainingJob } from '../../main/core/training/job';
import { bufferSplit } from '../../main/core/api/compute';
import type { DatasetInfo } from '../../main/core/datasets';
import { exportTrainedModel, MODEL_JSON } from '../../main/node/export';
import { openProjectFile } from '../../main/node/projectFiles';
import { readProjectWeights } from '../../main/node/projectWeights';
import { mulberry32 } from '../../main/core/random';
import { Engine } from '../../main/node/engine';
import type { ModelImportResult, TrainingEvent } from '../../main/core/api/contract';

const root = path.resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli');

function runImport(args: string[]) {
  const r = spawnSync(process.execPath, [tsxCli, 'main/node/cli/import.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCustomLayers(tf);
});

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** Input [4] → Dense 16 relu → BatchNorm → Dense 4 softmax, as a person builds it in the editor. */
function editorProject(): Project {
  const nodes = (
    [
      ['in', 'Input', 'features', { shape: [4] }],
      ['h', 'Dense', 'hidden', { units: 16, activation: 'relu' }],
      ['bn', 'BatchNormalization', 'norm', {}],
      ['out', 'Dense', 'classes', { units: 4, activation: 'softmax' }],
    ] as const
  ).map(([id, kind, name, params], i) => ({ id, kind, name, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: i * 200, y: 0 } }));
  const graph: Graph = { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
  return { ...emptyProject('Round trip'), graph, training: TrainingConfigSchema.parse({ epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'adam', seed: 4 }) };
}

async function trainedArtifacts(project: Project): Promise<tf.io.ModelArtifacts> {
  const random = mulberry32(21);
  const n = 160;
  const x = Float32Array.from({ length: n * 4 }, () => random() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_v, i) => (x[i * 4] > 0 ? 1 : 0) + (x[i * 4 + 1] > 0 ? 2 : 0));
  const split = (a: number, b: number) => bufferSplit({ count: b - a, x: x.subarray(a * 4, b * 4), y: y.subarray(a, b), labels: y.subarray(a, b) });
  const info = { id: 't', name: 'T', description: '', inputShape: [4], inputDType: 'float32', task: 'classification', numClasses: 4, outputSize: 4, classNames: ['a', 'b', 'c', 'd'] } as DatasetInfo;
  const result = await runTrainingJob(
    { runId: 'r', project },
    {
      selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'test', attempts: [] } }),
      loadData: async () => ({ info, train: split(0, 128), validation: split(128, 144), test: split(144, 160) }),
      emit: () => undefined,
      control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
    },
  );
  expect(result.status, result.error).toBe('completed');
  return result.artifacts!;
}

describe('import with weights', () => {
  it('the CLI keeps the weights beside the project, says which, and the project predicts as the model does', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-import-weights-'));
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 5, activation: 'tanh', name: 'hidden' }), tf.layers.dense({ units: 2, name: 'out' })] });
    // model.json and its weights file as tfjs's file:// handler writes them (tfjs-node is not installed).
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }));
        await fs.writeFile(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const out = path.join(dir, 'imported.neurowire');
    const r = runImport([path.join(dir, 'model.json'), '--out', out]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Weights kept: 4 weights of 2 layers/);
    expect(r.out).toMatch(/hidden: kernel \[3, 5\], bias \[5\]/);
    expect(r.out).toContain(path.join(dir, 'imported.weights.bin'));
    const saved = parseProject(await fs.readFile(out, 'utf8'));
    expect(saved.weights?.file).toBe('imported.weights.bin');
    const project = await openProjectFile(out);
    const copy = compileGraph(tf, project.graph);
    setNodeWeights(tf, copy, project.graph, await readProjectWeights(project));
    const x = tf.randomUniform([5, 3], -1, 1, 'float32', 2);
    expect(maxAbs(copy.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBeLessThanOrEqual(1e-5);

    // A missing weights file is named, and nothing is written.
    await fs.rm(path.join(dir, 'group1-shard1of1.bin'));
    const again = path.join(dir, 'again.neurowire');
    const missing = runImport([path.join(dir, 'model.json'), '--out', again]);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/weights file group1-shard1of1\.bin is not there/);
    await expect(fs.access(again)).rejects.toThrow();
    await fs.rm(dir, { recursive: true });
  }, 240_000);

  it('round trip: a trained run exported and imported again is the same graph, parameter count and predictions', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-round-trip-'));
    const project = editorProject();
    const artifacts = await trainedArtifacts(project);
    await exportTrainedModel({ project, artifacts, dir });
    const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8'));
    const weights = readTfjsWeights(json.weightsManifest, (p) => new Uint8Array(readFileSync(path.join(dir, p))));
    const result = importKerasModel(json, weights);
    if ('unknown' in result) throw new Error(JSON.stringify(result.unknown));

    const shape = (g: Graph) => {
      const nameOf = new Map(g.nodes.map((n) => [n.id, n.name]));
      return {
        nodes: g.nodes.map((n) => {
          const parsed = parseParams(n);
          return { name: n.name, kind: n.kind, params: parsed.ok ? parsed.params : parsed.error };
        }),
        edges: g.edges.map((e) => [nameOf.get(e.source), nameOf.get(e.target), e.sourcePort ?? 0]),
      };
    };
    expect(shape(result.project.graph)).toEqual(shape(project.graph));
    expect(result.summary.totalParams).toBe(analyzeGraph(project.graph).totalParams);

    const trained = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const copy = compileGraph(tf, result.project.graph);
    setNodeWeights(tf, copy, result.project.graph, result.weights!.byNode);
    const x = tf.randomUniform([6, 4], -1, 1, 'float32', 8);
    expect(maxAbs(copy.predict(x) as tf.Tensor, trained.predict(x) as tf.Tensor)).toBeLessThanOrEqual(1e-5);
    await fs.rm(dir, { recursive: true });
  }, 240_000);
});

describe('the engine imports a model given as files, saves its weights beside the project and trains from them', () => {
  it('model.import → project.save → project.open → training.start', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-engine-import-'));
    const engine = new Engine({ host: 'browser', dataDir, templatesDir: path.join(root, 'templates') });
    const logs: string[] = [];
    engine.onEvent((event, payload) => {
      const e = payload as TrainingEvent;
      if (event === 'training' && e.type === 'log') logs.push(e.message);
    });
    try {
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 8, activation: 'tanh', name: 'base', trainable: false }), tf.layers.dense({ units: 2, activation: 'softmax', name: 'head' })] });
      let files: { name: string; base64: string }[] = [];
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          const json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['./group1-shard1of1.bin'], weights: a.weightSpecs }] };
          files = [
            { name: 'model.json', base64: Buffer.from(JSON.stringify(json)).toString('base64') },
            { name: 'group1-shard1of1.bin', base64: Buffer.from(a.weightData as ArrayBuffer).toString('base64') },
          ];
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      // Without its .bin the model.json is refused, naming the file.
      await expect(engine.dispatch('model.import', { name: 'model.json', files: files.slice(0, 1) })).rejects.toThrow(/weights file \.\/group1-shard1of1\.bin was not given/);

      const imported = (await engine.dispatch('model.import', { name: 'model.json', files })) as Extract<ModelImportResult, { project: unknown }>;
      expect(imported.weights).toEqual({ count: 4, layers: 2 });
      // The desktop app's File → Import Model… gives a path: the same import, the weights read beside it.
      const modelDir = path.join(dataDir, 'model');
      await fs.mkdir(modelDir);
      for (const f of files) await fs.writeFile(path.join(modelDir, f.name), Buffer.from(f.base64, 'base64'));
      const fromPath = (await engine.dispatch('model.importFile', { path: path.join(modelDir, 'model.json') })) as Extract<ModelImportResult, { project: unknown }>;
      expect(fromPath.weights).toEqual({ count: 4, layers: 2 });
      expect(fromPath.project.graph).toEqual(imported.project.graph);
      expect(path.dirname(imported.project.weights!.file)).toBe(path.join(dataDir, 'imported'));

      const projectPath = path.join(dataDir, 'mine', 'xor.neurowire');
      const project: Project = { ...imported.project, dataset: { ...imported.project.dataset, source: { type: 'builtin', name: 'xor', samples: 200, noise: 0.1 } }, training: { ...imported.project.training, epochs: 1 } };
      await engine.dispatch('project.save', { path: projectPath, project });
      expect(parseProject(await fs.readFile(projectPath, 'utf8')).weights?.file).toBe('xor.weights.bin');
      const opened = (await engine.dispatch('project.open', { path: projectPath })) as { project: Project };
      expect(opened.project.weights?.file).toBe(path.join(dataDir, 'mine', 'xor.weights.bin'));
      expect(opened.project.graph.nodes.find((n) => n.name === 'base')?.trainable).toBe(false);

      const { runId } = (await engine.dispatch('training.start', { project: opened.project })) as { runId: string };
      const result = await engine.waitForRun(runId);
      expect(result.status, result.error).toBe('completed');
      expect(logs.some((m) => m.startsWith("Starting from the project's trained weights (4 weights)"))).toBe(true);
      // The frozen layer left training as it came in.
      const trained = tf.io.decodeWeights(result.artifacts!.weightData as ArrayBuffer, result.artifacts!.weightSpecs!);
      expect(maxAbs(trained['base/kernel'], model.getLayer('base').getWeights()[0])).toBe(0);
      model.dispose();
    } finally {
      await engine.dispose();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
