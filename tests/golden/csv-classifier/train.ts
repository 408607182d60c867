/**
 * Trains Iris table on the table data/flowers.csv and saves it to ./trained-model.
 * Run it with `npm run train`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Papa from 'papaparse';
import * as tf from '@tensorflow/tfjs';
import { buildModel, compileModel } from './model';

// Settings copied from the Neurowire project. For a quick trial run, the environment variables
// NEUROWIRE_EPOCHS and NEUROWIRE_MAX_SAMPLES (the most samples per split) override EPOCHS and MAX_SAMPLES.
const EPOCHS = numberFromEnv('NEUROWIRE_EPOCHS') ?? 2;
const MAX_SAMPLES = numberFromEnv('NEUROWIRE_MAX_SAMPLES') ?? Infinity;
const BATCH_SIZE = 16;
const VALIDATION_FRACTION = 0.2;
const TEST_FRACTION = 0.2;
const SPLIT_SEED = 11;

/** The table the project reads (change the path if the file has moved). */
const CSV_FILE = 'data/flowers.csv';
/** The field delimiter; '' lets papaparse detect it (comma, semicolon, tab...). */
const DELIMITER = '';
const LABEL_COLUMN = 'species';
/** The columns fed to the model; empty means every column but the label. */
const FEATURE_COLUMNS: string[] = [];

/** Shape of one sample, as the model's Input layer expects it, and its number of values. */
const INPUT_SHAPE = [7];
const SAMPLE_SIZE = 7;
const NUM_CLASSES = 3;
const OUTPUT_DIR = './trained-model';

/** Moves the cursor to the start of the line and clears it, so progress updates in place. */
const CLEAR_LINE = '\r\x1b[K';

/** Samples in memory, one after another: `x` holds SAMPLE_SIZE values per sample, `y` the class of each sample. */
interface Samples {
  x: Float32Array;
  y: Int32Array;
  count: number;
}

/** The samples of each split. */
interface Data {
  train: Samples;
  validation: Samples;
  test: Samples;
}

/** A split as tensors: inputs, one-hot labels, and the number of samples. */
interface Tensors {
  xs: tf.Tensor;
  ys: tf.Tensor;
  count: number;
}

// ---------------------------------------------------------------------------------------------
// The data: the table data/flowers.csv

/** Values that count as missing: empty, NA, N/A, NaN, null, none, ? and - (any case). */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-']);

function isMissing(value: string | undefined): boolean {
  return value === undefined || MISSING.has(value.trim().toLowerCase());
}

/** A finite number, or NaN for text and missing values. */
function toNumber(value: string): number {
  const text = value.trim();
  if (text === '') return NaN;
  const number = Number(text);
  return Number.isFinite(number) ? number : NaN;
}

/** A data row: its fields and its 1-based line in the file (the header is line 1). */
interface Row {
  fields: string[];
  line: number;
}

/** Reads a delimited text file with papaparse: the header (trimmed) and every non-blank row after it. */
function readTable(file: string): { header: string[]; rows: Row[] } {
  const parsed = Papa.parse<string[]>(fs.readFileSync(file, 'utf8'), { delimiter: DELIMITER, skipEmptyLines: false });
  let header: string[] | null = null;
  const rows: Row[] = [];
  let line = 1;
  for (const fields of parsed.data) {
    const here = line;
    // A quoted field may span lines; count them so that line numbers match the file.
    line += 1 + fields.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g) ?? []).length, 0);
    if (fields.length === 1 && fields[0] === '') continue; // a blank line
    if (header === null) header = fields.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, '') : name).trim());
    else rows.push({ fields, line: here });
  }
  if (header === null) throw new Error(`${file} is empty (no header row).`);
  return { header, rows };
}

/** A column's index by its name: the exact name, else the name in any case. */
function columnIndex(header: string[], name: string): number {
  let index = header.indexOf(name);
  if (index < 0) index = header.findIndex((h) => h.toLowerCase() === name.trim().toLowerCase());
  if (index < 0) throw new Error(`${CSV_FILE} has no column "${name}". Its columns: ${header.join(', ')}.`);
  return index;
}

/** A column is numeric when at least 90 % of its present values are numbers. */
function isNumericColumn(values: Array<string | undefined>): boolean {
  const present = values.filter((value): value is string => !isMissing(value));
  const numbers = present.filter((value) => !Number.isNaN(toNumber(value)));
  return present.length > 0 && numbers.length >= 0.9 * present.length;
}

/** The distinct names, sorted: as numbers when they all are numbers, else alphabetically. */
function sortedNames(names: string[]): string[] {
  const list = [...new Set(names)];
  if (list.every((name) => !Number.isNaN(toNumber(name)))) return list.sort((a, b) => toNumber(a) - toNumber(b));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Stops when the data has another number of classes than the model's output expects. */
function checkClassCount(classNames: string[]): void {
  if (classNames.length !== NUM_CLASSES) {
    const found = `${classNames.length} classes (${classNames.join(', ')})`;
    throw new Error(`The data has ${found} but the model expects ${NUM_CLASSES}: change its last layer.`);
  }
}

/** Stops when the data's samples do not have as many values as the model's Input. */
function checkSampleSize(valuesPerSample: number): void {
  if (valuesPerSample !== SAMPLE_SIZE) {
    const input = `${SAMPLE_SIZE} values per sample (shape [${INPUT_SHAPE.join(', ')}])`;
    throw new Error(`The model's Input takes ${input} but the data has ${valuesPerSample}.`);
  }
}

/** A feature column: numeric (standardized) or categorical (with its categories, sorted). */
interface Feature {
  name: string;
  index: number;
  numeric: boolean;
  categories: string[];
}

/**
 * The project lets Neurowire choose the task from the labels: classification when a label is not a number
 * or there are at most 20 distinct whole numbers, else regression. This code was written for classification
 * (from the model's output); stop when the labels say otherwise.
 */
function checkTask(labels: string[]): void {
  const present = labels.filter((label) => !isMissing(label)).map((label) => label.trim());
  const numbers = present.map(toNumber).filter((n) => !Number.isNaN(n));
  const classification = numbers.length < present.length || (numbers.every(Number.isInteger) && new Set(present).size <= 20);
  if (!classification) {
    throw new Error(`The labels of ${CSV_FILE} look like regression; this code trains classification: change the last layer.`);
  }
}

/**
 * The model's inputs: each numeric column standardized with the mean and standard deviation of the training
 * rows, each categorical column one-hot encoded.
 */
function encodeFeatures(rows: Row[], features: Feature[], trainRows: Int32Array): Float32Array {
  const width = features.reduce((sum, f) => sum + (f.numeric ? 1 : f.categories.length), 0);
  checkSampleSize(width);
  const x = new Float32Array(rows.length * width);
  let offset = 0;
  for (const feature of features) {
    if (feature.numeric) {
      let sum = 0;
      let squares = 0;
      let count = 0;
      for (const r of trainRows) {
        const value = rows[r].fields[feature.index];
        if (isMissing(value)) continue;
        const number = toNumber(value);
        sum += number;
        squares += number * number;
        count++;
      }
      const mean = count ? sum / count : 0;
      const std = count ? Math.sqrt(Math.max(squares / count - mean * mean, 0)) : 0;
      const scale = std > 1e-12 ? 1 / std : 1;
      rows.forEach((row, r) => {
        const value = row.fields[feature.index];
        x[r * width + offset] = ((isMissing(value) ? mean : toNumber(value)) - mean) * scale;
      });
      offset += 1;
    } else {
      const position = new Map(feature.categories.map((category, i) => [category, i]));
      // A missing category takes the most frequent category of the training rows.
      const counts = feature.categories.map(() => 0);
      for (const r of trainRows) {
        const value = rows[r].fields[feature.index];
        if (!isMissing(value)) counts[position.get(value.trim())!]++;
      }
      const mostFrequent = counts.indexOf(Math.max(...counts));
      rows.forEach((row, r) => {
        const value = row.fields[feature.index];
        const category = isMissing(value) ? mostFrequent : position.get(value.trim())!;
        if (category >= 0) x[r * width + offset + category] = 1;
      });
      offset += feature.categories.length;
    }
  }
  return x;
}

/**
 * Reads the table the way Neurowire does:
 * - A column is numeric when at least 90 % of its present values are numbers, else categorical.
 * - Bad rows (a wrong number of fields, or text in a numeric column) are skipped and listed.
 * - A row without a label is dropped;
 *   a missing numeric value takes the training mean, a missing category the most frequent training category.
 * - Numeric features are standardized with the mean and standard deviation of the TRAINING rows only.
 * - Categorical features are one-hot encoded: one input per category (the categories of all rows, sorted).
 * - Classes are the distinct labels, sorted (as numbers when they all are).
 */
function loadData(): Data {
  const { header, rows: allRows } = readTable(CSV_FILE);
  const labelIndex = columnIndex(header, LABEL_COLUMN);
  const featureIndices = FEATURE_COLUMNS.length
    ? FEATURE_COLUMNS.map((name) => columnIndex(header, name))
    : header.map((_, i) => i).filter((i) => i !== labelIndex);
  const problems: Array<{ line: number; message: string }> = [];
  const report = (row: Row, column: string, message: string) => {
    problems.push({ line: row.line, message: `${CSV_FILE}:${row.line}:${column}: ${message}` });
  };

  const rows = allRows.filter((row) => {
    if (row.fields.length === header.length) return true;
    const column = row.fields.length < header.length ? header[row.fields.length] : `(field ${header.length + 1})`;
    report(row, column, `expected ${header.length} fields, found ${row.fields.length}`);
    return false;
  });
  const features: Feature[] = featureIndices.map((index) => ({
    name: header[index],
    index,
    numeric: isNumericColumn(rows.map((row) => row.fields[index])),
    categories: [],
  }));
  checkTask(rows.map((row) => row.fields[labelIndex]));

  // Text in a numeric column makes a row bad.
  const numericColumns = features.filter((f) => f.numeric);
  const goodRows = rows.filter((row) => {
    const column = numericColumns.find((c) => !isMissing(row.fields[c.index]) && Number.isNaN(toNumber(row.fields[c.index])));
    if (column) report(row, column.name, `"${row.fields[column.index]}" is not a number (column "${column.name}" is numeric)`);
    return column === undefined;
  });

  // A row without a label is dropped.
  const kept = goodRows.filter((row) => {
    if (!isMissing(row.fields[labelIndex])) return true;
    report(row, header[labelIndex], 'missing label; row dropped');
    return false;
  });
  if (problems.length > 0) {
    const first = problems.sort((a, b) => a.line - b.line)[0].message;
    console.warn(`${problems.length} rows of ${CSV_FILE} were not used; the first: ${first}`);
  }
  if (kept.length === 0) throw new Error(`${CSV_FILE} has no usable rows.`);
  for (const feature of features.filter((f) => !f.numeric)) {
    feature.categories = sortedNames(kept.map((row) => row.fields[feature.index].trim()).filter((v) => !isMissing(v)));
  }
  const classNames = sortedNames(kept.map((row) => row.fields[labelIndex].trim()));
  checkClassCount(classNames);
  const classOf = new Map(classNames.map((name, i) => [name, i]));
  const y = Int32Array.from(kept, (row) => classOf.get(row.fields[labelIndex].trim())!);
  const split = splitIndices(y);
  const all: Samples = { x: encodeFeatures(kept, features, split.train), y, count: kept.length };
  return { train: take(all, split.train), validation: take(all, split.validation), test: take(all, split.test) };
}

// ---------------------------------------------------------------------------------------------
// The split, the same as in Neurowire

/**
 * mulberry32, a small seeded random number generator: the same seed gives the same numbers on every run.
  * Neurowire splits with this generator and the algorithm below, so with the project's SPLIT_SEED the
  * training, validation and test sets here hold the same samples as in the app.
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles in place (Fisher–Yates), driven by `random`. */
function shuffle(items: Int32Array, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/**
 * Which samples go to which split, stratified as in Neurowire: inside each class (the classes in turn, each
 * shuffled with the same seeded generator) the first TEST_FRACTION test, the next VALIDATION_FRACTION validate
 * and the rest train, so every split keeps the class proportions; then each split is shuffled once more.
 */
function splitIndices(labels: Int32Array): { train: Int32Array; validation: Int32Array; test: Int32Array } {
  const random = seededRandom(SPLIT_SEED);
  const byClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  labels.forEach((label, i) => byClass[label].push(i));
  const parts = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  for (const members of byClass) {
    const order = Int32Array.from(members);
    shuffle(order, random);
    const testCount = Math.round(order.length * TEST_FRACTION);
    const validationCount = Math.round(order.length * VALIDATION_FRACTION);
    order.forEach((sample, i) => {
      const part = i < testCount ? parts.test : i < testCount + validationCount ? parts.validation : parts.train;
      part.push(sample);
    });
  }
  const split = {
    train: Int32Array.from(parts.train),
    validation: Int32Array.from(parts.validation),
    test: Int32Array.from(parts.test),
  };
  shuffle(split.train, random);
  shuffle(split.validation, random);
  shuffle(split.test, random);
  return split;
}

/** The samples at `indices`, in that order. */
function take(samples: Samples, indices: ArrayLike<number>): Samples {
  const x = new Float32Array(indices.length * SAMPLE_SIZE);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const sample = indices[i];
    x.set(samples.x.subarray(sample * SAMPLE_SIZE, (sample + 1) * SAMPLE_SIZE), i * SAMPLE_SIZE);
    y[i] = samples.y[sample];
  }
  return { x, y, count: indices.length };
}

// ---------------------------------------------------------------------------------------------
// Training

/** A positive whole number from an environment variable, if it is set. */
function numberFromEnv(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** At most MAX_SAMPLES samples of a split (the first ones). */
function limit(samples: Samples): Samples {
  const count = Math.min(samples.count, MAX_SAMPLES);
  return { x: samples.x.subarray(0, count * SAMPLE_SIZE), y: samples.y.subarray(0, count), count };
}

/** The samples as tensors: inputs shaped like the Input layer, one-hot labels. */
function toTensors(samples: Samples): Tensors {
  const xs = tf.tensor(samples.x, [samples.count, ...INPUT_SHAPE]);
  const labels = tf.tensor1d(samples.y, 'int32');
  const ys = tf.oneHot(labels, NUM_CLASSES);
  labels.dispose();
  return { xs, ys, count: samples.count };
}

/**
 * 'balanced' class weights, as Neurowire computes them: samples / (classes × samples of the class),
 * 0 for a class without samples.
 */
function balancedClassWeights(labels: Int32Array): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (const label of labels) counts[label]++;
  return counts.map((count) => (count > 0 ? labels.length / (NUM_CLASSES * count) : 0));
}

/** Prints each batch's loss on a line that updates in place, and each epoch's metrics on a line of its own. */
function showProgress(batchesPerEpoch: number): tf.CustomCallbackArgs {
  return {
    onBatchEnd: (batch, logs) => {
      const metrics = `loss ${format(logs?.loss)}  accuracy ${format(logs?.acc)}`;
      process.stdout.write(`${CLEAR_LINE}  batch ${batch + 1}/${batchesPerEpoch}  ${metrics}`);
    },
    onEpochEnd: (epoch, logs) => {
      let line = `Epoch ${epoch + 1}/${EPOCHS}  loss ${format(logs?.loss)}  accuracy ${format(logs?.acc)}`;
      line += `  validation loss ${format(logs?.val_loss)}  validation accuracy ${format(logs?.val_acc)}`;
      process.stdout.write(`${CLEAR_LINE}${line}\n`);
    },
  };
}

/** Writes model.json + weights.bin (the TensorFlow.js format) with plain fs, so no native addon is needed. */
async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.mkdirSync(dir, { recursive: true });
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

function format(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(4);
}

async function main(): Promise<void> {
  await tf.ready();
  console.log(`TensorFlow.js backend: ${tf.getBackend()}`);
  const data = loadData();
  const trainSamples = limit(data.train);
  const train = toTensors(trainSamples);
  const validation = toTensors(limit(data.validation));
  const test = toTensors(limit(data.test));
  console.log(`Samples: ${train.count} training, ${validation.count} validation, ${test.count} test`);

  const model = buildModel();
  compileModel(model);
  model.summary();

  const callbacks = [showProgress(Math.ceil(train.count / BATCH_SIZE))];
  await model.fit(train.xs, train.ys, {
    epochs: EPOCHS,
    batchSize: BATCH_SIZE,
    shuffle: true,
    validationData: [validation.xs, validation.ys],
    // { class: weight }
    classWeight: { ...balancedClassWeights(trainSamples.y) },
    callbacks,
  });

  const [testLoss, testAccuracy] = model.evaluate(test.xs, test.ys, { batchSize: BATCH_SIZE }) as tf.Scalar[];
  console.log(`Test loss ${format(testLoss.dataSync()[0])}  test accuracy ${format(testAccuracy.dataSync()[0])}`);

  await saveModel(model, OUTPUT_DIR);
  console.log(`Saved the trained model to ${path.resolve(OUTPUT_DIR)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
