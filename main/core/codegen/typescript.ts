import { type Project, type ProjectNode } from '../project';
import { analyzeGraph, incomingEdges, parseParams, type GraphAnalysis } from '../graph/analyze';
import { isInputKind, requireLayerSpec } from '../layers/registry';
import { formatShape, type Shape } from '../shapes';
import type { Task } from './loaders';
import { MAX_LINE, RawCode, camelCase, commentText, formatCount, formatJson, literal, multilineObject, objectLiteral, uniqueIdentifier } from './print';
import { renderTrainFile, trainFileDependencies, type LossName, type TrainPlan } from './trainFile';

/**
 * Turns a project into a small standalone npm project (model.ts, train.ts, package.json,
 * tsconfig.json, README.md) that builds, trains and saves the same network with plain TensorFlow.js.
 *
 * Pure string building: no tfjs, no Node APIs, so the renderer can show it as a live preview.
 * Layers are printed from the same `spec.tfjs` description that the compiler uses to build the
 * live model, so the generated model and the one Neurowire trains cannot drift apart.
 * train.ts reads the project's data the way Neurowire reads it (see loaders.ts) and trains with
 * the project's options (see trainFile.ts); nothing of Neurowire is needed at run time.
 */
export function generateTypeScriptProject(project: Project): Record<string, string> {
  const analysis = analyzeGraph(project.graph);
  if (!analysis.valid) {
    const nodeError = project.graph.nodes.map((n) => analysis.nodes[n.id]?.errors[0]).find(Boolean);
    throw new Error(`Fix the network before generating code: ${nodeError ?? analysis.errors[0] ?? 'the network is not valid.'}`);
  }
  const model = describeModel(project, analysis);
  const plan = trainPlan(project, model);
  const extra = trainFileDependencies(plan);
  const files: Record<string, string> = {
    'model.ts': renderModelFile(project, model, plan),
    'train.ts': renderTrainFile(plan),
    'package.json': renderPackageJson(project, extra),
    'tsconfig.json': renderTsconfig(),
    'README.md': renderReadme(project, model, plan, extra),
    ...extra.files,
  };
  return files;
}

/** Name given to the tf.LayersModel, the same as the compiler's default. */
const MODEL_NAME = 'neurowire_model';

/** Variable of the L1/L2 regularizer in model.ts. */
const PENALTY = 'penalty';

const BUILTIN_TASKS: Record<string, { task: Task; classes: number }> = {
  mnist: { task: 'classification', classes: 10 },
  'fashion-mnist': { task: 'classification', classes: 10 },
  cifar10: { task: 'classification', classes: 10 },
  spirals: { task: 'classification', classes: 2 },
  xor: { task: 'classification', classes: 2 },
  circles: { task: 'classification', classes: 2 },
  sine: { task: 'regression', classes: 0 },
};

/**
 * The task and loss, as the app's lossFor picks them: regression → mean squared error; classification →
 * binary cross-entropy for one output unit (two classes), categorical cross-entropy otherwise. A CSV whose task
 * is 'auto' is decided by the data in the app; here the model's output decides (more than one unit or a
 * sigmoid: classification), and train.ts checks the data against it.
 */
function trainPlan(project: Project, model: ModelInfo): TrainPlan {
  const source = project.dataset.source;
  const units = model.output.outputShape[model.output.outputShape.length - 1] ?? 1;
  let task: Task;
  let checkAutoTask = false;
  if (source.type === 'builtin') task = BUILTIN_TASKS[source.name].task;
  else if (source.type === 'timeseries') task = 'regression';
  else if (source.type === 'csv' && source.task !== 'auto') task = source.task;
  else if (source.type === 'csv') {
    checkAutoTask = true;
    task = units > 1 || model.output.config.activation === 'sigmoid' ? 'classification' : 'regression';
  } else task = 'classification';
  const loss: LossName = task === 'regression' ? 'meanSquaredError' : units === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy';
  const numClasses = task === 'regression' ? 0 : units === 1 ? 2 : units;
  return {
    project,
    choice: project.dataset,
    task,
    loss,
    numClasses,
    checkAutoTask,
    inputShape: model.input.outputShape.map((d) => d ?? 1),
    sampleSize: model.input.outputShape.reduce<number>((a, b) => a * (b ?? 1), 1),
  };
}

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
      factory: spec.role === 'input' ? 'tf.input' : `tf.layers.${spec.tfjs.factory}`,
      config: { ...spec.tfjs.config(parsed.params), ...penalties(project, node.kind), name: node.name },
    });
  }
  const find = (id: string) => layers.find((l) => l.node.id === id)!;
  return { layers, input: find(analysis.inputIds[0]), output: find(analysis.outputIds[0]), totalParams: analysis.totalParams };
}

/**
 * The L1/L2 regularizer settings of a layer, in generated code only (the app adds the penalties in its loop):
 * one per weight the layer's spec penalizes.
 */
function penalties(project: Project, kind: string): Record<string, RawCode> {
  if (project.training.l1 === 0 && project.training.l2 === 0) return {};
  return Object.fromEntries(requireLayerSpec(kind).penalizedWeights.map((w) => [w.regularizer, new RawCode(PENALTY)]));
}

// ---------------------------------------------------------------------------------------------
// model.ts

function renderModelFile(project: Project, model: ModelInfo, plan: TrainPlan): string {
  const t = project.training;
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
  out.push('/** The learning rate the optimizer starts with. */');
  out.push(`export const LEARNING_RATE = ${t.learningRate};`);
  out.push('');
  out.push('/** Builds the network with the functional API, each layer applied to the layers that feed it. */');
  out.push('export function buildModel(): tf.LayersModel {');
  if (t.l1 > 0 || t.l2 > 0) {
    out.push('  // L1/L2 penalties on every kernel and embedding matrix (not biases), added to the loss while training.');
    out.push(`  const ${PENALTY} = tf.regularizers.l1l2({ l1: ${t.l1}, l2: ${t.l2} });`);
  }
  for (const layer of model.layers) {
    out.push(`  // ${layerComment(layer)}`);
    out.push(...layerStatement(layer));
  }
  out.push(`  return tf.model({ inputs: ${model.input.variable}, outputs: ${model.output.variable}, name: ${literal(MODEL_NAME)} });`);
  out.push('}');
  out.push('');
  const lossText = {
    categoricalCrossentropy: 'cross-entropy loss on one-hot labels, and accuracy reported while training',
    binaryCrossentropy: 'binary cross-entropy on labels 0 or 1 (one sigmoid output), and accuracy reported while training',
    meanSquaredError: 'mean squared error, and the mean absolute error (MAE) reported while training',
  }[plan.loss];
  out.push('/**');
  out.push(` * Prepares the model for training: ${OPTIMIZER_LABELS[t.optimizer]} with learning rate LEARNING_RATE,`);
  out.push(` * ${lossText}.`);
  if (t.optimizer === 'adamw' && t.weightDecay > 0) out.push(' * AdamW is Adam here: train.ts applies the decoupled weight decay after each step.');
  out.push(' */');
  out.push('export function compileModel(model: tf.LayersModel): void {');
  out.push('  model.compile({');
  out.push(`    optimizer: ${optimizerExpression(t)},`);
  out.push(`    loss: '${plan.loss}',`);
  out.push(`    metrics: ['${plan.task === 'classification' ? 'accuracy' : 'mae'}'],`);
  out.push('  });');
  out.push('}');
  return out.join('\n') + '\n';
}

/** The optimizer the app makes for these options (makeOptimizer in the training loop). */
function optimizerExpression(t: Project['training']): string {
  switch (t.optimizer) {
    case 'adam':
    case 'adamw':
      return 'tf.train.adam(LEARNING_RATE)';
    case 'sgd':
      return t.momentum > 0 || t.nesterov ? `tf.train.momentum(LEARNING_RATE, ${t.momentum}, ${t.nesterov})` : 'tf.train.sgd(LEARNING_RATE)';
    case 'rmsprop':
      return t.momentum > 0 ? `tf.train.rmsprop(LEARNING_RATE, 0.9, ${t.momentum})` : 'tf.train.rmsprop(LEARNING_RATE)';
    case 'adagrad':
      return 'tf.train.adagrad(LEARNING_RATE)';
  }
}

const OPTIMIZER_LABELS: Record<Project['training']['optimizer'], string> = {
  adam: 'Adam',
  adamw: 'AdamW (Adam with decoupled weight decay)',
  sgd: 'stochastic gradient descent',
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
  if (isInputKind(layer.kind)) return `${head}: samples of shape ${formatShape(layer.outputShape)}`;
  const params = layer.params > 0 ? `, ${formatCount(layer.params)} parameters` : '';
  return `${head}: ${layer.inputShapes.map(formatShape).join(' + ')} → ${formatShape(layer.outputShape)}${params}`;
}

/** `const x = tf.layers.dense({...}).apply(y) as tf.SymbolicTensor;`, wrapped when long. */
function layerStatement(layer: LayerInfo): string[] {
  const config = objectLiteral(layer.config);
  if (isInputKind(layer.kind)) {
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
// package.json, tsconfig.json, README.md

function packageName(project: Project): string {
  const slug = project.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
  return slug || 'neurowire-model';
}

function renderPackageJson(project: Project, extra: { dependencies: Record<string, string>; devDependencies: Record<string, string> }): string {
  const dependencies: Record<string, string> = { '@tensorflow/tfjs': '^4.22.0', ...extra.dependencies };
  const pkg = {
    name: packageName(project),
    version: '1.0.0',
    private: true,
    description: `${project.name}: a TensorFlow.js model designed in Neurowire.`,
    type: 'module',
    scripts: { train: 'tsx train.ts', typecheck: 'tsc --noEmit' },
    dependencies,
    devDependencies: sortedKeys({ '@types/node': '^20.19.0', ...extra.devDependencies, tsx: '^4.19.0', typescript: '~5.9.2' }),
  };
  return formatJson(pkg);
}

function sortedKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : 1)));
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

function renderReadme(project: Project, model: ModelInfo, plan: TrainPlan, extra: { readme: string[]; files: Record<string, string> }): string {
  const t = project.training;
  const epochs = `${t.epochs} epoch${t.epochs === 1 ? '' : 's'}`;
  const metric = plan.task === 'classification' ? 'accuracy' : 'mean absolute error';
  const options: string[] = [];
  if (t.schedule.type !== 'constant' || t.schedule.warmupEpochs > 0) options.push(`a ${t.schedule.type} learning-rate schedule${t.schedule.warmupEpochs > 0 ? ' with warm-up' : ''}`);
  if (t.optimizer === 'adamw' && t.weightDecay > 0) options.push('AdamW weight decay');
  if (t.earlyStopping.enabled) options.push('early stopping');
  if (t.classWeights === 'balanced' && plan.task === 'classification') options.push('balanced class weights');
  if (t.l1 > 0 || t.l2 > 0) options.push('L1/L2 penalties');
  if (t.gradientClip.type !== 'none') options.push(`gradient clipping by ${t.gradientClip.type} (a written-out training loop)`);
  const lines = [
    `# ${project.name}`,
    '',
    `A neural network designed in Neurowire, as a standalone TensorFlow.js project: ${model.layers.length} layers, ${formatCount(model.totalParams)} parameters.`,
    '',
    '- `model.ts` builds the network (`buildModel`) and sets up training (`compileModel`).',
    `- \`train.ts\` loads ${extra.readme.join(', ')}, splits it as Neurowire does, trains for ${epochs}${options.length ? ` with ${options.join(', ')}` : ''}, reports the ${metric} and saves the model.`,
  ];
  if (extra.files['vocabulary.json']) lines.push('- `vocabulary.json` is the tokenizer vocabulary the project saved (token id = position).');
  lines.push(
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
    'For a quick trial run, `NEUROWIRE_EPOCHS=1 NEUROWIRE_MAX_SAMPLES=500 npm run train` trains one epoch on at most 500 samples per split.',
    '',
    `The trained model is written to \`trained-model/\` (\`model.json\` + \`weights.bin\`${plan.choice.source.type === 'text' ? ', and `vocabulary.json` to turn new texts into token ids' : ''}), the standard TensorFlow.js layers-model format.`,
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
// Names

/** Identifiers a layer variable must not take: keywords, and names the generated files use. */
const RESERVED_IDENTIFIERS = [
  ...'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await async of arguments eval undefined NaN Infinity'.split(
    ' ',
  ),
  'tf',
  'buildModel',
  'compileModel',
];
