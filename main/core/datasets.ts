import type { DatasetChoice } from './project';

/** What the UI, validation and trainer need to know about a dataset without loading it. */
export interface DatasetInfo {
  /** datasetKey(source): the built-in's name, or "<type>:<path>" for a person's own data. */
  id: string;
  name: string;
  description: string;
  /** Shape of one sample, without the batch axis. */
  inputShape: number[];
  /** int32 for token ids (text), float32 otherwise. */
  inputDType: 'float32' | 'int32';
  task: DatasetTask;
  /** Classification: number of classes (2 for binary). Regression and reconstruction: 0. */
  numClasses: number;
  classNames: string[];
  /**
   * Values the model must output per sample: numClasses for classification, the number of targets for regression,
   * the input's number of values for reconstruction.
   */
  outputSize: number;
  /** Reconstruction: the shape the output must have, the input's (a flat output of outputSize values fits too). */
  outputShape?: number[];
  /** Reconstruction of values scaled to 0..1 (images): a sigmoid output can give every value. */
  unitRange?: boolean;
  /** Total samples available (before the train/validation/test split); null when unknown until read. */
  totalSamples: number | null;
  /** Samples per class, in classNames order, when known. */
  classCounts?: number[];
  /** False when a built-in's files are missing; `unavailableReason` says how to get them. */
  available: boolean;
  unavailableReason?: string;
  /** Names of the input features (tabular data). */
  featureNames?: string[];
  /** Tokenizer vocabulary (text data): index 0 is padding, 1 is unknown. */
  vocabulary?: string[];
  /** How raw inputs become model inputs; exported with the model so it can be used outside the app. Set once the data is read for training. */
  preprocessing?: Preprocessing;
  /**
   * Data bound to several Inputs (a CSV with input bindings): one entry per Input, in the order batches carry
   * them (Batch.xs). Absent: one input, described by the fields above. The first entry repeats those fields.
   */
  inputs?: InputPart[];
  /** Data bound to several outputs (a CSV with target bindings), in Batch.ys order; the first repeats task, classes and outputSize above. */
  outputs?: OutputPart[];
}

/**
 * What the network learns: a class per sample, values per sample, or the sample itself (an autoencoder, whose target
 * is its input: the dataset choice's target 'input').
 */
export type DatasetTask = 'classification' | 'regression' | 'reconstruction';

/** The part of the data one Input node takes. */
export interface InputPart {
  /** Id of the bound Input node; absent when the data has one input and the network one Input. */
  node?: string;
  /** Name of that node's layer in the built model (filled in by the training job from the project). */
  layer?: string;
  /** What it is, for people: the columns, or the text column. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  featureNames?: string[];
  vocabulary?: string[];
  preprocessing?: Preprocessing;
}

/** The target one output node predicts. */
export interface OutputPart {
  node?: string;
  layer?: string;
  /** The target column. */
  name: string;
  task: DatasetTask;
  numClasses: number;
  classNames: string[];
  outputSize: number;
  outputShape?: number[];
  unitRange?: boolean;
  classCounts?: number[];
}

/** The data's inputs, one entry even when the data has only the one described by the top-level fields. */
export function inputPartsOf(info: DatasetInfo): InputPart[] {
  if (info.inputs && info.inputs.length > 0) return info.inputs;
  const single: InputPart = { name: info.name, shape: info.inputShape, dtype: info.inputDType };
  if (info.featureNames) single.featureNames = info.featureNames;
  if (info.vocabulary) single.vocabulary = info.vocabulary;
  if (info.preprocessing) single.preprocessing = info.preprocessing;
  return [single];
}

/** The data's targets, one entry even when the data has only the one described by the top-level fields. */
export function outputPartsOf(info: DatasetInfo): OutputPart[] {
  if (info.outputs && info.outputs.length > 0) return info.outputs;
  const single: OutputPart = { name: info.name, task: info.task, numClasses: info.numClasses, classNames: info.classNames, outputSize: info.outputSize };
  if (info.outputShape) single.outputShape = info.outputShape;
  if (info.unitRange) single.unitRange = info.unitRange;
  if (info.classCounts) single.classCounts = info.classCounts;
  return [single];
}

/**
 * The dataset as the choice's target makes it: unchanged for its labels; for the input itself ('input', an
 * autoencoder) the task is reconstruction and the output must give back each sample's values, in the input's shape.
 * Pure and the one place this is decided: the engine's openDataset, the renderer's analysis and "fit to data" call it.
 * Throws a message naming the data where its input cannot be a target (token ids, several bound parts).
 */
export function datasetInfoFor(choice: Pick<DatasetChoice, 'target'>, info: DatasetInfo): DatasetInfo {
  if (choice.target !== 'input') return info;
  const problem = reconstructionProblem(info);
  if (problem) throw new Error(problem);
  const { classCounts: _counts, outputs: _outputs, inputs: _inputs, ...rest } = info;
  const outputSize = info.inputShape.reduce((a, b) => a * b, 1);
  return {
    ...rest,
    task: 'reconstruction',
    numClasses: 0,
    classNames: [],
    outputSize,
    outputShape: [...info.inputShape],
    // Images (built-in or a folder) are scaled from 0..255 to 0..1 when read.
    ...(isImageShape(info.inputShape) ? { unitRange: true } : {}),
  };
}

/** Why the input of this data cannot be its target, or null when it can. */
export function reconstructionProblem(info: DatasetInfo): string | null {
  if (info.inputDType === 'int32') {
    return `${info.name} gives token ids (text), which cannot be reconstructed as values; choose its labels as the target.`;
  }
  if ((info.inputs?.length ?? 0) > 1 || (info.outputs?.length ?? 0) > 1) {
    return `${info.name} binds several Inputs or outputs; the input itself can be the target only for data with one Input and one output.`;
  }
  return null;
}

/** A sample shape that is a picture: height × width × 1 or 3 channels. */
export function isImageShape(shape: readonly number[]): boolean {
  return shape.length === 3 && (shape[2] === 1 || shape[2] === 3);
}

/** Everything needed to turn a new raw sample into the model's input exactly as in training. */
export type Preprocessing =
  | {
      kind: 'tabular';
      /** In model-input order; numeric columns are standardized, categorical ones encoded. */
      features: (
        | { column: string; type: 'numeric'; mean: number; std: number; missingFill: number }
        | { column: string; type: 'categorical'; encoding: 'onehot' | 'index'; categories: string[]; missingFill: string | null }
      )[];
    }
  | { kind: 'series'; window: number; horizon: number; features: { column: string; mean: number; std: number }[]; target: string }
  | { kind: 'image'; width: number; height: number; channels: number; resize: 'fill'; scale: number }
  | { kind: 'text'; lowercase: boolean; sequenceLength: number; padding: 'post'; truncation: 'post'; vocabulary: string[] };

/** What the model must accept and produce to fit a dataset. */
export interface DatasetTarget {
  datasetName: string;
  inputShape: number[];
  task: DatasetTask;
  numClasses: number;
  outputSize: number;
  outputShape?: number[];
  unitRange?: boolean;
  /** Several bound Inputs: each node's sample shape. */
  inputs?: { node?: string; name: string; shape: number[] }[];
  /** Several bound outputs: each node's target. */
  outputs?: { node?: string; name: string; task: DatasetTask; numClasses: number; outputSize: number }[];
}

export function targetOf(info: DatasetInfo): DatasetTarget {
  const target: DatasetTarget = { datasetName: info.name, inputShape: info.inputShape, task: info.task, numClasses: info.numClasses, outputSize: info.outputSize };
  if (info.outputShape) target.outputShape = info.outputShape;
  if (info.unitRange) target.unitRange = info.unitRange;
  if (info.inputs?.length) target.inputs = info.inputs.map(({ node, name, shape }) => ({ ...(node ? { node } : {}), name, shape }));
  if (info.outputs?.length) {
    target.outputs = info.outputs.map(({ node, name, task, numClasses, outputSize }) => ({ ...(node ? { node } : {}), name, task, numClasses, outputSize }));
  }
  return target;
}

/** A first look at a dataset for the UI: a few samples and the problems found while reading. */
export interface DatasetPreview {
  info: DatasetInfo;
  /** Images: up to ~32 samples as grayscale/RGB pixel bytes (0..255, HWC) with their label. */
  images?: { width: number; height: number; channels: number; samples: { pixels: number[]; label: string }[] };
  /** Tables (CSV, text, time series): the first rows as read, and each column's inferred type. */
  table?: { columns: { name: string; type: 'number' | 'category' | 'text' | 'empty'; distinct?: number }[]; rows: string[][] };
  /** Series (synthetic sine, time series): a few windows' values for a line plot. */
  series?: { name: string; values: number[] }[];
  /** Problems found while reading, e.g. a bad CSV row or an unreadable image; never fatal for a preview. */
  problems: DataProblem[];
  /** How many problems there were in all (problems lists the first ones). */
  problemCount: number;
}

/** A problem with a person's data, precise enough to find and fix it. */
export interface DataProblem {
  file: string;
  /** 1-based line (CSV) when known. */
  line?: number;
  column?: string;
  message: string;
}
