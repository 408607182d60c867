import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import * as tf from '@tensorflow/tfjs';
import { SHIPPED_DIR } from '../../main/core/codegen/typescript';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { getLayerSpec } from '../../main/core/layers/registry';
import { compileGraph } from '../../main/node/compiler';
import { generateProjectFiles, shippedSources, sourceLocations } from '../../main/node/projectSources';
import { DatasetChoiceSchema, TrainingConfigSchema, emptyProject, parseProject, type Graph, type Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

function loadTemplate(name: string): Project {
  return parseProject(readFileSync(path.join(ROOT, 'templates', `${name}.json`), 'utf8'), name);
}

type NodeSpec = [id: string, kind: string, name: string, params?: Record<string, unknown>];

/** Edges as [source, target], or [source, target, output of the source] for a layer with several outputs. */
function project(name: string, nodes: NodeSpec[], edges: Array<[string, string] | [string, string, number]>, changes: Partial<Project> = {}): Project {
  const graph: Graph = {
    nodes: nodes.map(([id, kind, nodeName, params], i) => ({ id, kind, name: nodeName, params: params ?? {}, position: { x: i * 200, y: 0 } })),
    edges: edges.map(([source, target, port], i) => ({ id: `e${i}`, source, target, ...(port ? { sourcePort: port } : {}) })),
  };
  return { ...emptyProject(name), graph, ...changes };
}

/** Flatten feeds two Dense branches that Add joins; custom dataset without validation or test split. */
const addBranches = project(
  'Add branches',
  [
    ['in', 'Input', 'input_1', { shape: [28, 28, 1] }],
    ['flat', 'Flatten', 'flatten_1'],
    ['a', 'Dense', 'branch_a', { units: 32, activation: 'relu' }],
    ['b', 'Dense', 'branch_b', { units: 32, activation: 'tanh' }],
    ['add', 'Add', 'add_1'],
    ['out', 'Dense', 'dense_out', { units: 10, activation: 'softmax' }],
  ],
  [
    ['in', 'flat'],
    ['flat', 'a'],
    ['flat', 'b'],
    ['a', 'add'],
    ['b', 'add'],
    ['add', 'out'],
  ],
  { dataset: DatasetChoiceSchema.parse({ source: { type: 'csv', path: 'my-sensor-data.csv', labelColumn: 'label' }, validationFraction: 0, testFraction: 0, splitSeed: 7 }) },
);

/**
 * Two branches of different widths joined by Concatenate (inputs in edge order: b before a).
 * Names that collide once camel-cased (left_1, left1) or clash with the `tf` import must still compile.
 */
const concatBranches = project(
  'Concat */ branches',
  [
    ['in', 'Input', 'input_1', { shape: [28, 28, 1] }],
    ['flat', 'Flatten', 'flatten_1'],
    ['a', 'Dense', 'left_1', { units: 32, activation: 'relu' }],
    ['b', 'Dense', 'left1', { units: 16, activation: 'tanh', useBias: false }],
    ['drop', 'Dropout', 'tf', { rate: 0.3 }],
    ['cat', 'Concatenate', 'concatenate_1', { axis: -1 }],
    ['out', 'Dense', 'logits', { units: 10, activation: 'linear' }],
    ['act', 'Activation', 'probs', { activation: 'softmax' }],
  ],
  [
    ['in', 'flat'],
    ['flat', 'a'],
    ['flat', 'b'],
    ['b', 'drop'],
    ['drop', 'cat'],
    ['a', 'cat'],
    ['cat', 'out'],
    ['out', 'act'],
  ],
  {
    dataset: DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'mnist' }, validationFraction: 0.2, testFraction: 0, splitSeed: 99 }),
    training: TrainingConfigSchema.parse({ epochs: 3, batchSize: 64, learningRate: 0.01, optimizer: 'rmsprop', seed: 1 }),
  },
);

const smallCnn = project(
  'Small CNN',
  [
    ['in', 'Input', 'input_1', { shape: [28, 28, 1] }],
    ['conv', 'Conv2D', 'conv2d_1', { filters: 8, kernelSize: [3, 3], activation: 'relu' }],
    ['pool', 'MaxPooling2D', 'max_pooling2d_1', { poolSize: [2, 2], strides: [2, 2] }],
    ['flat', 'Flatten', 'flatten_1'],
    ['out', 'Dense', 'dense_1', { units: 10, activation: 'softmax' }],
  ],
  [
    ['in', 'conv'],
    ['conv', 'pool'],
    ['pool', 'flat'],
    ['flat', 'out'],
  ],
  { training: TrainingConfigSchema.parse({ epochs: 1, batchSize: 16, learningRate: 0.05, optimizer: 'sgd', seed: 3 }) },
);

/** A frozen BatchNormalization after a trainable Conv2D: model.ts builds it with alwaysInference (as in Keras). */
const frozenNorm = project(
  'Frozen norm',
  [
    ['in', 'Input', 'input_1', { shape: [28, 28, 1] }],
    ['conv', 'Conv2D', 'conv2d_1', { filters: 4, kernelSize: [3, 3], activation: 'relu' }],
    ['norm', 'BatchNormalization', 'batch_normalization_1'],
    ['flat', 'Flatten', 'flatten_1'],
    ['out', 'Dense', 'dense_1', { units: 10, activation: 'softmax' }],
  ],
  [
    ['in', 'conv'],
    ['conv', 'norm'],
    ['norm', 'flat'],
    ['flat', 'out'],
  ],
);
frozenNorm.graph.nodes.find((n) => n.id === 'norm')!.trainable = false;

/** Where the data of the source cases would live (only their paths are printed; nothing reads them here). */
const DATA_DIR = path.join(ROOT, '.neurowire-tmp', 'codegen-data');

function dataset(source: Record<string, unknown>, split: Record<string, unknown> = {}) {
  return DatasetChoiceSchema.parse({ source, validationFraction: 0.2, testFraction: 0.2, splitSeed: 11, ...split });
}

function training(options: Record<string, unknown> = {}) {
  return TrainingConfigSchema.parse({ epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'adam', seed: 5, ...options });
}

/** Input → Dense(16) → Dense(units, activation). */
function mlp(name: string, shape: number[], units: number, activation: string, changes: Partial<Project>): Project {
  const nodes: NodeSpec[] = [['in', 'Input', 'input_1', { shape }]];
  const edges: Array<[string, string]> = [];
  let last = 'in';
  if (shape.length > 1) {
    nodes.push(['flat', 'Flatten', 'flatten_1']);
    edges.push([last, 'flat']);
    last = 'flat';
  }
  nodes.push(['hidden', 'Dense', 'dense_1', { units: 16, activation: 'relu' }], ['out', 'Dense', 'dense_2', { units, activation }]);
  edges.push([last, 'hidden'], ['hidden', 'out']);
  return project(name, nodes, edges, changes);
}

const TEXT_VOCABULARY = ['<pad>', '<unk>', 'good', 'bad', 'movie', 'great', 'awful', 'plot'];

/** Embedding → pooling → Dense: a text classifier over token ids. */
function textClassifier(name: string, vocabulary: number, head: NodeSpec, changes: Partial<Project>, recurrent = false): Project {
  return project(
    name,
    [
      ['in', 'Input', 'input_1', { shape: [12] }],
      ['emb', 'Embedding', 'embedding_1', { inputDim: vocabulary, outputDim: 8 }],
      recurrent ? ['seq', 'LSTM', 'lstm_1', { units: 8 }] : ['seq', 'GlobalAveragePooling1D', 'global_average_pooling1d_1'],
      head,
    ],
    [
      ['in', 'emb'],
      ['emb', 'seq'],
      ['seq', head[0]],
    ],
    changes,
  );
}

/** One project per kind of source and a few combinations of training options. */
const SOURCE_CASES: Array<[string, Project]> = [
  [
    'fashion-cnn',
    project(
      'Fashion CNN',
      [
        ['in', 'Input', 'input_1', { shape: [28, 28, 1] }],
        ['conv', 'Conv2D', 'conv2d_1', { filters: 4, kernelSize: [3, 3], activation: 'relu' }],
        ['bn', 'BatchNormalization', 'batch_normalization_1'],
        ['pool', 'GlobalAveragePooling2D', 'global_average_pooling2d_1'],
        ['out', 'Dense', 'dense_1', { units: 10, activation: 'softmax' }],
      ],
      [
        ['in', 'conv'],
        ['conv', 'bn'],
        ['bn', 'pool'],
        ['pool', 'out'],
      ],
      {
        dataset: dataset({ type: 'builtin', name: 'fashion-mnist', dir: path.join(DATA_DIR, 'fashion') }, { stratify: true }),
        training: training({ optimizer: 'adamw', weightDecay: 0.01, schedule: { type: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 1 } }),
      },
    ),
  ],
  [
    'cifar-mlp',
    mlp('CIFAR MLP', [32, 32, 3], 10, 'softmax', {
      dataset: dataset({ type: 'builtin', name: 'cifar10', dir: path.join(DATA_DIR, 'cifar') }),
      training: training({ optimizer: 'sgd', momentum: 0.9, nesterov: true, schedule: { type: 'cosine', minLearningRate: 0.001 } }),
    }),
  ],
  [
    'spirals-clip-norm',
    mlp('Spirals', [2], 2, 'softmax', {
      dataset: dataset({ type: 'builtin', name: 'spirals', samples: 300, noise: 0.05 }, { stratify: true }),
      training: training({ gradientClip: { type: 'norm', value: 1 }, classWeights: 'balanced', earlyStopping: { enabled: true, patience: 2 }, l2: 0.001 }),
    }),
  ],
  [
    'xor-clip-value',
    mlp('XOR', [2], 1, 'sigmoid', {
      dataset: dataset({ type: 'builtin', name: 'xor', samples: 200 }, { validationFraction: 0 }),
      training: training({ optimizer: 'adamw', weightDecay: 0.05, gradientClip: { type: 'value', value: 0.5 }, earlyStopping: { enabled: true, monitor: 'val_acc', restoreBest: false } }),
    }),
  ],
  ['circles', mlp('Circles', [2], 2, 'softmax', { dataset: dataset({ type: 'builtin', name: 'circles', samples: 200 }) })],
  [
    'sine-lstm',
    project(
      'Sine LSTM',
      [
        ['in', 'Input', 'input_1', { shape: [24, 1] }],
        ['lstm', 'LSTM', 'lstm_1', { units: 8 }],
        ['out', 'Dense', 'dense_1', { units: 1, activation: 'linear' }],
      ],
      [
        ['in', 'lstm'],
        ['lstm', 'out'],
      ],
      {
        dataset: dataset({ type: 'builtin', name: 'sine', samples: 120 }),
        training: training({ optimizer: 'rmsprop', momentum: 0.5, l1: 0.0001, earlyStopping: { enabled: true, monitor: 'val_acc' }, schedule: { type: 'exponential', gamma: 0.9 } }),
      },
    ),
  ],
  [
    'csv-classifier',
    mlp('Iris table', [7], 3, 'softmax', {
      dataset: dataset({ type: 'csv', path: path.join(DATA_DIR, 'flowers.csv'), labelColumn: 'species', missing: 'mean' }, { stratify: true }),
      training: training({ classWeights: 'balanced' }),
    }),
  ],
  [
    'csv-regression',
    mlp('House prices', [3], 1, 'linear', {
      dataset: dataset({ type: 'csv', path: path.join(DATA_DIR, 'houses.csv'), labelColumn: 'price', task: 'regression', categorical: 'index', missing: 'zero', badRows: 'stop', featureColumns: ['rooms', 'area', 'town'] }),
      training: training({ optimizer: 'sgd', earlyStopping: { enabled: true, monitor: 'val_loss', minDelta: 0.01 } }),
    }),
  ],
  [
    'csv-auto',
    mlp('Auto task', [7], 1, 'sigmoid', {
      dataset: dataset({ type: 'csv', path: path.join(DATA_DIR, 'flowers-binary.csv'), labelColumn: 'species' }),
      training: training({ optimizer: 'adagrad' }),
    }),
  ],
  [
    'text-classifier',
    textClassifier('Review sentiment', 8, ['out', 'Dense', 'dense_1', { units: 1, activation: 'sigmoid' }], {
      dataset: dataset({ type: 'text', path: path.join(DATA_DIR, 'reviews.csv'), textColumn: 'review', labelColumn: 'sentiment', sequenceLength: 12, vocabulary: TEXT_VOCABULARY }),
      training: training(),
    }),
  ],
  [
    'text-lstm',
    textClassifier('Review topics', 40, ['out', 'Dense', 'dense_1', { units: 3, activation: 'softmax' }], {
      dataset: dataset({ type: 'text', path: path.join(DATA_DIR, 'topics.csv'), textColumn: 'text', labelColumn: 'topic', vocabSize: 40, sequenceLength: 12, lowercase: false }, { stratify: true }),
      training: training({ gradientClip: { type: 'norm', value: 5 } }),
    }, true),
  ],
  [
    'images-rgb',
    project(
      'Image folders',
      [
        ['in', 'Input', 'input_1', { shape: [8, 10, 3] }],
        ['conv', 'Conv2D', 'conv2d_1', { filters: 4, kernelSize: [3, 3], activation: 'relu' }],
        ['pool', 'GlobalMaxPooling2D', 'global_max_pooling2d_1'],
        ['out', 'Dense', 'dense_1', { units: 2, activation: 'softmax' }],
      ],
      [
        ['in', 'conv'],
        ['conv', 'pool'],
        ['pool', 'out'],
      ],
      { dataset: dataset({ type: 'images', path: path.join(DATA_DIR, 'images'), width: 10, height: 8, channels: 3 }, { stratify: true }), training: training({ l1: 0.001 }) },
    ),
  ],
  [
    'images-gray',
    mlp('Gray images', [8, 10, 1], 2, 'softmax', { dataset: dataset({ type: 'images', path: path.join(DATA_DIR, 'images'), width: 10, height: 8, channels: 1 }) }),
  ],
  [
    'timeseries-conv1d',
    project(
      'Sensor forecast',
      [
        ['in', 'Input', 'input_1', { shape: [6, 3] }],
        ['conv', 'Conv1D', 'conv1d_1', { filters: 4, kernelSize: 3, activation: 'relu' }],
        ['norm', 'LayerNormalization', 'layer_normalization_1'],
        ['pool', 'GlobalMaxPooling1D', 'global_max_pooling1d_1'],
        ['out', 'Dense', 'dense_1', { units: 1, activation: 'linear' }],
      ],
      [
        ['in', 'conv'],
        ['conv', 'norm'],
        ['norm', 'pool'],
        ['pool', 'out'],
      ],
      {
        dataset: dataset({ type: 'timeseries', path: path.join(DATA_DIR, 'sensor.csv'), targetColumn: 'load', window: 6, horizon: 2, stride: 2 }),
        training: training({ optimizer: 'adamw', weightDecay: 0.01, gradientClip: { type: 'value', value: 1 }, schedule: { type: 'constant', warmupEpochs: 2 } }),
      },
    ),
  ],
];

/** Layers TensorFlow.js lacks (Neurowire's own classes) and wrappers: model.ts defines the classes and nests inner layers. */
const LAYER_LIBRARY_CASES: Array<[string, Project]> = [
  [
    'transformer-text',
    project(
      'Transformer reviews',
      [
        ['in', 'Input', 'input_1', { shape: [12] }],
        ['emb', 'Embedding', 'embedding_1', { inputDim: 40, outputDim: 16 }],
        ['pos', 'PositionalEmbedding', 'positional_embedding_1', { mode: 'learned', maxLength: 12 }],
        ['enc', 'TransformerEncoder', 'transformer_encoder_1', { numHeads: 2, intermediateDim: 32, dropout: 0.1 }],
        ['mha', 'MultiHeadAttention', 'multi_head_attention_1', { numHeads: 2, keyDim: 8, useCausalMask: true }],
        ['bi', 'Bidirectional', 'bidirectional_1', { layer: { kind: 'GRU', params: { units: 8, resetAfter: true } }, mergeMode: 'concat' }],
        ['out', 'Dense', 'dense_1', { units: 3, activation: 'softmax' }],
      ],
      [
        ['in', 'emb'],
        ['emb', 'pos'],
        ['pos', 'enc'],
        ['enc', 'mha'],
        ['mha', 'bi'],
        ['bi', 'out'],
      ],
      { dataset: dataset({ type: 'text', path: path.join(DATA_DIR, 'topics.csv'), textColumn: 'text', labelColumn: 'topic', vocabSize: 40, sequenceLength: 12, lowercase: false }), training: training() },
    ),
  ],
  [
    'difference-net',
    project(
      'Difference',
      [
        ['in', 'Input', 'input_1', { shape: [16, 3] }],
        ['a', 'Conv1D', 'conv1d_1', { filters: 4, kernelSize: 3, padding: 'same' }],
        ['b', 'TimeDistributed', 'time_distributed_1', { layer: { kind: 'Dense', params: { units: 4 } } }],
        ['sub', 'Subtract', 'subtract_1'],
        ['up', 'UpSampling1D', 'up_sampling1d_1'],
        ['pool', 'GlobalMaxPooling1D', 'global_max_pooling1d_1'],
        ['out', 'Dense', 'dense_1', { units: 2, activation: 'softmax' }],
      ],
      [
        ['in', 'a'],
        ['in', 'b'],
        ['a', 'sub'],
        ['b', 'sub'],
        ['sub', 'up'],
        ['up', 'pool'],
        ['pool', 'out'],
      ],
      { dataset: dataset({ type: 'builtin', name: 'spirals' }), training: training() },
    ),
  ],
];

/** Layers with several outputs: an encoder LSTM's states start the decoder; the attention also returns its scores. */
const seq2seq = project(
  'Sequence to sequence',
  [
    ['in', 'Input', 'steps', { shape: [8, 3] }],
    ['enc', 'LSTM', 'encoder', { units: 16, returnState: true }],
    ['dec', 'LSTM', 'decoder', { units: 16, returnSequences: true }],
    ['att', 'MultiHeadAttention', 'attention', { numHeads: 2, keyDim: 8, returnAttentionScores: true }],
    ['pool', 'GlobalAveragePooling1D', 'pool'],
    ['out', 'Dense', 'dense_1', { units: 2, activation: 'softmax' }],
  ],
  [
    ['in', 'enc'],
    ['in', 'dec'],
    ['enc', 'dec', 1],
    ['enc', 'dec', 2],
    ['dec', 'att'],
    ['att', 'pool'],
    ['pool', 'out'],
  ],
  { dataset: dataset({ type: 'builtin', name: 'spirals' }), training: training() },
);

/** A stateful LSTM over the sine series: the Input's fixed batch (batchShape) and the layer's `stateful` in the code. */
const statefulLstm = project(
  'Stateful LSTM',
  [
    ['in', 'Input', 'input_1', { shape: [24, 1], batchSize: 16 }],
    ['lstm', 'LSTM', 'lstm_1', { units: 8, stateful: true }],
    ['out', 'Dense', 'dense_1', { units: 1, activation: 'linear' }],
  ],
  [
    ['in', 'lstm'],
    ['lstm', 'out'],
  ],
  { dataset: dataset({ type: 'builtin', name: 'sine' }), training: training({ batchSize: 16 }) },
);

const CASES: Array<[string, Project]> = [
  ['mnist-mlp', loadTemplate('mnist-mlp')],
  // The input itself as the target: the same train.ts, a decoder of Conv2DTranspose and UpSampling2D in model.ts.
  ['mnist-autoencoder', loadTemplate('mnist-autoencoder')],
  ['add-branches', addBranches],
  ['concat-branches', concatBranches],
  ['small-cnn', smallCnn],
  ['frozen-norm', frozenNorm],
  ...SOURCE_CASES,
  ...LAYER_LIBRARY_CASES,
  ['seq2seq', seq2seq],
  ['stateful-lstm', statefulLstm],
];

/** Projects with golden files under tests/golden/<name>/. */
const GOLDEN = ['mnist-mlp', 'mnist-autoencoder', 'csv-classifier', 'text-classifier', 'transformer-text', 'seq2seq'];

/** The project with its data paths made relative (data/<file>), as golden files must not hold this machine's paths. */
function withRelativePaths(p: Project): Project {
  const source = p.dataset.source;
  if (source.type === 'builtin') return p;
  return { ...p, dataset: { ...p.dataset, source: { ...source, path: `data/${path.basename(source.path)}` } } };
}

function caseNamed(name: string): Project {
  return CASES.find(([id]) => id === name)![1];
}

const generate = generateProjectFiles;
const GENERATED = ['README.md', 'model.ts', 'package.json', 'project.neurowire.json', 'train.ts', 'tsconfig.json'];
const APP_PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<'dependencies' | 'devDependencies' | 'optionalDependencies', Record<string, string>>;

/** The files' own text after the header comment (train.ts: the same for every project). */
function afterHeader(text: string): string {
  return text.slice(text.indexOf('*/'));
}

describe('generated TypeScript project', () => {
  it('has the generated files and the shipped modules, and the dependencies those import at the app\'s versions', () => {
    const files = generate(loadTemplate('mnist-mlp'));
    const shipped = Object.keys(files).filter((f) => f.startsWith(`${SHIPPED_DIR}/`));
    expect(Object.keys(files).filter((f) => !shipped.includes(f)).sort()).toEqual(GENERATED);
    expect(shipped.map((f) => f.slice(SHIPPED_DIR.length + 1)).sort()).toEqual(shippedSources().modules);
    const pkg = JSON.parse(files['package.json']);
    expect(pkg.scripts.train).toBe('tsx train.ts');
    // mnist is found by require.resolve, papaparse and sharp by the CSV/text and image readers, zod by the project schema.
    expect(Object.keys(pkg.dependencies)).toEqual(['@tensorflow/tfjs', 'mnist', 'papaparse', 'sharp', 'zod']);
    for (const [name, range] of Object.entries(pkg.dependencies)) expect(range, name).toBe(APP_PACKAGE.dependencies[name]);
    expect(pkg.devDependencies).toEqual({
      '@types/node': APP_PACKAGE.devDependencies['@types/node'],
      '@types/papaparse': APP_PACKAGE.devDependencies['@types/papaparse'],
      tsx: APP_PACKAGE.devDependencies.tsx,
      typescript: APP_PACKAGE.devDependencies.typescript,
    });
    expect(JSON.parse(files['tsconfig.json']).compilerOptions.strict).toBe(true);
    expect(files['README.md']).toContain('npm run train');
    expect(parseProject(files['project.neurowire.json'])).toEqual(loadTemplate('mnist-mlp'));
  });

  it('ships each module as the app\'s file, byte for byte, and only what train.ts needs', () => {
    const files = generate(caseNamed('csv-classifier'));
    const { main } = sourceLocations();
    const shipped = Object.keys(files).filter((f) => f.startsWith(`${SHIPPED_DIR}/`));
    for (const name of shipped) {
      const app = readFileSync(path.join(main, name.slice(SHIPPED_DIR.length + 1)));
      expect(Buffer.from(files[name], 'utf8').equals(app), name).toBe(true);
    }
    const modules = shipped.map((f) => f.slice(SHIPPED_DIR.length + 1));
    expect(modules).toEqual(expect.arrayContaining(['core/training/job.ts', 'core/training/loop.ts', 'node/datasets/index.ts', 'node/datasets/csv.ts', 'core/project.ts']));
    // Not the app's backend choice, kernels, engine, renderer or code generator.
    expect(modules.filter((m) => /^(node\/(wasm|backend|training|engine|export)|core\/codegen|renderer|electron)/.test(m))).toEqual([]);
    // Every relative import of a shipped module names a shipped module (the closure is complete).
    for (const name of shipped) {
      for (const [, spec] of files[name].matchAll(/\bfrom\s*'(\.[^']+)'/g)) {
        const target = path.posix.join(path.posix.dirname(name), spec);
        expect(files[`${target}.ts`] ?? files[`${target}/index.ts`], `${name} imports ${spec}`).toBeDefined();
      }
    }
  });

  it('keeps the saved vocabulary of a text project in its settings', () => {
    const files = generate(caseNamed('text-classifier'));
    const source = parseProject(files['project.neurowire.json']).dataset.source;
    expect(source.type === 'text' && source.vocabulary).toEqual(TEXT_VOCABULARY);
  });

  for (const name of GOLDEN) {
    it(`matches the golden files: ${name}`, () => {
      const files = generate(withRelativePaths(caseNamed(name)));
      const dir = path.join(ROOT, 'tests/golden', name);
      // train.ts is kept as train.ts.txt: its imports resolve only inside a generated project (next to src/neurowire),
      // and the repository's type check covers tests/.
      for (const [file, golden] of [['model.ts', 'model.ts'], ['train.ts', 'train.ts.txt']]) {
        const goldenPath = path.join(dir, golden);
        if (UPDATE_GOLDEN) {
          mkdirSync(dir, { recursive: true });
          writeFileSync(goldenPath, files[file]);
        }
        expect(files[file], `${file} differs from ${path.relative(ROOT, goldenPath)}; run with UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(goldenPath, 'utf8'));
      }
    });
  }

  it('is deterministic and reads like hand-written code', () => {
    for (const [id, p] of CASES) {
      const files = generate(p);
      expect(generate(p)).toEqual(files);
      for (const name of ['model.ts', 'train.ts']) {
        const lines = files[name].split('\n');
        expect(lines.filter((l) => /\s$/.test(l)), `${id} ${name}: trailing whitespace`).toEqual([]);
        expect(lines.filter((l) => /^( {2})* ?\S/.test(l) === false && l !== ''), `${id} ${name}: indentation`).toEqual([]);
        expect(lines.filter((l) => l.startsWith('\t')), `${id} ${name}: tabs`).toEqual([]);
        expect(lines.filter((l) => l.length > 150), `${id} ${name}: very long lines`).toEqual([]);
        expect(files[name].match(/\n\n\n/), `${id} ${name}: double blank lines`).toBeNull();
        expect(files[name]).not.toMatch(/main\/core|from '\.\.\/|\[object Object\]/);
      }
    }
  });

  it('prints layer configs from the specs, with the node names, and merge inputs in edge order', () => {
    const model = generate(concatBranches)['model.ts'];
    expect(model).toContain("const input1 = tf.input({ shape: [28, 28, 1], name: 'input_1' });");
    expect(model).toMatch(/\.concatenate\(\{ axis: -1, name: 'concatenate_1' \}\)\s*\.apply\(\[tfLayer, left1\]\)/);
    // left_1 takes "left1"; the layer literally named left1 gets a distinct variable.
    expect(model).toMatch(/const left1 = tf\.layers[\s\S]*?name: 'left_1'/);
    expect(model).toMatch(/const left1Layer = tf\.layers[\s\S]*?name: 'left1'/);
    // The project name cannot end the header comment early.
    expect(model.split('*/').length).toBe(model.split('/**').length);
  });

  it('prints a fixed batch as the Input\'s batchShape and a stateful layer\'s setting', () => {
    const model = generate(statefulLstm)['model.ts'];
    expect(model).toContain("tf.input({ batchShape: [16, 24, 1], name: 'input_1' })");
    expect(model).toMatch(/\.lstm\(\{[^}]*stateful: true,[^}]*name: 'lstm_1'/);
  });

  it('train.ts has no reader or loop of its own: it trains with the shipped modules, the same code for every project', () => {
    const reference = generate(loadTemplate('mnist-mlp'))['train.ts'];
    for (const piece of [
      "import { runTrainingJob } from './src/neurowire/core/training/job';",
      "import { openDatasetLogged } from './src/neurowire/node/datasets/index';",
      "import { parseProject, type Project } from './src/neurowire/core/project';",
      "import { buildModel } from './model';",
      'buildModel: () => buildModel(),',
    ]) {
      expect(reference).toContain(piece);
    }
    for (const piece of ['model.fit', 'applyGradients', 'papaparse', 'sharp', 'learningRate', 'mulberry32', 'oneHot']) expect(reference, piece).not.toContain(piece);
    for (const [id, p] of CASES) expect(afterHeader(generate(p)['train.ts']), id).toBe(afterHeader(reference));
    // Where the data comes from is said in the header.
    expect(generate(caseNamed('csv-classifier'))['train.ts']).toMatch(/^ \* Trains .* on the table .*flowers\.csv/m);
  });

  it('refuses an invalid graph with the first problem', () => {
    const broken = project('Broken', [['in', 'Input', 'input_1', { shape: [4] }], ['d', 'Dense', 'dense_1']], []);
    expect(() => generate(broken)).toThrow(/dense_1 has no input/);
  });

  it('stays pure: no tfjs or Node imports in the generator', () => {
    for (const file of ['typescript.ts', 'trainFile.ts', 'print.ts']) {
      const source = readFileSync(path.join(ROOT, 'main/core/codegen', file), 'utf8');
      expect(source, file).not.toMatch(/^import .* from '(@tensorflow|node:|fs|path)/m);
    }
  });
});

describe('generated code compiles and builds the same model', () => {
  let tmpRoot: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    mkdirSync(path.join(ROOT, '.neurowire-tmp'), { recursive: true });
    // Under the repo so that module resolution finds node_modules (tfjs, @types/node, zod…).
    tmpRoot = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'codegen-'));
    for (const [id, p] of CASES) {
      for (const [name, text] of Object.entries(generate(p))) {
        mkdirSync(path.dirname(path.join(tmpRoot, id, name)), { recursive: true });
        writeFileSync(path.join(tmpRoot, id, name), text);
      }
    }
  });
  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  /** tsc with the project's tsconfig (in configDir), on `only` (paths relative to dir) when given, else all it includes. */
  function typecheck(dir: string, only?: string[], configDir = dir): string[] {
    const configPath = path.join(configDir, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
    if (error) return [ts.flattenDiagnosticMessageText(error.messageText, '\n')];
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, configDir);
    expect(parsed.options.strict).toBe(true);
    const rootNames = only ? only.map((f) => path.join(dir, f)) : parsed.fileNames;
    const program = ts.createProgram({ rootNames, options: parsed.options });
    return [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return text;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${path.relative(dir, d.file.fileName)}:${line + 1}:${character + 1} ${text}`;
    });
  }

  function describeLayers(model: tf.LayersModel) {
    return model.layers.map((l) => ({ name: l.name, className: l.getClassName(), outputShape: l.outputShape, params: l.countParams() }));
  }

  it('has every layer kind the cases need in the registry', () => {
    for (const [, p] of CASES) for (const n of p.graph.nodes) expect(getLayerSpec(n.kind), n.kind).toBeDefined();
  });

  it('the whole project (train.ts and the shipped modules) passes tsc --strict', () => {
    const diagnostics = typecheck(path.join(tmpRoot, 'mnist-mlp'));
    expect(diagnostics, `TypeScript diagnostics for the generated project:\n${diagnostics.join('\n')}`).toEqual([]);
  }, 600_000); // a guard against a hang, not a speed limit: tsc takes 40–130 s here depending on load

  it('every model.ts passes tsc --strict', () => {
    // One program for all cases (train.ts is the same everywhere and checked above): far quicker than one each.
    const diagnostics = typecheck(tmpRoot, CASES.map(([id]) => `${id}/model.ts`), path.join(tmpRoot, CASES[0][0]));
    expect(diagnostics, `TypeScript diagnostics of the generated model.ts files:\n${diagnostics.join('\n')}`).toEqual([]);
  }, 600_000); // a guard against a hang, not a speed limit: tsc takes 40–130 s here depending on load

  for (const [id, p] of CASES) {
    it(`${id}: buildModel() equals compileGraph()`, async () => {
      const dir = path.join(tmpRoot, id);
      const generated = (await import(path.join(dir, 'model.ts'))) as { buildModel(): tf.LayersModel };
      const built = generated.buildModel();
      const reference = compileGraph(tf, p.graph);
      const analysis = analyzeGraph(p.graph);
      try {
        expect(describeLayers(built)).toEqual(describeLayers(reference));
        expect(built.countParams()).toBe(reference.countParams());
        expect(built.countParams()).toBe(analysis.totalParams);
        expect(built.name).toBe(reference.name);
        // Same wiring and configs, layer by layer (inbound nodes included).
        expect(built.toJSON(null, false)).toEqual(reference.toJSON(null, false));
      } finally {
        built.dispose();
        reference.dispose();
      }
    });
  }
});
