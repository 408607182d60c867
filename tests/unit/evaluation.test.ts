import { describe, it, expect } from 'vitest';
import { evaluateClassification, evaluateRegression, galleryOrder, predictClasses, rocCurve } from '../../main/core/evaluation';

/** One softmax-like row per sample: 0.6 on the predicted class, the rest shared equally. */
function probsFor(predicted: number[], numClasses: number): Float32Array {
  const out = new Float32Array(predicted.length * numClasses);
  predicted.forEach((p, i) => {
    for (let k = 0; k < numClasses; k++) out[i * numClasses + k] = k === p ? 0.6 : 0.4 / (numClasses - 1);
  });
  return out;
}

function noNaN(x: unknown): void {
  JSON.stringify(x, (_k, v) => {
    if (typeof v === 'number') expect(Number.isFinite(v), `non-finite number in ${JSON.stringify(x)}`).toBe(true);
    return v as unknown;
  });
}

describe('evaluateClassification', () => {
  // 10 samples, 3 classes, computed by hand:
  //   actual→predicted: 0→0, 0→0, 0→1, 0→2, 1→1, 1→1, 1→0, 2→2, 2→1, 2→2
  //   confusion rows (actual): A [2,1,1], B [1,2,0], C [0,1,2]; column sums 3, 4, 3
  //   precision A 2/3, B 2/4, C 2/3; recall A 2/4, B 2/3, C 2/3
  //   F1 A = B = 2·(2/3·1/2)/(2/3+1/2) = 4/7, C = 2/3; macro F1 = (4/7 + 4/7 + 2/3)/3 = 38/63
  const actual = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
  const predicted = [0, 0, 1, 2, 1, 1, 0, 2, 1, 2];

  it('computes accuracy, the confusion matrix and per-class metrics of a hand-made 3-class case', () => {
    const r = evaluateClassification(Int32Array.from(actual), probsFor(predicted, 3), 3, ['A', 'B', 'C']);
    expect(r.classNames).toEqual(['A', 'B', 'C']);
    expect(r.accuracy).toBeCloseTo(0.6, 12);
    expect(r.confusion).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(r.perClass.map((c) => c.support)).toEqual([4, 3, 3]);
    const expected = [
      { precision: 2 / 3, recall: 1 / 2, f1: 4 / 7 },
      { precision: 1 / 2, recall: 2 / 3, f1: 4 / 7 },
      { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3 },
    ];
    expected.forEach((e, k) => {
      expect(r.perClass[k].precision).toBeCloseTo(e.precision, 12);
      expect(r.perClass[k].recall).toBeCloseTo(e.recall, 12);
      expect(r.perClass[k].f1).toBeCloseTo(e.f1, 12);
    });
    expect(r.macroF1).toBeCloseTo(38 / 63, 12);
    expect(r.roc).toBeUndefined();
    noNaN(r);
  });

  it('gives 0, never NaN, for classes with no samples and no predictions', () => {
    // Class 2 ("C") never occurs and is never predicted; class 1 occurs but is never predicted.
    const r = evaluateClassification(Int32Array.from([0, 0, 1]), probsFor([0, 0, 0], 3), 3, ['A', 'B', 'C']);
    expect(r.confusion).toEqual([
      [2, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.perClass[0].precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[0].recall).toBe(1);
    // Macro F1 over the classes that occur (A and B): (0.8 + 0) / 2.
    expect(r.macroF1).toBeCloseTo(0.4, 12);
    noNaN(r);

    const empty = evaluateClassification(new Int32Array(0), new Float32Array(0), 2, ['no', 'yes']);
    expect(empty).toMatchObject({ accuracy: 0, macroF1: 0, confusion: [[0, 0], [0, 0]] });
    expect(empty.roc).toBeUndefined();
    noNaN(empty);
  });

  it('names missing classes and refuses labels or probabilities that do not fit', () => {
    expect(evaluateClassification(Int32Array.from([0, 1]), probsFor([0, 1], 2), 2, ['only']).classNames).toEqual(['only', 'class 1']);
    expect(() => evaluateClassification(Int32Array.from([0, 3]), probsFor([0, 1], 3), 3, [])).toThrow(/label 3/);
    expect(() => evaluateClassification(Int32Array.from([0, 1]), new Float32Array(5), 3, [])).toThrow(/Expected 2 × 3/);
  });

  it('reads one sigmoid output per sample as the probability of class 1', () => {
    const probs = Float32Array.from([0.9, 0.2, 0.5, 0.4]);
    expect(Array.from(predictClasses(probs, 4, 2).predicted)).toEqual([1, 0, 1, 0]);
    const r = evaluateClassification(Int32Array.from([1, 0, 0, 1]), probs, 2, ['neg', 'pos']);
    expect(r.confusion).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(r.accuracy).toBe(0.5);
    expect(r.roc).toBeDefined();
  });
});

describe('ROC and AUC (binary)', () => {
  const labels = [1, 1, 1, 0, 0, 0];

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    const perfect = evaluateClassification(Int32Array.from(labels), Float32Array.from([0.9, 0.8, 0.7, 0.3, 0.2, 0.1]), 2, ['neg', 'pos']);
    expect(perfect.roc!.auc).toBe(1);
    expect(perfect.roc!.points).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
    const reversed = evaluateClassification(Int32Array.from(labels), Float32Array.from([0.1, 0.2, 0.3, 0.7, 0.8, 0.9]), 2, ['neg', 'pos']);
    expect(reversed.roc!.auc).toBe(0);
  });

  it('is 0.5 when every score is tied, whatever the order of the samples', () => {
    for (const order of [labels, [0, 0, 0, 1, 1, 1], [1, 0, 1, 0, 1, 0]]) {
      const r = evaluateClassification(Int32Array.from(order), new Float32Array(6).fill(0.5), 2, ['neg', 'pos']);
      expect(r.roc!.auc).toBe(0.5);
      expect(r.roc!.points).toEqual([
        { fpr: 0, tpr: 0 },
        { fpr: 1, tpr: 1 },
      ]);
    }
  });

  it('matches a hand-computed case with a tie, from softmax or sigmoid outputs', () => {
    // positives score 0.9, 0.6, 0.4; negatives 0.8, 0.6, 0.2.
    // Pairs won by the positive: 0.9 → 3; 0.6 → 1 + ½ (the tie); 0.4 → 1: AUC = 5.5 / 9 = 11/18.
    // Steps by descending score: 0.9 P, 0.8 N, 0.6 P+N (one diagonal step), 0.4 P, 0.2 N.
    const y = Int32Array.from([1, 0, 1, 0, 1, 0]);
    const p1 = [0.9, 0.8, 0.6, 0.6, 0.4, 0.2];
    const sigmoid = evaluateClassification(y, Float32Array.from(p1), 2, ['neg', 'pos']);
    const softmax = evaluateClassification(y, Float32Array.from(p1.flatMap((p) => [1 - p, p])), 2, ['neg', 'pos']);
    for (const r of [sigmoid, softmax]) {
      expect(r.roc!.auc).toBeCloseTo(11 / 18, 6);
      const pts = r.roc!.points;
      const want = [
        [0, 0],
        [0, 1 / 3],
        [1 / 3, 1 / 3],
        [2 / 3, 2 / 3],
        [2 / 3, 1],
        [1, 1],
      ];
      expect(pts).toHaveLength(want.length);
      pts.forEach((pt, i) => {
        expect(pt.fpr).toBeCloseTo(want[i][0], 12);
        expect(pt.tpr).toBeCloseTo(want[i][1], 12);
      });
    }
  });

  it('is left out when the test set has only one class, and thins long curves without changing the AUC', () => {
    expect(evaluateClassification(Int32Array.from([1, 1]), Float32Array.from([0.3, 0.7]), 2, ['neg', 'pos']).roc).toBeUndefined();
    expect(rocCurve([1, 1], [0.3, 0.7])).toBeNull();

    const n = 5000;
    const pos: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      pos.push(i % 2);
      scores.push((i % 2) * 0.3 + ((i * 7919) % 1000) / 1000);
    }
    const full = rocCurve(pos, scores, Infinity)!;
    const thin = rocCurve(pos, scores, 100)!;
    expect(thin.points.length).toBeLessThanOrEqual(100);
    expect(thin.points[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(thin.points[thin.points.length - 1]).toEqual({ fpr: 1, tpr: 1 });
    expect(thin.auc).toBe(full.auc);
    noNaN(thin);
  });
});

describe('evaluateRegression', () => {
  it('computes MAE, RMSE and R² of a hand-computed case', () => {
    // errors -0.5, 0, 1, -1: MAE 2.5/4; MSE 2.25/4 → RMSE 0.75; mean 2.5, SStot 5 → R² = 1 − 2.25/5 = 0.55
    const r = evaluateRegression(Float32Array.from([1, 2, 3, 4]), Float32Array.from([1.5, 2, 2, 5]));
    expect(r.mae).toBeCloseTo(0.625, 6);
    expect(r.rmse).toBeCloseTo(0.75, 6);
    expect(r.r2).toBeCloseTo(0.55, 6);
  });

  it('gives R² = 0 (not NaN) when the true values have no variance, and zeros for no samples', () => {
    expect(evaluateRegression(Float32Array.from([3, 3, 3]), Float32Array.from([3, 3, 3]))).toEqual({ mae: 0, rmse: 0, r2: 0 });
    const off = evaluateRegression(Float32Array.from([3, 3]), Float32Array.from([2, 4]));
    expect(off).toEqual({ mae: 1, rmse: 1, r2: 0 });
    expect(evaluateRegression(new Float32Array(0), new Float32Array(0))).toEqual({ mae: 0, rmse: 0, r2: 0 });
    expect(() => evaluateRegression(new Float32Array(2), new Float32Array(3))).toThrow(/2 true values but 3/);
  });
});

describe('galleryOrder', () => {
  it('puts misclassified samples first, then the least confident, then by index', () => {
    const items = [
      { index: 0, correct: true, confidence: 0.99 },
      { index: 1, correct: false, confidence: 0.9 },
      { index: 2, correct: true, confidence: 0.51 },
      { index: 3, correct: false, confidence: 0.4 },
      { index: 4, correct: true, confidence: 0.51 },
      { index: 5, correct: true, confidence: 0.7 },
    ];
    expect(galleryOrder(items).map((x) => x.index)).toEqual([3, 1, 2, 4, 5, 0]);
    expect(galleryOrder(items, 3).map((x) => x.index)).toEqual([3, 1, 2]);
    expect(items.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]); // not sorted in place
  });

  it('orders regression samples by largest error', () => {
    const items = [
      { index: 0, correct: true, error: 0.1 },
      { index: 1, correct: true, error: 2 },
      { index: 2, correct: true, error: 0.5 },
    ];
    expect(galleryOrder(items).map((x) => x.index)).toEqual([1, 2, 0]);
  });
});
