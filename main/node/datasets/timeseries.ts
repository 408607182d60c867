import path from 'node:path';
import type { DataProblem, DatasetInfo, DatasetPreview, Preprocessing } from '../../core/datasets';
import type { Batch, SplitData, TrainingData } from '../../core/training/types';
import { datasetKey, type DatasetChoice, type DatasetSource } from '../../core/project';
import { ColumnStatsCounter, columnIndex, countLines, isMissing, isNumericColumn, previewTable, readCsv, toNumber } from './csvRows';
import { detached, Float64Column } from './columns';
import { chronologicalSplit, type SplitFractions } from './split';

/**
 * Time series from a CSV, rows in time order.
 * - Inputs: featureColumns (empty = every numeric column, the target included) at each step.
 * - Windows start at 0, stride, 2·stride, …; window k covers rows [s, s+window) and its target is the target column
 *   `horizon` rows after the window: row s + window + horizon − 1 (horizon 1 = the next row). x is [window, nFeatures].
 * - Split in time order: the first windows train, the next validate, the last test (no shuffling across time).
 * - Inputs are standardized per feature with the mean/std of the rows the training windows cover; targets stay in
 *   their own units.
 * - A missing or non-numeric value is listed as a problem and filled with the previous row's value (the next valid
 *   value at the start) so the time steps stay evenly spaced.
 */

export type TimeseriesSource = Extract<DatasetSource, { type: 'timeseries' }>;

interface Series {
  header: string[];
  /** A preview's rows as read (fields), for its table; empty when reading for training. */
  rows: string[][];
  featureNames: string[];
  /** Row-major [n, nFeatures] values, gaps filled. */
  values: Float64Array;
  target: Float64Array;
  n: number;
  problems: DataProblem[];
  truncated: boolean;
}

/**
 * Reads the series in two streamed passes: which columns are numeric (every row counts), then their values as
 * numbers. No row is held as text.
 */
async function readSeries(source: TimeseriesSource, maxRows?: number, onProblem?: (p: DataProblem) => void): Promise<Series> {
  const file = source.path;
  let header: string[] = [];
  let ti = -1;
  // Pass 1: numeric columns (only the target's when the features are named).
  let stats: (ColumnStatsCounter | null)[] = [];
  await readCsv(
    file,
    (fields) => {
      for (let i = 0; i < stats.length; i++) stats[i]?.add(fields[i]);
    },
    {
      maxRows,
      onHeader(h) {
        header = h;
        ti = columnIndex(h, source.targetColumn, file, 'target');
        stats = h.map((_, i) => (i === ti || source.featureColumns.length === 0 ? new ColumnStatsCounter(0) : null));
      },
    },
  );
  const numeric = (i: number) => isNumericColumn(stats[i]!.stats());
  const featIdx = source.featureColumns.length
    ? source.featureColumns.map((c) => columnIndex(header, c, file, 'feature'))
    : header.map((_, i) => i).filter((i) => i === ti || numeric(i));
  if (!numeric(ti)) throw new Error(`The target column "${header[ti]}" of ${path.basename(file)} is not numeric.`);

  // Pass 2: the values (NaN for a gap). Rows of the wrong length are reported as they are read, gaps column by column.
  const cols = [...featIdx, ti];
  const columns = cols.map(() => new Float64Column());
  const rows: string[][] = [];
  const rowProblems: DataProblem[] = [];
  const gapProblems: DataProblem[][] = cols.map(() => []);
  const targetIsFeature = featIdx.includes(ti);
  const res = await readCsv(
    file,
    (fields, line) => {
      if (fields.length < header.length) {
        // Keep the time step; the missing fields are filled like missing values.
        rowProblems.push({ file, line, column: header[fields.length], message: `expected ${header.length} fields, found ${fields.length}; missing values filled from the previous row` });
        onProblem?.(rowProblems[rowProblems.length - 1]);
      } else if (fields.length > header.length) {
        rowProblems.push({ file, line, column: `(field ${header.length + 1})`, message: `expected ${header.length} fields, found ${fields.length}; extra fields ignored` });
        onProblem?.(rowProblems[rowProblems.length - 1]);
      }
      cols.forEach((c, k) => {
        const v = fields[c];
        const num = isMissing(v) ? NaN : toNumber(v);
        // Report each gap once (the target may also be a feature); short rows were reported already.
        if (Number.isNaN(num) && !(k === featIdx.length && targetIsFeature) && c < fields.length) {
          gapProblems[k].push({ file, line, column: header[c], message: isMissing(v) ? 'missing value; filled from the previous row' : detached(`"${v}" is not a number; filled from the previous row`) });
        }
        columns[k].push(num);
      });
      if (maxRows !== undefined) rows.push(fields);
    },
    { maxRows },
  );
  for (const list of gapProblems) for (const p of list) onProblem?.(p);
  const n = res.rows;
  const filled = columns.map((column) => {
    const col = column.toArray();
    let prev = col.find((v) => !Number.isNaN(v)) ?? 0;
    for (let r = 0; r < n; r++) {
      if (Number.isNaN(col[r])) col[r] = prev;
      else prev = col[r];
    }
    return col;
  });
  const nf = featIdx.length;
  const values = new Float64Array(n * nf);
  for (let r = 0; r < n; r++) for (let k = 0; k < nf; k++) values[r * nf + k] = filled[k][r];
  const problems = [...rowProblems, ...gapProblems.flat()].sort((a, b) => a.line! - b.line!);
  return { header, rows, featureNames: featIdx.map((i) => header[i]), values, target: filled[nf], n, problems, truncated: res.truncated };
}

export function windowCount(n: number, window: number, horizon: number, stride: number): number {
  return n >= window + horizon ? Math.floor((n - window - horizon) / stride) + 1 : 0;
}

function seriesInfo(source: TimeseriesSource, s: Series, windows: number, approx = false): DatasetInfo {
  return {
    id: datasetKey(source),
    name: path.basename(source.path),
    description: `${approx ? 'About ' : ''}${windows.toLocaleString('en-US')} windows of ${source.window} steps × ${s.featureNames.length} feature${s.featureNames.length === 1 ? '' : 's'} → "${source.targetColumn}" ${source.horizon} step${source.horizon === 1 ? '' : 's'} later (stride ${source.stride}); split in time order.`,
    inputShape: [source.window, s.featureNames.length],
    inputDType: 'float32',
    task: 'regression',
    numClasses: 0,
    classNames: [],
    outputSize: 1,
    totalSamples: windows,
    available: true,
    featureNames: s.featureNames,
  };
}

export async function openTimeseries(choice: DatasetChoice & { source: TimeseriesSource }, onProblem?: (p: DataProblem) => void): Promise<TrainingData> {
  const source = choice.source;
  const { window, horizon, stride } = source;
  const s = await readSeries(source, undefined, onProblem);
  const count = windowCount(s.n, window, horizon, stride);
  if (count === 0) throw new Error(`${source.path} has ${s.n} rows; a window of ${window} plus a horizon of ${horizon} needs at least ${window + horizon}.`);
  const split = chronologicalSplit(count, choice as SplitFractions, source.path);
  const nf = s.featureNames.length;
  // Statistics over the rows the training windows cover.
  const statRows = (split.train.length - 1) * stride + window;
  const mean = new Float64Array(nf);
  const scale = new Float64Array(nf);
  for (let k = 0; k < nf; k++) {
    let sum = 0;
    let sq = 0;
    for (let r = 0; r < statRows; r++) {
      const v = s.values[r * nf + k];
      sum += v;
      sq += v * v;
    }
    mean[k] = sum / statRows;
    const std = Math.sqrt(Math.max(sq / statRows - mean[k] * mean[k], 0));
    scale[k] = std > 1e-12 ? 1 / std : 1;
  }
  const norm = new Float32Array(s.n * nf);
  for (let r = 0; r < s.n; r++) for (let k = 0; k < nf; k++) norm[r * nf + k] = (s.values[r * nf + k] - mean[k]) * scale[k];
  const target = Float32Array.from(s.target);
  const size = window * nf;
  const splitOf = (members: Int32Array): SplitData => ({
    count: members.length,
    getBatch(indices: ArrayLike<number>): Batch {
      const c = indices.length;
      const x = new Float32Array(c * size);
      const y = new Float32Array(c);
      for (let i = 0; i < c; i++) {
        const w = members[indices[i]];
        if (w === undefined) throw new RangeError(`Sample index ${indices[i]} is outside this split (0..${members.length - 1}).`);
        const start = w * stride;
        x.set(norm.subarray(start * nf, (start + window) * nf), i * size);
        y[i] = target[start + window + horizon - 1];
      }
      return { x, y, count: c };
    },
  });
  const preprocessing: Preprocessing = {
    kind: 'series',
    window,
    horizon,
    target: source.targetColumn,
    features: s.featureNames.map((column, k) => ({ column, mean: mean[k], std: 1 / scale[k] })),
  };
  const info = { ...seriesInfo(source, s, count), preprocessing };
  return { info, train: splitOf(split.train), validation: splitOf(split.validation), test: splitOf(split.test) };
}

export async function inspectTimeseries(source: TimeseriesSource): Promise<DatasetPreview> {
  const s = await readSeries(source, 5000);
  const n = s.truncated ? Math.max(0, (await countLines(source.path)) - 1) : s.n;
  const info = seriesInfo(source, s, windowCount(n, source.window, source.horizon, source.stride), s.truncated);
  const series = [{ name: source.targetColumn, values: Array.from(s.target.subarray(0, 500)) }];
  return { info, table: previewTable(s.header, s.rows), series, problems: s.problems.slice(0, 50), problemCount: s.problems.length };
}
