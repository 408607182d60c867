import type { LayerNorms } from '../../../../main/core/api/contract';
import type { ActivationReport, LayerActivation } from '../../../../main/core/inside/activations';
import { errorText, type SliceCreator } from './types';

/** One measurement of the per-layer norms, at `x` epochs into the run. */
export interface NormPoint {
  x: number;
  layers: LayerNorms[];
}

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
  /** Norms of the run that sent them last (the one training or last trained). */
  normsRunId: string | null;
  norms: NormPoint[];
}

export interface InsideSliceState {
  inside: InsideState;
}

export interface InsideActions {
  setInsideOpen(open: boolean): void;
  /** Asks the engine for every layer's activations of run `runId` on test sample `index`. */
  lookInside(runId: string, index: number): Promise<void>;
}

/** Norm measurements kept per run; past it, every other old one is dropped (the charts keep their shape). */
export const MAX_NORM_POINTS = 1000;

export function initialInside(): InsideState {
  return { open: false, runId: null, index: 0, report: null, byLayer: {}, loading: false, error: null, normsRunId: null, norms: [] };
}

function thinned(points: NormPoint[]): NormPoint[] {
  if (points.length <= MAX_NORM_POINTS) return points;
  const half = Math.floor(points.length / 2);
  return [...points.slice(0, half).filter((_, i) => i % 2 === 0), ...points.slice(half)];
}

export const createInsideSlice: SliceCreator<InsideSliceState, InsideActions> = ({ client, get, set }) => {
  const setInside = (patch: Partial<InsideState> | ((s: InsideState) => Partial<InsideState>)) =>
    set((s) => ({ inside: { ...s.inside, ...(typeof patch === 'function' ? patch(s.inside) : patch) } }));
  let seq = 0;

  const actions: InsideActions = {
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
      const point: NormPoint = { x: event.epoch + (event.batch + 1) / Math.max(1, event.batchesPerEpoch), layers: event.layers };
      setInside((s) => (s.normsRunId === event.runId ? { norms: thinned([...s.norms, point]) } : { normsRunId: event.runId, norms: [point] }));
    },
  };
};
