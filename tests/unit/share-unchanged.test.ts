import { describe, expect, it } from 'vitest';
import { sameData, shareUnchanged } from '../../renderer/src/analysis/shareUnchanged';

describe('shareUnchanged', () => {
  const prev = {
    nodes: { a: { outputShape: [32], errors: [] as string[] }, b: { outputShape: [32], errors: ['too small'] } },
    totalParams: 10,
  };

  it('keeps the previous objects where nothing changed, and only there', () => {
    const next = structuredClone(prev);
    next.nodes.a.outputShape = [48];
    next.totalParams = 11;
    const shared = shareUnchanged(prev, next);
    expect(shared).toEqual(next);
    expect(shared).not.toBe(prev);
    expect(shared.nodes.b).toBe(prev.nodes.b);
    expect(shared.nodes.a).not.toBe(prev.nodes.a);
    expect(shared.nodes.a.errors).toBe(prev.nodes.a.errors);
    expect(shared.nodes.a.outputShape).toEqual([48]);
  });

  it('returns the previous value itself when everything is equal', () => {
    expect(shareUnchanged(prev, structuredClone(prev))).toBe(prev);
  });

  it('takes new and removed keys and array lengths into account', () => {
    const added = { ...structuredClone(prev), nodes: { ...structuredClone(prev.nodes), c: { outputShape: [1], errors: [] } } };
    expect(shareUnchanged(prev, added)).toEqual(added);
    const fewer = { nodes: { a: structuredClone(prev.nodes.a) }, totalParams: 10 };
    expect(shareUnchanged(prev as unknown as typeof fewer, fewer)).toEqual(fewer);
    expect(shareUnchanged([1, 2], [1, 2, 3])).toEqual([1, 2, 3]);
    expect(shareUnchanged({ shape: null as number[] | null }, { shape: [3] })).toEqual({ shape: [3] });
  });

  it('sameData compares as plain data', () => {
    expect(sameData(prev, structuredClone(prev))).toBe(true);
    expect(sameData({ a: [1, 2] }, { a: [1, 3] })).toBe(false);
    expect(sameData({ a: [] }, { a: {} })).toBe(false);
    expect(sameData({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameData({ a: 1, b: undefined }, { a: 1 })).toBe(false);
    expect(sameData(null, {})).toBe(false);
  });
});
