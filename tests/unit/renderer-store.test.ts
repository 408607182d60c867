import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiMethod } from '../../main/core/api/contract';
import { emptyProject, type Project } from '../../main/core/project';
import { LAYER_SPECS } from '../../main/core/layers/registry';
import { defaultParams } from '../../main/core/layers/params';
import { appSlices, attachAutosave, createAppStore, type AppStore } from '../../renderer/src/store/appStore';
import type { SliceContext } from '../../renderer/src/store/slices/types';
import { applyTrainingEvent, initialTraining, trainingStatusText, type TrainingState } from '../../renderer/src/store/trainingState';
import { analysisFor } from '../../renderer/src/store/analysis';
import { cleanIpcErrorMessage, webSocketUrl } from '../../renderer/src/api/client';
import { fakeClient, type Handler } from './helpers/fakeEngine';

/** An in-memory engine: answers calls from `handlers`, records them, and can emit training events. */

const dense = LAYER_SPECS.find((s) => s.kind === 'Dense')!;

function projectWithNodes(): Project {
  const p = emptyProject('Test');
  p.graph.nodes.push(
    { id: 'a', kind: 'Dense', name: 'dense_1', params: defaultParams(dense.params), position: { x: 0, y: 0 } },
    { id: 'b', kind: 'Dense', name: 'dense_2', params: defaultParams(dense.params), position: { x: 200, y: 0 } },
  );
  return p;
}

function freshStore(handlers?: Partial<Record<ApiMethod, Handler>>): { store: AppStore } & ReturnType<typeof fakeClient> {
  const fake = fakeClient(handlers);
  return { store: createAppStore(fake.client), ...fake };
}

const undoSteps = (store: AppStore) => store.temporal.getState().pastStates.length;

afterEach(() => {
  vi.useRealTimers();
});

describe('createAppStore', () => {
  it('gives independent fresh stores', () => {
    const a = freshStore().store;
    const b = freshStore().store;
    a.getState().actions.addNode('Dense', { x: 10, y: 20 });
    expect(a.getState().project.graph.nodes).toHaveLength(1);
    expect(b.getState().project.graph.nodes).toHaveLength(0);
    expect(undoSteps(b)).toBe(0);
  });

  it('adds nodes with default params, unique names and stable ids', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    const id1 = actions.addNode('Dense', { x: 10.4, y: 20.6 })!;
    const id2 = actions.addNode('Dense', { x: 50, y: 20 })!;
    const nodes = store.getState().project.graph.nodes;
    expect(nodes.map((n) => n.name)).toEqual([`${dense.namePrefix}_1`, `${dense.namePrefix}_2`]);
    expect(id1).not.toBe(id2);
    expect(nodes[0].params).toEqual(defaultParams(dense.params));
    expect(nodes[0].position).toEqual({ x: 10, y: 21 });
    expect(store.getState().ui.selection.nodeIds).toEqual([id2]);
    expect(store.getState().doc.dirty).toBe(true);
    expect(actions.addNode('NoSuchKind', { x: 0, y: 0 })).toBeNull();
  });

  it('connects without duplicates or self-loops and deletes edges with their nodes', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    expect(actions.connect('a', 'b')).toBeTruthy();
    expect(actions.connect('a', 'b')).toBeNull();
    expect(actions.connect('a', 'a')).toBeNull();
    expect(store.getState().project.graph.edges).toHaveLength(1);
    expect(store.getState().ui.messages.at(-1)?.kind).toBe('error');

    actions.setSelection({ nodeIds: ['a'], edgeIds: [] });
    actions.deleteSelection();
    const g = store.getState().project.graph;
    expect(g.nodes.map((n) => n.id)).toEqual(['b']);
    expect(g.edges).toHaveLength(0);
    expect(store.getState().ui.selection.nodeIds).toEqual([]);
  });

  it('a model.json dropped with its weight files is imported by the engine, the files with it', async () => {
    const project = { ...projectWithNodes(), weights: { file: '/data/imported/w.weights.bin', entries: [] } };
    const { store, calls } = freshStore({ 'model.import': () => ({ project, layers: 2, totalParams: 10, dropped: [], weights: { count: 4, layers: 2 } }) });
    const text = JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [] }] });
    const file = (name: string, content: string) => ({ name, size: content.length, path: null, text: async () => content, bytes: async () => new TextEncoder().encode(content) });
    expect(await store.getState().actions.openDroppedFile({ ...file('model.json', text), others: [file('w.bin', 'abcd')] })).toBe(true);
    const call = calls.find((c) => c.method === 'model.import')!.params as { name: string; files: { name: string; base64: string }[] };
    expect(call.name).toBe('model.json');
    expect(call.files.map((f) => [f.name, atob(f.base64)])).toEqual([['model.json', text], ['w.bin', 'abcd']]);
    expect(store.getState().project.weights?.file).toBe('/data/imported/w.weights.bin');
  });

  it('freezing a layer and training it again are one undo step each', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    actions.setNodeTrainable('a', false);
    expect(store.getState().project.graph.nodes[0].trainable).toBe(false);
    actions.setNodeTrainable('a', false); // no change, no step
    expect(undoSteps(store)).toBe(1);
    actions.setNodeTrainable('a', true);
    expect('trainable' in store.getState().project.graph.nodes[0]).toBe(false);
    expect(undoSteps(store)).toBe(2);
    actions.undo();
    expect(store.getState().project.graph.nodes[0].trainable).toBe(false);
  });

  it('undo/redo restores the document, not the selection', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    expect(undoSteps(store)).toBe(0);
    const before = store.getState().project;
    actions.connect('a', 'b');
    const connected = store.getState().project;
    actions.setSelection({ nodeIds: ['b'], edgeIds: [] });
    expect(undoSteps(store)).toBe(1); // selection changes are not history
    actions.undo();
    expect(store.getState().project).toEqual(before);
    expect(store.getState().ui.selection.nodeIds).toEqual(['b']);
    actions.redo();
    expect(store.getState().project).toEqual(connected);
    actions.deleteElements(['a'], []);
    actions.undo();
    expect(store.getState().project).toEqual(connected);
  });

  it('records one drag as one undo step', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    actions.beginDrag();
    for (let i = 1; i <= 10; i++) actions.moveNodes({ a: { x: i * 10, y: i * 5 } });
    actions.endDrag();
    expect(store.getState().project.graph.nodes[0].position).toEqual({ x: 100, y: 50 });
    expect(undoSteps(store)).toBe(1);
    actions.undo();
    expect(store.getState().project.graph.nodes[0].position).toEqual({ x: 0, y: 0 });
    actions.redo();
    expect(store.getState().project.graph.nodes[0].position).toEqual({ x: 100, y: 50 });

    // A click without movement records nothing.
    actions.beginDrag();
    actions.endDrag();
    expect(undoSteps(store)).toBe(1);
  });

  it('records a param edit and a rename as one step each, and rejects bad names', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    actions.setNodeParam('a', 'units', 10);
    actions.setNodeParam('a', 'units', 10); // same value: no step
    expect(undoSteps(store)).toBe(1);
    expect(actions.renameNode('a', 'dense_2')).toMatch(/already/);
    expect(actions.renameNode('a', '1bad')).toMatch(/letter/);
    expect(actions.renameNode('a', 'classifier')).toBeNull();
    expect(undoSteps(store)).toBe(2);
    actions.undo();
    actions.undo();
    expect(store.getState().project.graph.nodes[0]).toMatchObject({ name: 'dense_1', params: { units: dense.params.units.default } });
  });

  it('init restores the autosave when there is one', async () => {
    const saved = projectWithNodes();
    const { store } = freshStore({
      'engine.info': () => ({ version: '0', host: 'browser', backend: { name: 'cpu', device: 'CPU', attempts: [] }, projectsDir: '/p', exportsDir: '/e' }),
      'datasets.list': () => [],
      'templates.list': () => [{ id: 'mnist-mlp', name: 'MLP', description: '' }],
      'project.restoreAutosave': () => ({ project: saved, savedMs: 1 }),
    });
    await store.getState().actions.init();
    expect(store.getState().project).toEqual(saved);
    expect(store.getState().engine.ready).toBe(true);
    expect(store.getState().ui.messages.map((m) => m.text)).toContain('Restored your last session');
    expect(store.getState().engine.info?.host).toBe('browser');
  });

  it('init falls back to the mnist-mlp template, then to an empty project', async () => {
    const template = { ...projectWithNodes(), name: 'MNIST MLP' };
    const withTemplate = freshStore({
      'engine.info': () => ({}),
      'datasets.list': () => [],
      'templates.list': () => [{ id: 'mnist-mlp', name: 'MLP', description: '' }],
      'templates.get': () => template,
      'project.restoreAutosave': () => ({ project: null, savedMs: null }),
    });
    await withTemplate.store.getState().actions.init();
    expect(withTemplate.store.getState().project.name).toBe('MNIST MLP');

    const bare = freshStore({
      'engine.info': () => ({}),
      'datasets.list': () => [],
      'templates.list': () => [],
      'project.restoreAutosave': () => ({ project: null, savedMs: null }),
    });
    await bare.store.getState().actions.init();
    expect(bare.store.getState().project.graph.nodes).toHaveLength(0);
  });

  it('init keeps what the person started while it waited: a layer dropped before start-up ends is not replaced', async () => {
    const template = { ...projectWithNodes(), name: 'MNIST MLP' };
    let answerRestore: ((v: unknown) => void) | undefined;
    const { store } = freshStore({
      'engine.info': () => ({}),
      'datasets.list': () => [],
      'templates.list': () => [{ id: 'mnist-mlp', name: 'MLP', description: '' }],
      'templates.get': () => template,
      'project.restoreAutosave': () => new Promise((resolve) => (answerRestore = resolve)),
      'project.takeOpenRequests': () => ({ paths: [] }),
      'project.recent': () => ({ projects: [], pruned: [] }),
    });
    const started = store.getState().actions.init();
    await vi.waitFor(() => expect(answerRestore).not.toBeUndefined());
    await store.getState().actions.newProject();
    store.getState().actions.addNode('Dense', { x: 0, y: 0 });
    answerRestore!({ project: null, savedMs: null });
    await started;
    expect(store.getState().project.name).not.toBe('MNIST MLP');
    expect(store.getState().project.graph.nodes.map((n) => n.kind)).toEqual(['Dense']);
    expect(store.getState().engine.ready).toBe(true);
  });

  it('New and a template ask before discarding unsaved changes; Cancel keeps the work', async () => {
    const { store } = freshStore({ 'templates.get': () => ({ ...projectWithNodes(), name: 'MNIST MLP' }) });
    const { actions } = store.getState();
    actions.addNode('Dense', { x: 0, y: 0 });
    expect(store.getState().doc.dirty).toBe(true);
    const cancelled = actions.newProject();
    await vi.waitFor(() => expect(store.getState().ui.question?.text).toMatch(/unsaved changes\. Start a new project and discard them\?/));
    actions.answer('cancel');
    await cancelled;
    expect(store.getState().project.graph.nodes).toHaveLength(1);
    const template = actions.newFromTemplate('mnist-mlp');
    await vi.waitFor(() => expect(store.getState().ui.question?.text).toMatch(/Open the template “mnist-mlp” and discard them\?/));
    actions.answer('discard');
    await template;
    expect(store.getState().project.name).toBe('MNIST MLP');
  });

  it('autosaves once, a second after the last edit', async () => {
    vi.useFakeTimers();
    const { store, calls } = freshStore({ 'project.autosave': () => ({ path: '/auto' }) });
    store.getState().actions.loadProject(projectWithNodes());
    store.setState((s) => ({ engine: { ...s.engine, ready: true } }));
    const stop = attachAutosave(store, 1000);
    store.getState().actions.setNodeParam('a', 'units', 3);
    store.getState().actions.setNodeParam('a', 'units', 4);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls.filter((c) => c.method === 'project.autosave')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10);
    const saves = calls.filter((c) => c.method === 'project.autosave');
    expect(saves).toHaveLength(1);
    expect((saves[0].params as { project: Project }).project.graph.nodes[0].params.units).toBe(4);
    stop();
  });

  it('saves to the remembered path and reports engine errors', async () => {
    let fail = false;
    const { store } = freshStore({
      'project.save': ({ path }: { path: string }) => {
        if (fail) throw new Error('Disk full');
        return { path };
      },
    });
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    actions.setProjectName('Renamed');
    expect(await actions.saveProject()).toBe(false); // no path yet: the UI asks for one
    expect(await actions.saveProject('/p/x.neurowire.json')).toBe(true);
    expect(store.getState().doc).toMatchObject({ filePath: '/p/x.neurowire.json', dirty: false });
    fail = true;
    await actions.saveProject();
    expect(store.getState().ui.messages.at(-1)).toMatchObject({ kind: 'error', text: expect.stringContaining('Disk full') });
  });
});

describe('slices', () => {
  const backend = { name: 'wasm', device: 'CPU (WebAssembly)', attempts: [] };

  it('each slice owns its own state keys and action names, and together they make the whole state', () => {
    const { client } = fakeClient();
    const ctx: SliceContext = {
      client,
      get: () => {
        throw new Error('a slice creator must not read the state while it is built');
      },
      set: () => {},
      history: () => {
        throw new Error('a slice creator must not touch the history while it is built');
      },
      notify: () => {},
      fail: () => {},
    };
    const stateKeys: string[] = [];
    const actionNames: string[] = [];
    for (const create of Object.values(appSlices)) {
      const slice = create(ctx);
      stateKeys.push(...Object.keys(slice.state));
      actionNames.push(...Object.keys(slice.actions));
    }
    expect(new Set(stateKeys).size).toBe(stateKeys.length);
    expect(new Set(actionNames).size).toBe(actionNames.length); // a duplicate would silently replace another slice's action
    const state = freshStore().store.getState();
    expect([...stateKeys, 'actions'].sort()).toEqual(Object.keys(state).sort());
    expect([...actionNames, 'handleTrainingEvent'].sort()).toEqual(Object.keys(state.actions).sort());
  });

  it('undo reverts the document only: selection, banners, data preview, training and runs stay', async () => {
    const preview = { info: { id: 'circles', name: 'Circles' }, problems: [], problemCount: 0 };
    const { store, emit } = freshStore({
      'training.start': () => ({ runId: 'r1' }),
      'datasets.inspect': () => preview,
      'runs.list': () => [{ runId: 'r1', startedMs: 1 }],
    });
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    actions.connect('a', 'b');
    expect(undoSteps(store)).toBe(1);

    actions.setSelection({ nodeIds: ['b'], edgeIds: [] });
    actions.notify('info', 'hello');
    await actions.inspectDataset();
    await actions.startTraining();
    emit({ type: 'started', runId: 'r1', backend, trainSamples: 10, valSamples: 0, testSamples: 0, epochs: 1, batchesPerEpoch: 1 });
    emit({ type: 'batch', runId: 'r1', epoch: 0, batch: 0, batchesPerEpoch: 1, loss: 1, acc: 0.5, samplesPerSec: 10, progress: 0.5, etaSec: 1 });
    await actions.refreshRuns();
    expect(undoSteps(store)).toBe(1); // none of that is history

    const { project: _p, doc: _d, actions: _a, ...others } = store.getState();
    expect(others.data.preview).toBe(preview);
    expect(others.training.status).toBe('running');
    actions.undo();
    expect(store.getState().project.graph.edges).toHaveLength(0);
    const { project: _p2, doc: _d2, actions: _a2, ...after } = store.getState();
    for (const key of Object.keys(others) as (keyof typeof others)[]) expect(after[key], key).toBe(others[key]);
    actions.redo();
    expect(store.getState().project.graph.edges).toHaveLength(1);
  });

  it('one drag is one undo step even while other slices change during it', () => {
    const { store, emit } = freshStore({ 'training.start': () => ({ runId: 'r1' }) });
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    void actions.startTraining();
    actions.beginDrag();
    actions.moveNodes({ a: { x: 10, y: 0 } });
    emit({ type: 'started', runId: 'r1', backend, trainSamples: 10, valSamples: 0, testSamples: 0, epochs: 1, batchesPerEpoch: 1 });
    actions.setSelection({ nodeIds: ['a'], edgeIds: [] });
    actions.moveNodes({ a: { x: 20, y: 5 }, b: { x: 210, y: 5 } });
    actions.notify('info', 'moved');
    actions.moveNodes({ a: { x: 30, y: 10 } });
    actions.endDrag();
    expect(undoSteps(store)).toBe(1);
    actions.undo();
    expect(store.getState().project.graph.nodes.map((n) => n.position)).toEqual([{ x: 0, y: 0 }, { x: 200, y: 0 }]);
    expect(store.getState().ui.selection.nodeIds).toEqual(['a']);
    actions.redo();
    expect(store.getState().project.graph.nodes.map((n) => n.position)).toEqual([{ x: 30, y: 10 }, { x: 210, y: 5 }]);

    // Undo in the middle of a drag ends it first, so the drag is still one step.
    actions.beginDrag();
    actions.moveNodes({ a: { x: 99, y: 99 } });
    actions.undo();
    expect(store.getState().doc.dragging).toBe(false);
    expect(store.getState().project.graph.nodes[0].position).toEqual({ x: 30, y: 10 });
    expect(undoSteps(store)).toBe(1);
  });

  it('autosave follows document edits, not selection, banners or training', async () => {
    vi.useFakeTimers();
    const { store, calls, emit } = freshStore({ 'project.autosave': () => ({ path: '/auto' }), 'training.start': () => ({ runId: 'r1' }) });
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    store.setState((s) => ({ engine: { ...s.engine, ready: true } }));
    const stop = attachAutosave(store, 100);
    actions.setSelection({ nodeIds: ['a'], edgeIds: [] });
    actions.notify('info', 'hi');
    await actions.startTraining();
    emit({ type: 'started', runId: 'r1', backend, trainSamples: 10, valSamples: 0, testSamples: 0, epochs: 1, batchesPerEpoch: 1 });
    await vi.advanceTimersByTimeAsync(500);
    expect(calls.filter((c) => c.method === 'project.autosave')).toHaveLength(0);
    actions.setProjectName('Edited');
    await vi.advanceTimersByTimeAsync(500);
    expect(calls.filter((c) => c.method === 'project.autosave')).toHaveLength(1);
    stop();
  });
});

describe('training', () => {
  const backend = { name: 'wasm', device: 'CPU (WebAssembly)', attempts: [] };

  it('training events update status, series, progress and ETA', async () => {
    const { store, emit, calls } = freshStore({
      'training.start': () => ({ runId: 'r1' }),
      'training.stop': () => ({ stopping: true }),
      'export.run': () => ({ dir: '/exports/x', files: ['model.json', 'weights.bin'] }),
    });
    const { actions } = store.getState();
    actions.loadProject(projectWithNodes());
    const started = actions.startTraining();
    expect(store.getState().training.status).toBe('starting');
    // The engine may send "started" before the call returns.
    emit({ type: 'started', runId: 'r1', backend, trainSamples: 100, valSamples: 10, testSamples: 10, epochs: 2, batchesPerEpoch: 4 });
    await started;
    expect(store.getState().training).toMatchObject({ status: 'running', runId: 'r1', epochs: 2 });
    expect(trainingStatusText(store.getState().training)).toBe('Training… epoch 1/2');

    for (let b = 0; b < 4; b++) {
      emit({ type: 'batch', runId: 'r1', epoch: 0, batch: b, batchesPerEpoch: 4, loss: 2 - b * 0.1, acc: 0.1 * b, samplesPerSec: 500, progress: (b + 1) / 8, etaSec: 3 });
    }
    emit({ type: 'batch', runId: 'other', epoch: 0, batch: 0, batchesPerEpoch: 4, loss: 9, acc: 0, samplesPerSec: 1, progress: 0.9, etaSec: 1 });
    emit({ type: 'epoch', runId: 'r1', metrics: { epoch: 0, loss: 1.8, acc: 0.2, valLoss: 1.9, valAcc: 0.15 }, progress: 0.5, etaSec: 2 });
    let t = store.getState().training;
    expect(t.batchSeries).toHaveLength(4);
    expect(t.batchSeries.map((p) => p.x)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(t.epochSeries).toEqual([{ epoch: 0, loss: 1.8, acc: 0.2, valLoss: 1.9, valAcc: 0.15, x: 1 }]);
    expect(t).toMatchObject({ progress: 0.5, etaSec: 2, samplesPerSec: 500, epochsCompleted: 1 });
    expect(trainingStatusText(t)).toBe('Training… epoch 2/2');

    await actions.stopTraining();
    expect(calls.at(-1)).toEqual({ method: 'training.stop', params: { runId: 'r1' } });
    emit({ type: 'done', runId: 'r1', status: 'stopped', epochsCompleted: 1, hasModel: true });
    t = store.getState().training;
    expect(trainingStatusText(t)).toBe('Stopped after 1 epoch; the weights of that moment were kept');
    // With the position the engine reports: in the middle of an epoch, or at its end.
    const at = (stoppedAt: { epoch: number; batch: number; batchesPerEpoch: number }, more: Partial<typeof t> = {}) => trainingStatusText({ ...t, stoppedAt, ...more });
    expect(at({ epoch: 1, batch: 75, batchesPerEpoch: 250 })).toBe('Stopped in epoch 1 at batch 75/250; the weights of that moment were kept');
    expect(at({ epoch: 2, batch: 0, batchesPerEpoch: 250 })).toBe('Stopped after epoch 2 of 2; the weights of that moment were kept');
    expect(at({ epoch: 3, batch: 10, batchesPerEpoch: 250 }, { bestEpoch: 1 })).toBe('Stopped in epoch 3 at batch 10/250; the weights of epoch 2 (the best) were kept');
    expect(at({ epoch: 1, batch: 5, batchesPerEpoch: 250 }, { hasModel: false })).toBe('Stopped in epoch 1 at batch 5/250; no model was kept');
    expect(t.lastRunId).toBe('r1');

    await actions.exportModel();
    expect(store.getState().training.exportResult).toEqual({ dir: '/exports/x', files: ['model.json', 'weights.bin'] });
  });

  it('shows completion with test accuracy and failures with the engine error', () => {
    let t: TrainingState = { ...initialTraining(), status: 'starting' };
    t = applyTrainingEvent(t, { type: 'started', runId: 'r', backend, trainSamples: 1, valSamples: 0, testSamples: 1, epochs: 1, batchesPerEpoch: 1 });
    // 1-based epochs and batches are understood too.
    t = applyTrainingEvent(t, { type: 'batch', runId: 'r', epoch: 1, batch: 1, batchesPerEpoch: 1, loss: 1, acc: 0.5, samplesPerSec: 1, progress: 1, etaSec: 0 });
    expect(t.batchSeries[0].x).toBe(1);
    const done = applyTrainingEvent(t, { type: 'done', runId: 'r', status: 'completed', epochsCompleted: 1, test: { loss: 0.3, acc: 0.91 }, hasModel: true });
    expect(trainingStatusText(done)).toBe('Completed');
    expect(done.test?.acc).toBe(0.91);
    const failed = applyTrainingEvent(t, { type: 'done', runId: 'r', status: 'failed', error: 'Out of memory', epochsCompleted: 0, hasModel: false });
    expect(trainingStatusText(failed)).toBe('Failed: Out of memory');
  });

  it('a start refused by the engine fails visibly', async () => {
    const { store } = freshStore({
      'training.start': () => {
        throw new Error('A training run is already in progress.');
      },
    });
    await store.getState().actions.startTraining();
    expect(store.getState().training.status).toBe('failed');
    expect(store.getState().ui.messages.at(-1)?.text).toMatch(/already in progress/);
  });
});

describe('helpers', () => {
  it('analysis runs once per graph', () => {
    const p = projectWithNodes();
    const a = analysisFor(p, []);
    expect(analysisFor(p, [])).toBe(a);
    expect(analysisFor({ ...p, graph: { ...p.graph } }, [])).not.toBe(a);
  });

  it('transport helpers', () => {
    expect(webSocketUrl({ host: '127.0.0.1:5000', search: '?token=a+b/c' })).toBe('ws://127.0.0.1:5000/api?token=a%20b%2Fc');
    expect(cleanIpcErrorMessage("Error invoking remote method 'neurowire:call': Error: No such file")).toBe('No such file');
  });
});

describe('importing a Keras or TensorFlow.js model', () => {
  const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../fixtures/import', name), 'utf8');

  it('opens the architecture as a new project, with its layers and parameter count in the banner', () => {
    const { store } = freshStore();
    expect(store.getState().actions.importModel(fixture('sequential-mlp.json'), 'mlp.json')).toBe(true);
    const { project, doc, ui } = store.getState();
    expect(project.graph.nodes.length).toBeGreaterThan(2);
    expect(doc.filePath).toBeNull();
    expect(ui.messages.at(-1)?.text).toMatch(/^Imported mlp\.json: \d+ layers, 3,754 parameters/);
    expect(analysisFor(project, []).totalParams).toBe(3754);
  });

  it('refuses a model with a layer it cannot represent, names it, and changes nothing', () => {
    const { store } = freshStore();
    store.getState().actions.loadProject(projectWithNodes());
    const before = store.getState().project;
    expect(store.getState().actions.importModel(fixture('unknown-layer.json'), 'odd.json')).toBe(false);
    expect(store.getState().project).toBe(before);
    const message = store.getState().ui.messages.at(-1);
    expect(message?.kind).toBe('error');
    expect(message?.text).toMatch(/Could not import odd\.json: .*Lambda.*Nothing was changed\./);
  });

  it('says when the file is not JSON at all', () => {
    const { store } = freshStore();
    expect(store.getState().actions.importModel('\u0000\u0001 not json', 'photo.jpg')).toBe(false);
    expect(store.getState().ui.messages.at(-1)?.text).toBe('Could not import photo.jpg: it is not JSON (a Keras or TensorFlow.js model.json is).');
  });
});
