import { z } from 'zod';

/** The project file format. Bump CURRENT_VERSION and add a migration whenever the shape changes. */
export const PROJECT_FORMAT = 'neurowire-project';
export const CURRENT_PROJECT_VERSION = 5;

export const NodeSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1),
  /** Display name, also the tfjs layer name; unique within a project. */
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Layer names start with a letter and use letters, digits and _'),
  params: z.record(z.string(), z.unknown()),
  position: z.object({ x: z.number(), y: z.number() }),
  /** false: the layer is frozen, training leaves its weights as they are. Absent means trainable. */
  trainable: z.boolean().optional(),
});
export type ProjectNode = z.infer<typeof NodeSchema>;

export const EdgeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  target: z.string().min(1),
  /**
   * Which output of the source the connection carries, for layers with several (an LSTM's states, attention
   * scores): 0, the main output, when omitted.
   */
  sourcePort: z.number().int().min(0).max(16).optional(),
});
/** Edge order matters: a node's inputs are its incoming edges in the order they appear. */
export type ProjectEdge = z.infer<typeof EdgeSchema>;

export const GraphSchema = z.object({
  nodes: z.array(NodeSchema),
  edges: z.array(EdgeSchema),
});
export type Graph = z.infer<typeof GraphSchema>;

export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const LR_SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;
export const MONITORED_METRICS = ['val_loss', 'val_acc', 'loss', 'acc'] as const;

/** How one output layer's loss is computed. */
export const OutputLossSchema = z.object({
  /** Id of the output layer's node. */
  node: z.string().min(1),
  /**
   * The output gives raw scores (logits) and the loss applies softmax / sigmoid itself (numerically steadier
   * than a softmax layer followed by a log). The output layer is then linear.
   */
  fromLogits: z.boolean().default(false),
  /** This output's share of the total loss (several outputs): total = Σ weight · loss. */
  lossWeight: z.number().min(0, 'A loss weight cannot be negative').max(1000).default(1),
});
export type OutputLoss = z.infer<typeof OutputLossSchema>;

export const TrainingConfigSchema = z.object({
  epochs: z.number().int().min(1, 'Epochs must be at least 1').max(10000),
  batchSize: z.number().int().min(1, 'Batch size must be at least 1').max(65536),
  learningRate: z.number().positive('Learning rate must be positive').max(10),
  optimizer: z.enum(OPTIMIZERS),
  /** SGD and RMSprop momentum. */
  momentum: z.number().min(0).max(0.999).default(0),
  /** Nesterov momentum (SGD only). */
  nesterov: z.boolean().default(false),
  /** Decoupled weight decay (AdamW); a fraction of each weight removed per step, scaled by the learning rate. */
  weightDecay: z.number().min(0).max(1).default(0),
  seed: z.number().int().min(0),
  schedule: z
    .object({
      type: z.enum(LR_SCHEDULES),
      /** step: multiply by gamma every stepEpochs epochs; exponential: multiply by gamma every epoch. */
      stepEpochs: z.number().int().min(1).default(10),
      gamma: z.number().positive().max(1).default(0.5),
      /** Linear warm-up from ~0 to the learning rate over this many epochs (any schedule). */
      warmupEpochs: z.number().int().min(0).default(0),
      /** Floor of the cosine schedule. */
      minLearningRate: z.number().min(0).default(0),
    })
    .default({ type: 'constant', stepEpochs: 10, gamma: 0.5, warmupEpochs: 0, minLearningRate: 0 }),
  earlyStopping: z
    .object({
      enabled: z.boolean(),
      monitor: z.enum(MONITORED_METRICS).default('val_loss'),
      patience: z.number().int().min(1).default(5),
      minDelta: z.number().min(0).default(0),
      /** Put back the weights of the best epoch when training stops early (or ends). */
      restoreBest: z.boolean().default(true),
    })
    .default({ enabled: false, monitor: 'val_loss', patience: 5, minDelta: 0, restoreBest: true }),
  /** L1 / L2 penalties on every kernel (not biases), added to the loss. */
  l1: z.number().min(0).max(1).default(0),
  l2: z.number().min(0).max(1).default(0),
  gradientClip: z
    .object({ type: z.enum(['none', 'norm', 'value']), value: z.number().positive().default(1) })
    .default({ type: 'none', value: 1 }),
  /** 'balanced' weighs each class by n_samples / (n_classes * n_class_samples). */
  classWeights: z.enum(['none', 'balanced']).default('none'),
  /** Keep the weights of every epoch's end in the run folder (the last one is always kept). */
  checkpointEveryEpoch: z.boolean().default(true),
  /** Loss options of the output layers, by node id; an output without an entry keeps the defaults. */
  outputs: z.array(OutputLossSchema).default([]),
});
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;

export const DEFAULT_TRAINING: TrainingConfig = TrainingConfigSchema.parse({ epochs: 5, batchSize: 32, learningRate: 0.001, optimizer: 'adam', seed: 42 });

/** The loss options of one output: its entry in training.outputs, or the defaults. */
export function outputLossOf(training: Pick<TrainingConfig, 'outputs'>, node: string): OutputLoss {
  return (training.outputs ?? []).find((o) => o.node === node) ?? { node, fromLogits: false, lossWeight: 1 };
}

/** training.outputs with one output's options changed (its entry added when it has none). */
export function withOutputLoss(training: Pick<TrainingConfig, 'outputs'>, node: string, patch: Partial<Omit<OutputLoss, 'node'>>): OutputLoss[] {
  const list = training.outputs ?? [];
  const next = { ...outputLossOf(training, node), ...patch, node };
  return list.some((o) => o.node === node) ? list.map((o) => (o.node === node ? next : o)) : [...list, next];
}

/** Adding a name is backward compatible (every older file still parses); removing or renaming one needs a migration. */
export const BUILTIN_DATASETS = ['mnist', 'fashion-mnist', 'cifar10', 'spirals', 'xor', 'circles', 'sine', 'reviews'] as const;
export type BuiltinDatasetName = (typeof BUILTIN_DATASETS)[number];

const PathField = z.string().min(1, 'Choose a file or folder').max(4096);

/** How a table's fields are separated; 'auto' sniffs comma, semicolon or tab. Named in words: a tab in a message would not show. */
export const CsvDelimiterSchema = z.enum(['auto', ',', ';', '\t', '|'], { error: 'The delimiter must be auto, a comma, a semicolon, a tab or |' });

/** Columns of a table fed to one Input node: numbers and categories (encoded as featureColumns are), or one text column (tokenized). */
export const CsvInputBindingSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('columns'),
    /** Id of the Input node. */
    node: z.string().min(1),
    columns: z.array(z.string().min(1)).min(1, 'Choose at least one column for this Input'),
  }),
  z.object({
    type: z.literal('text'),
    node: z.string().min(1),
    column: z.string().min(1, 'Choose the text column'),
    vocabSize: z.number().int().min(10).max(200_000).default(10_000),
    sequenceLength: z.number().int().min(2).max(10_000).default(100),
    lowercase: z.boolean().default(true),
    /** Fixed once built, as for a text dataset, so saved models keep working. */
    vocabulary: z.array(z.string()).optional(),
  }),
]);
export type CsvInputBinding = z.infer<typeof CsvInputBindingSchema>;

/** The column one output node predicts. */
export const CsvTargetBindingSchema = z.object({
  /** Id of the output node. */
  node: z.string().min(1),
  column: z.string().min(1, 'Choose the column this output predicts'),
  task: z.enum(['auto', 'classification', 'regression']).default('auto'),
});
export type CsvTargetBinding = z.infer<typeof CsvTargetBindingSchema>;

/** Where the samples come from. Saved in the project, so a reopened project trains on the same data. */
export const DatasetSourceSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('builtin'),
    name: z.enum(BUILTIN_DATASETS),
    /** Folder with the files, for Fashion-MNIST (found automatically where Debian installs it) and CIFAR-10. */
    dir: PathField.optional(),
    /** Size and noise of the synthetic sets. */
    samples: z.number().int().min(10).max(1_000_000).default(2000),
    noise: z.number().min(0).max(5).default(0.1),
  }),
  z.object({
    type: z.literal('csv'),
    path: PathField,
    delimiter: CsvDelimiterSchema.default('auto'),
    labelColumn: z.string().min(1, 'Choose the label column'),
    /** Columns used as features; empty means every column but the label. */
    featureColumns: z.array(z.string()).default([]),
    task: z.enum(['auto', 'classification', 'regression']).default('auto'),
    categorical: z.enum(['onehot', 'index']).default('onehot'),
    missing: z.enum(['drop-row', 'mean', 'zero']).default('drop-row'),
    /** What a malformed row does: skip it (and list it) or stop with its file, line and column. */
    badRows: z.enum(['skip', 'stop']).default('skip'),
    /**
     * Several Inputs: which columns feed which Input node. Empty: one Input takes featureColumns (as before).
     * Where a project binds targets but no inputs, the one Input takes featureColumns.
     */
    inputs: z.array(CsvInputBindingSchema).default([]),
    /** Several outputs: which column each output node predicts. Empty: one output predicts labelColumn. */
    targets: z.array(CsvTargetBindingSchema).default([]),
  }),
  z.object({
    type: z.literal('images'),
    /** One subfolder per class, PNG or JPEG files inside. */
    path: PathField,
    width: z.number().int().min(4).max(1024).default(28),
    height: z.number().int().min(4).max(1024).default(28),
    channels: z.union([z.literal(1), z.literal(3)]).default(1),
  }),
  z.object({
    type: z.literal('text'),
    path: PathField,
    textColumn: z.string().min(1, 'Choose the text column'),
    labelColumn: z.string().min(1, 'Choose the label column'),
    vocabSize: z.number().int().min(10).max(200_000).default(10_000),
    sequenceLength: z.number().int().min(2).max(10_000).default(100),
    lowercase: z.boolean().default(true),
    /** The tokenizer's vocabulary (index 0 = padding, 1 = unknown), fixed once built so saved models keep working. */
    vocabulary: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('timeseries'),
    path: PathField,
    /** Columns fed to the model at each step; empty means every numeric column. */
    featureColumns: z.array(z.string()).default([]),
    targetColumn: z.string().min(1, 'Choose the column to predict'),
    window: z.number().int().min(2).max(100_000).default(24),
    horizon: z.number().int().min(1).max(10_000).default(1),
    stride: z.number().int().min(1).max(10_000).default(1),
  }),
]);
export type DatasetSource = z.infer<typeof DatasetSourceSchema>;

/** What a dataset gives as the target: its labels, or each sample's own input (reconstruction). */
export const DATASET_TARGETS = ['labels', 'input'] as const;
export type DatasetTargetChoice = (typeof DATASET_TARGETS)[number];

export const DatasetChoiceSchema = z.object({
  source: DatasetSourceSchema,
  /** Fractions of the data held out for validation and test (the rest trains). */
  validationFraction: z.number().min(0).max(0.5),
  testFraction: z.number().min(0).max(0.5),
  /** Seed of the split, stored so a reopened project splits the same way. */
  splitSeed: z.number().int().min(0),
  /** Keep class proportions equal across the splits (classification only). */
  stratify: z.boolean().default(false),
  /**
   * What the network learns to output: the source's labels (or target columns), or the input itself (an
   * autoencoder: task 'reconstruction', see datasetInfoFor in core/datasets.ts). Added without a version bump.
   */
  target: z.enum(DATASET_TARGETS).default('labels'),
});
export type DatasetChoice = z.infer<typeof DatasetChoiceSchema>;

export const DEFAULT_DATASET: DatasetChoice = DatasetChoiceSchema.parse({
  source: { type: 'builtin', name: 'mnist' },
  validationFraction: 0.1,
  testFraction: 0.1,
  splitSeed: 1234,
});

/** A stable key for a dataset source: the built-in's name, or type and path of a person's own data. */
export function datasetKey(source: DatasetSource): string {
  return source.type === 'builtin' ? source.name : `${source.type}:${source.path}`;
}

/**
 * Trained weights the project starts from (an imported model's): the sidecar file beside the project (see
 * nodeWeights.ts) and what it holds, in order, keyed by node id and the weight's name within the layer.
 */
export const ProjectWeightsSchema = z.object({
  /** The sidecar's file name, relative to the project's folder (absolute while the project is open). */
  file: z.string().min(1).max(4096),
  entries: z.array(z.object({ node: z.string().min(1), name: z.string().min(1), shape: z.array(z.number().int().min(0)) })),
});
export type ProjectWeights = z.infer<typeof ProjectWeightsSchema>;

export const ProjectSchema = z.object({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(CURRENT_PROJECT_VERSION),
  name: z.string().min(1).max(200),
  /**
   * What the project is and what it reaches (templates state their dataset and measured accuracy here). Optional and
   * added without a version bump: older files have none, and an older Neurowire drops it when it reads a newer file.
   */
  description: z.string().max(2000).optional(),
  graph: GraphSchema,
  dataset: DatasetChoiceSchema,
  training: TrainingConfigSchema,
  /** Trained weights training starts from; absent: fresh weights. */
  weights: ProjectWeightsSchema.optional(),
});
export type Project = z.infer<typeof ProjectSchema>;

export class ProjectFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectFileError';
  }
}

/** Migrations from version N to N+1, keyed by N. Each takes and returns plain JSON. */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
  // v1 named only a built-in dataset by id; v2 describes any source. New training options take their defaults.
  1: (doc) => {
    const old = (doc.dataset ?? {}) as Record<string, unknown>;
    const { id, ...split } = old;
    return { ...doc, dataset: { ...split, source: { type: 'builtin', name: id } } };
  },
  // v3 adds per-output loss options (training.outputs) and, for CSV, bindings of columns to several Inputs and
  // outputs. A v2 project has one Input and one output: no bindings, default losses — the same meaning as before.
  2: (doc) => {
    const training = (doc.training ?? {}) as Record<string, unknown>;
    const dataset = (doc.dataset ?? {}) as Record<string, unknown>;
    const source = (dataset.source ?? {}) as Record<string, unknown>;
    const bound = source.type === 'csv' ? { ...source, inputs: [], targets: [] } : source;
    return { ...doc, dataset: { ...dataset, source: bound }, training: { ...training, outputs: [] } };
  },
  // v4 lets a connection leave from another output than a layer's main one (`sourcePort`). Every v3 connection
  // leaves from the main output, so nothing changes; the bump keeps an older Neurowire from reading a v4 file's
  // state connections as main-output ones.
  3: (doc) => doc,
  // v5 adds trained weights kept beside the project (`weights`) and frozen layers (a node's `trainable: false`).
  // A v4 project has neither; the bump keeps an older Neurowire from training a frozen layer or dropping the weights.
  4: (doc) => doc,
};

function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * A value from a file, as an error message may show it: short, printable, never the file's contents at length
 * (a wrong file may be a private one) and never control characters (they would garble a terminal).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point: they are replaced
    const printable = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
    return JSON.stringify(printable.length > 40 ? `${printable.slice(0, 40)}…` : printable);
  }
  if (typeof value === 'bigint') return 'a big integer';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/**
 * Turns the text of a project file into a Project, migrating older versions.
 * Throws ProjectFileError with a message that says what is wrong and where.
 */
export function parseProject(text: string, source = 'project file'): Project {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // The parser's own message quotes the text; the file may not be a project at all (or a private file).
    throw new ProjectFileError(`${source} is not a Neurowire project: it is not valid JSON${jsonErrorPlace(text, (e as Error).message)}.`);
  }
  return upgradeProject(doc, source);
}

/** Where JSON.parse gave up, as " (line L, column C)" when its message says, without quoting the text. */
function jsonErrorPlace(text: string, message: string): string {
  if (text.trim() === '') return ' (the file is empty)';
  const m = /at position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
}

/** Whether a parsed JSON document is a Keras or TensorFlow.js model (model.json, or Keras's `model.to_json()`), not a project. */
export function isKerasModelDocument(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  const obj = doc as Record<string, unknown>;
  if (obj.format === PROJECT_FORMAT) return false;
  return obj.format === 'layers-model' || obj.modelTopology !== undefined || (typeof obj.class_name === 'string' && 'config' in obj);
}

export function upgradeProject(doc: unknown, source = 'project file'): Project {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ProjectFileError(`${source} is not a Neurowire project (expected a JSON object).`);
  }
  let obj = doc as Record<string, unknown>;
  if (isKerasModelDocument(obj)) {
    throw new ProjectFileError(`${source} is a Keras or TensorFlow.js model, not a Neurowire project — import its architecture with \`npm run import -- <model.json>\`.`);
  }
  if (obj.format !== PROJECT_FORMAT) {
    throw new ProjectFileError(`${source} is not a Neurowire project (its "format" field is ${describeValue(obj.format)}, expected "${PROJECT_FORMAT}").`);
  }
  const version = obj.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ProjectFileError(`${source} has an invalid "version" field: ${describeValue(version)}.`);
  }
  if (version > CURRENT_PROJECT_VERSION) {
    throw new ProjectFileError(
      `${source} was saved by a newer Neurowire (format version ${version}; this version reads up to ${CURRENT_PROJECT_VERSION}). Update Neurowire to open it.`,
    );
  }
  for (let v = version; v < CURRENT_PROJECT_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    if (!migrate) throw new ProjectFileError(`No migration from project format version ${v}.`);
    obj = { ...migrate(obj), version: v + 1 };
  }
  const parsed = ProjectSchema.safeParse(obj);
  if (!parsed.success) throw new ProjectFileError(`${source} is damaged or incomplete — ${formatZodIssues(parsed.error)}.`);
  checkGraphReferences(parsed.data, source);
  return parsed.data;
}

function checkGraphReferences(project: Project, source: string): void {
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const n of project.graph.nodes) {
    if (ids.has(n.id)) throw new ProjectFileError(`${source}: two layers share the id "${n.id}".`);
    if (names.has(n.name)) throw new ProjectFileError(`${source}: two layers share the name "${n.name}".`);
    ids.add(n.id);
    names.add(n.name);
  }
  for (const e of project.graph.edges) {
    if (!ids.has(e.source) || !ids.has(e.target)) {
      throw new ProjectFileError(`${source}: connection "${e.id}" refers to a layer that does not exist (${!ids.has(e.source) ? e.source : e.target}).`);
    }
  }
}

export function serializeProject(project: Project): string {
  return JSON.stringify(project, null, 2) + '\n';
}

export function emptyProject(name = 'Untitled'): Project {
  return {
    format: PROJECT_FORMAT,
    version: CURRENT_PROJECT_VERSION,
    name,
    graph: { nodes: [], edges: [] },
    dataset: { ...DEFAULT_DATASET },
    training: { ...DEFAULT_TRAINING },
  };
}
