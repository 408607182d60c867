import { clipboardText, copyLayers, pasteLayers, readClipboardText } from '../../../../main/core/graph/clipboard';
import { insertLayer, type InsertPlace } from '../../../../main/core/graph/insert';
import type { LayoutDirection } from '../../../../main/core/graph/layout';
import { layOutGraph } from '../../editing/layout';
import { newId } from '../graphOps';
import type { SliceCreator } from './types';

export type { InsertPlace } from '../../../../main/core/graph/insert';

/** What a context menu was opened on; `at` is the point of the canvas (flow coordinates) under the pointer. */
export type MenuTarget = { kind: 'node'; id: string } | { kind: 'edge'; id: string } | { kind: 'canvas'; at: { x: number; y: number } };

/** Layers the canvas should bring into view: always centred on them, only when some are out of view, or the whole graph fitted. */
export interface RevealRequest {
  ids: string[];
  mode: 'center' | 'ifHidden' | 'fit';
  seq: number;
}

/** The editor's gestures: menus, the quick-add box, the shortcut list, layout. Never part of the document. */
export interface EditingState {
  /** An open context menu, at a point of the window. */
  menu: { target: MenuTarget; x: number; y: number } | null;
  /** The quick-add box, when open: where the chosen layer goes (null: after the selected layer, else mid-view) and what it starts with. */
  quickAdd: { place: InsertPlace | null; query: string } | null;
  shortcutsOpen: boolean;
  reveal: RevealRequest | null;
  layoutDirection: LayoutDirection;
  layingOut: boolean;
}

export interface EditingSliceState {
  editing: EditingState;
}

export interface EditingActions {
  /** The selected layers and their inner connections as clipboard text (null when no layer is selected). */
  copySelection(): string | null;
  /** Copies the selection, then deletes it (one undo step); returns the clipboard text. */
  cutSelection(): string | null;
  /**
   * Pastes clipboard text (one undo step): new ids, unique names, offset from the originals or with the top-left at
   * `at`; the pasted layers end up selected and in view. Text that is not Neurowire layers changes nothing.
   */
  pasteText(text: string, at?: { x: number; y: number }): boolean;
  /** The clipboard's text when this window last copied or cut (for a paste where the system clipboard cannot be read). */
  lastCopied(): string | null;
  /** Copies of the selected layers and their inner connections beside them (one undo step). */
  duplicateSelection(): boolean;
  selectAll(): void;
  /** Inserts a layer (one undo step), selects it and brings it into view; its id, or null with a message. */
  insertLayer(kind: string, place: InsertPlace): string | null;
  /** Lays the network out with ELK (one undo step; `asLoaded` for a project just loaded, see editGraph). */
  autoLayout(opts?: { direction?: LayoutDirection; asLoaded?: boolean; sizes?: Record<string, { width: number; height: number }> }): Promise<boolean>;
  setLayoutDirection(direction: LayoutDirection): void;
  /** Selects a layer (by id or name) and centres the view on it. */
  focusLayer(idOrName: string): boolean;
  revealLayers(ids: readonly string[], mode: RevealRequest['mode']): void;
  openMenu(target: MenuTarget, x: number, y: number): void;
  openQuickAdd(place: InsertPlace | null, query?: string): void;
  showShortcuts(open: boolean): void;
  closeOverlays(): void;
}

export const createEditingSlice: SliceCreator<EditingSliceState, EditingActions> = ({ get, set, notify }) => {
  let copied: string | null = null;
  let revealSeq = 0;
  const setEditing = (patch: Partial<EditingState>) => set((s) => ({ editing: { ...s.editing, ...patch } }));

  const paste = (layers: Parameters<typeof pasteLayers>[1], offset?: { x: number; y: number }): boolean => {
    const graph = get().project.graph;
    const r = pasteLayers(graph, layers, { newId, offset });
    get().actions.editGraph(r.graph, { select: { nodeIds: r.inserted, edgeIds: r.graph.edges.slice(graph.edges.length).map((e) => e.id) } });
    actions.revealLayers(r.inserted, 'ifHidden');
    return true;
  };

  const actions: EditingActions = {
    copySelection() {
      const layers = copyLayers(get().project.graph, get().ui.selection.nodeIds);
      if (!layers) return null;
      copied = clipboardText(layers);
      return copied;
    },

    cutSelection() {
      const text = actions.copySelection();
      if (text) get().actions.deleteElements(get().ui.selection.nodeIds, []);
      return text;
    },

    pasteText(text, at) {
      const read = readClipboardText(text);
      if (!read.ok) {
        if (read.foreign) notify('info', 'The clipboard holds no Neurowire layers: copy layers first (Ctrl+C on the canvas).');
        else notify('error', read.error);
        return false;
      }
      const { nodes } = read.layers;
      const offset = at && { x: at.x - Math.min(...nodes.map((n) => n.position.x)), y: at.y - Math.min(...nodes.map((n) => n.position.y)) };
      return paste(read.layers, offset);
    },

    lastCopied: () => copied,

    duplicateSelection() {
      const layers = copyLayers(get().project.graph, get().ui.selection.nodeIds);
      return layers ? paste(layers) : false;
    },

    selectAll() {
      const { nodes, edges } = get().project.graph;
      get().actions.setSelection({ nodeIds: nodes.map((n) => n.id), edgeIds: edges.map((e) => e.id) });
    },

    insertLayer(kind, place) {
      const r = insertLayer(get().project.graph, kind, place, { newId });
      if (!r.ok) {
        notify('error', r.error);
        return null;
      }
      get().actions.editGraph(r.graph, { select: { nodeIds: r.inserted, edgeIds: [] } });
      actions.revealLayers(r.inserted, 'ifHidden');
      return r.inserted[0] ?? null;
    },

    async autoLayout(opts = {}) {
      const before = get().project.graph;
      if (!before.nodes.length) return false;
      setEditing({ layingOut: true });
      try {
        const laid = await layOutGraph(before, opts.direction ?? get().editing.layoutDirection, opts.sizes);
        // An edit made while ELK worked wins: its layout would put back what the edit changed.
        if (get().project.graph !== before) {
          if (!opts.asLoaded) notify('info', 'The network changed while it was being laid out; lay it out again.');
          return false;
        }
        get().actions.editGraph(laid, { asLoaded: opts.asLoaded, select: get().ui.selection });
        actions.revealLayers([], 'fit');
        return true;
      } catch (e) {
        notify('error', `Could not lay out the network: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      } finally {
        setEditing({ layingOut: false });
      }
    },

    setLayoutDirection(direction) {
      setEditing({ layoutDirection: direction });
    },

    focusLayer(idOrName) {
      const node = get().project.graph.nodes.find((n) => n.id === idOrName) ?? get().project.graph.nodes.find((n) => n.name === idOrName);
      if (!node) return false;
      get().actions.setSelection({ nodeIds: [node.id], edgeIds: [] });
      actions.revealLayers([node.id], 'center');
      return true;
    },

    revealLayers(ids, mode) {
      setEditing({ reveal: { ids: [...ids], mode, seq: ++revealSeq } });
    },

    openMenu(target, x, y) {
      setEditing({ menu: { target, x, y }, quickAdd: null, shortcutsOpen: false });
    },

    openQuickAdd(place, query = '') {
      setEditing({ quickAdd: { place, query }, menu: null, shortcutsOpen: false });
    },

    showShortcuts(open) {
      setEditing({ shortcutsOpen: open, menu: null, quickAdd: null });
    },

    closeOverlays() {
      const { menu, quickAdd, shortcutsOpen } = get().editing;
      if (menu || quickAdd || shortcutsOpen) setEditing({ menu: null, quickAdd: null, shortcutsOpen: false });
    },
  };

  return {
    state: { editing: { menu: null, quickAdd: null, shortcutsOpen: false, reveal: null, layoutDirection: 'RIGHT', layingOut: false } },
    actions,
  };
};
