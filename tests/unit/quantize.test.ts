import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { affineRange, float16Bits, quantizeWeights, type WeightSpec } from '../../main/core/quantize';
import { mulberry32 } from '../../main/node/datasets';

/** What stock tfjs reads back from quantized weights. */
function decoded(specs: WeightSpec[], data: ArrayBuffer): Record<string, Float32Array> {
  const tensors = tf.io.decodeWeights(data, specs as tf.io.WeightsManifestEntry[]);
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.dataSync() as Float32Array]));
}

function weights(seed: number): { specs: WeightSpec[]; data: ArrayBuffer; values: Record<string, Float32Array> } {
  const random = mulberry32(seed);
  const kernel = Float32Array.from({ length: 64 * 10 }, () => (random() - 0.5) * 0.6);
  const bias = Float32Array.from({ length: 10 }, () => random() * 0.1 + 0.02); // all positive: no zero in range
  const steps = Int32Array.from([3, 1, 4]);
  const zeros = new Float32Array(5);
  const specs: WeightSpec[] = [
    { name: 'dense/kernel', shape: [64, 10], dtype: 'float32' },
    { name: 'dense/bias', shape: [10], dtype: 'float32' },
    { name: 'counter', shape: [3], dtype: 'int32' },
    { name: 'empty/bias', shape: [5], dtype: 'float32' },
  ];
  const parts = [kernel, bias, steps, zeros].map((a) => new Uint8Array(a.buffer));
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { specs, data: data.buffer, values: { 'dense/kernel': kernel, 'dense/bias': bias, counter: Float32Array.from(steps), 'empty/bias': zeros } };
}

describe('weight quantization', () => {
  it('writes float16 as IEEE half precision, rounding to nearest even', () => {
    expect(float16Bits(0)).toBe(0);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(1e6)).toBe(0x7c00);
    expect(float16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(float16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway: to even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('keeps 0 exact in a uint8 range that holds it, and uses the range itself otherwise', () => {
    const r = affineRange(-0.3, 0.7);
    expect(r.scale).toBeCloseTo(1 / 255, 12);
    expect(Math.abs(-r.min / r.scale - Math.round(-r.min / r.scale))).toBeLessThan(1e-9);
    expect(affineRange(0.2, 0.7)).toEqual({ scale: 0.5 / 255, min: 0.2 });
    expect(affineRange(3, 3)).toEqual({ scale: 1, min: 3 });
  });

  for (const [quantization, bytesPerValue, tolerance] of [['float16', 2, 1e-3], ['uint8', 1, 0.6 / 255 / 2 + 1e-6]] as const) {
    it(`${quantization}: stock tfjs decodes every weight back within its precision, integers unchanged`, () => {
      const source = weights(7);
      const out = quantizeWeights(source.specs, source.data, quantization);
      expect(out.data.byteLength).toBe((640 + 10 + 5) * bytesPerValue + 3 * 4);
      expect(out.specs.map((s) => s.quantization?.dtype ?? s.dtype)).toEqual([quantization, quantization, 'int32', quantization]);
      const back = decoded(out.specs, out.data);
      for (const [name, values] of Object.entries(source.values)) {
        const error = Math.max(...values.map((v, i) => Math.abs(v - back[name][i])));
        expect(error, name).toBeLessThanOrEqual(name === 'counter' || name === 'empty/bias' ? 0 : tolerance);
      }
    });
  }

  it('refuses weight data that does not match its manifest, saying both sizes', () => {
    const source = weights(1);
    expect(() => quantizeWeights(source.specs, source.data.slice(4), 'uint8')).toThrow(/describes 2632 bytes but the weight data has 2628/);
  });
});
