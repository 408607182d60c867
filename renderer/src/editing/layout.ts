import ELK from 'elkjs/lib/elk-api.js';
import type { Graph } from '../../../main/core/project';
import { layoutRequest, withLayout, type ElkAnswer, type LayoutDirection } from '../../../main/core/graph/layout';

type Sizes = Readonly<Record<string, { width: number; height: number }>>;
type LayoutEngine = { layout(graph: ReturnType<typeof layoutRequest>): Promise<ElkAnswer> };

let engine: Promise<LayoutEngine> | null = null;

/** ELK in a web worker where there are workers (the page never blocks); in-process elsewhere (tests in Node). */
function elk(): Promise<LayoutEngine> {
  engine ??=
    typeof Worker !== 'undefined'
      ? Promise.resolve(new ELK({ workerFactory: () => new Worker(new URL('./elk.worker.ts', import.meta.url), { type: 'module' }) }) as LayoutEngine)
      : import('elkjs/lib/elk.bundled.js').then((m) => new m.default() as LayoutEngine);
  return engine;
}

/** The graph laid out by ELK's layered algorithm (see main/core/graph/layout.ts). */
export async function layOutGraph(graph: Graph, direction: LayoutDirection, sizes: Sizes = {}): Promise<Graph> {
  if (!graph.nodes.length) return graph;
  const answer = await (await elk()).layout(layoutRequest(graph, direction, sizes));
  return withLayout(graph, answer);
}
