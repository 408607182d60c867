import { useCallback, useMemo, type MouseEvent as ReactMouseEvent } from 'react';
import { useReactFlow, type Edge, type Node } from '@xyflow/react';
import { useActions, useAppStore } from '../store/context';

const DROP_TARGET_CLASS = 'flow-edge--drop-target';

/** The connection under a point of the window (its wide invisible hit area counts), if any. */
export function edgeAtPoint(x: number, y: number): string | null {
  for (const el of document.elementsFromPoint(x, y)) {
    const edge = el.closest('.react-flow__edge');
    if (edge instanceof SVGElement && edge.dataset.id) return edge.dataset.id;
    if (el.closest('.react-flow__node')) return null; // a layer above the connection takes the drop
  }
  return null;
}

/** Marks the connection a dragged layer would be inserted on (null clears the mark). */
export function markDropEdge(id: string | null) {
  for (const el of document.querySelectorAll(`.${DROP_TARGET_CLASS}`)) if (el.getAttribute('data-id') !== id) el.classList.remove(DROP_TARGET_CLASS);
  if (id) document.querySelector(`.react-flow__edge[data-id="${CSS.escape(id)}"]`)?.classList.add(DROP_TARGET_CLASS);
}

/** React Flow props of the editing gestures: context menus, and Shift-click (as Ctrl/⌘-click) adding to the selection. */
export function useCanvasGestures() {
  const actions = useActions();
  const store = useAppStore();
  const { screenToFlowPosition } = useReactFlow();

  const onNodeContextMenu = useCallback(
    (e: ReactMouseEvent, node: Node) => {
      e.preventDefault();
      // The menu acts on the selection: a right-click outside it selects the layer first.
      if (!store.getState().ui.selection.nodeIds.includes(node.id)) actions.setSelection({ nodeIds: [node.id], edgeIds: [] });
      actions.openMenu({ kind: 'node', id: node.id }, e.clientX, e.clientY);
    },
    [actions, store],
  );

  const onEdgeContextMenu = useCallback(
    (e: ReactMouseEvent, edge: Edge) => {
      e.preventDefault();
      actions.setSelection({ nodeIds: [], edgeIds: [edge.id] });
      actions.openMenu({ kind: 'edge', id: edge.id }, e.clientX, e.clientY);
    },
    [actions],
  );

  const onPaneContextMenu = useCallback(
    (e: ReactMouseEvent | MouseEvent) => {
      e.preventDefault();
      actions.openMenu({ kind: 'canvas', at: screenToFlowPosition({ x: e.clientX, y: e.clientY }) }, e.clientX, e.clientY);
    },
    [actions, screenToFlowPosition],
  );

  return useMemo(
    () => ({ onNodeContextMenu, onEdgeContextMenu, onPaneContextMenu, multiSelectionKeyCode: ['Shift', 'Meta', 'Control'] }),
    [onNodeContextMenu, onEdgeContextMenu, onPaneContextMenu],
  );
}
