import { describe, expect, it } from 'vitest';
import type { RunDetails, RunSummary } from '../../main/core/api/contract';
import { emptyProject } from '../../main/core/project';
import { createAppStore } from '../../renderer/src/store/appStore';
import { initialTraining, latestRunWithModel, trainingFromStoredRun, trainingStatusText } from '../../renderer/src/store/trainingState';
import type { ModelInputs, Prediction } from '../../main/core/prediction';
import { fakeClient } from './helpers/fakeEngine';

const flush = () => new Promise((r) => setTimeout(r, 0));

function summary(runId: string, startedMs: number, extra: Partial<RunSummary> = {}): RunSummary {
  return { runId, projectName: 'Digits', startedMs, endedMs: startedMs + 10, status: 'completed', epochsCompleted: 2, backend: 'cpu', datasetName: 'mnist', hasModel: true, ...extra };
}

function details(s: RunSummary): RunDetails {
  const config = { ...emptyProject('Digits') };
  config.training = { ...config.training, epochs: 2 };
  return {
    summary: { ...s, test: { loss: 0.3, acc: 0.91 } },
    history: [
      { epoch: 0, loss: 0.9, acc: 0.7, valLoss: 0.8, valAcc: 0.75 },
      { epoch: 1, loss: 0.5, acc: 0.85, valLoss: 0.45, valAcc: 0.86 },
    ],
    evaluation: { task: 'classification', samples: 10, loss: 0.3 } as RunDetails['evaluation'],
    config,
  };
}

describe('the last trained model after a reload', () => {
  it('a stored run reads as the training panel shows a finished run: curves, test score, evaluation, model to export', () => {
    const d = details(summary('r2', 2000));
    const t = trainingFromStoredRun(d);
    expect(t).toMatchObject({ status: 'completed', runId: 'r2', lastRunId: 'r2', hasModel: true, epochs: 2, epochsCompleted: 2, progress: 1, test: { loss: 0.3, acc: 0.91 } });
    expect(t.epochSeries.map((p) => p.x)).toEqual([1, 2]);
    expect(t.evaluation).toBe(d.evaluation);
    expect(trainingStatusText(t)).toBe('Completed');
  });

  it('a run stopped in an epoch says after a reload, as it did live, where it stopped and what was kept', () => {
    const stopped = summary('r3', 3000, { status: 'stopped', epochsCompleted: 0, stoppedAt: { epoch: 1, batch: 75, batchesPerEpoch: 250 } });
    expect(trainingStatusText(trainingFromStoredRun(details(stopped)))).toBe('Stopped in epoch 1 at batch 75/250; the weights of that moment were kept');
  });

  it('picks the newest run of the project that kept a model', () => {
    const runs = [summary('old', 1000), summary('other', 5000, { projectName: 'Else' }), summary('nomodel', 4000, { hasModel: false }), summary('new', 3000), summary('live', 6000, { status: 'running' })];
    expect(latestRunWithModel(runs, 'Digits')?.runId).toBe('new');
    expect(latestRunWithModel(runs, 'Nothing')).toBeNull();
  });

  it('showLatestRun fills an idle training panel, and leaves one that follows a run alone', async () => {
    const runs = [summary('a', 1000), summary('b', 2000)];
    const { client } = fakeClient({ 'runs.list': () => runs, 'runs.get': (p: { runId: string }) => details(runs.find((r) => r.runId === p.runId)!) });
    const store = createAppStore(client);
    store.getState().actions.loadProject(emptyProject('Digits'));
    expect(await store.getState().actions.showLatestRun()).toBe(true);
    expect(store.getState().training).toMatchObject({ status: 'completed', runId: 'b', lastRunId: 'b' });
    expect(store.getState().training.evaluation).not.toBeNull();

    store.setState({ training: { ...initialTraining(), status: 'running', runId: 'live' } });
    expect(await store.getState().actions.showLatestRun()).toBe(false);
    expect(store.getState().training.runId).toBe('live');
  });
});

describe('banners', () => {
  it('one banner per cause, dismissable, cleared when the cause is gone', () => {
    const { client } = fakeClient();
    const store = createAppStore(client);
    const { actions } = store.getState();
    const messages = () => store.getState().ui.messages.map((m) => m.text);
    actions.notify('error', 'Could not open the project: a.neurowire is not JSON', 'open');
    actions.notify('error', 'Could not open the project: b.neurowire is not JSON', 'open');
    actions.notify('error', 'Training failed: out of memory', 'training');
    actions.notify('error', 'Training failed: out of memory', 'training');
    expect(messages()).toEqual(['Could not open the project: b.neurowire is not JSON', 'Training failed: out of memory']);

    // A successful open clears the open error; the training one stays until training starts again.
    actions.loadProject(emptyProject('Fine'));
    expect(messages()).toEqual(['Training failed: out of memory']);
    actions.dismissMessage(store.getState().ui.messages[0].id);
    expect(messages()).toEqual([]);
  });

  it('a data error clears when the data reads again; a training error when a run starts', async () => {
    const { client } = fakeClient({
      'datasets.inspect': () => ({ info: { id: 'mnist' }, problems: [], problemCount: 0 }),
      'training.start': () => ({ runId: 'r1' }),
    });
    const store = createAppStore(client);
    const { actions } = store.getState();
    actions.notify('error', 'The dataset has not been read yet; wait for its preview, then fit the model.', 'data');
    actions.notify('error', 'Training failed: bad data', 'training');
    await actions.inspectDataset({ force: true });
    expect(store.getState().ui.messages.map((m) => m.cause)).toEqual(['training']);
    await actions.startTraining();
    expect(store.getState().ui.messages).toEqual([]);
  });
});

describe('the Try tab', () => {
  const inputs: ModelInputs = { runId: 'b', projectName: 'Digits', kind: 'image', image: { width: 28, height: 28, channels: 1 }, outputs: [{ name: 'mnist', task: 'classification', classNames: ['0', '1'] }] };
  const prediction: Prediction = { runId: 'b', outputs: [{ name: 'dense_2', task: 'classification', classNames: ['0', '1'], probabilities: [0.2, 0.8], predicted: '1' }] };

  it("defaults to the project's latest run; shows the prediction, or the engine's message for a bad sample", async () => {
    const { client, calls } = fakeClient({
      'runs.list': () => [summary('a', 1000), summary('b', 2000)],
      'model.inputs': () => inputs,
      'model.predict': (p: { sample: { type: string } }) => {
        if (p.sample.type === 'row') throw new Error('This model does not take a table row; give a sample of its kind.');
        return prediction;
      },
    });
    const store = createAppStore(client);
    const { actions } = store.getState();
    actions.loadProject(emptyProject('Digits'));
    await actions.chooseTryRun(null);
    expect(store.getState().tryModel).toMatchObject({ runId: 'b', inputs, error: null });
    await actions.predictSample({ type: 'pixels', width: 1, height: 1, channels: 1, pixels: [0] });
    expect(store.getState().tryModel.prediction).toEqual(prediction);
    expect(calls.at(-1)).toEqual({ method: 'model.predict', params: { runId: 'b', sample: { type: 'pixels', width: 1, height: 1, channels: 1, pixels: [0] } } });
    await actions.predictSample({ type: 'row', text: '1,2' });
    expect(store.getState().tryModel).toMatchObject({ prediction: null, error: 'This model does not take a table row; give a sample of its kind.' });
    expect(store.getState().ui.messages).toEqual([]);

    await actions.chooseTryRun('a');
    expect(store.getState().tryModel).toMatchObject({ chosenRunId: 'a', runId: 'a', error: null });
  });

  it('moves to the model of a run that just finished', async () => {
    const { client, emit } = fakeClient({ 'model.inputs': (p: { runId: string }) => ({ ...inputs, runId: p.runId }), 'training.start': () => ({ runId: 'new' }) });
    const store = createAppStore(client);
    await store.getState().actions.startTraining();
    emit({ type: 'done', runId: 'new', status: 'completed', epochsCompleted: 1, hasModel: true });
    await flush();
    expect(store.getState().tryModel).toMatchObject({ runId: 'new', inputs: { runId: 'new' } });
  });
});
