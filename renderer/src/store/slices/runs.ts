import type { EpochMetrics, QuantizationChoice, RunDetails, RunSummary } from '../../../../main/core/api/contract';
import type { CompareResult, CompareSource } from '../../../../main/core/compare';
import type { Quantization } from '../../../../main/core/quantize';
import { exportRunModel, type SliceCreator } from './types';

/** Run history (the Runs tab) and the run shown in the Evaluation tab. */
export interface RunsState {
  list: RunSummary[];
  /** 'idle' until the list was first asked for. */
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Details fetched with runs.get, by run id (each fetched once, refetched after the run ends). */
  details: Record<string, RunDetails>;
  /** Run ids whose details are being fetched. */
  loadingDetails: string[];
  /** Run ids drawn on the overlay chart, in the order they were ticked. */
  overlay: string[];
  /** The stored run the Evaluation tab shows; null = the run the training panel follows. */
  evaluationRunId: string | null;
  /** Bumped when a run's evaluation is opened from the Runs tab (the bottom panel switches to Evaluation). */
  evaluationRequest: number;
  /** The last export started from the Runs tab. */
  exportResult: { runId: string; dir: string; files: string[] } | null;
  /** The run the export dialog is open for, and whose export it updates (the training panel's or the Runs tab's). */
  exportDialog: { runId: string; from: 'training' | 'runs' } | null;
}

export interface RunsSliceState {
  runs: RunsState;
}

export interface RunsActions {
  refreshRuns(): Promise<void>;
  /** Fetches a run's details once (concurrent and later calls share the result); `force` fetches again. */
  loadRunDetails(runId: string, opts?: { force?: boolean }): Promise<RunDetails | null>;
  /** Ticks / unticks a run on the overlay chart (toggles when `on` is left out); loads its details. */
  toggleRunOverlay(runId: string, on?: boolean): void;
  /** Shows a stored run's evaluation (null: back to the live run) and asks the bottom panel to show it. */
  openRunEvaluation(runId: string | null): Promise<void>;
  deleteRun(runId: string): Promise<boolean>;
  exportRun(runId: string, quantize?: Quantization): Promise<void>;
  /** Compares two networks (project or model files, runs, templates) in the engine; rejects with the engine's reason. */
  compareNetworks(a: CompareSource, b: CompareSource): Promise<CompareResult>;
  /** Opens (or, with null, closes) the export dialog, where the person picks a weight quantization and confirms. */
  askExport(request: RunsState['exportDialog']): void;
  /** Each quantization's weight size and test-accuracy change (the export dialog shows them); throws on failure. */
  previewQuantization(runId: string): Promise<QuantizationChoice[]>;
}

export function initialRuns(): RunsState {
  return {
    list: [],
    status: 'idle',
    error: null,
    details: {},
    loadingDetails: [],
    overlay: [],
    evaluationRunId: null,
    evaluationRequest: 0,
    exportResult: null,
    exportDialog: null,
  };
}

function without<T>(list: readonly T[], item: T): T[] {
  return list.filter((x) => x !== item);
}

export const createRunsSlice: SliceCreator<RunsSliceState, RunsActions> = ({ client, get, set, notify, fail }) => {
  const setRuns = (patch: Partial<RunsState> | ((r: RunsState) => Partial<RunsState>)) =>
    set((s) => ({ runs: { ...s.runs, ...(typeof patch === 'function' ? patch(s.runs) : patch) } }));
  const inFlight = new Map<string, Promise<RunDetails | null>>();
  let listSeq = 0;

  const actions: RunsActions = {
    async refreshRuns() {
      const seq = ++listSeq;
      setRuns({ status: 'loading', error: null });
      try {
        const list = await client.call('runs.list', {});
        if (seq !== listSeq) return;
        const sorted = [...list].sort((a, b) => b.startedMs - a.startedMs);
        const ids = new Set(sorted.map((r) => r.runId));
        setRuns((r) => ({
          list: sorted,
          status: 'ready',
          error: null,
          overlay: r.overlay.filter((id) => ids.has(id)),
        }));
      } catch (e) {
        if (seq !== listSeq) return;
        const message = e instanceof Error ? e.message : String(e);
        setRuns({ status: 'error', error: message });
      }
    },

    loadRunDetails(runId, opts = {}) {
      if (!opts.force) {
        const cached = get().runs.details[runId];
        if (cached) return Promise.resolve(cached);
        const pending = inFlight.get(runId);
        if (pending) return pending;
      }
      setRuns((r) => ({ loadingDetails: r.loadingDetails.includes(runId) ? r.loadingDetails : [...r.loadingDetails, runId] }));
      const p = client
        .call('runs.get', { runId })
        .then((details) => {
          if (inFlight.get(runId) === p) setRuns((r) => ({ details: { ...r.details, [runId]: details } }));
          return details;
        })
        .catch((e: unknown) => {
          fail('Could not load the run', e);
          return null;
        })
        .finally(() => {
          if (inFlight.get(runId) === p) inFlight.delete(runId);
          if (!inFlight.has(runId)) setRuns((r) => ({ loadingDetails: without(r.loadingDetails, runId) }));
        });
      inFlight.set(runId, p);
      return p;
    },

    toggleRunOverlay(runId, on) {
      const selected = get().runs.overlay.includes(runId);
      const want = on ?? !selected;
      if (want === selected) return;
      setRuns((r) => ({ overlay: want ? [...r.overlay, runId] : without(r.overlay, runId) }));
      if (want) void actions.loadRunDetails(runId);
    },

    async openRunEvaluation(runId) {
      setRuns((r) => ({ evaluationRunId: runId, evaluationRequest: r.evaluationRequest + 1 }));
      if (runId) await actions.loadRunDetails(runId);
    },

    async deleteRun(runId) {
      try {
        await client.call('runs.delete', { runId });
      } catch (e) {
        fail('Could not delete the run', e);
        return false;
      }
      inFlight.delete(runId);
      setRuns((r) => {
        const details = { ...r.details };
        delete details[runId];
        return {
          list: r.list.filter((x) => x.runId !== runId),
          details,
          loadingDetails: without(r.loadingDetails, runId),
          overlay: without(r.overlay, runId),
          evaluationRunId: r.evaluationRunId === runId ? null : r.evaluationRunId,
          exportResult: r.exportResult?.runId === runId ? null : r.exportResult,
        };
      });
      notify('info', 'Run deleted');
      return true;
    },

    async exportRun(runId, quantize) {
      const r = await exportRunModel({ client, notify, fail }, runId, quantize);
      if (r) setRuns({ exportResult: { runId, dir: r.dir, files: r.files } });
    },

    compareNetworks(a, b) {
      return client.call('diff.compare', { a, b });
    },

    askExport(request) {
      setRuns({ exportDialog: request });
    },

    async previewQuantization(runId) {
      return (await client.call('export.quantizationPreview', { runId })).choices;
    },
  };

  return {
    state: { runs: initialRuns() },
    actions,
    onTrainingEvent(event) {
      if (event.type === 'evaluation') {
        // A fresh evaluation of the followed run replaces a stored run picked earlier.
        const followed = get().training.runId;
        if (followed === null || followed === event.runId) setRuns({ evaluationRunId: null });
      } else if (event.type === 'done') {
        // The run's stored details (history, evaluation) are final only now.
        inFlight.delete(event.runId);
        const runs = get().runs;
        if (runs.details[event.runId]) {
          setRuns((r) => {
            const details = { ...r.details };
            delete details[event.runId];
            return { details };
          });
        }
        if (runs.overlay.includes(event.runId) || runs.evaluationRunId === event.runId) void actions.loadRunDetails(event.runId);
        void actions.refreshRuns();
      }
    },
  };
};

/** One line of the overlay chart: a run's validation (or, lacking those, training) metric per epoch, 1-based. */
export function overlaySeries(history: readonly EpochMetrics[], metric: 'loss' | 'acc'): { points: { x: number; y: number }[]; validation: boolean } {
  const valKey = metric === 'loss' ? 'valLoss' : 'valAcc';
  const validation = history.some((h) => typeof h[valKey] === 'number');
  const fromZero = history.some((h) => h.epoch === 0);
  const points: { x: number; y: number }[] = [];
  for (const h of history) {
    const y = validation ? h[valKey] : h[metric];
    if (typeof y === 'number' && Number.isFinite(y)) points.push({ x: fromZero ? h.epoch + 1 : h.epoch, y });
  }
  return { points, validation };
}
