import path from 'node:path';
import type { DataProblem, DatasetInfo, DatasetPreview, Preprocessing } from '../../core/datasets';
import type { TrainingData } from '../../core/training/types';
import { datasetKey, type DatasetChoice, type DatasetSource } from '../../core/project';
import { columnIndex, columnStats, countLines, isMissing, isNumericColumn, previewTable, readCsv, sortClassNames, toNumber } from './csvRows';
import { arraySplit, classCountsOf, splitIndices, type SplitFractions } from './split';

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

export interface PreparedCsv {
  file: string;
  header: string[];
  label: { name: string; index: number };
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
  return `${p.file}:${p.line ?? '?'}:${p.column ?? '?'}: ${p.message}`;
}

/** Reads and checks the table: kept rows, column kinds, classes; bad rows handled per `badRows` (preview: always listed). */
export async function prepareCsv(source: CsvSource, opts: { maxRows?: number; preview?: boolean; onProblem?(p: DataProblem): void } = {}): Promise<PreparedCsv> {
  const file = source.path;
  let header: string[] = [];
  let labelIdx = -1;
  let featureIdx: number[] = [];
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
        labelIdx = columnIndex(h, source.labelColumn, file, 'label');
        featureIdx = source.featureColumns.length ? source.featureColumns.map((c) => columnIndex(h, c, file, 'feature')) : h.map((_, i) => i).filter((i) => i !== labelIdx);
        if (featureIdx.includes(labelIdx)) throw new Error(`The label column "${h[labelIdx]}" is also listed as a feature.`);
        if (featureIdx.length === 0) throw new Error(`${path.basename(file)} has no feature columns besides the label "${h[labelIdx]}".`);
      },
    },
  );

  // Column kinds and the task, from the well-formed rows.
  const labelStats = columnStats(rows.map((r) => r[labelIdx]));
  let task: 'classification' | 'regression';
  if (source.task !== 'auto') task = source.task;
  else task = labelStats.numeric < labelStats.present || (labelStats.integers === labelStats.numeric && labelStats.distinct <= 20) ? 'classification' : 'regression';
  const features: Column[] = featureIdx.map((index) => ({ name: header[index], index, kind: isNumericColumn(columnStats(rows.map((r) => r[index]))) ? 'numeric' : 'categorical' }));
  const numericCols = features.filter((f) => f.kind === 'numeric').map((f) => ({ name: f.name, index: f.index }));
  if (task === 'regression') numericCols.unshift({ name: header[labelIdx], index: labelIdx });

  // Text in a numeric column: a bad row.
  for (let r = 0; r < rows.length; r++) {
    for (const c of numericCols) {
      const v = rows[r][c.index];
      if (!isMissing(v) && Number.isNaN(toNumber(v))) {
        bad.push({ file, line: lines[r], column: c.name, message: `"${v.length > 40 ? v.slice(0, 40) + '…' : v}" is not a number (column "${c.name}" is numeric)` });
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
    if (isMissing(row[labelIdx])) {
      problems.push({ file, line, column: header[labelIdx], message: 'missing label; row dropped' });
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
  const classNames = task === 'classification' ? sortClassNames(keptRows.map((r) => r[labelIdx].trim())) : [];
  return { file, header, label: { name: header[labelIdx], index: labelIdx }, features, task, classNames, rows: keptRows, lines: keptLines, problems: allProblems, rowsRead: res.rows, truncated: res.truncated };
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

export const PREVIEW_ROWS = 5000;

export async function inspectCsv(source: CsvSource): Promise<DatasetPreview> {
  const p = await prepareCsv(source, { maxRows: PREVIEW_ROWS, preview: true });
  const total = p.truncated ? Math.max(0, (await countLines(p.file)) - 1) : p.rows.length;
  let labels: Int32Array | null = null;
  if (p.task === 'classification') {
    const pos = new Map(p.classNames.map((c, i) => [c, i]));
    labels = Int32Array.from(p.rows, (r) => pos.get(r[p.label.index].trim())!);
  }
  const info = csvInfo(source, p, total, p.truncated ? null : labels, p.truncated);
  if (p.truncated) info.description += ` Types and classes from the first ${PREVIEW_ROWS.toLocaleString('en-US')} rows.`;
  return { info, table: previewTable(p.header, p.rows), problems: p.problems.slice(0, 50), problemCount: p.problems.length };
}
