import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import { describeValue } from '../../core/project';

/**
 * Streams a delimited text file row by row (papaparse `step` over a file stream), tracking each row's 1-based line
 * number (the header is line 1; quoted fields spanning lines and blank lines are counted).
 */
export interface CsvReadOptions {
  /** 'auto' (or '') sniffs the delimiter; `.tsv` files default to tab. */
  delimiter?: string;
  /** Stop after this many data rows. */
  maxRows?: number;
  /** Called once with the header row (trimmed), before any data row; may throw to stop. */
  onHeader?: (header: string[]) => void;
  /** Bytes read from the file at a time (the stream's chunk size); tests make it tiny to cut rows across chunks. */
  chunkBytes?: number;
}

export interface CsvReadResult {
  header: string[];
  /** Data rows passed to onRow. */
  rows: number;
  /** True when maxRows stopped the read before the end of the file. */
  truncated: boolean;
  delimiter: string;
}

export type RowHandler = (fields: string[], line: number) => void;

import { isMissing, toNumber } from '../../core/preprocess';

export { MISSING_TOKENS, isMissing, toNumber } from '../../core/preprocess';

export function checkFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new Error(`File not found: ${file}`);
  }
  if (!st.isFile()) throw new Error(`${file} is not a file.`);
}

/** What a read stream hands over first (fs streams read 64 KiB at a time): the sample papaparse guesses from. */
const SNIFF_BYTES = 64 * 1024;

type LineBreak = '\n' | '\r' | '\r\n';

/**
 * The delimiter (unless given) and line break, guessed by papaparse from the file's first 64 KiB. Guessed once here
 * rather than from the stream's first chunk, so that a file reads the same whatever the chunk size.
 */
function sniff(file: string, delimiter: string): { delimiter: string; newline: LineBreak } {
  const fd = fs.openSync(file, 'r');
  try {
    const bytes = Buffer.alloc(SNIFF_BYTES);
    const n = fs.readSync(fd, bytes, 0, SNIFF_BYTES, 0);
    const head = new StringDecoder('utf8').write(bytes.subarray(0, n));
    const { meta } = Papa.parse<string[]>(head, { delimiter, preview: 1 });
    return { delimiter: meta.delimiter || ',', newline: (meta.linebreak || '\n') as LineBreak };
  } finally {
    fs.closeSync(fd);
  }
}

export function readCsv(file: string, onRow: RowHandler, opts: CsvReadOptions = {}): Promise<CsvReadResult> {
  checkFile(file);
  let given = opts.delimiter && opts.delimiter !== 'auto' ? opts.delimiter : '';
  if (!given && /\.tsv$/i.test(file)) given = '\t';
  let delimiter: string;
  let newline: LineBreak;
  try {
    ({ delimiter, newline } = sniff(file, given));
  } catch (e) {
    return Promise.reject(new Error(`Could not read ${file}: ${(e as Error).message}`));
  }
  return new Promise((resolve, reject) => {
    let header: string[] | null = null;
    let line = 1;
    let rows = 0;
    let truncated = false;
    let failed = false;
    const stream = fs.createReadStream(file, { encoding: 'utf8', ...(opts.chunkBytes ? { highWaterMark: opts.chunkBytes } : {}) });
    stream.on('error', (e) => {
      failed = true;
      reject(new Error(`Could not read ${file}: ${e.message}`));
    });
    Papa.parse<string[], NodeJS.ReadableStream>(stream, {
      delimiter,
      newline,
      header: false,
      skipEmptyLines: false,
      step(results, parser) {
        if (failed) return;
        const fields = results.data;
        const here = line;
        let extra = 0;
        for (const f of fields) if (f.includes('\n') || f.includes('\r')) extra += (f.match(/\r\n|\r|\n/g) ?? []).length;
        line += 1 + extra;
        if (fields.length === 1 && fields[0] === '') return; // blank line
        // An unterminated quote swallows every later line into one field: nothing after it can be trusted.
        const quoteError = results.errors.find((e) => e.type === 'Quotes');
        if (quoteError) {
          failed = true;
          parser.abort();
          const column = header?.[fields.length - 1];
          reject(
            new Error(
              `${path.basename(file)}, line ${here}, column ${fields.length}${column ? ` (${describeValue(column)})` : ''}: ${
                quoteError.code === 'MissingQuotes' ? 'a quoted field is never closed (a " without its closing ")' : 'a quote inside a quoted field is not doubled ("")'
              }. Fix the quotes in that line and load the file again.`,
            ),
          );
          return;
        }
        if (header === null) {
          header = fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
          try {
            opts.onHeader?.(header);
          } catch (e) {
            failed = true;
            parser.abort();
            reject(e);
          }
          return;
        }
        try {
          onRow(fields, here);
        } catch (e) {
          failed = true;
          parser.abort();
          reject(e);
          return;
        }
        rows++;
        if (opts.maxRows !== undefined && rows >= opts.maxRows) {
          truncated = true;
          parser.abort();
        }
      },
      complete() {
        stream.destroy();
        if (failed) return;
        if (header === null) reject(new Error(`${file} is empty (no header row).`));
        else resolve({ header, rows, truncated, delimiter });
      },
      error(err: Error) {
        if (failed) return;
        failed = true;
        reject(new Error(`Could not parse ${file}: ${err.message}`));
      },
    });
  });
}

/** Counts lines quickly (newline bytes) without parsing: for the size of a big file in a preview. */
export async function countLines(file: string): Promise<number> {
  let n = 0;
  let last = 10;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let i = -1;
    while ((i = chunk.indexOf(10, i + 1)) !== -1) n++;
    if (chunk.length) last = chunk[chunk.length - 1];
  }
  return last === 10 ? n : n + 1;
}

/** Finds a column by name (exact, then case-insensitive), or throws naming the columns there are. */
export function columnIndex(header: string[], name: string, file: string, role: string): number {
  let i = header.indexOf(name);
  if (i < 0) i = header.findIndex((h) => h.toLowerCase() === name.trim().toLowerCase());
  if (i < 0) throw new Error(`${path.basename(file)} has no column ${describeValue(name)} (${role}). Its columns: ${listColumns(header)}.`);
  return i;
}

/** The first columns of a header, each quoted as describeValue does (short, printable): a header may be any line of any file. */
export function listColumns(header: string[], shown = 8): string {
  const more = header.length - shown;
  return header.slice(0, shown).map(describeValue).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** A column name as `file:line:column` shows it: bare where it is short and printable, else quoted as describeValue does. */
export function bareColumn(name: string): string {
  const quoted = describeValue(name);
  return quoted === JSON.stringify(name) ? name : quoted;
}

export type ColumnType = 'number' | 'category' | 'text' | 'empty';

/** Counts for one column's values: how many are present, numeric, integer, and how many distinct. */
export interface ColumnStats {
  present: number;
  numeric: number;
  integers: number;
  distinct: number;
}

/**
 * ColumnStats gathered one value at a time. Distinct values are counted up to `distinctLimit` only (more reads as
 * distinctLimit + 1), so a column of a million different numbers keeps no million-entry set.
 */
export class ColumnStatsCounter {
  private present = 0;
  private numeric = 0;
  private integers = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly distinctLimit = Infinity) {}

  add(v: string | undefined): void {
    if (isMissing(v)) return;
    this.present++;
    const t = v!.trim();
    if (this.seen.size <= this.distinctLimit) this.seen.add(t);
    const n = toNumber(t);
    if (!Number.isNaN(n)) {
      this.numeric++;
      if (Number.isInteger(n)) this.integers++;
    }
  }

  stats(): ColumnStats {
    return { present: this.present, numeric: this.numeric, integers: this.integers, distinct: this.seen.size };
  }
}

export function columnStats(values: Iterable<string | undefined>): ColumnStats {
  const counter = new ColumnStatsCounter();
  for (const v of values) counter.add(v);
  return counter.stats();
}

/** A column is numeric when at least 90 % of its present values are numbers (the rest are then bad values). */
export function isNumericColumn(s: ColumnStats): boolean {
  return s.present > 0 && s.numeric >= 0.9 * s.present;
}

export function columnType(s: ColumnStats): ColumnType {
  if (s.present === 0) return 'empty';
  if (isNumericColumn(s)) return 'number';
  return s.distinct <= 50 || s.distinct <= 0.2 * s.present ? 'category' : 'text';
}

/** The preview table: each column's inferred type (from `sample`) and the first rows. */
export function previewTable(header: string[], sample: string[][], firstRows = 20): { columns: { name: string; type: ColumnType; distinct?: number }[]; rows: string[][] } {
  const columns = header.map((name, c) => {
    const st = columnStats(sample.map((r) => r[c]));
    return { name, type: columnType(st), distinct: st.distinct };
  });
  return { columns, rows: sample.slice(0, firstRows).map((r) => [...r]) };
}

/** Sorted class names: numerically when every name is a number, otherwise alphabetically. */
export function sortClassNames(names: Iterable<string>): string[] {
  const list = [...new Set(names)];
  if (list.every((n) => !Number.isNaN(toNumber(n)))) return list.sort((a, b) => toNumber(a) - toNumber(b));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
