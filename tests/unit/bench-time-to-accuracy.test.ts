import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accuracyAgreement, formatTta, readTtaData, TTA, writeTtaData, type TtaResult } from '../../bench/time-to-accuracy';

/** The data file both engines of the time-to-accuracy benchmark read, and the line it prints. No timing here. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('time-to-accuracy data file', () => {
  it('holds a seeded split of the mnist digits and Glorot weights, identically on every write', async () => {
    const a = path.join(dir, 'a.bin');
    const b = path.join(dir, 'b.bin');
    await writeTtaData(a);
    await writeTtaData(b);
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);

    const d = readTtaData(a);
    expect(d.xTrain.length).toBe(TTA.train * TTA.inputs);
    expect(d.xTest.length).toBe(TTA.test * TTA.inputs);
    expect(d.yTrain.length).toBe(TTA.train);
    expect(d.yTest.length).toBe(TTA.test);
    // Shuffled, not the package's digit-by-digit order: every class is in both parts.
    for (const y of [d.yTrain, d.yTest]) expect(new Set(y).size).toBe(10);
    expect(Math.max(...d.yTrain)).toBe(9);
    expect(d.xTrain.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(d.xTrain.some((v) => v > 0.5)).toBe(true);
    const limit1 = Math.sqrt(6 / (TTA.inputs + TTA.hidden));
    expect(d.w1.length).toBe(TTA.inputs * TTA.hidden);
    const largest = d.w1.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(limit1);
    expect(largest).toBeGreaterThan(limit1 * 0.9);
    expect(d.w2.length).toBe(TTA.hidden * TTA.classes);
    expect([...d.b1, ...d.b2].every((v) => v === 0)).toBe(true);
  });

  it('refuses a file that is not one', () => {
    const bad = path.join(dir, 'bad.bin');
    fs.writeFileSync(bad, Buffer.alloc(64));
    expect(() => readTtaData(bad)).toThrow(`${bad} is not a time-to-accuracy data file (version 1)`);
  });
});

describe('formatTta', () => {
  const run = (engine: string, accs: number[], reachedAt?: number): TtaResult => ({
    engine,
    threads: 1,
    reached: reachedAt !== undefined,
    seconds: reachedAt === undefined ? null : reachedAt * 0.5,
    epochs: reachedAt === undefined ? null : (reachedAt * TTA.evalEvery) / (TTA.train / TTA.batch),
    evaluations: accs.map((accuracy, i) => ({ batches: (i + 1) * TTA.evalEvery, trainSec: (i + 1) * 0.5, accuracy })),
  });

  it('gives both times, and how closely the two engines\' accuracy curves agree', () => {
    const line = formatTta([run('tfjs-wasm', [0.8, 0.9, 0.931], 3), run('pytorch', [0.81, 0.9, 0.935], 3)]);
    expect(line).toContain('tfjs-wasm 1.50 s (0.60 epochs, 1 thread) vs pytorch 1.50 s (0.60 epochs, 1 thread)');
    expect(line).toMatch(/accuracy curves agree within 0\.010 over 3 evaluations$/);
  });

  it('says "not reached" with the best accuracy when the cap came first', () => {
    const line = formatTta([run('tfjs-wasm', [0.8, 0.929]), run('pytorch', [0.8, 0.933], 2)]);
    expect(line).toContain(`tfjs-wasm not reached in ${TTA.maxEpochs} epochs (best 0.929, 1 thread)`);
  });

  it('when one engine crosses an evaluation later, also compares the seconds at the first crossing', () => {
    const line = formatTta([run('tfjs-wasm', [0.8, 0.929, 0.931], 3), run('pytorch', [0.8, 0.933], 2)]);
    expect(line).toMatch(/; at the first crossing \(50 batches\) tfjs-wasm 1\.00 s vs pytorch 1\.00 s$/);
    expect(formatTta([run('tfjs-wasm', [0.8, 0.931], 2), run('pytorch', [0.8, 0.933], 2)])).not.toContain('first crossing');
  });

  it('compares accuracy only where both evaluated', () => {
    expect(accuracyAgreement(run('a', [0.5, 0.6, 0.7]), run('b', [0.5]))).toEqual({ points: 1, maxDiff: 0 });
  });
});
