import type { Project, ProjectEdge, ProjectNode } from '../../../main/core/project';
import { getLayerSpec, isInputKind } from '../../../main/core/layers/registry';
import { defaultParams } from '../../../main/core/layers/params';

/** Param equality lives in main/core next to fit-to-data, which needs it too. */

export const LAYER_NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

export function newId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `id-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** `prefix_n` with the smallest n >= 1 not used by another layer. */
export function uniqueName(prefix: string, nodes: readonly ProjectNode[]): string {
  const taken = new Set(nodes.map((n) => n.name));
  const base = LAYER_NAME_RE.test(prefix) ? prefix : 'layer';
  for (let n = 1; ; n++) {
    const name = `${base}_${n}`;
    if (!taken.has(name)) return name;
  }
}

/** True when a layer of this kind takes no incoming connections (an Input). */
export function takesNoInputs(kind: string): boolean {
  return isInputKind(kind);
}

export function makeNode(kind: string, position: { x: number; y: number }, nodes: readonly ProjectNode[]): ProjectNode {
  const spec = getLayerSpec(kind);
  if (!spec) throw new Error(`Unknown layer kind "${kind}".`);
  return {
    id: newId(),
    kind,
    name: uniqueName(spec.namePrefix, nodes),
    params: defaultParams(spec.params) as Record<string, unknown>,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
}

/** Why a connection source → target cannot be made, or null when it can. */
/** Why a connection from output `port` of `source` (0, its main output) into `target` cannot be made, or null. */
export function connectionProblem(project: Project, source: string, target: string, port = 0): string | null {
  const nodes = project.graph.nodes;
  const s = nodes.find((n) => n.id === source);
  const t = nodes.find((n) => n.id === target);
  if (!s || !t) return 'That layer no longer exists.';
  if (source === target) return 'A layer cannot feed itself.';
  if (takesNoInputs(t.kind)) return `${t.name} is an Input layer and takes no incoming connections.`;
  if (project.graph.edges.some((e) => e.source === source && e.target === target && (e.sourcePort ?? 0) === port)) {
    return port === 0 ? `${s.name} is already connected to ${t.name}.` : `That output of ${s.name} is already connected to ${t.name}.`;
  }
  return null;
}

/** The port of a source handle id (`out-1` is output 1); the main output for the plain handle. */
export function portOfHandle(handle: string | null | undefined): number {
  const m = /^out-(\d+)$/.exec(handle ?? '');
  return m ? Number(m[1]) : 0;
}

/** The id of the handle of output `port`, as LayerNode names it. */
export function handleOfPort(port: number): string {
  return `out-${port}`;
}

export function withGraph(project: Project, nodes: ProjectNode[], edges: ProjectEdge[]): Project {
  return { ...project, graph: { nodes, edges } };
}

/** Removes nodes (and every edge touching them) and edges. */
export function removeElements(project: Project, nodeIds: readonly string[], edgeIds: readonly string[]): Project {
  const nodeSet = new Set(nodeIds);
  const edgeSet = new Set(edgeIds);
  const nodes = project.graph.nodes.filter((n) => !nodeSet.has(n.id));
  const edges = project.graph.edges.filter((e) => !edgeSet.has(e.id) && !nodeSet.has(e.source) && !nodeSet.has(e.target));
  if (nodes.length === project.graph.nodes.length && edges.length === project.graph.edges.length) return project;
  return withGraph(project, nodes, edges);
}

export function updateNode(project: Project, id: string, update: (n: ProjectNode) => ProjectNode): Project {
  let changed = false;
  const nodes = project.graph.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = update(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? withGraph(project, nodes, project.graph.edges) : project;
}

