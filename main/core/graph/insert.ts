/**
 * Inserting one layer where the person points: after a layer (quick-add, a layer's menu), on a connection (a drop
 * onto an edge, an edge's menu) or at a spot of the canvas. Wired inserts go through the fixes' edits, so a layer
 * inserted by hand lands where a fix would put it.
 */
import type { Graph } from '../project';
import { getLayerSpec, isInputKind } from '../layers/registry';
import { defaultParams } from '../layers/params';
import { applyFix, freeSpot, uniqueLayerName, type ApplyResult, type GraphEdit } from './edits';

export type InsertPlace =
  /** After this layer, taking over the connections out of it. */
  | { after: string }
  /** On this connection: source → new → target, in the connection's place among the target's inputs. */
  | { onEdge: string }
  /** Unconnected, with its top-left corner here (or just below, where it covers no other layer). */
  | { at: { x: number; y: number } };

export function insertLayer(graph: Graph, kind: string, place: InsertPlace, options: { newId: (hint: string) => string }): ApplyResult {
  const spec = getLayerSpec(kind);
  if (!spec) return { ok: false, error: `Unknown layer kind “${kind}”.` };
  if ('at' in place) {
    const name = uniqueLayerName(spec.namePrefix, new Set(graph.nodes.map((n) => n.name)));
    const node = { id: options.newId(name), kind, name, params: defaultParams(spec.params) as Record<string, unknown>, position: freeSpot(graph.nodes, place.at) };
    return { ok: true, graph: { ...graph, nodes: [...graph.nodes, node] }, inserted: [node.id] };
  }
  if (isInputKind(kind)) return { ok: false, error: `An ${spec.label} layer takes no incoming connections, so it cannot be inserted after a layer or on a connection.` };
  let edit: GraphEdit;
  if ('after' in place) {
    if (!graph.nodes.some((n) => n.id === place.after)) return { ok: false, error: 'That layer no longer exists.' };
    edit = { op: 'insertAfter', node: place.after, kind };
  } else {
    const edge = graph.edges.find((e) => e.id === place.onEdge);
    if (!edge) return { ok: false, error: 'That connection no longer exists.' };
    const input = graph.edges.filter((e) => e.target === edge.target).indexOf(edge);
    edit = { op: 'insertBefore', node: edge.target, input, kind };
  }
  const r = applyFix(graph, { label: `Insert ${spec.label}`, edits: [edit] }, options);
  return r.ok ? r : { ok: false, error: r.error.replace(/ The network changed.*$/, '') };
}
