/**
 * The differences between two networks: which layers were added, removed or changed (each setting, old → new), how
 * output shapes and parameter counts moved, which connections came and went, and the totals. Layers are matched by
 * name first (ids are ignored: an imported model or a copy has other ids), then by structure — the same kind wired
 * to matched neighbours — and last by the same kind at the same place in the order of the two networks, so a renamed
 * layer is reported as renamed rather than as one removed and one added. Shapes and counts are the analysis's.
 */
import type { Graph, ProjectNode } from '../project';
import type { Shape } from '../shapes';
import { getLayerSpec, isInputKind } from '../layers/registry';
import { analyzeGraph, incomingPorts, parseParams, topologicalOrder, type GraphAnalysis, type InputRef } from './analyze';

/** One layer as it is in one of the two networks. */
export interface DiffLayer {
  id: string;
  name: string;
  kind: string;
  /** Without the batch axis; null where the analysis cannot tell. */
  outputShape: Shape | null;
  params: number;
}

/** One setting that differs between two matched layers, its values as text. */
export interface ParamChange {
  /** The param's key ("units"), or "name" for a rename. */
  key: string;
  /** What the inspector calls it ("Units"). */
  label: string;
  before: string;
  after: string;
}

/**
 * - added / removed: only in the second / the first network.
 * - changed: in both, with a setting (or the name) changed.
 * - affected: in both with the same settings, but its output shape or parameter count moved (an edit upstream).
 * - same: nothing differs.
 */
export type LayerStatus = 'added' | 'removed' | 'changed' | 'affected' | 'same';

export interface LayerDiff {
  status: LayerStatus;
  /** The layer in the first network (absent when added). */
  before?: DiffLayer;
  /** The layer in the second network (absent when removed). */
  after?: DiffLayer;
  /** How the two were paired: by name, by their neighbours, or by kind and place in the order. */
  matchedBy?: 'name' | 'neighbours' | 'order';
  /** Changed settings, the name first when renamed. */
  changes: ParamChange[];
  shapeChanged: boolean;
  paramsChanged: boolean;
}

/** A connection, by the names of the layers it joins (in the network it belongs to). */
export interface DiffEdge {
  source: string;
  target: string;
  /** Which output of the source (0: the main one). */
  port: number;
}

export interface GraphDiff {
  /** Every layer of both networks: matched pairs in the second network's order, then the removed ones. */
  layers: LayerDiff[];
  /** Connections of the second network with no counterpart in the first (names of the second). */
  edgesAdded: DiffEdge[];
  /** Connections of the first network with no counterpart in the second (names of the first). */
  edgesRemoved: DiffEdge[];
  totals: {
    before: { layers: number; params: number };
    after: { layers: number; params: number };
  };
  counts: Record<Exclude<LayerStatus, 'same'>, number>;
  /** True when nothing differs: same layers, settings, shapes, counts and connections. */
  equal: boolean;
}

/** Compares two networks; `before` is the first (left), `after` the second (right). */
export function diffGraphs(before: Graph, after: Graph): GraphDiff {
  const analysisBefore = analyzeGraph(before);
  const analysisAfter = analyzeGraph(after);
  const match = matchLayers(before, after);
  const beforeToAfter = new Map([...match.afterToBefore].map(([a, p]) => [p.id, a]));
  const inputsBefore = incomingPorts(before);
  const inputsAfter = incomingPorts(after);

  const beforeById = new Map(before.nodes.map((n) => [n.id, n]));
  const afterById = new Map(after.nodes.map((n) => [n.id, n]));
  const layers: LayerDiff[] = [];
  for (const id of ordered(after)) {
    const node = afterById.get(id)!;
    const pair = match.afterToBefore.get(id);
    const afterLayer = describe(node, analysisAfter);
    if (!pair) {
      layers.push({ status: 'added', after: afterLayer, changes: [], shapeChanged: false, paramsChanged: false });
      continue;
    }
    const old = beforeById.get(pair.id)!;
    const beforeLayer = describe(old, analysisBefore);
    const changes = settingChanges(old, node);
    const reordered = inputOrderChange(inputsBefore.get(old.id) ?? [], inputsAfter.get(id) ?? [], beforeToAfter, beforeById, afterById);
    if (reordered) changes.push(reordered);
    const shapeChanged = shapeText(beforeLayer.outputShape) !== shapeText(afterLayer.outputShape);
    const paramsChanged = beforeLayer.params !== afterLayer.params;
    const status: LayerStatus = changes.length ? 'changed' : shapeChanged || paramsChanged ? 'affected' : 'same';
    layers.push({ status, before: beforeLayer, after: afterLayer, matchedBy: pair.by, changes, shapeChanged, paramsChanged });
  }
  const matchedBefore = new Set([...match.afterToBefore.values()].map((p) => p.id));
  for (const id of ordered(before)) {
    if (matchedBefore.has(id)) continue;
    layers.push({ status: 'removed', before: describe(beforeById.get(id)!, analysisBefore), changes: [], shapeChanged: false, paramsChanged: false });
  }

  // A connection of the first network has a counterpart when both its ends are matched and the pair is joined alike.
  const key = (source: string, target: string, port: number) => `${source}\u0000${target}\u0000${port}`;
  const afterKeys = new Set(after.edges.map((e) => key(e.source, e.target, e.sourcePort ?? 0)));
  const mappedBeforeKeys = new Set(
    before.edges.flatMap((e) => {
      const s = beforeToAfter.get(e.source);
      const t = beforeToAfter.get(e.target);
      return s && t ? [key(s, t, e.sourcePort ?? 0)] : [];
    }),
  );
  const afterNames = new Map(after.nodes.map((n) => [n.id, n.name]));
  const edgesAdded = after.edges
    .filter((e) => afterNames.has(e.source) && afterNames.has(e.target) && !mappedBeforeKeys.has(key(e.source, e.target, e.sourcePort ?? 0)))
    .map((e) => ({ source: afterNames.get(e.source)!, target: afterNames.get(e.target)!, port: e.sourcePort ?? 0 }));
  const edgesRemoved = before.edges
    .filter((e) => {
      if (!beforeById.has(e.source) || !beforeById.has(e.target)) return false;
      const s = beforeToAfter.get(e.source);
      const t = beforeToAfter.get(e.target);
      return !(s && t && afterKeys.has(key(s, t, e.sourcePort ?? 0)));
    })
    .map((e) => ({ source: beforeById.get(e.source)!.name, target: beforeById.get(e.target)!.name, port: e.sourcePort ?? 0 }));

  const counts = { added: 0, removed: 0, changed: 0, affected: 0 };
  for (const l of layers) if (l.status !== 'same') counts[l.status]++;
  return {
    layers,
    edgesAdded,
    edgesRemoved,
    totals: {
      before: { layers: before.nodes.length, params: analysisBefore.totalParams },
      after: { layers: after.nodes.length, params: analysisAfter.totalParams },
    },
    counts,
    equal: counts.added + counts.removed + counts.changed + counts.affected + edgesAdded.length + edgesRemoved.length === 0,
  };
}

/** Node ids in topological order, then any left out of it (on a cycle) in file order. */
function ordered(graph: Graph): string[] {
  const order = topologicalOrder(graph);
  const seen = new Set(order);
  return [...order, ...graph.nodes.filter((n) => !seen.has(n.id)).map((n) => n.id)];
}

function describe(node: ProjectNode, analysis: GraphAnalysis): DiffLayer {
  const info = analysis.nodes[node.id];
  return { id: node.id, name: node.name, kind: node.kind, outputShape: info?.outputShape ?? null, params: info?.params ?? 0 };
}

function shapeText(shape: Shape | null): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]` : '?';
}

/**
 * The same inputs in another order (a Concatenate's, an attention's query and value swapped): the connections are
 * the same, but not the layer's result. Null when the order is the same, or the inputs differ (connections say so).
 */
function inputOrderChange(
  before: InputRef[],
  after: InputRef[],
  beforeToAfter: ReadonlyMap<string, string>,
  beforeById: ReadonlyMap<string, ProjectNode>,
  afterById: ReadonlyMap<string, ProjectNode>,
): ParamChange | null {
  if (before.length < 2 || before.length !== after.length) return null;
  const keyOf = (id: string | undefined, port: number) => `${id ?? ''}:${port}`;
  const mapped = before.map((r) => keyOf(beforeToAfter.get(r.source), r.port));
  const own = after.map((r) => keyOf(r.source, r.port));
  if (mapped.join('\u0000') === own.join('\u0000') || [...mapped].sort().join('\u0000') !== [...own].sort().join('\u0000')) return null;
  const names = (refs: InputRef[], byId: ReadonlyMap<string, ProjectNode>) => refs.map((r) => byId.get(r.source)?.name ?? r.source).join(', ');
  return { key: 'inputs', label: 'Input order', before: names(before, beforeById), after: names(after, afterById) };
}

/** A value as the change list shows it: numbers and words as they are, lists and wrapped layers as compact JSON. */
export function formatParamValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * The settings of two matched layers (of one kind) that differ: each layer's params completed with its kind's
 * defaults, so a file that spells a default out and one that leaves it implicit agree.
 */
function settingChanges(before: ProjectNode, after: ProjectNode): ParamChange[] {
  const changes: ParamChange[] = [];
  if (before.name !== after.name) changes.push({ key: 'name', label: 'Name', before: before.name, after: after.name });
  const spec = getLayerSpec(after.kind);
  const a = completeParams(before);
  const b = completeParams(after);
  const keys = [...new Set([...Object.keys(spec?.params ?? {}), ...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    if (stableJson(a[k]) === stableJson(b[k])) continue;
    const label = (spec?.params as Record<string, { label?: string }> | undefined)?.[k]?.label ?? k;
    changes.push({ key: k, label, before: formatParamValue(a[k]), after: formatParamValue(b[k]) });
  }
  return changes;
}

function completeParams(node: ProjectNode): Record<string, unknown> {
  const parsed = parseParams(node);
  return parsed.ok ? (parsed.params as Record<string, unknown>) : node.params;
}

/** JSON with object keys sorted, so two equal values give equal text whatever order their keys were written in. */
function stableJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}

export interface LayerMatching {
  /** For each matched layer of the second network, its counterpart in the first and how it was found. */
  afterToBefore: Map<string, { id: string; by: 'name' | 'neighbours' | 'order' }>;
}

/**
 * Pairs the layers of two networks. Only layers of the same kind are paired.
 * 1. Same name.
 * 2. Neighbours (Inputs still unpaired are first paired in order, as anchors): an unpaired layer whose inputs or outputs are paired with those of an unpaired layer of the other
 *    network (most such neighbours wins; ties go to the one whose neighbours are of the same kinds, then to the nearer
 *    place in the order). Repeated while it pairs more.
 * 3. Order: what is left is aligned as two sequences of kinds in topological order (longest common subsequence), so
 *    an imported copy whose names all differ still pairs layer by layer.
 */
export function matchLayers(before: Graph, after: Graph): LayerMatching {
  const afterToBefore: LayerMatching['afterToBefore'] = new Map();
  const pairedBefore = new Set<string>();
  const pair = (a: string, b: string, by: 'name' | 'neighbours' | 'order') => {
    afterToBefore.set(a, { id: b, by });
    pairedBefore.add(b);
  };
  const kindBefore = new Map(before.nodes.map((n) => [n.id, n.kind]));
  const kindAfter = new Map(after.nodes.map((n) => [n.id, n.kind]));

  const byName = new Map(before.nodes.map((n) => [n.name, n]));
  for (const n of after.nodes) {
    const old = byName.get(n.name);
    if (old && old.kind === n.kind) pair(n.id, old.id, 'name');
  }

  const orderBefore = ordered(before);
  const orderAfter = ordered(after);
  const rankBefore = new Map(orderBefore.map((id, i) => [id, i / Math.max(1, orderBefore.length - 1)]));
  const rankAfter = new Map(orderAfter.map((id, i) => [id, i / Math.max(1, orderAfter.length - 1)]));
  const neighbours = (graph: Graph) => {
    const ins = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
    const outs = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
    for (const e of graph.edges) {
      ins.get(e.target)?.push(e.source);
      outs.get(e.source)?.push(e.target);
    }
    return { ins, outs };
  };
  const nb = neighbours(before);
  const na = neighbours(after);

  // Inputs left unpaired (all names differ) are paired in order: they anchor the pairing by neighbours.
  const inputsBefore = orderBefore.filter((id) => !pairedBefore.has(id) && isInputKind(kindBefore.get(id)!));
  const inputsAfter = orderAfter.filter((id) => !afterToBefore.has(id) && isInputKind(kindAfter.get(id)!));
  for (const [b, a] of commonSubsequence(
    inputsBefore.map((id) => kindBefore.get(id)!),
    inputsAfter.map((id) => kindAfter.get(id)!),
  )) {
    pair(inputsAfter[a], inputsBefore[b], 'order');
  }

  // The kinds around a layer, to tell apart two candidates wired to the same paired layer (a block's two branches).
  const kindsAround = (ids: string[], kinds: Map<string, string>) => ids.map((id) => kinds.get(id)!);
  const overlap = (x: string[], y: string[]) => {
    const rest = [...y];
    let n = 0;
    for (const k of x) {
      const i = rest.indexOf(k);
      if (i >= 0) {
        rest.splice(i, 1);
        n++;
      }
    }
    return n;
  };
  for (let progress = true; progress; ) {
    progress = false;
    for (const a of orderAfter) {
      if (afterToBefore.has(a)) continue;
      const counterpart = (id: string) => afterToBefore.get(id)?.id;
      const pairedIns = na.ins.get(a)!.map(counterpart).filter((x): x is string => !!x);
      const pairedOuts = na.outs.get(a)!.map(counterpart).filter((x): x is string => !!x);
      if (!pairedIns.length && !pairedOuts.length) continue;
      const aroundA = [...kindsAround(na.ins.get(a)!, kindAfter), '|', ...kindsAround(na.outs.get(a)!, kindAfter)];
      let best: { id: string; score: number; alike: number; distance: number } | null = null;
      // Only layers wired to a paired neighbour can score: the consumers of paired inputs, the producers of paired outputs.
      const candidates = new Set([...pairedIns.flatMap((x) => nb.outs.get(x) ?? []), ...pairedOuts.flatMap((y) => nb.ins.get(y) ?? [])]);
      for (const b of candidates) {
        if (pairedBefore.has(b) || kindBefore.get(b) !== kindAfter.get(a)) continue;
        const score = pairedIns.filter((x) => nb.ins.get(b)!.includes(x)).length + pairedOuts.filter((x) => nb.outs.get(b)!.includes(x)).length;
        if (score === 0) continue;
        const alike = overlap(aroundA, [...kindsAround(nb.ins.get(b)!, kindBefore), '|', ...kindsAround(nb.outs.get(b)!, kindBefore)]);
        const distance = Math.abs(rankBefore.get(b)! - rankAfter.get(a)!);
        const better = !best || score > best.score || (score === best.score && (alike > best.alike || (alike === best.alike && distance < best.distance)));
        if (better) best = { id: b, score, alike, distance };
      }
      if (best) {
        pair(a, best.id, 'neighbours');
        progress = true;
      }
    }
  }

  const restBefore = orderBefore.filter((id) => !pairedBefore.has(id));
  const restAfter = orderAfter.filter((id) => !afterToBefore.has(id));
  for (const [b, a] of commonSubsequence(
    restBefore.map((id) => kindBefore.get(id)!),
    restAfter.map((id) => kindAfter.get(id)!),
  )) {
    pair(restAfter[a], restBefore[b], 'order');
  }
  return { afterToBefore };
}

/** Above this many cells the alignment's table would take too much memory: pair greedily in order instead. */
const MAX_ALIGNMENT_CELLS = 4_000_000;

/**
 * Index pairs [i, j] of a longest common subsequence of two lists (dynamic programming, from the end); for very
 * long lists, each item of `y` paired with the next equal item of `x`.
 */
function commonSubsequence(x: readonly string[], y: readonly string[]): [number, number][] {
  const n = x.length;
  const m = y.length;
  if (n * m > MAX_ALIGNMENT_CELLS) {
    const pairs: [number, number][] = [];
    let from = 0;
    for (let j = 0; j < m; j++) {
      const i = x.indexOf(y[j], from);
      if (i >= 0) {
        pairs.push([i, j]);
        from = i + 1;
      }
    }
    return pairs;
  }
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) table[i][j] = x[i] === y[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (x[i] === y[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) i++;
    else j++;
  }
  return pairs;
}
