import { useEffect } from 'react';
import { useReactFlow } from '@xyflow/react';
import { FIT_VIEW } from '../components/Canvas';
import { useActions, useApp, useAppStore } from '../store/context';
import { DEFAULT_NODE_SIZE } from '../../../main/core/graph/layout';
import { hasModifier, isFormControl, isTextEntry } from './keys';
import { ContextMenu } from './ContextMenu';
import { QuickAdd } from './QuickAdd';
import { ShortcutOverlay } from './ShortcutOverlay';
import { useTheme } from './theme';

/** A dialog of the app (open, save, templates) has the keyboard. */
const appDialogOpen = () => document.querySelector('.modal[aria-modal="true"]') !== null;
/** Text the person selected on the page (a log line, a message) is theirs to copy. */
const hasTextSelection = () => (window.getSelection()?.toString() ?? '') !== '';

/** Keyboard shortcuts and clipboard events of the canvas, while no text field or dialog has them. */
function useEditingKeys() {
  const store = useAppStore();
  const actions = useActions();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || appDialogOpen()) return;
      const { menu, quickAdd, shortcutsOpen } = store.getState().editing;
      if (menu || quickAdd || shortcutsOpen) {
        if (e.key === 'Escape') actions.closeOverlays();
        // The open overlay handles its own keys; Delete outside a text field must not reach the canvas's selection.
        else if ((e.key === 'Delete' || e.key === 'Backspace') && !isTextEntry(e.target)) e.stopImmediatePropagation();
        return;
      }
      if (isFormControl(e.target)) return;
      const mod = hasModifier(e);
      const key = e.key.toLowerCase();
      const act = (f: () => void) => {
        e.preventDefault();
        f();
      };
      if (mod && !e.shiftKey && !e.altKey) {
        if (key === 'a') act(() => actions.selectAll());
        else if (key === 'd') act(() => actions.duplicateSelection());
        else if (key === 'k') act(() => actions.openQuickAdd(null));
        return;
      }
      if (mod || e.altKey) return;
      if (e.key === '?') act(() => actions.showShortcuts(true));
      else if (e.key === '/') act(() => actions.openQuickAdd(null));
      else if (e.key === 'Escape') actions.setSelection({ nodeIds: [], edgeIds: [] });
      else if (/^[a-z]$/i.test(e.key) && (e.target === document.body || (e.target instanceof Element && e.target.closest('[data-testid="canvas"]')))) {
        // Typing on the canvas starts a quick-add with what was typed.
        act(() => actions.openQuickAdd(null, e.key));
      }
    };
    const onCopy = (e: ClipboardEvent, cut: boolean) => {
      if (isTextEntry(e.target) || hasTextSelection() || appDialogOpen()) return;
      const text = cut ? actions.cutSelection() : actions.copySelection();
      if (!text || !e.clipboardData) return;
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
    };
    const copy = (e: ClipboardEvent) => onCopy(e, false);
    const cut = (e: ClipboardEvent) => onCopy(e, true);
    const paste = (e: ClipboardEvent) => {
      if (isTextEntry(e.target) || appDialogOpen()) return;
      const text = e.clipboardData?.getData('text/plain');
      if (!text) return;
      e.preventDefault();
      actions.pasteText(text);
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', copy);
    document.addEventListener('cut', cut);
    document.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', copy);
      document.removeEventListener('cut', cut);
      document.removeEventListener('paste', paste);
    };
  }, [store, actions]);
}

/** Brings layers into view when an action asks (editing.reveal): centred, only when hidden, or the whole graph fitted. */
function useReveal() {
  const store = useAppStore();
  const reveal = useApp((s) => s.editing.reveal);
  const { fitView, setCenter, getViewport, getInternalNode, flowToScreenPosition } = useReactFlow();
  useEffect(() => {
    if (!reveal) return;
    if (reveal.mode === 'fit') {
      // Wait for moved nodes to be rendered.
      const t = setTimeout(() => void fitView({ ...FIT_VIEW, duration: 200 }), 50);
      return () => clearTimeout(t);
    }
    const nodes = store.getState().project.graph.nodes.filter((n) => reveal.ids.includes(n.id));
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    if (!nodes.length || !canvas) return;
    const boxes = nodes.map((n) => {
      const size = getInternalNode(n.id)?.measured;
      return { x: n.position.x, y: n.position.y, right: n.position.x + (size?.width ?? DEFAULT_NODE_SIZE.width), bottom: n.position.y + (size?.height ?? DEFAULT_NODE_SIZE.height) };
    });
    const box = { x: Math.min(...boxes.map((b) => b.x)), y: Math.min(...boxes.map((b) => b.y)), right: Math.max(...boxes.map((b) => b.right)), bottom: Math.max(...boxes.map((b) => b.bottom)) };
    const topLeft = flowToScreenPosition({ x: box.x, y: box.y });
    const bottomRight = flowToScreenPosition({ x: box.right, y: box.bottom });
    const inView = topLeft.x >= canvas.left && topLeft.y >= canvas.top && bottomRight.x <= canvas.right && bottomRight.y <= canvas.bottom;
    if (reveal.mode === 'ifHidden' && inView) return;
    void setCenter((box.x + box.right) / 2, (box.y + box.bottom) / 2, { zoom: getViewport().zoom, duration: 200 });
  }, [reveal, store, fitView, setCenter, getViewport, getInternalNode, flowToScreenPosition]);
}

/** The editor's gestures: shortcuts, clipboard, context menus, quick-add, the shortcut list and the theme. */
export function EditingGestures() {
  useEditingKeys();
  useReveal();
  useTheme();
  const menu = useApp((s) => s.editing.menu);
  const quickAdd = useApp((s) => s.editing.quickAdd);
  const shortcutsOpen = useApp((s) => s.editing.shortcutsOpen);
  return (
    <>
      {menu && <ContextMenu menu={menu} />}
      {quickAdd && <QuickAdd place={quickAdd.place} initialQuery={quickAdd.query} />}
      {shortcutsOpen && <ShortcutOverlay />}
    </>
  );
}
