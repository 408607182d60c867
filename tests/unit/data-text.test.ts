import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { tokenize } from '../../main/node/datasets/text';
import { DatasetChoiceSchema } from '../../main/core/project';
import type { DataProblem } from '../../main/core/datasets';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-text-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const choice = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  DatasetChoiceSchema.parse({ source: { type: 'text', textColumn: 'text', labelColumn: 'label', ...source }, validationFraction: 0, testFraction: 0, splitSeed: 1, ...extra });

describe('text classification from CSV', () => {
  it('tokenizes on non-letters/digits, lowercasing when asked', () => {
    expect(tokenize("Hello, WORLD! it's 42-ok", true)).toEqual(['hello', 'world', 'it', 's', '42', 'ok']);
    expect(tokenize('Café au Lait', false)).toEqual(['Café', 'au', 'Lait']);
  });

  it('builds the vocabulary from the training split, pads, truncates and marks unknown words', async () => {
    const f = path.join(dir, 'reviews.csv');
    fs.writeFileSync(f, ['text,label', '"good good good film",pos', '"bad film",neg', '"good, bad, ugly and long text here",pos', '"alpha beta gamma delta epsilon",neg', ',', '"great",'].join('\n'));
    const problems: DataProblem[] = [];
    const d = await openDataset(choice({ path: f, vocabSize: 10, sequenceLength: 4 }), { onProblem: (p) => problems.push(p) });
    expect(d.info.inputDType).toBe('int32');
    expect(d.info.inputShape).toEqual([4]);
    expect(d.info.classNames).toEqual(['neg', 'pos']);
    // good ×4, bad ×2, film ×2, then 10 words once: ties by alphabet. vocabSize 10 keeps 8 words.
    expect(d.info.vocabulary).toEqual(['<pad>', '<unk>', 'good', 'bad', 'film', 'alpha', 'and', 'beta', 'delta', 'epsilon']);
    expect(problems.map((p) => [p.line, p.column])).toEqual([[6, 'label'], [7, 'label']]);
    const b = await d.train.getBatch(Array.from({ length: d.train.count }, (_, i) => i));
    expect(b.x).toBeInstanceOf(Int32Array);
    const seqs = Array.from({ length: b.count }, (_, i) => Array.from(b.x.subarray(i * 4, i * 4 + 4)).join(' ')).sort();
    // "bad film" → 3 4 0 0 (padded); "good, bad, ugly and long …" → 2 3 1 6 (ugly unknown, truncated)
    expect(seqs).toEqual(['2 2 2 4', '2 3 1 6', '3 4 0 0', '5 7 1 8']);
  });

  it('uses a saved vocabulary unchanged, and counts only training texts for a new one', async () => {
    const f = path.join(dir, 'more.csv');
    const rows = ['text,label'];
    for (let i = 0; i < 40; i++) rows.push(`"word${i} common",${i % 2 ? 'a' : 'b'}`);
    fs.writeFileSync(f, rows.join('\n'));
    const saved = ['<pad>', '<unk>', 'word3', 'common'];
    const d = await openDataset(choice({ path: f, vocabulary: saved, sequenceLength: 3 }));
    expect(d.info.vocabulary).toEqual(saved);
    const all = await d.train.getBatch(Array.from({ length: d.train.count }, (_, i) => i));
    const firsts = new Set(Array.from({ length: all.count }, (_, i) => all.x[i * 3]));
    expect([...firsts].sort()).toEqual([1, 2]);
    // Built vocabulary with a 50 % test split: no test-only word appears in it.
    const e = await openDataset(choice({ path: f, vocabSize: 1000 }, { testFraction: 0.5, splitSeed: 4 }));
    expect(e.info.vocabulary!.length).toBe(2 + 1 + 20);
    const test = await e.test.getBatch(Array.from({ length: e.test.count }, (_, i) => i));
    for (let i = 0; i < test.count; i++) expect(test.x[i * 100]).toBe(1); // its own word is unknown
    const prev = await inspectDataset(choice({ path: f }).source);
    expect(prev.info.classNames).toEqual(['a', 'b']);
    expect(prev.table!.columns.map((c) => c.name)).toEqual(['text', 'label']);
  });
});
