import { memo, useMemo } from 'react';
import type { Graph } from '../../../../main/core/project';
import type { LayerStatus } from '../../../../main/core/graph/diff';
import { getLayerSpec } from '../../../../main/core/layers/registry';
import { BOX_HEIGHT, BOX_WIDTH, LABEL_SIZE, graphThumbnail } from '../graphThumbnail';

/** Average glyph width as a fraction of the font size (as the thumbnails assume): longer names are squeezed to fit. */
const GLYPH_WIDTH = 0.6;
const NAME_ROOM = BOX_WIDTH - 16;

const STATUS_WORDS: Record<LayerStatus, string> = {
  added: 'added',
  removed: 'removed',
  changed: 'changed',
  affected: 'new shape or parameter count',
  same: 'unchanged',
};

/**
 * One network of a comparison, read-only: a box per layer at its canvas position, named, coloured by what the
 * comparison found (added green, removed red, changed amber), and its connections. A box is a button: choosing it
 * selects the layer's entry in the change list (and its counterpart on the other side).
 */
export const DiffGraph = memo(function DiffGraph({
  graph,
  side,
  status,
  selected,
  onSelect,
}: {
  graph: Graph;
  side: 'a' | 'b';
  /** What the comparison found for each layer, by node id. */
  status: ReadonlyMap<string, { status: LayerStatus; entry: number }>;
  /** The selected entry of the change list. */
  selected: number | null;
  onSelect(entry: number): void;
}) {
  const picture = useMemo(() => graphThumbnail(graph), [graph]);
  const nodes = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  return (
    <svg className="diff-graph" data-testid={`diff-graph-${side}`} viewBox={picture.viewBox} preserveAspectRatio="xMidYMid meet" role="group" aria-label={`Network ${side.toUpperCase()}`}>
      {picture.edges.map((e) => (
        <path key={e.key} d={e.d} className="diff-graph__edge" />
      ))}
      {picture.boxes.map((b) => {
        const found = status.get(b.id);
        const state = found?.status ?? 'same';
        const node = nodes.get(b.id);
        const name = node?.name ?? b.id;
        const kind = (node && getLayerSpec(node.kind)?.label) ?? b.label;
        const squeeze = name.length * LABEL_SIZE * GLYPH_WIDTH > NAME_ROOM;
        const isSelected = found !== undefined && found.entry === selected;
        return (
          <g
            key={b.id}
            className={`diff-graph__node diff-graph__node--${state}${isSelected ? ' diff-graph__node--selected' : ''}`}
            data-testid="diff-node"
            data-name={name}
            data-status={state}
            role="button"
            tabIndex={0}
            aria-label={`${name} (${kind}): ${STATUS_WORDS[state]}`}
            onClick={() => found && onSelect(found.entry)}
            onKeyDown={(e) => {
              if ((e.key === 'Enter' || e.key === ' ') && found) {
                e.preventDefault();
                onSelect(found.entry);
              }
            }}
          >
            <title>{`${name} (${kind}) — ${STATUS_WORDS[state]}`}</title>
            <rect x={b.x} y={b.y} width={BOX_WIDTH} height={BOX_HEIGHT} rx={10} className="diff-graph__box" />
            <text
              x={b.x + BOX_WIDTH / 2}
              y={b.y + BOX_HEIGHT / 2}
              fontSize={LABEL_SIZE}
              textAnchor="middle"
              dominantBaseline="central"
              className="diff-graph__label"
              {...(squeeze && { textLength: NAME_ROOM, lengthAdjust: 'spacingAndGlyphs' })}
            >
              {name}
            </text>
          </g>
        );
      })}
    </svg>
  );
});
