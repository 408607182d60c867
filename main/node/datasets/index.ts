/**
 * The dataset API: one abstraction for the trainer, the UI and the CLI.
 *
 *   listDatasets()               the built-ins, each with `available` / `unavailableReason`
 *   openDataset(choice)          → TrainingData (train / validation / test, read batch by batch) for the trainer
 *   inspectDataset(source)       → DatasetPreview (fast: a few thousand rows or a few dozen images) for the UI
 *
 * Splits use the project's stored seed, so a reopened project splits the same way:
 * - most sources: a seeded shuffle, then test / validation / train by the project's fractions (stratified per class
 *   when `stratify` is set, for classification);
 * - Fashion-MNIST and CIFAR-10: the official test set is the test split, validation is `validationFraction` of the
 *   official training set (testFraction unused), so they train on the full 60,000 / 50,000 and test on 10,000;
 * - time series and the synthetic sine: in time order (train, then validation, then test).
 */

import { datasetInfoFor, type DataProblem, type DatasetInfo, type DatasetPreview, type Preprocessing } from '../../core/datasets';
import type { SplitData, TrainingData } from '../../core/training/types';
import { BUILTIN_DATASETS, DatasetSourceSchema, datasetKey, type DatasetChoice, type DatasetSource } from '../../core/project';
import { builtinInfo, loadBuiltin, type BuiltinSource } from './builtin';
import { openCsv, inspectCsv, type CsvSource } from './csv';
import { inspectImages, openImages, type ImageSource } from './images';
import { arraySplit, chronologicalSplit, classCountsOf, splitIndices } from './split';
import { inspectText, openText, type TextSource } from './text';
import { inspectTimeseries, openTimeseries, type TimeseriesSource } from './timeseries';
import { checkFile, previewTable, readCsv } from './csvRows';

export { mulberry32, shuffledIndices, splitIndices, chronologicalSplit } from './split';

export interface OpenOptions {
  /** Each problem found while reading (a skipped CSV row, an unreadable image…), as it is found. */
  onProblem?(p: DataProblem): void;
}

/** The built-ins with their default settings; Fashion-MNIST is available when found where Debian installs it. */
export function listDatasets(): DatasetInfo[] {
  return BUILTIN_DATASETS.map((name) => builtinInfo(DatasetSourceSchema.parse({ type: 'builtin', name }) as BuiltinSource)).map((i) => ({
    ...i,
    inputShape: [...i.inputShape],
    classNames: [...i.classNames],
  }));
}

/**
 * Opens a dataset for training: reads (or, for image folders, lists) it and splits it by the choice's seed and
 * fractions. With the input itself as the target (an autoencoder) every batch's target is a copy of its input.
 */
export async function openDataset(choice: DatasetChoice, opts: OpenOptions = {}): Promise<TrainingData> {
  const data = await openSource(choice, opts);
  const info = { ...data.info, preprocessing: data.info.preprocessing ?? derivedPreprocessing(choice.source, data.info) };
  if (choice.target !== 'input') return { ...data, info };
  return { info: datasetInfoFor(choice, info), train: inputAsTarget(data.train), validation: inputAsTarget(data.validation), test: inputAsTarget(data.test) };
}

/** A split whose batches have their inputs as targets (float32, as the loss takes them); no class labels. */
function inputAsTarget(split: SplitData): SplitData {
  return {
    count: split.count,
    getBatch(indices) {
      const withTarget = (b: Awaited<ReturnType<SplitData['getBatch']>>) => ({ x: b.x, y: Float32Array.from(b.x), count: b.count });
      const batch = split.getBatch(indices);
      return batch instanceof Promise ? batch.then(withTarget) : withTarget(batch);
    },
  };
}

/** Data problems (bad CSV rows, unreadable images) shown one by one before they are only counted. */
const PROBLEMS_SHOWN = 5;

/**
 * openDataset for a training run: the first problems are told to `log` one by one, then only their number.
 * The training worker and a generated project's train.ts both read their data this way.
 */
export async function openDatasetLogged(choice: DatasetChoice, log: (message: string) => void): Promise<TrainingData> {
  let problems = 0;
  const data = await openDataset(choice, {
    onProblem: (p) => {
      if (++problems <= PROBLEMS_SHOWN) log(`Data problem in ${p.file}${p.line ? `, line ${p.line}` : ''}${p.column ? `, column ${p.column}` : ''}: ${p.message}`);
    },
  });
  if (problems > PROBLEMS_SHOWN) log(`${problems} data problems in all (the first ${PROBLEMS_SHOWN} are shown).`);
  return data;
}

/** Preprocessing that follows from the source and the data's shape alone (readers with statistics set their own). */
function derivedPreprocessing(source: DatasetSource, info: DatasetInfo): Preprocessing | undefined {
  if (source.type === 'text' && info.vocabulary) {
    return { kind: 'text', lowercase: source.lowercase, sequenceLength: source.sequenceLength, padding: 'post', truncation: 'post', vocabulary: info.vocabulary };
  }
  const [height, width, channels] = info.inputShape;
  if (info.inputShape.length === 3 && (channels === 1 || channels === 3)) {
    // Images (a folder or a built-in): pixels scaled from 0..255 to 0..1, resized by stretching.
    return { kind: 'image', width, height, channels, resize: 'fill', scale: 1 / 255 };
  }
  return undefined;
}

async function openSource(choice: DatasetChoice, opts: OpenOptions): Promise<TrainingData> {
  const source = choice.source;
  switch (source.type) {
    case 'builtin':
      return openBuiltin(choice as DatasetChoice & { source: BuiltinSource });
    case 'csv':
      return openCsv(choice as DatasetChoice & { source: CsvSource }, opts.onProblem);
    case 'images':
      return openImages(choice as DatasetChoice & { source: ImageSource }, opts.onProblem);
    case 'text':
      return openText(choice as DatasetChoice & { source: TextSource }, opts.onProblem);
    case 'timeseries':
      return openTimeseries(choice as DatasetChoice & { source: TimeseriesSource }, opts.onProblem);
  }
}

async function openBuiltin(choice: DatasetChoice & { source: BuiltinSource }): Promise<TrainingData> {
  const info0 = builtinInfo(choice.source);
  if (!info0.available) throw new Error(`${info0.name}: ${info0.unavailableReason}`);
  const d = await loadBuiltin(choice.source);
  const s = d.samples;
  const labels = s.y instanceof Int32Array ? s.y : undefined;
  const k = d.info.numClasses;
  let split;
  if (d.testStart !== undefined) {
    const inner = splitIndices(d.testStart, { ...choice, testFraction: 0 }, labels?.subarray(0, d.testStart), k, d.info.name);
    split = { train: inner.train, validation: inner.validation, test: Int32Array.from({ length: s.count - d.testStart }, (_, i) => d.testStart! + i) };
  } else if (d.chronological) {
    split = chronologicalSplit(s.count, choice, d.info.name);
  } else {
    split = splitIndices(s.count, choice, labels, k, d.info.name);
  }
  const info: DatasetInfo = { ...d.info, classCounts: labels ? classCountsOf(labels, k) : undefined };
  return { info, train: arraySplit(s, split.train), validation: arraySplit(s, split.validation), test: arraySplit(s, split.test) };
}

/** A quick look at a source for the UI: its info, a few samples, the problems found. Throws only when it cannot be read at all. */
export async function inspectDataset(source: DatasetSource): Promise<DatasetPreview> {
  switch (source.type) {
    case 'builtin':
      return inspectBuiltin(source);
    case 'csv':
      return inspectCsv(source);
    case 'images':
      return inspectImages(source);
    case 'text':
      return inspectText(source);
    case 'timeseries':
      return inspectTimeseries(source);
  }
}

async function inspectBuiltin(source: BuiltinSource): Promise<DatasetPreview> {
  const info0 = builtinInfo(source);
  if (!info0.available) return { info: info0, problems: [], problemCount: 0 };
  const d = await loadBuiltin(source);
  const s = d.samples;
  const labels = s.y instanceof Int32Array ? s.y : undefined;
  const info: DatasetInfo = { ...d.info, classCounts: labels ? classCountsOf(labels, d.info.numClasses) : undefined };
  const preview: DatasetPreview = { info, problems: [], problemCount: 0 };
  const shape = info.inputShape;
  if (shape.length === 3) {
    const [h, w, c] = shape;
    const count = Math.min(32, s.count);
    const step = Math.floor(s.count / count);
    const samples = [];
    for (let i = 0; i < count; i++) {
      const m = i * step;
      const src = s.x.subarray(m * s.sampleSize, (m + 1) * s.sampleSize);
      const pixels = Array.from(src, (v) => (s.xScale !== undefined ? v : Math.round(v * 255)));
      samples.push({ pixels, label: info.classNames[labels![m]] });
    }
    preview.images = { width: w, height: h, channels: c, samples };
  } else if (d.texts) {
    preview.table = {
      columns: [
        { name: 'review', type: 'text' },
        { name: 'label', type: 'category', distinct: info.numClasses },
      ],
      rows: d.texts.slice(0, 20).map((text, r) => [text, info.classNames[labels![r]]]),
    };
  } else if (d.series) {
    preview.series = [{ name: 'value', values: Array.from(d.series.subarray(0, 300)) }];
  } else {
    const names = info.featureNames ?? shape.map((_, i) => `x${i + 1}`);
    preview.table = {
      columns: [...names.map((name) => ({ name, type: 'number' as const })), { name: 'label', type: 'category' as const, distinct: info.numClasses }],
      rows: Array.from({ length: Math.min(20, s.count) }, (_, r) => [...Array.from(s.x.subarray(r * s.sampleSize, (r + 1) * s.sampleSize), (v) => v.toFixed(4)), info.classNames[labels![r]]]),
    };
  }
  return preview;
}

export { datasetKey };

/** The header and first rows of a CSV/TSV file with each column's inferred type, before any column is chosen. */
export async function readCsvColumns(file: string, delimiter?: string, rows = 200): Promise<ReturnType<typeof previewTable>> {
  checkFile(file);
  const sample: string[][] = [];
  const read = await readCsv(file, (fields) => sample.push(fields), { delimiter, maxRows: rows });
  return previewTable(read.header, sample);
}
