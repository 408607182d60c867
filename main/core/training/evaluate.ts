/**
 * Test-set evaluation of a trained model: predictions over the test split in chunks, turned into an
 * EvaluationReport by the pure metric functions of core/evaluation.ts, with a gallery of up to 48
 * test samples (misclassified first, then the least confident; regression: the largest errors first; reconstruction:
 * samples spread over the test split, each with its reconstruction).
 * Portable like loop.ts: no Node or DOM APIs.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { EvaluationReport, GalleryItem, OutputReport } from '../metrics';
import { probabilitiesFromLogits } from '../outputFit';
import { isImageShape } from '../datasets';
import { evaluateClassification, evaluateReconstruction, evaluateRegression, evenlySpaced, galleryOrder, predictClasses } from '../evaluation';
import type { Batch, TrainingData } from './types';
import { EVAL_CHUNK, applyModel, checkModelFitsData, chunkIndices, fitTensors, perSampleLoss, realRows, startEvaluation, type LossName, type ModelFit } from './loop';

type Tf = typeof tfTypes;

export const GALLERY_SIZE = 48;
/** Tabular and sequence samples show this many of their first input values. */
export const GALLERY_FEATURES = 16;

export interface EvaluateOptions {
  /** Checked between chunks; when it turns true the evaluation is abandoned (throws). */
  shouldStop?: () => boolean;
  gallerySize?: number;
}

function fmtValue(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}

async function getBatch(data: TrainingData['test'], indices: ArrayLike<number>): Promise<Batch> {
  const b = data.getBatch(indices);
  return b instanceof Promise ? await b : b;
}

/** The scale that makes an image sample's values bytes: values in 0..1 are scaled up, bytes stay. */
function pixelScale(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max <= 1.0001 ? 255 : 1;
}

/** The pixels of an image sample as bytes 0..255, by `scale` (a reconstruction takes its original's). */
function toPixels(values: ArrayLike<number>, scale = pixelScale(values)): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(values[i] * scale)));
  return out;
}

/**
 * Evaluates `model` on data.test. `fit` is the training's fit (checkModelFitsData, with its loss options), or for
 * a model with one output just the training loss (lossFor). The report's `loss` is the test mean of the training
 * loss (Σ loss weight · loss with several outputs; no class weights, no penalties); its other fields describe the
 * output of the data's first target, and `outputs` (several outputs) every output's own report. A from-logits
 * classifier's scores become probabilities (softmax / sigmoid) for the confidences and the ROC curve. Returns a
 * report with samples 0 when the test split is empty.
 */
export async function evaluateOnTest(tf: Tf, model: tfTypes.LayersModel, data: TrainingData, fitOrLoss: ModelFit | LossName, opts: EvaluateOptions = {}): Promise<EvaluationReport> {
  const info = data.info;
  const split = data.test;
  const n = split.count;
  let fit: ModelFit;
  if (typeof fitOrLoss === 'string') {
    const own = checkModelFitsData(model, info);
    fit = { ...own, loss: fitOrLoss, outputs: own.outputs.map((o, j) => (j === 0 ? { ...o, loss: fitOrLoss } : o)) };
  } else fit = fitOrLoss;
  const collected = fit.outputs.map((o) => {
    const regression = o.target.task !== 'classification';
    const width = regression ? Math.max(1, o.target.outputSize) : o.units;
    return { width, preds: new Float32Array(n * width), truths: regression ? new Float32Array(n * width) : new Int32Array(n), lossSum: 0 };
  });

  // A fixed batch (stateful layers): chunks of exactly that size, the last one padded (see chunkIndices).
  const fixed = startEvaluation(model);
  const chunk = fixed ?? EVAL_CHUNK;
  for (let start = 0; start < n; start += chunk) {
    if (opts.shouldStop?.()) throw new Error('evaluation stopped');
    const end = Math.min(n, start + chunk);
    const real = end - start;
    const batch = await getBatch(split, chunkIndices(start, end, fixed));
    const results = tf.tidy(() => {
      const { xs, ys } = fitTensors(tf, batch, fit);
      const preds = applyModel(model, xs, false).map((p) => realRows(tf, p, real));
      const truths = ys.map((y) => realRows(tf, y, real));
      return fit.outputs.flatMap((o, j) => [tf.cast(preds[o.index], 'float32'), tf.sum(perSampleLoss(tf, o.loss, preds[o.index], truths[j], o.target.numClasses, o.fromLogits))]);
    });
    const values = await Promise.all(results.map((t) => t.data()));
    for (const t of results) t.dispose();
    const targets = batch.ys ?? [batch.y];
    fit.outputs.forEach((o, j) => {
      const c = collected[j];
      c.preds.set(values[2 * j] as Float32Array, start * c.width);
      c.lossSum += values[2 * j + 1][0];
      const y = targets[o.part].subarray(0, real * (c.truths instanceof Int32Array ? 1 : c.width));
      if (c.truths instanceof Int32Array) c.truths.set(y instanceof Int32Array ? y : Int32Array.from(y), start);
      else c.truths.set(y instanceof Float32Array ? y : Float32Array.from(y), start * c.width);
    });
  }

  const reports: OutputReport[] = [];
  for (let j = 0; j < fit.outputs.length; j++) {
    const o = fit.outputs[j];
    const c = collected[j];
    if (o.fromLogits) probabilitiesFromLogits(c.preds, c.width);
    reports.push(await outputReport(o, c, split, info, n, opts));
  }
  const loss = fit.outputs.reduce((total, o, j) => total + o.lossWeight * reports[j].loss, 0);
  const { name: _name, ...first } = reports[0];
  const report: EvaluationReport = { ...first, loss };
  if (reports.length > 1) report.outputs = reports;
  return report;
}

/** One output's report: its metrics from predictions and truths, and its gallery. */
async function outputReport(
  o: ModelFit['outputs'][number],
  c: { width: number; preds: Float32Array; truths: Float32Array | Int32Array; lossSum: number },
  split: TrainingData['test'],
  info: TrainingData['info'],
  n: number,
  opts: EvaluateOptions,
): Promise<OutputReport> {
  const { width, preds } = c;
  const target = o.target;
  const report: OutputReport = { name: o.name, task: target.task, samples: n, loss: n > 0 ? c.lossSum / n : 0, gallery: [] };
  type Candidate = { index: number; correct: boolean; confidence?: number; error?: number; actual: string; predicted: string };
  const candidates: Candidate[] = [];

  if (target.task === 'reconstruction' && c.truths instanceof Float32Array) {
    report.reconstruction = evaluateReconstruction(c.truths, preds, width);
    report.gallery = reconstructionGallery(c.truths, preds, width, info.inputShape, report.reconstruction.mse, opts.gallerySize ?? GALLERY_SIZE);
    return report;
  }
  if (c.truths instanceof Int32Array) {
    const truths = c.truths;
    report.classification = evaluateClassification(truths, preds, target.numClasses, target.classNames);
    const { predicted, confidence } = predictClasses(preds, n, target.numClasses);
    const name = (k: number) => target.classNames[k] ?? String(k);
    for (let i = 0; i < n; i++) {
      candidates.push({ index: i, correct: predicted[i] === truths[i], confidence: confidence[i], actual: name(truths[i]), predicted: name(predicted[i]) });
    }
  } else {
    const truths = c.truths;
    report.regression = evaluateRegression(truths, preds);
    // "Correct" for a regression sample: its error is at most the test set's MAE (better than typical).
    const mae = report.regression.mae;
    for (let i = 0; i < n; i++) {
      let err = 0;
      for (let k = 0; k < width; k++) err += Math.abs(truths[i * width + k] - preds[i * width + k]);
      err /= width;
      const vals = (a: Float32Array) => Array.from(a.subarray(i * width, (i + 1) * width), fmtValue).join(', ');
      candidates.push({ index: i, correct: err <= mae, error: err, actual: vals(truths), predicted: vals(preds) });
    }
  }

  const chosen = galleryOrder(candidates, opts.gallerySize ?? GALLERY_SIZE);
  if (chosen.length > 0) {
    const samples = await getBatch(split, Int32Array.from(chosen, (k) => k.index));
    // The gallery shows the first input (the one the dataset's top-level fields describe).
    const xs = samples.xs?.[0] ?? samples.x;
    const size = xs.length / Math.max(1, samples.count);
    const shape = info.inputShape;
    const isImage = isImageShape(shape);
    report.gallery = chosen.map((k, j): GalleryItem => {
      const x = xs.subarray(j * size, (j + 1) * size);
      const item: GalleryItem = { index: k.index, actual: k.actual, predicted: k.predicted, correct: k.correct };
      if (k.confidence !== undefined) item.confidence = k.confidence;
      if (isImage) item.image = { height: shape[0], width: shape[1], channels: shape[2], pixels: toPixels(x) };
      else item.features = Array.from(x.subarray(0, GALLERY_FEATURES));
      return item;
    });
  }
  return report;
}

/**
 * Test samples spread over the split with their reconstructions: images as pixels (the reconstruction on its
 * original's scale), other data as their first values. The truths are the inputs, so no data is read again.
 * "Correct": the sample's error is at most the test set's MSE (better than typical), as for regression.
 */
function reconstructionGallery(truths: Float32Array, preds: Float32Array, width: number, shape: number[], mse: number, size: number): GalleryItem[] {
  const n = truths.length / width;
  const fmt = (v: number) => Number(v.toPrecision(3)).toString();
  return evenlySpaced(n, size).map((index): GalleryItem => {
    const original = truths.subarray(index * width, (index + 1) * width);
    const rebuilt = preds.subarray(index * width, (index + 1) * width);
    let squared = 0;
    for (let k = 0; k < width; k++) squared += (original[k] - rebuilt[k]) ** 2;
    const error = squared / width;
    const item: GalleryItem = { index, actual: 'input', predicted: `MSE ${fmt(error)}`, correct: error <= mse, error };
    if (isImageShape(shape)) {
      const [height, w, channels] = shape;
      const scale = pixelScale(original);
      item.image = { height, width: w, channels, pixels: toPixels(original, scale) };
      item.reconstruction = { height, width: w, channels, pixels: toPixels(rebuilt, scale) };
    } else {
      item.features = Array.from(original.subarray(0, GALLERY_FEATURES));
      item.actual = Array.from(original.subarray(0, 4), fmt).join(', ');
      item.predicted = Array.from(rebuilt.subarray(0, 4), fmt).join(', ');
    }
    return item;
  });
}

/** The `test` summary of a done event: loss, and accuracy (0 for regression). */
export function testSummary(report: EvaluationReport): { loss: number; acc: number } {
  return { loss: report.loss, acc: report.classification?.accuracy ?? 0 };
}
