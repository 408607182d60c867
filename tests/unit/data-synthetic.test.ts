import { describe, it, expect } from 'vitest';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { spiralArms } from '../../main/node/datasets/synthetic';
import { DatasetChoiceSchema } from '../../main/core/project';

const choice = (name: string, extra: Record<string, unknown> = {}) =>
  DatasetChoiceSchema.parse({ source: { type: 'builtin', name, samples: 500, noise: 0.05, ...extra }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 9 });

describe('synthetic sets', () => {
  it.each(['spirals', 'xor', 'circles'])('%s: 2-D points, 2 balanced-ish classes, seeded', async (name) => {
    const a = await openDataset(choice(name));
    expect(a.info.inputShape).toEqual([2]);
    expect(a.info.numClasses).toBe(2);
    expect(a.train.count + a.validation.count + a.test.count).toBe(500);
    const counts = a.info.classCounts!;
    expect(Math.min(...counts)).toBeGreaterThan(150);
    const b = await openDataset(choice(name));
    const idx = Array.from({ length: 50 }, (_, i) => i);
    const [ba, bb] = [await a.train.getBatch(idx), await b.train.getBatch(idx)];
    expect(Array.from(ba.x)).toEqual(Array.from(bb.x));
    expect(Array.from(ba.y)).toEqual(Array.from(bb.y));
    const noisier = await openDataset(choice(name, { noise: 0.5 }));
    expect(Array.from((await noisier.train.getBatch(idx)).x)).not.toEqual(Array.from(ba.x));
    for (const v of ba.x) expect(Math.abs(v)).toBeLessThan(2);
  });

  it('circles: the inner class is closer to the centre', async () => {
    const d = await openDataset(choice('circles', { noise: 0 }));
    const b = await d.train.getBatch(Array.from({ length: d.train.count }, (_, i) => i));
    for (let i = 0; i < b.count; i++) {
      const r = Math.hypot(b.x[2 * i], b.x[2 * i + 1]);
      if (b.y[i] === 0) expect(r).toBeLessThanOrEqual(0.5);
      else expect(r).toBeGreaterThanOrEqual(0.8);
    }
  });

  it('spirals can have three arms', () => {
    const s = spiralArms(300, 0.1, 3);
    expect(new Set(s.y)).toEqual(new Set([0, 1, 2]));
    expect(s.x.length).toBe(600);
  });

  it('sine: windows [24, 1] → next value, split in time order', async () => {
    const d = await openDataset(choice('sine', { noise: 0 }));
    expect(d.info.inputShape).toEqual([24, 1]);
    expect(d.info.task).toBe('regression');
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([400, 50, 50]);
    const b = await d.train.getBatch([0, 1]);
    expect(b.y).toBeInstanceOf(Float32Array);
    // window 1 is window 0 shifted by one step; its last value is window 0's target.
    expect(b.x[24 + 23]).toBeCloseTo(b.y[0], 6);
    expect(b.x[24]).toBeCloseTo(b.x[1], 6);
    const v = await d.validation.getBatch([0]);
    const lastTrain = await d.train.getBatch([399]);
    expect(v.x[22]).toBeCloseTo(lastTrain.x[23], 6); // validation starts right after training in time
    const prev = await inspectDataset(choice('sine').source);
    expect(prev.series![0].values.length).toBe(300);
    const pts = await inspectDataset(choice('xor').source);
    expect(pts.table!.rows.length).toBe(20);
  });
});
