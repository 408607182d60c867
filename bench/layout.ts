/**
 * Auto-layout time (ELK layered, in-process; the editor runs the same request in a worker): ResNet-like graphs of
 * N blocks (conv → bn → relu → conv, plus a skip connection joined by Add). `npx tsx bench/layout.ts`
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutRequest, withLayout } from '../main/core/graph/layout';
import type { Graph } from '../main/core/project';

function resnet(blocks: number): Graph {
  const nodes: Graph['nodes'] = [{ id: 'in', kind: 'Input', name: 'in', params: {}, position: { x: 0, y: 0 } }];
  const edges: Graph['edges'] = [];
  let prev = 'in';
  for (let b = 0; b < blocks; b++) {
    const ids = ['c1', 'bn', 'r', 'c2', 'add'].map((s) => `${s}_${b}`);
    for (const id of ids) nodes.push({ id, kind: 'Dense', name: id, params: {}, position: { x: 0, y: 0 } });
    const chain = [prev, ...ids];
    for (let i = 1; i < chain.length; i++) edges.push({ id: `e_${chain[i - 1]}_${chain[i]}`, source: chain[i - 1], target: chain[i] });
    edges.push({ id: `skip_${b}`, source: prev, target: ids[4] });
    prev = ids[4];
  }
  return { nodes, edges };
}

async function main() {
  const elk = new ELK();
  await elk.layout(layoutRequest(resnet(2), 'RIGHT')); // warm-up
  for (const blocks of [4, 20, 80]) {
    const graph = resnet(blocks);
    const t0 = performance.now();
    withLayout(graph, await elk.layout(layoutRequest(graph, 'RIGHT')));
    console.log(`${graph.nodes.length} layers, ${graph.edges.length} connections: ${(performance.now() - t0).toFixed(0)} ms`);
  }
}

void main();
