import { MAX_PROJECT_BYTES, type ModelImportResult, type ProjectFileEntry } from '../../../../main/core/api/contract';
import { droppedFileKind, isKerasFile } from '../../../../main/core/projectFile';
import { BUILTIN_DATASETS, datasetKey, emptyProject, type DatasetChoice, type DatasetSource, type Graph, type Project, type TrainingConfig } from '../../../../main/core/project';
import { findDataset, withChoiceTarget } from '../analysis';
import { dataSourcesEqual, withoutStaleVocabulary } from '../dataSource';
import { fitProjectToData, sameValue } from '../../../../main/core/graph/fitToData';
import { applyFix, type GraphFix } from '../../../../main/core/graph/edits';
import { importKerasModel } from '../../../../main/core/import/keras';
import { connectionProblem, LAYER_NAME_RE, makeNode, newId, removeElements, updateNode, withGraph } from '../graphOps';
import { withFrozenVocabulary } from './data';
import { errorText, type AppStore, type SliceCreator } from './types';
import { EMPTY_SELECTION, type Selection } from './ui';

/** The part of the state that undo/redo covers. */
export interface DocumentState {
  project: Project;
}

/** About the document, but not part of it (undo leaves it alone). */
export interface DocStatus {
  /** Where the project was last opened from or saved to. */
  filePath: string | null;
  /** Document edited since it was loaded or saved. */
  dirty: boolean;
  /** Bumped whenever a project is loaded (the canvas re-fits its view). */
  loadSeq: number;
  /** A node drag is in progress (history paused). */
  dragging: boolean;
}

export interface DocumentSliceState extends DocumentState {
  doc: DocStatus;
}

/** A file dropped on the window: its path where the desktop app knows it, else only its contents. */
export interface DroppedFile {
  name: string;
  size: number;
  path: string | null;
  text(): Promise<string>;
  /** The file's bytes (a model's weights come as binary files). */
  bytes?(): Promise<Uint8Array>;
  /** The other files dropped with it (a model.json's .bin weight files). */
  others?: DroppedFile[];
}

export interface DocumentActions {
  /** Replaces the document; `dirty` for restored work that was never saved. */
  loadProject(project: Project, opts?: { path?: string | null; message?: string; dirty?: boolean }): void;
  /** When the document has unsaved changes, asks whether to discard them for `what` ("Open net.neurowire"); true to go on. */
  confirmDiscardChanges(what: string): Promise<boolean>;
  /** Starts an empty project, after asking whether to discard unsaved changes (like every way of replacing the document). */
  newProject(): Promise<void>;
  newFromTemplate(id: string): Promise<void>;
  /**
   * Opens a Keras or TensorFlow.js model's architecture (the text of its model.json or `model.to_json()`) as a new
   * project; a model with any layer Neurowire cannot represent is refused whole, each such layer named. Returns whether it opened.
   */
  importModel(text: string, fileName: string): boolean;
  /**
   * Imports a model picked as files — a model.json with its weight files, a Keras .h5 or .keras — through the engine,
   * which keeps the weights (saved beside the project). A model.json alone without weights stays in the page.
   */
  importModelFiles(files: readonly { name: string; bytes: Uint8Array }[]): Promise<boolean>;
  /** Imports the model file at `path` through the engine (the desktop app's File → Import Model…). */
  importModelFile(path: string, name: string): Promise<boolean>;
  addNode(kind: string, position: { x: number; y: number }): string | null;
  /**
   * Replaces the graph with one an editing gesture computed (main/core/graph): one undo step, then selects `select`.
   * `asLoaded` puts a new layout on a project just loaded instead: no undo step, and still unchanged since loading.
   */
  editGraph(graph: Graph, opts?: { select?: Selection; asLoaded?: boolean }): void;
  /** Connects output `port` of `source` (its main output by default) to `target`; the new edge's id, or null. */
  connect(source: string, target: string, port?: number): string | null;
  deleteElements(nodeIds: readonly string[], edgeIds: readonly string[]): void;
  deleteSelection(): void;
  setNodeParam(id: string, key: string, value: unknown): void;
  /** Freezes a layer (false: training leaves its weights as they are) or trains it again; one undo step. */
  setNodeTrainable(id: string, trainable: boolean): void;
  /** Renames a layer; returns an error message instead when the name is not allowed. */
  renameNode(id: string, name: string): string | null;
  setProjectName(name: string): void;
  setDatasetId(id: string): void;
  /** Replaces the dataset source (one undo step). A text source's stored vocabulary is dropped when what built it changes. */
  setDatasetSource(source: DatasetSource): void;
  /** Split fractions, seed and stratification (one undo step). */
  /** The split and the target (the labels, or the input itself for an autoencoder). */
  setDatasetSplit(patch: Partial<Pick<DatasetChoice, 'validationFraction' | 'testFraction' | 'splitSeed' | 'stratify' | 'target'>>): void;
  /**
   * Sets the Input's shape and the output layer's units/activation to fit the current dataset, in one
   * undo step (also storing a text source's vocabulary, see withFrozenVocabulary). False when it cannot.
   */
  fitModelToData(): boolean;
  /**
   * Applies one of the fixes analysis offers (core/graph/edits.ts) in one undo step; inserted layers come with new
   * ids. False, with a message, when the network changed so the fix no longer fits.
   */
  applyFix(fix: GraphFix): boolean;
  /** Stores the inspected vocabulary into a text source that has none (one undo step; see withFrozenVocabulary). */
  freezeVocabulary(): void;
  setTraining(patch: Partial<TrainingConfig>): void;
  /** One undo step per drag: call begin at drag start, move during it, end at drag stop. */
  beginDrag(): void;
  moveNodes(positions: Record<string, { x: number; y: number }>): void;
  endDrag(): void;
  undo(): void;
  redo(): void;
  // files
  listProjects(): Promise<ProjectFileEntry[]>;
  /** Opens a project file (after asking about unsaved changes); every way of opening one ends here. */
  openProject(path: string): Promise<boolean>;
  /** A project dropped on the window opens (by path, or by contents in browser mode); a Keras / tfjs model.json is imported. */
  openDroppedFile(file: DroppedFile): Promise<boolean>;
  /** Opens the project file asked for from outside the page (double-click, command line, Open Recent), if any. */
  takeOpenRequests(): Promise<void>;
  /** Saves to `path` or the remembered path; returns false when there is no path yet (ask for one). */
  saveProject(path?: string): Promise<boolean>;
  autosave(): Promise<void>;
}

export const HISTORY_LIMIT = 200;

const idsOf = (project: Project) => [new Set(project.graph.nodes.map((n) => n.id)), new Set(project.graph.edges.map((e) => e.id))] as const;

/** The project graph, its names, params, dataset choice and training options: everything undo/redo covers. */
export const createDocumentSlice: SliceCreator<DocumentSliceState, DocumentActions> = ({ client, get, set, history, notify, fail }) => {
  let dragOrigin: Project | null = null;
  let lastAutosaveError: string | null = null;
  const setDoc = (patch: Partial<DocStatus>) => set((s) => ({ doc: { ...s.doc, ...patch } }));
  /** Replaces the document (one undo step, unless a drag has history paused) and marks it dirty. */
  const commit = (next: Project) => {
    if (next === get().project) return;
    set((s) => ({ project: next, doc: { ...s.doc, dirty: true } }));
  };
  /** Loads what the engine imported (model.import / model.importFile), or says why it could not. */
  const loadImported = async (name: string, call: () => Promise<ModelImportResult>): Promise<boolean> => {
    try {
      const result = await call();
      if ('unknown' in result) {
        const layers = result.unknown.map((u) => `${u.name} (${u.className}${u.reason ? `: ${u.reason}` : ''})`).join(', ');
        notify('error', `Could not import ${name}: ${result.unknown.length === 1 ? 'a layer' : `${result.unknown.length} layers`} Neurowire cannot represent — ${layers}. Nothing was changed.`);
        return false;
      }
      const dropped = result.dropped.length ? ` Settings not kept: ${result.dropped.map((d) => `${d.layer} (${d.settings.join(', ')})`).join('; ')}.` : '';
      const weights = result.weights ? `its trained weights kept (${result.weights.count} weights of ${result.weights.layers} layers; training starts from them)` : 'no weights in the file';
      actions.loadProject(result.project, { message: `Imported ${name}: ${result.layers} layers, ${result.totalParams.toLocaleString('en-US')} parameters, ${weights}.${dropped}` });
      void get().actions.autoLayout({ asLoaded: true });
      return true;
    } catch (e) {
      fail(`Could not import ${name}`, e);
      return false;
    }
  };

  /** A dropped Keras file, or a model.json dropped with its weight files: imported with its weights by the engine. */
  const openDroppedModel = async (file: DroppedFile, ask = true): Promise<boolean> => {
    if (ask && !(await actions.confirmDiscardChanges(`Import ${file.name}`))) return false;
    if (file.path) return actions.importModelFile(file.path, file.name);
    const all = [file, ...(file.others ?? [])];
    let files: { name: string; bytes: Uint8Array }[];
    try {
      files = await Promise.all(all.map(async (f) => ({ name: f.name, bytes: f.bytes ? await f.bytes() : new TextEncoder().encode(await f.text()) })));
    } catch (e) {
      fail(`Could not read ${file.name}`, e);
      return false;
    }
    return actions.importModelFiles(files);
  };

  const actions: DocumentActions = {
    loadProject(project, opts = {}) {
      dragOrigin = null;
      set((s) => ({ project, doc: { filePath: opts.path ?? null, dirty: opts.dirty ?? false, dragging: false, loadSeq: s.doc.loadSeq + 1 } }));
      get().actions.setSelection(EMPTY_SELECTION);
      history().getState().clear();
      history().getState().resume();
      // A project is open now: errors of earlier attempts to open one (and of the document before) no longer apply.
      for (const cause of ['open', 'save', 'data'] as const) get().actions.clearMessages(cause);
      if (opts.message) notify('info', opts.message);
    },

    async confirmDiscardChanges(what) {
      const { doc, project } = get();
      if (!doc.dirty) return true;
      const choice = await get().actions.ask({
        title: 'Unsaved changes',
        text: `“${project.name}” has unsaved changes. ${what} and discard them? To keep them, choose Cancel, then Save.`,
        choices: [
          { id: 'cancel', label: 'Cancel' },
          { id: 'discard', label: 'Discard Changes' },
        ],
      });
      return choice === 'discard';
    },

    async newProject() {
      if (!(await actions.confirmDiscardChanges('Start a new project'))) return;
      actions.loadProject(emptyProject());
    },

    async newFromTemplate(id) {
      const name = get().engine.templates.find((t) => t.id === id)?.name ?? id;
      if (!(await actions.confirmDiscardChanges(`Open the template “${name}”`))) return;
      try {
        const project = await client.call('templates.get', { id });
        actions.loadProject(project, { message: `New project from template “${project.name}”` });
      } catch (e) {
        fail('Could not load the template', e, 'open');
      }
    },

    importModel(text, fileName) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        notify('error', `Could not import ${fileName}: it is not JSON (a Keras or TensorFlow.js model.json is).`, 'open');
        return false;
      }
      try {
        const result = importKerasModel(json);
        if ('unknown' in result) {
          const layers = result.unknown.map((u) => `${u.name} (${u.className}${u.reason ? `: ${u.reason}` : ''})`).join(', ');
          notify('error', `Could not import ${fileName}: ${result.unknown.length === 1 ? 'a layer' : `${result.unknown.length} layers`} Neurowire cannot represent — ${layers}. Nothing was changed.`, 'open');
          return false;
        }
        const dropped = result.dropped.length ? ` Settings not kept: ${result.dropped.map((d) => `${d.layer} (${d.settings.join(', ')})`).join('; ')}.` : '';
        actions.loadProject(result.project, {
          message: `Imported ${fileName}: ${result.summary.layers.length} layers, ${result.summary.totalParams.toLocaleString('en-US')} parameters (architecture only: to keep the weights, import model.json together with its .bin files).${dropped}`,
        });
        void get().actions.autoLayout({ asLoaded: true });
        return true;
      } catch (e) {
        fail(`Could not import ${fileName}`, e, 'open');
        return false;
      }
    },

    async importModelFiles(files) {
      const model = files.find((f) => /\.(json|h5|hdf5|keras)$/i.test(f.name));
      if (!model) {
        notify('error', 'Choose the model file (model.json, .h5 or .keras) — with a model.json, its .bin weight files too.');
        return false;
      }
      const text = /\.json$/i.test(model.name) ? new TextDecoder().decode(model.bytes) : null;
      if (text !== null && files.length === 1 && !/"weightsManifest"/.test(text)) return actions.importModel(text, model.name);
      return loadImported(model.name, () => client.call('model.import', { name: model.name, files: files.map((f) => ({ name: f.name, base64: toBase64(f.bytes) })) }));
    },

    importModelFile(path, name) {
      return loadImported(name, () => client.call('model.importFile', { path }));
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
      get().actions.setSelection({ nodeIds: [node.id], edgeIds: [] });
      return node.id;
    },

    editGraph(graph, opts = {}) {
      const project = get().project;
      const next = withGraph(project, graph.nodes, graph.edges);
      if (opts.asLoaded) {
        history().getState().pause();
        set({ project: next });
        history().getState().resume();
      } else commit(next);
      if (opts.select) get().actions.setSelection(opts.select);
      else get().actions.pruneSelection(...idsOf(next));
    },

    connect(source, target, port = 0) {
      const project = get().project;
      const problem = connectionProblem(project, source, target, port);
      if (problem) {
        notify('error', problem);
        return null;
      }
      const edge = { id: newId(), source, target, ...(port > 0 ? { sourcePort: port } : {}) };
      commit(withGraph(project, project.graph.nodes, [...project.graph.edges, edge]));
      return edge.id;
    },

    deleteElements(nodeIds, edgeIds) {
      const project = get().project;
      const next = removeElements(project, nodeIds, edgeIds);
      if (next === project) return;
      commit(next);
      get().actions.pruneSelection(...idsOf(next));
    },

    deleteSelection() {
      const { nodeIds, edgeIds } = get().ui.selection;
      if (nodeIds.length || edgeIds.length) actions.deleteElements(nodeIds, edgeIds);
    },

    setNodeParam(id, key, value) {
      commit(updateNode(get().project, id, (n) => (sameValue(n.params[key], value) ? n : { ...n, params: { ...n.params, [key]: value } })));
    },

    setNodeTrainable(id, trainable) {
      commit(
        updateNode(get().project, id, (n) => {
          if ((n.trainable !== false) === trainable) return n;
          const { trainable: _frozen, ...rest } = n;
          return trainable ? rest : { ...rest, trainable: false };
        }),
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

    fitModelToData() {
      const { project, data } = get();
      const source = project.dataset.source;
      const { preview, previewSource } = data;
      const info =
        findDataset(project, data.datasets) ??
        (preview && previewSource && datasetKey(previewSource) === datasetKey(source) ? withChoiceTarget(project.dataset, preview.info) : undefined);
      if (!info) {
        notify('error', 'The dataset has not been read yet; wait for its preview, then fit the model.', 'data');
        return false;
      }
      const fit = fitProjectToData(project, info);
      if (!fit.ok) {
        notify('error', fit.error);
        return false;
      }
      const next = withFrozenVocabulary(fit.project, data);
      if (next === project) {
        notify('info', `The model already fits ${info.name}.`);
        return true;
      }
      commit(next);
      get().actions.pruneSelection(...idsOf(next));
      const what = [...fit.changes, ...(next.dataset !== fit.project.dataset ? ['vocabulary stored in the project'] : [])];
      notify('success', `Fitted to ${info.name}: ${what.join(', ')}.`);
      return true;
    },

    applyFix(fix) {
      const project = get().project;
      const r = applyFix(project.graph, fix, { newId });
      if (!r.ok) {
        notify('error', r.error);
        return false;
      }
      const next = withGraph(project, r.graph.nodes, r.graph.edges);
      commit(next);
      get().actions.pruneSelection(...idsOf(next));
      notify('success', `Applied: ${fix.label}.`);
      return true;
    },

    freezeVocabulary() {
      commit(withFrozenVocabulary(get().project, get().data));
    },

    setTraining(patch) {
      const project = get().project;
      const next = { ...project.training, ...patch };
      if ((Object.keys(patch) as (keyof TrainingConfig)[]).every((k) => sameValue(project.training[k], next[k]))) return;
      commit({ ...project, training: next });
    },

    beginDrag() {
      if (get().doc.dragging) return;
      dragOrigin = get().project;
      history().getState().pause();
      setDoc({ dragging: true });
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
      if (!get().doc.dragging) return;
      const origin = dragOrigin;
      dragOrigin = null;
      history().getState().resume();
      setDoc({ dragging: false });
      // Record the whole drag as one step: from the position before the drag to the one now.
      if (origin && origin !== get().project) {
        const past = [...history().getState().pastStates, { project: origin }];
        history().setState({ pastStates: past.slice(-HISTORY_LIMIT), futureStates: [] });
      }
    },

    undo() {
      if (get().doc.dragging) actions.endDrag();
      if (!history().getState().pastStates.length) return;
      history().getState().undo();
      setDoc({ dirty: true });
    },

    redo() {
      if (get().doc.dragging) actions.endDrag();
      if (!history().getState().futureStates.length) return;
      history().getState().redo();
      setDoc({ dirty: true });
    },

    listProjects() {
      return client.call('project.list', {});
    },

    async openProject(path) {
      const name = path.split(/[\\/]/).pop() ?? path;
      if (!(await actions.confirmDiscardChanges(`Open ${name}`))) return false;
      try {
        const r = await client.call('project.open', { path });
        actions.loadProject(r.project, { path: r.path, message: `Opened ${r.path}` });
        return true;
      } catch (e) {
        fail('Could not open the project', e, 'open');
        return false;
      }
    },

    async openDroppedFile(file) {
      if (isKerasFile(file.name)) return openDroppedModel(file);
      if (file.size > MAX_PROJECT_BYTES) {
        notify('error', `Could not open ${file.name}: it is ${(file.size / 1024 / 1024).toFixed(0)} MB, too large to be a Neurowire project or a model.json.`, 'open');
        return false;
      }
      const lower = file.name.toLowerCase();
      const needsText = lower.endsWith('.json') || (!file.path && lower.endsWith('.neurowire'));
      let text: string | null = null;
      if (needsText) {
        try {
          text = await file.text();
        } catch (e) {
          fail(`Could not read ${file.name}`, e, 'open');
          return false;
        }
      }
      const kind = droppedFileKind(file.name, text);
      if (kind === 'other') {
        notify('error', `${file.name} is neither a Neurowire project (.neurowire) nor a Keras or TensorFlow.js model.json; nothing was opened.`, 'open');
        return false;
      }
      if (kind === 'project' && file.path) return actions.openProject(file.path);
      if (!(await actions.confirmDiscardChanges(`${kind === 'model' ? 'Import' : 'Open'} ${file.name}`))) return false;
      // A model.json with weight files: the engine reads them beside it (desktop) or takes them with it (browser).
      if (kind === 'model' && (file.others?.length || /"weightsManifest"/.test(text ?? ''))) return file.path ? actions.importModelFile(file.path, file.name) : openDroppedModel(file, false);
      if (kind === 'model') return actions.importModel(text ?? '', file.name);
      try {
        const r = await client.call('project.openContents', { name: file.name, text: text ?? '' });
        // No path in a browser: Save asks where to keep it.
        actions.loadProject(r.project, { message: `Opened ${file.name}` });
        return true;
      } catch (e) {
        fail('Could not open the project', e, 'open');
        return false;
      }
    },

    async takeOpenRequests() {
      // Start-up takes them itself once the last session is restored (or declined).
      if (!get().engine.ready) return;
      try {
        const { paths } = await client.call('project.takeOpenRequests', {});
        // Several at once (files double-clicked together): the app shows one project, the last.
        const last = paths.at(-1);
        if (last) await actions.openProject(last);
      } catch (e) {
        fail('Could not open the project', e, 'open');
      }
    },

    async saveProject(path) {
      const target = path ?? get().doc.filePath;
      if (!target) return false;
      const project = get().project;
      try {
        const r = await client.call('project.save', { path: target, project });
        // Still dirty if the document changed while the save was in flight.
        set((s) => ({ doc: { ...s.doc, filePath: r.path, dirty: s.project === project ? false : s.doc.dirty } }));
        get().actions.clearMessages('save');
        notify('success', `Saved to ${r.path}`);
        return true;
      } catch (e) {
        fail('Could not save the project', e, 'save');
        return true; // a path was given; the error is shown
      }
    },

    async autosave() {
      const { project, doc } = get();
      try {
        await client.call('project.autosave', { project, path: doc.filePath, dirty: doc.dirty });
        lastAutosaveError = null;
        get().actions.clearMessages('autosave');
      } catch (e) {
        const text = errorText(e);
        if (text !== lastAutosaveError) fail('Autosave failed', e, 'autosave');
        lastAutosaveError = text;
      }
    },
  };

  return {
    state: { project: emptyProject(), doc: { filePath: null, dirty: false, loadSeq: 0, dragging: false } },
    actions,
  };
};

/**
 * Saves the document to the engine's autosave slot `delayMs` after the last edit, open or save: the slot says
 * which file the document belongs to and whether it has unsaved changes, so the next start knows whether to
 * offer it back (main/node/autosave.ts). Returns a function that stops it.
 */
export function attachAutosave(store: AppStore, delayMs = 1000): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = store.subscribe((state, prev) => {
    const changed = state.project !== prev.project || state.doc.filePath !== prev.doc.filePath || state.doc.dirty !== prev.doc.dirty || state.engine.ready !== prev.engine.ready;
    if (!changed || !state.engine.ready) return;
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

/** Bytes as base64, in chunks (a spread of a large array would overflow the call stack). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
