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
  task: 'classification' | 'regression';
  /** Classification: number of classes (2 for binary). Regression: 0. */
  numClasses: number;
  classNames: string[];
  /** Values the model must output per sample: numClasses for classification, the number of targets for regression. */
  outputSize: number;
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
}

/** What the model must accept and produce to fit a dataset. */
export interface DatasetTarget {
  datasetName: string;
  inputShape: number[];
  task: 'classification' | 'regression';
  numClasses: number;
  outputSize: number;
}

export function targetOf(info: DatasetInfo): DatasetTarget {
  return { datasetName: info.name, inputShape: info.inputShape, task: info.task, numClasses: info.numClasses, outputSize: info.outputSize };
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
