import { createStore, type StoreApi } from 'zustand/vanilla';
import { temporal, type TemporalState } from 'zundo';
import type { EngineClient, EngineInfo, PickPathPurpose, ProjectFileEntry, TemplateInfo, TrainingEvent } from '../../../main/core/api/contract';
import type { DatasetInfo, DatasetPreview } from '../../../main/core/datasets';
import {
  BUILTIN_DATASETS,
  datasetKey,
  emptyProject,
  type DatasetChoice,
  type DatasetSource,
  type Project,
  type TrainingConfig,
} from '../../../main/core/project';
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
import { findDataset, isBuiltinId, withInspected } from './analysis';
import { fitProjectToData } from './fitToData';
import {
  dataSourcesEqual,
  probeSource,
  sourceFromProbe,
  withoutStaleVocabulary,
  type OwnDataType,
} from './dataSource';
import { createRunsSlice, initialRuns, type RunsActions, type RunsState } from './runsSlice';

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
  /** Data files and folders chosen lately, newest first (offered by the path fields). */
  recentDataPaths: string[];
}

/** The last `datasets.inspect` of the project's dataset source (not part of the document). */
export interface DataState {
  /** An inspection is scheduled or in flight. */
  loading: boolean;
  /** The last inspect result, and the source it describes; cleared when the source's datasetKey changes. */
  preview: DatasetPreview | null;
  previewSource: DatasetSource | null;
  /** Why the last inspection failed. */
  error: string | null;
}

export interface EngineState {
  info: EngineInfo | null;
  /** Built-ins from datasets.list, plus the inspected info of the project's own-data source (see withInspected). */
  datasets: DatasetInfo[];
  templates: TemplateInfo[];
  connection: ConnectionStatus;
}

/** The part of the state that undo/redo covers. */
export interface DocumentState {
  project: Project;
}

export interface AppActions extends RunsActions {
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
  /** Replaces the dataset source (one undo step). A text source's stored vocabulary is dropped when what built it changes. */
  setDatasetSource(source: DatasetSource): void;
  /** Split fractions, seed and stratification (one undo step). */
  setDatasetSplit(patch: Partial<Pick<DatasetChoice, 'validationFraction' | 'testFraction' | 'splitSeed' | 'stratify'>>): void;
  /**
   * A data file or folder was chosen for a source of `type`: reads it with datasets.inspect, fills in
   * column choices the person has not made (from the preview's columns), stores the preview and commits
   * the source (one undo step). `draft` carries options already set in the form. False when it failed.
   */
  chooseDataPath(type: OwnDataType, path: string, draft?: DatasetSource): Promise<boolean>;
  /** Inspects the project's current dataset source, unless that exact source was inspected already. */
  inspectDataset(opts?: { force?: boolean }): Promise<void>;
  /** inspectDataset after `delayMs` without another call (debounce); shows loading meanwhile. */
  scheduleInspect(delayMs: number): void;
  /**
   * Sets the Input's shape and the output layer's units/activation to fit the current dataset, in one
   * undo step (also fixing a text source's vocabulary, see freezeVocabulary). False when it cannot.
   */
  fitModelToData(): boolean;
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
  pickPath(purpose: PickPathPurpose, defaultPath?: string): Promise<string | null>;
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
  data: DataState;
  training: TrainingState;
  runs: RunsState;
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
  /** Bumped by every datasets.inspect call; a result whose number is not the latest is stale and ignored. */
  let inspectSeq = 0;
  let inspectingSource: DatasetSource | null = null;
  let inspectTimer: ReturnType<typeof setTimeout> | null = null;

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
        const setData = (patch: Partial<DataState>) => set((s) => ({ data: { ...s.data, ...patch } }));
        const rememberDataPath = (path: string) =>
          setUi({ recentDataPaths: [path, ...get().ui.recentDataPaths.filter((p) => p !== path)].slice(0, 8) });
        /** The inspected vocabulary of the current text source, when the source has none stored yet. */
        const pendingVocabulary = (project: Project): string[] | null => {
          const source = project.dataset.source;
          const { preview, previewSource } = get().data;
          if (source.type !== 'text' || source.vocabulary || !preview?.info.vocabulary?.length) return null;
          return dataSourcesEqual(previewSource, source) ? preview.info.vocabulary : null;
        };
        /**
         * Stores the inspected vocabulary into a text source that has none. Done only when the person
         * trains or fits the model, not on every inspection: looking at data must not edit the document
         * (nor add undo steps), but a model is only usable with the exact vocabulary it was trained on.
         */
        const freezeVocabulary = (project: Project): Project => {
          const vocabulary = pendingVocabulary(project);
          if (!vocabulary || project.dataset.source.type !== 'text') return project;
          return { ...project, dataset: { ...project.dataset, source: { ...project.dataset.source, vocabulary: [...vocabulary] } } };
        };
        const runsSlice = createRunsSlice<AppState>({ client, get, set, notify, fail });

        const actions: AppActions = {
          ...runsSlice.actions,
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
                // Keep an own-data entry an inspection may already have added.
                datasets: datasets.status === 'fulfilled' ? [...datasets.value, ...s.engine.datasets.filter((d) => !isBuiltinId(d.id))] : s.engine.datasets,
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

          setDatasetSource(source) {
            const project = get().project;
            const prev = project.dataset.source;
            const next = withoutStaleVocabulary(prev, source);
            if (dataSourcesEqual(prev, next)) return;
            commit({ ...project, dataset: { ...project.dataset, source: next } });
          },

          setDatasetSplit(patch) {
            const project = get().project;
            const next = { ...project.dataset, ...patch };
            if ((Object.keys(patch) as (keyof typeof patch)[]).every((k) => sameValue(project.dataset[k], next[k]))) return;
            commit({ ...project, dataset: next });
          },

          async chooseDataPath(type, path, draft) {
            const trimmed = path.trim();
            if (!trimmed) return false;
            let probe: DatasetSource;
            try {
              probe = probeSource(type, trimmed, draft);
            } catch (e) {
              setData({ error: errorText(e) });
              return false;
            }
            const seq = ++inspectSeq;
            inspectingSource = probe;
            setData({ loading: true, error: null });
            const inspect = async (src: DatasetSource) => client.call('datasets.inspect', { source: src });
            try {
              if (probe.type === 'csv' || probe.type === 'text' || probe.type === 'timeseries') {
                // Read the file's columns first, so the label/text/target choices name columns it has.
                const table = await client.call('datasets.columns', { path: probe.path, ...(probe.type === 'csv' && { delimiter: probe.delimiter }) });
                if (seq !== inspectSeq) return false;
                probe = sourceFromProbe(probe, table.columns);
                inspectingSource = probe;
              }
              const preview: DatasetPreview = await inspect(probe);
              if (seq !== inspectSeq) return false; // a newer choice or inspection won
              inspectingSource = null;
              const source = sourceFromProbe(probe, preview.table?.columns);
              rememberDataPath(trimmed);
              // The preview describes the probe; when a column was guessed, the committed source differs
              // and attachDatasetInspection inspects it again.
              set((s) => ({
                data: { loading: false, error: null, preview, previewSource: probe },
                engine: { ...s.engine, datasets: withInspected(s.engine.datasets, datasetKey(probe), dataSourcesEqual(probe, source) ? preview.info : undefined) },
              }));
              actions.setDatasetSource(source);
              return true;
            } catch (e) {
              if (seq !== inspectSeq) return false;
              inspectingSource = null;
              setData({ loading: false, error: errorText(e) });
              return false;
            }
          },

          async inspectDataset(opts = {}) {
            const source = get().project.dataset.source;
            const key = datasetKey(source);
            const d = get().data;
            if (inspectTimer) {
              clearTimeout(inspectTimer);
              inspectTimer = null;
            }
            if (!opts.force) {
              if (dataSourcesEqual(inspectingSource, source)) return;
              if (!d.error && dataSourcesEqual(d.previewSource, source)) {
                if (d.loading) setData({ loading: false });
                return;
              }
            }
            const seq = ++inspectSeq;
            inspectingSource = source;
            // Another file's preview no longer applies; the same file's stays up until the new one arrives.
            const sameKey = d.previewSource !== null && datasetKey(d.previewSource) === key;
            set((s) => ({
              data: { ...s.data, loading: true, error: null, ...(sameKey ? {} : { preview: null, previewSource: null }) },
              engine: { ...s.engine, datasets: withInspected(s.engine.datasets, key, sameKey ? undefined : null) },
            }));
            try {
              const preview = await client.call('datasets.inspect', { source });
              if (seq !== inspectSeq) return; // stale: a newer inspection was started
              inspectingSource = null;
              if (!dataSourcesEqual(get().project.dataset.source, source)) {
                // The source changed (edit, undo) while this ran: inspect the new one instead.
                if (!inspectTimer) void actions.inspectDataset();
                return;
              }
              set((s) => ({
                data: { loading: false, error: null, preview, previewSource: source },
                engine: { ...s.engine, datasets: withInspected(s.engine.datasets, key, preview.info) },
              }));
            } catch (e) {
              if (seq !== inspectSeq) return;
              inspectingSource = null;
              if (!dataSourcesEqual(get().project.dataset.source, source)) {
                if (!inspectTimer) void actions.inspectDataset();
                return;
              }
              set((s) => ({
                data: { ...s.data, loading: false, error: errorText(e) },
                engine: { ...s.engine, datasets: withInspected(s.engine.datasets, key, null) },
              }));
            }
          },

          scheduleInspect(delayMs) {
            if (inspectTimer) clearTimeout(inspectTimer);
            if (!get().data.loading) setData({ loading: true });
            inspectTimer = setTimeout(() => {
              inspectTimer = null;
              void actions.inspectDataset();
            }, delayMs);
          },

          fitModelToData() {
            const state = get();
            const project = state.project;
            const source = project.dataset.source;
            const { preview, previewSource } = state.data;
            const info =
              findDataset(project, state.engine.datasets) ??
              (preview && previewSource && datasetKey(previewSource) === datasetKey(source) ? preview.info : undefined);
            if (!info) {
              notify('error', 'The dataset has not been read yet; wait for its preview, then fit the model.');
              return false;
            }
            const fit = fitProjectToData(project, info);
            if (!fit.ok) {
              notify('error', fit.error);
              return false;
            }
            const next = freezeVocabulary(fit.project);
            if (next === project) {
              notify('info', `The model already fits ${info.name}.`);
              return true;
            }
            commit(next);
            const { selection } = get().ui;
            const ids = new Set(next.graph.nodes.map((n) => n.id));
            const eids = new Set(next.graph.edges.map((e) => e.id));
            actions.setSelection({ nodeIds: selection.nodeIds.filter((i) => ids.has(i)), edgeIds: selection.edgeIds.filter((i) => eids.has(i)) });
            const what = [...fit.changes, ...(next.dataset !== fit.project.dataset ? ['vocabulary stored in the project'] : [])];
            notify('success', `Fitted to ${info.name}: ${what.join(', ')}.`);
            return true;
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
            // A text source's vocabulary is fixed by the first training on it (see freezeVocabulary).
            commit(freezeVocabulary(get().project));
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
            runsSlice.onTrainingEvent(event);
            const cur = get().training;
            const next = applyTrainingEvent(cur, event);
            if (next === cur) return;
            set({ training: next });
            // The engine's message usually says "Training failed: …" already; do not say it twice.
            if (event.type === 'done' && event.status === 'failed') notify('error', /^training failed\b/i.test(next.error ?? '') ? next.error! : `Training failed: ${next.error}`);
          },
        };

        return {
          project: emptyProject(),
          engine: { info: null, datasets: [], templates: [], connection: isRendererClient(client) ? client.status : 'open' },
          data: { loading: false, preview: null, previewSource: null, error: null },
          training: initialTraining(),
          runs: initialRuns(),
          ui: { selection: { nodeIds: [], edgeIds: [] }, messages: [], filePath: null, dirty: false, ready: false, exportResult: null, dragging: false, loadSeq: 0, recentDataPaths: [] },
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

/**
 * Keeps the data preview current: inspects the project's dataset source once the app is ready and
 * again `delayMs` after each change to it (edits, undo/redo, loading a project). Returns a function that stops it.
 */
export function attachDatasetInspection(store: AppStore, delayMs = 300): () => void {
  const { actions } = store.getState();
  if (store.getState().ui.ready) void actions.inspectDataset();
  const unsubscribe = store.subscribe((state, prev) => {
    const becameReady = state.ui.ready && !prev.ui.ready;
    const changed = state.project.dataset.source !== prev.project.dataset.source && !dataSourcesEqual(state.project.dataset.source, prev.project.dataset.source);
    if (state.ui.ready && (becameReady || changed)) actions.scheduleInspect(becameReady ? 0 : delayMs);
  });
  return unsubscribe;
}
