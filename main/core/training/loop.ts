/**
 * The portable training loop (see types.ts): a custom loop over batches instead of model.fit, so that
 * everything the project's TrainingConfig asks for is under our control and behaves the same on every
 * backend (tfjs-node, wasm, cpu in the Node worker; WebGPU / WebGL in a Chromium page).
 *
 * Per batch: forward pass with dropout active (`model.apply(x, {training: true})`), the loss that fits
 * the dataset (lossFor: categorical / binary cross-entropy or MSE) with per-sample class weights, plus
 * L1/L2 penalties on kernels and the layers' own losses (layerLosses); gradients by tf.variableGrads; clipping (global norm or value); the
 * optimizer's step; AdamW's decoupled weight decay; then ONE read from the device of [loss, metric,
 * sum of all weights] (the weight sum catches NaN/Inf weights that a clipped loss would hide).
 *
 * Numbering: `epoch` and `batch` in events are 0-based; messages for people say "epoch 1".
 *
 * No Node or DOM APIs here: only tf, the data interface, timers via the control object, and
 * `performance.now()` / `Date.now()` (both exist in Node and in browsers).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { EpochMetrics, OutputMetrics, TrainingEvent } from '../api/contract';
import { inputPartsOf, outputPartsOf, type DatasetInfo, type OutputPart } from '../datasets';
import type { OutputLoss, TrainingConfig } from '../project';
import { mulberry32, shuffledIndices } from '../random';
import { formatShape, shapeFits } from '../shapes';

export { mulberry32, shuffledIndices };
import { checkOutputFit, walkOutput, type LossName } from '../outputFit';
import { specOfClassName } from '../layers/registry';
import type { Batch, LoopOptions, TrainingResult, SplitData } from './types';
import { OPTIMIZER_RESTORED_NOTE, OPTIMIZER_STATE_NOTE, restoreOptimizerState } from './resume';
import { layerNormsOf, measuresNorms, normTensors, weightGroups } from './layerNorms';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

export type { LossName };

/** At most this many batch events per second (the last batch of each epoch is always sent). */
export const BATCH_EVENTS_PER_SEC = 20;
/** Samples per forward pass when evaluating (validation, test). */
export const EVAL_CHUNK = 512;
/** tfjs-layers' epsilon: predictions are clipped to [EPS, 1 - EPS] before the log of cross-entropy. */
const EPS = 1e-7;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

// ---------------------------------------------------------------------------------------------------
// Small pure helpers (exported for tests and for the hosts)
// ---------------------------------------------------------------------------------------------------

/** The seed of the batch order: derived from the training seed, independent of the weights' PRNG. */
export function batchOrderSeed(seed: number): number {
  return (seed ^ 0x9e3779b9) >>> 0;
}

const DEFAULT_SCHEDULE: TrainingConfig['schedule'] = { type: 'constant', stepEpochs: 10, gamma: 0.5, warmupEpochs: 0, minLearningRate: 0 };

/**
 * The learning rate of a 0-based epoch.
 * - Warm-up (any schedule): epoch e < W uses lr·(e+1)/(W+1), rising linearly from ~0 towards lr.
 * - Then, with t = e − W epochs since the warm-up:
 *   constant: lr; step: lr·γ^⌊t/stepEpochs⌋; exponential: lr·γ^t;
 *   cosine: min + (lr − min)·(1 + cos(π·t/T))/2 with T = epochs − W (so the last epoch is still above min).
 */
export function learningRateAt(cfg: Pick<TrainingConfig, 'learningRate' | 'epochs'> & { schedule?: TrainingConfig['schedule'] }, epoch: number): number {
  const base = cfg.learningRate;
  const s = { ...DEFAULT_SCHEDULE, ...(cfg.schedule ?? {}) };
  const warm = Math.max(0, Math.floor(s.warmupEpochs));
  if (epoch < warm) return (base * (epoch + 1)) / (warm + 1);
  const t = epoch - warm;
  switch (s.type) {
    case 'step':
      return base * Math.pow(s.gamma, Math.floor(t / Math.max(1, s.stepEpochs)));
    case 'exponential':
      return base * Math.pow(s.gamma, t);
    case 'cosine': {
      const T = Math.max(1, cfg.epochs - warm);
      const min = Math.min(s.minLearningRate, base);
      return min + ((base - min) * (1 + Math.cos((Math.PI * Math.min(t, T)) / T))) / 2;
    }
    default:
      return base;
  }
}

/** 'balanced' class weights: n_samples / (n_classes · n_class_samples); a class with no samples gets 0. */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const counts = new Float64Array(numClasses);
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c >= 0 && c < numClasses) {
      counts[c]++;
      n++;
    }
  }
  const w = new Float32Array(numClasses);
  for (let c = 0; c < numClasses; c++) w[c] = counts[c] > 0 ? n / (numClasses * counts[c]) : 0;
  return w;
}

/** The last part of a tfjs variable name without the _1, _2… tfjs may append: "dense_1/kernel_2" → "kernel". */
function weightName(name: string): string {
  return (name.split('/').pop() ?? name).replace(/_\d+$/, '');
}

/**
 * Whether a weight of a layer of this tfjs class takes the L1/L2 penalties and AdamW's decay, as the layer's
 * spec declares (`penalizedWeights`: kernels and embeddings, never biases or normalization parameters).
 */
export function isPenalizedWeight(className: string, variableName: string): boolean {
  const spec = specOfClassName(className);
  const name = weightName(variableName);
  return spec?.penalizedWeights.includes(name) ?? false;
}

/** The model's trainable weights that take the penalties and AdamW's decay, found through each layer's spec. */
export function penalizedWeights(model: tfTypes.LayersModel): tfTypes.LayerVariable[] {
  return model.layers.flatMap((layer) => layer.trainableWeights.filter((w) => isPenalizedWeight(layer.getClassName(), w.originalName ?? w.name)));
}

/**
 * The sum of the layers' own losses, as tfjs's fit adds them after the forward pass (`model.calculateLosses()`):
 * weight regularizers set on layers and penalties a layer records in a training call (ActivityRegularization).
 * Null when the model has none. Call it after `model.apply(x, { training: true })`, inside the gradient function.
 */
export function layerLosses(tf: Tf, model: tfTypes.LayersModel): Tensor | null {
  const losses = model.calculateLosses();
  return losses.length > 0 ? tf.addN(losses) : null;
}

function fmtLr(lr: number): string {
  return Number(lr.toPrecision(3)).toString();
}

/** A failure message a person can act on (out-of-memory gets its own advice). */
export function describeTrainingError(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  if (/out of memory|OOM|Maximum memory size|Array buffer allocation failed|Cannot enlarge memory|memory access out of bounds|Failed to allocate|CONTEXT_LOST/i.test(msg)) {
    return `Training ran out of memory (${msg.split('\n')[0]}). Use a smaller batch size or a smaller network.`;
  }
  return `Training failed: ${msg}`;
}

/** A model input and the part of the data it takes. */
export interface InputFit {
  /** Index into the data's inputs (Batch.xs; 0 for data with one input). */
  part: number;
  /** Per-sample shape used to build batches. */
  shape: number[];
}

/** A model output, the target it is trained on and how its loss is computed. */
export interface OutputFit {
  /** Index among the model's outputs. */
  index: number;
  /** Index into the data's targets (Batch.ys; 0 for data with one target). */
  part: number;
  /** The output layer's name. */
  name: string;
  target: OutputPart;
  units: number;
  /** The output's shape per sample: a values target (regression, reconstruction) is given to the loss in this shape. */
  shape: number[];
  loss: LossName;
  /** The loss takes raw scores: it applies softmax / sigmoid itself, and accuracy thresholds binary scores at 0. */
  fromLogits: boolean;
  /** Share of the total loss. */
  lossWeight: number;
}

export interface ModelFit {
  /** Per-sample input shape of the first (or only) input. */
  inputShape: number[];
  /** Width, loss and options of the first target's output (the one the single-output event fields describe). */
  outputUnits: number;
  loss: LossName;
  fromLogits: boolean;
  /** In the model's input order. */
  inputs: InputFit[];
  /** In the data's target order: outputs[0] is the output of the dataset's first target. */
  outputs: OutputFit[];
}

/** Loss options of output layers, by layer name (the job reads them from project.training.outputs). */
export type OutputLosses = Record<string, Partial<Pick<OutputLoss, 'fromLogits' | 'lossWeight'>>>;

/** A list of names for a message: "a", "a and b", "a, b and c". */
function listNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Pairs the model's inputs and outputs with the parts of the data by the layer names the parts are bound to; a
 * part bound to no layer goes to the model's only input (output). Throws a message that says what to change.
 */
function pairParts<T extends { layer?: string; name: string }>(
  tensors: tfTypes.SymbolicTensor[],
  parts: T[],
  what: { one: string; many: string; bind: string },
  dataName: string,
): number[] {
  const names = tensors.map((t) => t.sourceLayer.name);
  if (parts.length === 1 && parts[0].layer === undefined) {
    if (tensors.length === 1) return [0];
    throw new Error(
      `The network has ${tensors.length} ${what.many} (${listNames(names)}) but ${dataName} gives one. ${what.bind}, or keep one ${what.one}.`,
    );
  }
  const paired = names.map((name) => {
    const part = parts.findIndex((p) => p.layer === name);
    if (part < 0) throw new Error(`The network's ${what.one} ${name} is not bound to any part of ${dataName}. ${what.bind}, or delete ${name}.`);
    return part;
  });
  // Every part must reach a layer, or its data would be silently ignored.
  const unbound = parts.find((p) => p.layer === undefined || !names.includes(p.layer));
  if (unbound) {
    const layer = unbound.layer === undefined ? 'no layer' : unbound.layer;
    throw new Error(`${dataName} binds "${unbound.name}" to ${layer}, which is not ${what.one === 'Input' ? 'an Input' : 'an output'} of the network. ${what.bind}.`);
  }
  return paired;
}

/** Checks that the model's inputs and outputs fit the dataset (one each, or each bound to a part of it); throws a message that says what to change. */
export function checkModelFitsData(model: tfTypes.LayersModel, info: DatasetInfo, losses: OutputLosses = {}): ModelFit {
  const inputParts = inputPartsOf(info);
  const outputParts = outputPartsOf(info);
  const inputPart = pairParts(model.inputs, inputParts, { one: 'Input', many: 'Inputs', bind: 'Bind each Input to columns of a CSV in the Dataset panel' }, info.name);
  const outputPart = pairParts(model.outputs, outputParts, { one: 'output', many: 'outputs', bind: 'Bind each output to a target column of a CSV in the Dataset panel' }, info.name);
  const several = model.inputs.length > 1 || model.outputs.length > 1;

  const inputs: InputFit[] = model.inputs.map((input, i) => {
    const part = inputParts[inputPart[i]];
    const size = part.shape.reduce((a, b) => a * b, 1);
    const want = input.shape.slice(1);
    const known = want.every((d) => d !== null);
    const wantSize = known ? (want as number[]).reduce((a, b) => a * b, 1) : NaN;
    // With axes of unknown length (an Input [?, 16]) the samples must have the Input's axes and its known sizes.
    if (known ? wantSize !== size : !shapeFits(want, part.shape)) {
      const which = several ? `Input ${input.sourceLayer.name}` : 'Input';
      const source = several ? `"${part.name}" of ${info.name}` : info.name;
      throw new Error(
        `The network's ${which} expects samples of shape ${formatShape(want)} but ${source} gives ${formatShape(part.shape)} (${size} values per sample). Set the Input shape to ${formatShape(part.shape)}.`,
      );
    }
    // Same number of values: use the Input's own shape (e.g. [784] for a flat MLP input over 28×28×1 images).
    return { part: inputPart[i], shape: known ? (want as number[]) : [...part.shape] };
  });

  const outputs: OutputFit[] = model.outputs.map((output, index) => {
    const part = outputPart[index];
    const target = outputParts[part];
    const name = output.sourceLayer.name;
    const options = losses[name] ?? {};
    const fromLogits = target.task === 'classification' && options.fromLogits === true;
    const chain = walkOutput(
      output,
      (t) => specOfClassName(t.sourceLayer.getClassName()),
      (t) => (t.inputs.length === 1 ? t.inputs[0] : undefined),
    );
    const fit = checkOutputFit(
      { name, shape: output.shape.slice(1), unitsLayer: chain.setter?.sourceLayer.name },
      {
        datasetName: outputParts.length > 1 ? `"${target.name}" of ${info.name}` : info.name,
        task: target.task,
        numClasses: target.numClasses,
        outputSize: target.outputSize,
        outputShape: target.outputShape,
        unitRange: target.unitRange,
        fromLogits,
      },
    );
    if (!fit.fits) throw new Error(fit.problem);
    const shape = output.shape.slice(1).every((d) => d !== null) ? (output.shape.slice(1) as number[]) : [target.outputSize];
    return { index, part, name, target, units: fit.units, shape, loss: fit.loss, fromLogits, lossWeight: options.lossWeight ?? 1 };
  });
  outputs.sort((a, b) => a.part - b.part);
  const first = outputs[0];
  return { inputShape: inputs.find((i) => i.part === 0)?.shape ?? inputs[0].shape, outputUnits: first.units, loss: first.loss, fromLogits: first.fromLogits, inputs, outputs };
}

/**
 * A classifier still at chance level after an epoch is not learning: a warning that names the likely cause,
 * or null. Chance level here is generous (up to twice guessing, at most ten points above it), so a run that
 * learns slowly but surely is not flagged; a model that only ever predicts one class is.
 */
export function notLearningWarning(metrics: EpochMetrics, info: Pick<DatasetInfo, 'task' | 'numClasses'>, learningRate: number): string | null {
  const k = info.numClasses;
  if (info.task !== 'classification' || k < 2) return null;
  const acc = metrics.valAcc ?? metrics.acc;
  const guess = 1 / k;
  const limit = k === 2 ? guess + 0.05 : Math.min(2 * guess, guess + 0.1);
  if (!Number.isFinite(acc) || acc > limit) return null;
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
  const cause =
    learningRate >= 0.1
      ? `The learning rate ${fmtLr(learningRate)} is probably too high: try ${fmtLr(learningRate / 100)} (0.001 suits Adam).`
      : learningRate <= 1e-5
        ? `The learning rate ${fmtLr(learningRate)} is probably too low: try 0.001.`
        : 'Check that the labels match the samples and that the output layer uses softmax (sigmoid for one unit), or try a smaller learning rate.';
  return `Not learning: after epoch ${metrics.epoch + 1} the ${metrics.valAcc !== undefined ? 'validation ' : ''}accuracy is ${pct(acc)}, about what guessing among ${k} classes gives (${pct(guess)}). ${cause}`;
}

/** Sets an optimizer's learning rate. SGD/momentum keep it in a cached scalar (setLearningRate); the others read the field each step. */
export function setOptimizerLearningRate(optimizer: tfTypes.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The optimizer a TrainingConfig names. AdamW is Adam here; its decoupled decay is applied by the loop. */
export function makeOptimizer(tf: Tf, cfg: Pick<TrainingConfig, 'optimizer' | 'learningRate'> & Partial<Pick<TrainingConfig, 'momentum' | 'nesterov'>>, lr = cfg.learningRate): tfTypes.Optimizer {
  const momentum = cfg.momentum ?? 0;
  switch (cfg.optimizer) {
    case 'adam':
    case 'adamw':
      return tf.train.adam(lr);
    case 'sgd':
      return momentum > 0 || cfg.nesterov ? tf.train.momentum(lr, momentum, Boolean(cfg.nesterov)) : tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.9, momentum);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      throw new Error(`Unknown optimizer "${String(cfg.optimizer)}". Use adam, adamw, sgd, rmsprop or adagrad.`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Tensors of a batch, losses and metrics (shared with evaluate.ts)
// ---------------------------------------------------------------------------------------------------

export interface BatchTensors {
  x: Tensor;
  /** int32 [n] class indices (classification) or float32 [n, outputSize] targets (regression, reconstruction). */
  y: Tensor;
}

/** Tensors of a batch; the caller disposes them (or creates them inside a tidy). */
export function batchTensors(tf: Tf, batch: Batch, inputShape: number[], outputSize: number, task: DatasetInfo['task']): BatchTensors {
  return { x: inputTensor(tf, batch.x, batch.count, inputShape), y: targetTensor(tf, batch.y, batch.count, [outputSize], task) };
}

function inputTensor(tf: Tf, x: Float32Array | Int32Array, n: number, shape: number[]): Tensor {
  return tf.tensor(x, [n, ...shape], x instanceof Int32Array ? 'int32' : 'float32');
}

/** A batch's targets: class indices, or the values in the output's own shape (an autoencoder's [n, 28, 28, 1]). */
function targetTensor(tf: Tf, y: Int32Array | Float32Array, n: number, shape: number[], task: DatasetInfo['task']): Tensor {
  if (task === 'classification') return tf.tensor1d(y instanceof Int32Array ? y : Int32Array.from(y), 'int32');
  return tf.tensor(y instanceof Float32Array ? y : Float32Array.from(y), [n, ...shape], 'float32');
}

/** The batch's inputs and targets as tensors: `xs` in the model's input order, `ys` in fit.outputs order. */
export function fitTensors(tf: Tf, batch: Batch, fit: ModelFit): { xs: Tensor[]; ys: Tensor[] } {
  const xs = batch.xs ?? [batch.x];
  const ys = batch.ys ?? [batch.y];
  return {
    xs: fit.inputs.map((i) => inputTensor(tf, xs[i.part], batch.count, i.shape)),
    ys: fit.outputs.map((o) => targetTensor(tf, ys[o.part], batch.count, o.shape, o.target.task)),
  };
}

/** The model's predictions for `xs`, as a list in the model's output order. */
export function applyModel(model: tfTypes.LayersModel, xs: Tensor[], training: boolean): Tensor[] {
  const out = model.apply(xs.length === 1 ? xs[0] : xs, { training }) as Tensor | Tensor[];
  return Array.isArray(out) ? out : [out];
}

/**
 * Loss per sample, shape [n]. Cross-entropies of probabilities clip them as tfjs-layers does (so values match
 * model.fit's); from logits they are computed from the raw scores without clipping:
 * categorical −Σ y·logSoftmax(z), binary max(z, 0) − z·y + log(1 + e^−|z|) (steady for any z).
 */
export function perSampleLoss(tf: Tf, loss: LossName, pred: Tensor, y: Tensor, numClasses: number, fromLogits = false): Tensor {
  if (loss === 'meanSquaredError') {
    // The mean over every value of a sample (one axis for regression, height × width × channels for an image).
    const squared = tf.square(tf.sub(pred, y));
    return squared.rank <= 2 ? tf.mean(squared, -1) : tf.mean(tf.reshape(squared, [squared.shape[0], -1]), -1);
  }
  if (loss === 'binaryCrossentropy') {
    const t = tf.cast(y, 'float32');
    if (y.rank === pred.rank && pred.rank > 1) {
      // Targets in the output's shape (a reconstruction of pixels in 0..1): the mean cross-entropy of every value.
      const p = tf.clipByValue(pred, EPS, 1 - EPS);
      const each = tf.neg(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)))));
      return tf.mean(tf.reshape(each, [each.shape[0], -1]), -1);
    }
    if (fromLogits) {
      const z = tf.reshape(pred, [-1]);
      return tf.add(tf.sub(tf.relu(z), tf.mul(z, t)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    }
    const p = tf.clipByValue(tf.reshape(pred, [-1]), EPS, 1 - EPS);
    return tf.neg(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)))));
  }
  const oneHot = tf.oneHot(y as tfTypes.Tensor1D, numClasses);
  if (fromLogits) return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(pred, -1)), -1));
  const norm = tf.div(pred, tf.sum(pred, -1, true));
  const p = tf.clipByValue(norm, EPS, 1 - EPS);
  return tf.neg(tf.sum(tf.mul(oneHot, tf.log(p)), -1));
}

/**
 * Classification: number of correct predictions (a binary score counts as class 1 from 0.5, or from 0 for logits).
 * Values (regression, reconstruction, whatever their loss): sum of absolute errors. A float32 scalar.
 */
export function metricSum(tf: Tf, loss: LossName, pred: Tensor, y: Tensor, fromLogits = false, values = loss === 'meanSquaredError'): Tensor {
  if (values) return tf.sum(tf.abs(tf.sub(pred, tf.reshape(y, pred.shape))));
  const predicted = loss === 'binaryCrossentropy' ? tf.cast(tf.greaterEqual(tf.reshape(pred, [-1]), fromLogits ? 0 : 0.5), 'int32') : tf.argMax(pred, -1);
  return tf.sum(tf.cast(tf.equal(predicted, y), 'float32'));
}

async function getBatch(split: SplitData, indices: ArrayLike<number>): Promise<Batch> {
  const b = split.getBatch(indices);
  return b instanceof Promise ? await b : b;
}

function range(start: number, end: number): Int32Array {
  const r = new Int32Array(end - start);
  for (let i = 0; i < r.length; i++) r[i] = start + i;
  return r;
}

/**
 * How batches of this model must be cut. `fixed`: the batch size its Inputs fix (null: any size); `stateful`: a layer
 * carries each sample's state to the next batch (tfjs's `model.stateful`), so samples keep their order and states
 * are reset between epochs and before each evaluation. Throws where Inputs fix different sizes.
 */
export interface Batching {
  fixed: number | null;
  stateful: boolean;
  /** The Inputs that fix the batch size, by layer name. */
  inputs: string[];
}

export function batchingOf(model: tfTypes.LayersModel): Batching {
  const fixedInputs = model.inputs.filter((i) => typeof i.shape[0] === 'number' && i.shape[0] > 0);
  const sizes = [...new Set(fixedInputs.map((i) => i.shape[0] as number))];
  if (sizes.length > 1) {
    const each = fixedInputs.map((i) => `${i.sourceLayer.name} ${i.shape[0]}`).join(', ');
    throw new Error(`The network's Inputs fix different batch sizes (${each}) — give them all the same Batch size.`);
  }
  return { fixed: sizes[0] ?? null, stateful: model.stateful, inputs: fixedInputs.map((i) => i.sourceLayer.name) };
}

/**
 * The evaluation chunk from sample `start` up to `end` (exclusive): with a fixed batch size, exactly that many
 * indices, the last sample repeated to fill it (its extra predictions are left out by `realRows`).
 */
export function chunkIndices(start: number, end: number, fixed: number | null): Int32Array {
  const r = new Int32Array(fixed ?? end - start);
  for (let i = 0; i < r.length; i++) r[i] = Math.min(start + i, end - 1);
  return r;
}

/** The first `n` rows of a tensor of a padded chunk (the tensor itself where nothing was padded). */
export function realRows(tf: Tf, t: Tensor, n: number): Tensor {
  return t.shape[0] === n ? t : tf.slice(t, 0, n);
}

/** Samples per evaluation chunk, and a fresh start for stateful layers (so evaluation does not continue training's states). */
export function startEvaluation(model: tfTypes.LayersModel): number | null {
  const { fixed, stateful } = batchingOf(model);
  if (stateful) model.resetStates();
  return fixed;
}

/** Loss and accuracy (or MAE) of one output over a split. */
export interface OutputScores {
  name: string;
  /** Mean loss of this output (before its loss weight). */
  loss: number;
  acc?: number;
  mae?: number;
}

interface SplitScores {
  /** Σ loss weight · mean loss of each output (the plain data loss with one output). */
  loss: number;
  /** Classification accuracy of the first target's output (0 for regression). */
  acc: number;
  /** Regression MAE of the first target's output. */
  mae?: number;
  /** Each output's own scores, in fit.outputs order. */
  outputs: OutputScores[];
}

class StopRequested extends Error {}
class Diverged extends Error {}

/** An output's metric per sample (accuracy) or per value (MAE) from its summed metric over `n` samples. */
function outputScores(o: OutputFit, lossSum: number, metric: number, n: number): OutputScores {
  const regression = o.target.task !== 'classification';
  const m = metric / (Math.max(1, n) * (regression ? Math.max(1, o.target.outputSize) : 1));
  return { name: o.name, loss: lossSum / Math.max(1, n), ...(regression ? { mae: m } : { acc: m }) };
}

/** Mean loss and accuracy (or MAE) of the model on a whole split, in chunks, without dropout. */
export async function scoreSplit(
  tf: Tf,
  model: tfTypes.LayersModel,
  split: SplitData,
  fit: ModelFit,
  info: DatasetInfo,
  shouldStop: () => boolean = () => false,
): Promise<SplitScores> {
  void info; // the fit describes every output
  const sums = new Float64Array(fit.outputs.length * 2);
  const fixed = startEvaluation(model);
  const chunk = fixed ?? EVAL_CHUNK;
  for (let start = 0; start < split.count; start += chunk) {
    if (shouldStop()) throw new StopRequested();
    const end = Math.min(split.count, start + chunk);
    const batch = await getBatch(split, chunkIndices(start, end, fixed));
    const s = tf.tidy(() => {
      const { xs, ys } = fitTensors(tf, batch, fit);
      const preds = applyModel(model, xs, false).map((p) => realRows(tf, p, end - start));
      const truths = ys.map((y) => realRows(tf, y, end - start));
      return tf.stack(
        fit.outputs.flatMap((o, j) => [
          tf.sum(perSampleLoss(tf, o.loss, preds[o.index], truths[j], o.target.numClasses, o.fromLogits)),
          metricSum(tf, o.loss, preds[o.index], truths[j], o.fromLogits, o.target.task !== 'classification'),
        ]),
      );
    });
    const v = await s.data();
    s.dispose();
    for (let i = 0; i < sums.length; i++) sums[i] += v[i];
  }
  const outputs = fit.outputs.map((o, j) => outputScores(o, sums[2 * j], sums[2 * j + 1], split.count));
  const loss = fit.outputs.reduce((total, o, j) => total + o.lossWeight * outputs[j].loss, 0);
  const first = outputs[0];
  return first.mae !== undefined ? { loss, acc: 0, mae: first.mae, outputs } : { loss, acc: first.acc ?? 0, outputs };
}

/** Reads every class index of one target of a split (for class weights); the split's own list serves the first target. */
async function labelsOf(split: SplitData, part = 0): Promise<Int32Array> {
  if (split.labels && part === 0) return split.labels;
  const out = new Int32Array(split.count);
  for (let start = 0; start < split.count; start += EVAL_CHUNK) {
    const end = Math.min(split.count, start + EVAL_CHUNK);
    const b = await getBatch(split, range(start, end));
    const y = b.ys?.[part] ?? b.y;
    out.set(y instanceof Int32Array ? y : Int32Array.from(y), start);
  }
  return out;
}

type Monitor = TrainingConfig['earlyStopping']['monitor'];

/** The value early stopping watches in an epoch's metrics, and whether lower is better. For values (regression, reconstruction) "acc" means MAE. */
function monitored(m: EpochMetrics, monitor: Monitor, task: DatasetInfo['task']): { value: number; lowerIsBetter: boolean } | null {
  let v: number | undefined;
  let lower = true;
  switch (monitor) {
    case 'val_loss':
      v = m.valLoss;
      break;
    case 'loss':
      v = m.loss;
      break;
    case 'val_acc':
      if (task !== 'classification') v = m.valMae;
      else [v, lower] = [m.valAcc, false];
      break;
    case 'acc':
      if (task !== 'classification') v = m.mae;
      else [v, lower] = [m.acc, false];
      break;
  }
  return v === undefined || !Number.isFinite(v) ? null : { value: v, lowerIsBetter: lower };
}

/**
 * The batch size training must use with a fixed batch (null without one): it must be the training batch size, and
 * the training split must fill at least one batch. Throws a message that names both numbers.
 */
export function checkFixedBatch(batching: Batching, batchSize: number, trainCount: number, dataName: string): number | null {
  const { fixed, inputs } = batching;
  if (fixed === null) return null;
  const where = `${inputs.length === 1 ? 'Input' : 'Inputs'} ${listNames(inputs)}`;
  if (batchSize !== fixed) {
    throw new Error(
      `The network's ${where} ${inputs.length === 1 ? 'has' : 'have'} a fixed batch size of ${fixed}, but training uses batches of ${batchSize} — set the training batch size to ${fixed}, or the Batch size of ${listNames(inputs)} to ${batchSize}.`,
    );
  }
  if (trainCount < fixed) {
    throw new Error(`The network's ${where} needs batches of exactly ${fixed} samples, but ${dataName} has only ${trainCount} training samples — use a smaller batch size on both.`);
  }
  return fixed;
}

// ---------------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------------

export async function runTrainingLoop(opts: LoopOptions): Promise<TrainingResult> {
  const { tf, model, data, runId, backend, control } = opts;
  const cfg = opts.config;
  const info = data.info;
  const emit = (event: TrainingEvent) => opts.emit(event);
  const log = (message: string) => emit({ type: 'log', runId, message });

  const startEpoch = opts.resume?.startEpoch ?? 0;
  const history: EpochMetrics[] = opts.resume ? opts.resume.history.slice(0, startEpoch) : [];
  let epochsCompleted = startEpoch;
  let warnedNotLearning = false;
  let position = { epoch: startEpoch, batch: 0 };
  let batchesInEpoch = 0;

  const esDefaults: TrainingConfig['earlyStopping'] = { enabled: false, monitor: 'val_loss', patience: 5, minDelta: 0, restoreBest: true };
  const es: TrainingConfig['earlyStopping'] = { ...esDefaults, ...(cfg.earlyStopping as Partial<TrainingConfig['earlyStopping']> | undefined) };
  const clip = cfg.gradientClip ?? { type: 'none', value: 1 };
  const l1 = cfg.l1 ?? 0;
  const l2 = cfg.l2 ?? 0;
  const weightDecay = cfg.optimizer === 'adamw' ? (cfg.weightDecay ?? 0) : 0;

  // Owned tensors, released in `finally`.
  let optimizer: tfTypes.Optimizer | null = null;
  /** Balanced class weights per output (fit.outputs order), null for outputs without them. */
  const classWeights: (Tensor | null)[] = [];
  let best: { epoch: number; value: number; weights: Tensor[] | null } | null = null;
  let stoppedEarly = false;
  let status: TrainingResult['status'] = 'completed';
  let error: string | undefined;

  /** Whether a monitored value beats the best so far by more than minDelta. */
  const improves = (m: { value: number; lowerIsBetter: boolean }): boolean =>
    !best || (m.lowerIsBetter ? m.value < best.value - es.minDelta : m.value > best.value + es.minDelta);

  const restoreBest = () => {
    if (!es.enabled || !es.restoreBest || !best?.weights || epochsCompleted === 0) return;
    if (best.epoch === epochsCompleted - 1 && position.batch === 0) return; // the model already holds them
    model.setWeights(best.weights);
    log(`Restored the weights of epoch ${best.epoch + 1}, the best by ${es.monitor} (${best.value.toPrecision(4)}).`);
  };

  try {
    const fit = checkModelFitsData(model, info, opts.outputLosses);
    const several = fit.outputs.length > 1;
    const train = data.train;
    if (train.count < 1) throw new Error(`${info.name} has no training samples.`);
    const trainable = model.trainableWeights;
    if (trainable.length === 0) throw new Error('The network has no trainable weights.');
    const vars = trainable.map((w) => w.read() as tfTypes.Variable);
    const penalized = penalizedWeights(model).map((w) => w.read() as tfTypes.Variable);
    const groups = weightGroups(model);

    for (const o of fit.outputs) {
      if (cfg.classWeights !== 'balanced' || o.target.task !== 'classification') {
        classWeights.push(null);
        continue;
      }
      const w = balancedClassWeights(await labelsOf(train, o.part), o.target.numClasses);
      classWeights.push(tf.keep(tf.tensor1d(w, 'float32')));
      log(`Class weights (balanced)${several ? ` of ${o.name}` : ''}: ${Array.from(w, (v, c) => `${o.target.classNames[c] ?? c} ${v.toFixed(2)}`).join(', ')}.`);
    }

    let valMonitorNote = false;
    let monitor = es.monitor;
    if (monitor.startsWith('val_') && data.validation.count === 0) {
      monitor = monitor === 'val_loss' ? 'loss' : 'acc';
      valMonitorNote = true;
    }
    if (es.enabled && valMonitorNote) log(`There is no validation split, so early stopping watches the training ${monitor === 'loss' ? 'loss' : info.task !== 'classification' ? 'MAE' : 'accuracy'} instead of ${es.monitor}.`);

    // A resumed run: the best of the earlier epochs stands; its weights are at hand only when it is the last of them.
    for (const earlier of history) {
      const m = monitored(earlier, monitor, info.task);
      if (m && improves(m)) best = { epoch: earlier.epoch, value: m.value, weights: null };
    }
    if (best && best.epoch === startEpoch - 1 && es.enabled && es.restoreBest) {
      const b = best;
      b.weights = tf.tidy(() => model.weights.map((w) => w.read().clone()));
    } else if (best && es.enabled && es.restoreBest) {
      log(`The best epoch so far, ${best.epoch + 1}, was before the resume: its weights cannot be restored at the end unless a later epoch beats it.`);
    }

    const batching = batchingOf(model);
    const batchSize = checkFixedBatch(batching, cfg.batchSize, train.count, info.name) ?? Math.max(1, Math.min(cfg.batchSize, train.count));
    // A fixed batch: every batch full, so the last partial one is left out.
    const batchesPerEpoch = batching.fixed ? Math.floor(train.count / batchSize) : Math.ceil(train.count / batchSize);
    batchesInEpoch = batchesPerEpoch;
    if (batching.fixed) {
      const dropped = train.count - batchesPerEpoch * batchSize;
      log(
        `Batches of exactly ${batchSize} samples (the fixed batch size of ${listNames(batching.inputs)})${dropped > 0 ? `: the last ${dropped} training sample${dropped === 1 ? ' is' : 's are'} left out of every epoch` : ''}. Validation and test run in batches of ${batchSize} too; their last batch is filled up with copies of its last sample, whose predictions are not counted.`,
      );
    }
    if (batching.stateful) log('The network has stateful layers: training keeps the samples in order (no shuffling) and resets the states at the start of every epoch and before each validation and test.');
    const totalBatches = batchesPerEpoch * cfg.epochs;
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

    optimizer = opts.makeOptimizer?.(tf, cfg, learningRateAt(cfg, 0)) ?? makeOptimizer(tf, cfg, learningRateAt(cfg, 0));
    const opt = optimizer;
    const orderRand = mulberry32(batchOrderSeed(cfg.seed));
    const minGapMs = 1000 / BATCH_EVENTS_PER_SEC;
    // Values (regression, reconstruction) report their MAE where classes report accuracy.
    const regression = fit.outputs[0].target.task !== 'classification';

    let batchesDone = startEpoch * batchesPerEpoch;
    let trainMs = 0; // time in batches, excluding the very first (warm-up, kernel compilation)
    let samplesTimed = 0;
    let valMsPerEpoch = 0;
    let lastBatchEventAt = -Infinity;
    const speed = () => (trainMs > 0 ? (samplesTimed / trainMs) * 1000 : 0);
    const eta = (epochIndex: number, valDone: boolean): number | null => {
      const sps = speed();
      if (sps <= 0) return null;
      const remainingSamples = (totalBatches - batchesDone) * batchSize;
      const remainingVals = cfg.epochs - epochIndex - (valDone ? 1 : 0);
      return remainingSamples / sps + (remainingVals * valMsPerEpoch) / 1000;
    };

    /**
     * One optimization step; returns [total loss, sum of all trainable weights, then per output: metric sum,
     * mean loss, then (measureNorms) per layer: weight, gradient and step norms (layerNorms.ts)] as one tensor.
     */
    const step = (batch: Batch, lr: number, measureNorms: boolean): { stats: Tensor; kept: Tensor[] } => {
      const kept: Tensor[] = [];
      try {
        const stats = tf.tidy(() => {
          const { xs, ys } = fitTensors(tf, batch, fit);
          const sampleWeights = classWeights.map((w, j) => (w ? tf.gather(w, ys[j]) : null));
          const f = () => {
            const preds = applyModel(model, xs, true);
            const terms: Tensor[] = [];
            fit.outputs.forEach((o, j) => {
              const pred = preds[o.index];
              const perSample = perSampleLoss(tf, o.loss, pred, ys[j], o.target.numClasses, o.fromLogits);
              const w = sampleWeights[j];
              const mean = w ? tf.mean(tf.mul(perSample, w)) : tf.mean(perSample);
              const weighted = o.lossWeight === 1 ? mean : tf.mul(mean, o.lossWeight);
              terms.push(weighted);
              kept.push(tf.keep(metricSum(tf, o.loss, pred, ys[j], o.fromLogits, o.target.task !== 'classification')), tf.keep(tf.cast(mean, 'float32')));
            });
            let total = terms.length === 1 ? terms[0] : tf.addN(terms);
            const own = layerLosses(tf, model);
            if (own) total = tf.add(total, own);
            if (l1 > 0 && penalized.length > 0) total = tf.add(total, tf.mul(l1, tf.addN(penalized.map((v) => tf.sum(tf.abs(v))))));
            if (l2 > 0 && penalized.length > 0) total = tf.add(total, tf.mul(l2, tf.addN(penalized.map((v) => tf.sum(tf.square(v))))));
            return total as tfTypes.Scalar;
          };
          const { value, grads } = tf.variableGrads(f, vars);
          const before = measureNorms ? vars.map((v) => v.clone()) : [];
          let g = grads;
          if (clip.type === 'value') {
            g = {};
            for (const k of Object.keys(grads)) g[k] = tf.clipByValue(grads[k], -clip.value, clip.value);
          } else if (clip.type === 'norm') {
            const keys = Object.keys(grads);
            const norm = tf.sqrt(tf.addN(keys.map((k) => tf.sum(tf.square(grads[k])))));
            const scale = tf.div(clip.value, tf.maximum(norm, clip.value));
            g = {};
            for (const k of keys) g[k] = tf.mul(grads[k], scale);
          }
          opt.applyGradients(g);
          if (weightDecay > 0) {
            const keep = 1 - lr * weightDecay;
            for (const v of penalized) v.assign(tf.mul(v, keep));
          }
          const weightSum = tf.addN(vars.map((v) => tf.sum(v)));
          const norms = measureNorms ? normTensors(tf, groups, vars, grads, before) : [];
          return tf.stack([value, tf.cast(weightSum, 'float32'), ...kept, ...norms]);
        });
        return { stats, kept };
      } catch (e) {
        for (const t of kept) t.dispose();
        throw e;
      }
    };

    if (control.shouldStop()) throw new StopRequested();

    if (startEpoch > 0) {
      // The batch order of the epochs already trained, drawn and dropped, so each later epoch sees the order it would have seen.
      for (let e = 0; e < startEpoch; e++) shuffledIndices(train.count, orderRand);
      const state = opts.resume?.optimizer;
      if (state) await restoreOptimizerState(tf, opt, state);
      log(`Resuming at epoch ${startEpoch + 1}/${cfg.epochs} from the weights of epoch ${startEpoch}; ${state ? OPTIMIZER_RESTORED_NOTE : OPTIMIZER_STATE_NOTE}.`);
    }

    for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
      const lr = learningRateAt(cfg, epoch);
      setOptimizerLearningRate(opt, lr);
      // Stateful layers carry sample i of one batch into sample i of the next: the order is the data's own.
      const order = batching.stateful ? range(0, train.count) : shuffledIndices(train.count, orderRand);
      if (batching.stateful) model.resetStates();
      let lossSum = 0;
      /** Per output: metric sum, then loss sum (weighted by samples). */
      const outputSums = new Float64Array(fit.outputs.length * 2);
      let seen = 0;
      const epochStart = now();
      const batchIndices = (b: number) => order.subarray(b * batchSize, Math.min(train.count, (b + 1) * batchSize));
      // A read that fails while nobody awaits it (a stop in between) must not become an unhandled rejection.
      const fetchBatch = (b: number): Promise<Batch> => {
        const p = getBatch(train, batchIndices(b));
        p.catch(() => undefined);
        return p;
      };
      let pending = fetchBatch(0);

      for (let b = 0; b < batchesPerEpoch; b++) {
        // Pause between batches.
        if (control.isPaused) {
          if (control.isPaused() && !control.shouldStop()) {
            emit({ type: 'state', runId, state: 'paused' });
            log(`Paused in epoch ${epoch + 1} before batch ${b + 1}.`);
            await control.waitWhilePaused();
            if (control.shouldStop()) throw new StopRequested();
            emit({ type: 'state', runId, state: 'running' });
            log('Resumed.');
          }
        } else {
          await control.waitWhilePaused();
          if (control.shouldStop()) throw new StopRequested();
        }

        const batch = await pending;
        const n = batch.count;
        const bt = now();
        const measureNorms = opts.layerNorms !== false && measuresNorms(b, batchesPerEpoch);
        const { stats, kept } = step(batch, lr, measureNorms);
        // Fetch the next batch while this one's result is read back (overlaps I/O of streamed data).
        if (b + 1 < batchesPerEpoch) pending = fetchBatch(b + 1);
        let v: Float32Array | Int32Array | Uint8Array;
        try {
          v = await stats.data();
        } finally {
          stats.dispose();
          for (const t of kept) t.dispose();
        }
        const dt = now() - bt;
        if (batchesDone > 0 || totalBatches === 1) {
          trainMs += dt;
          samplesTimed += n;
        }
        batchesDone++;
        position = { epoch: epoch + 1, batch: b + 1 };
        const loss = v[0];
        const what = !Number.isFinite(loss) ? `the loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'}` : !Number.isFinite(v[1]) ? 'the weights became NaN or infinite' : null;
        if (what) {
          const firstBatch = batchesDone === 1 ? ' If this happens in the very first batch, also check the data for missing or infinite values.' : '';
          throw new Diverged(
            `Training diverged: ${what} in epoch ${epoch + 1}, batch ${b + 1}. Lower the learning rate (now ${fmtLr(lr)}), e.g. to ${fmtLr(lr / 10)}, and train again.${firstBatch}`,
          );
        }
        lossSum += loss * n;
        for (let j = 0; j < fit.outputs.length; j++) {
          outputSums[2 * j] += v[2 + 2 * j];
          outputSums[2 * j + 1] += v[3 + 2 * j] * n;
        }
        seen += n;
        if (measureNorms) emit({ type: 'norms', runId, epoch, batch: b, batchesPerEpoch, layers: layerNormsOf(groups, v, 2 + 2 * fit.outputs.length) });

        const stopping = control.shouldStop();
        const t = now();
        const lastOfEpoch = b === batchesPerEpoch - 1;
        if (lastOfEpoch || stopping || t - lastBatchEventAt >= minGapMs) {
          lastBatchEventAt = t;
          const batchOutputs = fit.outputs.map((o, j) => outputScores(o, v[3 + 2 * j] * n, v[2 + 2 * j], n));
          const batchMetric = batchOutputs[0].mae ?? batchOutputs[0].acc ?? 0;
          emit({
            type: 'batch',
            runId,
            epoch,
            batch: b,
            batchesPerEpoch,
            loss,
            acc: regression ? 0 : batchMetric,
            ...(regression ? { mae: batchMetric } : {}),
            ...(several ? { outputs: batchOutputs } : {}),
            samplesPerSec: speed() || (n / Math.max(dt, 1e-3)) * 1000,
            progress: batchesDone / totalBatches,
            etaSec: eta(epoch, false),
          });
        }
        if (stopping) throw new StopRequested();
      }

      const trainLoss = lossSum / seen;
      const trainOutputs = fit.outputs.map((o, j) => outputScores(o, outputSums[2 * j + 1], outputSums[2 * j], seen));
      const trainMetric = trainOutputs[0].mae ?? trainOutputs[0].acc ?? 0;
      const vt = now();
      const val = data.validation.count > 0 ? await scoreSplit(tf, model, data.validation, fit, info, () => control.shouldStop()) : null;
      valMsPerEpoch = now() - vt;
      const metrics: EpochMetrics = { epoch, loss: trainLoss, acc: regression ? 0 : trainMetric };
      if (regression) metrics.mae = trainMetric;
      if (val) {
        metrics.valLoss = val.loss;
        metrics.valAcc = val.acc;
        if (regression) metrics.valMae = val.mae;
      }
      if (several) {
        metrics.outputs = trainOutputs.map((t, j): OutputMetrics => {
          const m: OutputMetrics = { ...t };
          const vo = val?.outputs[j];
          if (vo) {
            m.valLoss = vo.loss;
            if (vo.acc !== undefined) m.valAcc = vo.acc;
            if (vo.mae !== undefined) m.valMae = vo.mae;
          }
          return m;
        });
      }
      metrics.learningRate = lr;
      history.push(metrics);
      epochsCompleted = epoch + 1;
      position = { epoch: epoch + 1, batch: 0 };

      // Best epoch by the monitored metric (also without early stopping: it marks the "best" checkpoint).
      const m = monitored(metrics, monitor, info.task);
      let isBest = false;
      if (m) {
        if (improves(m)) {
          isBest = true;
          if (best?.weights) for (const w of best.weights) w.dispose();
          const snapshot = es.enabled && es.restoreBest ? tf.tidy(() => model.weights.map((w) => w.read().clone())) : null;
          best = { epoch, value: m.value, weights: snapshot };
        }
      }

      emit({ type: 'epoch', runId, metrics, progress: batchesDone / totalBatches, etaSec: epoch + 1 === cfg.epochs ? 0 : eta(epoch, true) });
      const secs = (now() - epochStart) / 1000;
      log(
        `Epoch ${epoch + 1}/${cfg.epochs} took ${secs.toFixed(2)} s (${Math.round(speed())} samples/s training, validation ${Math.round(valMsPerEpoch)} ms, learning rate ${fmtLr(lr)}); tensors in memory: ${tf.memory().numTensors}.`,
      );
      const warning = warnedNotLearning ? null : notLearningWarning(metrics, info, lr);
      if (warning) {
        warnedNotLearning = true; // once a run: the person has been told
        log(warning);
      }
      if (opts.onEpochEnd) {
        try {
          await opts.onEpochEnd(epoch, metrics, isBest, opt);
        } catch (e) {
          log(`Could not save the checkpoint of epoch ${epoch + 1}: ${(e as Error).message}`);
        }
      }
      if (control.shouldStop()) throw new StopRequested();

      if (es.enabled && best && epoch - best.epoch >= es.patience && epoch + 1 < cfg.epochs) {
        stoppedEarly = true;
        log(
          `Early stopping after epoch ${epoch + 1}: ${monitor} has not improved${es.minDelta > 0 ? ` by more than ${es.minDelta}` : ''} for ${es.patience} epoch${es.patience === 1 ? '' : 's'} (best: epoch ${best.epoch + 1}, ${best.value.toPrecision(4)}).`,
        );
        break;
      }
    }
    restoreBest();
  } catch (e) {
    if (e instanceof StopRequested) {
      status = 'stopped';
      log(
        position.epoch > 0 || position.batch > 0
          ? position.batch > 0
            ? `Stopped in epoch ${position.epoch} after batch ${position.batch}; ${epochsCompleted} full epoch${epochsCompleted === 1 ? '' : 's'} completed.`
            : `Stopped after epoch ${position.epoch}.`
          : 'Stopped before training began.',
      );
      try {
        restoreBest();
      } catch (err) {
        log(`Could not restore the best weights: ${(err as Error).message}`);
      }
    } else {
      status = 'failed';
      error = e instanceof Diverged ? e.message : e instanceof Error && /^The network|has no training samples/.test(e.message) ? e.message : describeTrainingError(e);
    }
  } finally {
    optimizer?.dispose();
    for (const w of classWeights) w?.dispose();
    if (best?.weights) for (const w of best.weights) w.dispose();
  }

  const result: TrainingResult = { status, epochsCompleted, history };
  if (error !== undefined) result.error = error;
  if (status === 'stopped' && position.epoch > 0) result.stoppedAt = { epoch: position.epoch, batch: position.batch, batchesPerEpoch: batchesInEpoch };
  if (es.enabled && status !== 'failed' && epochsCompleted > 0) {
    result.stoppedEarly = stoppedEarly;
    const restored = es.restoreBest && best !== null && best.weights !== null;
    result.bestEpoch = restored ? best!.epoch : epochsCompleted - 1;
  }
  return result;
}
