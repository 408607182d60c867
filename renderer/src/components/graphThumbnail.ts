import type { TemplateGraph } from '../../../main/core/api/contract';
import { CATEGORY_ORDER, getLayerSpec } from '../../../main/core/layers/registry';

/**
 * The geometry of a graph thumbnail, in the canvas's own coordinates (the SVG's viewBox scales it down): one box per
 * layer at its canvas position, about the size of a canvas node, and one curve per connection from the right side of
 * its source to the left side of its target, as the canvas draws them.
 */

/** About a canvas node's size (LayerNode: 170–210 px wide), so the picture keeps the canvas's proportions. */
export const BOX_WIDTH = 200;
export const BOX_HEIGHT = 80;
const MARGIN = 24;
/** Large enough to stay readable once a whole template is scaled into a card. */
export const LABEL_SIZE = 40;
/** Average glyph width of the thumbnail font, as a fraction of its size; longer labels are squeezed to fit. */
const GLYPH_WIDTH = 0.6;

export interface ThumbnailBox {
  id: string;
  x: number;
  y: number;
  /** The kind's label ("Conv2D"), the layer's name in the tooltip. */
  label: string;
  title: string;
  /** Index of the kind's palette category, for its colour. */
  category: number;
  /** Set when the label is too long for the box: the width the text is squeezed to. */
  textLength?: number;
}

export interface Thumbnail {
  viewBox: string;
  boxes: ThumbnailBox[];
  /** SVG path data of each connection. */
  edges: { key: string; d: string }[];
}

export function graphThumbnail(graph: TemplateGraph): Thumbnail {
  const positions = new Map(graph.nodes.map((n) => [n.id, n.position]));
  const boxes = graph.nodes.map((n): ThumbnailBox => {
    const spec = getLayerSpec(n.kind);
    const label = spec?.label ?? n.kind;
    const room = BOX_WIDTH - 16;
    const natural = label.length * LABEL_SIZE * GLYPH_WIDTH;
    return {
      id: n.id,
      x: n.position.x,
      y: n.position.y,
      label,
      title: `${n.name} (${label})`,
      category: spec ? Math.max(0, CATEGORY_ORDER.indexOf(spec.category)) : 0,
      ...(natural > room && { textLength: room }),
    };
  });
  const edges = graph.edges.flatMap((e, i) => {
    const from = positions.get(e.source);
    const to = positions.get(e.target);
    if (!from || !to) return [];
    const x1 = from.x + BOX_WIDTH;
    const y1 = from.y + BOX_HEIGHT / 2;
    const x2 = to.x;
    const y2 = to.y + BOX_HEIGHT / 2;
    // Horizontal tangents at both ends, like the canvas's bezier edges; a link back to the left (a new row) bends
    // only a little, so it crosses as a diagonal instead of looping around the whole picture.
    const bend = x2 > x1 ? Math.max((x2 - x1) / 2, BOX_WIDTH / 4) : BOX_WIDTH / 2;
    return [{ key: `${i}:${e.source}-${e.target}`, d: `M ${x1} ${y1} C ${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}` }];
  });
  if (boxes.length === 0) return { viewBox: `0 0 ${BOX_WIDTH} ${BOX_HEIGHT}`, boxes, edges };
  const minX = Math.min(...boxes.map((b) => b.x)) - MARGIN;
  const minY = Math.min(...boxes.map((b) => b.y)) - MARGIN;
  const maxX = Math.max(...boxes.map((b) => b.x)) + BOX_WIDTH + MARGIN;
  const maxY = Math.max(...boxes.map((b) => b.y)) + BOX_HEIGHT + MARGIN;
  return { viewBox: `${minX} ${minY} ${maxX - minX} ${maxY - minY}`, boxes, edges };
}
