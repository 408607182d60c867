/**
 * Column storage for tables read row by row: typed arrays that grow by fixed chunks, so a million-row column costs its
 * values alone (8 or 4 bytes each) and growing never copies what is already stored nor doubles the memory held.
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK - 1;

type Typed = Float64Array | Float32Array | Int32Array;

class ChunkedColumn<A extends Typed> {
  private readonly chunks: A[] = [];
  length = 0;

  constructor(private readonly make: (n: number) => A) {}

  push(value: number): void {
    const at = this.length & IN_CHUNK;
    if (at === 0) this.chunks.push(this.make(CHUNK));
    this.chunks[this.chunks.length - 1][at] = value;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS][i & IN_CHUNK];
  }

  /** Replaces every value v by map(v) in place. */
  update(map: (value: number) => number): void {
    for (const chunk of this.chunks) for (let i = 0; i < chunk.length; i++) chunk[i] = map(chunk[i]);
  }

  /** The values in one array of exactly `length` (for targets, which the splits index directly). */
  toArray(): A {
    const out = this.make(this.length);
    let o = 0;
    for (const chunk of this.chunks) {
      const n = Math.min(CHUNK, this.length - o);
      out.set(chunk.subarray(0, n), o);
      o += n;
    }
    return out;
  }
}

/** Numbers read from a column; NaN marks a missing value. */
export class Float64Column extends ChunkedColumn<Float64Array> {
  constructor() {
    super((n) => new Float64Array(n));
  }
}

export class Float32Column extends ChunkedColumn<Float32Array> {
  constructor() {
    super((n) => new Float32Array(n));
  }
}

export class Int32Column extends ChunkedColumn<Int32Array> {
  constructor() {
    super((n) => new Int32Array(n));
  }
}

/**
 * A copy of `s` that shares no memory with the string it was cut from. A field papaparse hands over is a slice of its
 * whole input chunk (64 KiB); V8 keeps that chunk alive as long as the slice, or a string built from it, lives.
 * Prepending a character forces V8 to write a new flat string, and slicing that one drops the chunk.
 */
export function detached(s: string): string {
  return (' ' + s).slice(1);
}

/**
 * The values of a categorical column as codes: each distinct value gets a code when first seen (-1: missing).
 * `sortCodes` then renumbers the codes in the order of a sorted list of the names, so code i is names[i].
 */
export class CodedColumn {
  readonly codes = new Int32Column();
  names: string[] = [];
  private readonly index = new Map<string, number>();

  push(value: string | null): void {
    if (value === null) {
      this.codes.push(-1);
      return;
    }
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.names.length;
      const name = detached(value);
      this.names.push(name);
      this.index.set(name, code);
    }
    this.codes.push(code);
  }

  sortCodes(sort: (names: string[]) => string[]): void {
    const sorted = sort(this.names);
    const position = new Map(sorted.map((name, i) => [name, i]));
    const renumber = Int32Array.from(this.names, (name) => position.get(name)!);
    this.codes.update((c) => (c < 0 ? c : renumber[c]));
    this.names = sorted;
    this.index.clear();
    sorted.forEach((name, i) => this.index.set(name, i));
  }
}

const TEXT_CHUNK_BYTES = 1 << 20;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * Texts stored as UTF-8 in byte chunks. A parsed field is a slice of the parser's whole input chunk, so keeping the
 * strings themselves would keep every chunk of the file alive; the bytes cost the text alone.
 */
export class TextColumn {
  private readonly chunks: Uint8Array[] = [];
  private used = 0;
  private readonly chunkOf = new Int32Column();
  private readonly start = new Int32Column();
  private readonly end = new Int32Column();

  get length(): number {
    return this.chunkOf.length;
  }

  push(text: string): void {
    const most = text.length * 3; // UTF-8 bytes for a UTF-16 string, at most
    const last = this.chunks[this.chunks.length - 1];
    if (!last || this.used + most > last.length) {
      this.chunks.push(new Uint8Array(Math.max(TEXT_CHUNK_BYTES, most)));
      this.used = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1];
    const { written } = utf8.encodeInto(text, chunk.subarray(this.used));
    this.chunkOf.push(this.chunks.length - 1);
    this.start.push(this.used);
    this.used += written;
    this.end.push(this.used);
  }

  get(i: number): string {
    return fromUtf8.decode(this.chunks[this.chunkOf.get(i)].subarray(this.start.get(i), this.end.get(i)));
  }
}
