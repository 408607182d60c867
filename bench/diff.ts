/**
 * Comparing long networks (`npm run diff`, Compare…): a chain of N layers against a copy with the same names, against
 * a copy whose every id and name differ (paired by structure), and against a copy with one layer inserted mid-way.
 * Each figure is the median of 5 runs (the machine may be shared). `npx tsx bench/diff.ts`
 */
import { diffGraphs } from '../main/core/graph/diff';
import type { Graph, ProjectNode } from '../main/core/project';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(what: string, run: () => unknown): void {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    run();
    ms.push(performance.now() - t0);
  }
  console.log(`${what}: median ${median(ms).toFixed(0)} ms (fastest ${Math.min(...ms).toFixed(0)} ms)`);
}

/** Input → (Dense(16), Dropout) × n/2, every id and name starting with `prefix`; `insertAt` adds a Dropout there. */
function chain(n: number, prefix: string, insertAt = -1): Graph {
  const nodes: ProjectNode[] = [{ id: `${prefix}in`, kind: 'Input', name: `${prefix}input`, params: { shape: [16] }, position: { x: 0, y: 0 } }];
  const edges: Graph['edges'] = [];
  for (let i = 0; i < n; i++) {
    const extra = i === insertAt ? [{ id: `${prefix}extra`, kind: 'Dropout', name: `${prefix}extra`, params: { rate: 0.5 }, position: { x: 0, y: 0 } }] : [];
    nodes.push(...extra, { id: `${prefix}n${i}`, kind: i % 2 ? 'Dropout' : 'Dense', name: `${prefix}layer_${i}`, params: i % 2 ? { rate: 0.1 } : { units: 16 }, position: { x: 0, y: 0 } });
  }
  for (let i = 1; i < nodes.length; i++) edges.push({ id: `${prefix}e${i}`, source: nodes[i - 1].id, target: nodes[i].id });
  return { nodes, edges };
}

for (const n of [1000, 5000]) {
  const base = chain(n, 'a_');
  time(`${n} layers, same names`, () => diffGraphs(base, chain(n, 'a_')));
  time(`${n} layers, every id and name differs`, () => diffGraphs(base, chain(n, 'b_')));
  time(`${n} layers, one inserted mid-way`, () => diffGraphs(base, chain(n, 'a_', n / 2)));
}
