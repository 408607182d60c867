import { describe, it, expect } from 'vitest';
import { listDatasets, mulberry32, openDataset, shuffledIndices, splitIndices } from '../../main/node/datasets';
import { loadMnist } from '../../main/node/datasets/mnist';
import { DEFAULT_DATASET, DatasetChoiceSchema } from '../../main/core/project';
import type { SplitData } from '../../main/core/training/types';

async function all(split: SplitData): Promise<{ x: Float32Array; y: Int32Array }> {
  const b = await split.getBatch(Array.from({ length: split.count }, (_, i) => i));
  return { x: b.x as Float32Array, y: b.y as Int32Array };
}

/** FNV-1a over the float bits of each sample: identifies samples across splits. */
function fingerprints(x: Float32Array, y: Int32Array, size = 784): string[] {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out: string[] = [];
  for (let i = 0; i < y.length; i++) {
    let h = 0x811c9dc5;
    for (let j = i * size; j < (i + 1) * size; j++) h = Math.imul(h ^ bits[j], 0x01000193) >>> 0;
    out.push(`${h}:${y[i]}`);
  }
  return out;
}

describe('datasets', () => {
  it('lists every built-in with availability', () => {
    const list = listDatasets();
    expect(list.map((d) => d.id)).toEqual(['mnist', 'fashion-mnist', 'cifar10', 'spirals', 'xor', 'circles', 'sine', 'reviews']);
    const mnist = list.find((d) => d.id === 'mnist')!;
    expect(mnist.inputShape).toEqual([28, 28, 1]);
    expect(mnist.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(mnist.totalSamples).toBe(10_000);
    const cifar = list.find((d) => d.id === 'cifar10')!;
    expect(cifar.available).toBe(false);
    expect(cifar.unavailableReason).toMatch(/Pick the folder with data_batch_1\.bin … test_batch\.bin \(the CIFAR-10 binary version\)/);
    expect(list.find((d) => d.id === 'sine')!.task).toBe('regression');
  });

  it('splits MNIST 8,000 / 1,000 / 1,000 with labels 0..9 and pixels 0..1, the same for the same seed', async () => {
    const d = await openDataset(DEFAULT_DATASET);
    expect(d.info.id).toBe('mnist');
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([8000, 1000, 1000]);
    expect(d.info.classCounts!.reduce((a, b) => a + b, 0)).toBe(10_000);
    const v = await all(d.validation);
    expect(v.x.length).toBe(1000 * 784);
    expect(v.x.reduce((m, p) => Math.max(m, p), 0)).toBeLessThanOrEqual(1);
    expect(new Set(v.y).size).toBe(10);
    expect(Array.from(d.validation.labels!)).toEqual(Array.from(v.y));
    const again = await openDataset({ ...DEFAULT_DATASET });
    const v2 = await all(again.validation);
    expect(fingerprints(v2.x, v2.y)).toEqual(fingerprints(v.x, v.y));
    const other = await openDataset({ ...DEFAULT_DATASET, splitSeed: 99 });
    const v3 = await all(other.validation);
    expect(fingerprints(v3.x, v3.y)).not.toEqual(fingerprints(v.x, v.y));
    const train = new Set(fingerprints(...(Object.values(await all(d.train)) as [Float32Array, Int32Array])));
    expect(fingerprints(v.x, v.y).filter((f) => train.has(f)).length).toBeLessThan(5);
  });

  it('honours the split fractions and keeps the MNIST digits cached', async () => {
    const d = await openDataset({ ...DEFAULT_DATASET, validationFraction: 0.2, testFraction: 0, splitSeed: 7 });
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([8000, 2000, 0]);
    expect(await loadMnist()).toBe(await loadMnist());
  });

  it('stratified split keeps the class proportions', () => {
    // 900 of class 0, 100 of class 1, in file order.
    const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : 1));
    const f = { validationFraction: 0.2, testFraction: 0.1, splitSeed: 3, stratify: true };
    const s = splitIndices(1000, f, labels, 2);
    const ones = (idx: Int32Array) => Array.from(idx).filter((i) => labels[i] === 1).length;
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([700, 200, 100]);
    expect([ones(s.train), ones(s.validation), ones(s.test)]).toEqual([70, 20, 10]);
    expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(1000);
    expect(splitIndices(1000, f, labels, 2)).toEqual(s);
    // Unstratified on a small minority class drifts; stratified never does.
    const u = splitIndices(1000, { ...f, stratify: false }, labels, 2);
    expect(u.test.length).toBe(100);
  });

  it('applies stratify through openDataset', async () => {
    const choice = DatasetChoiceSchema.parse({ ...DEFAULT_DATASET, stratify: true });
    const d = await openDataset(choice);
    const counts = (l: Int32Array) => Array.from({ length: 10 }, (_, c) => l.filter((v) => v === c).length);
    const total = d.info.classCounts!;
    counts(d.test.labels!).forEach((n, c) => expect(Math.abs(n - total[c] * 0.1)).toBeLessThanOrEqual(1));
  });

  it('has a deterministic seeded shuffle', () => {
    const a = shuffledIndices(100, mulberry32(5));
    expect(Array.from(a)).toEqual(Array.from(shuffledIndices(100, mulberry32(5))));
    expect(Array.from(a)).not.toEqual(Array.from(shuffledIndices(100, mulberry32(6))));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
