/**
 * Trains Review sentiment on the texts of data/reviews.csv and saves it to ./trained-model.
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

/** The texts the project reads (change the path if the file has moved). */
const CSV_FILE = 'data/reviews.csv';
/** The field delimiter; '' lets papaparse detect it (comma, semicolon, tab...). */
const DELIMITER = '';
const TEXT_COLUMN = 'review';
const LABEL_COLUMN = 'sentiment';
/** The project's saved vocabulary, one word per token id. */
const VOCABULARY_FILE = './vocabulary.json';
/** Token ids per text (the Input layer's length). */
const SEQUENCE_LENGTH = 12;

/** Shape of one sample, as the model's Input layer expects it, and its number of values. */
const INPUT_SHAPE = [12];
const SAMPLE_SIZE = 12;
const NUM_CLASSES = 2;
const OUTPUT_DIR = './trained-model';

/** Moves the cursor to the start of the line and clears it, so progress updates in place. */
const CLEAR_LINE = '\r\x1b[K';

/** Samples in memory, one after another: `x` holds SAMPLE_SIZE token ids per sample, `y` the class of each sample. */
interface Samples {
  x: Int32Array;
  y: Int32Array;
  count: number;
}

/** The samples of each split. */
interface Data {
  train: Samples;
  validation: Samples;
  test: Samples;
  /** The tokenizer's words, by token id; saved next to the trained model. */
  vocabulary: string[];
}

/** A split as tensors: inputs, labels 0 or 1, and the number of samples. */
interface Tensors {
  xs: tf.Tensor;
  ys: tf.Tensor;
  count: number;
}

// ---------------------------------------------------------------------------------------------
// The data: the texts of data/reviews.csv

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

/** Splits a text into words as Neurowire's tokenizer does: runs of letters and digits (any script), lowercased. */
function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word.length > 0);
}

/**
 * The vocabulary the project saved (vocabulary.json, written by Neurowire): "<pad>" (id 0), "<unk>" (id 1),
 * then the words. Using it keeps the token ids of the model trained in the app.
 */
function readVocabulary(): string[] {
  return JSON.parse(fs.readFileSync(VOCABULARY_FILE, 'utf8')) as string[];
}

/**
 * Reads the texts and labels as Neurowire does: a row with a wrong number of fields or no label is skipped;
 * each text becomes its first SEQUENCE_LENGTH token ids (unknown words 1), padded with 0 at the end.
 */
function loadData(): Data {
  const { header, rows } = readTable(CSV_FILE);
  const textIndex = columnIndex(header, TEXT_COLUMN);
  const labelIndex = columnIndex(header, LABEL_COLUMN);
  const texts: string[] = [];
  const labelNames: string[] = [];
  for (const { fields } of rows) {
    if (fields.length !== header.length || isMissing(fields[labelIndex])) continue;
    texts.push(fields[textIndex] ?? '');
    labelNames.push(fields[labelIndex].trim());
  }
  const skipped = rows.length - texts.length;
  if (skipped > 0) console.warn(`${skipped} rows of ${CSV_FILE} were skipped (wrong number of fields or no label).`);
  if (texts.length === 0) throw new Error(`${CSV_FILE} has no usable rows.`);
  const classNames = sortedNames(labelNames);
  checkClassCount(classNames);
  const classOf = new Map(classNames.map((name, i) => [name, i]));
  const y = Int32Array.from(labelNames, (name) => classOf.get(name)!);
  const split = splitIndices(y.length);

  const vocabulary = readVocabulary();
  const ids = new Map<string, number>();
  vocabulary.forEach((word, id) => {
    if (id >= 2 && !ids.has(word)) ids.set(word, id);
  });
  const x = new Int32Array(texts.length * SEQUENCE_LENGTH);
  texts.forEach((text, i) => {
    tokenize(text)
      .slice(0, SEQUENCE_LENGTH)
      .forEach((word, t) => (x[i * SEQUENCE_LENGTH + t] = ids.get(word) ?? 1));
  });
  const all: Samples = { x, y, count: texts.length };
  return { train: take(all, split.train), validation: take(all, split.validation), test: take(all, split.test), vocabulary };
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
 * Which samples go to which split, as in Neurowire: one shuffle with SPLIT_SEED, then the first
 * TEST_FRACTION of the samples test, the next VALIDATION_FRACTION validate and the rest train.
 */
function splitIndices(count: number): { train: Int32Array; validation: Int32Array; test: Int32Array } {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  shuffle(order, seededRandom(SPLIT_SEED));
  const testCount = Math.round(count * TEST_FRACTION);
  const validationCount = Math.round(count * VALIDATION_FRACTION);
  const split = {
    test: order.slice(0, testCount),
    validation: order.slice(testCount, testCount + validationCount),
    train: order.slice(testCount + validationCount),
  };
  if (split.train.length < 1) throw new Error(`The split of ${count} samples leaves no training samples.`);
  return split;
}

/** The samples at `indices`, in that order. */
function take(samples: Samples, indices: ArrayLike<number>): Samples {
  const x = new Int32Array(indices.length * SAMPLE_SIZE);
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

/** The samples as tensors: inputs shaped like the Input layer (int32 token ids), labels 0 or 1. */
function toTensors(samples: Samples): Tensors {
  const xs = tf.tensor(samples.x, [samples.count, ...INPUT_SHAPE], 'int32');
  const ys = tf.tensor2d(samples.y, [samples.count, 1], 'float32');
  return { xs, ys, count: samples.count };
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
  const train = toTensors(limit(data.train));
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
    callbacks,
  });

  const [testLoss, testAccuracy] = model.evaluate(test.xs, test.ys, { batchSize: BATCH_SIZE }) as tf.Scalar[];
  console.log(`Test loss ${format(testLoss.dataSync()[0])}  test accuracy ${format(testAccuracy.dataSync()[0])}`);

  await saveModel(model, OUTPUT_DIR);
  // The tokenizer goes with the model: new texts must get the same token ids.
  fs.writeFileSync(path.join(OUTPUT_DIR, 'vocabulary.json'), JSON.stringify(data.vocabulary));
  console.log(`Saved the trained model to ${path.resolve(OUTPUT_DIR)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
