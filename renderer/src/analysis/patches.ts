import type { GraphAnalysis, NodeAnalysis } from '../../../main/core/graph/analyze';
import type { EditorAnalysisRequest } from '../../../main/core/graph/editorAnalysis';
import type { Graph, ProjectEdge, ProjectNode } from '../../../main/core/project';
import { sameData } from './shareUnchanged';

/*
 * What goes between the UI thread and the analysis worker: each side keeps the other's last word and sends only what
 * changed since. An edit on a 1,000-layer graph then posts one layer, not the whole graph, and a reply carries only
 * the layers whose results changed, not 1,000 new objects for the UI thread to compare with those it shows.
 */

/** The graph as it changed since the previous patch the worker received. */
export interface GraphPatch {
  /** The worker forgets its graph first (the first request, or after the worker failed). */
  reset: boolean;
  /** Layers new or changed since then. */
  nodes: ProjectNode[];
  /** Every layer's id in graph order, where the set or the order changed; absent: as before. */
  ids?: string[];
  /** The connections, where they changed; absent: as before. */
  edges?: ProjectEdge[];
}

/** An EditorAnalysisRequest with its graph as a patch. */
export type AnalysisRequestPatch = Omit<EditorAnalysisRequest, 'graph'> & { graph: GraphPatch };

/** An analysis as it changed since the previous one the worker sent. */
export interface AnalysisPatch {
  /** Everything but the layers' results, whole (small: a few messages, the ids). */
  graphWide: Omit<GraphAnalysis, 'nodes'>;
  /** Layers whose results are new or differ. */
  nodes: Record<string, NodeAnalysis>;
  /** Every analysed layer's id in graph order, where the set or the order changed; absent: as before. */
  ids?: string[];
}

function sameIds(a: readonly { id: string }[], b: readonly { id: string }[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i].id);
}

/** `next` as a patch on `prev` (null: the worker has no graph yet). Layers are compared by identity, as the store keeps them. */
export function graphPatch(prev: Graph | null, next: Graph): GraphPatch {
  if (!prev) return { reset: true, nodes: next.nodes, ids: next.nodes.map((n) => n.id), edges: next.edges };
  const edges = prev.edges === next.edges ? {} : { edges: next.edges };
  if (prev.nodes === next.nodes) return { reset: false, nodes: [], ...edges };
  if (sameIds(prev.nodes, next.nodes)) return { reset: false, nodes: next.nodes.filter((n, i) => n !== prev.nodes[i]), ...edges };
  const before = new Map(prev.nodes.map((n) => [n.id, n]));
  return { reset: false, nodes: next.nodes.filter((n) => before.get(n.id) !== n), ids: next.nodes.map((n) => n.id), ...edges };
}

/** The worker's copy of the graph, brought up to date by patches. */
export interface GraphReplica {
  apply(patch: GraphPatch): Graph;
}

export function createGraphReplica(): GraphReplica {
  let byId = new Map<string, ProjectNode>();
  let ids: string[] = [];
  let edges: ProjectEdge[] = [];
  return {
    apply(patch) {
      if (patch.reset) byId = new Map();
      for (const n of patch.nodes) byId.set(n.id, n);
      if (patch.ids) {
        ids = patch.ids;
        if (byId.size > ids.length) byId = new Map(ids.map((id) => [id, byId.get(id)!]));
      }
      if (patch.edges) edges = patch.edges;
      const nodes = ids.map((id) => {
        const n = byId.get(id);
        if (!n) throw new Error(`the analysis worker has no layer "${id}"`);
        return n;
      });
      return { nodes, edges };
    },
  };
}

/** `next` as a patch on `prev` (null: the UI thread has none yet); layers' results are compared as data. */
export function analysisPatch(prev: GraphAnalysis | null, next: GraphAnalysis): AnalysisPatch {
  const { nodes, ...graphWide } = next;
  const changed: Record<string, NodeAnalysis> = {};
  for (const id in nodes) if (!prev || !sameData(prev.nodes[id], nodes[id])) changed[id] = nodes[id];
  const ids = Object.keys(nodes);
  const idsChanged = !prev || !sameItems(Object.keys(prev.nodes), ids);
  return { graphWide, nodes: changed, ...(idsChanged ? { ids } : {}) };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `patch` applied to `prev`: the layers it does not name keep their objects, so their views need not render again. */
export function mergeAnalysis(prev: GraphAnalysis | null, patch: AnalysisPatch): GraphAnalysis {
  let nodes: Record<string, NodeAnalysis>;
  if (patch.ids || !prev) {
    nodes = {};
    for (const id of patch.ids ?? []) {
      const info = patch.nodes[id] ?? prev?.nodes[id];
      if (!info) throw new Error(`the analysis has no results for layer "${id}"`);
      nodes[id] = info;
    }
  } else {
    nodes = { ...prev.nodes, ...patch.nodes };
  }
  return { ...patch.graphWide, nodes };
}
