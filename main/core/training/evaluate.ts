/**
 * Test-set evaluation of a trained model: predictions over the test split in chunks, turned into an
 * EvaluationReport by the pure metric functions of core/evaluation.ts, with a gallery of up to 48
 * test samples (misclassified first, then the least confident; regression: the largest errors first).
 * Portable like loop.ts: no Node or DOM APIs.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { EvaluationReport, GalleryItem } from '../metrics';
import { evaluateClassification, evaluateRegression, galleryOrder, predictClasses } from '../evaluation';
import type { Batch, TrainingData } from './types';
import { EVAL_CHUNK, batchTensors, checkModelFitsData, perSampleLoss, type LossName } from './loop';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

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

/** The pixels of an image sample as bytes 0..255 (values in 0..1 are scaled up). */
function toPixels(values: ArrayLike<number>): number[] {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  const scale = max <= 1.0001 ? 255 : 1;
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(values[i] * scale)));
  return out;
}

/**
 * Evaluates `model` on data.test. `loss` is the training loss (lossFor); the report's `loss` is its mean
 * over the test samples (no class weights, no penalties). Returns a report with samples 0 when the test
 * split is empty.
 */
export async function evaluateOnTest(tf: Tf, model: tfTypes.LayersModel, data: TrainingData, loss: LossName, opts: EvaluateOptions = {}): Promise<EvaluationReport> {
  const info = data.info;
  const split = data.test;
  const n = split.count;
  const fit = checkModelFitsData(model, info);
  const regression = info.task === 'regression';
  const width = regression ? Math.max(1, info.outputSize) : fit.outputUnits;
  const preds = new Float32Array(n * width);
  const truthsCls = regression ? null : new Int32Array(n);
  const truthsReg = regression ? new Float32Array(n * width) : null;
  let lossSum = 0;

  for (let start = 0; start < n; start += EVAL_CHUNK) {
    if (opts.shouldStop?.()) throw new Error('evaluation stopped');
    const end = Math.min(n, start + EVAL_CHUNK);
    const idx = new Int32Array(end - start);
    for (let i = 0; i < idx.length; i++) idx[i] = start + i;
    const batch = await getBatch(split, idx);
    const [p, l] = tf.tidy(() => {
      const { x, y } = batchTensors(tf, batch, fit.inputShape, info.outputSize, info.task);
      const pred = model.apply(x, { training: false }) as Tensor;
      return [tf.cast(pred, 'float32'), tf.sum(perSampleLoss(tf, loss, pred, y, info.numClasses))];
    });
    const [pv, lv] = await Promise.all([p.data(), l.data()]);
    p.dispose();
    l.dispose();
    preds.set(pv as Float32Array, start * width);
    lossSum += lv[0];
    if (truthsCls) truthsCls.set(batch.y instanceof Int32Array ? batch.y : Int32Array.from(batch.y), start);
    if (truthsReg) truthsReg.set(batch.y instanceof Float32Array ? batch.y : Float32Array.from(batch.y), start * width);
  }

  const report: EvaluationReport = { task: info.task, samples: n, loss: n > 0 ? lossSum / n : 0, gallery: [] };
  type Candidate = { index: number; correct: boolean; confidence?: number; error?: number; actual: string; predicted: string };
  const candidates: Candidate[] = [];

  if (truthsCls) {
    report.classification = evaluateClassification(truthsCls, preds, info.numClasses, info.classNames);
    const { predicted, confidence } = predictClasses(preds, n, info.numClasses);
    const name = (c: number) => info.classNames[c] ?? String(c);
    for (let i = 0; i < n; i++) {
      candidates.push({ index: i, correct: predicted[i] === truthsCls[i], confidence: confidence[i], actual: name(truthsCls[i]), predicted: name(predicted[i]) });
    }
  } else if (truthsReg) {
    report.regression = evaluateRegression(truthsReg, preds);
    // "Correct" for a regression sample: its error is at most the test set's MAE (better than typical).
    const mae = report.regression.mae;
    for (let i = 0; i < n; i++) {
      let err = 0;
      for (let k = 0; k < width; k++) err += Math.abs(truthsReg[i * width + k] - preds[i * width + k]);
      err /= width;
      const vals = (a: Float32Array) => Array.from(a.subarray(i * width, (i + 1) * width), fmtValue).join(', ');
      candidates.push({ index: i, correct: err <= mae, error: err, actual: vals(truthsReg), predicted: vals(preds) });
    }
  }

  const chosen = galleryOrder(candidates, opts.gallerySize ?? GALLERY_SIZE);
  if (chosen.length > 0) {
    const samples = await getBatch(split, Int32Array.from(chosen, (c) => c.index));
    const size = samples.x.length / Math.max(1, samples.count);
    const shape = info.inputShape;
    const isImage = shape.length === 3 && (shape[2] === 1 || shape[2] === 3);
    report.gallery = chosen.map((c, j): GalleryItem => {
      const x = samples.x.subarray(j * size, (j + 1) * size);
      const item: GalleryItem = { index: c.index, actual: c.actual, predicted: c.predicted, correct: c.correct };
      if (c.confidence !== undefined) item.confidence = c.confidence;
      if (isImage) item.image = { height: shape[0], width: shape[1], channels: shape[2], pixels: toPixels(x) };
      else item.features = Array.from(x.subarray(0, GALLERY_FEATURES));
      return item;
    });
  }
  return report;
}

/** The `test` summary of a done event: loss, and accuracy (0 for regression). */
export function testSummary(report: EvaluationReport): { loss: number; acc: number } {
  return { loss: report.loss, acc: report.classification?.accuracy ?? 0 };
}
