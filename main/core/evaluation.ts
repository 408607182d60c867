/**
 * Test-set metrics, computed from plain arrays (no tfjs): the training worker (or anything else that
 * has predictions) hands in truths and model outputs and gets the numbers of an EvaluationReport.
 *
 * Conventions, chosen so that no field is ever NaN (a JSON NaN becomes null and breaks the UI):
 * - A ratio whose denominator is 0 is 0 (precision of a class never predicted, recall of a class with
 *   no test samples, accuracy of an empty test set, F1 when precision + recall is 0).
 * - Macro F1 averages the classes that occur in the truths or the predictions (as scikit-learn does
 *   by default); a class absent from both says nothing about the model and is left out.
 * - R² is 0 when the true values have no variance (all equal): there is nothing to explain, and 0 is
 *   "no better than predicting the mean". (scikit-learn would give 1 for a perfect fit of a constant.)
 */
import type { ClassificationReport, ClassMetrics, ReconstructionReport, RegressionReport, RocCurve } from './metrics';

/** ROC curves are thinned to at most this many points for display; the AUC is always computed from all. */
export const MAX_ROC_POINTS = 1000;

function ratio(num: number, den: number): number {
  return den > 0 ? num / den : 0;
}

/**
 * Width of one row of `probs`: numClasses (softmax), or 1 for a binary task with one sigmoid output
 * (the probability of class 1). Throws when the array does not fit either.
 */
export function probabilityWidth(n: number, probsLength: number, numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`numClasses must be a positive integer, not ${numClasses}.`);
  if (n === 0) {
    if (probsLength !== 0) throw new Error(`There are ${probsLength} probabilities but no samples.`);
    return numClasses;
  }
  if (probsLength === n * numClasses) return numClasses;
  if (numClasses === 2 && probsLength === n) return 1;
  throw new Error(
    `Expected ${n} × ${numClasses} probabilities${numClasses === 2 ? ` (or ${n} for one sigmoid output)` : ''}, got ${probsLength}.`,
  );
}

/**
 * The predicted class and its probability for every sample: argmax of each row (the lowest index wins
 * a tie), or for one sigmoid output class 1 when p ≥ 0.5 (confidence max(p, 1 − p)).
 */
export function predictClasses(probs: Float32Array, n: number, numClasses: number): { predicted: Int32Array; confidence: Float32Array } {
  const width = probabilityWidth(n, probs.length, numClasses);
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (width === 1) {
      const p = probs[i];
      const positive = p >= 0.5;
      predicted[i] = positive ? 1 : 0;
      confidence[i] = positive ? p : 1 - p;
      continue;
    }
    let best = 0;
    let bestP = -Infinity;
    for (let k = 0; k < width; k++) {
      const p = probs[i * width + k];
      // NaN never wins (p > NaN and NaN > p are both false).
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    predicted[i] = best;
    confidence[i] = Number.isFinite(bestP) ? bestP : 0;
  }
  return { predicted, confidence };
}

/**
 * Accuracy, confusion matrix (confusion[actual][predicted]), per-class precision / recall / F1 /
 * support, macro F1 and, for two classes, the ROC curve of class 1 (the second class name) with its AUC.
 */
export function evaluateClassification(yTrue: Int32Array, probs: Float32Array, numClasses: number, classNames: string[]): ClassificationReport {
  const n = yTrue.length;
  const width = probabilityWidth(n, probs.length, numClasses);
  const { predicted } = predictClasses(probs, n, numClasses);

  const confusion: number[][] = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const actual = yTrue[i];
    if (!Number.isInteger(actual) || actual < 0 || actual >= numClasses) {
      throw new Error(`Sample ${i} has label ${actual}, outside 0..${numClasses - 1}.`);
    }
    confusion[actual][predicted[i]]++;
    if (actual === predicted[i]) correct++;
  }

  const perClass: ClassMetrics[] = [];
  let f1Sum = 0;
  let f1Count = 0;
  for (let k = 0; k < numClasses; k++) {
    const tp = confusion[k][k];
    let support = 0;
    let predictedAs = 0;
    for (let j = 0; j < numClasses; j++) {
      support += confusion[k][j];
      predictedAs += confusion[j][k];
    }
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    perClass.push({ precision, recall, f1, support });
    if (support > 0 || predictedAs > 0) {
      f1Sum += f1;
      f1Count++;
    }
  }

  const names = Array.from({ length: numClasses }, (_, k) => classNames[k] ?? `class ${k}`);
  const report: ClassificationReport = {
    accuracy: ratio(correct, n),
    classNames: names,
    confusion,
    perClass,
    macroF1: ratio(f1Sum, f1Count),
  };

  if (numClasses === 2) {
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) scores[i] = width === 1 ? probs[i] : probs[i * 2 + 1];
    const positives = new Uint8Array(n);
    for (let i = 0; i < n; i++) positives[i] = yTrue[i] === 1 ? 1 : 0;
    const roc = rocCurve(positives, scores);
    if (roc) report.roc = roc;
  }
  return report;
}

/**
 * ROC curve of scores against binary truths (1 = positive). Samples are sorted by descending score
 * and samples with equal scores are taken as one step, so ties give a diagonal segment (AUC counts a
 * tied positive/negative pair as one half) and the result does not depend on the input order.
 * AUC by the trapezoid rule. NaN scores rank lowest. Undefined (returns null) when the truths hold
 * only positives or only negatives.
 */
export function rocCurve(positives: ArrayLike<number>, scores: ArrayLike<number>, maxPoints = MAX_ROC_POINTS): RocCurve | null {
  const n = positives.length;
  if (scores.length !== n) throw new Error(`rocCurve: ${n} truths but ${scores.length} scores.`);
  let P = 0;
  for (let i = 0; i < n; i++) if (positives[i]) P++;
  const N = n - P;
  if (P === 0 || N === 0) return null;

  const score = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  // Compare rather than subtract: -Infinity - -Infinity is NaN, which breaks a sort.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    return sa === sb ? 0 : sa > sb ? -1 : 1;
  });

  const points: { fpr: number; tpr: number }[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let i = 0; i < n; ) {
    const s = score(order[i]);
    let j = i;
    while (j < n && score(order[j]) === s) {
      if (positives[order[j]]) tp++;
      else fp++;
      j++;
    }
    const prev = points[points.length - 1];
    const next = { fpr: fp / N, tpr: tp / P };
    auc += ((next.fpr - prev.fpr) * (next.tpr + prev.tpr)) / 2;
    points.push(next);
    i = j;
  }
  return { points: thinRoc(points, maxPoints), auc: Math.min(1, Math.max(0, auc)) };
}

/** Drops points in the middle of straight segments (exact), then, if still too many, keeps evenly spaced ones. */
function thinRoc(points: { fpr: number; tpr: number }[], maxPoints: number): { fpr: number; tpr: number }[] {
  const kept: { fpr: number; tpr: number }[] = [];
  for (const p of points) {
    if (kept.length >= 2) {
      const a = kept[kept.length - 2];
      const b = kept[kept.length - 1];
      const cross = (b.fpr - a.fpr) * (p.tpr - a.tpr) - (b.tpr - a.tpr) * (p.fpr - a.fpr);
      if (Math.abs(cross) < 1e-12) kept.pop();
    }
    kept.push(p);
  }
  const limit = Math.max(2, Math.floor(maxPoints));
  if (kept.length <= limit) return kept;
  const out: { fpr: number; tpr: number }[] = [];
  for (let k = 0; k < limit; k++) out.push(kept[Math.round((k * (kept.length - 1)) / (limit - 1))]);
  return out;
}

/** Mean absolute error, root mean squared error and R² (0 when the true values have no variance). */
export function evaluateRegression(yTrue: Float32Array, yPred: Float32Array): RegressionReport {
  const n = yTrue.length;
  if (yPred.length !== n) throw new Error(`evaluateRegression: ${n} true values but ${yPred.length} predictions.`);
  if (n === 0) return { mae: 0, rmse: 0, r2: 0 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let absSum = 0;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i] - yPred[i];
    absSum += Math.abs(e);
    ssRes += e * e;
    const d = yTrue[i] - mean;
    ssTot += d * d;
  }
  return { mae: absSum / n, rmse: Math.sqrt(ssRes / n), r2: ssTot > 0 ? 1 - ssRes / ssTot : 0 };
}

export interface GalleryCandidate {
  /** Index of the sample in the test split; the last tie-breaker (lowest first). */
  index: number;
  correct: boolean;
  /** Probability of the predicted class (classification). */
  confidence?: number;
  /** Size of the error (regression); larger first. */
  error?: number;
}

/**
 * The order in which test samples are shown: misclassified first, then the least confident (for
 * regression, where there is no confidence: the largest error first), then by index. Returns a sorted
 * copy, at most `limit` items.
 */
export function galleryOrder<T extends GalleryCandidate>(items: readonly T[], limit = Infinity): T[] {
  const conf = (x: T) => (x.confidence === undefined || Number.isNaN(x.confidence) ? Infinity : x.confidence);
  const err = (x: T) => (x.error === undefined || Number.isNaN(x.error) ? -Infinity : x.error);
  const sorted = [...items].sort((a, b) => {
    if (a.correct !== b.correct) return a.correct ? 1 : -1;
    const ca = conf(a);
    const cb = conf(b);
    if (ca !== cb) return ca < cb ? -1 : 1;
    const ea = err(a);
    const eb = err(b);
    if (ea !== eb) return ea > eb ? -1 : 1;
    return a.index - b.index;
  });
  return sorted.slice(0, Math.max(0, limit));
}

/** PSNR of a perfect reconstruction (MSE 0), where the formula gives infinity (JSON has no infinity). */
export const MAX_PSNR_DB = 100;

/**
 * How well samples were given back (an autoencoder; `width` values per sample): mean squared and absolute error per
 * value, PSNR in dB with the true values' range as the peak (1 for pixels in 0..1; at most MAX_PSNR_DB), and the MSE
 * of always answering the mean test sample, which a model that learned nothing about each sample would reach.
 */
export function evaluateReconstruction(yTrue: Float32Array, yPred: Float32Array, width: number): ReconstructionReport {
  const total = yTrue.length;
  if (yPred.length !== total) throw new Error(`evaluateReconstruction: ${total} true values but ${yPred.length} reconstructed.`);
  if (!Number.isInteger(width) || width < 1 || total % width !== 0) throw new Error(`evaluateReconstruction: ${total} values are not samples of ${width}.`);
  if (total === 0) return { mse: 0, mae: 0, psnr: 0, baselineMse: 0 };
  const n = total / width;
  const mean = new Float64Array(width);
  let min = Infinity;
  let max = -Infinity;
  let squared = 0;
  let absolute = 0;
  for (let i = 0; i < total; i++) {
    const t = yTrue[i];
    const e = t - yPred[i];
    squared += e * e;
    absolute += Math.abs(e);
    mean[i % width] += t / n;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  let baseline = 0;
  for (let i = 0; i < total; i++) baseline += (yTrue[i] - mean[i % width]) ** 2;
  const mse = squared / total;
  const peak = max > min ? max - min : 1;
  const psnr = mse > 0 ? Math.min(MAX_PSNR_DB, 10 * Math.log10((peak * peak) / mse)) : MAX_PSNR_DB;
  return { mse, mae: absolute / total, psnr: Number.isFinite(psnr) ? psnr : 0, baselineMse: baseline / total };
}

/** `count` sample indices of 0..n-1 spread evenly (the reconstructions shown: typical samples, not only the worst). */
export function evenlySpaced(n: number, count: number): number[] {
  const k = Math.max(0, Math.min(n, Math.floor(count)));
  return Array.from({ length: k }, (_, j) => Math.floor((j * n) / k));
}
