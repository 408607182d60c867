import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectCsv, openCsv, type CsvSource } from '../../main/node/datasets/csv';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { DatasetChoiceSchema, type DatasetChoice } from '../../main/core/project';
import type { DataProblem } from '../../main/core/datasets';
import type { SplitData, TrainingData } from '../../main/core/training/types';

/**
 * The CSV loader reads a table in chunks, in two streamed passes. Everything it yields — tensors, statistics, the
 * preprocessing saved with the model, bad-row reports — must not depend on where the chunks cut the file.
 *
 * The snapshots in __snapshots__/data-csv-stream.test.ts.snap were recorded with the loader that held every row as
 * strings in memory, before it streamed into typed arrays; they pin the streamed loader to that behaviour.
 */

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-csv-stream-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

/** 40 rows, with bad rows in the middle, missing values, a quoted category spanning two lines and a non-ASCII one. */
function mixedLines(): string[] {
  const colors = ['red', 'green', 'blue', 'café'];
  const lines = ['n,color,z,label'];
  for (let i = 0; i < 40; i++) {
    const n = i === 7 || i === 22 ? '' : String((i * 37) % 23 - 4.5);
    const color = i === 11 ? 'NA' : i === 15 ? '"two\nlines"' : colors[i % 4];
    const z = String(i % 5 === 0 ? 1000 + i : i * 0.25);
    const label = i === 30 ? '' : ['yes', 'no'][(i * 7) % 3 === 0 ? 0 : 1];
    if (i === 18) lines.push(`${n},${color}`); // too few fields
    else if (i === 19) lines.push(`${n},${color},${z},${label},extra`); // too many
    else if (i === 25) lines.push(`${n},${color},"a, b",${label}`); // text in a numeric column
    else lines.push(`${n},${color},${z},${label}`);
  }
  return lines;
}

function csvChoice(source: Record<string, unknown>, split: Record<string, unknown> = {}): DatasetChoice & { source: CsvSource } {
  return DatasetChoiceSchema.parse({ source: { type: 'csv', ...source }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 3, ...split }) as DatasetChoice & { source: CsvSource };
}

/** Everything a load yields, as plain JSON, with the temporary folder's name replaced so snapshots are stable. */
async function loaded(choice: DatasetChoice & { source: CsvSource }, chunkBytes?: number): Promise<unknown> {
  const problems: DataProblem[] = [];
  let data: TrainingData;
  try {
    data = await openCsv(choice, (p) => problems.push(p), { chunkBytes });
  } catch (e) {
    return stable({ error: (e as Error).message, problems });
  }
  const all = async (s: SplitData) => {
    const b = await s.getBatch(Array.from({ length: s.count }, (_, i) => i));
    return { count: b.count, labels: s.labels && Array.from(s.labels), x: Array.from(b.x), y: Array.from(b.y), xs: b.xs?.map((v) => Array.from(v)), ys: b.ys?.map((v) => Array.from(v)) };
  };
  return stable({ info: data.info, train: await all(data.train), validation: await all(data.validation), test: await all(data.test), problems });
}

async function previewed(source: CsvSource, chunkBytes?: number): Promise<unknown> {
  return stable(await inspectCsv(source, { chunkBytes }));
}

function stable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).split(dir).join('<dir>'));
}

const CHUNKS = [3, 17];

describe('CSV read in chunks', () => {
  it('a mixed table: the same tensors, statistics and problems for any chunk size', async () => {
    const f = write('mixed.csv', mixedLines().join('\n') + '\n');
    const configs = [
      csvChoice({ path: f, labelColumn: 'label', missing: 'mean', badRows: 'skip' }),
      csvChoice({ path: f, labelColumn: 'label', missing: 'drop-row', categorical: 'index', badRows: 'skip' }, { stratify: true }),
      csvChoice({ path: f, labelColumn: 'label', missing: 'zero', badRows: 'skip', featureColumns: ['z', 'color'] }),
      csvChoice({ path: f, labelColumn: 'label', badRows: 'stop' }),
    ];
    for (const [i, c] of configs.entries()) {
      const whole = await loaded(c);
      expect(whole).toMatchSnapshot(`mixed ${i}`);
      for (const chunkBytes of CHUNKS) expect(await loaded(c, chunkBytes), `config ${i}, chunks of ${chunkBytes} bytes`).toEqual(whole);
    }
    const preview = await previewed(configs[0].source);
    expect(preview).toMatchSnapshot('mixed preview');
    for (const chunkBytes of CHUNKS) expect(await previewed(configs[0].source, chunkBytes)).toEqual(preview);
  });

  it('reports each bad row with its line, counting the lines inside quoted fields', async () => {
    const f = write('lines.csv', mixedLines().join('\n') + '\n');
    const problems: DataProblem[] = [];
    await openCsv(csvChoice({ path: f, labelColumn: 'label', missing: 'mean', badRows: 'skip' }), (p) => problems.push(p), { chunkBytes: 5 });
    // Data row i is on line i + 2 up to row 15, whose quoted field spans two lines; row i is on line i + 3 after it.
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [21, 'z'], // row 18: too few fields
      [22, '(field 5)'], // row 19
      [28, 'z'], // row 25: "a, b" in numeric z
      [33, 'label'], // row 30: missing label
    ]);
    expect(problems[2].message).toBe('"a, b" is not a number (column "z" is numeric); row skipped');
    expect(problems[3].message).toBe('missing label; row dropped');
  });

  it('CRLF line ends and a byte-order mark read exactly like the same table with LF', async () => {
    const lf = write('lf.csv', mixedLines().join('\n') + '\n');
    const crlf = write('crlf.csv', '\uFEFF' + mixedLines().join('\r\n').replace('"two\nlines"', '"two\r\nlines"') + '\r\n');
    const mean = { labelColumn: 'label', missing: 'mean', badRows: 'skip' };
    const want = (await loaded(csvChoice({ ...mean, path: lf }))) as { info: unknown; problems: DataProblem[] };
    for (const chunkBytes of [undefined, 2, 3, 17]) {
      const got = (await loaded(csvChoice({ ...mean, path: crlf }), chunkBytes)) as { info: { featureNames: string[] }; problems: DataProblem[] };
      // The categories differ by the line break inside the quoted one; everything else is the same.
      const normalized = JSON.parse(JSON.stringify(got).split('crlf.csv').join('lf.csv').split('two\\r\\nlines').join('two\\nlines'));
      expect(normalized, `chunks of ${chunkBytes ?? 'default'} bytes`).toEqual(want);
      expect(got.info.featureNames[0]).toBe('n');
    }
  });

  it('a semicolon table, its delimiter found from the start of the file whatever the chunk size', async () => {
    const f = write('semi.csv', mixedLines().map((l) => l.replace(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/g, ';')).join('\n'));
    const c = csvChoice({ path: f, labelColumn: 'label', missing: 'mean', badRows: 'skip' });
    const whole = await loaded(c);
    expect((whole as { info: { featureNames: string[] } }).info.featureNames).toContain('z');
    for (const chunkBytes of [2, 9]) expect(await loaded(c, chunkBytes)).toEqual(whole);
  });

  it('regression targets and statistics', async () => {
    const lines = ['x1,kind,x2,y'];
    for (let i = 0; i < 60; i++) lines.push(`${(i * 13) % 17},${['a', 'b', 'c'][i % 3]},${i === 9 ? '?' : (i * 0.7).toFixed(2)},${(i * 1.37 - 20).toFixed(3)}`);
    lines.splice(31, 0, '4,b,2.5,not-a-number');
    const f = write('reg.csv', lines.join('\n'));
    const configs = [
      csvChoice({ path: f, labelColumn: 'y', task: 'regression', missing: 'mean', badRows: 'skip' }),
      csvChoice({ path: f, labelColumn: 'y', task: 'regression', missing: 'zero', badRows: 'stop' }),
      csvChoice({ path: f, labelColumn: 'y', missing: 'zero', categorical: 'index', badRows: 'skip' }), // 'auto': text in y makes classes
    ];
    for (const c of configs) {
      const whole = await loaded(c);
      expect(whole).toMatchSnapshot();
      for (const chunkBytes of CHUNKS) expect(await loaded(c, chunkBytes)).toEqual(whole);
    }
  });

  it('columns, a text column and two targets bound to their own Inputs and outputs', async () => {
    const lines = ['a,b,note,kind,value'];
    for (let i = 0; i < 50; i++) {
      const note = `"${['the', 'quick', 'note'][i % 3]} ${['RED', 'GREEN', 'BLUE'][i % 3]}${i % 7 === 0 ? '\nmore words' : ''}"`;
      const value = i === 12 ? 'n/a' : i === 20 ? 'oops' : (i * 0.3 - 2).toFixed(2);
      lines.push(`${(i % 9) - 4},${i === 5 ? '' : (i * 1.1).toFixed(1)},${note},${['red', 'green', 'blue'][i % 3]},${value}`);
    }
    const f = write('bound.csv', lines.join('\n') + '\n');
    const c = csvChoice({
      path: f,
      labelColumn: 'kind',
      missing: 'mean',
      badRows: 'skip',
      inputs: [
        { type: 'columns', node: 'numbers', columns: ['b', 'a'] },
        { type: 'text', node: 'words', column: 'note', vocabSize: 10, sequenceLength: 4 },
      ],
      targets: [
        { node: 'kind_out', column: 'kind' },
        { node: 'value_out', column: 'value', task: 'regression' },
      ],
    });
    const whole = await loaded(c);
    expect(whole).toMatchSnapshot();
    for (const chunkBytes of CHUNKS) expect(await loaded(c, chunkBytes)).toEqual(whole);
    const preview = await previewed(c.source);
    expect(preview).toMatchSnapshot('bound preview');
    expect(await previewed(c.source, 4)).toEqual(preview);
  });

  it('an unterminated quote stops the read at its line and column, whatever the chunk size', async () => {
    const f = write('open-quote.csv', 'x,y,label\r\n1,2,a\r\n3,4,"b\r\n5,6,a\r\n');
    for (const chunkBytes of [undefined, 1, 4]) {
      await expect(openCsv(csvChoice({ path: f, labelColumn: 'label' }), undefined, { chunkBytes })).rejects.toThrow('open-quote.csv, line 3, column 3 ("label"): a quoted field is never closed');
    }
    const g = write('stray.csv', 'x,y,label\n1,2,a\n3,4,"b"c"\n5,6,a\n');
    for (const chunkBytes of [undefined, 1, 4]) {
      await expect(openCsv(csvChoice({ path: g, labelColumn: 'label' }), undefined, { chunkBytes })).rejects.toThrow('stray.csv, line 3, column 3 ("label"): a quote inside a quoted field is not doubled');
    }
  });
});

describe('text and time series tables read without holding rows', () => {
  async function opened(choice: DatasetChoice): Promise<unknown> {
    const problems: DataProblem[] = [];
    try {
      const data = await openDataset(choice, { onProblem: (p) => problems.push(p) });
      const all = async (s: SplitData) => {
        const b = await s.getBatch(Array.from({ length: s.count }, (_, i) => i));
        return { labels: s.labels && Array.from(s.labels), x: Array.from(b.x), y: Array.from(b.y) };
      };
      return stable({ info: data.info, train: await all(data.train), validation: await all(data.validation), test: await all(data.test), problems });
    } catch (e) {
      return stable({ error: (e as Error).message, problems });
    }
  }

  it('text: the same sequences, vocabulary, classes and problems as when every row was kept', async () => {
    const lines = ['id,text,label'];
    for (let i = 0; i < 30; i++) {
      const text = i % 6 === 0 ? `"Line one ${i}\r\nline two, ""quoted"" word${i % 4}"` : `"word${i % 5} café ${['good', 'bad', 'fine'][i % 3]}"`;
      if (i === 8) lines.push(`${i},${text}`); // too few fields
      else lines.push(`${i},${text},${i === 13 ? 'NA' : ['pos', 'neg', 'meh'][i % 3]}`);
    }
    const f = write('texts.csv', '\uFEFF' + lines.join('\r\n') + '\r\n');
    const c = DatasetChoiceSchema.parse({ source: { type: 'text', path: f, textColumn: 'text', labelColumn: 'label', vocabSize: 12, sequenceLength: 5 }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 9, stratify: true });
    expect(await opened(c)).toMatchSnapshot();
    expect(stable(await inspectDataset(c.source))).toMatchSnapshot('text preview');
  });

  it('time series: the same windows, statistics and gap reports as when every row was kept', async () => {
    const lines = ['time,a,name,b'];
    for (let t = 0; t < 40; t++) {
      const a = t === 5 ? '' : t === 9 ? 'x' : String(Math.sin(t) * 10);
      const b = t === 12 ? 'NA' : String(100 + t * t * 0.5);
      if (t === 20) lines.push(`${t},${a}`); // short row: filled
      else if (t === 25) lines.push(`${t},${a},n${t},${b},extra`); // long row: extra ignored
      else lines.push(`${t},${a},n${t},${b}`);
    }
    const f = write('series.csv', lines.join('\n'));
    for (const featureColumns of [[], ['b', 'a']]) {
      const c = DatasetChoiceSchema.parse({ source: { type: 'timeseries', path: f, targetColumn: 'b', featureColumns, window: 5, horizon: 2, stride: 2 }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 1 });
      expect(await opened(c)).toMatchSnapshot(`series ${featureColumns.join(',') || 'numeric columns'}`);
      expect(stable(await inspectDataset(c.source))).toMatchSnapshot(`series preview ${featureColumns.join(',') || 'numeric columns'}`);
    }
  });
});
