import { serializeProject, type Project, type ProjectNode } from '../project';
import { analyzeGraph, incomingPorts, parseParams, portShape, type GraphAnalysis } from '../graph/analyze';
import { LAYER_SPECS, isInputKind, requireLayerSpec } from '../layers/registry';
import { InnerLayer, layerConfig, type AnyLayerSpec } from '../layers/types';
import { runsInferenceWhenFrozen } from '../layers/inference';
import { formatShape, type Shape } from '../shapes';
import { MAX_LINE, camelCase, commentText, formatCount, formatJson, literal, uniqueIdentifier } from './print';
import { PROJECT_FILE, SHIPPED_DIR, SHIPPED_ENTRIES, dataDescription, renderTrainFile } from './trainFile';

export { PROJECT_FILE, SHIPPED_DIR, SHIPPED_ENTRIES };

/** What the generator needs to know of the app's modules a generated project ships (main/node/projectSources.ts finds it). */
export interface ShippedSources {
  /** The shipped modules, relative to main/ (emitted under SHIPPED_DIR). */
  modules: string[];
  /** npm packages the shipped modules import. */
  packages: string[];
  /** The app's version range of each package it depends on (its package.json). */
  versions: Record<string, string>;
}

/**
 * Turns a project into a small standalone npm project: model.ts (the network, as readable tf.layers code),
 * train.ts, the project's settings, package.json, tsconfig.json and README.md. main/node adds the shipped modules
 * (ShippedSources.modules) under SHIPPED_DIR: train.ts reads the data and trains with those, the app's own code.
 *
 * Pure string building: no tfjs, no Node APIs. Layers are printed from the same `spec.tfjs` description that the
 * compiler uses to build the live model, so the generated model and the one Neurowire trains cannot drift apart.
 */
export function generateTypeScriptProject(project: Project, shipped: ShippedSources): Record<string, string> {
  const analysis = analyzeGraph(project.graph);
  if (!analysis.valid) {
    const nodeError = project.graph.nodes.map((n) => analysis.nodes[n.id]?.errors[0]).find(Boolean);
    throw new Error(`Fix the network before generating code: ${nodeError ?? analysis.errors[0] ?? 'the network is not valid.'}`);
  }
  const model = describeModel(project, analysis);
  return {
    'model.ts': renderModelFile(project, model),
    'train.ts': renderTrainFile(project),
    [PROJECT_FILE]: serializeProject(project),
    'package.json': renderPackageJson(project, shipped),
    'tsconfig.json': renderTsconfig(),
    'README.md': renderReadme(project, model),
  };
}

/** Name given to the tf.LayersModel, the same as the compiler's default. */
const MODEL_NAME = 'neurowire_model';

interface LayerInfo {
  node: ProjectNode;
  kind: string;
  /** Variable holding the layer's output in model.ts (its list of outputs, for a layer with several). */
  variable: string;
  /** The layer's main output as an expression: the variable, or `variable[0]` for a layer with several outputs. */
  main: string;
  /** Whether the layer has several outputs (an LSTM returning its state): `apply` then gives a list. */
  several: boolean;
  /** Expressions of the layer's inputs, in edge order (`lstm1[1]` for an LSTM's state h). */
  inputs: string[];
  /** How the inputs after the first are passed (LayerSpec `inputs.restAs`). */
  restAs?: 'initialState';
  inputShapes: Shape[];
  outputShape: Shape;
  params: number;
  /** `tf.input({...})` or `tf.layers.dense({...})`, without `.apply(...)`; for a custom class `new Subtract`. */
  factory: string;
  /** Neurowire's own layer classes (spec.tfjs.custom) the layer is built with, which model.ts defines first. */
  customClasses: string[];
  config: Record<string, unknown>;
  /** A frozen layer that runs as at prediction time while training too (LayerSpec `frozenRunsInference`). */
  inference: boolean;
}

interface ModelInfo {
  layers: LayerInfo[];
  /** The Input layers and the output layers, in the compiler's order (one each, or several bound to the data). */
  inputs: LayerInfo[];
  outputs: LayerInfo[];
  totalParams: number;
}

function describeModel(project: Project, analysis: GraphAnalysis): ModelInfo {
  const byId = new Map(project.graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingPorts(project.graph);
  const variables = new Map<string, string>();
  const several = (id: string) => analysis.nodes[id].extraShapes.length > 0;
  const expression = (id: string, port: number) => (several(id) ? `${variables.get(id)!}[${port}]` : variables.get(id)!);
  // Custom classes become top-level constants named after the class, so layer variables keep clear of them.
  const used = new Set<string>([...RESERVED_IDENTIFIERS, ...LAYER_SPECS.filter((s) => s.tfjs.custom).map((s) => s.tfjs.className)]);
  const layers: LayerInfo[] = [];
  for (const id of analysis.order) {
    const node = byId.get(id)!;
    const spec = requireLayerSpec(node.kind);
    const parsed = parseParams(node);
    if (!parsed.ok) throw new Error(`${node.name}: ${parsed.error}`);
    const variable = uniqueIdentifier(camelCase(node.name), used);
    const config = layerConfig(spec, parsed.params, node.name, node.trainable !== false);
    variables.set(id, variable);
    const sources = incoming.get(id) ?? [];
    layers.push({
      node,
      kind: spec.kind,
      variable,
      main: expression(id, 0),
      several: several(id),
      inputs: sources.map((s) => expression(s.source, s.port)),
      restAs: spec.inputs.restAs,
      inputShapes: sources.map((s) => portShape(analysis.nodes[s.source], s.port)!),
      outputShape: analysis.nodes[id].outputShape!,
      params: analysis.nodes[id].params,
      factory: spec.role === 'input' ? 'tf.input' : constructorOf(spec),
      customClasses: customClassesOf(spec, config),
      config,
      inference: runsInferenceWhenFrozen(spec, node.trainable),
    });
  }
  const find = (id: string) => layers.find((l) => l.node.id === id)!;
  return { layers, inputs: analysis.inputIds.map(find), outputs: analysis.outputIds.map(find), totalParams: analysis.totalParams };
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
  if (model.layers.some((l) => l.inference)) {
    out.push('// Frozen layers wrapped in alwaysInference run as at prediction time while training too, as Keras runs them.');
    out.push(`import { alwaysInference } from './${SHIPPED_DIR}/core/layers/inference';`);
  }
  const customClasses = [...new Set(model.layers.flatMap((l) => l.customClasses))].sort();
  if (customClasses.length > 0) {
    out.push(`import { customLayerClass } from './${SHIPPED_DIR}/core/layers/custom';`);
    out.push('');
    out.push("// Layers TensorFlow.js does not have, from Neurowire's own classes (shipped in neurowire/); defining them also");
    out.push('// registers them, so tf.loadLayersModel reads a saved model that uses them.');
    for (const name of customClasses) {
      const tsType = LAYER_SPECS.find((spec) => spec.tfjs.custom && spec.tfjs.className === name)?.tfjs.tsType;
      out.push(`const ${name} = customLayerClass${tsType ? `<tf.${tsType}>` : ''}(tf, ${literal(name)});`);
    }
  }
  out.push('');
  out.push('/** Builds the network with the functional API, each layer applied to the layers that feed it. */');
  out.push('export function buildModel(): tf.LayersModel {');
  for (const layer of model.layers) {
    out.push(`  // ${layerComment(layer)}`);
    out.push(...layerStatement(layer));
  }
  const list = (layers: LayerInfo[]) => (layers.length === 1 ? layers[0].main : `[${layers.map((l) => l.main).join(', ')}]`);
  out.push(`  return tf.model({ inputs: ${list(model.inputs)}, outputs: ${list(model.outputs)}, name: ${literal(MODEL_NAME)} });`);
  out.push('}');
  return out.join('\n') + '\n';
}

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

/** How model.ts makes a layer of a kind: `tf.layers.dense`, or `new Subtract` for one of Neurowire's own classes. */
function constructorOf(spec: AnyLayerSpec): string {
  return spec.tfjs.custom ? `new ${spec.tfjs.className}` : `tf.layers.${spec.tfjs.factory}`;
}

/** The custom classes a layer's config builds: its own and those of layers inside it (a wrapper's `layer`). */
function customClassesOf(spec: AnyLayerSpec, config: Record<string, unknown>): string[] {
  const inner = Object.values(config).flatMap((v) => (v instanceof InnerLayer ? customClassesOf(v.spec, v.config) : []));
  return spec.tfjs.custom ? [spec.tfjs.className, ...inner] : inner;
}

/**
 * A layer's config as an object literal, a layer inside it (a wrapper's `layer`) as its own `tf.layers.lstm({...})`
 * call. With `indentation` (that of the closing brace): one property per line, an inner layer too when its line is long.
 */
function configLiteral(config: Record<string, unknown>, indentation?: string): string {
  const entries = Object.entries(config).filter(([, value]) => value !== undefined);
  const print = (value: unknown, inner?: string) =>
    value instanceof InnerLayer ? `${constructorOf(value.spec)}(${configLiteral(value.config, inner)})` : literal(value);
  if (indentation === undefined) return entries.length ? `{ ${entries.map(([key, value]) => `${key}: ${print(value)}`).join(', ')} }` : '{}';
  const lines = entries.map(([key, value]) => {
    const line = `${indentation}  ${key}: ${print(value)},`;
    return line.length <= MAX_LINE ? line : `${indentation}  ${key}: ${print(value, `${indentation}  `)},`;
  });
  return ['{', ...lines, `${indentation}}`].join('\n');
}

/** `const x = tf.layers.dense({...}).apply(y) as tf.SymbolicTensor;`, wrapped when long. */
function layerStatement(layer: LayerInfo): string[] {
  const config = configLiteral(layer.config);
  if (isInputKind(layer.kind)) {
    const line = `  const ${layer.variable} = ${layer.factory}(${config});`;
    if (line.length <= MAX_LINE) return [line];
    return [`  const ${layer.variable} = ${layer.factory}(${configLiteral(layer.config, '  ')});`];
  }
  const applied = appliedTo(layer);
  const type = layer.several ? 'tf.SymbolicTensor[]' : 'tf.SymbolicTensor';
  if (layer.inference) {
    const line = `  const ${layer.variable} = alwaysInference(${layer.factory}(${config})).apply(${applied}) as ${type};`;
    if (line.length <= MAX_LINE) return [line];
    return [`  const ${layer.variable} = alwaysInference(`, `    ${layer.factory}(${configLiteral(layer.config, '    ')}),`, `  ).apply(${applied}) as ${type};`];
  }
  const oneLine = `  const ${layer.variable} = ${layer.factory}(${config}).apply(${applied}) as ${type};`;
  if (oneLine.length <= MAX_LINE) return [oneLine];
  if (layer.factory.startsWith('new ')) return [`  const ${layer.variable} = ${layer.factory}(${configLiteral(layer.config, '  ')}).apply(${applied}) as ${type};`];
  const [namespace, factory] = [layer.factory.slice(0, layer.factory.lastIndexOf('.')), layer.factory.slice(layer.factory.lastIndexOf('.') + 1)];
  const call = `    .${factory}(${config})`;
  return [
    `  const ${layer.variable} = ${namespace}`,
    call.length <= MAX_LINE ? call : `    .${factory}(${configLiteral(layer.config, '    ')})`,
    `    .apply(${applied}) as ${type};`,
  ];
}

/** The arguments of `apply`: the input, a list of inputs, or the input and the initial state of an RNN. */
function appliedTo(layer: LayerInfo): string {
  const [first, ...rest] = layer.inputs;
  if (rest.length === 0) return first;
  if (layer.restAs === 'initialState') return `${first}, { initialState: [${rest.join(', ')}] }`;
  return `[${layer.inputs.join(', ')}]`;
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

/**
 * The packages the shipped modules and model.ts import, at the app's own version ranges, and what checking and
 * running TypeScript needs (tsx, typescript, type declarations of packages that ship none).
 */
function renderPackageJson(project: Project, shipped: ShippedSources): string {
  const version = (name: string): string => {
    const range = shipped.versions[name];
    if (!range) throw new Error(`The app's package.json has no version of ${name}, which the generated project needs.`);
    return range;
  };
  const packages = [...new Set(['@tensorflow/tfjs', ...shipped.packages])];
  const types = ['node', ...packages].map((name) => `@types/${name.replace(/^@(.*)\//, '$1__')}`).filter((name) => shipped.versions[name]);
  const pkg = {
    name: packageName(project),
    version: '1.0.0',
    private: true,
    description: `${project.name}: a TensorFlow.js model designed in Neurowire.`,
    type: 'module',
    scripts: { train: 'tsx train.ts', typecheck: 'tsc --noEmit' },
    dependencies: Object.fromEntries(sortedNames(packages).map((name) => [name, version(name)])),
    devDependencies: Object.fromEntries(sortedNames([...types, 'tsx', 'typescript']).map((name) => [name, version(name)])),
  };
  return formatJson(pkg);
}

function sortedNames(names: string[]): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : 1));
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
    include: ['*.ts', `${SHIPPED_DIR}/**/*.ts`],
  };
  return formatJson(config);
}

function renderReadme(project: Project, model: ModelInfo): string {
  const t = project.training;
  const epochs = `${t.epochs} epoch${t.epochs === 1 ? '' : 's'}`;
  const lines = [
    `# ${project.name}`,
    '',
    `A neural network designed in Neurowire, as a standalone TensorFlow.js project: ${model.layers.length} layers, ${formatCount(model.totalParams)} parameters.`,
    '',
    '- `model.ts` builds the network (`buildModel`) with TensorFlow.js layers.',
    `- \`train.ts\` reads ${dataDescription(project.dataset.source)}, splits it as Neurowire does, trains for ${epochs} with the project's options, reports the test score and saves the model.`,
    `- \`${PROJECT_FILE}\` holds the project's settings (data, split, training options); edit it to change them.`,
    `- \`${SHIPPED_DIR}/\` is Neurowire's own code that reads the data and trains (the same files the app runs), so the project trains exactly as it does in Neurowire.`,
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
    `The trained model is written to \`trained-model/\` (\`model.json\` + \`weights.bin\`${project.dataset.source.type === 'text' ? ', and `vocabulary.json` to turn new texts into token ids' : ''}), the standard TensorFlow.js layers-model format.`,
    'Load it again with `tf.loadLayersModel(...)`: in the browser from a URL, in Node with `@tensorflow/tfjs-node` and a `file://` path.',
    '',
    '## Faster training',
    '',
    'Plain `@tensorflow/tfjs` trains on the CPU in JavaScript. For a large speed-up in Node, run `npm install @tensorflow/tfjs-node`',
    "and change `import * as tf from '@tensorflow/tfjs'` to `import * as tf from '@tensorflow/tfjs-node'` in model.ts and train.ts.",
  ];
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
  'alwaysInference',
];
