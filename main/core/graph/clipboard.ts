/**
 * Layers on the clipboard: a selection with the connections between its layers, as versioned JSON text, so it can be
 * pasted into another project, another window or another tab. Pasting checks the text with zod; text that is not
 * Neurowire layers is recognised as such and changes nothing.
 */
import { z } from 'zod';
import { EdgeSchema, NodeSchema, type Graph, type ProjectEdge, type ProjectNode } from '../project';
import { getLayerSpec } from '../layers/registry';
import { uniqueLayerName } from './edits';

export const CLIPBOARD_FORMAT = 'neurowire-layers';
export const CLIPBOARD_VERSION = 1;
/** A paste beyond this many layers is refused: no network the editor can show has more. */
const MAX_LAYERS = 2000;

const ClipboardSchema = z.object({
  format: z.literal(CLIPBOARD_FORMAT),
  version: z.number().int(),
  nodes: z.array(NodeSchema).min(1).max(MAX_LAYERS),
  edges: z.array(EdgeSchema),
});

/** A selection of layers and the connections among them, as it travels through the clipboard. */
export type ClipboardLayers = z.infer<typeof ClipboardSchema>;

/** The selected layers with every connection whose two ends are both selected (in the graph's edge order); null for none. */
export function copyLayers(graph: Graph, nodeIds: readonly string[]): ClipboardLayers | null {
  const ids = new Set(nodeIds);
  const nodes = graph.nodes.filter((n) => ids.has(n.id));
  if (!nodes.length) return null;
  const edges = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return { format: CLIPBOARD_FORMAT, version: CLIPBOARD_VERSION, nodes, edges };
}

export function clipboardText(layers: ClipboardLayers): string {
  return JSON.stringify(layers);
}

export type ClipboardRead =
  | { ok: true; layers: ClipboardLayers }
  /** Text that is not Neurowire layers at all (a sentence, other JSON): pasting it does nothing. */
  | { ok: false; foreign: true }
  /** Neurowire layers that cannot be pasted; `error` says what is wrong and where. */
  | { ok: false; foreign: false; error: string };

/** Reads clipboard text: Neurowire layers, something else, or Neurowire layers this version cannot paste (and why). */
export function readClipboardText(text: string): ClipboardRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, foreign: true };
  }
  if (!json || typeof json !== 'object' || (json as { format?: unknown }).format !== CLIPBOARD_FORMAT) return { ok: false, foreign: true };
  const fail = (error: string): ClipboardRead => ({ ok: false, foreign: false, error: `Cannot paste these layers: ${error}` });
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && version > CLIPBOARD_VERSION) return fail(`they come from a newer Neurowire (clipboard version ${version}, this one reads ${CLIPBOARD_VERSION}).`);
  const parsed = ClipboardSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${issue.path.length ? issue.path.join('.') : 'the text'}: ${issue.message}.`);
  }
  const { nodes, edges } = parsed.data;
  const ids = new Set<string>();
  for (const n of nodes) {
    if (!getLayerSpec(n.kind)) return fail(`layer ${n.name} is of kind “${n.kind}”, which this version of Neurowire does not know.`);
    if (ids.has(n.id)) return fail(`two layers have the id ${n.id}.`);
    ids.add(n.id);
  }
  const stray = edges.find((e) => !ids.has(e.source) || !ids.has(e.target));
  if (stray) return fail(`connection ${stray.id} joins a layer that is not among them.`);
  return { ok: true, layers: parsed.data };
}

/** How far apart repeated pastes land, so each copy shows beside the last. */
export const PASTE_STEP = 40;

export interface PasteOptions {
  /** Ids for the new layers and connections (the editor passes random UUIDs). */
  newId: () => string;
  /** Where the pasted layers go; by default PASTE_STEP further down and right until no copy sits exactly on another layer. */
  offset?: { x: number; y: number };
}

/**
 * Adds copies of the layers to the graph: fresh ids, names unique in the graph (a name still free is kept), the
 * connections among them remapped, positions shifted by the offset. Returns the new graph and the new layers' ids.
 */
export function pasteLayers(graph: Graph, layers: Pick<ClipboardLayers, 'nodes' | 'edges'>, options: PasteOptions): { graph: Graph; inserted: string[] } {
  const offset = options.offset ?? pasteOffset(graph, layers.nodes);
  const taken = new Set(graph.nodes.map((n) => n.name));
  const idOf = new Map<string, string>();
  const nodes: ProjectNode[] = layers.nodes.map((n) => {
    const spec = getLayerSpec(n.kind);
    const name = taken.has(n.name) ? uniqueLayerName(spec?.namePrefix ?? 'layer', taken) : n.name;
    taken.add(name);
    const id = options.newId();
    idOf.set(n.id, id);
    return { ...n, id, name, params: { ...n.params }, position: { x: Math.round(n.position.x + offset.x), y: Math.round(n.position.y + offset.y) } };
  });
  const edges: ProjectEdge[] = layers.edges.flatMap((e) => {
    const source = idOf.get(e.source);
    const target = idOf.get(e.target);
    return source && target ? [{ id: options.newId(), source, target, ...(e.sourcePort ? { sourcePort: e.sourcePort } : {}) }] : [];
  });
  return { graph: { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] }, inserted: nodes.map((n) => n.id) };
}

/** The smallest multiple of PASTE_STEP (down and right) at which no pasted layer lands on an existing one. */
export function pasteOffset(graph: Graph, nodes: readonly ProjectNode[]): { x: number; y: number } {
  const occupied = (x: number, y: number) => graph.nodes.some((n) => Math.abs(n.position.x - x) < PASTE_STEP / 2 && Math.abs(n.position.y - y) < PASTE_STEP / 2);
  for (let k = 1; k < 100; k++) {
    const d = k * PASTE_STEP;
    if (!nodes.some((n) => occupied(n.position.x + d, n.position.y + d))) return { x: d, y: d };
  }
  return { x: 100 * PASTE_STEP, y: 100 * PASTE_STEP };
}
