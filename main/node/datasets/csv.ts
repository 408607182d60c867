import path from 'node:path';
import type { DataProblem, DatasetInfo, DatasetPreview, InputPart, OutputPart, Preprocessing } from '../../core/datasets';
import type { TrainingData } from '../../core/training/types';
import { datasetKey, describeValue, type CsvInputBinding, type DatasetChoice, type DatasetSource } from '../../core/project';
import { bareColumn, columnIndex, columnStats, countLines, isMissing, isNumericColumn, previewTable, readCsv, sortClassNames, toNumber } from './csvRows';
import { arraySplit, classCountsOf, partsSplit, splitIndices, type PartSamples, type SplitFractions } from './split';
import { buildVocabulary, encodeText } from './text';

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
 *   are those of all rows, sorted, so the input size does not depend on the split.
 */

export type CsvSource = Extract<DatasetSource, { type: 'csv' }>;

interface Column {
  name: string;
  /** Index in the file's header. */
  index: number;
  kind: 'numeric' | 'categorical';
  categories?: string[];
}

/** A column a target binding (or the label column) names, with what the data says about it. */
export interface TargetColumn {
  /** The output node it is bound to; undefined for the label column of a table without target bindings. */
  node?: string;
  name: string;
  index: number;
  task: 'classification' | 'regression';
  classNames: string[];
}

export interface PreparedCsv {
  file: string;
  header: string[];
  /** The first target (the label column without target bindings); task and classNames below are its. */
  label: { name: string; index: number };
  /** Every target: the label alone, or each bound output's column. */
  targets: TargetColumn[];
  /** Text columns bound to Inputs (tokenized, never encoded as categories). */
  texts: { name: string; index: number }[];
  features: Column[];
  task: 'classification' | 'regression';
  classNames: string[];
  /** Kept rows (full fields) and their line numbers. */
  rows: string[][];
  lines: number[];
  problems: DataProblem[];
  /** Rows read (kept or not); whether a preview limit cut the read short. */
  rowsRead: number;
  truncated: boolean;
}

function problemText(p: DataProblem): string {
  return `${p.file}:${p.line ?? '?'}:${p.column === undefined ? '?' : bareColumn(p.column)}: ${p.message}`;
}

/** Reads and checks the table: kept rows, column kinds, classes; bad rows handled per `badRows` (preview: always listed). */
export async function prepareCsv(source: CsvSource, opts: { maxRows?: number; preview?: boolean; onProblem?(p: DataProblem): void } = {}): Promise<PreparedCsv> {
  const file = source.path;
  let header: string[] = [];
  let labelIdx = -1;
  let featureIdx: number[] = [];
  let targetIdx: number[] = [];
  let textIdx: number[] = [];
  const targetBindings = targetsOf(source);
  const tabular = tabularColumnsOf(source);
  const rows: string[][] = [];
  const lines: number[] = [];
  const bad: DataProblem[] = [];
  const badLine = new Set<number>();
  const res = await readCsv(
    file,
    (fields, line) => {
      if (fields.length !== header.length) {
        const column = fields.length < header.length ? header[fields.length] : `(field ${header.length + 1})`;
        bad.push({ file, line, column, message: `expected ${header.length} fields, found ${fields.length}` });
        badLine.add(line);
        return;
      }
      rows.push(fields);
      lines.push(line);
    },
    {
      delimiter: source.delimiter,
      maxRows: opts.maxRows,
      onHeader(h) {
        header = h;
        targetIdx = targetBindings.map((t) => columnIndex(h, t.column, file, targetBindings.length > 1 || t.node ? 'target' : 'label'));
        labelIdx = targetIdx[0];
        textIdx = source.inputs.flatMap((b) => (b.type === 'text' ? [columnIndex(h, b.column, file, 'text')] : []));
        featureIdx = tabular ? tabular.map((c) => columnIndex(h, c, file, 'feature')) : h.map((_, i) => i).filter((i) => !targetIdx.includes(i) && !textIdx.includes(i));
        for (const i of targetIdx) {
          if (featureIdx.includes(i) || textIdx.includes(i)) throw new Error(`The ${targetIdx.length > 1 ? 'target' : 'label'} column ${describeValue(h[i])} is also listed as ${featureIdx.includes(i) ? 'a feature' : 'a text input'}.`);
        }
        if (featureIdx.length === 0 && textIdx.length === 0) throw new Error(`${path.basename(file)} has no feature columns besides the label ${describeValue(h[labelIdx])}.`);
      },
    },
  );

  // Column kinds and each target's task, from the well-formed rows.
  const tasks = targetIdx.map((index, t): 'classification' | 'regression' => {
    const wanted = targetBindings[t].task;
    if (wanted !== 'auto') return wanted;
    const stats = columnStats(rows.map((r) => r[index]));
    return stats.numeric < stats.present || (stats.integers === stats.numeric && stats.distinct <= 20) ? 'classification' : 'regression';
  });
  const task = tasks[0];
  const features: Column[] = featureIdx.map((index) => ({ name: header[index], index, kind: isNumericColumn(columnStats(rows.map((r) => r[index]))) ? 'numeric' : 'categorical' }));
  const numericCols = features.filter((f) => f.kind === 'numeric').map((f) => ({ name: f.name, index: f.index }));
  targetIdx.forEach((index, t) => {
    if (tasks[t] === 'regression') numericCols.unshift({ name: header[index], index });
  });

  // Text in a numeric column: a bad row.
  for (let r = 0; r < rows.length; r++) {
    for (const c of numericCols) {
      const v = rows[r][c.index];
      if (!isMissing(v) && Number.isNaN(toNumber(v))) {
        bad.push({ file, line: lines[r], column: c.name, message: `${describeValue(v)} is not a number (column ${describeValue(c.name)} is numeric)` });
        badLine.add(lines[r]);
        break;
      }
    }
  }
  bad.sort((a, b) => a.line! - b.line!);
  if (bad.length && source.badRows === 'stop' && !opts.preview) {
    const more = bad.length > 1 ? ` (${bad.length - 1} more bad row${bad.length > 2 ? 's' : ''} after it)` : '';
    throw new Error(`Bad row in ${problemText(bad[0])}${more}. Fix the file, or set bad rows to "skip".`);
  }

  // Missing values.
  const problems: DataProblem[] = [];
  const keptRows: string[][] = [];
  const keptLines: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const line = lines[r];
    if (badLine.has(line)) continue;
    const noTarget = targetIdx.find((i) => isMissing(row[i]));
    if (noTarget !== undefined) {
      problems.push({ file, line, column: header[noTarget], message: `missing ${targetIdx.length > 1 ? 'target' : 'label'}; row dropped` });
      continue;
    }
    if (source.missing === 'drop-row') {
      const f = features.find((c) => isMissing(row[c.index]));
      if (f) {
        problems.push({ file, line, column: f.name, message: 'missing value; row dropped (missing values: drop-row)' });
        continue;
      }
    }
    keptRows.push(row);
    keptLines.push(line);
  }
  const allProblems = [...bad.map((p) => ({ ...p, message: `${p.message}; row skipped` })), ...problems].sort((a, b) => a.line! - b.line!);
  for (const p of allProblems) opts.onProblem?.(p);
  if (keptRows.length === 0) throw new Error(`${file} has no usable rows (${res.rows} read, ${allProblems.length} with problems${allProblems[0] ? `; first: ${problemText(allProblems[0])}` : ''}).`);

  for (const f of features) if (f.kind === 'categorical') f.categories = sortClassNames(keptRows.map((r) => r[f.index].trim()).filter((v) => !isMissing(v)));
  const targets: TargetColumn[] = targetIdx.map((index, t) => ({
    ...(targetBindings[t].node ? { node: targetBindings[t].node } : {}),
    name: header[index],
    index,
    task: tasks[t],
    classNames: tasks[t] === 'classification' ? sortClassNames(keptRows.map((r) => r[index].trim())) : [],
  }));
  const texts = textIdx.map((index) => ({ name: header[index], index }));
  return {
    file, header, label: { name: header[labelIdx], index: labelIdx }, targets, texts, features, task, classNames: targets[0].classNames,
    rows: keptRows, lines: keptLines, problems: allProblems, rowsRead: res.rows, truncated: res.truncated,
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
  const n = p.rows.length;
  const width = featureNames(p, source.categorical).length;
  const x = new Float32Array(n * width);
  const described: Extract<Preprocessing, { kind: 'tabular' }>['features'] = [];
  let o = 0;
  for (const f of p.features) {
    if (f.kind === 'numeric') {
      let sum = 0;
      let sq = 0;
      let cnt = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const v = p.rows[trainRows[i]][f.index];
        if (isMissing(v)) continue;
        const num = toNumber(v);
        sum += num;
        sq += num * num;
        cnt++;
      }
      const mean = cnt ? sum / cnt : 0;
      const std = cnt ? Math.sqrt(Math.max(sq / cnt - mean * mean, 0)) : 0;
      const scale = std > 1e-12 ? 1 / std : 1;
      const fill = source.missing === 'zero' ? 0 : mean;
      for (let r = 0; r < n; r++) {
        const v = p.rows[r][f.index];
        x[r * width + o] = ((isMissing(v) ? fill : toNumber(v)) - mean) * scale;
      }
      described.push({ column: p.header[f.index], type: 'numeric', mean, std: 1 / scale, missingFill: fill });
      o += 1;
    } else {
      const cats = f.categories!;
      const pos = new Map(cats.map((c, i) => [c, i]));
      let mode = -1;
      if (source.missing === 'mean') {
        const counts = new Array<number>(cats.length).fill(0);
        for (let i = 0; i < trainRows.length; i++) {
          const v = p.rows[trainRows[i]][f.index];
          if (!isMissing(v)) counts[pos.get(v.trim())!]++;
        }
        mode = counts.indexOf(Math.max(...counts));
      }
      for (let r = 0; r < n; r++) {
        const v = p.rows[r][f.index];
        const c = isMissing(v) ? mode : pos.get(v.trim())!;
        if (source.categorical === 'onehot') {
          if (c >= 0) x[r * width + o + c] = 1;
        } else x[r * width + o] = c + 1;
      }
      described.push({ column: p.header[f.index], type: 'categorical', encoding: source.categorical, categories: [...cats], missingFill: mode >= 0 ? cats[mode] : null });
      o += source.categorical === 'onehot' ? cats.length : 1;
    }
  }
  return { x, width, preprocessing: { kind: 'tabular', features: described } };
}

export async function openCsv(choice: DatasetChoice & { source: CsvSource }, onProblem?: (p: DataProblem) => void): Promise<TrainingData> {
  const source = choice.source;
  const p = await prepareCsv(source, { onProblem });
  if (isBound(source)) return openBoundCsv(choice, p);
  const n = p.rows.length;
  let labels: Int32Array | null = null;
  let y: Int32Array | Float32Array;
  if (p.task === 'classification') {
    const pos = new Map(p.classNames.map((c, i) => [c, i]));
    labels = Int32Array.from(p.rows, (r) => pos.get(r[p.label.index].trim())!);
    y = labels;
  } else {
    y = Float32Array.from(p.rows, (r) => toNumber(r[p.label.index]));
  }
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

/** One target's values: class indices, or the numbers themselves (regression targets stay in their units). */
function targetValues(p: PreparedCsv, t: TargetColumn): Int32Array | Float32Array {
  if (t.task === 'regression') return Float32Array.from(p.rows, (r) => toNumber(r[t.index]));
  const pos = new Map(t.classNames.map((c, i) => [c, i]));
  return Int32Array.from(p.rows, (r) => pos.get(r[t.index].trim())!);
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
  const index = p.header.indexOf(binding.column);
  const texts = p.rows.map((r) => r[index] ?? '');
  const vocabulary = part.vocabulary ?? buildVocabulary(Array.from(encode.train, (i) => texts[i]), binding.vocabSize, binding.lowercase);
  const vocab = new Map<string, number>();
  vocabulary.forEach((w, i) => {
    if (i >= 2 && !vocab.has(w)) vocab.set(w, i);
  });
  const x = new Int32Array(p.rows.length * L);
  for (let i = 0; i < texts.length; i++) encodeText(texts[i], vocab, L, binding.lowercase, x, i * L);
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
  const n = p.rows.length;
  const ys = p.targets.map((t) => targetValues(p, t));
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

export async function inspectCsv(source: CsvSource): Promise<DatasetPreview> {
  const p = await prepareCsv(source, { maxRows: PREVIEW_ROWS, preview: true });
  const total = p.truncated ? Math.max(0, (await countLines(p.file)) - 1) : p.rows.length;
  let labels: Int32Array | null = null;
  if (p.task === 'classification') {
    const pos = new Map(p.classNames.map((c, i) => [c, i]));
    labels = Int32Array.from(p.rows, (r) => pos.get(r[p.label.index].trim())!);
  }
  const info = isBound(source)
    ? boundInfo(source, p, total, inputBindingsOf(source, p).map((b) => inputPart(b, p, source).part), p.targets.map((t) => outputPart(t, p.truncated ? null : targetValues(p, t))), p.truncated)
    : csvInfo(source, p, total, p.truncated ? null : labels, p.truncated);
  if (p.truncated) info.description += ` Types and classes from the first ${PREVIEW_ROWS.toLocaleString('en-US')} rows.`;
  return { info, table: previewTable(p.header, p.rows), problems: p.problems.slice(0, 50), problemCount: p.problems.length };
}
