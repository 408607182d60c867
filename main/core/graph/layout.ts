/**
 * Auto-layout with ELK's layered algorithm: the graph as an ELK request, and ELK's answer as layer positions. The
 * request keeps the project's order of layers and inputs, so branches stay in the order they were drawn; running
 * ELK itself is left to the caller (the editor runs it in a worker, tests in-process).
 */
import type { Graph } from '../project';

export type LayoutDirection = 'RIGHT' | 'DOWN';

/** The part of ELK's JSON graph that a layout request uses. */
export interface ElkRequest {
  id: string;
  layoutOptions: Record<string, string>;
  children: { id: string; width: number; height: number }[];
  edges: { id: string; sources: string[]; targets: string[] }[];
}

/** The part of ELK's answer that carries positions. */
export interface ElkAnswer {
  children?: { id: string; x?: number; y?: number }[];
}

/** The room a layer takes on the canvas when the editor has not measured it (nodes are 170–210 px wide, 50–130 px high with a problem text). */
export const DEFAULT_NODE_SIZE = { width: 210, height: 110 };

export function layoutRequest(graph: Graph, direction: LayoutDirection, sizes: Readonly<Record<string, { width: number; height: number }>> = {}): ElkRequest {
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.spacing.nodeNode': '40',
    },
    children: graph.nodes.map((n) => ({ id: n.id, ...(sizes[n.id] ?? DEFAULT_NODE_SIZE) })),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
}

/**
 * The laid-out graph: every layer ELK placed moves, shifted so the top-left of the whole stays where the graph's top-left
 * was (the view does not jump away); layers ELK did not place keep their positions.
 */
export function withLayout(graph: Graph, answer: ElkAnswer): Graph {
  const placed = new Map((answer.children ?? []).filter((c) => c.x !== undefined && c.y !== undefined).map((c) => [c.id, { x: c.x!, y: c.y! }]));
  const moving = graph.nodes.filter((n) => placed.has(n.id));
  if (!moving.length) return graph;
  const origin = { x: Math.min(...moving.map((n) => n.position.x)), y: Math.min(...moving.map((n) => n.position.y)) };
  const laid = [...placed.values()];
  const corner = { x: Math.min(...laid.map((p) => p.x)), y: Math.min(...laid.map((p) => p.y)) };
  const nodes = graph.nodes.map((n) => {
    const p = placed.get(n.id);
    return p ? { ...n, position: { x: Math.round(p.x - corner.x + origin.x), y: Math.round(p.y - corner.y + origin.y) } } : n;
  });
  return { ...graph, nodes };
}
