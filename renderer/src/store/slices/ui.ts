import type { PickPathPurpose } from '../../../../main/core/api/contract';
import { sameValue } from '../../../../main/core/graph/fitToData';
import type { SliceCreator } from './types';

export type MessageKind = 'info' | 'success' | 'error';
export interface UiMessage {
  id: number;
  kind: MessageKind;
  text: string;
}

/** A question the person answers before the app goes on (restore unsaved work, discard changes). */
export interface Question {
  title: string;
  text: string;
  /** The buttons, left to right; the last is the default. Escape answers the first. */
  choices: { id: string; label: string }[];
}

export interface Selection {
  nodeIds: string[];
  edgeIds: string[];
}

/** What the person is looking at and being told; never part of the document or its history. */
export interface UiState {
  selection: Selection;
  /** Banners, oldest first (at most six). */
  messages: UiMessage[];
  /** The question on screen, if any (renderer/src/components/Dialogs.tsx shows it). */
  question: Question | null;
}

export interface UiSliceState {
  ui: UiState;
}

export interface UiActions {
  setSelection(selection: Selection): void;
  /** Keeps the selection to ids that still exist in the graph (after a delete, undo or fit). */
  pruneSelection(nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>): void;
  notify(kind: MessageKind, text: string): void;
  dismissMessage(id: number): void;
  /** Shows a question and resolves with the id of the choice made. A question asked while one is open waits for it. */
  ask(question: Question): Promise<string>;
  answer(choiceId: string): void;
  /** Native file dialog (desktop app only); null when cancelled or unavailable. */
  pickPath(purpose: PickPathPurpose, defaultPath?: string): Promise<string | null>;
}

export const EMPTY_SELECTION: Selection = { nodeIds: [], edgeIds: [] };

export const createUiSlice: SliceCreator<UiSliceState, UiActions> = ({ client, get, set, fail }) => {
  let messageId = 0;
  /** Questions waiting their turn; the first is on screen. */
  const questions: { question: Question; resolve: (choiceId: string) => void }[] = [];
  const setUi = (patch: Partial<UiState>) => set((s) => ({ ui: { ...s.ui, ...patch } }));

  const actions: UiActions = {
    setSelection(selection) {
      const cur = get().ui.selection;
      if (sameValue(cur.nodeIds, selection.nodeIds) && sameValue(cur.edgeIds, selection.edgeIds)) return;
      setUi({ selection });
    },

    pruneSelection(nodeIds, edgeIds) {
      const { selection } = get().ui;
      actions.setSelection({ nodeIds: selection.nodeIds.filter((i) => nodeIds.has(i)), edgeIds: selection.edgeIds.filter((i) => edgeIds.has(i)) });
    },

    notify(kind, text) {
      const msg: UiMessage = { id: ++messageId, kind, text };
      // The same text again moves to the end instead of stacking up.
      set((s) => ({ ui: { ...s.ui, messages: [...s.ui.messages.filter((m) => m.text !== text), msg].slice(-6) } }));
    },

    dismissMessage(id) {
      set((s) => ({ ui: { ...s.ui, messages: s.ui.messages.filter((m) => m.id !== id) } }));
    },

    ask(question) {
      return new Promise((resolve) => {
        questions.push({ question, resolve });
        if (questions.length === 1) setUi({ question });
      });
    },

    answer(choiceId) {
      const current = questions.shift();
      setUi({ question: questions[0]?.question ?? null });
      current?.resolve(choiceId);
    },

    async pickPath(purpose, defaultPath) {
      try {
        return (await client.call('dialog.pickPath', { purpose, defaultPath })).path;
      } catch (e) {
        fail('Could not show the file dialog', e);
        return null;
      }
    },
  };

  return { state: { ui: { selection: EMPTY_SELECTION, messages: [], question: null } }, actions };
};
