import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyzeGraph, createAnalysisCache } from '../../main/core/graph/analyze';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import type { DatasetTarget } from '../../main/core/datasets';
import type { Graph, ProjectNode } from '../../main/core/project';
import { rng } from './helpers/seeded';

const TARGET: DatasetTarget = { datasetName: 'Blobs', inputShape: [8], task: 'classification', numClasses: 3, outputSize: 3 };

function layer(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}

/** Input [8] → Dense × n, each 8 wide. */
function denseChain(n: number): Graph {
  const nodes = [layer('in', 'Input', { shape: [8] })];
  for (let i = 0; i < n; i++) nodes.push(layer(`d${i}`, 'Dense', { units: 8 }));
  return { nodes, edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id })) };
}

function setParams(graph: Graph, id: string, params: Record<string, unknown>): Graph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === id ? { ...n, params: { ...n.params, ...params } } : n)) };
}

/** The layer ids whose shape check ran, in order (the Dense spec's inferShape is what does the work). */
function watchDense() {
  const spy = vi.spyOn(requireLayerSpec('Dense'), 'inferShape');
  return () => spy.mock.calls.map(([, , ctx]) => ctx.name);
}

afterEach(() => vi.restoreAllMocks());

describe('incremental analysis', () => {
  it('re-checks only the layers downstream of an edit', () => {
    const cache = createAnalysisCache();
    const g = denseChain(50);
    analyzeGraph(g, undefined, [], { cache });

    const checked = watchDense();
    // An edit on the last layer but three: it and the layers it feeds, nothing upstream.
    const edited = setParams(g, 'd46', { activation: 'tanh' });
    const a = analyzeGraph(edited, undefined, [], { cache });
    expect(checked()).toEqual(['d46']); // same width: the layers after it see the same input shape
    expect(a.nodes.d49.outputShape).toEqual([8]);

    const wider = setParams(edited, 'd46', { units: 16 });
    const b = analyzeGraph(wider, undefined, [], { cache });
    expect(checked()).toEqual(['d46', 'd46', 'd47']); // d47's input shape changed, d48 and d49 still see [8]
    expect(b.nodes.d47.params).toBe(16 * 8 + 8);
    expect(b).toEqual(analyzeGraph(wider));
  });

  it('re-checks nothing when only positions change, and forgets deleted layers', () => {
    const cache = createAnalysisCache();
    const g = denseChain(20);
    analyzeGraph(g, undefined, [], { cache });
    const checked = watchDense();
    const moved = { ...g, nodes: g.nodes.map((n) => ({ ...n, position: { x: n.position.x + 10, y: 3 } })) };
    expect(analyzeGraph(moved, undefined, [], { cache })).toEqual(analyzeGraph(g));
    expect(checked()).toEqual(g.nodes.slice(1).map((n) => n.name)); // only the uncached full analysis

    // d5 deleted, then a new layer under the same id and name with another width: checked afresh, not taken from before.
    const without = { nodes: g.nodes.filter((n) => n.id !== 'd5'), edges: g.edges.filter((e) => e.source !== 'd5' && e.target !== 'd5') };
    analyzeGraph(without, undefined, [], { cache });
    const back = setParams(g, 'd5', { units: 4 });
    expect(analyzeGraph(back, undefined, [], { cache })).toEqual(analyzeGraph(back));
  });

  it('a layer re-checked for new input shapes, then moved, is not checked again', () => {
    const cache = createAnalysisCache();
    const g = denseChain(10);
    analyzeGraph(g, undefined, [], { cache });
    const checked = watchDense();
    // d0 wider: d1 sees a new input shape (re-checked, the same layer object), the rest the same width as before.
    const wider = setParams(g, 'd0', { units: 16 });
    analyzeGraph(wider, undefined, [], { cache });
    expect(checked()).toEqual(['d0', 'd1']);
    // Every layer moved (new objects, same contents): found by their contents, d1 included.
    const moved = { ...wider, nodes: wider.nodes.map((n) => ({ ...n, position: { x: 5, y: 5 } })) };
    expect(analyzeGraph(moved, undefined, [], { cache })).toEqual(analyzeGraph(wider));
    expect(checked()).toEqual(['d0', 'd1', ...wider.nodes.slice(1).map((n) => n.name)]); // only the uncached full analysis
  });

  it('gives what a full analysis gives over random edit sequences', () => {
    const kinds: [string, () => Record<string, unknown>][] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const r = rng(seed);
      kinds.length = 0;
      kinds.push(
        ['Dense', () => ({ units: r.pick([0, 3, 8, 16]), activation: r.pick(['relu', 'softmax', 'linear']) })],
        ['Dropout', () => ({ rate: r.pick([0.2, 0.5, 1.5]) })],
        ['Reshape', () => ({ targetShape: r.pick([[2, 4], [4, 4], [8]]) })],
        ['Flatten', () => ({})],
        ['Add', () => ({})],
        ['Concatenate', () => ({})],
      );
      const cache = createAnalysisCache();
      let g: Graph = denseChain(6);
      let next = 0;
      for (let step = 0; step < 60; step++) {
        const ids = g.nodes.map((n) => n.id);
        const op = r.int(0, 6);
        if (op === 0 || ids.length < 3) {
          const [kind, params] = r.pick(kinds);
          const id = `n${next++}`;
          g = { nodes: [...g.nodes, layer(id, kind, params())], edges: [...g.edges, { id: `e-${id}`, source: r.pick(ids), target: id }] };
        } else if (op === 1) {
          const id = r.pick(ids.filter((x) => x !== 'in'));
          g = { nodes: g.nodes.filter((n) => n.id !== id), edges: g.edges.filter((e) => e.source !== id && e.target !== id) };
        } else if (op === 2) {
          const target = r.pick(ids.filter((x) => x !== 'in'));
          g = { ...g, edges: [...g.edges, { id: `x${next++}`, source: r.pick(ids), target }] }; // may close a loop
        } else if (op === 3 && g.edges.length) {
          const drop = r.pick(g.edges).id;
          g = { ...g, edges: g.edges.filter((e) => e.id !== drop) };
        } else if (op === 4) {
          const n = r.pick(g.nodes);
          const spec = kinds.find(([k]) => k === n.kind);
          g = setParams(g, n.id, spec ? spec[1]() : { shape: r.pick([[8], [4, 2], [0]]) });
        } else if (op === 5) {
          const id = r.pick(ids);
          g = { ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, name: `${n.name}_r` } : n)) };
        } else {
          g = { ...g, nodes: g.nodes.map((n) => ({ ...n, position: { x: n.position.x + 1, y: 0 } })) };
        }
        const target = step % 2 ? TARGET : undefined;
        expect(analyzeGraph(g, target, [], { cache }), `seed ${seed}, step ${step}`).toEqual(analyzeGraph(g, target));
      }
    }
  });

  it('parses a layer\'s params again only when they change', () => {
    const cache = createAnalysisCache();
    const node = layer('d0', 'Dense', { units: 8 });
    const parsed = cache.parse(node);
    expect(parsed).toMatchObject({ ok: true, params: { units: 8 } });
    // An upstream edit hands over an equal copy of the layer (the worker gets a fresh graph each time).
    expect(cache.parse(structuredClone(node))).toBe(parsed);
    expect(cache.parse({ ...node, params: { ...node.params, units: 12 } })).toMatchObject({ ok: true, params: { units: 12 } });
    expect(cache.parse({ ...node, params: { ...node.params, units: -1 } })).toMatchObject({ ok: false });
  });
});
