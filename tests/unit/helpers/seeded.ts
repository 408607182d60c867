import { mulberry32 } from '../../../main/core/random';

/** Seeded test numbers from the app's one generator (mulberry32), so every backend and run sees the same values. */
export function rng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
    /** Uniform values in [-scale, scale]. */
    values: (n: number, scale = 1) => Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale),
  };
}
