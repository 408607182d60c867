import { describe, it, expect } from 'vitest';
import { listDatasets, loadDataset, mulberry32, shuffledIndices, type Split } from '../../main/node/datasets';
import { loadMnistRaw } from '../../main/node/datasets/mnist';
import { DEFAULT_DATASET } from '../../main/core/project';

/** FNV-1a over the float bits of each sample: identifies samples across splits. */
function fingerprints(split: Split, size = 784): string[] {
  const bits = new Uint32Array(split.x.buffer, split.x.byteOffset, split.x.length);
  const out: string[] = [];
  for (let i = 0; i < split.count; i++) {
    let h = 0x811c9dc5;
    for (let j = i * size; j < (i + 1) * size; j++) h = Math.imul(h ^ bits[j], 0x01000193) >>> 0;
    out.push(`${h}:${split.labels[i]}`);
  }
  return out;
}

describe('datasets', () => {
  it('lists MNIST with its shape and classes', () => {
    const mnist = listDatasets().find((d) => d.id === 'mnist');
    expect(mnist).toBeDefined();
    expect(mnist!.inputShape).toEqual([28, 28, 1]);
    expect(mnist!.numClasses).toBe(10);
    expect(mnist!.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(mnist!.totalSamples).toBe(10_000);
    expect(mnist!.task).toBe('classification');
  });

  it('splits 10,000 digits into 8,000 / 1,000 / 1,000 with labels 0..9 and pixels 0..1', async () => {
    const d = await loadDataset(DEFAULT_DATASET);
    expect(d.info.id).toBe('mnist');
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([8000, 1000, 1000]);
    for (const s of [d.train, d.validation, d.test]) {
      expect(s.x.length).toBe(s.count * 784);
      expect(s.labels.length).toBe(s.count);
      let min = Infinity;
      let max = -Infinity;
      for (const l of s.labels) {
        min = Math.min(min, l);
        max = Math.max(max, l);
      }
      expect(min).toBe(0);
      expect(max).toBe(9);
    }
    let pmin = Infinity;
    let pmax = -Infinity;
    for (const v of d.validation.x) {
      pmin = Math.min(pmin, v);
      pmax = Math.max(pmax, v);
    }
    expect(pmin).toBeGreaterThanOrEqual(0);
    expect(pmax).toBeLessThanOrEqual(1);
    expect(pmax).toBeGreaterThan(0.5);
    // Every class is present in every split (a shuffled split, not the file order).
    for (const s of [d.train, d.validation, d.test]) expect(new Set(s.labels).size).toBe(10);
  });

  it('gives the same split for the same seed, and the splits do not overlap', async () => {
    const a = await loadDataset(DEFAULT_DATASET);
    const b = await loadDataset({ ...DEFAULT_DATASET });
    expect(Array.from(a.test.labels)).toEqual(Array.from(b.test.labels));
    expect(Array.from(a.train.labels)).toEqual(Array.from(b.train.labels));
    expect(fingerprints(a.validation)).toEqual(fingerprints(b.validation));
    const train = new Set(fingerprints(a.train));
    const overlap = fingerprints(a.test).filter((f) => train.has(f)).length + fingerprints(a.validation).filter((f) => train.has(f)).length;
    // MNIST has a handful of exact duplicate images; a wrong split would overlap by hundreds.
    expect(overlap).toBeLessThan(5);
  });

  it('gives a different split for a different seed', async () => {
    const a = await loadDataset(DEFAULT_DATASET);
    const c = await loadDataset({ ...DEFAULT_DATASET, splitSeed: DEFAULT_DATASET.splitSeed + 1 });
    expect(c.test.count).toBe(a.test.count);
    expect(fingerprints(c.test)).not.toEqual(fingerprints(a.test));
    const aTest = new Set(fingerprints(a.test));
    // Two independent 10 % samples share about 10 % of their members, nowhere near all.
    expect(fingerprints(c.test).filter((f) => aTest.has(f)).length).toBeLessThan(300);
  });

  it('honours the fractions', async () => {
    const d = await loadDataset({ ...DEFAULT_DATASET, validationFraction: 0.2, testFraction: 0, splitSeed: 7 });
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([8000, 2000, 0]);
    expect(d.test.x.length).toBe(0);
  });

  it('keeps the digits cached after the first load', async () => {
    const first = await loadMnistRaw();
    const second = await loadMnistRaw();
    expect(second).toBe(first);
    expect(first.count).toBe(10_000);
  });

  it('names the unknown id and lists the known ones', async () => {
    await expect(loadDataset({ ...DEFAULT_DATASET, source: { type: 'images', path: '/no-such-set', width: 28, height: 28, channels: 1 } })).rejects.toThrow(/Unknown dataset "images:\/no-such-set".*mnist/);
  });

  it('has a deterministic seeded shuffle', () => {
    const a = shuffledIndices(100, mulberry32(5));
    const b = shuffledIndices(100, mulberry32(5));
    const c = shuffledIndices(100, mulberry32(6));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
