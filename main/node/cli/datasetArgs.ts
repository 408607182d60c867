import { statSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_DATASETS, DatasetChoiceSchema, type DatasetChoice, type DatasetSource } from '../../core/project';

/** Command-line options that describe a dataset; the same choices the app's Data tab offers. */
export const DATASET_OPTIONS = {
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  label: { type: 'string' },
  features: { type: 'string' },
  task: { type: 'string' },
  delimiter: { type: 'string' },
  categorical: { type: 'string' },
  missing: { type: 'string' },
  'bad-rows': { type: 'string' },
  'image-size': { type: 'string' },
  channels: { type: 'string' },
  'text-column': { type: 'string' },
  'vocab-size': { type: 'string' },
  'seq-len': { type: 'string' },
  target: { type: 'string' },
  window: { type: 'string' },
  horizon: { type: 'string' },
  stride: { type: 'string' },
  samples: { type: 'string' },
  noise: { type: 'string' },
  val: { type: 'string' },
  test: { type: 'string' },
  'split-seed': { type: 'string' },
  stratify: { type: 'boolean' },
  reconstruct: { type: 'boolean' },
} as const;

export const DATASET_USAGE = `Data (default: the project's own choice):
  --dataset NAME            built-in: ${BUILTIN_DATASETS.join(', ')} (--data-dir DIR for fashion-mnist / cifar10 files;
                            --samples N --noise X for the synthetic sets)
  --dataset FILE.csv --label COL [--features a,b,c] [--task auto|classification|regression]
                            [--categorical onehot|index] [--missing drop-row|mean|zero] [--bad-rows skip|stop] [--delimiter ,|;|tab]
  --dataset FILE.csv --text-column COL --label COL [--vocab-size N] [--seq-len N]     text classification
  --dataset FILE.csv --target COL [--features a,b] [--window N] [--horizon N] [--stride N]   time series
  --dataset FOLDER/         one subfolder per class of PNG/JPEG images [--image-size 28x28] [--channels 1|3]
  --val F --test F          validation / test fractions;  --split-seed N;  --stratify
  --reconstruct             the input itself as the target (an autoencoder: the output has the input's shape)`;

type Values = Partial<Record<keyof typeof DATASET_OPTIONS, string | boolean>>;

function num(values: Values, key: keyof typeof DATASET_OPTIONS): number | undefined {
  const v = values[key];
  if (v === undefined || typeof v === 'boolean') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, not "${v}".`);
  return n;
}

function str(values: Values, key: keyof typeof DATASET_OPTIONS): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

function list(values: Values, key: keyof typeof DATASET_OPTIONS): string[] | undefined {
  const v = str(values, key);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Builds the dataset source the options describe, or returns undefined to keep the project's. */
function sourceFromOptions(values: Values): Record<string, unknown> | undefined {
  const dataset = str(values, 'dataset');
  if (dataset === undefined) return undefined;
  if ((BUILTIN_DATASETS as readonly string[]).includes(dataset)) {
    return { type: 'builtin', name: dataset, dir: str(values, 'data-dir'), samples: num(values, 'samples'), noise: num(values, 'noise') };
  }
  const file = path.resolve(dataset);
  if (isDirectory(file)) {
    const size = str(values, 'image-size');
    let width: number | undefined;
    let height: number | undefined;
    if (size) {
      const m = /^(\d+)x(\d+)$/i.exec(size);
      if (!m) throw new Error(`--image-size must look like 28x28, not "${size}".`);
      width = Number(m[1]);
      height = Number(m[2]);
    }
    return { type: 'images', path: file, width, height, channels: num(values, 'channels') };
  }
  if (!/\.(csv|tsv|txt)$/i.test(file)) {
    throw new Error(`--dataset "${dataset}" is neither a built-in (${BUILTIN_DATASETS.join(', ')}), a folder of images nor a .csv/.tsv file.`);
  }
  if (str(values, 'text-column')) {
    return {
      type: 'text',
      path: file,
      textColumn: str(values, 'text-column'),
      labelColumn: str(values, 'label'),
      vocabSize: num(values, 'vocab-size'),
      sequenceLength: num(values, 'seq-len'),
    };
  }
  if (str(values, 'target')) {
    return {
      type: 'timeseries',
      path: file,
      targetColumn: str(values, 'target'),
      featureColumns: list(values, 'features'),
      window: num(values, 'window'),
      horizon: num(values, 'horizon'),
      stride: num(values, 'stride'),
    };
  }
  if (!str(values, 'label')) throw new Error(`--dataset ${dataset} is a table: say which column holds the labels with --label COLUMN.`);
  const delimiter = str(values, 'delimiter');
  return {
    type: 'csv',
    path: file,
    labelColumn: str(values, 'label'),
    featureColumns: list(values, 'features'),
    task: str(values, 'task'),
    categorical: str(values, 'categorical'),
    missing: str(values, 'missing'),
    badRows: str(values, 'bad-rows'),
    delimiter: delimiter === 'tab' ? '\t' : delimiter,
  };
}

function dropUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** The project's dataset choice with the command line's options applied; throws with a message naming the option. */
export function datasetChoiceFromOptions(current: DatasetChoice, values: Values): DatasetChoice {
  let source = sourceFromOptions(values);
  // Another copy of a bound table (several Inputs / outputs) keeps the project's bindings: they name columns, not the file.
  if (source?.type === 'csv' && current.source.type === 'csv') source = { inputs: current.source.inputs, targets: current.source.targets, ...dropUndefined(source) };
  const parsed = DatasetChoiceSchema.safeParse({
    ...current,
    source: source ? dropUndefined(source) : current.source,
    ...dropUndefined({ validationFraction: num(values, 'val'), testFraction: num(values, 'test'), splitSeed: num(values, 'split-seed') }),
    ...(values.stratify ? { stratify: true } : {}),
    ...(values.reconstruct ? { target: 'input' } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`dataset options: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export type { DatasetSource };
