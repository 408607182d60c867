import path from 'node:path';
import type { DataProblem, DatasetInfo, DatasetPreview, InputPart, OutputPart, Preprocessing } from '../../core/datasets';
import type { TrainingData } from '../../core/training/types';
import { datasetKey, describeValue, type CsvInputBinding, type DatasetChoice, type DatasetSource } from '../../core/project';
import { bareColumn, ColumnStatsCounter, columnIndex, countLines, isMissing, isNumericColumn, previewTable, readCsv, sortClassNames, toNumber, type CsvReadOptions } from './csvRows';
import { CodedColumn, detached, Float32Column, Float64Column, TextColumn } from './columns';
import { arraySplit, classCountsOf, partsSplit, splitIndices, type PartSamples, type SplitFractions } from './split';
import { buildVocabulary, encodeText, standardize, vocabularyIds, writeCategory } from '../../core/preprocess';

/**
 * CSV/TSV tables: one label column and feature columns (all the others when none are named).
 * - Column types are inferred from the data: numeric when ≥ 90 % of the present values are numbers, else categorical.
 * - Task 'auto': classification when the label has any non-numeric value or at most 20 distinct integer values,
 *   otherwise regression (targets stay in their own units).
 * - Bad rows: a wrong number of fields, or text in a numeric column. 'skip' drops and lists them (file, line, column);
 *   'stop' fails with `file:line:column` of the first one.
 * - Missing values ('', NA, N/A, NaN, null, none, ?, -): a missing label always drops the row (listed). In features,
 *   'drop-row' drops the row (listed), 'mean' fills numeric columns with the training mean (categorical: the most
 *   frequent training category), 'zero' fills numeric columns with 0 (categorical: no category).
 * - Numeric features are standardized with the mean and standard deviation of the TRAINING split only.
 * - Categorical features: 'onehot' (one input per category) or 'index' (one input: 1..k, 0 = missing). The categories
 *   are those of all kept rows, sorted, so the input size does not depend on the split.
 * - The file is read in two streamed passes (column kinds, then values) into typed columns: memory grows with rows ×
 *   columns (8 bytes a number, 4 a category), never with the text, and no row is held as strings.
 */

export type CsvSource = Extract<DatasetSource, { type: 'csv' }>;

interface NumericColumn {
  name: string;
  /** Index in the file's header. */
  index: number;
  kind: 'numeric';
  /** The kept rows' values; NaN where missing. */
  values: Float64Column;
}

interface CategoricalColumn {
  name: string;
  index: number;
  kind: 'categorical';
  /** The kept rows' categories (sorted, see the file comment) as codes: index into `categories`, -1 where missing. */
  values: CodedColumn;
  categories: string[];
}

type Column = NumericColumn | CategoricalColumn;

/** A column a target binding (or the label column) names, with what the data says about it. */
export interface TargetColumn {
  /** The output node it is bound to; undefined for the label column of a table without target bindings. */
  node?: string;
  name: string;
  index: number;
  task: 'classification' | 'regression';
  classNames: string[];
  /** One per kept row: the class index (classification) or the number itself (regression). */
  values: Int32Array | Float32Array;
}

export interface PreparedCsv {
  file: string;
  header: string[];
  /** The first target (the label column without target bindings); task and classNames below are its. */
  label: { name: string; index: number };
  /** Every target: the label alone, or each bound output's column. */
  targets: TargetColumn[];
  /** Text columns bound to Inputs (tokenized, never encoded as categories), with the kept rows' texts. */
  texts: { name: string; index: number; values: TextColumn }[];
  features: Column[];
  task: 'classification' | 'regression';
  classNames: string[];
  /** Kept rows. */
  count: number;
  /** A preview's kept rows as read (fields), for its table; empty when reading for training. */
  sample: string[][];
  problems: DataProblem[];
  /** Rows read (kept or not); whether a preview limit cut the read short. */
  rowsRead: number;
  truncated: boolean;
}

/** A target's task is 'classification' when 'auto' finds at most this many distinct integer values. */
const MAX_AUTO_CLASSES = 20;

function problemText(p: DataProblem): string {
  return `${p.file}:${p.line ?? '?'}:${p.column === undefined ? '?' : bareColumn(p.column)}: ${p.message}`;
}

/** Where the columns a source names are in the header; throws naming a column that is missing or used twice. */
function layoutOf(source: CsvSource, header: string[]) {
  const file = source.path;
  const targetBindings = targetsOf(source);
  const tabular = tabularColumnsOf(source);
  const targetIdx = targetBindings.map((t) => columnIndex(header, t.column, file, targetBindings.length > 1 || t.node ? 'target' : 'label'));
  const textIdx = source.inputs.flatMap((b) => (b.type === 'text' ? [columnIndex(header, b.column, file, 'text')] : []));
  const featureIdx = tabular ? tabular.map((c) => columnIndex(header, c, file, 'feature')) : header.map((_, i) => i).filter((i) => !targetIdx.includes(i) && !textIdx.includes(i));
  for (const i of targetIdx) {
    if (featureIdx.includes(i) || textIdx.includes(i)) throw new Error(`The ${targetIdx.length > 1 ? 'target' : 'label'} column ${describeValue(header[i])} is also listed as ${featureIdx.includes(i) ? 'a feature' : 'a text input'}.`);
  }
  if (featureIdx.length === 0 && textIdx.length === 0) throw new Error(`${path.basename(file)} has no feature columns besides the label ${describeValue(header[targetIdx[0]])}.`);
  return { header, targetBindings, targetIdx, textIdx, featureIdx };
}

type Layout = ReturnType<typeof layoutOf>;

/**
 * First pass: each feature column's kind and each target's task, from the well-formed rows (the right number of
 * fields). Only counts are kept, never the values.
 */
async function detectKinds(source: CsvSource, read: CsvReadOptions): Promise<{ layout: Layout; numeric: boolean[]; tasks: TargetColumn['task'][] }> {
  let layout: Layout | undefined;
  let featureStats: ColumnStatsCounter[] = [];
  let targetStats: ColumnStatsCounter[] = [];
  await readCsv(
    source.path,
    (fields) => {
      const l = layout!;
      if (fields.length !== l.header.length) return;
      for (let k = 0; k < l.featureIdx.length; k++) featureStats[k].add(fields[l.featureIdx[k]]);
      for (let t = 0; t < l.targetIdx.length; t++) targetStats[t].add(fields[l.targetIdx[t]]);
    },
    {
      ...read,
      onHeader(h) {
        layout = layoutOf(source, h);
        featureStats = layout.featureIdx.map(() => new ColumnStatsCounter(0)); // a feature's kind needs no distinct count
        targetStats = layout.targetIdx.map(() => new ColumnStatsCounter(MAX_AUTO_CLASSES));
      },
    },
  );
  const l = layout!;
  const tasks = l.targetIdx.map((_, t): TargetColumn['task'] => {
    const wanted = l.targetBindings[t].task;
    if (wanted !== 'auto') return wanted;
    const stats = targetStats[t].stats();
    return stats.numeric < stats.present || (stats.integers === stats.numeric && stats.distinct <= MAX_AUTO_CLASSES) ? 'classification' : 'regression';
  });
  return { layout: l, numeric: featureStats.map((s) => isNumericColumn(s.stats())), tasks };
}

/**
 * Reads and checks the table in two streamed passes (kinds, then values), keeping the kept rows' values in typed
 * columns; bad rows handled per `badRows` (preview: always listed).
 */
export async function prepareCsv(source: CsvSource, opts: { maxRows?: number; preview?: boolean; onProblem?(p: DataProblem): void; chunkBytes?: number } = {}): Promise<PreparedCsv> {
  const file = source.path;
  const read: CsvReadOptions = { delimiter: source.delimiter, maxRows: opts.maxRows, chunkBytes: opts.chunkBytes };
  const { layout, numeric, tasks } = await detectKinds(source, read);
  const { header, targetIdx } = layout;
  const features: Column[] = layout.featureIdx.map((index, k) =>
    numeric[k] ? { name: header[index], index, kind: 'numeric', values: new Float64Column() } : { name: header[index], index, kind: 'categorical', values: new CodedColumn(), categories: [] },
  );
  const targetValues = tasks.map((task) => (task === 'classification' ? new CodedColumn() : new Float32Column()));
  const texts = layout.textIdx.map((index) => ({ name: header[index], index, values: new TextColumn() }));
  // Text in a numeric column makes a bad row: regression targets are checked first (the last one first), then features.
  // Each value is parsed once, into `parsed`, and stored from there when the row is kept.
  const numericChecks: { name: string; index: number; store: Float64Column | Float32Column }[] = [
    ...targetIdx.flatMap((index, t) => {
      const store = targetValues[t];
      return store instanceof Float32Column ? [{ name: header[index], index, store }] : [];
    }).reverse(),
    ...features.flatMap((f) => (f.kind === 'numeric' ? [{ name: f.name, index: f.index, store: f.values }] : [])),
  ];
  const parsed = new Float64Array(numericChecks.length);
  const what = targetIdx.length > 1 ? 'target' : 'label';

  // Second pass: each row is bad (skipped), dropped for a missing value, or kept; problems come in line order.
  const problems: DataProblem[] = [];
  let firstBad: DataProblem | undefined;
  let badCount = 0;
  const sample: string[][] = [];
  let count = 0;
  const badRow = (fields: string[]): { column: string; message: string } | null => {
    if (fields.length !== header.length) {
      return { column: fields.length < header.length ? header[fields.length] : `(field ${header.length + 1})`, message: `expected ${header.length} fields, found ${fields.length}` };
    }
    for (let k = 0; k < numericChecks.length; k++) {
      const v = fields[numericChecks[k].index];
      if (isMissing(v)) {
        parsed[k] = NaN;
        continue;
      }
      const num = toNumber(v);
      if (Number.isNaN(num)) return { column: numericChecks[k].name, message: detached(`${describeValue(v)} is not a number (column ${describeValue(numericChecks[k].name)} is numeric)`) };
      parsed[k] = num;
    }
    return null;
  };
  const res = await readCsv(
    file,
    (fields, line) => {
      const bad = badRow(fields);
      if (bad) {
        badCount++;
        firstBad ??= { file, line, ...bad };
        problems.push({ file, line, column: bad.column, message: `${bad.message}; row skipped` });
        return;
      }
      const noTarget = targetIdx.find((i) => isMissing(fields[i]));
      if (noTarget !== undefined) {
        problems.push({ file, line, column: header[noTarget], message: `missing ${what}; row dropped` });
        return;
      }
      if (source.missing === 'drop-row') {
        const f = features.find((c) => isMissing(fields[c.index]));
        if (f) {
          problems.push({ file, line, column: f.name, message: 'missing value; row dropped (missing values: drop-row)' });
          return;
        }
      }
      for (let k = 0; k < numericChecks.length; k++) numericChecks[k].store.push(parsed[k]);
      for (const f of features) {
        if (f.kind !== 'categorical') continue;
        const v = fields[f.index];
        f.values.push(isMissing(v) ? null : v.trim());
      }
      targetIdx.forEach((index, t) => {
        const store = targetValues[t];
        if (store instanceof CodedColumn) store.push(fields[index].trim());
      });
      for (const t of texts) t.values.push(fields[t.index] ?? '');
      if (opts.preview) sample.push(fields);
      count++;
    },
    read,
  );
  if (firstBad && source.badRows === 'stop' && !opts.preview) {
    const more = badCount > 1 ? ` (${badCount - 1} more bad row${badCount > 2 ? 's' : ''} after it)` : '';
    throw new Error(`Bad row in ${problemText(firstBad)}${more}. Fix the file, or set bad rows to "skip".`);
  }
  for (const p of problems) opts.onProblem?.(p);
  if (count === 0) throw new Error(`${file} has no usable rows (${res.rows} read, ${problems.length} with problems${problems[0] ? `; first: ${problemText(problems[0])}` : ''}).`);

  for (const f of features) {
    if (f.kind !== 'categorical') continue;
    f.values.sortCodes(sortClassNames);
    f.categories = f.values.names;
  }
  const targets: TargetColumn[] = targetIdx.map((index, t) => {
    const store = targetValues[t];
    const node = layout.targetBindings[t].node;
    const column = { ...(node ? { node } : {}), name: header[index], index, task: tasks[t] };
    if (store instanceof CodedColumn) {
      store.sortCodes(sortClassNames);
      return { ...column, classNames: store.names, values: store.codes.toArray() };
    }
    return { ...column, classNames: [], values: store.toArray() };
  });
  return {
    file, header, label: { name: header[targetIdx[0]], index: targetIdx[0] }, targets, texts, features, task: tasks[0], classNames: targets[0].classNames,
    count, sample, problems, rowsRead: res.rows, truncated: res.truncated,
  };
}

/** Whether a table's columns are bound to several Inputs or outputs (source.inputs / source.targets). */
export function isBound(source: CsvSource): boolean {
  return (source.inputs?.length ?? 0) > 0 || (source.targets?.length ?? 0) > 0;
}

/** The target columns: each bound output's, or the label column. */
function targetsOf(source: CsvSource): { node?: string; column: string; task: CsvSource['task'] }[] {
  return source.targets?.length ? source.targets : [{ column: source.labelColumn, task: source.task }];
}

/** The columns encoded as numbers and categories, in order: those of the 'columns' input bindings, or featureColumns; null means every other column. */
function tabularColumnsOf(source: CsvSource): string[] | null {
  if (source.inputs?.length) {
    const columns = source.inputs.flatMap((b) => (b.type === 'columns' ? b.columns : []));
    return [...new Set(columns)];
  }
  return source.featureColumns.length ? source.featureColumns : null;
}

function featureNames(p: PreparedCsv, categorical: 'onehot' | 'index'): string[] {
  const out: string[] = [];
  for (const f of p.features) {
    if (f.kind === 'categorical' && categorical === 'onehot') for (const c of f.categories!) out.push(`${f.name}=${c}`);
    else out.push(f.name);
  }
  return out;
}

function csvInfo(source: CsvSource, p: PreparedCsv, total: number, labels: Int32Array | null, approx = false): DatasetInfo {
  const names = featureNames(p, source.categorical);
  const k = p.classNames.length;
  return {
    id: datasetKey(source),
    name: path.basename(p.file),
    description: `${approx ? 'About ' : ''}${total.toLocaleString('en-US')} rows, ${names.length} input${names.length === 1 ? '' : 's'} from ${p.features.length} column${p.features.length === 1 ? '' : 's'}; label "${p.label.name}" (${p.task === 'classification' ? `classification, ${k} classes` : 'regression'}).`,
    inputShape: [names.length],
    inputDType: 'float32',
    task: p.task,
    numClasses: p.task === 'classification' ? k : 0,
    classNames: p.classNames,
    outputSize: p.task === 'classification' ? k : 1,
    totalSamples: total,
    classCounts: labels ? classCountsOf(labels, k) : undefined,
    available: true,
    featureNames: names,
  };
}

/** Encodes the prepared rows: standardization and imputation use the statistics of `trainRows` only. */
export function encodeCsv(p: PreparedCsv, source: CsvSource, trainRows: ArrayLike<number>): { x: Float32Array; width: number; preprocessing: Preprocessing } {
  const n = p.count;
  const width = featureNames(p, source.categorical).length;
  const x = new Float32Array(n * width);
  const described: Extract<Preprocessing, { kind: 'tabular' }>['features'] = [];
  let o = 0;
  for (const f of p.features) {
    if (f.kind === 'numeric') {
      const values = f.values;
      let sum = 0;
      let sq = 0;
      let cnt = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const num = values.get(trainRows[i]);
        if (Number.isNaN(num)) continue;
        sum += num;
        sq += num * num;
        cnt++;
      }
      const mean = cnt ? sum / cnt : 0;
      const std = cnt ? Math.sqrt(Math.max(sq / cnt - mean * mean, 0)) : 0;
      const scale = std > 1e-12 ? 1 / std : 1;
      const feature = { column: p.header[f.index], type: 'numeric' as const, mean, std: 1 / scale, missingFill: source.missing === 'zero' ? 0 : mean };
      for (let r = 0; r < n; r++) x[r * width + o] = standardize(feature, values.get(r));
      described.push(feature);
      o += 1;
    } else {
      const cats = f.categories;
      const codes = f.values.codes;
      let mode = -1;
      if (source.missing === 'mean') {
        const counts = new Array<number>(cats.length).fill(0);
        for (let i = 0; i < trainRows.length; i++) {
          const c = codes.get(trainRows[i]);
          if (c >= 0) counts[c]++;
        }
        // The most frequent training category; the first in sorted order on a tie.
        for (let c = 0; c < counts.length; c++) if (mode < 0 || counts[c] > counts[mode]) mode = c;
      }
      const feature = { column: p.header[f.index], type: 'categorical' as const, encoding: source.categorical, categories: [...cats], missingFill: mode >= 0 ? cats[mode] : null };
      for (let r = 0; r < n; r++) {
        const code = codes.get(r);
        writeCategory(feature, code < 0 ? mode : code, x, r * width + o);
      }
      described.push(feature);
      o += source.categorical === 'onehot' ? cats.length : 1;
    }
  }
  return { x, width, preprocessing: { kind: 'tabular', features: described } };
}

export async function openCsv(choice: DatasetChoice & { source: CsvSource }, onProblem?: (p: DataProblem) => void, read: { chunkBytes?: number } = {}): Promise<TrainingData> {
  const source = choice.source;
  const p = await prepareCsv(source, { onProblem, chunkBytes: read.chunkBytes });
  if (isBound(source)) return openBoundCsv(choice, p);
  const n = p.count;
  const y = p.targets[0].values;
  const labels = y instanceof Int32Array ? y : null;
  const split = splitIndices(n, choice as SplitFractions, labels ?? undefined, p.classNames.length, p.file);
  const { x, width, preprocessing } = encodeCsv(p, source, split.train);
  const samples = { x, sampleSize: width, y, ySize: 1, count: n };
  const info = { ...csvInfo(source, p, n, labels), preprocessing };
  return { info, train: arraySplit(samples, split.train), validation: arraySplit(samples, split.validation), test: arraySplit(samples, split.test) };
}

/** The prepared table restricted to some of its feature columns (one Input's group), in the group's order. */
function withFeatures(p: PreparedCsv, columns: string[]): PreparedCsv {
  return { ...p, features: columns.map((c) => p.features.find((f) => f.name === c)!).filter((f) => f !== undefined) };
}

/** The Inputs a table feeds: its input bindings, or one Input (bound implicitly) taking every feature column. */
function inputBindingsOf(source: CsvSource, p: PreparedCsv): CsvInputBinding[] {
  return source.inputs.length ? source.inputs : [{ type: 'columns', node: '', columns: p.features.map((f) => f.name) }];
}

function outputPart(t: TargetColumn, values: Int32Array | Float32Array | null): OutputPart {
  const k = t.classNames.length;
  const part: OutputPart = { name: t.name, task: t.task, numClasses: t.task === 'classification' ? k : 0, classNames: t.classNames, outputSize: t.task === 'classification' ? k : 1 };
  if (t.node) part.node = t.node;
  if (values instanceof Int32Array) part.classCounts = classCountsOf(values, k);
  return part;
}

/**
 * The input part of a binding. Without `encode` (a preview) only its shape: the vocabulary and the statistics come
 * from the training rows when the data is read for training.
 */
function inputPart(binding: CsvInputBinding, p: PreparedCsv, source: CsvSource, encode?: { train: Int32Array }): { part: InputPart; x?: Float32Array | Int32Array; size: number } {
  const node = binding.node ? { node: binding.node } : {};
  if (binding.type === 'columns') {
    const view = withFeatures(p, binding.columns);
    const names = featureNames(view, source.categorical);
    const part: InputPart = { ...node, name: binding.columns.join(', '), shape: [names.length], dtype: 'float32', featureNames: names };
    if (!encode) return { part, size: names.length };
    const { x, width, preprocessing } = encodeCsv(view, source, encode.train);
    return { part: { ...part, preprocessing }, x, size: width };
  }
  // A text column: the text reader's tokenizer and vocabulary (text.ts), never a second one.
  const L = binding.sequenceLength;
  const part: InputPart = { ...node, name: binding.column, shape: [L], dtype: 'int32' };
  if (binding.vocabulary?.length) part.vocabulary = [...binding.vocabulary];
  if (!encode) return { part, size: L };
  const texts = p.texts.find((t) => t.index === columnIndex(p.header, binding.column, p.file, 'text'))!.values;
  const vocabulary = part.vocabulary ?? buildVocabulary(Array.from(encode.train, (i) => texts.get(i)), binding.vocabSize, binding.lowercase);
  const vocab = vocabularyIds(vocabulary);
  const x = new Int32Array(p.count * L);
  for (let i = 0; i < p.count; i++) encodeText(texts.get(i), vocab, L, binding.lowercase, x, i * L);
  const preprocessing: Preprocessing = { kind: 'text', lowercase: binding.lowercase, sequenceLength: L, padding: 'post', truncation: 'post', vocabulary };
  return { part: { ...part, vocabulary, preprocessing }, x, size: L };
}

/** The info of a table with bound Inputs or outputs: the first input and target fill the top-level fields. */
function boundInfo(source: CsvSource, p: PreparedCsv, total: number, inputs: InputPart[], outputs: OutputPart[], approx = false): DatasetInfo {
  const [input] = inputs;
  const [output] = outputs;
  const ins = inputs.map((i) => `${i.name} (${formatShapeShort(i.shape)})`).join('; ');
  const outs = outputs.map((o) => `${o.name} (${o.task === 'classification' ? `${o.numClasses} classes` : 'regression'})`).join('; ');
  const info: DatasetInfo = {
    id: datasetKey(source),
    name: path.basename(p.file),
    description: `${approx ? 'About ' : ''}${total.toLocaleString('en-US')} rows; ${inputs.length} input${inputs.length === 1 ? '' : 's'}: ${ins}; ${outputs.length} target${outputs.length === 1 ? '' : 's'}: ${outs}.`,
    inputShape: input.shape,
    inputDType: input.dtype,
    task: output.task,
    numClasses: output.numClasses,
    classNames: output.classNames,
    outputSize: output.outputSize,
    totalSamples: total,
    available: true,
    inputs,
    outputs,
  };
  if (output.classCounts) info.classCounts = output.classCounts;
  if (input.featureNames) info.featureNames = input.featureNames;
  if (input.vocabulary) info.vocabulary = input.vocabulary;
  if (input.preprocessing) info.preprocessing = input.preprocessing;
  return info;
}

function formatShapeShort(shape: number[]): string {
  return shape.length === 1 ? `${shape[0]} value${shape[0] === 1 ? '' : 's'}` : shape.join('×');
}

/** A table with bound Inputs or outputs: every group of columns, text column and target as its own part. */
function openBoundCsv(choice: DatasetChoice & { source: CsvSource }, p: PreparedCsv): TrainingData {
  const source = choice.source;
  const n = p.count;
  const ys = p.targets.map((t) => t.values);
  const first = ys[0];
  const split = splitIndices(n, choice as SplitFractions, first instanceof Int32Array ? first : undefined, p.targets[0].classNames.length, p.file);
  const inputs = inputBindingsOf(source, p).map((b) => inputPart(b, p, source, { train: split.train }));
  const outputs = p.targets.map((t, i) => outputPart(t, ys[i]));
  const samples: PartSamples = {
    xs: inputs.map((i) => ({ data: i.x!, size: i.size })),
    ys: ys.map((data) => ({ data, size: 1 })), // a class index or one value per target column
    count: n,
  };
  const info = boundInfo(source, p, n, inputs.map((i) => i.part), outputs);
  return { info, train: partsSplit(samples, split.train), validation: partsSplit(samples, split.validation), test: partsSplit(samples, split.test) };
}

export const PREVIEW_ROWS = 5000;

export async function inspectCsv(source: CsvSource, read: { chunkBytes?: number } = {}): Promise<DatasetPreview> {
  const p = await prepareCsv(source, { maxRows: PREVIEW_ROWS, preview: true, chunkBytes: read.chunkBytes });
  const total = p.truncated ? Math.max(0, (await countLines(p.file)) - 1) : p.count;
  const first = p.targets[0].values;
  const labels = first instanceof Int32Array ? first : null;
  const info = isBound(source)
    ? boundInfo(source, p, total, inputBindingsOf(source, p).map((b) => inputPart(b, p, source).part), p.targets.map((t) => outputPart(t, p.truncated ? null : t.values)), p.truncated)
    : csvInfo(source, p, total, p.truncated ? null : labels, p.truncated);
  if (p.truncated) info.description += ` Types and classes from the first ${PREVIEW_ROWS.toLocaleString('en-US')} rows.`;
  return { info, table: previewTable(p.header, p.sample), problems: p.problems.slice(0, 50), problemCount: p.problems.length };
}
