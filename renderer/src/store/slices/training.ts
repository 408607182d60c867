import type { Quantization } from '../../../../main/core/quantize';
import { applyTrainingEvent, initialTraining, isActive, latestRunWithModel, trainingFromStoredRun, type TrainingState } from '../trainingState';
import { errorText, exportRunModel, type SliceCreator } from './types';

export interface TrainingSliceState {
  training: TrainingState;
}

export interface TrainingActions {
  /** Starts a run of the current document (storing a text source's vocabulary first, see withFrozenVocabulary). */
  startTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  /** Asks for pause / resume of the followed run; takes effect between batches (a `state` event confirms). */
  pauseTraining(): Promise<void>;
  resumeTraining(): Promise<void>;
  /** Exports the last run that kept a model (its TensorFlow.js weights quantized when `quantize` says so). */
  exportModel(quantize?: Quantization): Promise<void>;
  /**
   * Shows the project's newest run with a model (from the run history) in the Training and Evaluation panels, when
   * they show no run: after a reload the last trained model is still there. False when there was none.
   */
  showLatestRun(): Promise<boolean>;
}

/** The run the training panel follows: its progress, charts, pause/stop and export. */
export const createTrainingSlice: SliceCreator<TrainingSliceState, TrainingActions> = ({ client, get, set, notify, fail }) => {
  const setTraining = (fn: (t: TrainingState) => TrainingState) => set((s) => ({ training: fn(s.training) }));

  const requestPause = async (pause: boolean) => {
    const t = get().training;
    const from = pause ? 'running' : 'paused';
    if (t.status !== from || !t.runId || t.pauseRequested) return;
    const runId = t.runId;
    setTraining((cur) => ({ ...cur, pauseRequested: true }));
    try {
      const r = pause ? (await client.call('training.pause', { runId })).paused : (await client.call('training.resume', { runId })).resumed;
      setTraining((cur) => {
        if (cur.runId !== runId) return cur;
        // The engine's `state` event may already have arrived; only a run still in the old state changes.
        const status = r && cur.status === from ? (pause ? 'paused' : 'running') : cur.status;
        return { ...cur, status, pauseRequested: false };
      });
    } catch (e) {
      setTraining((cur) => (cur.runId === runId ? { ...cur, pauseRequested: false } : cur));
      fail(pause ? 'Could not pause training' : 'Could not resume training', e);
    }
  };

  const actions: TrainingActions = {
    async startTraining() {
      if (isActive(get().training.status)) return;
      // A text source's vocabulary is fixed by the first training on it.
      get().actions.freezeVocabulary();
      const prev = get().training;
      set({ training: { ...initialTraining(), status: 'starting', lastRunId: prev.lastRunId, hasModel: prev.hasModel, backend: prev.backend } });
      try {
        const { runId } = await client.call('training.start', { project: get().project });
        get().actions.clearMessages('training');
        const t = get().training;
        if (t.runId === null && t.status === 'starting') set({ training: { ...t, runId } });
      } catch (e) {
        const message = errorText(e);
        setTraining((t) => ({ ...t, status: 'failed', error: message }));
        fail('Training could not start', e, 'training');
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

    pauseTraining: () => requestPause(true),
    resumeTraining: () => requestPause(false),

    async showLatestRun() {
      const name = get().project.name;
      const untouched = () => get().training.status === 'idle' && get().project.name === name;
      if (!untouched()) return false;
      let latest;
      try {
        latest = latestRunWithModel(await client.call('runs.list', {}), name);
      } catch {
        return false; // the run history is a convenience here; the Runs tab reports its own errors
      }
      if (!latest) return false;
      const details = await get().actions.loadRunDetails(latest.runId);
      if (!details || !untouched()) return false;
      set({ training: trainingFromStoredRun(details) });
      void get().actions.showRunNorms(latest.runId);
      return true;
    },

    async exportModel(quantize) {
      const runId = get().training.lastRunId;
      if (!runId) return;
      const r = await exportRunModel({ client, notify, fail }, runId, quantize);
      if (r) setTraining((t) => ({ ...t, exportResult: r }));
    },
  };

  return {
    state: { training: initialTraining() },
    actions,
    onTrainingEvent(event) {
      const cur = get().training;
      const next = applyTrainingEvent(cur, event);
      if (next === cur) return;
      set({ training: next });
      // The engine's message usually says "Training failed: …" already; do not say it twice.
      if (event.type === 'done' && event.status === 'failed') notify('error', /^training failed\b/i.test(next.error ?? '') ? next.error! : `Training failed: ${next.error}`, 'training');
    },
  };
};
