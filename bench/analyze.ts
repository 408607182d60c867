/**
 * Graph analysis on long graphs (it runs on every edit in the UI): a chain of N layers, and the same chain behind
 * a 2-layer loop; then an edit near the end of the chain, analysed again with the per-layer cache the editor keeps.
 * Each figure is the median of 7 runs (the machine may be shared). `npx tsx bench/analyze.ts`
 */
import { analyzeGraph, createAnalysisCache } from '../main/core/graph/analyze';
import { defaultParams } from '../main/core/layers/params';
import { requireLayerSpec } from '../main/core/layers/registry';
import type { Graph, ProjectNode } from '../main/core/project';

function layer(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(what: string, run: () => void): void {
  const ms: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    run();
    ms.push(performance.now() - t0);
  }
  console.log(`${what}: median ${median(ms).toFixed(1)} ms (fastest ${Math.min(...ms).toFixed(1)} ms)`);
}

/** Input → Dense(8) × n, after `prefix` layers. */
function chain(n: number, prefix: ProjectNode[] = [], prefixEdges: Graph['edges'] = []): Graph {
  const nodes = prefix.length ? [...prefix] : [layer('in', 'Input', { shape: [8] })];
  const edges = [...prefixEdges];
  let prev = nodes[nodes.length - 1].id;
  for (let i = 0; i < n; i++) {
    const id = `d${i}`;
    nodes.push(layer(id, 'Dense', { units: 8 }));
    edges.push({ id: `f${i}`, source: prev, target: id });
    prev = id;
  }
  return { nodes, edges };
}

for (const n of [1000, 4000]) {
  const loop = chain(n, [layer('in', 'Input', { shape: [8] }), layer('a', 'Dense', { units: 8 }), layer('b', 'Dense', { units: 8 })], [
    { id: 'e0', source: 'in', target: 'a' },
    { id: 'e1', source: 'a', target: 'b' },
    { id: 'e2', source: 'b', target: 'a' },
  ]);
  console.log(`${n} layers behind a 2-layer loop: ${analyzeGraph(loop).errors.length} graph error(s)`);
  time(`${n} layers behind a 2-layer loop`, () => analyzeGraph(loop));
  const plain = chain(n);
  time(`${n} layers, no loop`, () => analyzeGraph(plain));
  const cache = createAnalysisCache();
  analyzeGraph(plain, undefined, [], { cache });
  let units = 8;
  time(`${n} layers, no loop, one edit near the end, with the cache`, () => {
    units = units === 8 ? 16 : 8;
    const nodes = plain.nodes.map((node, i) => (i === n - 2 ? { ...node, params: { ...node.params, units } } : node));
    analyzeGraph({ nodes, edges: plain.edges }, undefined, [], { cache });
  });
}
