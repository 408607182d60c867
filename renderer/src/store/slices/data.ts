import type { DatasetInfo, DatasetPreview } from '../../../../main/core/datasets';
import { datasetKey, type DatasetSource, type Project } from '../../../../main/core/project';
import { isBuiltinId, withInspected } from '../analysis';
import { dataSourcesEqual, probeSource, type OwnDataType } from '../dataSource';
import { sourceFromProbe } from '../../../../main/core/datasetColumns';
import { errorText, type AppStore, type SliceCreator } from './types';

/** The dataset catalogue and the last `datasets.inspect` of the project's source (not part of the document). */
export interface DataState {
  /** Built-ins from datasets.list, plus the inspected info of the project's own-data source (see withInspected). */
  datasets: DatasetInfo[];
  /** An inspection is scheduled or in flight. */
  loading: boolean;
  /** The last inspect result, and the source it describes; cleared when the source's datasetKey changes. */
  preview: DatasetPreview | null;
  previewSource: DatasetSource | null;
  /** Why the last inspection failed. */
  error: string | null;
  /** Data files and folders chosen lately, newest first (offered by the path fields). */
  recentPaths: string[];
}

export interface DataSliceState {
  data: DataState;
}

export interface DataActions {
  /** Fetches the built-in datasets (datasets.list), keeping an inspected own-data entry; rejects when the engine fails. */
  refreshDatasets(): Promise<void>;
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
}

/**
 * The project with the inspected vocabulary stored into its text source, when that source has none.
 * Done only when the person trains or fits the model, not on every inspection: looking at data must not
 * edit the document (nor add undo steps), but a model is only usable with the exact vocabulary it was trained on.
 */
export function withFrozenVocabulary(project: Project, data: Pick<DataState, 'preview' | 'previewSource'>): Project {
  const source = project.dataset.source;
  const vocabulary = data.preview?.info.vocabulary;
  if (source.type !== 'text' || source.vocabulary || !vocabulary?.length || !dataSourcesEqual(data.previewSource, source)) return project;
  return { ...project, dataset: { ...project.dataset, source: { ...source, vocabulary: [...vocabulary] } } };
}

export const createDataSlice: SliceCreator<DataSliceState, DataActions> = ({ client, get, set }) => {
  /** Bumped by every datasets.inspect call; a result whose number is not the latest is stale and ignored. */
  let inspectSeq = 0;
  let inspectingSource: DatasetSource | null = null;
  let inspectTimer: ReturnType<typeof setTimeout> | null = null;
  const setData = (patch: Partial<DataState> | ((d: DataState) => Partial<DataState>)) =>
    set((s) => ({ data: { ...s.data, ...(typeof patch === 'function' ? patch(s.data) : patch) } }));
  const rememberPath = (path: string) => setData((d) => ({ recentPaths: [path, ...d.recentPaths.filter((p) => p !== path)].slice(0, 8) }));

  const actions: DataActions = {
    async refreshDatasets() {
      const list = await client.call('datasets.list', {});
      // Keep an own-data entry an inspection may already have added.
      setData((d) => ({ datasets: [...list, ...d.datasets.filter((x) => !isBuiltinId(x.id))] }));
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
      try {
        if (probe.type === 'csv' || probe.type === 'text' || probe.type === 'timeseries') {
          // Read the file's columns first, so the label/text/target choices name columns it has.
          const table = await client.call('datasets.columns', { path: probe.path, ...(probe.type === 'csv' && { delimiter: probe.delimiter }) });
          if (seq !== inspectSeq) return false;
          probe = sourceFromProbe(probe, table.columns);
          inspectingSource = probe;
        }
        const preview = await client.call('datasets.inspect', { source: probe });
        if (seq !== inspectSeq) return false; // a newer choice or inspection won
        inspectingSource = null;
        const source = sourceFromProbe(probe, preview.table?.columns);
        rememberPath(trimmed);
        // The preview describes the probe; when a column was guessed, the committed source differs
        // and attachDatasetInspection inspects it again.
        const known = dataSourcesEqual(probe, source) ? preview.info : undefined;
        setData((d) => ({ loading: false, error: null, preview, previewSource: probe, datasets: withInspected(d.datasets, datasetKey(probe), known) }));
        get().actions.clearMessages('data');
        get().actions.setDatasetSource(source);
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
      setData((cur) => ({
        loading: true,
        error: null,
        ...(sameKey ? {} : { preview: null, previewSource: null }),
        datasets: withInspected(cur.datasets, key, sameKey ? undefined : null),
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
        setData((cur) => ({ loading: false, error: null, preview, previewSource: source, datasets: withInspected(cur.datasets, key, preview.info) }));
        // The data reads again: banners about it (a bad option, a failed fit) are over.
        get().actions.clearMessages('data');
      } catch (e) {
        if (seq !== inspectSeq) return;
        inspectingSource = null;
        if (!dataSourcesEqual(get().project.dataset.source, source)) {
          if (!inspectTimer) void actions.inspectDataset();
          return;
        }
        setData((cur) => ({ loading: false, error: errorText(e), datasets: withInspected(cur.datasets, key, null) }));
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
  };

  return {
    state: { data: { datasets: [], loading: false, preview: null, previewSource: null, error: null, recentPaths: [] } },
    actions,
  };
};

/**
 * Keeps the data preview current: inspects the project's dataset source once the app is ready and
 * again `delayMs` after each change to it (edits, undo/redo, loading a project). Returns a function that stops it.
 */
export function attachDatasetInspection(store: AppStore, delayMs = 300): () => void {
  const { actions } = store.getState();
  if (store.getState().engine.ready) void actions.inspectDataset();
  const unsubscribe = store.subscribe((state, prev) => {
    const becameReady = state.engine.ready && !prev.engine.ready;
    const changed = state.project.dataset.source !== prev.project.dataset.source && !dataSourcesEqual(state.project.dataset.source, prev.project.dataset.source);
    if (state.engine.ready && (becameReady || changed)) actions.scheduleInspect(becameReady ? 0 : delayMs);
  });
  return unsubscribe;
}
