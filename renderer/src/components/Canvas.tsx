import { useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type EdgeChange,
  type EdgeTypes,
  type IsValidConnection,
  type NodeChange,
  type NodeTypes,
  type OnConnectEnd,
} from '@xyflow/react';
import { getLayerSpec } from '../../../main/core/layers/registry';
import { useActions, useApp, useAppStore } from '../store/context';
import { connectionProblem, handleOfPort, portOfHandle, takesNoInputs } from '../store/graphOps';
import { outputNames } from '../../../main/core/graph/analyze';
import type { ProjectNode } from '../../../main/core/project';
import { LayerNode, layerHandles, TYPICAL_LAYER_SIZE, type LayerFlowNode, type LayerNodeData } from './LayerNode';
import { LayerEdge, type LayerFlowEdge } from './LayerEdge';
import { OverviewLayer, overviewLayerAt, OverviewMinimap } from './OverviewLayer';
import { edgeAtPoint, markDropEdge, useCanvasGestures } from '../editing/canvasGestures';

/** Above this many layers the canvas draws only the visible ones (see bench/ui.ts for what it saves at 1,000). */
const VIRTUALIZE_ABOVE = 200;

export const LAYER_DRAG_TYPE = 'application/neurowire-layer';

const nodeTypes: NodeTypes = { layer: LayerNode };
const edgeTypes: EdgeTypes = { layer: LayerEdge };
type Size = { width: number; height: number };
// Props xyflow compares by identity: made once, not on every render.
// Hidden layers count: a big graph seen from far hides xyflow's layers and draws its own overview (OverviewLayer).
export const FIT_VIEW = { maxZoom: 1, padding: 0.2, includeHiddenNodes: true };
const PRO_OPTIONS = { hideAttribution: true };
const MINIMAP_STYLE = { width: 150, height: 100 };
/**
 * Below this zoom the canvas is an overview: edge labels and the dotted background are too small to read but cost the
 * most to draw (each label is measured; the dots grow dense), so they are left out, as are the layers' shadows; edges
 * are straight lines.
 */
const OVERVIEW_ZOOM = 0.5;
/** The minimap draws every layer, seen or not: past this many it costs seconds to open a graph and is left out. */
const MINIMAP_MAX_LAYERS = 2000;

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameNodeData(a: LayerNodeData, b: LayerNodeData): boolean {
  return (
    a.name === b.name &&
    a.kind === b.kind &&
    a.label === b.label &&
    a.hasInput === b.hasInput &&
    sameItems(a.outputs, b.outputs)
  );
}

const outputsByNode = new WeakMap<ProjectNode, string[]>();
/**
 * `items` hidden from xyflow while `hide` holds (the overview draws them itself): each the same hidden copy, and the
 * same array, while what xyflow still uses of them is the same (`same`: where a layer is, its size, its selection;
 * an edge's ends), so that an edit in the overview (a layer's params or name) hands xyflow nothing new to go over.
 */
function useHiddenWhile<T extends { id: string; hidden?: boolean }>(hide: boolean, items: T[], same: (shown: T, hidden: T) => boolean): T[] {
  const copies = useRef(new Map<string, T>());
  const last = useRef<T[]>([]);
  return useMemo(() => {
    if (!hide) return items;
    const before = copies.current;
    const next = new Map<string, T>();
    const out = items.map((item) => {
      const prev = before.get(item.id);
      const copy = prev && same(item, prev) ? prev : { ...item, hidden: true };
      next.set(item.id, copy);
      return copy;
    });
    copies.current = next;
    if (!sameItems(out, last.current)) last.current = out;
    return last.current;
  }, [hide, items, same]);
}

const sameForFlow = (a: LayerFlowNode, b: LayerFlowNode) => a.position === b.position && a.selected === b.selected && a.measured === b.measured;
const sameEnds = (a: LayerFlowEdge, b: LayerFlowEdge) => a.source === b.source && a.target === b.target && a.sourceHandle === b.sourceHandle;

/** outputNames (which parses the layer's params) once per version of a layer: the store replaces a layer it changes. */
function outputsOf(node: ProjectNode): string[] {
  let outputs = outputsByNode.get(node);
  if (!outputs) {
    outputs = outputNames(node);
    outputsByNode.set(node, outputs);
  }
  return outputs;
}

export function Canvas() {
  const store = useAppStore();
  const actions = useActions();
  const project = useApp((s) => s.project);
  const selection = useApp((s) => s.ui.selection);
  const { screenToFlowPosition } = useReactFlow();
  const overview = useStore((s) => s.transform[2] < OVERVIEW_ZOOM);
  const gestures = useCanvasGestures();
  // The size xyflow measured of each layer drawn so far. xyflow keeps it while a node object stays the same; a node
  // made anew (moved, selected, edited) must carry it. Kept outside React state: a measurement (every layer that
  // comes into view while panning a big graph) then renders nothing and hands xyflow no new array of nodes.
  const measured = useRef(new Map<string, Size>());
  // A graph drawn whole is measured once per layer it shows: there each measurement is handed to xyflow's node (its
  // minimap and fitting read the node's own size), where a big graph's layers keep the typical size they started with.
  const [measuredVersion, setMeasuredVersion] = useState(0);
  // The node and edge objects of the last render: handed back unchanged where nothing shown changed, so that xyflow
  // and the memoized LayerNode skip them (an edit on a 1,000-layer graph then redraws only what it changed).
  const flowNodes = useRef(new Map<string, LayerFlowNode>());
  const flowEdges = useRef(new Map<string, LayerFlowEdge>());
  // What each layer's data was made from: the project's layer (its analysis the node reads itself).
  const dataSources = useRef(new Map<string, ProjectNode>());
  const lastNodes = useRef<LayerFlowNode[]>([]);
  const lastEdges = useRef<LayerFlowEdge[]>([]);

  const virtualize = project.graph.nodes.length > VIRTUALIZE_ABOVE;
  // A big graph seen from far is drawn as one picture (OverviewLayer); xyflow keeps its layers and edges, hidden.
  const boxes = virtualize && overview;
  const nodes = useMemo<LayerFlowNode[]>(() => {
    const selected = new Set(selection.nodeIds);
    const before = flowNodes.current;
    const next = new Map<string, LayerFlowNode>();
    const nextSources = new Map<string, ProjectNode>();
    const out = project.graph.nodes.map((n) => {
      const prev = before.get(n.id);
      // The same layer: the same data, not rebuilt (an edit upstream changes only what the node reads of the analysis).
      const source = dataSources.current.get(n.id);
      let data: LayerNodeData;
      if (prev && source === n) {
        data = prev.data;
      } else {
        const spec = getLayerSpec(n.kind);
        const fresh: LayerNodeData = {
          name: n.name,
          kind: n.kind,
          label: spec?.label ?? n.kind,
          hasInput: !takesNoInputs(n.kind),
          outputs: outputsOf(n),
        };
        data = prev && sameNodeData(prev.data, fresh) ? prev.data : fresh;
      }
      nextSources.set(n.id, n);
      const isSelected = selected.has(n.id);
      const size = measured.current.get(n.id);
      // A big graph's layer not drawn yet is taken to have a typical size and its handles where that size puts them:
      // xyflow would otherwise draw every such layer once, hidden, to measure it (seconds at 5,000 layers), and would
      // not fit the view to a graph with layers unmeasured. Drawn, a layer is measured as usual.
      const estimated = virtualize && !size;
      const shownSize = estimated ? TYPICAL_LAYER_SIZE : size;
      const node: LayerFlowNode =
        prev && prev.data === data && prev.position === n.position && prev.selected === isSelected && (virtualize || prev.measured === shownSize)
          ? prev
          : {
              id: n.id,
              type: 'layer' as const,
              position: n.position,
              data,
              selected: isSelected,
              measured: shownSize,
              ...(estimated ? { handles: layerHandles(data, TYPICAL_LAYER_SIZE) } : {}),
            };
      next.set(n.id, node);
      return node;
    });
    flowNodes.current = next;
    dataSources.current = nextSources;
    // The same array when no node changed: xyflow then skips going over all of them again.
    if (!sameItems(out, lastNodes.current)) lastNodes.current = out;
    return lastNodes.current;
    // measuredVersion: the sizes in `measured` (read through the ref) changed.
  }, [project.graph.nodes, selection.nodeIds, virtualize, measuredVersion]);

  const edges = useMemo<LayerFlowEdge[]>(() => {
    const selected = new Set(selection.edgeIds);
    const byId = new Map(project.graph.nodes.map((n) => [n.id, n]));
    const seenByTarget = new Map<string, number>();
    const before = flowEdges.current;
    const next = new Map<string, LayerFlowEdge>();
    const out = project.graph.edges.map((e) => {
      const port = e.sourcePort ?? 0;
      const source = byId.get(e.source);
      const outputs = source ? outputsOf(source) : ['output'];
      // Where the order of inputs has a meaning (attention's query, value, key), the edge says which one it is.
      const position = seenByTarget.get(e.target) ?? 0;
      seenByTarget.set(e.target, position + 1);
      const role = getLayerSpec(byId.get(e.target)?.kind ?? '')?.inputs.names?.[position];
      // From a layer with several outputs, the edge says which it carries (state h · [32]).
      const from = outputs.length > 1 ? outputs[port] : undefined;
      // "state h → initial state h": which output it leaves from, which input it enters (LayerEdge adds the shape).
      const what = from && role ? `${from} → ${role}` : (from ?? role);
      // An output the layer no longer gives (Return state turned off) draws from the main one; the layer says why.
      const sourceHandle = handleOfPort(port < outputs.length ? port : 0);
      const isSelected = selected.has(e.id);
      const prev = before.get(e.id);
      const edge: LayerFlowEdge =
        prev &&
        prev.source === e.source &&
        prev.sourceHandle === sourceHandle &&
        prev.target === e.target &&
        prev.selected === isSelected &&
        prev.data?.what === what &&
        prev.data?.port === port &&
        prev.data?.overview === overview
          ? prev
          : { id: e.id, type: 'layer', source: e.source, sourceHandle, target: e.target, selected: isSelected, className: 'flow-edge', data: { what, port, overview } };
      next.set(e.id, edge);
      return edge;
    });
    flowEdges.current = next;
    if (!sameItems(out, lastEdges.current)) lastEdges.current = out;
    return lastEdges.current;
  }, [project.graph.edges, project.graph.nodes, selection.edgeIds, overview]);

  const applySelect = useCallback(
    (ids: { id: string; selected: boolean }[], key: 'nodeIds' | 'edgeIds') => {
      // In the overview the selection is the canvas's own (onPaneClick); xyflow, which sees no layer there, would
      // take back what a Shift-click added.
      if (!ids.length || boxes) return;
      const cur = store.getState().ui.selection;
      const set = new Set(cur[key]);
      for (const c of ids) {
        if (c.selected) set.add(c.id);
        else set.delete(c.id);
      }
      actions.setSelection({ ...cur, [key]: [...set] });
    },
    [actions, boxes, store],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<LayerFlowNode>[]) => {
      const moves: Record<string, { x: number; y: number }> = {};
      let moved = false;
      let dragStart = false;
      let dragEnd = false;
      let sized = false;
      const selects: { id: string; selected: boolean }[] = [];
      for (const c of changes) {
        if (c.type === 'position') {
          if (c.position) {
            moves[c.id] = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
            moved = true;
          }
          if (c.dragging) dragStart = true;
          else if (c.dragging === false) dragEnd = true;
        } else if (c.type === 'dimensions' && c.dimensions) {
          measured.current.set(c.id, c.dimensions);
          sized = true;
        } else if (c.type === 'select') {
          selects.push(c);
        }
        // 'remove' is handled by our own Delete key handling (deleteKeyCode is off).
      }
      applySelect(selects, 'nodeIds');
      if (sized && !virtualize) setMeasuredVersion((v) => v + 1);
      const dragging = store.getState().doc.dragging;
      if (dragStart && !dragging) actions.beginDrag();
      if (moved) actions.moveNodes(moves);
      if (dragEnd && store.getState().doc.dragging) actions.endDrag();
    },
    [actions, applySelect, store, virtualize],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => applySelect(changes.filter((c) => c.type === 'select'), 'edgeIds'),
    [applySelect],
  );

  const onConnect = useCallback((c: Connection) => void actions.connect(c.source, c.target, portOfHandle(c.sourceHandle)), [actions]);

  const isValidConnection = useCallback<IsValidConnection>(
    (c) => connectionProblem(store.getState().project, c.source, c.target, portOfHandle(c.sourceHandle)) === null,
    [store],
  );

  // A connection dropped on a handle that refuses it (a layer onto itself, into an Input, a second identical
  // connection) would otherwise just snap back: say why.
  const onConnectEnd = useCallback<OnConnectEnd>(
    (_event, state) => {
      if (state.isValid !== false || !state.fromNode || !state.toNode || !state.toHandle) return;
      const forward = state.fromHandle?.type !== 'target';
      const [source, target] = forward ? [state.fromNode.id, state.toNode.id] : [state.toNode.id, state.fromNode.id];
      const port = portOfHandle((forward ? state.fromHandle : state.toHandle)?.id);
      const problem = connectionProblem(store.getState().project, source, target, port);
      if (problem) actions.notify('error', problem);
    },
    [actions, store],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(LAYER_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    markDropEdge(edgeAtPoint(e.clientX, e.clientY));
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(LAYER_DRAG_TYPE);
      if (!kind) return;
      e.preventDefault();
      markDropEdge(null);
      // Dropped on a connection: inserted there, wired both ways.
      const edge = edgeAtPoint(e.clientX, e.clientY);
      if (edge) {
        actions.insertLayer(kind, { onEdge: edge });
        return;
      }
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // Centre the node (about 180×80) on the drop point.
      actions.addNode(kind, { x: p.x - 90, y: p.y - 30 });
    },
    [actions, screenToFlowPosition],
  );

  const onNodeDragStop = useCallback(() => actions.endDrag(), [actions]);
  const empty = project.graph.nodes.length === 0;
  const shownNodes = useHiddenWhile(boxes, nodes, sameForFlow);
  const shownEdges = useHiddenWhile(boxes, edges, sameEnds);

  // A click on a layer's box in the overview selects it; Shift, Ctrl or ⌘ adds it to the selection (or takes it out).
  const onOverviewClick = useCallback(
    (id: string, e: ReactMouseEvent) => {
      if (!(e.shiftKey || e.ctrlKey || e.metaKey)) return actions.setSelection({ nodeIds: [id], edgeIds: [] });
      const current = store.getState().ui.selection;
      const nodeIds = current.nodeIds.includes(id) ? current.nodeIds.filter((n) => n !== id) : [...current.nodeIds, id];
      actions.setSelection({ ...current, nodeIds });
    },
    [actions, store],
  );

  // A click on the empty canvas clears the selection. In the overview a plain click on a box lands here too (see
  // overviewLayerAt).
  const onPaneClick = useCallback(
    (e: ReactMouseEvent) => {
      const id = boxes ? overviewLayerAt(nodes, screenToFlowPosition({ x: e.clientX, y: e.clientY })) : undefined;
      if (id) onOverviewClick(id, e);
      else actions.setSelection({ nodeIds: [], edgeIds: [] });
    },
    [actions, boxes, nodes, onOverviewClick, screenToFlowPosition],
  );

  return (
    <div
      className={overview ? 'canvas canvas--overview' : 'canvas'}
      data-testid="canvas"
      onDragOver={onDragOver}
      onDragLeave={() => markDropEdge(null)}
      onDrop={onDrop}
    >
      <ReactFlow<LayerFlowNode, LayerFlowEdge>
        nodes={shownNodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onNodeDragStop={onNodeDragStop}
        onPaneClick={onPaneClick}
        isValidConnection={isValidConnection}
        deleteKeyCode={null}
        fitView
        fitViewOptions={FIT_VIEW}
        minZoom={0.2}
        maxZoom={2}
        proOptions={PRO_OPTIONS}
        // Big graphs draw only what is on screen; a small one draws every layer, so nothing jumps in while panning.
        onlyRenderVisibleElements={virtualize}
        {...gestures}
      >
        {!overview && <Background gap={16} size={1} />}
        <Controls showInteractive={false} fitViewOptions={FIT_VIEW} />
        {boxes ? (
          <>
            <OverviewLayer nodes={nodes} edges={edges} onClick={onOverviewClick} />
            <OverviewMinimap nodes={nodes} style={MINIMAP_STYLE} />
          </>
        ) : (
          project.graph.nodes.length <= MINIMAP_MAX_LAYERS && <MiniMap pannable zoomable className="minimap" style={MINIMAP_STYLE} />
        )}
      </ReactFlow>
      {empty && (
        <div className="canvas__hint">
          Drag an <strong>Input</strong> layer from the palette to start, then add layers and wire them left to right.
        </div>
      )}
    </div>
  );
}
