/**
 * The Inside tab's store slice: a run's norms events gathered per run (a new run starts afresh), a report kept by
 * layer name for the canvas thumbnails, an engine error kept for the panel, and a finished run with a model becoming
 * the one to look inside.
 */
import { describe, expect, it } from 'vitest';
import type { ApiMethod, TrainingEvent } from '../../main/core/api/contract';
import type { ActivationReport } from '../../main/core/inside/activations';
import { createAppStore } from '../../renderer/src/store/appStore';
import { fakeClient, type Handler } from './helpers/fakeEngine';

function store(handlers: Partial<Record<ApiMethod, Handler>>) {
  const { client, calls, emit } = fakeClient(handlers);
  return { s: createAppStore(client), calls, emit };
}

const norms = (runId: string, epoch: number, batch: number): TrainingEvent => ({
  type: 'norms', runId, epoch, batch, batchesPerEpoch: 4, layers: [{ layer: 'dense_1', weight: 2, grad: 0.1, update: 0.001 }],
});

const REPORT: ActivationReport = {
  runId: 'r1', index: 2, samples: 10, label: '7', predicted: { label: '7', probability: 0.9 },
  layers: [{ layer: 'dense_1', className: 'Dense', shape: [3], summary: { view: 'histogram', bins: [1, 2], min: 0, max: 1, mean: 0.5, std: 0.1, zeros: 0, count: 3 } }],
};

describe('the inside slice', () => {
  it("gathers a run's norms at their place in epochs; a new run starts afresh", () => {
    const { s, emit } = store({});
    emit(norms('r1', 0, 1));
    emit(norms('r1', 1, 3));
    expect(s.getState().inside.norms.map((p) => p.x)).toEqual([0.5, 2]);
    emit(norms('r2', 0, 3));
    expect(s.getState().inside).toMatchObject({ normsRunId: 'r2', norms: [{ x: 1 }] });
  });

  it('keeps the report by layer name, and an error for the panel', async () => {
    const { s, calls } = store({ 'runs.activations': (p) => ((p as { index: number }).index === 2 ? REPORT : Promise.reject(new Error('There is no test sample 99'))) });
    await s.getState().actions.lookInside('r1', 2);
    expect(calls).toEqual([{ method: 'runs.activations', params: { runId: 'r1', index: 2 } }]);
    expect(s.getState().inside).toMatchObject({ runId: 'r1', index: 2, loading: false, error: null, report: REPORT });
    expect(s.getState().inside.byLayer.dense_1).toBe(REPORT.layers[0]);
    await s.getState().actions.lookInside('r1', 99);
    expect(s.getState().inside.error).toBe('There is no test sample 99');
  });

  it('a run that ends with a model is the next to look inside', async () => {
    const { s, emit } = store({ 'runs.activations': () => REPORT });
    await s.getState().actions.lookInside('r1', 2);
    emit({ type: 'done', runId: 'r2', status: 'completed', epochsCompleted: 1, hasModel: true });
    expect(s.getState().inside).toMatchObject({ runId: 'r2', report: null, byLayer: {} });
  });

  it("shows the norms a stored run kept (once), and a run's live norms win over a late answer", async () => {
    const stored = [{ x: 0.25, epoch: 0, layers: [{ layer: 'dense_1', weight: 1, grad: 0.5, update: 0.01 }] }];
    let answer!: (v: unknown) => void;
    const { s, calls, emit } = store({ 'runs.norms': (p) => ((p as { runId: string }).runId === 'slow' ? new Promise((r) => (answer = r)) : { runId: 'old', points: stored }) });
    await s.getState().actions.showRunNorms('old');
    expect(s.getState().inside).toMatchObject({ normsRunId: 'old', norms: stored, normsError: null });
    await s.getState().actions.showRunNorms('old');
    expect(calls.filter((c) => c.method === 'runs.norms')).toHaveLength(1);

    const pending = s.getState().actions.showRunNorms('slow');
    emit(norms('live', 0, 1));
    answer({ runId: 'slow', points: stored });
    await pending;
    expect(s.getState().inside).toMatchObject({ normsRunId: 'live', norms: [{ x: 0.5 }] });
  });

  it('keeps why stored norms could not be read; a run opened from the Runs tab asks for the Inside tab', async () => {
    const { s, calls } = store({ 'runs.norms': () => Promise.reject(new Error('There is no run gone.')), 'runs.activations': () => REPORT });
    await s.getState().actions.showRunNorms('gone');
    expect(s.getState().inside).toMatchObject({ normsRunId: 'gone', norms: [], normsError: 'There is no run gone.' });
    const before = s.getState().inside.request;
    s.getState().actions.openRunInside('r1', false);
    expect(s.getState().inside.request).toBe(before + 1);
    await Promise.resolve();
    expect(calls.map((c) => c.method)).toEqual(['runs.norms', 'runs.norms']); // no activations for a run without a model
  });
});
