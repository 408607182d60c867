/**
 * A picture of the network as SVG, for papers and slides: one box per layer (name, kind, output shape, parameters)
 * and an arrow per connection. Pure: the caller lays the graph out (ELK with `pictureLayoutRequest`, or the node
 * positions on the canvas) and turns the SVG into PNG where it needs one.
 */
import type { Graph } from '../project';
import { getLayerSpec } from '../layers/registry';
import { formatShape } from '../shapes';
import { outputNames, type GraphAnalysis } from './analyze';
import { layoutRequest, type ElkRequest } from './layout';

/** Where ELK placed each layer, and the route of each connection (its bend points), where it gave them. */
export interface PictureLayout {
  positions: Readonly<Record<string, { x: number; y: number }>>;
  routes?: Readonly<Record<string, readonly { x: number; y: number }[]>>;
}

/** ELK's answer with the edge routes the picture draws. */
export interface ElkRoutedAnswer {
  children?: { id: string; x?: number; y?: number }[];
  edges?: { id: string; sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[] }[];
}

const FONT_SIZE = 13;
/** A generous average width of a character of the sans-serif font at FONT_SIZE, so text stays inside its box. */
const CHAR_WIDTH = 7.6;
const LINE_HEIGHT = 17;
const PADDING = 10;
const MARGIN = 20;
const MIN_WIDTH = 140;

interface BoxText {
  title: string;
  lines: string[];
}

function boxText(graph: Graph, analysis: GraphAnalysis, id: string): BoxText {
  const node = graph.nodes.find((n) => n.id === id)!;
  const info = analysis.nodes[id];
  const kind = getLayerSpec(node.kind)?.label ?? node.kind;
  const shapes = info?.outputShape ? [info.outputShape, ...info.extraShapes].map(formatShape).join(' + ') : '?';
  const params = info?.params ? `${info.params.toLocaleString('en-US')} params` : 'no params';
  return { title: node.name, lines: [kind, `out ${shapes}`, params] };
}

function boxSize(text: BoxText): { width: number; height: number } {
  const longest = Math.max(text.title.length, ...text.lines.map((l) => l.length));
  return { width: Math.max(MIN_WIDTH, Math.ceil(longest * CHAR_WIDTH) + 2 * PADDING), height: (1 + text.lines.length) * LINE_HEIGHT + 2 * PADDING - 4 };
}

/** Each layer's box size, for laying the picture out. */
export function pictureBoxSizes(graph: Graph, analysis: GraphAnalysis): Record<string, { width: number; height: number }> {
  return Object.fromEntries(graph.nodes.map((n) => [n.id, boxSize(boxText(graph, analysis, n.id))]));
}

/** The ELK request that lays the picture out top to bottom, with each box's own size. */
export function pictureLayoutRequest(graph: Graph, analysis: GraphAnalysis): ElkRequest {
  return layoutRequest(graph, 'DOWN', pictureBoxSizes(graph, analysis));
}

/** ELK's answer as a picture layout. */
export function pictureLayoutOf(answer: ElkRoutedAnswer): PictureLayout {
  const positions: Record<string, { x: number; y: number }> = {};
  for (const c of answer.children ?? []) if (c.x !== undefined && c.y !== undefined) positions[c.id] = { x: c.x, y: c.y };
  const routes: Record<string, { x: number; y: number }[]> = {};
  for (const e of answer.edges ?? []) {
    const s = e.sections?.[0];
    if (s) routes[e.id] = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
  }
  return { positions, routes };
}

/** The canvas's own positions, for when no layout was run. */
export function canvasLayout(graph: Graph): PictureLayout {
  return { positions: Object.fromEntries(graph.nodes.map((n) => [n.id, n.position])) };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Where the straight line from a box's centre towards `toward` leaves the box. */
function borderPoint(box: { x: number; y: number; width: number; height: number }, toward: { x: number; y: number }): { x: number; y: number } {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const dx = toward.x - cx;
  const dy = toward.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const scale = Math.min(dx === 0 ? Infinity : box.width / 2 / Math.abs(dx), dy === 0 ? Infinity : box.height / 2 / Math.abs(dy));
  return { x: cx + dx * scale, y: cy + dy * scale };
}

/**
 * The SVG picture. Layers without a position in `layout` are left out, with their connections. Deterministic: the
 * same graph and layout give the same text (golden files compare it).
 */
export function graphSvg(graph: Graph, analysis: GraphAnalysis, layout: PictureLayout): string {
  const boxes = new Map<string, { x: number; y: number; width: number; height: number; text: BoxText }>();
  for (const n of graph.nodes) {
    const p = layout.positions[n.id];
    if (!p) continue;
    const text = boxText(graph, analysis, n.id);
    boxes.set(n.id, { ...p, ...boxSize(text), text });
  }
  const all = [...boxes.values()];
  const minX = all.length ? Math.min(...all.map((b) => b.x)) : 0;
  const minY = all.length ? Math.min(...all.map((b) => b.y)) : 0;
  const shift = { x: MARGIN - minX, y: MARGIN - minY };
  const width = all.length ? Math.max(...all.map((b) => b.x + b.width)) + shift.x + MARGIN : 2 * MARGIN;
  const height = all.length ? Math.max(...all.map((b) => b.y + b.height)) + shift.y + MARGIN : 2 * MARGIN;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${round(width)}" height="${round(height)}" viewBox="0 0 ${round(width)} ${round(height)}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}">`);
  out.push('  <defs>');
  out.push('    <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">');
  out.push('      <path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/>');
  out.push('    </marker>');
  out.push('  </defs>');
  out.push(`  <rect width="${round(width)}" height="${round(height)}" fill="#ffffff"/>`);
  out.push('  <g class="edges" fill="none" stroke="#555" stroke-width="1.5">');
  for (const e of graph.edges) {
    const from = boxes.get(e.source);
    const to = boxes.get(e.target);
    if (!from || !to) continue;
    const route = layout.routes?.[e.id];
    let points: { x: number; y: number }[];
    if (route && route.length >= 2) points = route.map((p) => ({ x: p.x + shift.x, y: p.y + shift.y }));
    else {
      const a = { ...from, x: from.x + shift.x, y: from.y + shift.y };
      const b = { ...to, x: to.x + shift.x, y: to.y + shift.y };
      points = [borderPoint(a, { x: b.x + b.width / 2, y: b.y + b.height / 2 }), borderPoint(b, { x: a.x + a.width / 2, y: a.y + a.height / 2 })];
    }
    const port = e.sourcePort ?? 0;
    const title = port > 0 ? ` (${escapeXml(outputNames(byId.get(e.source)!)[port] ?? `output ${port + 1}`)})` : '';
    out.push(`    <polyline points="${points.map((p) => `${round(p.x)},${round(p.y)}`).join(' ')}" marker-end="url(#arrow)"><title>${escapeXml(byId.get(e.source)!.name)} → ${escapeXml(byId.get(e.target)!.name)}${title}</title></polyline>`);
  }
  out.push('  </g>');
  out.push('  <g class="layers">');
  for (const n of graph.nodes) {
    const b = boxes.get(n.id);
    if (!b) continue;
    const x = round(b.x + shift.x);
    const y = round(b.y + shift.y);
    const input = getLayerSpec(n.kind)?.role === 'input';
    out.push(`    <g class="layer" data-layer="${escapeXml(n.name)}">`);
    out.push(`      <rect x="${x}" y="${y}" width="${round(b.width)}" height="${round(b.height)}" rx="6" fill="${input ? '#e8f1fb' : '#f7f7f7'}" stroke="#333" stroke-width="1.2"/>`);
    out.push(`      <text x="${round(x + PADDING)}" y="${round(y + PADDING + FONT_SIZE)}" font-weight="bold" fill="#111">${escapeXml(b.text.title)}</text>`);
    b.text.lines.forEach((line, i) => {
      out.push(`      <text x="${round(x + PADDING)}" y="${round(y + PADDING + FONT_SIZE + (i + 1) * LINE_HEIGHT)}" fill="#333">${escapeXml(line)}</text>`);
    });
    out.push('    </g>');
  }
  out.push('  </g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
