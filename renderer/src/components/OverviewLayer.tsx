import { memo, useCallback, useMemo, type MouseEvent as ReactMouseEvent } from 'react';
import { Panel, useReactFlow, useStore, ViewportPortal, type Edge, type ReactFlowState } from '@xyflow/react';
import { shallow } from 'zustand/shallow';
import { useNodeAnalysis } from '../analysis/context';
import { useActions, useAppStore } from '../store/context';
import { portOfHandle } from '../store/graphOps';
import { shapeOf, stateOf, TYPICAL_LAYER_SIZE, type LayerFlowNode } from './LayerNode';

/** What of a name fits a box at the overview's type size; the whole name is in the box's tooltip. */
const NAME_CHARS = 17;
const { width: BOX_W, height: BOX_H } = TYPICAL_LAYER_SIZE;

/** Below this zoom a layer's text would be under 5 px tall, unreadable: its box shows only its state (and its name on hover). */
export const LABEL_ZOOM = 0.3;
/** The grid (flow px) the labelled part of the graph moves on while panning. */
const LABEL_STEP = 1000;

/**
 * The part of the flow whose boxes show their text, as "left top right bottom" (null when the zoom is too low for
 * text): the view and a step around it, moved in steps, so that a pan re-renders text only when it crosses one and an
 * edit re-lays out the text in view, not the whole graph's.
 */
function labelAreaOf(s: ReactFlowState): string | null {
  const [tx, ty, zoom] = s.transform;
  if (zoom < LABEL_ZOOM) return null;
  const edge = (at: number, round: (x: number) => number, extra: number) => (round(at / LABEL_STEP) + extra) * LABEL_STEP;
  const [left, top] = [-tx / zoom, -ty / zoom];
  return `${edge(left, Math.floor, -1)} ${edge(top, Math.floor, -1)} ${edge(left + s.width / zoom, Math.ceil, 1)} ${edge(top + s.height / zoom, Math.ceil, 1)}`;
}

function inArea(area: number[] | null, { x, y }: { x: number; y: number }): boolean {
  return !!area && x + BOX_W >= area[0] && y + BOX_H >= area[1] && x <= area[2] && y <= area[3];
}

const shortName = (name: string) => (name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name);

/** One layer seen from far: a box in its state's colour; hovering names it whole. */
const OverviewBox = memo(function OverviewBox({ node }: { node: LayerFlowNode }) {
  const state = useNodeAnalysis(node.id, stateOf);
  const { x, y } = node.position;
  const { name, label, kind } = node.data;
  return (
    <g className={`overview-box overview-box--${state}${node.selected ? ' overview-box--selected' : ''}`} data-id={node.id} data-testid={`node-${name}`} data-kind={kind}>
      <title>{`${name} (${label})`}</title>
      <rect x={x} y={y} width={BOX_W} height={BOX_H} rx={8} />
    </g>
  );
});

/** A box's text: its name and output shape (read on its own, so an edit upstream re-renders only the text). */
const OverviewLabel = memo(function OverviewLabel({ id, name, kind, x, y }: { id: string; name: string; kind: string; x: number; y: number }) {
  const shape = useNodeAnalysis(id, shapeOf);
  return (
    <div className="overview-label" style={{ left: x, top: y }}>
      {/* Two blocks: an edit changes the shape, and only its line is laid out again. */}
      <div>{shortName(name)}</div>
      <div className="layer-node__shape" data-testid={`shape-${name}`} data-kind={kind}>{`→ ${shape}`}</div>
    </div>
  );
});

/**
 * The layer whose box is at a point of the flow, if any. A plain press on a box starts a pan like a press anywhere (the
 * map moves under a drag), and nothing in the canvas takes the pointer while it is dragged (styles.css), so the click
 * lands on the pane: the canvas asks this which layer it was on. (With Shift, Ctrl or ⌘ held nothing pans, and the
 * click reaches the box.)
 */
export function overviewLayerAt(nodes: readonly LayerFlowNode[], p: { x: number; y: number }): string | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const { x, y } = nodes[i].position;
    if (p.x >= x && p.x <= x + BOX_W && p.y >= y && p.y <= y + BOX_H) return nodes[i].id;
  }
  return undefined;
}

/** The part of the flow the layers take, with a box's size of margin. */
function boundsOf(nodes: readonly LayerFlowNode[]) {
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const left = Math.min(...xs) - BOX_W;
  const top = Math.min(...ys) - BOX_H;
  return { left, top, width: Math.max(...xs) + 2 * BOX_W - left, height: Math.max(...ys) + 2 * BOX_H - top };
}

/** Where an edge leaves its layer (outputs spread down the right edge, as on a full layer) and where it enters. */
function edgePath(edges: readonly Edge[], byId: Map<string, LayerFlowNode>): string {
  const parts: string[] = [];
  for (const e of edges) {
    const from = byId.get(e.source);
    const to = byId.get(e.target);
    if (!from || !to) continue;
    const outputs = from.data.outputs.length;
    const sy = from.position.y + (BOX_H * (portOfHandle(e.sourceHandle) + 1)) / (outputs + 1);
    parts.push(`M${from.position.x + BOX_W} ${sy}L${to.position.x} ${to.position.y + BOX_H / 2}`);
  }
  return parts.join('');
}

/**
 * A big graph seen from far (zoomed out below the overview zoom), drawn as one picture in the canvas's viewport: a box
 * per layer and one path for every connection. The browser then moves a single element while panning, where xyflow's
 * own nodes and edges (hidden meanwhile) would each be an element to place, lay out and hit-test on every frame.
 * A click selects a layer (Shift, Ctrl or ⌘ adds it; see overviewLayerAt), a right-click opens its menu; a drag pans, a
 * double-click zooms in, and past the overview zoom the full layers are back.
 */
export function OverviewLayer({
  nodes,
  edges,
  onClick,
}: {
  nodes: readonly LayerFlowNode[];
  edges: readonly Edge[];
  /** A click on a layer's box that reached it (with Shift, Ctrl or ⌘ held, which select rather than pan). */
  onClick: (id: string, e: ReactMouseEvent) => void;
}) {
  const actions = useActions();
  const store = useAppStore();
  const areaKey = useStore(labelAreaOf);
  const labelArea = useMemo(() => areaKey?.split(' ').map(Number) ?? null, [areaKey]);
  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n])), [nodes]);
  const path = useMemo(() => edgePath(edges, byId), [edges, byId]);
  const bounds = useMemo(() => boundsOf(nodes), [nodes]);

  const layerOf = (e: ReactMouseEvent) => (e.target as Element).closest<SVGGElement>('.overview-box')?.dataset.id;

  const onContextMenu = useCallback(
    (e: ReactMouseEvent) => {
      const id = layerOf(e);
      if (!id) return;
      e.preventDefault();
      // As on a full layer: the menu acts on the selection, and a right-click outside it selects the layer first.
      if (!store.getState().ui.selection.nodeIds.includes(id)) actions.setSelection({ nodeIds: [id], edgeIds: [] });
      actions.openMenu({ kind: 'node', id }, e.clientX, e.clientY);
    },
    [actions, store],
  );

  if (!nodes.length) return null;
  const place = { style: { position: 'absolute', left: bounds.left, top: bounds.top, width: bounds.width, height: bounds.height } as const, viewBox: `${bounds.left} ${bounds.top} ${bounds.width} ${bounds.height}` };
  return (
    <ViewportPortal>
      <svg
        className="overview"
        data-testid="overview"
        {...place}
        onContextMenu={onContextMenu}
        onClick={(e) => {
          const id = layerOf(e);
          if (id) onClick(id, e);
        }}
      >
        <path className="overview__edges" d={path} />
        {nodes.map((n) => (
          <OverviewBox key={n.id} node={n} />
        ))}
      </svg>
      {/* The text apart from the picture, in HTML labels each laid out on its own: an edit that changes shapes then lays
          out and repaints those labels, not the whole graph's boxes and connections (nor SVG text, slower to lay out).
          It takes no pointer: a click goes to the box beneath. */}
      {labelArea && (
        <div className="overview overview--labels">
          {nodes.map((n) => inArea(labelArea, n.position) && <OverviewLabel key={n.id} id={n.id} name={n.data.name} kind={n.data.kind} x={n.position.x} y={n.position.y} />)}
        </div>
      )}
    </ViewportPortal>
  );
}

/**
 * The minimap of the overview: xyflow's own draws only the layers it shows, none while the overview hides them. One path
 * for every layer, the view's rectangle on top; a click centres the view there.
 */
export function OverviewMinimap({ nodes, style }: { nodes: readonly LayerFlowNode[]; style: { width: number; height: number } }) {
  const { setCenter } = useReactFlow();
  const view = useStore(viewOf, shallow);
  const bounds = useMemo(() => {
    const b = boundsOf(nodes);
    return { ...b, scale: Math.max(b.width / style.width, b.height / style.height) };
  }, [nodes, style]);
  const path = useMemo(() => nodes.map((n) => `M${n.position.x} ${n.position.y}h${BOX_W}v${BOX_H}h${-BOX_W}z`).join(''), [nodes]);
  const onClick = (e: ReactMouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const x = bounds.left + ((e.clientX - box.left) / box.width) * bounds.width;
    const y = bounds.top + ((e.clientY - box.top) / box.height) * bounds.height;
    void setCenter(x, y, { zoom: view.zoom, duration: 200 });
  };
  return (
    <Panel position="bottom-right" className="minimap overview-minimap" data-testid="overview-minimap">
      <svg width={bounds.width / bounds.scale} height={bounds.height / bounds.scale} viewBox={`${bounds.left} ${bounds.top} ${bounds.width} ${bounds.height}`} onClick={onClick}>
        <path className="overview-minimap__layers" d={path} />
        <rect className="overview-minimap__view" x={view.x} y={view.y} width={view.width} height={view.height} strokeWidth={bounds.scale * 1.5} />
      </svg>
    </Panel>
  );
}

const viewOf = (s: ReactFlowState) => {
  const [tx, ty, zoom] = s.transform;
  return { x: -tx / zoom, y: -ty / zoom, width: s.width / zoom, height: s.height / zoom, zoom };
};
