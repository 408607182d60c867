/**
 * Fixes as data: a small, serializable vocabulary of graph edits, and the one pure function that applies a fix to a
 * Graph. Analysis offers fixes next to its messages (GraphAnalysis `fixes`); the editor applies one in one click (one
 * undo step) and the CLI prints them. A fix names the kinds it inserts as data ('Reshape'); it never tests kinds.
 */
import type { Graph, ProjectEdge, ProjectNode } from '../project';
import { getLayerSpec } from '../layers/registry';
import { defaultParams } from '../layers/params';

/** An existing layer (its id), or a layer an earlier edit of the same fix inserted (that edit's `key`). */
export type NodeRef = string | { inserted: string };

/** What an inserting edit adds: a new layer of `kind` with its default params overridden by `params`. */
interface NewLayer {
  kind: string;
  params?: Record<string, unknown>;
  /** Lets later edits of the same fix refer to this layer as `{ inserted: key }`. */
  key?: string;
}

export type GraphEdit =
  /** A new layer on the `input`-th incoming connection of `node` (the first when omitted): source → new → node. */
  | ({ op: 'insertBefore'; node: NodeRef; input?: number } & NewLayer)
  /** A new layer after `node` that takes over the connections out of it (an output layer has none: the new one ends the network). */
  | ({ op: 'insertAfter'; node: NodeRef } & NewLayer)
  /** A new layer fed by `nodes` in that order (a merge joining several branches). */
  | ({ op: 'join'; nodes: NodeRef[] } & NewLayer)
  /** Changes some params of a layer; the others keep their values. */
  | { op: 'setParams'; node: NodeRef; params: Record<string, unknown> }
  /** Removes one connection. */
  | { op: 'removeEdge'; edge: string }
  /** Connects two layers (as the last input of `target`). */
  | { op: 'addEdge'; source: NodeRef; target: NodeRef }
  /** Removes a layer and connects its (single) input to every layer it fed, in the places of its connections. */
  | { op: 'removeNode'; node: NodeRef };

/** One repair: the button's label and the edits it makes, applied together. */
export interface GraphFix {
  label: string;
  edits: GraphEdit[];
}

/** A fix as analysis offers it: tied to the exact message (error or warning) it answers. */
export interface ProblemFix extends GraphFix {
  problem: string;
}

export interface ApplyOptions {
  /** Ids for new layers and connections (the editor passes random UUIDs); by default readable ids unique in the graph. */
  newId?: (hint: string) => string;
}

export type ApplyResult = { ok: true; graph: Graph; inserted: string[] } | { ok: false; error: string };

/** Horizontal distance between a layer and one inserted after it: the templates' column spacing. */
const STEP_X = 240;
/** The room a layer takes on the canvas (nodes are at most 210 px wide and about 80 px high), with a small gap. */
const ROOM = { x: 220, y: 100 };

/**
 * The first spot at or below `wanted` where a new layer covers no other: midway between two layers that sit a
 * column apart there is no room, so the new one goes just below them, still between the two.
 */
export function freeSpot(nodes: readonly ProjectNode[], wanted: { x: number; y: number }): { x: number; y: number } {
  const spot = { x: Math.round(wanted.x), y: Math.round(wanted.y) };
  const covers = () => nodes.some((n) => Math.abs(n.position.x - spot.x) < ROOM.x && Math.abs(n.position.y - spot.y) < ROOM.y);
  for (let tries = 0; tries < 100 && covers(); tries++) spot.y += ROOM.y + 10;
  return spot;
}

/** `prefix_n` with the smallest n >= 1 that no layer is called yet. */
export function uniqueLayerName(prefix: string, taken: ReadonlySet<string>): string {
  const base = /^[A-Za-z][A-Za-z0-9_]*$/.test(prefix) ? prefix : 'layer';
  for (let n = 1; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

/**
 * Applies a fix's edits in order to a copy of the graph. Existing layers keep their ids and positions (nothing is
 * shifted); a new layer sits midway between the two layers it goes between (or one column right of the layer it
 * follows), moved down until it covers no other layer, and a merge's inputs keep their order. Refuses, changing nothing, when an edit refers to something that is not there
 * (the graph changed since the fix was offered).
 */
export function applyFix(graph: Graph, fix: GraphFix, options: ApplyOptions = {}): ApplyResult {
  let nodes: ProjectNode[] = graph.nodes.map((n) => ({ ...n }));
  let edges: ProjectEdge[] = [...graph.edges];
  const keyed = new Map<string, string>();
  const inserted: string[] = [];
  const usedIds = new Set([...nodes.map((n) => n.id), ...edges.map((e) => e.id)]);
  const newId =
    options.newId ??
    ((hint: string) => {
      let id = hint;
      for (let n = 2; usedIds.has(id); n++) id = `${hint}_${n}`;
      return id;
    });
  const freshId = (hint: string) => {
    const id = newId(hint);
    usedIds.add(id);
    return id;
  };
  const find = (ref: NodeRef): ProjectNode | undefined => {
    const id = typeof ref === 'string' ? ref : keyed.get(ref.inserted);
    return nodes.find((n) => n.id === id);
  };
  const edge = (source: string, target: string): ProjectEdge => ({ id: freshId(`edge_${source}_${target}`), source, target });
  const addLayer = (layer: NewLayer, position: { x: number; y: number }): ProjectNode | string => {
    const spec = getLayerSpec(layer.kind);
    if (!spec) return `unknown layer kind "${layer.kind}"`;
    const name = uniqueLayerName(spec.namePrefix, new Set(nodes.map((n) => n.name)));
    const node: ProjectNode = {
      id: freshId(name),
      kind: layer.kind,
      name,
      params: { ...(defaultParams(spec.params) as Record<string, unknown>), ...(layer.params ?? {}) },
      position: freeSpot(nodes, position),
    };
    nodes = [...nodes, node];
    if (layer.key) keyed.set(layer.key, node.id);
    inserted.push(node.id);
    return node;
  };
  const fail = (error: string): ApplyResult => ({ ok: false, error: `Cannot apply “${fix.label}”: ${error}. The network changed; look at its messages again.` });

  for (const e of fix.edits) {
    switch (e.op) {
      case 'insertBefore': {
        const target = find(e.node);
        if (!target) return fail('that layer no longer exists');
        const into = edges.filter((x) => x.target === target.id);
        const old = into[e.input ?? 0];
        const source = old && nodes.find((n) => n.id === old.source);
        if (!old || !source) return fail(`${target.name} has no such incoming connection`);
        const added = addLayer(e, { x: (source.position.x + target.position.x) / 2, y: (source.position.y + target.position.y) / 2 });
        if (typeof added === 'string') return fail(added);
        // Both new connections take the old one's place, so a merge's inputs stay in order.
        const at = edges.indexOf(old);
        // The new layer takes the output the old connection carried (an LSTM's state stays its state).
        const carried = old.sourcePort ? { ...edge(source.id, added.id), sourcePort: old.sourcePort } : edge(source.id, added.id);
        edges = [...edges.slice(0, at), carried, edge(added.id, target.id), ...edges.slice(at + 1)];
        break;
      }
      case 'insertAfter': {
        const source = find(e.node);
        if (!source) return fail('that layer no longer exists');
        const added = addLayer(e, { x: source.position.x + STEP_X, y: source.position.y });
        if (typeof added === 'string') return fail(added);
        // What the layer's main output fed now follows the new layer; its other outputs (states, scores) stay.
        const fromMain = (x: ProjectEdge) => x.source === source.id && !x.sourcePort;
        const at = edges.findIndex(fromMain);
        const moved = edges.map((x) => (fromMain(x) ? { ...x, source: added.id } : x));
        const link = edge(source.id, added.id);
        edges = at < 0 ? [...moved, link] : [...moved.slice(0, at), link, ...moved.slice(at)];
        break;
      }
      case 'join': {
        const sources = e.nodes.map(find);
        if (sources.some((s) => !s) || sources.length === 0) return fail('a layer to join no longer exists');
        const joined = sources as ProjectNode[];
        const x = Math.max(...joined.map((s) => s.position.x)) + STEP_X;
        const y = joined.reduce((sum, s) => sum + s.position.y, 0) / joined.length;
        const added = addLayer(e, { x, y });
        if (typeof added === 'string') return fail(added);
        edges = [...edges, ...joined.map((s) => edge(s.id, added.id))];
        break;
      }
      case 'setParams': {
        const target = find(e.node);
        if (!target) return fail('that layer no longer exists');
        nodes = nodes.map((n) => (n.id === target.id ? { ...n, params: { ...n.params, ...e.params } } : n));
        break;
      }
      case 'removeEdge': {
        if (!edges.some((x) => x.id === e.edge)) return fail('that connection no longer exists');
        edges = edges.filter((x) => x.id !== e.edge);
        break;
      }
      case 'addEdge': {
        const source = find(e.source);
        const target = find(e.target);
        if (!source || !target) return fail('a layer to connect no longer exists');
        if (edges.some((x) => x.source === source.id && x.target === target.id)) return fail(`${source.name} is already connected to ${target.name}`);
        edges = [...edges, edge(source.id, target.id)];
        break;
      }
      case 'removeNode': {
        const target = find(e.node);
        if (!target) return fail('that layer no longer exists');
        const into = edges.filter((x) => x.target === target.id);
        if (into.length > 1) return fail(`${target.name} has several inputs, so its layers cannot be connected to one`);
        const source = into[0]?.source;
        const port = into[0]?.sourcePort;
        const kept: ProjectEdge[] = [];
        for (const x of edges) {
          if (x.target === target.id) continue;
          if (x.source !== target.id) kept.push(x);
          // Each layer its main output fed takes its input instead, in the same place (from the same output of the
          // layer before); never a second identical connection. What its other outputs fed has nothing to take.
          else if (source !== undefined && !x.sourcePort && !edges.some((y) => y.source === source && y.target === x.target && y.sourcePort === port)) {
            const { sourcePort: _main, ...rest } = x;
            kept.push(port ? { ...rest, source, sourcePort: port } : { ...rest, source });
          }
        }
        edges = kept;
        nodes = nodes.filter((n) => n.id !== target.id);
        break;
      }
    }
  }
  return { ok: true, graph: { ...graph, nodes, edges }, inserted };
}
