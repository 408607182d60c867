import type { PickPathPurpose } from '../../../../main/core/api/contract';
import { sameValue } from '../../../../main/core/graph/fitToData';
import type { SliceCreator } from './types';

export type MessageKind = 'info' | 'success' | 'error';
export interface UiMessage {
  id: number;
  kind: MessageKind;
  text: string;
  /**
   * What the message is about ('open', 'data', 'training', …): a newer message with the same cause replaces it, and
   * clearMessages(cause) removes it once the cause is gone (a successful open, data that reads again).
   */
  cause?: MessageCause;
}

/** The causes banners are grouped by; each is cleared by the success that ends it. */
export type MessageCause = 'open' | 'save' | 'autosave' | 'data' | 'training' | 'engine' | 'try';

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
  /**
   * Settings typed in but not valid, by field ("learningRate" → "Learning rate must be between 0 and 10"): the project
   * keeps its last valid value meanwhile, so Train waits until the field is fixed rather than silently using that.
   */
  invalidSettings: Record<string, string>;
}

export interface UiSliceState {
  ui: UiState;
}

export interface UiActions {
  setSelection(selection: Selection): void;
  /** Keeps the selection to ids that still exist in the graph (after a delete, undo or fit). */
  pruneSelection(nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>): void;
  /** A banner; the same text, or another message with the same cause, is replaced rather than stacked. */
  notify(kind: MessageKind, text: string, cause?: MessageCause): void;
  dismissMessage(id: number): void;
  /** Removes the banners of a cause that is gone. */
  clearMessages(cause: MessageCause): void;
  /** Shows a question and resolves with the id of the choice made. A question asked while one is open waits for it. */
  ask(question: Question): Promise<string>;
  answer(choiceId: string): void;
  /** Records (or, with null, clears) that a settings field holds an invalid value, and why. */
  setSettingProblem(field: string, problem: string | null): void;
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

    notify(kind, text, cause) {
      const msg: UiMessage = { id: ++messageId, kind, text, ...(cause && { cause }) };
      // The same text (or the same cause) again moves to the end instead of stacking up.
      const replaced = (m: UiMessage) => m.text === text || (cause !== undefined && m.cause === cause && m.kind === kind);
      set((s) => ({ ui: { ...s.ui, messages: [...s.ui.messages.filter((m) => !replaced(m)), msg].slice(-6) } }));
    },

    clearMessages(cause) {
      if (!get().ui.messages.some((m) => m.cause === cause)) return;
      set((s) => ({ ui: { ...s.ui, messages: s.ui.messages.filter((m) => m.cause !== cause) } }));
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

    setSettingProblem(field, problem) {
      const current = get().ui.invalidSettings;
      if ((current[field] ?? null) === problem) return;
      const { [field]: _old, ...rest } = current;
      setUi({ invalidSettings: problem === null ? rest : { ...rest, [field]: problem } });
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

  return { state: { ui: { selection: EMPTY_SELECTION, messages: [], question: null, invalidSettings: {} } }, actions };
};
