import type { BackendInfo, EpochMetrics, OutputMetrics, RunDetails, RunSummary, TrainingEvent } from '../../../main/core/api/contract';
import type { EvaluationReport } from '../../../main/core/metrics';

export type RunStatus = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'completed' | 'stopped' | 'failed';

export interface BatchPoint {
  /** Position on the x axis, in epochs (0..epochs). */
  x: number;
  epoch: number;
  batch: number;
  loss: number;
  acc: number;
  /** Regression runs report mean absolute error instead of accuracy. */
  mae?: number;
  /** A network with several outputs: each output's loss and metric in this batch. */
  outputs?: OutputMetrics[];
}

export interface EpochPoint extends EpochMetrics {
  /** Position on the x axis, in epochs: the end of the epoch. */
  x: number;
}

export interface TrainingState {
  status: RunStatus;
  /** The run this panel follows. */
  runId: string | null;
  /** The last run that kept a model (what Export exports). */
  lastRunId: string | null;
  hasModel: boolean;
  backend: BackendInfo | null;
  epochs: number;
  batchesPerEpoch: number;
  trainSamples: number;
  valSamples: number;
  testSamples: number;
  /** 1-based epoch being trained (for "epoch 1/5"). */
  currentEpoch: number;
  epochsCompleted: number;
  /** Overall progress, 0..1. */
  progress: number;
  etaSec: number | null;
  samplesPerSec: number | null;
  batchSeries: BatchPoint[];
  epochSeries: EpochPoint[];
  log: string[];
  test: { loss: number; acc: number } | null;
  /** Test-set evaluation of the run (from its `evaluation` event). */
  evaluation: EvaluationReport | null;
  /** Early stopping ended the run; bestEpoch (0-based) is the epoch whose weights were kept. */
  stoppedEarly: boolean;
  bestEpoch: number | null;
  /** Where a stopped run stopped (from its `done` event). */
  stoppedAt: { epoch: number; batch: number; batchesPerEpoch: number } | null;
  /** A pause or resume request is on its way to the engine. */
  pauseRequested: boolean;
  error: string | null;
  /** Whether the engine numbers epochs / batches from 0 (detected from the events). */
  epochFromZero: boolean;
  batchFromZero: boolean;
  /** Result of the last Export of this panel's model (cleared when a new run starts). */
  exportResult: { dir: string; files: string[] } | null;
}

export function initialTraining(): TrainingState {
  return {
    status: 'idle',
    runId: null,
    lastRunId: null,
    hasModel: false,
    backend: null,
    epochs: 0,
    batchesPerEpoch: 0,
    trainSamples: 0,
    valSamples: 0,
    testSamples: 0,
    currentEpoch: 0,
    epochsCompleted: 0,
    progress: 0,
    etaSec: null,
    samplesPerSec: null,
    batchSeries: [],
    epochSeries: [],
    log: [],
    test: null,
    evaluation: null,
    stoppedEarly: false,
    bestEpoch: null,
    stoppedAt: null,
    pauseRequested: false,
    error: null,
    epochFromZero: false,
    batchFromZero: false,
    exportResult: null,
  };
}

/**
 * A finished run from the run history as the training panel shows a run it followed to the end: its final curves,
 * test score and evaluation, its model ready to export or try. What the page shows after a reload.
 */
export function trainingFromStoredRun(details: RunDetails): TrainingState {
  const { summary, history } = details;
  const epochFromZero = history.some((h) => h.epoch === 0);
  const epochSeries = history.map((h) => ({ ...h, x: epochFromZero ? h.epoch + 1 : h.epoch }));
  const status: RunStatus = summary.status === 'running' ? 'stopped' : summary.status;
  return {
    ...initialTraining(),
    status,
    runId: summary.runId,
    lastRunId: summary.hasModel ? summary.runId : null,
    hasModel: summary.hasModel,
    epochs: details.config.training.epochs,
    epochsCompleted: summary.epochsCompleted,
    currentEpoch: summary.epochsCompleted,
    progress: status === 'completed' ? 1 : 0,
    epochSeries,
    test: summary.test ?? null,
    evaluation: details.evaluation,
    stoppedEarly: summary.stoppedEarly === true,
    bestEpoch: typeof summary.bestEpoch === 'number' ? summary.bestEpoch : null,
    stoppedAt: summary.stoppedAt ?? null,
    error: summary.status === 'failed' ? (summary.error ?? null) : null,
    epochFromZero,
  };
}

/** The newest finished run of a project that kept a model, from the run list. */
export function latestRunWithModel(runs: readonly RunSummary[], projectName: string): RunSummary | null {
  const mine = runs.filter((r) => r.projectName === projectName && r.hasModel && r.status !== 'running');
  return mine.sort((a, b) => b.startedMs - a.startedMs)[0] ?? null;
}

export function isActive(status: RunStatus): boolean {
  return status === 'starting' || status === 'running' || status === 'paused' || status === 'stopping';
}

/** Progress may come as a fraction (0..1) or a percentage; always keep a fraction. */
export function normalizeProgress(p: number): number {
  if (!Number.isFinite(p) || p < 0) return 0;
  const f = p > 1 ? p / 100 : p;
  return Math.min(1, f);
}

const MAX_LOG = 200;

/** Folds one training event into the panel state. Pure; events for other runs are ignored. */
export function applyTrainingEvent(state: TrainingState, event: TrainingEvent): TrainingState {
  if (state.runId !== null && event.runId !== state.runId) return state;
  if (state.runId === null && state.status !== 'starting') return state;
  const s: TrainingState = { ...state, runId: event.runId };
  switch (event.type) {
    case 'started':
      return {
        ...s,
        status: s.status === 'stopping' ? 'stopping' : 'running',
        backend: event.backend,
        epochs: event.epochs,
        batchesPerEpoch: event.batchesPerEpoch,
        trainSamples: event.trainSamples,
        valSamples: event.valSamples,
        testSamples: event.testSamples,
        currentEpoch: 1,
      };
    case 'batch': {
      const epochFromZero = s.epochFromZero || event.epoch === 0;
      const batchFromZero = s.batchFromZero || event.batch === 0;
      const epoch0 = epochFromZero ? event.epoch : event.epoch - 1;
      const batch1 = batchFromZero ? event.batch + 1 : event.batch;
      const perEpoch = event.batchesPerEpoch || s.batchesPerEpoch || 1;
      const point: BatchPoint = {
        x: Math.max(0, epoch0) + Math.min(1, Math.max(0, batch1 / perEpoch)),
        epoch: epoch0 + 1,
        batch: batch1,
        loss: event.loss,
        acc: event.acc,
        ...(event.mae !== undefined && { mae: event.mae }),
        ...(event.outputs && { outputs: event.outputs }),
      };
      return {
        ...s,
        status: s.status === 'starting' ? 'running' : s.status,
        epochFromZero,
        batchFromZero,
        batchesPerEpoch: perEpoch,
        currentEpoch: epoch0 + 1,
        progress: normalizeProgress(event.progress),
        etaSec: event.etaSec,
        samplesPerSec: event.samplesPerSec,
        batchSeries: [...s.batchSeries, point],
      };
    }
    case 'epoch': {
      const epochFromZero = s.epochFromZero || event.metrics.epoch === 0;
      const epoch0 = epochFromZero ? event.metrics.epoch : event.metrics.epoch - 1;
      const point: EpochPoint = { ...event.metrics, x: epoch0 + 1 };
      const epochsCompleted = Math.max(s.epochsCompleted, epoch0 + 1);
      return {
        ...s,
        status: s.status === 'starting' ? 'running' : s.status,
        epochFromZero,
        epochsCompleted,
        currentEpoch: s.epochs ? Math.min(s.epochs, epochsCompleted + 1) : epochsCompleted + 1,
        progress: normalizeProgress(event.progress),
        etaSec: event.etaSec,
        epochSeries: [...s.epochSeries, point],
      };
    }
    case 'log':
      return { ...s, log: [...s.log, event.message].slice(-MAX_LOG) };
    case 'state': {
      // A stop request wins over a late pause/resume confirmation; finished runs stay finished.
      if (s.status !== 'running' && s.status !== 'paused' && s.status !== 'starting') return { ...s, pauseRequested: false };
      return { ...s, status: event.state, pauseRequested: false };
    }
    case 'evaluation':
      return { ...s, evaluation: event.report };
    case 'done':
      return {
        ...s,
        status: event.status,
        pauseRequested: false,
        stoppedEarly: event.stoppedEarly === true,
        bestEpoch: typeof event.bestEpoch === 'number' ? event.bestEpoch : null,
        stoppedAt: event.stoppedAt ?? null,
        error: event.status === 'failed' ? (event.error ?? 'Training failed for an unknown reason.') : null,
        epochsCompleted: event.epochsCompleted,
        test: event.test ?? null,
        hasModel: event.hasModel,
        lastRunId: event.hasModel ? event.runId : s.lastRunId,
        progress: event.status === 'completed' ? 1 : s.progress,
        etaSec: null,
      };
  }
  return state;
}

/** "Stopped in epoch 1 at batch 75/250; the weights of that moment were kept" — what was kept, said plainly. */
function stoppedText(t: TrainingState): string {
  const at = t.stoppedAt;
  const where = !at
    ? `Stopped after ${plural(t.epochsCompleted, 'epoch')}`
    : at.batch > 0
      ? `Stopped in epoch ${at.epoch} at batch ${at.batch}/${at.batchesPerEpoch}`
      : `Stopped after epoch ${at.epoch}${t.epochs ? ` of ${t.epochs}` : ''}`;
  if (!t.hasModel) return `${where}; no model was kept`;
  const best = t.bestEpoch !== null && at && (at.batch > 0 || t.bestEpoch + 1 !== at.epoch);
  return best ? `${where}; the weights of epoch ${t.bestEpoch! + 1} (the best) were kept` : `${where}; the weights of that moment were kept`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The one-line status shown above the charts. */
export function trainingStatusText(t: TrainingState): string {
  switch (t.status) {
    case 'idle':
      return 'Not trained yet';
    case 'starting':
      return 'Starting…';
    case 'running':
      return t.epochs ? `Training… epoch ${Math.max(1, t.currentEpoch)}/${t.epochs}` : 'Training…';
    case 'paused':
      return t.epochs ? `Paused — epoch ${Math.max(1, t.currentEpoch)}/${t.epochs}` : 'Paused';
    case 'stopping':
      return 'Stopping…';
    case 'completed':
      return t.stoppedEarly
        ? `Completed — stopped early after ${plural(t.epochsCompleted, 'epoch')}${t.bestEpoch !== null ? `, best epoch ${t.bestEpoch + 1}` : ''}`
        : 'Completed';
    case 'stopped':
      return stoppedText(t);
    case 'failed':
      return `Failed: ${t.error ?? 'unknown error'}`;
  }
}

/**
 * Each row of a confusion matrix (confusion[actual][predicted]) divided by its total, so a cell says
 * what fraction of that class's samples got that prediction. Rows without samples stay all 0.
 */
export function rowNormalize(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    return row.map((v) => (total > 0 && Number.isFinite(v) ? v / total : 0));
  });
}

/** Gallery items with the wrong ones first, otherwise in the engine's order. */
export function galleryOrder<T extends { correct: boolean }>(items: readonly T[]): T[] {
  return [...items.filter((i) => !i.correct), ...items.filter((i) => i.correct)];
}

/** The names of the outputs a run reports on its own (several outputs), from its latest points; empty for one output. */
export function outputNames(epochs: readonly EpochPoint[], batches: readonly BatchPoint[]): string[] {
  const latest = epochs[epochs.length - 1]?.outputs ?? batches[batches.length - 1]?.outputs ?? [];
  return latest.map((o) => o.name);
}

/**
 * One output's curves, as points the charts read like a run's own (loss, acc or mae, and the validation ones):
 * the points that report no such output are left out.
 */
export function outputSeries<P extends BatchPoint | EpochPoint>(points: readonly P[], name: string): P[] {
  const out: P[] = [];
  for (const p of points) {
    const o = p.outputs?.find((m) => m.name === name);
    if (!o) continue;
    const { outputs: _outputs, mae: _mae, ...rest } = p as P & { valLoss?: number; valAcc?: number; valMae?: number };
    const point = { ...rest, loss: o.loss, acc: o.acc ?? 0 } as Record<string, unknown>;
    for (const key of ['valLoss', 'valAcc', 'valMae'] as const) delete point[key];
    if (o.mae !== undefined) point.mae = o.mae;
    if (o.valLoss !== undefined) point.valLoss = o.valLoss;
    if (o.valAcc !== undefined) point.valAcc = o.valAcc;
    if (o.valMae !== undefined) point.valMae = o.valMae;
    out.push(point as unknown as P);
  }
  return out;
}
