import { createStore } from 'zustand/vanilla';
import { temporal } from 'zundo';
import type { EngineClient } from '../../../main/core/api/contract';
import { createDataSlice } from './slices/data';
import { createDocumentSlice, HISTORY_LIMIT, type DocumentState } from './slices/document';
import { createEditingSlice } from './slices/editing';
import { createEngineSlice } from './slices/engine';
import { createInsideSlice } from './slices/inside';
import { createRunsSlice } from './slices/runs';
import { createTrainingSlice } from './slices/training';
import { errorText, type AppActions, type AppState, type AppStore, type SliceContext } from './slices/types';
import { createUiSlice } from './slices/ui';
import { createTryModelSlice } from './slices/tryModel';

export type { AppActions, AppState, AppStore } from './slices/types';
export type { MessageCause, MessageKind, Selection, UiMessage } from './slices/ui';
export { attachAutosave, HISTORY_LIMIT } from './slices/document';
export { attachDatasetInspection } from './slices/data';

/**
 * The slices, each owning its own top-level keys. Order matters only for training events, which reach
 * the slices in this order: runs reads which run the panel followed before training moves on.
 */
export const appSlices = {
  document: createDocumentSlice,
  data: createDataSlice,
  runs: createRunsSlice,
  training: createTrainingSlice,
  ui: createUiSlice,
  engine: createEngineSlice,
  editing: createEditingSlice,
  tryModel: createTryModelSlice,
  inside: createInsideSlice,
} as const;

/**
 * The app's state, built from the slices above; only the document (`project`) has undo/redo.
 * Free of DOM access so it runs (and is tested) in node.
 */
export function createAppStore(client: EngineClient): AppStore {
  const store = createStore<AppState>()(
    temporal(
      (set, get) => {
        const ctx: SliceContext = {
          client,
          get,
          set,
          // Slices reach the history only from actions, which run after `store` is assigned.
          history: () => store.temporal,
          notify: (kind, text, cause) => get().actions.notify(kind, text, cause),
          fail: (what, e, cause) => get().actions.notify('error', `${what}: ${errorText(e)}`, cause),
        };
        const document = appSlices.document(ctx);
        const data = appSlices.data(ctx);
        const runs = appSlices.runs(ctx);
        const training = appSlices.training(ctx);
        const ui = appSlices.ui(ctx);
        const engine = appSlices.engine(ctx);
        const editing = appSlices.editing(ctx);
        const tryModel = appSlices.tryModel(ctx);
        const inside = appSlices.inside(ctx);
        const slices = [document, data, runs, training, ui, engine, editing, tryModel, inside];
        const actions: AppActions = {
          ...document.actions,
          ...data.actions,
          ...runs.actions,
          ...training.actions,
          ...ui.actions,
          ...engine.actions,
          ...editing.actions,
          ...tryModel.actions,
          ...inside.actions,
          handleTrainingEvent(event) {
            for (const slice of slices) slice.onTrainingEvent?.(event);
          },
        };
        return { ...document.state, ...data.state, ...runs.state, ...training.state, ...ui.state, ...engine.state, ...editing.state, ...tryModel.state, ...inside.state, actions };
      },
      {
        partialize: (s): DocumentState => ({ project: s.project }),
        equality: (a, b) => a.project === b.project,
        limit: HISTORY_LIMIT,
      },
    ),
  ) as AppStore;

  client.on('training', (event) => store.getState().actions.handleTrainingEvent(event));
  return store;
}
