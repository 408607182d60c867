import { createStore, type StoreApi } from 'zustand/vanilla';
import { temporal, type TemporalState } from 'zundo';
import type { EngineClient, EngineInfo, ProjectFileEntry, TemplateInfo, TrainingEvent } from '../../../main/core/api/contract';
import type { DatasetInfo } from '../../../main/core/datasets';
import { BUILTIN_DATASETS, datasetKey, emptyProject, type Project, type TrainingConfig } from '../../../main/core/project';
import type { ConnectionStatus, RendererEngineClient } from '../api/client';
import {
  connectionProblem,
  LAYER_NAME_RE,
  makeNode,
  newId,
  removeElements,
  sameValue,
  updateNode,
  withGraph,
} from './graphOps';
import { applyTrainingEvent, initialTraining, isActive, type TrainingState } from './trainingState';

export type MessageKind = 'info' | 'success' | 'error';
export interface UiMessage {
  id: number;
  kind: MessageKind;
  text: string;
}

export interface Selection {
  nodeIds: string[];
  edgeIds: string[];
}

export interface UiState {
  selection: Selection;
  messages: UiMessage[];
  /** Where the project was last opened from or saved to. */
  filePath: string | null;
  /** Document edited since it was loaded or saved. */
  dirty: boolean;
  /** Set once start-up (engine info, restore) has finished. */
  ready: boolean;
  /** Result of the last export, shown in the training panel. */
  exportResult: { dir: string; files: string[] } | null;
  /** A node drag is in progress (history paused). */
  dragging: boolean;
  /** Bumped whenever a project is loaded (the canvas re-fits its view). */
  loadSeq: number;
}

export interface EngineState {
  info: EngineInfo | null;
  datasets: DatasetInfo[];
  templates: TemplateInfo[];
  connection: ConnectionStatus;
}

/** The part of the state that undo/redo covers. */
export interface DocumentState {
  project: Project;
}

export interface AppActions {
  // start-up
  init(): Promise<void>;
  // document
  loadProject(project: Project, opts?: { path?: string | null; message?: string }): void;
  newProject(): void;
  newFromTemplate(id: string): Promise<void>;
  addNode(kind: string, position: { x: number; y: number }): string | null;
  connect(source: string, target: string): string | null;
  deleteElements(nodeIds: readonly string[], edgeIds: readonly string[]): void;
  deleteSelection(): void;
  setNodeParam(id: string, key: string, value: unknown): void;
  /** Renames a layer; returns an error message instead when the name is not allowed. */
  renameNode(id: string, name: string): string | null;
  setProjectName(name: string): void;
  setDatasetId(id: string): void;
  setTraining(patch: Partial<TrainingConfig>): void;
  /** One undo step per drag: call begin at drag start, move during it, end at drag stop. */
  beginDrag(): void;
  moveNodes(positions: Record<string, { x: number; y: number }>): void;
  endDrag(): void;
  undo(): void;
  redo(): void;
  // selection and messages
  setSelection(selection: Selection): void;
  notify(kind: MessageKind, text: string): void;
  dismissMessage(id: number): void;
  // files
  listProjects(): Promise<ProjectFileEntry[]>;
  /** Native file dialog (desktop app only); null when cancelled or unavailable. */
  pickPath(purpose: 'openProject' | 'saveProject' | 'exportFolder', defaultPath?: string): Promise<string | null>;
  openProject(path: string): Promise<boolean>;
  /** Saves to `path` or the remembered path; returns false when there is no path yet (ask for one). */
  saveProject(path?: string): Promise<boolean>;
  autosave(): Promise<void>;
  // training
  startTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  exportModel(): Promise<void>;
  handleTrainingEvent(event: TrainingEvent): void;
}

export interface AppState extends DocumentState {
  engine: EngineState;
  training: TrainingState;
  ui: UiState;
  actions: AppActions;
}

export type AppStore = StoreApi<AppState> & { temporal: StoreApi<TemporalState<DocumentState>> };

export const HISTORY_LIMIT = 200;

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return String(e);
}

function isRendererClient(c: EngineClient): c is RendererEngineClient {
  return typeof (c as Partial<RendererEngineClient>).onStatus === 'function';
}

/**
 * The app's state: the project document (with undo/redo), engine data, training run and UI state.
 * Free of DOM access so it runs (and is tested) in node.
 */
export function createAppStore(client: EngineClient): AppStore {
  let messageId = 0;
  let dragOrigin: Project | null = null;
  let lastAutosaveError: string | null = null;

  const store = createStore<AppState>()(
    temporal(
      (set, get) => {
        const setUi = (patch: Partial<UiState>) => set((s) => ({ ui: { ...s.ui, ...patch } }));
        /** Replaces the document (one undo step) and marks it dirty. */
        const commit = (next: Project) => {
          if (next === get().project) return;
          set((s) => ({ project: next, ui: { ...s.ui, dirty: true } }));
        };
        const notify = (kind: MessageKind, text: string) => {
          const msg: UiMessage = { id: ++messageId, kind, text };
          set((s) => ({ ui: { ...s.ui, messages: [...s.ui.messages.filter((m) => m.text !== text), msg].slice(-6) } }));
        };
        const fail = (what: string, e: unknown) => notify('error', `${what}: ${errorText(e)}`);
        const history = () => (store as unknown as AppStore).temporal.getState();

        const actions: AppActions = {
          async init() {
            const [info, datasets, templates] = await Promise.allSettled([
              client.call('engine.info', {}),
              client.call('datasets.list', {}),
              client.call('templates.list', {}),
            ]);
            set((s) => ({
              engine: {
                ...s.engine,
                info: info.status === 'fulfilled' ? info.value : s.engine.info,
                datasets: datasets.status === 'fulfilled' ? datasets.value : s.engine.datasets,
                templates: templates.status === 'fulfilled' ? templates.value : s.engine.templates,
              },
            }));
            for (const r of [info, datasets, templates]) if (r.status === 'rejected') fail('Could not reach the engine', r.reason);

            let loaded = false;
            try {
              const restored = await client.call('project.restoreAutosave', {});
              if (restored.project) {
                actions.loadProject(restored.project, { message: 'Restored your last session' });
                loaded = true;
              }
            } catch (e) {
              fail('Could not restore your last session', e);
            }
            if (!loaded && get().engine.templates.some((t) => t.id === 'mnist-mlp')) {
              try {
                actions.loadProject(await client.call('templates.get', { id: 'mnist-mlp' }));
                loaded = true;
              } catch (e) {
                fail('Could not load the starter template', e);
              }
            }
            if (!loaded) actions.loadProject(emptyProject());
            setUi({ ready: true });
          },

          loadProject(project, opts = {}) {
            dragOrigin = null;
            set((s) => ({
              project,
              ui: { ...s.ui, selection: { nodeIds: [], edgeIds: [] }, filePath: opts.path ?? null, dirty: false, dragging: false, loadSeq: s.ui.loadSeq + 1 },
            }));
            history().clear();
            history().resume();
            if (opts.message) notify('info', opts.message);
          },

          newProject() {
            actions.loadProject(emptyProject());
          },

          async newFromTemplate(id) {
            try {
              const project = await client.call('templates.get', { id });
              actions.loadProject(project, { message: `New project from template “${project.name}”` });
            } catch (e) {
              fail('Could not load the template', e);
            }
          },

          addNode(kind, position) {
            const project = get().project;
            let node;
            try {
              node = makeNode(kind, position, project.graph.nodes);
            } catch (e) {
              fail('Could not add the layer', e);
              return null;
            }
            commit(withGraph(project, [...project.graph.nodes, node], project.graph.edges));
            setUi({ selection: { nodeIds: [node.id], edgeIds: [] } });
            return node.id;
          },

          connect(source, target) {
            const project = get().project;
            const problem = connectionProblem(project, source, target);
            if (problem) {
              notify('error', problem);
              return null;
            }
            const edge = { id: newId(), source, target };
            commit(withGraph(project, project.graph.nodes, [...project.graph.edges, edge]));
            return edge.id;
          },

          deleteElements(nodeIds, edgeIds) {
            const project = get().project;
            const next = removeElements(project, nodeIds, edgeIds);
            if (next === project) return;
            commit(next);
            const { selection } = get().ui;
            const ids = new Set(next.graph.nodes.map((n) => n.id));
            const eids = new Set(next.graph.edges.map((e) => e.id));
            setUi({ selection: { nodeIds: selection.nodeIds.filter((i) => ids.has(i)), edgeIds: selection.edgeIds.filter((i) => eids.has(i)) } });
          },

          deleteSelection() {
            const { nodeIds, edgeIds } = get().ui.selection;
            if (nodeIds.length || edgeIds.length) actions.deleteElements(nodeIds, edgeIds);
          },

          setNodeParam(id, key, value) {
            commit(
              updateNode(get().project, id, (n) => (sameValue(n.params[key], value) ? n : { ...n, params: { ...n.params, [key]: value } })),
            );
          },

          renameNode(id, name) {
            const trimmed = name.trim();
            const project = get().project;
            const node = project.graph.nodes.find((n) => n.id === id);
            if (!node) return 'That layer no longer exists.';
            if (trimmed === node.name) return null;
            if (!LAYER_NAME_RE.test(trimmed)) return 'Layer names start with a letter and use only letters, digits and _.';
            if (project.graph.nodes.some((n) => n.id !== id && n.name === trimmed)) return `Another layer is already called ${trimmed}.`;
            commit(updateNode(project, id, (n) => ({ ...n, name: trimmed })));
            return null;
          },

          setProjectName(name) {
            const trimmed = name.trim().slice(0, 200);
            const project = get().project;
            if (!trimmed || trimmed === project.name) return;
            commit({ ...project, name: trimmed });
          },

          setDatasetId(id) {
            const project = get().project;
            if (datasetKey(project.dataset.source) === id) return;
            const name = BUILTIN_DATASETS.find((b) => b === id);
            if (!name) return;
            commit({ ...project, dataset: { ...project.dataset, source: { type: 'builtin', name, samples: 2000, noise: 0.1 } } });
          },

          setTraining(patch) {
            const project = get().project;
            const next = { ...project.training, ...patch };
            if ((Object.keys(patch) as (keyof TrainingConfig)[]).every((k) => sameValue(project.training[k], next[k]))) return;
            commit({ ...project, training: next });
          },

          beginDrag() {
            if (get().ui.dragging) return;
            dragOrigin = get().project;
            history().pause();
            setUi({ dragging: true });
          },

          moveNodes(positions) {
            const project = get().project;
            let changed = false;
            const nodes = project.graph.nodes.map((n) => {
              const p = positions[n.id];
              if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
              changed = true;
              return { ...n, position: { x: p.x, y: p.y } };
            });
            if (changed) commit(withGraph(project, nodes, project.graph.edges));
          },

          endDrag() {
            if (!get().ui.dragging) return;
            const origin = dragOrigin;
            dragOrigin = null;
            history().resume();
            setUi({ dragging: false });
            // Record the whole drag as one step: from the position before the drag to the one now.
            if (origin && origin !== get().project) {
              const t = (store as unknown as AppStore).temporal;
              const past = [...t.getState().pastStates, { project: origin }];
              t.setState({ pastStates: past.slice(-HISTORY_LIMIT), futureStates: [] });
            }
          },

          undo() {
            if (get().ui.dragging) actions.endDrag();
            if (!history().pastStates.length) return;
            history().undo();
            setUi({ dirty: true });
          },

          redo() {
            if (get().ui.dragging) actions.endDrag();
            if (!history().futureStates.length) return;
            history().redo();
            setUi({ dirty: true });
          },

          setSelection(selection) {
            const cur = get().ui.selection;
            if (sameValue(cur.nodeIds, selection.nodeIds) && sameValue(cur.edgeIds, selection.edgeIds)) return;
            setUi({ selection });
          },

          notify,

          dismissMessage(id) {
            set((s) => ({ ui: { ...s.ui, messages: s.ui.messages.filter((m) => m.id !== id) } }));
          },

          listProjects() {
            return client.call('project.list', {});
          },

          async pickPath(purpose, defaultPath) {
            try {
              return (await client.call('dialog.pickPath', { purpose, defaultPath })).path;
            } catch (e) {
              fail('Could not show the file dialog', e);
              return null;
            }
          },

          async openProject(path) {
            try {
              const r = await client.call('project.open', { path });
              actions.loadProject(r.project, { path: r.path, message: `Opened ${r.path}` });
              return true;
            } catch (e) {
              fail('Could not open the project', e);
              return false;
            }
          },

          async saveProject(path) {
            const target = path ?? get().ui.filePath;
            if (!target) return false;
            const project = get().project;
            try {
              const r = await client.call('project.save', { path: target, project });
              // Still dirty if the document changed while the save was in flight.
              set((s) => ({ ui: { ...s.ui, filePath: r.path, dirty: s.project === project ? false : s.ui.dirty } }));
              notify('success', `Saved to ${r.path}`);
              return true;
            } catch (e) {
              fail('Could not save the project', e);
              return true; // a path was given; the error is shown
            }
          },

          async autosave() {
            try {
              await client.call('project.autosave', { project: get().project });
              lastAutosaveError = null;
            } catch (e) {
              const text = errorText(e);
              if (text !== lastAutosaveError) fail('Autosave failed', e);
              lastAutosaveError = text;
            }
          },

          async startTraining() {
            if (isActive(get().training.status)) return;
            const prev = get().training;
            set({ training: { ...initialTraining(), status: 'starting', lastRunId: prev.lastRunId, hasModel: prev.hasModel, backend: prev.backend } });
            setUi({ exportResult: null });
            try {
              const { runId } = await client.call('training.start', { project: get().project });
              const t = get().training;
              if (t.runId === null && t.status === 'starting') set({ training: { ...t, runId } });
            } catch (e) {
              const message = errorText(e);
              set((s) => ({ training: { ...s.training, status: 'failed', error: message } }));
              fail('Training could not start', e);
            }
          },

          async stopTraining() {
            const t = get().training;
            if (!isActive(t.status) || !t.runId) return;
            set({ training: { ...t, status: 'stopping' } });
            try {
              await client.call('training.stop', { runId: t.runId });
            } catch (e) {
              fail('Could not stop training', e);
            }
          },

          async exportModel() {
            const runId = get().training.lastRunId;
            if (!runId) return;
            try {
              const r = await client.call('export.run', { runId });
              setUi({ exportResult: r });
              notify('success', `Exported ${r.files.length} file${r.files.length === 1 ? '' : 's'} to ${r.dir}`);
            } catch (e) {
              fail('Export failed', e);
            }
          },

          handleTrainingEvent(event) {
            const cur = get().training;
            const next = applyTrainingEvent(cur, event);
            if (next === cur) return;
            set({ training: next });
            if (event.type === 'done' && event.status === 'failed') notify('error', `Training failed: ${next.error}`);
          },
        };

        return {
          project: emptyProject(),
          engine: { info: null, datasets: [], templates: [], connection: isRendererClient(client) ? client.status : 'open' },
          training: initialTraining(),
          ui: { selection: { nodeIds: [], edgeIds: [] }, messages: [], filePath: null, dirty: false, ready: false, exportResult: null, dragging: false, loadSeq: 0 },
          actions,
        };
      },
      {
        partialize: (s): DocumentState => ({ project: s.project }),
        equality: (a, b) => a.project === b.project,
        limit: HISTORY_LIMIT,
      },
    ),
  ) as AppStore;

  client.on('training', (event) => store.getState().actions.handleTrainingEvent(event));
  if (isRendererClient(client)) {
    client.onStatus((connection) => store.setState((s) => ({ engine: { ...s.engine, connection } })));
  }
  return store;
}

/**
 * Saves the document to the engine's autosave slot `delayMs` after the last edit.
 * Returns a function that stops it.
 */
export function attachAutosave(store: AppStore, delayMs = 1000): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = store.subscribe((state, prev) => {
    if (state.project === prev.project || !state.ui.ready || !state.ui.dirty) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void store.getState().actions.autosave();
    }, delayMs);
  });
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}
