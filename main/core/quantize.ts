/**
 * Weight quantization of a TensorFlow.js layers model, as the tfjs converter writes it (tfjs_converter
 * quantization.py) and tfjs's own weight decoder reads it back (`tf.io.decodeWeights`, so stock
 * `tf.loadLayersModel` loads the files):
 * - float16: each float32 weight as a half-precision float (`quantization: { dtype: 'float16' }`), half the size;
 * - uint8: each float32 weight as 0..255 with its own affine scale and minimum (`{ dtype: 'uint8', scale, min }`,
 *   value = q · scale + min), a quarter of the size; the range is nudged so 0 stays exactly 0 (zero padding, ReLU).
 * Integer and boolean weights are kept as they are. Pure: typed arrays only.
 */

export const QUANTIZATIONS = ['none', 'float16', 'uint8'] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

/** The part of a weights manifest entry quantization reads and writes (tf.io.WeightsManifestEntry). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number };
  group?: string;
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

function byteSize(spec: WeightSpec): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES_PER_VALUE[dtype];
  if (size === undefined) throw new Error(`Weight ${spec.name} has dtype ${dtype}, which cannot be quantized or copied.`);
  return count * size;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** A float32 as IEEE half-precision bits, rounded to nearest even; beyond ±65504 it becomes ±Infinity. */
export function float16Bits(value: number): number {
  scratch[0] = value;
  const x = scratchBits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Infinity, NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half's smallest subnormal
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let bits = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && bits & 1)) bits++;
    return sign | bits;
  }
  let bits = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && bits & 1)) bits++; // may carry into the exponent, as it should
  return sign | bits;
}

/** The converter's uint8 range for values in [min, max]: scale and a minimum nudged so 0 is a code exactly. */
export function affineRange(min: number, max: number): { scale: number; min: number } {
  const levels = 255;
  if (max === min) return { scale: 1, min };
  const scale = (max - min) / levels;
  if (min <= 0 && 0 <= max) {
    const zeroPoint = Math.round(-min / scale);
    return { scale, min: -zeroPoint * scale };
  }
  return { scale, min };
}

/**
 * The weights quantized: new specs (with `quantization`) and the new weight data, in the same order. Weights already
 * quantized, or not float32, are copied unchanged. `none` gives the input back.
 */
export function quantizeWeights(specs: readonly WeightSpec[], data: ArrayBuffer, quantization: Quantization): { specs: WeightSpec[]; data: ArrayBuffer } {
  if (quantization === 'none') return { specs: specs.map((s) => ({ ...s })), data };
  const sizes = specs.map((s) => byteSize(s));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== data.byteLength) throw new Error(`The weights manifest describes ${total} bytes but the weight data has ${data.byteLength}.`);
  const outSpecs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  specs.forEach((spec, i) => {
    const bytes = new Uint8Array(data, offset, sizes[i]);
    offset += sizes[i];
    if (spec.dtype !== 'float32' || spec.quantization) {
      outSpecs.push({ ...spec });
      parts.push(bytes.slice());
      return;
    }
    const values = new Float32Array(bytes.slice().buffer);
    if (quantization === 'float16') {
      const half = new Uint16Array(values.length);
      for (let j = 0; j < values.length; j++) half[j] = float16Bits(values[j]);
      outSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
      parts.push(new Uint8Array(half.buffer));
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (values.length === 0) lo = hi = 0;
    const range = affineRange(lo, hi);
    const top = range.min + 255 * range.scale;
    const codes = new Uint8Array(values.length);
    for (let j = 0; j < values.length; j++) {
      const clipped = Math.min(Math.max(values[j], range.min), top);
      codes[j] = Math.round((clipped - range.min) / range.scale);
    }
    outSpecs.push({ ...spec, quantization: { dtype: 'uint8', scale: range.scale, min: range.min } });
    parts.push(codes);
  });
  const joined = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return { specs: outSpecs, data: joined.buffer };
}
