/**
 * `next` with every part that equals the same part of `prev` (deeply, as plain JSON data) replaced by `prev`'s
 * object: an analysis that comes back from the worker as all-new objects then keeps the identity of what an edit did
 * not change, so the layers whose results are the same are not redrawn (memoized views compare by identity).
 */
export function shareUnchanged<T>(prev: T, next: T): T {
  if (Object.is(prev, next) || typeof prev !== 'object' || typeof next !== 'object' || prev === null || next === null) return next;
  if (Array.isArray(prev) !== Array.isArray(next)) return next;
  if (Array.isArray(prev)) {
    const a = prev as unknown[];
    const b = next as unknown[];
    const out = b.map((x, i) => (i < a.length ? shareUnchanged(a[i], x) : x));
    return (a.length === b.length && out.every((x, i) => x === a[i]) ? prev : out) as T;
  }
  const a = prev as Record<string, unknown>;
  const b = next as Record<string, unknown>;
  const keys = Object.keys(b);
  let same = keys.length === Object.keys(a).length;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    out[k] = k in a ? shareUnchanged(a[k], b[k]) : b[k];
    if (out[k] !== a[k]) same = false;
  }
  return (same ? prev : out) as T;
}

/** Whether two values are equal as plain JSON data (what an analysis is made of). */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((x, i) => sameData(x, y[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => k in y && sameData(x[k], y[k]));
}
