import type { NormPoint } from '../../../../main/core/api/contract';
import type { ActivationReport, LayerActivation } from '../../../../main/core/inside/activations';
import { MAX_NORM_POINTS, normPointOf, thinNormPoints } from '../../../../main/core/training/normHistory';
import { isActive } from '../trainingState';
import { errorText, type SliceCreator } from './types';

export type { NormPoint };
export { MAX_NORM_POINTS };

/** The Inside tab: one sample's activations of a trained run, and the live run's per-layer norms. */
export interface InsideState {
  /** The Inside tab is showing: layer nodes then draw their activations as thumbnails. */
  open: boolean;
  /** The run and test sample asked for. */
  runId: string | null;
  index: number;
  report: ActivationReport | null;
  /** The report's layers by name, for the canvas thumbnails. */
  byLayer: Record<string, LayerActivation>;
  loading: boolean;
  error: string | null;
  /** Bumped when a run is opened from the Runs tab (the bottom panel switches to Inside). */
  request: number;
  /** Norms of the run that sent them last (the one training), or of the stored run shown (after a reload, or picked). */
  normsRunId: string | null;
  norms: NormPoint[];
  /** Why the stored norms of normsRunId could not be read. */
  normsError: string | null;
}

export interface InsideSliceState {
  inside: InsideState;
}

export interface InsideActions {
  setInsideOpen(open: boolean): void;
  /** Asks the engine for every layer's activations of run `runId` on test sample `index`. */
  lookInside(runId: string, index: number): Promise<void>;
  /** Shows the norms run `runId` kept (runs.norms), unless they are already shown or a run is sending its own. */
  showRunNorms(runId: string, opts?: { force?: boolean }): Promise<void>;
  /** Looks inside a run picked in the Runs tab: its norms, its activations when it kept a model, and the Inside tab. */
  openRunInside(runId: string, hasModel: boolean): void;
}

export function initialInside(): InsideState {
  return { open: false, runId: null, index: 0, report: null, byLayer: {}, loading: false, error: null, normsRunId: null, norms: [], normsError: null, request: 0 };
}

export const createInsideSlice: SliceCreator<InsideSliceState, InsideActions> = ({ client, get, set }) => {
  const setInside = (patch: Partial<InsideState> | ((s: InsideState) => Partial<InsideState>)) =>
    set((s) => ({ inside: { ...s.inside, ...(typeof patch === 'function' ? patch(s.inside) : patch) } }));
  let seq = 0;
  /** Bumped by every live norms event and every request for stored norms: an answer that comes late is dropped. */
  let normsSeq = 0;

  const actions: InsideActions = {
    async showRunNorms(runId, opts = {}) {
      const cur = get().inside;
      const training = get().training;
      // A run training now charts its own events as they come.
      if (training.runId === runId && isActive(training.status)) return;
      if (!opts.force && cur.normsRunId === runId && !cur.normsError) return;
      const mine = ++normsSeq;
      setInside({ normsRunId: runId, norms: [], normsError: null });
      try {
        const { points } = await client.call('runs.norms', { runId });
        if (mine === normsSeq) setInside({ norms: points });
      } catch (e) {
        if (mine === normsSeq) setInside({ normsError: errorText(e) });
      }
    },
    openRunInside(runId, hasModel) {
      setInside((s) => ({ request: s.request + 1 }));
      void actions.showRunNorms(runId);
      if (hasModel) void actions.lookInside(runId, 0);
    },
    setInsideOpen(open) {
      if (get().inside.open !== open) setInside({ open });
    },
    async lookInside(runId, index) {
      const mine = ++seq;
      setInside({ runId, index, loading: true, error: null });
      try {
        const report = await client.call('runs.activations', { runId, index });
        if (mine !== seq) return;
        setInside({ report, byLayer: Object.fromEntries(report.layers.map((l) => [l.layer, l])), loading: false });
      } catch (e) {
        if (mine !== seq) return;
        setInside({ loading: false, error: errorText(e) });
      }
    },
  };

  return {
    state: { inside: initialInside() },
    actions,
    onTrainingEvent(event) {
      // A run that kept a model is the one to look inside next (the tab shows it when it opens).
      if (event.type === 'done' && event.hasModel) {
        seq++;
        setInside({ runId: event.runId, report: null, byLayer: {}, loading: false, error: null });
        return;
      }
      if (event.type !== 'norms') return;
      normsSeq++;
      const point = normPointOf(event);
      setInside((s) => (s.normsRunId === event.runId ? { norms: thinNormPoints([...s.norms, point]), normsError: null } : { normsRunId: event.runId, norms: [point], normsError: null }));
    },
  };
};
