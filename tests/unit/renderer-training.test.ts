import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ApiMethod, RunDetails, RunSummary, TrainingEvent } from '../../main/core/api/contract';
import type { EvaluationReport } from '../../main/core/metrics';
import { DEFAULT_TRAINING, emptyProject } from '../../main/core/project';
import { createAppStore, type AppStore } from '../../renderer/src/store/appStore';
import { AppStoreProvider } from '../../renderer/src/store/context';
import { applyTrainingEvent, galleryOrder, initialTraining, rowNormalize, trainingStatusText, type TrainingState } from '../../renderer/src/store/trainingState';
import { overlaySeries } from '../../renderer/src/store/slices/runs';
import { checkTrainingPatch } from '../../renderer/src/store/trainingOptions';
import { EvaluationReportView, heatColor } from '../../renderer/src/components/EvaluationPanel';
import { TrainingOptions } from '../../renderer/src/components/training/TrainingOptions';
import { fakeClient, type Handler } from './helpers/fakeEngine';

/** An in-memory engine: answers calls from `handlers`, records them, and can emit training events. */

function freshStore(handlers?: Partial<Record<ApiMethod, Handler>>) {
  const fake = fakeClient(handlers);
  return { store: createAppStore(fake.client) as AppStore, ...fake };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

const backend = { name: 'cpu', device: 'CPU', attempts: [] };
const started = (runId: string): TrainingEvent => ({
  type: 'started',
  runId,
  backend,
  trainSamples: 100,
  valSamples: 10,
  testSamples: 10,
  epochs: 5,
  batchesPerEpoch: 4,
});

function classificationReport(): EvaluationReport {
  return {
    task: 'classification',
    samples: 10,
    loss: 0.4321,
    classification: {
      accuracy: 0.7,
      classNames: ['cat', 'dog'],
      confusion: [
        [3, 1],
        [2, 4],
      ],
      perClass: [
        { precision: 0.6, recall: 0.75, f1: 0.6667, support: 4 },
        { precision: 0.8, recall: 0.6667, f1: 0.7273, support: 6 },
      ],
      macroF1: 0.697,
      roc: {
        points: [
          { fpr: 0, tpr: 0 },
          { fpr: 0.25, tpr: 0.8 },
          { fpr: 1, tpr: 1 },
        ],
        auc: 0.85,
      },
    },
    gallery: [
      { index: 0, actual: 'cat', predicted: 'cat', confidence: 0.9, correct: true, image: { width: 2, height: 2, channels: 1, pixels: [0, 255, 128, 64] } },
      { index: 1, actual: 'dog', predicted: 'cat', confidence: 0.6, correct: false, image: { width: 2, height: 2, channels: 1, pixels: [0, 0, 0, 0] } },
      { index: 2, actual: 'dog', predicted: 'dog', confidence: 0.8, correct: true, features: [1.23456, 2, 3, 4, 5] },
    ],
  };
}

async function startedStore(extra: Partial<Record<ApiMethod, Handler>> = {}) {
  const fake = freshStore({
    'training.start': () => ({ runId: 'r1' }),
    'training.pause': () => ({ paused: true }),
    'training.resume': () => ({ resumed: true }),
    'training.stop': () => ({ stopping: true }),
    'runs.list': () => [],
    ...extra,
  });
  await fake.store.getState().actions.startTraining();
  fake.emit(started('r1'));
  return fake;
}

describe('pause and resume', () => {
  it('calls training.pause / training.resume with the run id and follows state events', async () => {
    const { store, calls, emit, count } = await startedStore();
    const { actions } = store.getState();
    emit({ type: 'batch', runId: 'r1', epoch: 1, batch: 1, batchesPerEpoch: 4, loss: 1, acc: 0.5, samplesPerSec: 100, progress: 0.05, etaSec: 10 });

    const p = actions.pauseTraining();
    expect(store.getState().training.pauseRequested).toBe(true);
    await actions.pauseTraining(); // a second click while the first is on its way does nothing
    await p;
    expect(calls.filter((c) => c.method === 'training.pause')).toEqual([{ method: 'training.pause', params: { runId: 'r1' } }]);
    expect(store.getState().training.status).toBe('paused');
    expect(store.getState().training.pauseRequested).toBe(false);
    expect(trainingStatusText(store.getState().training)).toBe('Paused — epoch 1/5');

    // The engine confirms with a state event; a batch still in flight keeps the run paused.
    emit({ type: 'state', runId: 'r1', state: 'paused' });
    emit({ type: 'batch', runId: 'r1', epoch: 2, batch: 1, batchesPerEpoch: 4, loss: 1, acc: 0.5, samplesPerSec: 100, progress: 0.3, etaSec: 10 });
    expect(store.getState().training.status).toBe('paused');
    expect(trainingStatusText(store.getState().training)).toBe('Paused — epoch 2/5');

    await actions.pauseTraining(); // already paused
    expect(count('training.pause')).toBe(1);

    await actions.resumeTraining();
    expect(calls.at(-1)).toEqual({ method: 'training.resume', params: { runId: 'r1' } });
    expect(store.getState().training.status).toBe('running');

    // The engine may also pause / resume on its own: state events alone switch the status.
    emit({ type: 'state', runId: 'r1', state: 'paused' });
    expect(store.getState().training.status).toBe('paused');
    emit({ type: 'state', runId: 'r1', state: 'running' });
    expect(store.getState().training.status).toBe('running');
    // Events of other runs are ignored.
    emit({ type: 'state', runId: 'other', state: 'paused' });
    expect(store.getState().training.status).toBe('running');
  });

  it('stops while paused, and a late state event does not undo the stop', async () => {
    const { store, emit, calls } = await startedStore();
    const { actions } = store.getState();
    await actions.pauseTraining();
    expect(store.getState().training.status).toBe('paused');
    await actions.stopTraining();
    expect(calls.at(-1)).toEqual({ method: 'training.stop', params: { runId: 'r1' } });
    expect(store.getState().training.status).toBe('stopping');
    emit({ type: 'state', runId: 'r1', state: 'running' });
    expect(store.getState().training.status).toBe('stopping');
    emit({ type: 'done', runId: 'r1', status: 'stopped', epochsCompleted: 1, hasModel: true });
    expect(store.getState().training.status).toBe('stopped');
    // Neither button acts on a finished run.
    await actions.resumeTraining();
    await actions.pauseTraining();
    expect(calls.filter((c) => c.method === 'training.pause' || c.method === 'training.resume')).toHaveLength(1);
  });

  it('reports a refused pause and lets the person try again', async () => {
    const { store } = await startedStore({
      'training.pause': () => {
        throw new Error('no such run');
      },
    });
    await store.getState().actions.pauseTraining();
    const t = store.getState().training;
    expect(t.status).toBe('running');
    expect(t.pauseRequested).toBe(false);
    expect(store.getState().ui.messages.at(-1)).toMatchObject({ kind: 'error', text: 'Could not pause training: no such run' });
  });

  it('describes early stopping in the status line', () => {
    let t: TrainingState = { ...initialTraining(), status: 'starting' };
    t = applyTrainingEvent(t, started('r9'));
    t = applyTrainingEvent(t, { type: 'done', runId: 'r9', status: 'completed', epochsCompleted: 7, hasModel: true, stoppedEarly: true, bestEpoch: 3 });
    expect(t.stoppedEarly).toBe(true);
    expect(t.bestEpoch).toBe(3);
    expect(trainingStatusText(t)).toBe('Completed — stopped early after 7 epochs, best epoch 4');
  });
});

describe('evaluation', () => {
  it('stores the evaluation event of the followed run and ignores other runs', async () => {
    const { store, emit } = await startedStore();
    const report = classificationReport();
    emit({ type: 'evaluation', runId: 'other', report });
    expect(store.getState().training.evaluation).toBeNull();
    emit({ type: 'evaluation', runId: 'r1', report });
    expect(store.getState().training.evaluation).toEqual(report);
    emit({ type: 'done', runId: 'r1', status: 'completed', epochsCompleted: 5, hasModel: true, test: { loss: 0.4321, acc: 0.7 } });
    expect(store.getState().training.evaluation).toEqual(report);
    // A new run starts without the old evaluation.
    await store.getState().actions.startTraining();
    expect(store.getState().training.evaluation).toBeNull();
  });

  it('a new evaluation switches the Evaluation tab back from a stored run to the live one', async () => {
    const details: RunDetails = {
      summary: summary('old', 1000),
      history: [],
      evaluation: classificationReport(),
      config: emptyProject(),
    };
    const { store, emit, count } = await startedStore({ 'runs.get': () => details });
    const { actions } = store.getState();
    await actions.openRunEvaluation('old');
    expect(store.getState().runs.evaluationRunId).toBe('old');
    expect(store.getState().runs.evaluationRequest).toBe(1);
    expect(store.getState().runs.details.old).toEqual(details);
    await actions.openRunEvaluation('old');
    expect(count('runs.get')).toBe(1);
    emit({ type: 'evaluation', runId: 'r1', report: classificationReport() });
    expect(store.getState().runs.evaluationRunId).toBeNull();
  });

  it('normalizes confusion rows and orders the gallery wrong-first', () => {
    expect(
      rowNormalize([
        [3, 1],
        [0, 0],
        [2, 6],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
      [0.25, 0.75],
    ]);
    const items = [
      { index: 0, correct: true },
      { index: 1, correct: false },
      { index: 2, correct: true },
      { index: 3, correct: false },
    ];
    expect(galleryOrder(items).map((i) => i.index)).toEqual([1, 3, 0, 2]);
    expect(heatColor(0)).toBe('rgb(255, 255, 255)');
    expect(heatColor(1)).toBe('rgb(36, 86, 166)');
  });

  it('shows the report: summary, per-class table, confusion matrix, ROC and gallery', () => {
    const html = renderToStaticMarkup(createElement(EvaluationReportView, { report: classificationReport() }));
    expect(html).toContain('data-testid="eval-per-class"');
    expect(html).toContain('data-testid="confusion-matrix"');
    expect(html).toContain('data-testid="prediction-gallery"');
    expect(html).toContain('data-testid="eval-roc"');
    expect(html).toMatch(/data-testid="eval-accuracy">70\.0%/);
    expect(html).toMatch(/data-testid="eval-loss">0\.4321/);
    expect(html).toMatch(/data-testid="eval-auc">0\.85/);
    // Cells in row order with their row-normalized values; the counts are shown in them.
    const cells = [...html.matchAll(/data-value="([\d.]+)"[^>]*>(\d+)<\/td>/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(cells).toEqual([
      [0.75, 3],
      [0.25, 1],
      [0.3333, 2],
      [0.6667, 4],
    ]);
    // Axis labels are the class names.
    expect(html).toMatch(/<th scope="row"[^>]*>cat<\/th>/);
    expect(html).toMatch(/<th scope="col"[^>]*title="predicted dog"[^>]*>dog<\/th>/);
    // Per-class: support and precision.
    expect(html).toMatch(/<th scope="row">dog<\/th><td>0\.8<\/td><td>0\.667<\/td><td>0\.727<\/td><td>6<\/td>/);
    // Gallery: the wrong prediction first, with a red border class; features of tabular items.
    const items = [...html.matchAll(/class="gallery__item( gallery__item--wrong)?" data-testid="gallery-item" data-correct="(true|false)"/g)].map((m) => m[2]);
    expect(items).toEqual(['false', 'true', 'true']);
    expect(html).toContain('1.23, 2, 3, 4, …');
    expect(html).toContain('60%');
    expect(html).not.toContain('eval-regression');
  });

  it('shows regression metrics for regression tasks', () => {
    const report: EvaluationReport = {
      task: 'regression',
      samples: 3,
      loss: 0.5,
      regression: { mae: 0.25, rmse: 0.5, r2: 0.9 },
      gallery: [{ index: 0, actual: '1.0', predicted: '1.2', correct: true, features: [0.5] }],
    };
    const html = renderToStaticMarkup(createElement(EvaluationReportView, { report }));
    expect(html).toContain('data-testid="eval-regression"');
    expect(html).toMatch(/MAE<\/dt><dd>0\.25<\/dd>/);
    expect(html).toMatch(/RMSE<\/dt><dd>0\.5<\/dd>/);
    expect(html).toMatch(/R²<\/dt><dd>0\.9<\/dd>/);
    expect(html).not.toContain('confusion-matrix');
  });
});

function summary(runId: string, startedMs: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    runId,
    projectName: `P ${runId}`,
    startedMs,
    endedMs: startedMs + 10,
    status: 'completed',
    epochsCompleted: 3,
    backend: 'cpu',
    datasetName: 'mnist',
    best: { epoch: 2, valLoss: 0.3, valAcc: 0.9, loss: 0.2, acc: 0.95 },
    test: { loss: 0.31, acc: 0.89 },
    hasModel: true,
    ...over,
  };
}

function detailsOf(s: RunSummary): RunDetails {
  return {
    summary: s,
    history: [
      { epoch: 0, loss: 1, acc: 0.5, valLoss: 0.9, valAcc: 0.6 },
      { epoch: 1, loss: 0.5, acc: 0.8, valLoss: 0.6, valAcc: 0.8 },
    ],
    evaluation: null,
    config: emptyProject(),
  };
}

describe('runs', () => {
  function runsStore() {
    let list = [summary('a', 1000), summary('b', 3000), summary('c', 2000, { hasModel: false })];
    const fake = freshStore({
      'runs.list': () => list,
      'runs.get': ({ runId }: { runId: string }) => {
        const s = list.find((r) => r.runId === runId);
        if (!s) throw new Error(`no run ${runId}`);
        return detailsOf(s);
      },
      'runs.delete': ({ runId }: { runId: string }) => {
        list = list.filter((r) => r.runId !== runId);
        return { deleted: true };
      },
      'export.run': ({ runId }: { runId: string }) => ({ dir: `/exports/${runId}`, files: ['model.json', 'model.ts'] }),
      'training.start': () => ({ runId: 'r1' }),
    });
    return { ...fake, setList: (l: RunSummary[]) => (list = l) };
  }

  it('lists runs newest first', async () => {
    const { store } = runsStore();
    expect(store.getState().runs.status).toBe('idle');
    await store.getState().actions.refreshRuns();
    expect(store.getState().runs.status).toBe('ready');
    expect(store.getState().runs.list.map((r) => r.runId)).toEqual(['b', 'c', 'a']);
  });

  it('loads the details of each ticked run once, also when ticked again or twice at once', async () => {
    const { store, count, calls } = runsStore();
    const { actions } = store.getState();
    await actions.refreshRuns();
    actions.toggleRunOverlay('a');
    actions.toggleRunOverlay('b', true);
    actions.toggleRunOverlay('b', true); // already ticked
    expect(store.getState().runs.overlay).toEqual(['a', 'b']);
    expect(store.getState().runs.loadingDetails).toEqual(['a', 'b']);
    const again = actions.loadRunDetails('a'); // shares the request in flight
    await again;
    await flush();
    expect(count('runs.get')).toBe(2);
    expect(calls.filter((c) => c.method === 'runs.get').map((c) => c.params.runId)).toEqual(['a', 'b']);
    expect(store.getState().runs.loadingDetails).toEqual([]);
    expect(Object.keys(store.getState().runs.details).sort()).toEqual(['a', 'b']);

    actions.toggleRunOverlay('a');
    expect(store.getState().runs.overlay).toEqual(['b']);
    actions.toggleRunOverlay('a');
    await flush();
    expect(store.getState().runs.overlay).toEqual(['b', 'a']);
    expect(count('runs.get')).toBe(2);
  });

  it('refreshes the list after each done event and refetches an overlaid run that just ended', async () => {
    const { store, emit, count } = runsStore();
    const { actions } = store.getState();
    await actions.refreshRuns();
    actions.toggleRunOverlay('a');
    await flush();
    expect(count('runs.list')).toBe(1);
    expect(count('runs.get')).toBe(1);
    emit({ type: 'done', runId: 'zzz', status: 'completed', epochsCompleted: 1, hasModel: true });
    await flush();
    expect(count('runs.list')).toBe(2);
    expect(count('runs.get')).toBe(1);
    emit({ type: 'done', runId: 'a', status: 'completed', epochsCompleted: 3, hasModel: true });
    await flush();
    expect(count('runs.list')).toBe(3);
    expect(count('runs.get')).toBe(2);
    expect(store.getState().runs.details.a).toBeDefined();
  });

  it('drops overlaid runs that disappear from the list', async () => {
    const { store, setList } = runsStore();
    const { actions } = store.getState();
    await actions.refreshRuns();
    actions.toggleRunOverlay('a');
    actions.toggleRunOverlay('c');
    setList([summary('c', 2000)]);
    await actions.refreshRuns();
    expect(store.getState().runs.overlay).toEqual(['c']);
  });

  it('deletes a run everywhere and exports a run by id', async () => {
    const { store, calls } = runsStore();
    const { actions } = store.getState();
    await actions.refreshRuns();
    actions.toggleRunOverlay('a');
    await actions.openRunEvaluation('a');
    expect(await actions.deleteRun('a')).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'runs.delete', params: { runId: 'a' } });
    const r = store.getState().runs;
    expect(r.list.map((x) => x.runId)).toEqual(['b', 'c']);
    expect(r.overlay).toEqual([]);
    expect(r.details.a).toBeUndefined();
    expect(r.evaluationRunId).toBeNull();

    await actions.exportRun('b');
    expect(calls.at(-1)).toEqual({ method: 'export.run', params: { runId: 'b' } });
    expect(store.getState().runs.exportResult).toEqual({ runId: 'b', dir: '/exports/b', files: ['model.json', 'model.ts'] });

    expect(await actions.deleteRun('nope')).toBe(true); // the fake deletes anything; a failing engine:
    const failing = freshStore({ 'runs.delete': () => Promise.reject(new Error('busy')) });
    expect(await failing.store.getState().actions.deleteRun('x')).toBe(false);
    expect(failing.store.getState().ui.messages.at(-1)?.text).toBe('Could not delete the run: busy');
  });

  it('builds overlay series per epoch, 1-based, from validation metrics (training ones when there are none)', () => {
    const h = detailsOf(summary('a', 0)).history;
    expect(overlaySeries(h, 'loss')).toEqual({
      points: [
        { x: 1, y: 0.9 },
        { x: 2, y: 0.6 },
      ],
      validation: true,
    });
    expect(overlaySeries([{ epoch: 1, loss: 0.7, acc: 0.4 }], 'acc')).toEqual({ points: [{ x: 1, y: 0.4 }], validation: false });
  });
});

describe('training options', () => {
  const undoSteps = (store: AppStore) => store.temporal.getState().pastStates.length;

  it('commits one valid edit as one undo step', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    actions.loadProject(emptyProject());
    const cfg = store.getState().project.training;
    const r = checkTrainingPatch(cfg, { schedule: { ...cfg.schedule, type: 'step', gamma: 0.1 } }, 'Schedule');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    actions.setTraining(r.patch);
    expect(undoSteps(store)).toBe(1);
    expect(store.getState().project.training.schedule).toMatchObject({ type: 'step', gamma: 0.1, stepEpochs: 10 });
    actions.undo();
    expect(store.getState().project.training.schedule.type).toBe('constant');
    expect(store.getState().project.training).toEqual(DEFAULT_TRAINING);
  });

  it('refuses invalid values with a message naming the field', () => {
    const cfg = DEFAULT_TRAINING;
    expect(checkTrainingPatch(cfg, { momentum: 1.5 }, 'Momentum')).toEqual({ ok: false, error: 'Momentum must be at most 0.999' });
    expect(checkTrainingPatch(cfg, { l2: -0.1 }, 'L2 penalty')).toEqual({ ok: false, error: 'L2 penalty must be at least 0' });
    expect(checkTrainingPatch(cfg, { earlyStopping: { ...cfg.earlyStopping, patience: 2.5 } }, 'Patience')).toEqual({
      ok: false,
      error: 'Patience must be a whole number',
    });
    expect(checkTrainingPatch(cfg, { gradientClip: { type: 'norm', value: 0 } }, 'Maximum norm')).toEqual({
      ok: false,
      error: 'Maximum norm must be greater than 0',
    });
    expect(checkTrainingPatch(cfg, { seed: 7 }, 'Seed')).toEqual({ ok: true, patch: { seed: 7 } });
  });

  it('renders the option fields with their test ids', () => {
    const { store } = freshStore();
    store.getState().actions.setTraining({ optimizer: 'sgd', earlyStopping: { ...DEFAULT_TRAINING.earlyStopping, enabled: true }, gradientClip: { type: 'value', value: 2 } });
    // Server rendering reads zustand's initial state; show the current one instead.
    const view = { ...store, getInitialState: store.getState } as AppStore;
    const html = renderToStaticMarkup(createElement(AppStoreProvider, { store: view, children: createElement(TrainingOptions, { disabled: false }) }));
    for (const id of [
      'training-momentum',
      'training-nesterov',
      'training-schedule-type',
      'training-early-enabled',
      'training-early-monitor',
      'training-early-patience',
      'training-early-minDelta',
      'training-early-restoreBest',
      'training-l1',
      'training-l2',
      'training-clip-type',
      'training-clip-value',
      'training-classWeights',
      'training-checkpointEveryEpoch',
      'training-seed',
    ]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).not.toContain('training-weightDecay');
  });
});

describe('regression runs', () => {
  it('keep the mean absolute error of batches and epochs for the second chart', async () => {
    const { applyTrainingEvent, initialTraining } = await import('../../renderer/src/store/trainingState');
    // A run being started: the first event adopts its id.
    let t: ReturnType<typeof initialTraining> = { ...initialTraining(), status: 'starting' };
    t = applyTrainingEvent(t, { type: 'batch', runId: 'r', epoch: 0, batch: 0, batchesPerEpoch: 2, loss: 0.5, acc: 0, mae: 0.4, samplesPerSec: 100, progress: 0.25, etaSec: 1 });
    t = applyTrainingEvent(t, { type: 'epoch', runId: 'r', metrics: { epoch: 0, loss: 0.3, acc: 0, mae: 0.2, valLoss: 0.35, valAcc: 0, valMae: 0.25 }, progress: 0.5, etaSec: 1 });
    expect(t.batchSeries[0].mae).toBe(0.4);
    expect(t.epochSeries[0]).toMatchObject({ mae: 0.2, valMae: 0.25 });
  });
});
