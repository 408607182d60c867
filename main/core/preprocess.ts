/**
 * How one raw value becomes a model input: the tokenizer, the table encodings and pixel scaling. Training (the
 * dataset readers in main/node/datasets) and prediction on one sample (the engine's model.predict) both call these,
 * with the statistics training stored in the model's preprocessing (Preprocessing, exported as preprocessing.json).
 * Pure.
 */
import type { Preprocessing } from './datasets';

export const PAD = '<pad>';
export const UNK = '<unk>';

// ---------------------------------------------------------------- text

/** Runs of letters/digits (Unicode), lowercased when asked; everything else separates tokens. */
export function tokenize(text: string, lowercase: boolean): string[] {
  const t = lowercase ? text.toLowerCase() : text;
  return t.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** 0 = <pad>, 1 = <unk>, then the vocabSize-2 most frequent tokens (ties: alphabetical). */
export function buildVocabulary(texts: Iterable<string>, vocabSize: number, lowercase: boolean): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of tokenize(t, lowercase)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, Math.max(0, vocabSize - 2));
  return [PAD, UNK, ...words.map((w) => w[0])];
}

/** Token → id for a vocabulary; the first of a repeated word wins, and the padding and unknown slots are never matched. */
export function vocabularyIds(vocabulary: readonly string[]): Map<string, number> {
  const ids = new Map<string, number>();
  vocabulary.forEach((w, i) => {
    if (i >= 2 && !ids.has(w)) ids.set(w, i);
  });
  return ids;
}

/** Token ids of `text`, truncated to / padded (0) at the end up to `length`; unknown tokens are 1. */
export function encodeText(text: string, vocab: Map<string, number>, length: number, lowercase: boolean, out: Int32Array, offset: number): void {
  const tokens = tokenize(text, lowercase);
  const n = Math.min(tokens.length, length);
  for (let i = 0; i < n; i++) out[offset + i] = vocab.get(tokens[i]) ?? 1;
  for (let i = n; i < length; i++) out[offset + i] = 0;
}

// ---------------------------------------------------------------- tables

export const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-']);
/** The longest token in MISSING_TOKENS. */
const LONGEST_MISSING = 4;
export function isMissing(v: string | undefined): boolean {
  if (v === undefined) return true;
  // Most values are longer than any token and start and end with a visible ASCII character (nothing to trim): skip
  // the trimmed, lowercased copy for them (a table has millions).
  const n = v.length;
  if (n > LONGEST_MISSING && visibleAscii(v.charCodeAt(0)) && visibleAscii(v.charCodeAt(n - 1))) return false;
  return MISSING_TOKENS.has(v.trim().toLowerCase());
}
function visibleAscii(code: number): boolean {
  return code > 32 && code < 127;
}
/** A finite number, or NaN for text (and for missing values). */
export function toNumber(v: string): number {
  const t = v.trim();
  if (t === '') return NaN;
  const n = Number(t);
  return Number.isFinite(n) ? n : NaN;
}

export type TabularFeature = Extract<Preprocessing, { kind: 'tabular' }>['features'][number];
export type NumericFeature = Extract<TabularFeature, { type: 'numeric' }>;
export type CategoricalFeature = Extract<TabularFeature, { type: 'categorical' }>;

/** Model inputs one column gives: 1, or one per category (one-hot). */
export function featureWidth(f: TabularFeature): number {
  return f.type === 'categorical' && f.encoding === 'onehot' ? f.categories.length : 1;
}

/** A standardized number; NaN (missing) takes the feature's fill value first. */
export function standardize(f: NumericFeature, value: number): number {
  return ((Number.isNaN(value) ? f.missingFill : value) - f.mean) / f.std;
}

/** Writes a category's encoding at `offset`: code is its index in f.categories, -1 for missing (all zeros / 0). */
export function writeCategory(f: CategoricalFeature, code: number, out: Float32Array, offset: number): void {
  if (f.encoding === 'onehot') {
    if (code >= 0) out[offset + code] = 1;
  } else out[offset] = code + 1;
}

/** A bad one-sample input: what is wrong, and the field (column) it is in when there is one. */
export class SampleError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SampleError';
  }
}

const DELIMITERS = [',', '\t', ';', '|'];

/**
 * The fields of one typed table row (quotes as in CSV). With `delimiter` 'auto' the first of comma, tab, semicolon
 * and | that gives `expected` fields is used.
 */
export function splitRow(text: string, expected: number, delimiter = 'auto'): string[] {
  const line = text.replace(/\r?\n$/, '');
  if (delimiter !== 'auto') return splitOn(line, delimiter);
  let first: string[] | null = null;
  for (const d of DELIMITERS) {
    const fields = splitOn(line, d);
    first ??= fields;
    if (fields.length === expected) return fields;
  }
  return first!;
}

function splitOn(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** One table row's fields (in the preprocessing's column order) encoded as training encoded that column. */
export function encodeTableRow(pre: Extract<Preprocessing, { kind: 'tabular' }>, fields: readonly string[]): Float32Array {
  const columns = pre.features.map((f) => f.column);
  if (fields.length !== columns.length) {
    throw new SampleError(`Expected ${columns.length} field${columns.length === 1 ? '' : 's'} (${columns.join(', ')}) but the row has ${fields.length}.`);
  }
  const out = new Float32Array(pre.features.reduce((n, f) => n + featureWidth(f), 0));
  let o = 0;
  pre.features.forEach((f, i) => {
    const raw = fields[i];
    if (f.type === 'numeric') {
      const value = isMissing(raw) ? NaN : toNumber(raw);
      if (!isMissing(raw) && Number.isNaN(value)) throw new SampleError(`Column "${f.column}": "${raw.trim()}" is not a number.`, f.column);
      out[o] = standardize(f, value);
    } else {
      const category = isMissing(raw) ? f.missingFill : raw.trim();
      const code = category === null ? -1 : f.categories.indexOf(category);
      if (category !== null && code < 0) {
        const known = f.categories.slice(0, 8).join(', ') + (f.categories.length > 8 ? ', …' : '');
        throw new SampleError(`Column "${f.column}": unknown category "${category}" (training saw ${known}).`, f.column);
      }
      writeCategory(f, code, out, o);
    }
    o += featureWidth(f);
  });
  return out;
}

/** A sentence as token ids, with the vocabulary and length training used. */
export function encodeTextSample(pre: Extract<Preprocessing, { kind: 'text' }>, text: string): Int32Array {
  const out = new Int32Array(pre.sequenceLength);
  encodeText(text, vocabularyIds(pre.vocabulary), pre.sequenceLength, pre.lowercase, out, 0);
  return out;
}

// ---------------------------------------------------------------- images

/** Pixel bytes (0..255, HWC) scaled to model inputs (0..1) at `offset`. */
export function scalePixels(bytes: ArrayLike<number>, out: Float32Array, offset = 0, scale = 1 / 255): void {
  for (let j = 0; j < bytes.length; j++) out[offset + j] = bytes[j] * scale;
}

/**
 * A drawn digit made like an MNIST one: the ink's bounding box scaled (aspect kept) to fit 20×20, placed in a
 * 28×28 image with its centre of mass at the centre. `ink` is one value per pixel (0 = background, 255 = full ink),
 * row by row, of a width×height drawing. Returns 784 bytes; an empty drawing gives all zeros.
 */
export function mnistDigit(ink: ArrayLike<number>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(28 * 28);
  let top = height;
  let left = width;
  let bottom = -1;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 0) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return out;
  const boxW = right - left + 1;
  const boxH = bottom - top + 1;
  const scale = 20 / Math.max(boxW, boxH);
  const w = Math.max(1, Math.round(boxW * scale));
  const h = Math.max(1, Math.round(boxH * scale));
  // Area-average the box into w×h (each target pixel averages the source pixels it covers).
  const small = new Float32Array(w * h);
  for (let ty = 0; ty < h; ty++) {
    const y0 = top + Math.floor((ty * boxH) / h);
    const y1 = Math.max(y0 + 1, top + Math.floor(((ty + 1) * boxH) / h));
    for (let tx = 0; tx < w; tx++) {
      const x0 = left + Math.floor((tx * boxW) / w);
      const x1 = Math.max(x0 + 1, left + Math.floor(((tx + 1) * boxW) / w));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += ink[y * width + x];
      small[ty * w + tx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x];
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  const dx = Math.round(14 - (mass > 0 ? cx / mass : (w - 1) / 2) - 0.5);
  const dy = Math.round(14 - (mass > 0 ? cy / mass : (h - 1) / 2) - 0.5);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ox = x + dx;
      const oy = y + dy;
      if (ox >= 0 && ox < 28 && oy >= 0 && oy < 28) out[oy * 28 + ox] = Math.min(255, Math.round(small[y * w + x]));
    }
  }
  return out;
}
