import type { DatasetInfo } from '../../core/datasets';
import type { BuiltinData } from './builtin';
import { gaussian, mulberry32 } from './split';
import { generateReviews, reviewsInfo } from './reviews';

/**
 * Synthetic sets generated in code, the same samples every time for the same `samples` and `noise`
 * (the generator's seed is fixed; the train/validation/test split uses the project's split seed):
 * - spirals: 2-D points on 2 interleaved spiral arms (class = arm); `spiralArms(…, 3)` makes three.
 * - xor: 2-D points in [-1, 1]², class 1 where x·y < 0 (the quadrants of XOR).
 * - circles: an inner disc (class 0) inside an outer ring (class 1).
 * - sine: a noisy seasonal series (two sines); windows of SINE_WINDOW values → the next value (regression).
 * - reviews: short generated movie reviews (token ids, like a text CSV), positive or negative; see reviews.ts.
 * `noise` is the standard deviation of Gaussian noise added to the coordinates (or to the series); for reviews, the
 * chance of a neutral aside in each clause.
 */

export type SyntheticName = 'spirals' | 'xor' | 'circles' | 'sine' | 'reviews';
export const SINE_WINDOW = 24;
const GENERATOR_SEED = 0x5eed;

const base = { inputDType: 'float32' as const, available: true };

export function syntheticInfo(name: SyntheticName, samples = 2000, noise = 0.1): DatasetInfo {
  const n = samples.toLocaleString('en-US');
  switch (name) {
    case 'spirals':
      return { ...base, id: 'spirals', name: 'Spirals', description: `${n} 2-D points on two interleaved spiral arms (noise ${noise}).`, inputShape: [2], task: 'classification', numClasses: 2, classNames: ['arm 1', 'arm 2'], outputSize: 2, totalSamples: samples, featureNames: ['x', 'y'] };
    case 'xor':
      return { ...base, id: 'xor', name: 'XOR', description: `${n} 2-D points; the class is the sign of x·y (noise ${noise}).`, inputShape: [2], task: 'classification', numClasses: 2, classNames: ['same sign', 'opposite sign'], outputSize: 2, totalSamples: samples, featureNames: ['x', 'y'] };
    case 'circles':
      return { ...base, id: 'circles', name: 'Circles', description: `${n} 2-D points: a disc inside a ring (noise ${noise}).`, inputShape: [2], task: 'classification', numClasses: 2, classNames: ['inner', 'outer'], outputSize: 2, totalSamples: samples, featureNames: ['x', 'y'] };
    case 'reviews':
      return reviewsInfo(samples, noise);
    case 'sine':
      return { ...base, id: 'sine', name: 'Sine series', description: `A noisy seasonal series: ${n} windows of ${SINE_WINDOW} values → the next value (noise ${noise}); split in time order.`, inputShape: [SINE_WINDOW, 1], task: 'regression', numClasses: 0, classNames: [], outputSize: 1, totalSamples: samples, featureNames: ['value'] };
  }
}

/** Points on `arms` spiral arms, class = arm; balanced (sample i belongs to arm i mod arms). */
export function spiralArms(samples: number, noise: number, arms: number): { x: Float32Array; y: Int32Array } {
  const rand = mulberry32(GENERATOR_SEED);
  const g = gaussian(rand);
  const x = new Float32Array(samples * 2);
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const arm = i % arms;
    const t = rand(); // 0 at the centre, 1 at the outer end
    const r = 0.05 + t; // radius up to ~1
    const angle = t * 3 * Math.PI + (2 * Math.PI * arm) / arms;
    x[2 * i] = r * Math.cos(angle) + noise * g();
    x[2 * i + 1] = r * Math.sin(angle) + noise * g();
    y[i] = arm;
  }
  return { x, y };
}

export function generateSynthetic(name: SyntheticName, samples = 2000, noise = 0.1): BuiltinData {
  if (name === 'reviews') return generateReviews(samples, noise);
  const info = syntheticInfo(name, samples, noise);
  if (name === 'sine') {
    const rand = mulberry32(GENERATOR_SEED);
    const g = gaussian(rand);
    const len = samples + SINE_WINDOW;
    const series = new Float32Array(len);
    for (let t = 0; t < len; t++) series[t] = 0.7 * Math.sin((2 * Math.PI * t) / 25) + 0.3 * Math.sin((2 * Math.PI * t) / 100) + noise * g();
    const x = new Float32Array(samples * SINE_WINDOW);
    const y = new Float32Array(samples);
    for (let i = 0; i < samples; i++) {
      x.set(series.subarray(i, i + SINE_WINDOW), i * SINE_WINDOW);
      y[i] = series[i + SINE_WINDOW];
    }
    return { info, samples: { x, sampleSize: SINE_WINDOW, y, ySize: 1, count: samples }, chronological: true, series };
  }
  let out: { x: Float32Array; y: Int32Array };
  if (name === 'spirals') out = spiralArms(samples, noise, 2);
  else {
    const rand = mulberry32(GENERATOR_SEED);
    const g = gaussian(rand);
    const x = new Float32Array(samples * 2);
    const y = new Int32Array(samples);
    for (let i = 0; i < samples; i++) {
      let a: number;
      let b: number;
      let label: number;
      if (name === 'xor') {
        a = rand() * 2 - 1;
        b = rand() * 2 - 1;
        label = a * b < 0 ? 1 : 0;
      } else {
        label = i % 2;
        const r = label === 0 ? rand() * 0.5 : 0.8 + rand() * 0.2;
        const angle = rand() * 2 * Math.PI;
        a = r * Math.cos(angle);
        b = r * Math.sin(angle);
      }
      x[2 * i] = a + noise * g();
      x[2 * i + 1] = b + noise * g();
      y[i] = label;
    }
    out = { x, y };
  }
  return { info, samples: { x: out.x, sampleSize: 2, y: out.y, ySize: 1, count: samples } };
}
