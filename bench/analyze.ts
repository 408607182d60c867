/**
 * Graph analysis on long graphs (it runs on every edit in the UI): a chain of N layers, and the same chain behind
 * a 2-layer loop. `npx tsx bench/analyze.ts`
 */
import { analyzeGraph } from '../main/core/graph/analyze';
import { defaultParams } from '../main/core/layers/params';
import { requireLayerSpec } from '../main/core/layers/registry';
function layer(id: string, kind: string, params: Record<string, unknown> = {}) {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}
for (const n of [1000, 4000]) {
  const nodes = [layer('in', 'Input', { shape: [8] }), layer('a', 'Dense', { units: 8 }), layer('b', 'Dense', { units: 8 })];
  const edges = [{ id: 'e0', source: 'in', target: 'a' }, { id: 'e1', source: 'a', target: 'b' }, { id: 'e2', source: 'b', target: 'a' }];
  let prev = 'b';
  for (let i = 0; i < n; i++) { const id = `d${i}`; nodes.push(layer(id, 'Dense', { units: 8 })); edges.push({ id: `f${i}`, source: prev, target: id }); prev = id; }
  const t0 = performance.now();
  const r = analyzeGraph({ nodes, edges } as never);
  console.log(`${n} layers behind a 2-layer loop: ${(performance.now() - t0).toFixed(1)} ms, ${r.errors.length} errors`);
  const chainNodes = [layer('in', 'Input', { shape: [8] })]; const chainEdges = [] as { id: string; source: string; target: string }[]; prev = 'in';
  for (let i = 0; i < n; i++) { const id = `d${i}`; chainNodes.push(layer(id, 'Dense', { units: 8 })); chainEdges.push({ id: `f${i}`, source: prev, target: id }); prev = id; }
  const t1 = performance.now(); analyzeGraph({ nodes: chainNodes, edges: chainEdges } as never);
  console.log(`${n} layers, no loop: ${(performance.now() - t1).toFixed(1)} ms`);
}
