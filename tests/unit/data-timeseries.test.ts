import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { DatasetChoiceSchema } from '../../main/core/project';
import type { DataProblem } from '../../main/core/datasets';

let dir: string;
let file: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-ts-'));
  file = path.join(dir, 'series.csv');
  // 20 rows: t = 0..19, a = t, b = 100 + 10 t, name = text (not numeric: not a feature by default)
  const rows = ['date,a,b,name'];
  for (let t = 0; t < 20; t++) rows.push(`2024-01-${String(t + 1).padStart(2, '0')},${t},${100 + 10 * t},n${t}`);
  fs.writeFileSync(file, rows.join('\n'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const choice = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  DatasetChoiceSchema.parse({ source: { type: 'timeseries', path: file, targetColumn: 'b', ...source }, validationFraction: 0, testFraction: 0, splitSeed: 1, ...extra });

describe('time series windows', () => {
  it('makes windows with exact window / horizon / stride and chronological splits', async () => {
    // n = 20, window 4, horizon 2, stride 3 → starts 0, 3, 6, 9, 12 (12 + 4 + 2 - 1 = 17 ≤ 19; 15 + 5 = 20 > 19)
    const d = await openDataset(choice({ featureColumns: ['a'], window: 4, horizon: 2, stride: 3 }, { validationFraction: 0.2, testFraction: 0.2 }));
    expect(d.info.inputShape).toEqual([4, 1]);
    expect(d.info.task).toBe('regression');
    expect(d.info.outputSize).toBe(1);
    expect(d.info.totalSamples).toBe(5);
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([3, 1, 1]);
    const tr = await d.train.getBatch([0, 1, 2]);
    // Targets: b at row s + window + horizon − 1 = s + 5.
    expect(Array.from(tr.y)).toEqual([150, 180, 210]);
    expect(Array.from((await d.validation.getBatch([0])).y)).toEqual([240]);
    expect(Array.from((await d.test.getBatch([0])).y)).toEqual([270]);
    // Inputs standardized with the rows the training windows cover (rows 0..9 of a: mean 4.5, std √8.25).
    const std = Math.sqrt(8.25);
    expect(tr.x[0]).toBeCloseTo((0 - 4.5) / std, 5);
    expect(tr.x[4 + 3]).toBeCloseTo((6 - 4.5) / std, 5); // second window (start 3), last step: a = 6
    const te = await d.test.getBatch([0]);
    expect(te.x[0]).toBeCloseTo((12 - 4.5) / std, 5);
  });

  it('uses every numeric column by default and fills gaps from the previous row', async () => {
    const f = path.join(dir, 'gaps.csv');
    fs.writeFileSync(f, 'a,b\n1,10\n2,\n3,x\n4,40\n5,50\n6,60\n7,70\n8,80\n9,90\n10,100\n11,110\n12,120\n');
    const problems: DataProblem[] = [];
    const d = await openDataset(choice({ path: f, window: 3, horizon: 1 }), { onProblem: (p) => problems.push(p) });
    expect(d.info.featureNames).toEqual(['a', 'b']);
    expect(d.info.inputShape).toEqual([3, 2]);
    expect(problems.map((p) => [p.line, p.column])).toEqual([[3, 'b'], [4, 'b']]);
    const b = await d.train.getBatch([0]);
    expect(b.y[0]).toBe(40);
    // b column of window 0 = 10, 10, 10 (filled) → all equal after standardization
    expect(b.x[1]).toBeCloseTo(b.x[3], 6);
    expect(b.x[3]).toBeCloseTo(b.x[5], 6);
    const prev = await inspectDataset(choice({ path: f, window: 3 }).source);
    expect(prev.problemCount).toBe(2);
    expect(prev.series![0].values.slice(0, 4)).toEqual([10, 10, 10, 40]);
  });

  it('says when the series is too short', async () => {
    await expect(openDataset(choice({ window: 19, horizon: 2 }))).rejects.toThrow(/needs at least 21/);
  });
});
