/**
 * The one seeded random number generator of Neurowire: the data split, the batch order and (by
 * replacing Math.random in the training thread) weight initialization all follow the project's seeds.
 * The generated training code uses the same algorithm, so its split matches the app's.
 */

/** mulberry32: a small, fast, seedable 32-bit PRNG giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles in place (Fisher–Yates) driven by `rand`. */
export function shuffleInPlace(idx: Int32Array, rand: () => number): void {
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
}

/** A permutation of 0..n-1 driven by `rand`. */
export function shuffledIndices(n: number, rand: () => number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  shuffleInPlace(idx, rand);
  return idx;
}
