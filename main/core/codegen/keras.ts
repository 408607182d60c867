/**
 * A trained model as a Keras (Python) project: model.py (the network as readable tf.keras functional code, every
 * layer named as its node and every setting named), train.py (the project's training settings, on one device or
 * several with tf.distribute) and README.md. model.py loads the app's trained weights from the exported model.json
 * and weights.bin with the shipped tfjs_weights.py (main/python).
 *
 * Pure string building. Each layer's Keras class and arguments come from the model.json TensorFlow.js writes for the
 * built model, whose layer configs are Keras's own (class name, snake_case arguments), so no layer kind needs code
 * here; Neurowire's own classes say how Python builds them (CustomLayer.keras, main/core/layers/custom).
 */
import { pythonIdentifier } from './pythonNames';
import type { Project } from '../project';
import { analyzeGraph, incomingPorts, portShape } from '../graph/analyze';
import { requireLayerSpec } from '../layers/registry';
import { CUSTOM_LAYERS } from '../layers/custom';
import type { KerasEquivalent } from '../layers/custom/define';
import { formatShape } from '../shapes';
import { isImageShape } from '../datasets';
import { lossFor } from '../outputFit';
import { learningRateAt } from '../training/loop';
import { formatCount } from './print';

/** What the Keras generator reads of the exported model: model.json's topology and its weights' names, in order. */
export interface KerasModelSource {
  modelTopology: unknown;
  weightNames: readonly string[];
  /** The dataset description the trainer stored with the model (preprocessing.json), for the losses. */
  data?: Record<string, unknown> | null;
}

/** The app's Python modules an exported Keras project ships, by file name (main/python/<name>). */
export const KERAS_SHIPPED_MODULES = ['tfjs_weights.py', 'neurowire_layers.py', 'neurowire_keras_train.py'] as const;

/**
 * Config keys of tfjs layer configs that Keras 3 does not take: `batch_input_shape` (the functional API's
 * keras.Input gives the shape), `input_length` (Embedding; Keras reads the length from the input) and
 * `implementation` (tfjs's recurrent kernels; Keras picks its own). They change nothing the layer computes.
 */
export const KERAS_DROPPED_KEYS: readonly string[] = ['batch_input_shape', 'input_length', 'implementation'];

interface TopologyLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
}

/** The layers of a layers-model topology (model.json's modelTopology), by name. */
function topologyLayers(topology: unknown): Map<string, TopologyLayer> {
  const t = topology as { model_config?: { config?: { layers?: TopologyLayer[] } }; config?: { layers?: TopologyLayer[] } };
  const layers = t?.config?.layers ?? t?.model_config?.config?.layers;
  if (!Array.isArray(layers)) throw new Error('The trained model has no layers in its topology to export to Keras.');
  return new Map(layers.map((l) => [l.name, l]));
}

/** Names model.py uses itself, kept clear of layer variables. */
const RESERVED = new Set(['keras', 'keras_hub', 'np', 'os', 'model', 'inputs', 'outputs', 'weights', 'build_model', 'load_trained_weights', 'set_keras_weights', 'print', 'input', 'list', 'type', 'id', 'max', 'min', 'sum']);

/** A Python literal for JSON data: "text", 1.5, True, None, [a, b], {"key": value}. */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'float("nan")' : value > 0 ? 'float("inf")' : '-float("inf")';
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(', ')}}`;
  throw new Error(`Cannot print ${typeof value} as a Python literal`);
}

/** The keras namespace of a serialized object by the config key that holds it (kernel_initializer → initializers). */
function namespaceOf(key: string): string {
  if (key.endsWith('initializer')) return 'keras.initializers';
  if (key.endsWith('regularizer')) return 'keras.regularizers';
  if (key.endsWith('constraint')) return 'keras.constraints';
  return 'keras.layers';
}

function isSerialized(value: unknown): value is { class_name: string; config: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && typeof (value as { class_name?: unknown }).class_name === 'string' && typeof (value as { config?: unknown }).config === 'object';
}

/** tfjs writes VarianceScaling's truncated normal as "normal" (its only normal); Keras 3 names it. */
function kerasObjectConfig(className: string, config: Record<string, unknown>): Record<string, unknown> {
  if (className === 'VarianceScaling' && config.distribution === 'normal') return { ...config, distribution: 'truncated_normal' };
  return config;
}

/** `keras.initializers.Zeros()`, `keras.layers.LSTM(units=8, …)` for a serialized object, its arguments named. */
function constructorCall(namespace: string, className: string, config: Record<string, unknown>, indentation: string): string {
  const callee = qualified(namespace, className);
  const args = Object.entries(kerasObjectConfig(className, config)).filter(([key]) => !KERAS_DROPPED_KEYS.includes(key));
  const printed = args.map(([key, value]) => `${key}=${argumentValue(key, value, `${indentation}    `)}`);
  const oneLine = `${callee}(${printed.join(', ')})`;
  if (oneLine.length + indentation.length <= 100 && !printed.some((p) => p.includes('\n'))) return oneLine;
  return [`${callee}(`, ...printed.map((p) => `${indentation}    ${p},`), `${indentation})`].join('\n');
}

function argumentValue(key: string, value: unknown, indentation: string): string {
  if (isSerialized(value)) {
    const equivalent = key === 'layer' ? kerasEquivalentOf(value.class_name) : undefined;
    const config = equivalent?.config ? equivalent.config(value.config) : value.config;
    return constructorCall(equivalent ? pythonNamespace(equivalent) : namespaceOf(key), equivalent?.className ?? value.class_name, config, indentation);
  }
  return pythonLiteral(value);
}

/** How Python builds one of Neurowire's own classes, where it is not Keras's class of the same name. */
function kerasEquivalentOf(className: string): KerasEquivalent | undefined {
  return CUSTOM_LAYERS.find((c) => c.className === className)?.keras;
}

function pythonNamespace(equivalent: KerasEquivalent): string {
  const module = equivalent.module ?? 'keras.layers';
  // The app's own modules are imported by name (from neurowire_layers import PositionalEmbedding).
  return module.includes('.') ? module : '';
}

function qualified(namespace: string, className: string): string {
  return namespace ? `${namespace}.${className}` : className;
}

interface KerasLayer {
  name: string;
  kind: string;
  variable: string;
  statement: string[];
}

interface KerasModel {
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
  /** Layers of Neurowire's own Python module, imported by name. */
  ownClasses: Set<string>;
  usesKerasHub: boolean;
  /** Trained weights by layer name, in the layer's order. */
  weights: Array<[string, string[]]>;
  totalParams: number;
  table: string[];
}

function describeKerasModel(project: Project, source: KerasModelSource): KerasModel {
  const analysis = analyzeGraph(project.graph);
  if (!analysis.valid) throw new Error('Fix the network before exporting it to Keras: it is not valid.');
  const topology = topologyLayers(source.modelTopology);
  const byId = new Map(project.graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingPorts(project.graph);
  const used = new Set<string>();
  const variables = new Map<string, string>();
  const several = (id: string) => analysis.nodes[id].extraShapes.length > 0;
  const expression = (id: string, port: number) => (several(id) ? `${variables.get(id)!}[${port}]` : variables.get(id)!);
  const ownClasses = new Set<string>();
  let usesKerasHub = false;
  const layers: KerasLayer[] = [];
  const table: string[][] = [['Layer', 'Kind', 'Output shape', 'Parameters']];
  for (const id of analysis.order) {
    const node = byId.get(id)!;
    const spec = requireLayerSpec(node.kind);
    const layer = topology.get(node.name);
    if (!layer) throw new Error(`The trained model has no layer named ${node.name}: export the model trained from this project.`);
    const variable = pythonIdentifier(node.name, used, RESERVED);
    variables.set(id, variable);
    const outputShape = analysis.nodes[id].outputShape!;
    const params = analysis.nodes[id].params;
    table.push([node.name, spec.kind, formatShape(outputShape), formatCount(params)]);
    const sources = incoming.get(id) ?? [];
    const inputShapes = sources.map((s) => formatShape(portShape(analysis.nodes[s.source], s.port)!));
    const comment = spec.role === 'input' ? `# ${node.name} (${spec.kind}): samples of shape ${formatShape(outputShape)}` : `# ${node.name} (${spec.kind}): ${inputShapes.join(' + ')} → ${formatShape(outputShape)}${params > 0 ? `, ${formatCount(params)} parameters` : ''}`;
    if (spec.role === 'input') {
      const batchShape = (layer.config.batch_input_shape ?? layer.config.batch_shape) as (number | null)[];
      const args = [`shape=(${batchShape.slice(1).map(pythonLiteral).join(', ')}${batchShape.length === 2 ? ',' : ''})`, `batch_size=${pythonLiteral(batchShape[0])}`, `dtype=${pythonLiteral(layer.config.dtype ?? 'float32')}`, `name=${pythonLiteral(node.name)}`];
      layers.push({ name: node.name, kind: spec.kind, variable, statement: [comment, `${variable} = keras.Input(${args.join(', ')})`] });
      continue;
    }
    const equivalent = kerasEquivalentOf(layer.class_name);
    const callKeys = new Set(equivalent?.callArguments ?? []);
    const config = equivalent?.config ? equivalent.config(layer.config) : layer.config;
    const namespace = equivalent ? pythonNamespace(equivalent) : 'keras.layers';
    if (!namespace) ownClasses.add(equivalent?.className ?? layer.class_name);
    if (namespace.startsWith('keras_hub')) usesKerasHub = true;
    for (const value of Object.values(config)) {
      if (isSerialized(value)) {
        const inner = kerasEquivalentOf(value.class_name);
        if (inner && !pythonNamespace(inner)) ownClasses.add(inner.className ?? value.class_name);
        if (inner && pythonNamespace(inner).startsWith('keras_hub')) usesKerasHub = true;
      }
    }
    const made = Object.fromEntries(Object.entries(config).filter(([key]) => !callKeys.has(key)));
    const called = Object.entries(config).filter(([key]) => callKeys.has(key) && config[key] !== undefined && config[key] !== null);
    const inputs = sources.map((s) => expression(s.source, s.port));
    while (inputs.length < (equivalent?.requiredInputs ?? 0)) inputs.push(inputs[0]);
    let callArgs: string;
    if (inputs.length > 1 && spec.inputs.restAs === 'initialState') callArgs = `${inputs[0]}, initial_state=[${inputs.slice(1).join(', ')}]`;
    else if (spec.inputs.names || inputs.length === 1) callArgs = inputs.join(', ');
    else callArgs = `[${inputs.join(', ')}]`;
    if (called.length) callArgs += `, ${called.map(([key, value]) => `${key}=${pythonLiteral(value)}`).join(', ')}`;
    const construct = constructorCall(namespace, equivalent?.className ?? layer.class_name, made, '    ');
    layers.push({ name: node.name, kind: spec.kind, variable, statement: [comment, `${variable} = ${construct}(${callArgs})`] });
  }
  const layerNames = new Set(topology.keys());
  const weights = new Map<string, string[]>();
  for (const name of source.weightNames) {
    const owner = name.split('/')[0];
    if (!layerNames.has(owner)) throw new Error(`The trained weight ${name} belongs to no layer of the model.`);
    weights.set(owner, [...(weights.get(owner) ?? []), name]);
  }
  const ordered = analysis.order.map((id) => byId.get(id)!.name).filter((n) => weights.has(n));
  return {
    layers,
    inputs: analysis.inputIds.map((id) => expression(id, 0)),
    outputs: analysis.outputIds.map((id) => expression(id, 0)),
    ownClasses,
    usesKerasHub,
    weights: ordered.map((n) => [n, weights.get(n)!]),
    totalParams: analysis.totalParams,
    table: alignTable(table),
  };
}

function alignTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const format = (row: string[]) => row.map((cell, col) => (col === row.length - 1 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  ');
  return [format(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(format)];
}

/** Text safe inside a Python docstring. */
function docText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"').replace(/[\r\n]+/g, ' ');
}

function renderModelFile(project: Project, model: KerasModel): string {
  const out: string[] = [];
  out.push(`"""${docText(project.name)}: the network, as designed in Neurowire, in tf.keras (Keras 3).`);
  out.push('');
  out.push(...model.table);
  out.push('');
  out.push(`Total parameters: ${formatCount(model.totalParams)}`);
  out.push('Shapes are per sample; Keras adds the batch axis in front.');
  out.push('');
  out.push('python model.py builds the network, loads the weights trained in the app (../model.json, ../weights.bin)');
  out.push('and prints its summary.');
  out.push('"""');
  out.push('import os');
  out.push('');
  out.push('import keras');
  if (model.usesKerasHub) out.push('import keras_hub');
  out.push('');
  if (model.ownClasses.size) out.push(`from neurowire_layers import ${[...model.ownClasses].sort().join(', ')}`);
  out.push('from tfjs_weights import set_keras_weights');
  out.push('');
  out.push('# The model the app trained: TensorFlow.js files, next to this folder.');
  out.push('MODEL_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model.json")');
  out.push('');
  out.push('# The trained weights of each layer, by their names in model.json, in the order layer.set_weights takes them.');
  out.push('TRAINED_WEIGHTS = {');
  for (const [layer, names] of model.weights) {
    const line = `    ${JSON.stringify(layer)}: [${names.map((n) => JSON.stringify(n)).join(', ')}],`;
    out.push(...(line.length <= 100 ? [line] : [`    ${JSON.stringify(layer)}: [`, ...names.map((n) => `        ${JSON.stringify(n)},`), '    ],']));
  }
  out.push('}');
  out.push('');
  out.push('');
  out.push('def build_model():');
  out.push('    """Builds the network with the functional API, each layer applied to the layers that feed it."""');
  for (const layer of model.layers) for (const line of layer.statement) out.push(...line.split('\n').map((l, i) => (i === 0 ? `    ${l}` : l)));
  const list = (xs: string[]) => (xs.length === 1 ? xs[0] : `[${xs.join(', ')}]`);
  out.push(`    return keras.Model(inputs=${list(model.inputs)}, outputs=${list(model.outputs)}, name="neurowire_model")`);
  out.push('');
  out.push('');
  out.push('def load_trained_weights(model, model_json=MODEL_JSON):');
  out.push('    """Sets the weights the app trained (TensorFlow.js and Keras lay weights out alike), so predictions match."""');
  out.push('    return set_keras_weights(model, TRAINED_WEIGHTS, model_json)');
  out.push('');
  out.push('');
  out.push('if __name__ == "__main__":');
  out.push('    load_trained_weights(build_model()).summary()');
  return out.join('\n') + '\n';
}

const KERAS_LOSSES = { categoricalCrossentropy: 'categorical_crossentropy', binaryCrossentropy: 'binary_crossentropy', meanSquaredError: 'mean_squared_error' } as const;

/** Each output layer's Keras loss, from the dataset the model was trained on (mean squared error where unknown). */
function outputLosses(project: Project, data: Record<string, unknown> | null | undefined): Array<{ layer: string; loss: string; fromLogits: boolean; weight: number; classification: boolean }> {
  const analysis = analyzeGraph(project.graph);
  const outputs = (data?.outputs ?? []) as { node?: string; layer?: string; task?: string; numClasses?: number }[];
  return analysis.outputIds.map((id) => {
    const node = project.graph.nodes.find((n) => n.id === id)!;
    const bound = outputs.find((o) => o.node === id || o.layer === node.name) ?? (outputs.length === 0 ? data : undefined);
    const options = (project.training.outputs ?? []).find((o) => o.node === id);
    const units = analysis.nodes[id].outputShape?.at(-1) ?? 1;
    const task = typeof bound?.task === 'string' ? bound.task : 'regression';
    const numClasses = typeof bound?.numClasses === 'number' ? bound.numClasses : 0;
    const inputShape = Array.isArray(data?.inputShape) ? (data.inputShape as number[]) : [];
    const loss = lossFor({ task: task as 'classification', numClasses, unitRange: task === 'reconstruction' && isImageShape(inputShape) }, units);
    return { layer: node.name, loss: KERAS_LOSSES[loss], fromLogits: options?.fromLogits ?? false, weight: options?.lossWeight ?? 1, classification: task === 'classification' };
  });
}

function optimizerCall(project: Project): string {
  const t = project.training;
  const clip = t.gradientClip.type === 'norm' ? `, clipnorm=${t.gradientClip.value}` : t.gradientClip.type === 'value' ? `, clipvalue=${t.gradientClip.value}` : '';
  const lr = `learning_rate=${t.learningRate}`;
  switch (t.optimizer) {
    case 'adamw':
      return `keras.optimizers.AdamW(${lr}, weight_decay=${t.weightDecay}${clip})`;
    case 'sgd':
      return `keras.optimizers.SGD(${lr}, momentum=${t.momentum}, nesterov=${pythonLiteral(t.nesterov)}${clip})`;
    case 'rmsprop':
      return `keras.optimizers.RMSprop(${lr}, momentum=${t.momentum}${clip})`;
    case 'adagrad':
      return `keras.optimizers.Adagrad(${lr}${clip})`;
    default:
      return `keras.optimizers.Adam(${lr}${clip})`;
  }
}

/** Settings of the app's training that train.py leaves out, for its header. */
function notReproduced(project: Project): string[] {
  const t = project.training;
  const left: string[] = [];
  if (t.l1 > 0 || t.l2 > 0) left.push(`the L1/L2 penalty on every kernel (l1 ${t.l1}, l2 ${t.l2}): add kernel_regularizer to the layers in model.py`);
  if (t.classWeights !== 'none') left.push('balanced class weights: pass class_weight to model.fit');
  return left;
}

function renderTrainFile(project: Project, model: KerasModel, source: KerasModelSource): string {
  const t = project.training;
  const losses = outputLosses(project, source.data);
  const inputNames = model.layers.filter((l) => model.inputs.includes(l.variable)).map((l) => l.name);
  const rates = Array.from({ length: t.epochs }, (_, e) => learningRateAt(t, e));
  const constantRate = rates.every((r) => r === rates[0]);
  const monitor = t.earlyStopping.monitor.replace(/acc$/, 'accuracy');
  const left = notReproduced(project);
  const out: string[] = [];
  out.push(`"""${docText(project.name)}: trains the network of model.py with the project's settings, in tf.keras.`);
  out.push('');
  out.push('    python train.py --data data.npz [--from-trained] [--strategy mirrored|multiworker]');
  out.push('');
  out.push('--data: an .npz file with one array per Input layer and one per output layer, named after the layers, prepared');
  out.push('as ../preprocessing.json describes (classes one-hot). The samples are shuffled with the seed and split into');
  out.push('test, validation and training parts of the app\'s sizes (numpy\'s shuffle: not the app\'s samples in each part).');
  out.push('--strategy: mirrored trains on every GPU of this machine (tf.distribute.MirroredStrategy); multiworker on');
  out.push('several machines (tf.distribute.MultiWorkerMirroredStrategy; each machine runs this script with its TF_CONFIG).');
  out.push('The batch size is per device: each step takes SETTINGS["batch_size"] samples on every device.');
  if (left.length) {
    out.push('');
    out.push('Not reproduced here:');
    for (const l of left) out.push(`- ${docText(l)}`);
  }
  out.push('"""');
  out.push('import keras');
  out.push('');
  out.push('import neurowire_keras_train as nw_train');
  out.push('from model import build_model, load_trained_weights');
  out.push('');
  out.push('# The project\'s training settings; the training itself is Neurowire\'s, in neurowire_keras_train.py.');
  out.push('SETTINGS = {');
  out.push(`    "epochs": ${t.epochs},`);
  out.push(`    "batch_size": ${t.batchSize},`);
  out.push(`    "seed": ${t.seed},`);
  out.push(`    "validation_fraction": ${project.dataset.validationFraction},`);
  out.push(`    "test_fraction": ${project.dataset.testFraction},`);
  out.push(`    "inputs": [${inputNames.map((n) => JSON.stringify(n)).join(', ')}],`);
  out.push(`    "outputs": [${losses.map((l) => JSON.stringify(l.layer)).join(', ')}],`);
  out.push('    # The learning rate of each epoch (the project\'s schedule, warm-up included).');
  out.push(`    "learning_rates": ${constantRate ? `[${rates[0]}] * ${t.epochs}` : `[${rates.map((r) => Number(r.toPrecision(8))).join(', ')}]`},`);
  out.push(`    "loss_weights": {${losses.map((l) => `${JSON.stringify(l.layer)}: ${l.weight}`).join(', ')}},`);
  out.push(`    "metrics": {${losses.map((l) => `${JSON.stringify(l.layer)}: [${l.classification ? '"accuracy"' : '"mean_absolute_error"'}]`).join(', ')}},`);
  if (t.earlyStopping.enabled) {
    out.push('    "early_stopping": {');
    out.push(`        "monitor": ${JSON.stringify(monitor)},`);
    out.push(`        "patience": ${t.earlyStopping.patience},`);
    out.push(`        "min_delta": ${t.earlyStopping.minDelta},`);
    out.push(`        "restore_best_weights": ${pythonLiteral(t.earlyStopping.restoreBest)},`);
    out.push('    },');
  } else {
    out.push('    "early_stopping": None,');
  }
  out.push('}');
  out.push('');
  out.push('');
  out.push('def make_optimizer():');
  out.push(`    return ${optimizerCall(project)}`);
  out.push('');
  out.push('');
  out.push('def losses():');
  out.push('    return {');
  for (const l of losses) {
    const cls = { categorical_crossentropy: 'CategoricalCrossentropy', binary_crossentropy: 'BinaryCrossentropy', mean_squared_error: 'MeanSquaredError' }[l.loss]!;
    out.push(`        ${JSON.stringify(l.layer)}: keras.losses.${cls}(${l.loss === 'mean_squared_error' ? '' : `from_logits=${pythonLiteral(l.fromLogits)}`}),`);
  }
  out.push('    }');
  out.push('');
  out.push('');
  out.push('if __name__ == "__main__":');
  out.push('    nw_train.main(SETTINGS, build_model, load_trained_weights, make_optimizer, losses, doc=__doc__)');
  return out.join('\n') + '\n';
}

function renderReadme(project: Project, model: KerasModel): string {
  return [
    `# ${project.name} — Keras`,
    '',
    'The network trained in Neurowire, as tf.keras (Keras 3) code.',
    '',
    '- `model.py`: `build_model()` builds the network (every layer named as in the app, every setting written out);',
    '  `load_trained_weights(model)` sets the weights the app trained, read from `../model.json` and `../weights.bin`',
    '  by `tfjs_weights.py`, so the model predicts what the app predicts. `python model.py` prints the summary.',
    '- `train.py`: trains it with the project\'s settings; `--strategy mirrored` uses every GPU of the machine,',
    '  `--strategy multiworker` several machines (tf.distribute). `python train.py --help` says what data it takes.',
    '- `neurowire_keras_train.py`: Neurowire\'s training (data split, tf.distribute strategy, fit), which `train.py`',
    '  calls with the project\'s settings.',
    ...(model.ownClasses.size ? ['- `neurowire_layers.py`: Neurowire\'s own layers in Keras.'] : []),
    '',
    `Needs TensorFlow ≥ 2.16 (Keras 3) and numpy${model.usesKerasHub ? ', and keras-hub' : ''}: \`pip install tensorflow${model.usesKerasHub ? ' keras-hub' : ''}\`.`,
    '',
  ].join('\n');
}

/**
 * The Keras project's generated files (model.py, train.py, README.md); the export adds the shipped Python modules
 * (KERAS_SHIPPED_MODULES). Throws an Error naming the layer and setting where Keras cannot build the same model.
 */
export function generateKerasProject(project: Project, source: KerasModelSource): Record<string, string> {
  const model = describeKerasModel(project, source);
  return { 'model.py': renderModelFile(project, model), 'train.py': renderTrainFile(project, model, source), 'README.md': renderReadme(project, model) };
}
