import type { ModelInputs, Prediction, Sample } from '../../../../main/core/prediction';
import { latestRunWithModel } from '../trainingState';
import { errorText, type SliceCreator } from './types';

/** The Try tab: a trained run, what sample its model takes, and its prediction for the last sample given. */
export interface TryModelState {
  /** The run picked in the tab; null = the project's latest run with a model. */
  chosenRunId: string | null;
  /** The run whose model the tab shows (the chosen one, or the latest), once known. */
  runId: string | null;
  inputs: ModelInputs | null;
  /** A model.inputs or model.predict call is in flight. */
  busy: boolean;
  prediction: Prediction | null;
  /** Why the last sample (or the model) could not be used, as the engine said it: shown in the tab, not as a banner. */
  error: string | null;
}

export interface TryModelSliceState {
  tryModel: TryModelState;
}

export interface TryModelActions {
  /** Picks the run to try (null: the project's latest with a model) and asks what sample its model takes. */
  chooseTryRun(runId: string | null): Promise<void>;
  /** One sample through the tried run's model. */
  predictSample(sample: Sample): Promise<Prediction | null>;
}

function initialTryModel(): TryModelState {
  return { chosenRunId: null, runId: null, inputs: null, busy: false, prediction: null, error: null };
}

export const createTryModelSlice: SliceCreator<TryModelSliceState, TryModelActions> = ({ client, get, set }) => {
  const setTry = (patch: Partial<TryModelState>) => set((s) => ({ tryModel: { ...s.tryModel, ...patch } }));
  /** Bumped by every call; an answer that is not the latest is stale and dropped. */
  let seq = 0;

  /** Asks what sample the run's model takes, and shows the run. */
  const showRun = async (runId: string, mine = ++seq) => {
    setTry({ busy: true, error: null, prediction: null });
    try {
      const inputs = await client.call('model.inputs', { runId });
      if (mine === seq) setTry({ runId, inputs, busy: false });
    } catch (e) {
      if (mine === seq) setTry({ runId, inputs: null, busy: false, error: errorText(e) });
    }
  };

  const actions: TryModelActions = {
    async chooseTryRun(chosen) {
      const mine = ++seq;
      setTry({ chosenRunId: chosen, busy: true, error: null, prediction: null });
      try {
        let runId = chosen;
        if (runId === null) {
          const { project, training } = get();
          const list = await client.call('runs.list', {});
          runId = training.lastRunId && list.some((r) => r.runId === training.lastRunId && r.hasModel) ? training.lastRunId : (latestRunWithModel(list, project.name)?.runId ?? null);
        }
        if (mine !== seq) return;
        if (runId === null) setTry({ runId: null, inputs: null, busy: false });
        else await showRun(runId, mine);
      } catch (e) {
        if (mine === seq) setTry({ inputs: null, busy: false, error: errorText(e) });
      }
    },

    async predictSample(sample) {
      const runId = get().tryModel.runId;
      if (!runId) return null;
      const mine = ++seq;
      setTry({ busy: true, error: null });
      try {
        const prediction = await client.call('model.predict', { runId, sample });
        if (mine === seq) setTry({ prediction, busy: false });
        return prediction;
      } catch (e) {
        if (mine === seq) setTry({ prediction: null, busy: false, error: errorText(e) });
        return null;
      }
    },
  };

  return {
    state: { tryModel: initialTryModel() },
    actions,
    onTrainingEvent(event) {
      // A new model of the followed run: the tab moves to it unless a run was picked by hand.
      if (event.type === 'done' && event.hasModel && get().tryModel.chosenRunId === null && get().training.lastRunId === event.runId) void showRun(event.runId);
    },
  };
};
