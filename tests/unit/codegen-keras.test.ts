import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { KERAS_DROPPED_KEYS, KERAS_SHIPPED_MODULES, generateKerasProject, pythonLiteral, type KerasModelSource } from '../../main/core/codegen/keras';
import { CUSTOM_LAYERS } from '../../main/core/layers/custom';
import { compileGraph } from '../../main/node/compiler';
import { shippedPythonModule } from '../../main/node/projectSources';
import { emptyProject, parseProject, type Graph, type Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
const PYTHON = '/usr/bin/python3';

function loadTemplate(name: string): Project {
  if (CASES[name]) return CASES[name];
  return parseProject(readFileSync(path.join(ROOT, 'templates', `${name}.json`), 'utf8'), name);
}

interface TopologyLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
}

/** What the export hands the generator: the topology and weight names tfjs writes for the built model. */
function sourceOf(project: Project, data: Record<string, unknown> | null = null): KerasModelSource & { layers: TopologyLayer[] } {
  const model = compileGraph(tf, project.graph);
  const modelTopology = model.toJSON(null, false) as unknown as { config: { layers: TopologyLayer[] } };
  const source = { modelTopology, weightNames: model.weights.map((w) => w.originalName ?? w.name), data, layers: modelTopology.config.layers };
  model.dispose();
  return source;
}

/** Fails with Python's message where `files` do not compile (py_compile, written to a scratch folder). */
function pyCompile(files: Record<string, string>): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'keras-export-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    execFileSync(PYTHON, ['-B', '-c', 'import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, cfile=f + "c", doraise=True)', ...Object.keys(files).map((f) => path.join(dir, f))], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type NodeSpec = [id: string, kind: string, name: string, params?: Record<string, unknown>];

/** A project of these layers; edges as [source, target] or [source, target, output of the source]. */
function project(name: string, nodes: NodeSpec[], edges: Array<[string, string] | [string, string, number]>): Project {
  const graph: Graph = {
    nodes: nodes.map(([id, kind, nodeName, params], i) => ({ id, kind, name: nodeName, params: params ?? {}, position: { x: i * 200, y: 0 } })),
    edges: edges.map(([source, target, port], i) => ({ id: `e${i}`, source, target, ...(port ? { sourcePort: port } : {}) })),
  };
  return { ...emptyProject(name), graph };
}

/** Layers the templates lack: Neurowire's own classes, wrappers, several outputs, initial states, call arguments, a fixed batch. */
const CASES: Record<string, Project> = {
  'layer-library': project(
    'Layer library',
    [
      ['in', 'Input', 'input_1', { shape: [12] }],
      ['emb', 'Embedding', 'embedding_1', { inputDim: 40, outputDim: 16 }],
      ['pos', 'PositionalEmbedding', 'positional_embedding_1', { mode: 'learned', maxLength: 12 }],
      ['enc', 'TransformerEncoder', 'transformer_encoder_1', { numHeads: 2, intermediateDim: 32, dropout: 0.1 }],
      ['mha', 'MultiHeadAttention', 'multi_head_attention_1', { numHeads: 2, keyDim: 8, useCausalMask: true }],
      ['bi', 'Bidirectional', 'bidirectional_1', { layer: { kind: 'GRU', params: { units: 8, resetAfter: true } }, mergeMode: 'concat' }],
      ['out', 'Dense', 'dense_1', { units: 3, activation: 'softmax' }],
    ],
    [['in', 'emb'], ['emb', 'pos'], ['pos', 'enc'], ['enc', 'mha'], ['mha', 'bi'], ['bi', 'out']],
  ),
  seq2seq: project(
    'Sequence to sequence',
    [
      ['in', 'Input', 'steps', { shape: [8, 3], batchSize: 16 }],
      ['enc', 'LSTM', 'encoder', { units: 16, returnState: true }],
      ['dec', 'LSTM', 'decoder', { units: 16, returnSequences: true }],
      ['att', 'MultiHeadAttention', 'attention', { numHeads: 2, keyDim: 8, returnAttentionScores: true }],
      ['pool', 'GlobalAveragePooling1D', 'pool'],
      ['sub', 'Subtract', 'difference'],
      ['out', 'Dense', 'dense_1', { units: 2, activation: 'softmax' }],
    ],
    [['in', 'enc'], ['in', 'dec'], ['enc', 'dec', 1], ['enc', 'dec', 2], ['dec', 'att'], ['att', 'pool'], ['pool', 'sub'], ['enc', 'sub'], ['sub', 'out']],
  ),
};

const TEMPLATES = readdirSync(path.join(ROOT, 'templates')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).concat(Object.keys(CASES));

/** The dataset descriptions the trainer stores, for the golden templates' losses. */
const GOLDEN: Record<string, Record<string, unknown>> = {
  'mnist-mlp': { dataset: 'mnist', task: 'classification', numClasses: 10, inputShape: [28, 28, 1], outputSize: 10 },
  'reviews-transformer': { dataset: 'reviews', task: 'classification', numClasses: 2, inputShape: [24], outputSize: 2 },
  seq2seq: { task: 'classification', numClasses: 2, inputShape: [8, 3], outputSize: 2 },
  'two-inputs-two-outputs': {
    task: 'classification',
    outputs: [
      { layer: 'kind_out', task: 'classification', numClasses: 3, outputSize: 3 },
      { layer: 'value_out', task: 'regression', numClasses: 0, outputSize: 1 },
    ],
  },
};

describe('Keras export', () => {
  it('prints Python literals', () => {
    expect(pythonLiteral({ a: [1, 2.5, null], b: true, c: 'x"y' })).toBe('{"a": [1, 2.5, None], "b": True, "c": "x\\"y"}');
    expect(pythonLiteral(1e-7)).toBe('1e-7');
    expect(pythonLiteral(false)).toBe('False');
  });

  for (const name of TEMPLATES) {
    it(`compiles and names every layer and setting: ${name}`, { timeout: 60_000 }, () => {
      const project = loadTemplate(name);
      const source = sourceOf(project, GOLDEN[name] ?? null);
      const files = generateKerasProject(project, source);
      expect(Object.keys(files).sort()).toEqual(['README.md', 'model.py', 'train.py']);
      pyCompile({ 'model.py': files['model.py'], 'train.py': files['train.py'] });
      const model = files['model.py'];
      for (const layer of source.layers) {
        // The layer's statement: from its comment to the next layer's.
        const start = model.indexOf(`    # ${layer.name} (`);
        expect(start, `${name}: no statement for ${layer.name}`).toBeGreaterThan(0);
        const end = model.indexOf('\n    # ', start + 1);
        const statement = model.slice(start, end < 0 ? undefined : end);
        expect(statement).toContain(`name="${layer.name}"`);
        if (layer.class_name === 'InputLayer') continue;
        const callArguments = CUSTOM_LAYERS.find((c) => c.className === layer.class_name)?.keras?.callArguments ?? [];
        for (const [key, value] of Object.entries(layer.config)) {
          if (KERAS_DROPPED_KEYS.includes(key) || (key === 'key_dim' && value === 0 && layer.class_name.startsWith('Transformer'))) continue;
          if (callArguments.includes(key) && (value === null || value === undefined)) continue;
          expect(statement, `${name}: ${layer.name} does not name ${key}`).toMatch(new RegExp(`\\b${key}=`));
        }
      }
      // Every trained weight is set, once, on the layer it belongs to.
      const table = model.slice(model.indexOf('TRAINED_WEIGHTS = {'), model.indexOf('\n}\n', model.indexOf('TRAINED_WEIGHTS = {')));
      const listed = [...table.matchAll(/"([^"]+\/[^"]+)"/g)].map((m) => m[1]);
      expect(listed.sort()).toEqual([...source.weightNames].sort());
    });
  }

  for (const name of Object.keys(GOLDEN)) {
    it(`matches the golden files: ${name}`, { timeout: 60_000 }, () => {
      const project = loadTemplate(name);
      const files = generateKerasProject(project, sourceOf(project, GOLDEN[name]));
      const dir = path.join(ROOT, 'tests/golden', name, 'keras');
      for (const file of ['model.py', 'train.py']) {
        const goldenPath = path.join(dir, file);
        if (UPDATE_GOLDEN) {
          mkdirSync(dir, { recursive: true });
          writeFileSync(goldenPath, files[file]);
        }
        expect(files[file], `${file} differs from ${path.relative(ROOT, goldenPath)}; run with UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(goldenPath, 'utf8'));
      }
    });
  }

  it('ships the app\'s Python modules, which compile', () => {
    const modules = Object.fromEntries(KERAS_SHIPPED_MODULES.map((m) => [m, shippedPythonModule(m)]));
    expect(modules['tfjs_weights.py']).toBe(readFileSync(path.join(ROOT, 'main/python/tfjs_weights.py'), 'utf8'));
    pyCompile(modules);
  });

  it('sets each layer\'s trained weights in the order set_weights takes them (the shipped set_keras_weights, no Keras needed)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keras-weights-'));
    try {
      writeFileSync(path.join(dir, 'tfjs_weights.py'), shippedPythonModule('tfjs_weights.py'));
      const kernel = new Float32Array([1, 2, 3, 4, 5, 6]);
      const bias = new Float32Array([-1, -2]);
      writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat([Buffer.from(bias.buffer), Buffer.from(kernel.buffer)]));
      const manifest = [{ paths: ['weights.bin'], weights: [{ name: 'dense_1/bias', shape: [2], dtype: 'float32' }, { name: 'dense_1/kernel', shape: [3, 2], dtype: 'float32' }] }];
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ weightsManifest: manifest }));
      // A stand-in for a Keras model: get_layer(name).set_weights(list) records what it was given.
      const script = [
        'import json, sys',
        `sys.path.insert(0, ${JSON.stringify(dir)})`,
        'from tfjs_weights import set_keras_weights',
        'class Layer:',
        '    def set_weights(self, ws): self.got = [w.tolist() for w in ws]',
        'class Model:',
        '    layers = {"dense_1": Layer()}',
        '    def get_layer(self, name): return self.layers[name]',
        `m = set_keras_weights(Model(), {"dense_1": ["dense_1/kernel", "dense_1/bias"]}, ${JSON.stringify(path.join(dir, 'model.json'))})`,
        'print(json.dumps(m.get_layer("dense_1").got))',
      ].join('\n');
      const got = JSON.parse(execFileSync(PYTHON, ['-B', '-c', script], { encoding: 'utf8' }));
      expect(got).toEqual([[[1, 2], [3, 4], [5, 6]], [-1, -2]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the learning rate of every epoch and the optimizer settings of the project', () => {
    const base = loadTemplate('spirals-mlp');
    const project: Project = {
      ...base,
      training: { ...base.training, epochs: 4, optimizer: 'sgd', momentum: 0.9, nesterov: true, schedule: { ...base.training.schedule, type: 'step', stepEpochs: 2, gamma: 0.5 }, l2: 0.01, earlyStopping: { ...base.training.earlyStopping, enabled: true, monitor: 'val_acc' } },
    };
    const train = generateKerasProject(project, sourceOf(project))['train.py'];
    expect(train).toContain(`"learning_rates": [${base.training.learningRate}, ${base.training.learningRate}, ${base.training.learningRate / 2}, ${base.training.learningRate / 2}]`);
    expect(train).toContain(`keras.optimizers.SGD(learning_rate=${base.training.learningRate}, momentum=0.9, nesterov=True)`);
    expect(train).toContain('"monitor": "val_accuracy",');
    expect(train).toMatch(/Not reproduced here:\n- the L1\/L2 penalty/);
  });

  it('refuses a Transformer whose Key dim Keras-Hub cannot express, naming the layer', () => {
    const project = loadTemplate('reviews-transformer');
    const source = sourceOf(project);
    const layers = source.layers.map((l) => (l.class_name === 'TransformerEncoder' ? { ...l, config: { ...l.config, key_dim: 8 } } : l));
    const topology = { ...(source.modelTopology as object), config: { ...(source.modelTopology as { config: object }).config, layers } };
    expect(() => generateKerasProject(project, { ...source, modelTopology: topology })).toThrow(/transformer_encoder_1: .*Key dim to 0/);
  });
});
