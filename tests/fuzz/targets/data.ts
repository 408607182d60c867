/**
 * Data files: CSV/TSV tables (random bytes, and tables with random quotes, delimiters, BOMs, control characters,
 * line endings and huge fields) read row by row and inspected as a dataset; IDX arrays (MNIST's format) and
 * CIFAR-10 batch files with wrong magic numbers, cut headers and sizes that overflow.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { readCsv } from '../../../main/node/datasets/csvRows';
import { inspectCsv, type CsvSource } from '../../../main/node/datasets/csv';
import { parseIdx, readIdx } from '../../../main/node/datasets/idx';
import { loadCifar10 } from '../../../main/node/datasets/cifar10';
import { expectClearError } from '../clearError';
import { defineTarget } from '../target';

let dir = '';
let count = 0;
const makeDir = async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-fuzz-data-'));
};
const removeDir = async () => {
  await fs.rm(dir, { recursive: true, force: true });
};

/** One field: a number, a word, an empty or missing value, or text full of quotes, delimiters and control characters. */
const field = fc.oneof(
  { weight: 4, arbitrary: fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'cat', 'dog', '', 'NA', '?', '1', '2', '0') },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('"', ',', ';', '\t', '|', '\n', '\r', 'x', ' ', '\u0000', '\uFEFF', 'é'), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)) },
);
const quoted = (f: string) => `"${f.replace(/"/g, '""')}"`;

/** The text of a table: a header and rows (some with a wrong number of fields), quoted or not, in any dialect. */
const tableText = fc
  .record({
    columns: fc.integer({ min: 1, max: 6 }),
    header: fc.array(fc.oneof(fc.constantFrom('label', 'a', 'b', 'x y', ''), field), { minLength: 6, maxLength: 6 }),
    rows: fc.array(fc.array(field, { minLength: 0, maxLength: 7 }), { maxLength: 30 }),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    quoting: fc.constantFrom('none', 'all', 'needed'),
    bom: fc.boolean(),
    trailing: fc.boolean(),
  })
  .map(({ columns, header, rows, delimiter, eol, quoting, bom, trailing }) => {
    const cell = (f: string) => (quoting === 'all' || (quoting === 'needed' && /["\n\r,;\t|]/.test(f)) ? quoted(f) : f);
    const lines = [header.slice(0, columns), ...rows.map((r, i) => (i % 5 === 4 ? r : r.slice(0, columns).concat(Array(Math.max(0, columns - r.length)).fill(''))))];
    return (bom ? '\uFEFF' : '') + lines.map((l) => l.map(cell).join(delimiter)).join(eol) + (trailing ? eol : '');
  });

const csvCase = fc.record({
  text: fc.oneof({ weight: 4, arbitrary: tableText }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) }),
  delimiter: fc.constantFrom('auto' as const, ',' as const, ';' as const, '\t' as const, '|' as const),
  label: fc.oneof(fc.nat({ max: 6 }), fc.constantFrom('label', 'missing', '')),
  task: fc.constantFrom('auto' as const, 'classification' as const, 'regression' as const),
  missing: fc.constantFrom('drop-row' as const, 'mean' as const, 'zero' as const),
  badRows: fc.constantFrom('skip' as const, 'stop' as const),
  ext: fc.constantFrom('.csv', '.tsv'),
});

export const csvFiles = defineTarget({
  name: 'CSV tables (readCsv, inspectCsv)',
  runs: 1500,
  sampleRuns: 40,
  arbitrary: csvCase,
  setup: makeDir,
  teardown: removeDir,
  async check({ text, delimiter, label, task, missing, badRows, ext }) {
    const file = path.join(dir, `case-${count++}${ext}`);
    await fs.writeFile(file, text);
    try {
      // Row by row: lines only go forward, and every row is handed over once.
      let header: string[] = [];
      const lines: number[] = [];
      try {
        const read = await readCsv(file, (fields, line) => {
          assert.ok(Array.isArray(fields) && fields.every((f) => typeof f === 'string'), 'a row that is not a list of strings');
          lines.push(line);
        }, { delimiter });
        header = read.header;
        assert.equal(read.rows, lines.length, 'the row count differs from the rows handed over');
        for (let i = 1; i < lines.length; i++) assert.ok(lines[i] > lines[i - 1], `line ${lines[i]} after line ${lines[i - 1]}`);
        assert.ok(lines.every((l) => l >= 2), 'a data row on the header line');
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        expectClearError(e, [text]);
        return;
      }
      const labelColumn = typeof label === 'number' ? (header[label] ?? 'label') : label;
      const source: CsvSource = {
        type: 'csv', path: file, delimiter, labelColumn, featureColumns: [], task, categorical: 'onehot', missing, badRows, inputs: [], targets: [],
      };
      try {
        const preview = await inspectCsv(source);
        const total = preview.info.totalSamples;
        assert.ok(total === null || (Number.isFinite(total) && total >= 0), `totalSamples ${total}`);
        assert.ok(preview.table && preview.table.columns.length === header.length, 'the preview shows other columns than the header');
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        expectClearError(e, [text]);
      }
    } finally {
      await fs.rm(file, { force: true });
    }
  },
});

/** An IDX header: two zero bytes (or not), a type byte, a dimension count and dimensions near uint32's limits. */
const idxBytes = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        zero: fc.constantFrom([0, 0], [0, 0], [0, 1], [0x1f, 0x8b]),
        type: fc.constantFrom(0x08, 0x08, 0x09, 0x0d),
        nd: fc.constantFrom(0, 1, 2, 3, 4, 5, 255),
        dims: fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(0xffffffff, 0x80000000, 65536)), { maxLength: 5 }),
        data: fc.uint8Array({ maxLength: 200 }),
        gzip: fc.boolean(),
      })
      .map(({ zero, type, nd, dims, data, gzip }) => {
        const header = Buffer.alloc(4 + 4 * dims.length);
        header.set([...zero, type, nd]);
        dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
        const bytes = Buffer.concat([header, data]);
        return new Uint8Array(gzip ? zlib.gzipSync(bytes).subarray(0, 10 + (data.length % 40)) : bytes);
      }),
  },
);

export const idxFiles = defineTarget({
  name: 'IDX files (parseIdx, readIdx)',
  runs: 2000,
  sampleRuns: 50,
  arbitrary: idxBytes,
  setup: makeDir,
  teardown: removeDir,
  async check(bytes) {
    const file = path.join(dir, `case-${count++}-ubyte`);
    await fs.writeFile(file, bytes);
    try {
      for (const read of [() => Promise.resolve(parseIdx(bytes, 'case-ubyte')), () => readIdx(file)]) {
        try {
          const { dims, data } = await read();
          assert.equal(data.length, dims.reduce((a, b) => a * b, 1), `dimensions ${dims.join('×')} with ${data.length} bytes`);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          expectClearError(e, [Buffer.from(bytes).toString('latin1')]);
        }
      }
    } finally {
      await fs.rm(file, { force: true });
    }
  },
});

const RECORD = 3073;
/** A CIFAR-10 folder: some batch files, each a few records long (or not a whole number of them), labels 0..255. */
const cifarFolder = fc.record({
  train: fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }).map((n) => n * RECORD), fc.nat({ max: 3 * RECORD })), { maxLength: 5 }),
  test: fc.option(fc.oneof(fc.integer({ min: 0, max: 2 }).map((n) => n * RECORD), fc.nat({ max: 2 * RECORD })), { nil: undefined }),
  labels: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.integer({ min: 10, max: 255 }) }), { minLength: 5, maxLength: 5 }),
  meta: fc.option(fc.array(fc.string({ maxLength: 10 }), { maxLength: 12 }), { nil: undefined }),
});

export const cifarFolders = defineTarget({
  name: 'CIFAR-10 batch files (loadCifar10)',
  runs: 300,
  sampleRuns: 10,
  arbitrary: cifarFolder,
  setup: makeDir,
  teardown: removeDir,
  async check({ train, test, labels, meta }) {
    const folder = path.join(dir, `case-${count++}`);
    await fs.mkdir(folder);
    const batch = (size: number, label: number) => {
      const b = Buffer.alloc(size, 7);
      for (let o = 0; o < size; o += RECORD) b[o] = label;
      return b;
    };
    try {
      await Promise.all(train.map((size, i) => fs.writeFile(path.join(folder, `data_batch_${i + 1}.bin`), batch(size, labels[i]))));
      if (test !== undefined) await fs.writeFile(path.join(folder, 'test_batch.bin'), batch(test, labels[4]));
      if (meta) await fs.writeFile(path.join(folder, 'batches.meta.txt'), meta.join('\n'));
      try {
        const data = await loadCifar10(folder);
        const n = data.samples.count;
        assert.equal(data.samples.x.length, n * 3072);
        assert.equal(data.samples.y.length, n);
        const testStart = data.testStart ?? 0;
        assert.ok(testStart >= 0 && testStart <= n, `testStart ${testStart} of ${n}`);
        assert.ok(data.samples.y.every((y) => y >= 0 && y <= 9), 'a label outside 0..9');
        assert.equal(data.info.classNames.length, 10);
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        expectClearError(e, meta ?? []);
      }
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  },
});
