/**
 * The training worker: runs in a worker_threads Worker started by run.ts, so a long or failing training
 * never blocks or crashes the engine. It receives the project in workerData, posts TrainingEvents as
 * they happen and finally one `result` message (with the model's artifacts, weights transferred).
 *
 * Stopping: the parent sets a SharedArrayBuffer flag; the loop reads it with Atomics.load after every
 * batch (and between validation chunks), so a stop takes effect within one batch even when this
 * thread's event loop does not turn between batches.
 *
 * Numbering: `epoch` and `batch` in events (and EpochMetrics.epoch) are 0-based, as in tfjs callbacks
 * (onEpochEnd(epoch), onBatchEnd(batch)); messages written for people say "epoch 1".
 *
 * Seeding: tfjs layer initializers take a seed only per layer, and the compiler does not pass one; but
 * every tfjs random op without a seed seeds itself from Math.random. This thread owns its own Math, so
 * Math.random is replaced here by a PRNG seeded with the project's training seed: initial weights,
 * dropout masks and the batch order are then the same for every run of the same project on the same
 * backend (different backends still differ in float rounding).
 */
import { parentPort, workerData, isMainThread } from 'node:worker_threads';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendInfo, EpochMetrics, TrainingEvent } from '../../core/api/contract';
import type { Project, OptimizerName } from '../../core/project';
import { selectBackend, graphNeedsConvGradients, type Tf } from '../backend';
import { loadDataset, mulberry32, sampleSizeOf, shuffledIndices, type LoadedDataset, type Split } from '../datasets';
import { compileGraph, GraphCompileError } from '../compiler';

export interface WorkerInput {
  runId: string;
  project: Project;
  backend?: string;
  /** Int32Array(1) over a SharedArrayBuffer; non-zero means "stop". */
  stopFlag: SharedArrayBuffer;
}

export interface WorkerResult {
  status: 'completed' | 'stopped' | 'failed';
  error?: string;
  epochsCompleted: number;
  history: EpochMetrics[];
  test?: { loss: number; acc: number };
  artifacts?: tfTypes.io.ModelArtifacts;
}

export type WorkerMessage = { kind: 'event'; event: TrainingEvent } | { kind: 'result'; result: WorkerResult };

/** At most this many batch events per second (the last batch of each epoch is always sent). */
const BATCH_EVENTS_PER_SEC = 20;
const EVAL_CHUNK = 512;

class StopRequested extends Error {}
class NonFiniteLoss extends Error {}

function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(msg, transfer);
}

function makeOptimizer(tf: Tf, name: OptimizerName, lr: number): tfTypes.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(lr);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      throw new Error(`Unknown optimizer "${String(name)}". Use adam, sgd, rmsprop or adagrad.`);
  }
}

function fmtShape(s: readonly (number | null)[]): string {
  return `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

/** The per-sample shape the model's Input wants, checked against the dataset. */
function checkModelFitsDataset(model: tfTypes.LayersModel, data: LoadedDataset): number[] {
  const info = data.info;
  const want = model.inputs[0].shape.slice(1);
  const size = sampleSizeOf(info);
  const wantSize = want.every((d) => d !== null) ? (want as number[]).reduce((a, b) => a * b, 1) : NaN;
  if (wantSize !== size) {
    throw new Error(
      `The network's Input expects samples of shape ${fmtShape(want)} but ${info.name} gives ${fmtShape(info.inputShape)} (${size} values per sample). Set the Input shape to ${fmtShape(info.inputShape)}.`,
    );
  }
  const out = model.outputs[0].shape.slice(1);
  if (out.length !== 1 || out[0] !== info.numClasses) {
    throw new Error(
      `The network outputs ${fmtShape(out)} per sample but ${info.name} has ${info.numClasses} classes: end the network with Flatten (if needed) and Dense(${info.numClasses}, softmax).`,
    );
  }
  // Same number of values: use the Input's own shape (e.g. [784] for a flat MLP input).
  return want as number[];
}

async function main(input: WorkerInput): Promise<void> {
  const { runId, project } = input;
  const stop = new Int32Array(input.stopFlag);
  const stopRequested = () => Atomics.load(stop, 0) !== 0;
  const cfg = project.training;
  const emit = (event: TrainingEvent) => post({ kind: 'event', event });
  const log = (message: string) => emit({ type: 'log', runId, message });

  const history: EpochMetrics[] = [];
  let epochsCompleted = 0;
  let model: tfTypes.LayersModel | null = null;
  let tf: Tf | null = null;
  // Last batch processed, so a stop mid-epoch can report where it ended.
  let position = { epoch: 0, batch: 0 };

  const finish = async (status: WorkerResult['status'], error?: string) => {
    let test: WorkerResult['test'];
    let artifacts: WorkerResult['artifacts'];
    const transfer: ArrayBuffer[] = [];
    if (status !== 'failed' && model && tf) {
      try {
        if (epochsCompleted >= 1 && testSplit && testSplit.count > 0) {
          test = evaluate(tf, model, testSplit, inputShape!, numClasses, () => false);
          log(`Test set (${testSplit.count} samples): loss ${test.loss.toFixed(4)}, accuracy ${(test.acc * 100).toFixed(2)} %.`);
        }
        artifacts = await captureArtifacts(tf, model);
        if (artifacts.weightData instanceof ArrayBuffer) transfer.push(artifacts.weightData);
      } catch (e) {
        log(`Could not evaluate or keep the model: ${(e as Error).message}`);
      }
    }
    post({ kind: 'result', result: { status, error, epochsCompleted, history, test, artifacts } }, transfer);
  };

  let testSplit: Split | null = null;
  let inputShape: number[] | null = null;
  let numClasses = 0;

  try {
    // Everything random in this thread (weight init, dropout, batch order) follows the project's seed.
    Math.random = mulberry32(cfg.seed);
    const batchOrderRand = mulberry32((cfg.seed ^ 0x9e3779b9) >>> 0);

    const selected = await selectBackend({ needsConvGradients: graphNeedsConvGradients(project.graph), prefer: input.backend });
    tf = selected.tf;
    const backend: BackendInfo = selected.info;
    log(`Training on ${backend.device} (tfjs backend "${backend.name}").`);
    if (stopRequested()) throw new StopRequested();

    const t0 = Date.now();
    const data = await loadDataset(project.dataset);
    log(`Loaded ${data.info.name} in ${Date.now() - t0} ms: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test samples.`);
    testSplit = data.test;
    numClasses = data.info.numClasses;
    if (stopRequested()) throw new StopRequested();

    model = compileGraph(tf, project.graph);
    inputShape = checkModelFitsDataset(model, data);
    model.compile({ optimizer: makeOptimizer(tf, cfg.optimizer, cfg.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

    const train = data.train;
    const batchSize = Math.max(1, Math.min(cfg.batchSize, train.count));
    const batchesPerEpoch = Math.ceil(train.count / batchSize);
    const totalBatches = batchesPerEpoch * cfg.epochs;
    const size = sampleSizeOf(data.info);
    emit({
      type: 'started',
      runId,
      backend,
      trainSamples: train.count,
      valSamples: data.validation.count,
      testSamples: data.test.count,
      epochs: cfg.epochs,
      batchesPerEpoch,
    });

    // Reused for every batch: the gathered samples and labels of one batch.
    const xBuf = new Float32Array(batchSize * size);
    const yBuf = new Int32Array(batchSize);
    let batchesDone = 0;
    let trainMs = 0; // time spent in batches, excluding the first one (warm-up, kernel compilation)
    let samplesTimed = 0;
    let valMsPerEpoch = 0;
    let lastBatchEventAt = -Infinity;
    const minGapMs = 1000 / BATCH_EVENTS_PER_SEC;

    const speed = () => (trainMs > 0 ? (samplesTimed / trainMs) * 1000 : 0);
    const eta = (epochIndex: number, valDone: boolean): number | null => {
      const sps = speed();
      if (sps <= 0) return null;
      const remainingSamples = (totalBatches - batchesDone) * batchSize;
      const remainingVals = cfg.epochs - epochIndex - (valDone ? 1 : 0);
      return remainingSamples / sps + (remainingVals * valMsPerEpoch) / 1000;
    };

    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = shuffledIndices(train.count, batchOrderRand);
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      const epochStart = Date.now();
      for (let b = 0; b < batchesPerEpoch; b++) {
        const start = b * batchSize;
        const n = Math.min(batchSize, train.count - start);
        for (let i = 0; i < n; i++) {
          const src = order[start + i];
          xBuf.set(train.x.subarray(src * size, (src + 1) * size), i * size);
          yBuf[i] = train.labels[src];
        }
        const bt = performance.now();
        const xs = tf.tensor(xBuf.subarray(0, n * size), [n, ...inputShape]);
        const ys = tf.tidy(() => tf!.oneHot(tf!.tensor1d(yBuf.subarray(0, n), 'int32'), numClasses).toFloat());
        let out: number | number[];
        try {
          out = await model.trainOnBatch(xs, ys);
        } finally {
          xs.dispose();
          ys.dispose();
        }
        const dt = performance.now() - bt;
        if (batchesDone > 0 || totalBatches === 1) {
          trainMs += dt;
          samplesTimed += n;
        }
        batchesDone++;
        position = { epoch: epoch + 1, batch: b + 1 };
        const [loss, acc] = Array.isArray(out) ? out : [out, NaN];
        // The loss alone is not enough: the wasm backend's ClipByValue turns NaN into the clip bound, so a
        // model whose weights are all NaN still reports a finite cross-entropy (16.12 = -log(1e-7)).
        const what = !Number.isFinite(loss) ? `the loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'}` : !weightsFinite(tf, model) ? 'the weights became NaN or infinite' : null;
        if (what) {
          throw new NonFiniteLoss(
            `Training diverged: ${what} in epoch ${epoch + 1}, batch ${b + 1}. Lower the learning rate (now ${cfg.learningRate}), e.g. to ${cfg.learningRate / 10}, and train again.`,
          );
        }
        lossSum += loss * n;
        accSum += acc * n;
        seen += n;

        const stopping = stopRequested();
        const now = performance.now();
        const lastOfEpoch = b === batchesPerEpoch - 1;
        if (lastOfEpoch || stopping || now - lastBatchEventAt >= minGapMs) {
          lastBatchEventAt = now;
          emit({
            type: 'batch',
            runId,
            epoch,
            batch: b,
            batchesPerEpoch,
            loss,
            acc,
            samplesPerSec: speed() || (n / dt) * 1000,
            progress: batchesDone / totalBatches,
            etaSec: eta(epoch, false),
          });
        }
        if (stopping) throw new StopRequested();
      }

      const trainLoss = lossSum / seen;
      const trainAcc = accSum / seen;
      const vt = Date.now();
      const val = data.validation.count > 0 ? evaluate(tf, model, data.validation, inputShape, numClasses, stopRequested) : null;
      valMsPerEpoch = Date.now() - vt;
      const metrics: EpochMetrics = val ? { epoch, loss: trainLoss, acc: trainAcc, valLoss: val.loss, valAcc: val.acc } : { epoch, loss: trainLoss, acc: trainAcc };
      history.push(metrics);
      epochsCompleted = epoch + 1;
      emit({ type: 'epoch', runId, metrics, progress: batchesDone / totalBatches, etaSec: epoch + 1 === cfg.epochs ? 0 : eta(epoch, true) });
      const secs = (Date.now() - epochStart) / 1000;
      log(
        `Epoch ${epoch + 1}/${cfg.epochs} took ${secs.toFixed(2)} s (${Math.round(speed())} samples/s training, validation ${valMsPerEpoch} ms); tensors in memory: ${tf.memory().numTensors}.`,
      );
      if (stopRequested()) throw new StopRequested();
    }
    await finish('completed');
  } catch (e) {
    if (e instanceof StopRequested) {
      log(
        position.batch > 0
          ? `Stopped in epoch ${position.epoch} after batch ${position.batch}; ${epochsCompleted} full epoch${epochsCompleted === 1 ? '' : 's'} completed.`
          : 'Stopped before training began.',
      );
      await finish('stopped');
    } else if (e instanceof NonFiniteLoss) {
      await finish('failed', e.message);
    } else if (e instanceof GraphCompileError) {
      await finish('failed', `The network cannot be built: ${e.message}`);
    } else {
      await finish('failed', describeError(e));
    }
  }
}

function describeError(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  if (/out of memory|OOM|Maximum memory size|Array buffer allocation failed|Cannot enlarge memory|memory access out of bounds/i.test(msg)) {
    return `Training ran out of memory (${msg.split('\n')[0]}). Use a smaller batch size or a smaller network.`;
  }
  return `Training failed: ${msg}`;
}

/**
 * True when the trainable weights are finite: NaN and ±Infinity propagate through a sum, so one scalar
 * tells (a sum of finite weights overflows only at magnitudes around 1e34, which is divergence anyway).
 * Costs ~0.15 ms per batch for the MNIST MLP on wasm (~2 % of a batch of 32).
 */
function weightsFinite(tf: Tf, model: tfTypes.LayersModel): boolean {
  const weights = model.trainableWeights;
  if (weights.length === 0) return true;
  const s = tf.tidy(() => tf.addN(weights.map((w) => tf.sum(w.read()))));
  const v = s.dataSync()[0];
  s.dispose();
  return Number.isFinite(v);
}

/** Loss (as categoricalCrossentropy computes it in training) and accuracy over a split, in chunks. */
function evaluate(tf: Tf, model: tfTypes.LayersModel, split: Split, inputShape: number[], numClasses: number, stopRequested: () => boolean): { loss: number; acc: number } {
  const size = inputShape.reduce((a, b) => a * b, 1);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += EVAL_CHUNK) {
    if (stopRequested()) throw new StopRequested();
    const n = Math.min(EVAL_CHUNK, split.count - start);
    const [l, c] = tf.tidy(() => {
      const xs = tf.tensor(split.x.subarray(start * size, (start + n) * size), [n, ...inputShape]);
      const labels = tf.tensor1d(split.labels.subarray(start, start + n), 'int32');
      const pred = model.predict(xs) as tfTypes.Tensor;
      const yTrue = tf.oneHot(labels, numClasses).toFloat();
      return [tf.metrics.categoricalCrossentropy(yTrue, pred).sum(), pred.argMax(-1).toInt().equal(labels).sum()];
    });
    lossSum += l.dataSync()[0];
    correct += c.dataSync()[0];
    l.dispose();
    c.dispose();
  }
  return { loss: lossSum / split.count, acc: correct / split.count };
}

/** The model as tf.io artifacts (topology + one ArrayBuffer of weights), ready to post to the parent. */
async function captureArtifacts(tf: Tf, model: tfTypes.LayersModel): Promise<tfTypes.io.ModelArtifacts> {
  let captured: tfTypes.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new Error('the model could not be serialized');
  const a = captured as tfTypes.io.ModelArtifacts;
  if (Array.isArray(a.weightData)) a.weightData = tf.io.CompositeArrayBuffer.join(a.weightData);
  return a;
}

if (!isMainThread && parentPort) {
  const input = workerData as WorkerInput;
  const failHard = (e: unknown) => {
    try {
      post({ kind: 'result', result: { status: 'failed', error: describeError(e), epochsCompleted: 0, history: [] } });
    } catch {
      /* the parent will see the worker exit */
    }
  };
  process.on('unhandledRejection', failHard);
  main(input).catch(failHard);
}
