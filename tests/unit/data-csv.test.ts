import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { DatasetChoiceSchema, DatasetSourceSchema } from '../../main/core/project';
import type { DataProblem } from '../../main/core/datasets';
import type { SplitData } from '../../main/core/training/types';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-csv-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}
function choice(source: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return DatasetChoiceSchema.parse({ source: { type: 'csv', ...source }, validationFraction: 0, testFraction: 0, splitSeed: 1, ...extra });
}
async function all(s: SplitData) {
  return s.getBatch(Array.from({ length: s.count }, (_, i) => i));
}

const BAD = [
  'a,b,label',
  '1,2,x', // line 2
  '3,4', // line 3: too few fields
  '5,oops,y', // line 4: text in numeric column b
  '"multi', // line 5..6: a quoted field spanning two lines, then 2 more fields
  'line",6,x',
  '7,8,y', // line 7
  '',
  '9,10,x', // line 9 (after a blank line)
  '1,2,3,y', // line 10: too many fields
  // 20 good rows (lines 11..30): columns a and b are numeric (≥ 90 % of their values are numbers).
  ...Array.from({ length: 20 }, (_, i) => `${i},${i * 2},${i % 2 ? 'x' : 'y'}`),
].join('\n');

describe('CSV tables', () => {
  it('skips bad rows and lists them with file, line and column', async () => {
    const f = write('bad.csv', BAD);
    const problems: DataProblem[] = [];
    const d = await openDataset(choice({ path: f, labelColumn: 'label', badRows: 'skip' }), { onProblem: (p) => problems.push(p) });
    expect(d.train.count).toBe(23); // lines 2, 7, 9, 11..30
    expect(problems.map((p) => [p.file, p.line, p.column])).toEqual([
      [f, 3, 'label'],
      [f, 4, 'b'],
      [f, 5, 'a'],
      [f, 10, '(field 4)'],
    ]);
    expect(problems[0].message).toMatch(/expected 3 fields, found 2; row skipped/);
    expect(problems[1].message).toMatch(/"oops" is not a number/);
    expect(d.info.classNames).toEqual(['x', 'y']);
    const prev = await inspectDataset(DatasetSourceSchema.parse({ type: 'csv', path: f, labelColumn: 'label', badRows: 'stop' }));
    expect(prev.problemCount).toBe(4);
    expect(prev.table!.columns.map((c) => c.type)).toEqual(['number', 'number', 'category']);
  });

  it('stops on the first bad row naming file:line:column', async () => {
    const f = write('bad2.csv', BAD);
    await expect(openDataset(choice({ path: f, labelColumn: 'label', badRows: 'stop' }))).rejects.toThrow(`Bad row in ${f}:3:label: expected 3 fields, found 2`);
    const g = write('bad3.csv', 'a,b,label\n1,2,x\n5,oops,y\n' + '1,2,x\n'.repeat(10));
    await expect(openDataset(choice({ path: g, labelColumn: 'label', badRows: 'stop' }))).rejects.toThrow(`${g}:3:b: "oops" is not a number`);
    await expect(openDataset(choice({ path: g, labelColumn: 'nope' }))).rejects.toThrow(/no column "nope".*"a", "b", "label"/);
    await expect(openDataset(choice({ path: path.join(dir, 'none.csv'), labelColumn: 'x' }))).rejects.toThrow(/File not found/);
  });

  it('encodes categoricals, fills missing values and normalizes with training statistics only', async () => {
    // 10 rows; the numeric column `n` is 0..8 for the first rows and a huge 1000 in the last.
    const rows = ['n,color,label'];
    for (let i = 0; i < 9; i++) rows.push(`${i},${['red', 'green', 'blue'][i % 3]},${i % 2}`);
    rows.push('1000,red,1');
    rows.push(',,0'); // missing n and color
    const f = write('mix.csv', rows.join('\n'));
    const base = { path: f, labelColumn: 'label' };
    // drop-row: the row with missing values goes.
    const dropped = await openDataset(choice(base));
    expect(dropped.train.count).toBe(10);
    expect(dropped.info.featureNames).toEqual(['n', 'color=blue', 'color=green', 'color=red']);
    expect(dropped.info.task).toBe('classification');

    // mean: statistics from the training split only. Test = the last rows of the seeded order; compute expectations.
    const ch = choice({ ...base, missing: 'mean' }, { testFraction: 0.3, splitSeed: 5 });
    const d = await openDataset(ch);
    const train = await all(d.train);
    const test = await all(d.test);
    expect(d.info.inputShape).toEqual([4]);
    // Recover each sample's raw n from its one-hot colour + order is not possible; instead check the training column
    // is standardized (mean 0, std 1) — true only if the statistics came from the training rows.
    const col = (b: { x: ArrayLike<number>; count: number }) => Array.from({ length: b.count }, (_, i) => b.x[i * 4]);
    const tr = col(train);
    const mean = tr.reduce((a, b) => a + b, 0) / tr.length;
    const std = Math.sqrt(tr.reduce((a, b) => a + (b - mean) ** 2, 0) / tr.length);
    expect(mean).toBeCloseTo(0, 5);
    expect(std).toBeLessThan(1.0001);
    // The 1000 row: is it in train? Either way every value is (raw - trainMean)/trainStd; check one-hot rows sum to 1 or 0.
    for (const b of [train, test]) for (let i = 0; i < b.count; i++) expect([0, 1]).toContain(b.x[i * 4 + 1] + b.x[i * 4 + 2] + b.x[i * 4 + 3]);
    // index encoding: 1..k, 0 = missing ('zero').
    const z = await openDataset(choice({ ...base, missing: 'zero', categorical: 'index' }));
    const zb = await all(z.train);
    expect(z.info.inputShape).toEqual([2]);
    expect(zb.count).toBe(11);
    expect(Array.from({ length: zb.count }, (_, i) => zb.x[i * 2 + 1]).sort()).toEqual([0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]);
  });

  it('standardizes from the training split only (exact values)', async () => {
    // Values 1..4 then 100; with testFraction 0.2 (1 row) the test row is whichever the seed picks: check the formula.
    const f = write('exact.csv', 'v,label\n1,0\n2,1\n3,0\n4,1\n100,0\n');
    const d = await openDataset(choice({ path: f, labelColumn: 'label', task: 'classification' }, { testFraction: 0.2, splitSeed: 11 }));
    const train = await all(d.train);
    const test = await all(d.test);
    // Undo: the raw training values are known up to the test row; find which raw value was held out.
    const raws = [1, 2, 3, 4, 100];
    const found = raws.find((held) => {
      const tr = raws.filter((r) => r !== held);
      const m = tr.reduce((a, b) => a + b, 0) / tr.length;
      const s = Math.sqrt(tr.reduce((a, b) => a + (b - m) ** 2, 0) / tr.length);
      return Math.abs(test.x[0] - (held - m) / s) < 1e-5 && Array.from(train.x).every((v) => tr.some((r) => Math.abs(v - (r - m) / s) < 1e-5));
    });
    expect(found).toBeDefined();
  });

  it('infers regression for many distinct numbers, and reads TSV', async () => {
    const lines = ['x\ty'];
    for (let i = 0; i < 30; i++) lines.push(`${i}\t${(i * 1.5).toFixed(1)}`);
    const f = write('reg.tsv', lines.join('\n'));
    const d = await openDataset(choice({ path: f, labelColumn: 'y' }));
    expect(d.info.task).toBe('regression');
    expect(d.info.outputSize).toBe(1);
    const b = await d.train.getBatch([0]);
    expect(b.y).toBeInstanceOf(Float32Array);
    const p = await inspectDataset(DatasetSourceSchema.parse({ type: 'csv', path: f, labelColumn: 'y' }));
    expect(p.table!.rows.length).toBe(20);
    expect(p.info.totalSamples).toBe(30);
  });
});

describe('CSV quotes', () => {
  it('stops at an unterminated quote with the line and column, instead of swallowing the rest into one value', async () => {
    const f = write('unterminated.csv', 'x,y,label\n1,2,a\n3,4,b\n5,6,"unterminated\n7,8,a\n');
    await expect(openDataset(choice({ path: f, labelColumn: 'label' }))).rejects.toThrow(
      'unterminated.csv, line 4, column 3 ("label"): a quoted field is never closed',
    );
  });

  it('names a quote that is not doubled inside a quoted field', async () => {
    const f = write('stray-quote.csv', 'x,y,label\n1,2,"a"b"\n3,4,b\n');
    await expect(openDataset(choice({ path: f, labelColumn: 'label' }))).rejects.toThrow('stray-quote.csv, line 2, column 3 ("label"): a quote inside a quoted field is not doubled');
  });

  it('still reads well-formed quotes: doubled quotes, delimiters and line breaks inside quoted fields', async () => {
    const f = write('good-quotes.csv', 'x,y,label\n1,2,"say ""hi"""\n3,4,"a, b"\n5,6,"two\nlines"\n');
    const data = await openDataset(choice({ path: f, labelColumn: 'label' }));
    expect(data.info.classNames).toEqual(['a, b', 'say "hi"', 'two\nlines']);
  });
});
