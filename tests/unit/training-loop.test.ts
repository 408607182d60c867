import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runTrainingLoop, learningRateAt, balancedClassWeights, isPenalizedWeight, mulberry32, scoreSplit, checkModelFitsData } from '../../main/core/training/loop';
import { evaluateOnTest } from '../../main/core/training/evaluate';
import type { Batch, LoopControl, TrainingResult, SplitData, TrainingData } from '../../main/core/training/types';
import type { TrainingEvent } from '../../main/core/api/contract';
import type { DatasetInfo } from '../../main/core/datasets';
import { TrainingConfigSchema, type TrainingConfig } from '../../main/core/project';

// Everything here runs on the plain-JS cpu backend (wasm lacks some gradients, e.g. of LSTM ops).
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const BACKEND = { name: 'cpu', device: 'CPU (plain JavaScript)', attempts: [] };

// ---------------------------------------------------------------- synthetic data

interface Samples {
  x: Float32Array | Int32Array;
  y: Int32Array | Float32Array;
  sampleSize: number;
  ySize: number;
  count: number;
}

function splitOf(s: Samples, members: number[], async = false): SplitData {
  const labels = s.y instanceof Int32Array ? Int32Array.from(members, (m) => (s.y as Int32Array)[m]) : undefined;
  return {
    count: members.length,
    labels,
    getBatch(indices: ArrayLike<number>): Batch | Promise<Batch> {
      const n = indices.length;
      const x = s.x instanceof Int32Array ? new Int32Array(n * s.sampleSize) : new Float32Array(n * s.sampleSize);
      const y = s.y instanceof Int32Array ? new Int32Array(n * s.ySize) : new Float32Array(n * s.ySize);
      for (let i = 0; i < n; i++) {
        const m = members[indices[i]];
        x.set(s.x.subarray(m * s.sampleSize, (m + 1) * s.sampleSize), i * s.sampleSize);
        y.set(s.y.subarray(m * s.ySize, (m + 1) * s.ySize), i * s.ySize);
      }
      const b = { x, y, count: n };
      return async ? Promise.resolve(b) : b;
    },
  };
}

function info(partial: Partial<DatasetInfo> & Pick<DatasetInfo, 'inputShape' | 'task'>): DatasetInfo {
  const numClasses = partial.numClasses ?? (partial.task === 'classification' ? 2 : 0);
  return {
    id: 'synthetic',
    name: 'Synthetic',
    description: '',
    inputDType: 'float32',
    classNames: Array.from({ length: numClasses }, (_, i) => `c${i}`),
    outputSize: partial.task === 'classification' ? numClasses : 1,
    totalSamples: null,
    available: true,
    numClasses,
    ...partial,
  };
}

/** The first `trainN` samples train; the rest are split between validation and test. */
function dataOf(i: DatasetInfo, s: Samples, trainN: number, valN: number, opts: { async?: boolean; valSamples?: Samples } = {}): TrainingData {
  const idx = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
  const val = opts.valSamples ? splitOf(opts.valSamples, idx(0, opts.valSamples.count)) : splitOf(s, idx(trainN, trainN + valN));
  return { info: i, train: splitOf(s, idx(0, trainN), opts.async), validation: val, test: splitOf(s, idx(trainN + valN, s.count)) };
}

/** Two Gaussian blobs in `dim` dimensions; `flip` inverts the labels. */
function blobs(n: number, dim: number, seed: number, flip = false): Samples {
  const r = mulberry32(seed);
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = flip ? 1 - c : c;
    for (let d = 0; d < dim; d++) x[i * dim + d] = (c ? 1 : -1) * (d === 0 ? 1 : 0.3) + (r() - 0.5) * 1.2;
  }
  return { x, y, sampleSize: dim, ySize: 1, count: n };
}

function config(overrides: Record<string, unknown> = {}): TrainingConfig {
  return TrainingConfigSchema.parse({ epochs: 3, batchSize: 16, learningRate: 0.05, optimizer: 'adam', seed: 7, ...overrides });
}

/** Deterministic weights (tfjs initializers draw from Math.random). */
function seedWeights(model: tf.LayersModel, seed: number, scale = 0.5): tf.LayersModel {
  const r = mulberry32(seed);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (r() - 0.5) * 2 * scale), w.shape)));
  return model;
}

function mlp(inputs: number, outputs: number, activation: 'softmax' | 'sigmoid' | 'linear', seed = 1): tf.LayersModel {
  const m = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [inputs], units: 8, activation: 'tanh' }), tf.layers.dense({ units: outputs, activation })],
  });
  return seedWeights(m, seed);
}

const running: LoopControl = { shouldStop: () => false, waitWhilePaused: async () => undefined };

async function train(model: tf.LayersModel, data: TrainingData, cfg: TrainingConfig, control: LoopControl = running, onEpochEnd?: (e: number) => void) {
  const events: TrainingEvent[] = [];
  const result: TrainingResult = await runTrainingLoop({
    tf,
    model,
    data,
    config: cfg,
    runId: 'r1',
    backend: BACKEND,
    emit: (e) => events.push(e),
    control,
    onEpochEnd: onEpochEnd ? (e) => onEpochEnd(e) : undefined,
  });
  return { result, events };
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

const maxAbsDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i][j])))));

// ---------------------------------------------------------------- tests

describe('learning-rate schedules', () => {
  const base = { learningRate: 0.1, epochs: 10 };
  it('computes constant, step, exponential and cosine values with linear warm-up', () => {
    const at = (schedule: Record<string, unknown>, e: number) => learningRateAt({ ...base, schedule: config({ schedule }).schedule }, e);
    expect([0, 5, 9].map((e) => at({ type: 'constant' }, e))).toEqual([0.1, 0.1, 0.1]);
    expect([0, 2, 3, 5, 6].map((e) => at({ type: 'step', stepEpochs: 3, gamma: 0.5 }, e))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(at({ type: 'exponential', gamma: 0.9 }, 3)).toBeCloseTo(0.1 * 0.9 ** 3, 12);
    const cos = Array.from({ length: 10 }, (_, e) => at({ type: 'cosine', minLearningRate: 0.01 }, e));
    expect(cos[0]).toBeCloseTo(0.1, 12);
    expect(cos[5]).toBeCloseTo(0.01 + 0.09 * 0.5, 12); // halfway
    for (let e = 1; e < 10; e++) expect(cos[e]).toBeLessThan(cos[e - 1]);
    expect(cos[9]).toBeGreaterThan(0.01);
    // Warm-up of 3 epochs: 1/4, 2/4, 3/4 of the rate, then the schedule starts from its beginning.
    const warm = Array.from({ length: 6 }, (_, e) => at({ type: 'step', stepEpochs: 2, gamma: 0.5, warmupEpochs: 3 }, e));
    expect(warm.map((v) => +v.toFixed(6))).toEqual([0.025, 0.05, 0.075, 0.1, 0.1, 0.05]);
  });

  it('sets the effective learning rate of the optimizer every epoch (SGD exactly, Adam by its step size)', async () => {
    // One sample, x = 0, target 1000: only the output bias learns, with gradient 2·(b − 1000) (MSE).
    const samples: Samples = { x: new Float32Array(1), y: new Float32Array([1000]), sampleSize: 1, ySize: 1, count: 1 };
    const data = dataOf(info({ inputShape: [1], task: 'regression' }), samples, 1, 0);
    for (const optimizer of ['sgd', 'adam'] as const) {
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'zeros' })] });
      const schedule = { type: 'step', stepEpochs: 2, gamma: 0.5, warmupEpochs: 2 };
      const cfg = config({ optimizer, epochs: 6, batchSize: 1, learningRate: optimizer === 'sgd' ? 1e-4 : 0.5, schedule });
      const biases = [0];
      const { result } = await train(model, data, cfg, running, () => biases.push(model.getWeights()[1].dataSync()[0]));
      expect(result.status).toBe('completed');
      for (let e = 0; e < 6; e++) {
        const want = learningRateAt(cfg, e);
        expect(result.history[e].learningRate).toBeCloseTo(want, 12);
        const step = biases[e + 1] - biases[e];
        // SGD: Δb = lr · 2 · (1000 − b). Adam: |Δb| ≈ lr while the gradient keeps its sign and size.
        const effective = optimizer === 'sgd' ? step / (2 * (1000 - biases[e])) : step;
        expect(effective / want).toBeGreaterThan(optimizer === 'sgd' ? 0.9999 : 0.95);
        expect(effective / want).toBeLessThan(optimizer === 'sgd' ? 1.0001 : 1.05);
      }
    }
  });
});

describe('runTrainingLoop', () => {
  const cls = info({ inputShape: [4], task: 'classification', numClasses: 2 });
  const blobData = dataOf(cls, blobs(240, 4, 11), 160, 40);

  it('reduces the loss with every optimizer (Adam, AdamW, SGD, SGD + Nesterov momentum, RMSprop with momentum, Adagrad)', async () => {
    const fit = checkModelFitsData(mlp(4, 2, 'softmax'), cls);
    const variants: [string, Record<string, unknown>][] = [
      ['adam', { optimizer: 'adam', learningRate: 0.02 }],
      ['adamw', { optimizer: 'adamw', learningRate: 0.02, weightDecay: 0.01 }],
      ['sgd', { optimizer: 'sgd', learningRate: 0.2 }],
      ['sgd+nesterov', { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true }],
      ['rmsprop', { optimizer: 'rmsprop', learningRate: 0.01, momentum: 0.5 }],
      ['adagrad', { optimizer: 'adagrad', learningRate: 0.2 }],
    ];
    const summary: string[] = [];
    for (const [name, o] of variants) {
      const model = mlp(4, 2, 'softmax', 3);
      const before = await scoreSplit(tf, model, blobData.validation, fit, cls);
      const { result } = await train(model, blobData, config({ ...o, epochs: 4 }));
      expect(result.status, name).toBe('completed');
      const last = result.history[result.history.length - 1];
      summary.push(`${name} ${before.loss.toFixed(3)}→${last.valLoss!.toFixed(3)}`);
      expect(last.valLoss!, name).toBeLessThan(before.loss * 0.7);
      expect(last.valAcc!, name).toBeGreaterThan(0.85);
      model.dispose();
    }
    console.log(`[training-loop] val loss before→after: ${summary.join(', ')}`);
  });

  it('AdamW decays kernels (not biases) on top of Adam', async () => {
    const a = mlp(4, 2, 'softmax', 5);
    const b = mlp(4, 2, 'softmax', 5);
    await train(a, blobData, config({ optimizer: 'adam', epochs: 1 }));
    await train(b, blobData, config({ optimizer: 'adamw', weightDecay: 0.5, epochs: 1 }));
    const [wa, wb] = [weightsOf(a), weightsOf(b)];
    const norm = (w: Float32Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0));
    expect(norm(wb[0])).toBeLessThan(norm(wa[0]) * 0.9); // first kernel shrank
    expect(isPenalizedWeight('Dense', 'dense_Dense1/kernel')).toBe(true);
    expect(isPenalizedWeight('LSTM', 'lstm_1/recurrent_kernel')).toBe(true);
    expect(isPenalizedWeight('Embedding', 'embedding_1/embeddings_1')).toBe(true);
    expect(isPenalizedWeight('Dense', 'dense_1/bias')).toBe(false);
    expect(isPenalizedWeight('BatchNormalization', 'batch_normalization_1/gamma')).toBe(false);
    // Only the weights a layer's spec names: a kernel of a kind that declares none is not penalized.
    expect(isPenalizedWeight('Unknown', 'x/kernel')).toBe(false);
  });

  it('stops early after `patience` epochs without improvement and restores the best weights', async () => {
    // Validation labels are the training labels inverted: the better the model fits, the worse val_loss gets.
    const train_ = blobs(160, 4, 21);
    const data = dataOf(cls, train_, 160, 0, { valSamples: blobs(60, 4, 22, true) });
    const model = mlp(4, 2, 'softmax', 9);
    const snapshots: Float32Array[][] = [];
    const { result, events } = await train(model, data, config({ optimizer: 'sgd', learningRate: 0.3, epochs: 10, earlyStopping: { enabled: true, monitor: 'val_loss', patience: 2 } }), running, () =>
      snapshots.push(weightsOf(model)),
    );
    expect(result.status).toBe('completed');
    const valLosses = result.history.map((h) => h.valLoss!);
    const bestEpoch = valLosses.indexOf(Math.min(...valLosses));
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(bestEpoch);
    expect(result.epochsCompleted).toBe(bestEpoch + 3); // best, then `patience` = 2 epochs without improvement
    expect(result.epochsCompleted).toBeLessThan(10);
    // The model holds the best epoch's weights again, not the last epoch's.
    expect(maxAbsDiff(weightsOf(model), snapshots[bestEpoch])).toBe(0);
    expect(maxAbsDiff(weightsOf(model), snapshots[snapshots.length - 1])).toBeGreaterThan(1e-3);
    const fit = checkModelFitsData(model, cls);
    expect((await scoreSplit(tf, model, data.validation, fit, cls)).loss).toBeCloseTo(valLosses[bestEpoch], 5);
    expect(events.some((e) => e.type === 'log' && /Early stopping after epoch/.test(e.message))).toBe(true);
    expect(events.some((e) => e.type === 'log' && /Restored the weights of epoch/.test(e.message))).toBe(true);
  });

  it('clips gradients by value and by global norm', async () => {
    const one = dataOf(cls, blobs(32, 4, 31), 32, 0);
    const run = async (gradientClip: TrainingConfig['gradientClip']) => {
      const model = mlp(4, 2, 'softmax', 13);
      const before = weightsOf(model);
      await train(model, one, config({ optimizer: 'sgd', learningRate: 10, epochs: 1, batchSize: 32, gradientClip }));
      const delta = weightsOf(model).map((w, i) => w.map((v, j) => v - before[i][j]));
      return { maxAbs: Math.max(...delta.map((d) => Math.max(...d.map(Math.abs)))), norm: Math.sqrt(delta.reduce((s, d) => s + d.reduce((t, v) => t + v * v, 0), 0)) };
    };
    const free = await run({ type: 'none', value: 1 });
    const byValue = await run({ type: 'value', value: 0.001 });
    const byNorm = await run({ type: 'norm', value: 0.002 });
    expect(free.maxAbs).toBeGreaterThan(0.05);
    expect(byValue.maxAbs).toBeLessThanOrEqual(10 * 0.001 + 1e-6); // |Δw| = lr · |clipped g| ≤ lr · 0.001
    expect(byValue.maxAbs).toBeGreaterThan(10 * 0.001 - 1e-6);
    expect(byNorm.norm).toBeCloseTo(10 * 0.002, 5); // ‖Δw‖ = lr · clip when the norm exceeds it
  });

  it('adds L1/L2 penalties on kernels to the reported loss, and class weights change it', async () => {
    // One batch with a learning rate of ~0: the reported loss is the loss at the initial weights.
    const one = dataOf(cls, blobs(32, 4, 41), 32, 0);
    const firstLoss = async (o: Record<string, unknown>) => (await train(mlp(4, 2, 'softmax', 17), one, config({ optimizer: 'sgd', learningRate: 1e-12, epochs: 1, batchSize: 32, ...o }))).result.history[0].loss;
    const model = mlp(4, 2, 'softmax', 17);
    const kernels = model.getWeights().filter((_, i) => i % 2 === 0).map((w) => w.dataSync() as Float32Array);
    const sumSq = kernels.reduce((s, k) => s + k.reduce((t, v) => t + v * v, 0), 0);
    const sumAbs = kernels.reduce((s, k) => s + k.reduce((t, v) => t + Math.abs(v), 0), 0);
    const plain = await firstLoss({});
    expect(await firstLoss({ l2: 0.01 })).toBeCloseTo(plain + 0.01 * sumSq, 4);
    expect(await firstLoss({ l1: 0.01 })).toBeCloseTo(plain + 0.01 * sumAbs, 4);

    // Class weights: 3 : 1 imbalance; balanced weights are n / (classes · count).
    expect(Array.from(balancedClassWeights(Int32Array.from([0, 0, 0, 1]), 2)).map((v) => +v.toFixed(4))).toEqual([0.6667, 2]);
    const s = blobs(32, 4, 43);
    for (let i = 0; i < 32; i++) (s.y as Int32Array)[i] = i % 4 === 0 ? 1 : 0;
    const imbalanced = dataOf(cls, s, 32, 0);
    const lossOf = async (classWeights: 'none' | 'balanced') =>
      (await train(mlp(4, 2, 'softmax', 17), imbalanced, config({ optimizer: 'sgd', learningRate: 1e-12, epochs: 1, batchSize: 32, classWeights }))).result.history[0].loss;
    const unweighted = await lossOf('none');
    const weighted = await lossOf('balanced');
    expect(Math.abs(weighted - unweighted)).toBeGreaterThan(1e-3);
    // By hand: mean over samples of w[class] · loss_i.
    const probs = (mlp(4, 2, 'softmax', 17).predict(tf.tensor(s.x, [32, 4])) as tf.Tensor).dataSync();
    const w = balancedClassWeights(s.y as Int32Array, 2);
    let manual = 0;
    for (let i = 0; i < 32; i++) manual -= w[(s.y as Int32Array)[i]] * Math.log(probs[i * 2 + (s.y as Int32Array)[i]]);
    expect(weighted).toBeCloseTo(manual / 32, 4);
  });

  it('fails with a message naming the epoch and batch when the loss or the weights turn NaN', async () => {
    const s = blobs(64, 4, 51);
    s.x[16 * 4 + 2] = NaN; // one bad value; one batch of 64 holds every sample
    const d = dataOf(cls, s, 64, 0);
    const { result } = await train(mlp(4, 2, 'softmax'), d, config({ batchSize: 64, epochs: 2 }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/Training diverged: the loss became NaN in epoch 1, batch 1\. Lower the learning rate/);
    expect(result.error).toMatch(/check the data/);
    expect(result.epochsCompleted).toBe(0);

    // A linear regression with SGD at 1e30 (far beyond the schema's limit) overflows within a few batches.
    const reg = info({ inputShape: [4], task: 'regression' });
    const regSamples: Samples = { ...blobs(64, 4, 52), y: Float32Array.from({ length: 64 }, (_, i) => i / 64) };
    const big = await train(mlp(4, 1, 'linear'), dataOf(reg, regSamples, 64, 0), { ...config({ optimizer: 'sgd', batchSize: 16 }), learningRate: 1e30 });
    expect(big.result.status).toBe('failed');
    expect(big.result.error).toMatch(/in epoch 1, batch \d+\. Lower the learning rate \(now 1e\+30\), e\.g\. to 1e\+29/);
  });

  it('pauses and resumes between batches with state events, and the results do not change', async () => {
    // Pause after the first batch (its event is always sent) for ~150 ms; the run must end exactly as an uninterrupted one.
    const reference = await train(mlp(4, 2, 'softmax', 23), blobData, config({ epochs: 2 }));
    let paused = false;
    let resumeCalls = 0;
    const pauseControl: LoopControl = {
      shouldStop: () => false,
      isPaused: () => paused,
      waitWhilePaused: () => new Promise((r) => setTimeout(() => ((paused = false), resumeCalls++, r()), 150)),
    };
    const events: TrainingEvent[] = [];
    let batches = 0;
    const t0 = performance.now();
    const res = await runTrainingLoop({
      tf, model: mlp(4, 2, 'softmax', 23), data: blobData, config: config({ epochs: 2 }), runId: 'r', backend: BACKEND, control: pauseControl,
      emit: (e) => {
        events.push(e);
        if (e.type === 'batch' && ++batches === 1) paused = true;
      },
    });
    expect(performance.now() - t0).toBeGreaterThan(140);
    expect(res.status).toBe('completed');
    expect(resumeCalls).toBe(1);
    const states = events.filter((e): e is Extract<TrainingEvent, { type: 'state' }> => e.type === 'state').map((e) => e.state);
    expect(states).toEqual(['paused', 'running']);
    const pausedAt = events.findIndex((e) => e.type === 'state');
    const before = events.slice(0, pausedAt).filter((e): e is Extract<TrainingEvent, { type: 'batch' }> => e.type === 'batch');
    expect(before[before.length - 1].batch).toBe(0); // paused right after the first batch
    expect(events.slice(pausedAt).find((e) => e.type === 'batch')).toMatchObject({ epoch: 0, batch: 1 });
    expect(res.history).toEqual(reference.result.history);
  });

  it('uses the stop flag inside the first batch: exactly one batch runs', async () => {
    let stop = false;
    const events: TrainingEvent[] = [];
    const r = await runTrainingLoop({
      tf, model: mlp(4, 2, 'softmax'), data: blobData, config: config(), runId: 'r', backend: BACKEND,
      control: { shouldStop: () => stop, waitWhilePaused: async () => undefined },
      emit: (e) => {
        events.push(e);
        if (e.type === 'batch') stop = true;
      },
    });
    expect(r.status).toBe('stopped');
    const batchEvents = events.filter((e) => e.type === 'batch');
    expect(batchEvents).toHaveLength(1);
    expect(events.some((e) => e.type === 'log' && /Stopped in epoch 1 after batch 1;/.test(e.message))).toBe(true);
  });

  it('trains regression with MSE and reports MAE (acc stays 0)', async () => {
    const r = mulberry32(61);
    const n = 200;
    const x = Float32Array.from({ length: n * 3 }, () => r() * 2 - 1);
    const y = Float32Array.from({ length: n }, (_, i) => 0.5 * x[i * 3] - 0.3 * x[i * 3 + 1] + 0.1 + (r() - 0.5) * 0.02);
    const reg = info({ inputShape: [3], task: 'regression' });
    const data = dataOf(reg, { x, y, sampleSize: 3, ySize: 1, count: n }, 150, 30, { async: true });
    const model = mlp(3, 1, 'linear', 29);
    const fit = checkModelFitsData(model, reg);
    expect(fit.loss).toBe('meanSquaredError');
    const before = await scoreSplit(tf, model, data.validation, fit, reg);
    const { result, events } = await train(model, data, config({ epochs: 5, learningRate: 0.02 }));
    expect(result.status).toBe('completed');
    const last = result.history[4];
    expect(last.valLoss!).toBeLessThan(before.loss * 0.2);
    expect(last.acc).toBe(0);
    expect(last.valAcc).toBe(0);
    expect(last.mae!).toBeGreaterThan(0);
    expect(last.valMae!).toBeLessThan(before.mae!);
    const batch = events.find((e): e is Extract<TrainingEvent, { type: 'batch' }> => e.type === 'batch')!;
    expect(batch.acc).toBe(0);
    expect(batch.mae).toBeGreaterThan(0);

    const report = await evaluateOnTest(tf, model, data, fit.loss);
    expect(report.task).toBe('regression');
    expect(report.samples).toBe(20);
    expect(report.regression!.r2).toBeGreaterThan(0.8);
    expect(report.gallery).toHaveLength(20);
    const errs = report.gallery.map((g) => Math.abs(Number(g.actual) - Number(g.predicted)));
    expect(errs[0]).toBeCloseTo(Math.max(...errs), 3); // worst first
    expect(report.gallery[0].features).toHaveLength(3);
  });

  it('uses binary cross-entropy for one sigmoid unit and two classes', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' })] });
    expect(checkModelFitsData(model, cls).loss).toBe('binaryCrossentropy');
    // Zero weights predict 0.5 for every sample: binary cross-entropy is ln 2 (MSE would be 0.25).
    const first = await train(model, dataOf(cls, blobs(32, 4, 71), 32, 0), config({ optimizer: 'sgd', learningRate: 1e-12, epochs: 1, batchSize: 32 }));
    expect(first.result.history[0].loss).toBeCloseTo(Math.LN2, 5);
    const { result } = await train(model, blobData, config({ epochs: 3, learningRate: 0.05 }));
    expect(result.history[2].valLoss!).toBeLessThan(0.4);
    expect(result.history[2].valAcc!).toBeGreaterThan(0.85);
    const report = await evaluateOnTest(tf, model, blobData, 'binaryCrossentropy');
    expect(report.classification!.roc!.auc).toBeGreaterThan(0.9);
  });

  it('trains an Embedding → Flatten → Dense model on int32 token ids', async () => {
    // Label: whether token 3 occurs in the 6-token sequence.
    const r = mulberry32(81);
    const n = 240;
    const x = new Int32Array(n * 6);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let t = 0; t < 6; t++) x[i * 6 + t] = 4 + Math.floor(r() * 16);
      if (y[i]) x[i * 6 + Math.floor(r() * 6)] = 3;
    }
    const text = info({ inputShape: [6], inputDType: 'int32', task: 'classification', numClasses: 2 });
    const data = dataOf(text, { x, y, sampleSize: 6, ySize: 1, count: n }, 180, 40);
    const model = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 6 }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    seedWeights(model, 83, 0.1);
    const fit = checkModelFitsData(model, text);
    const before = await scoreSplit(tf, model, data.validation, fit, text);
    const { result } = await train(model, data, config({ epochs: 4, learningRate: 0.05, l2: 1e-4 }));
    expect(result.status).toBe('completed');
    expect(result.history[3].valLoss!).toBeLessThan(before.loss * 0.6);
    const report = await evaluateOnTest(tf, model, data, fit.loss);
    expect(report.gallery[0].features).toHaveLength(6);
    expect(Number.isInteger(report.gallery[0].features![0])).toBe(true);
  });

  it('trains an LSTM model with falling loss', async () => {
    // Sequences of 5 steps × 2 features; label: whether the first feature sums to more than 0.
    const r = mulberry32(91);
    const n = 160;
    const x = Float32Array.from({ length: n * 10 }, () => r() * 2 - 1);
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * 10] + x[i * 10 + 2] + x[i * 10 + 4] + x[i * 10 + 6] + x[i * 10 + 8] > 0 ? 1 : 0));
    const seq = info({ inputShape: [5, 2], task: 'classification', numClasses: 2 });
    const data = dataOf(seq, { x, y, sampleSize: 10, ySize: 1, count: n }, 128, 32);
    const model = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [5, 2], units: 6 }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    seedWeights(model, 93, 0.3);
    const { result } = await train(model, data, config({ epochs: 4, batchSize: 32, learningRate: 0.05 }));
    expect(result.status).toBe('completed');
    expect(result.history[3].loss).toBeLessThan(result.history[0].loss * 0.8);
  });

  it('leaks no tensors and keeps dropout active only in training', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const { result } = await train(model, blobData, config({ epochs: 3, optimizer: 'adamw', weightDecay: 0.01, l1: 1e-4, l2: 1e-4, gradientClip: { type: 'norm', value: 1 }, classWeights: 'balanced', earlyStopping: { enabled: true, patience: 5 } }), running, () =>
      counts.push(tf.memory().numTensors),
    );
    expect(result.status).toBe('completed');
    expect(counts[2]).toBe(counts[1]);
    expect(counts[1]).toBe(counts[0]);
    expect(tf.memory().numTensors).toBe(before);
    await evaluateOnTest(tf, model, blobData, 'categoricalCrossentropy');
    expect(tf.memory().numTensors).toBe(before);
    // Training mode differs from inference (dropout), inference is deterministic.
    const xs = tf.tensor(blobs(8, 4, 3).x, [8, 4]);
    const p1 = (model.apply(xs, { training: false }) as tf.Tensor).dataSync();
    const p2 = (model.apply(xs, { training: false }) as tf.Tensor).dataSync();
    const p3 = (model.apply(xs, { training: true }) as tf.Tensor).dataSync();
    expect(Array.from(p1)).toEqual(Array.from(p2));
    expect(Array.from(p3)).not.toEqual(Array.from(p1));
  });

  it('evaluates the test split: classification report and an image gallery, misclassified first', async () => {
    // 4×4×1 "images" of two classes; the model is untrained, so some are misclassified.
    const n = 60;
    const r = mulberry32(101);
    const x = Float32Array.from({ length: n * 16 }, () => r());
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    const img = info({ inputShape: [4, 4, 1], task: 'classification', numClasses: 3 });
    const data = dataOf(img, { x, y, sampleSize: 16, ySize: 1, count: n }, 0, 0);
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    seedWeights(model, 103, 1);
    const report = await evaluateOnTest(tf, model, data, 'categoricalCrossentropy');
    expect(report.samples).toBe(60);
    expect(report.classification!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(report.gallery).toHaveLength(48);
    const firstCorrect = report.gallery.findIndex((g) => g.correct);
    expect(firstCorrect).toBeGreaterThan(0);
    expect(report.gallery.slice(firstCorrect).every((g) => g.correct)).toBe(true);
    const g = report.gallery[0];
    expect(g.image).toMatchObject({ width: 4, height: 4, channels: 1 });
    expect(g.image!.pixels).toHaveLength(16);
    expect(g.image!.pixels[0]).toBe(Math.round(x[g.index * 16] * 255));
    expect(report.loss).toBeGreaterThan(0);
  });
});
