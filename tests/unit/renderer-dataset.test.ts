import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiMethod } from '../../main/core/api/contract';
import type { DatasetInfo, DatasetPreview } from '../../main/core/datasets';
import { LAYER_SPECS } from '../../main/core/layers/registry';
import { defaultParams } from '../../main/core/layers/params';
import { DatasetSourceSchema, emptyProject, type DatasetSource, type Project } from '../../main/core/project';
import { attachDatasetInspection, createAppStore, type AppStore } from '../../renderer/src/store/appStore';
import { analysisFor, withInspected } from '../../renderer/src/store/analysis';
import { probeSource, withoutStaleVocabulary } from '../../renderer/src/store/dataSource';
import { sourceFromProbe } from '../../main/core/datasetColumns';
import { fitProjectToData } from '../../main/core/graph/fitToData';
import { fakeClient, type Handler } from './helpers/fakeEngine';

/** An in-memory engine answering calls from `handlers` and recording them. */

/** The engine's answer to `datasets.columns` for the iris file (any path). */
const irisColumns = () => irisPreview().table!;

function freshStore(handlers?: Partial<Record<ApiMethod, Handler>>) {
  const fake = fakeClient({ 'datasets.columns': irisColumns, ...handlers });
  return { store: createAppStore(fake.client), ...fake };
}

const undoSteps = (store: AppStore) => store.temporal.getState().pastStates.length;
const inspectCalls = (calls: { method: string; params: any }[]) => calls.filter((c) => c.method === 'datasets.inspect');

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const IRIS_COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'];

function info(patch: Partial<DatasetInfo> = {}): DatasetInfo {
  return {
    id: 'csv:/data/iris.csv',
    name: 'iris.csv',
    description: '150 rows',
    inputShape: [4],
    inputDType: 'float32',
    task: 'classification',
    numClasses: 3,
    classNames: ['setosa', 'versicolor', 'virginica'],
    outputSize: 3,
    totalSamples: 150,
    classCounts: [50, 50, 50],
    available: true,
    featureNames: IRIS_COLUMNS.slice(0, 4),
    ...patch,
  };
}

function irisPreview(patch: Partial<DatasetInfo> = {}): DatasetPreview {
  return {
    info: info(patch),
    table: {
      columns: IRIS_COLUMNS.map((name, i) => (i < 4 ? { name, type: 'number' as const } : { name, type: 'category' as const, distinct: 3 })),
      rows: [['5.1', '3.5', '1.4', '0.2', 'setosa']],
    },
    problems: [{ file: 'iris.csv', line: 7, column: 'petal_width', message: 'not a number: "x"' }],
    problemCount: 1,
  };
}

/** The engine's answer to a source naming a column the file lacks. */
function missingColumn(source: { path: string; labelColumn?: string }) {
  return new Error(`iris.csv has no column "${source.labelColumn}" (label).`);
}

const csv = (patch: Record<string, unknown> = {}): DatasetSource =>
  DatasetSourceSchema.parse({ type: 'csv', path: '/data/iris.csv', labelColumn: 'species', ...patch });

const specOf = (kind: string) => LAYER_SPECS.find((s) => s.kind === kind)!;

/** Input [28,28,1] → Flatten → dense_1 (128 relu) → dense_2 (10, relu): an MNIST-shaped MLP. */
function mlpProject(): Project {
  const p = emptyProject('MLP');
  const node = (id: string, kind: string, name: string, x: number, params: Record<string, unknown> = {}) => ({
    id,
    kind,
    name,
    params: { ...defaultParams(specOf(kind).params), ...params },
    position: { x, y: 0 },
  });
  p.graph.nodes.push(node('in', 'Input', 'input_1', 0), node('fl', 'Flatten', 'flatten_1', 100), node('d1', 'Dense', 'dense_1', 200), node('d2', 'Dense', 'dense_2', 300, { units: 10 }));
  p.graph.edges.push({ id: 'e1', source: 'in', target: 'fl' }, { id: 'e2', source: 'fl', target: 'd1' }, { id: 'e3', source: 'd1', target: 'd2' });
  return p;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('choosing a CSV source', () => {
  it('inspects the file, picks the label column from its columns, stores the preview and commits one undo step', async () => {
    const { store, calls } = freshStore({
      'datasets.inspect': ({ source }) => {
        if (!IRIS_COLUMNS.includes(source.labelColumn)) throw missingColumn(source);
        return irisPreview();
      },
    });
    const { actions } = store.getState();
    actions.loadProject(mlpProject());

    expect(await actions.chooseDataPath('csv', '  /data/iris.csv ')).toBe(true);

    // The columns are read first, so the one inspection already names a column the file has.
    expect(calls.map((c) => c.method).slice(0, 2)).toEqual(['datasets.columns', 'datasets.inspect']);
    const inspects = inspectCalls(calls);
    expect(inspects).toHaveLength(1);
    expect(inspects[0].params.source).toMatchObject({ type: 'csv', path: '/data/iris.csv', labelColumn: 'species' });
    const s = store.getState();
    expect(s.project.dataset.source).toMatchObject({ type: 'csv', path: '/data/iris.csv', labelColumn: 'species', featureColumns: [] });
    expect(s.data.preview?.info.numClasses).toBe(3);
    expect(s.data.preview?.table?.columns.map((c) => c.name)).toEqual(IRIS_COLUMNS);
    expect(s.data.previewSource).toEqual(s.project.dataset.source);
    expect(s.data.loading).toBe(false);
    expect(s.data.error).toBeNull();
    expect(s.data.recentPaths).toEqual(['/data/iris.csv']);
    expect(undoSteps(store)).toBe(1);

    // The inspected info is what validation sees: the canvas warns about the output layer.
    expect(s.data.datasets.find((d) => d.id === 'csv:/data/iris.csv')?.numClasses).toBe(3);
    const warnings = analysisFor(s.project, s.data.datasets).nodes.d2.warnings.join(' ');
    expect(warnings).toContain('dense_2 outputs 10 values but iris.csv has 3 classes');
  });

  it('keeps a label column that exists and guesses a label-like one otherwise', async () => {
    const { store } = freshStore({ 'datasets.inspect': () => irisPreview() });
    const { actions } = store.getState();
    await actions.chooseDataPath('csv', '/data/iris.csv');
    expect(store.getState().project.dataset.source).toMatchObject({ labelColumn: 'species' });

    // A new file with the same columns keeps the choices already made.
    await actions.chooseDataPath('csv', '/data/iris2.csv', csv({ labelColumn: 'petal_width', featureColumns: ['sepal_length', 'nope'] }));
    expect(store.getState().project.dataset.source).toMatchObject({ path: '/data/iris2.csv', labelColumn: 'petal_width', featureColumns: ['sepal_length'] });
  });

  it('reports a file that cannot be read without changing the project', async () => {
    const { store } = freshStore({
      'datasets.columns': () => {
        throw new Error('Cannot read /nope.csv: no such file');
      },
    });
    const { actions } = store.getState();
    const before = store.getState().project;
    expect(await actions.chooseDataPath('csv', '/nope.csv')).toBe(false);
    expect(store.getState().project).toBe(before);
    expect(store.getState().data.error).toContain('no such file');
    expect(store.getState().data.loading).toBe(false);
    expect(undoSteps(store)).toBe(0);
  });

  it('re-inspects (debounced) after each committed change, including undo', async () => {
    vi.useFakeTimers();
    const { store, calls } = freshStore({ 'datasets.inspect': ({ source }) => irisPreview({ numClasses: source.labelColumn === 'species' ? 3 : 5 }) });
    const { actions } = store.getState();
    actions.loadProject({ ...mlpProject(), dataset: { ...mlpProject().dataset, source: csv() } });
    store.setState((s) => ({ engine: { ...s.engine, ready: true } }));
    const stop = attachDatasetInspection(store, 300);
    await vi.advanceTimersByTimeAsync(0);
    expect(inspectCalls(calls)).toHaveLength(1);

    actions.setDatasetSource(csv({ labelColumn: 'petal_width' }));
    actions.setDatasetSource(csv({ labelColumn: 'petal_width', missing: 'mean' }));
    expect(store.getState().data.loading).toBe(true); // the spinner shows while the debounce waits
    await vi.advanceTimersByTimeAsync(299);
    expect(inspectCalls(calls)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(inspectCalls(calls)).toHaveLength(2);
    expect(inspectCalls(calls)[1].params.source).toMatchObject({ labelColumn: 'petal_width', missing: 'mean' });
    expect(store.getState().data.preview?.info.numClasses).toBe(5);
    expect(undoSteps(store)).toBe(2);

    actions.undo();
    actions.undo();
    await vi.advanceTimersByTimeAsync(300);
    // Back to the source inspected first: looked at again, since the stored preview is of the later one.
    expect(inspectCalls(calls)).toHaveLength(3);
    expect(store.getState().data.preview?.info.numClasses).toBe(3);

    // Setting the same source again is not an edit and reads nothing.
    actions.setDatasetSource(csv());
    await vi.advanceTimersByTimeAsync(1000);
    expect(inspectCalls(calls)).toHaveLength(3);
    expect(store.getState().data.loading).toBe(false);
    stop();
  });

  it('changes the split in one undo step each', () => {
    const { store } = freshStore();
    const { actions } = store.getState();
    actions.setDatasetSplit({ validationFraction: 0.2, stratify: true });
    actions.setDatasetSplit({ validationFraction: 0.2 });
    expect(store.getState().project.dataset).toMatchObject({ validationFraction: 0.2, stratify: true });
    expect(undoSteps(store)).toBe(1);
  });
});

describe('stale inspect results', () => {
  it('ignores a result that arrives after a newer inspection started', async () => {
    const pending = new Map<string, ReturnType<typeof deferred<DatasetPreview>>>();
    const { store } = freshStore({
      'datasets.inspect': ({ source }) => {
        const d = deferred<DatasetPreview>();
        pending.set(source.labelColumn, d);
        return d.promise;
      },
    });
    const { actions } = store.getState();
    actions.setDatasetSource(csv({ labelColumn: 'species' }));
    const first = actions.inspectDataset();
    actions.setDatasetSource(csv({ labelColumn: 'petal_width' }));
    const second = actions.inspectDataset();

    pending.get('petal_width')!.resolve(irisPreview({ task: 'regression', numClasses: 0, outputSize: 1, classNames: [] }));
    await second;
    pending.get('species')!.resolve(irisPreview());
    await first;

    const s = store.getState();
    expect(s.data.previewSource).toMatchObject({ labelColumn: 'petal_width' });
    expect(s.data.preview?.info.task).toBe('regression');
    expect(s.data.datasets.find((d) => d.id === 'csv:/data/iris.csv')?.task).toBe('regression');
    expect(s.data.loading).toBe(false);
  });

  it('ignores a late failure of a superseded inspection', async () => {
    const a = deferred<DatasetPreview>();
    let n = 0;
    const { store } = freshStore({ 'datasets.inspect': () => (++n === 1 ? a.promise : irisPreview()) });
    const { actions } = store.getState();
    actions.setDatasetSource(csv({ path: '/data/old.csv' }));
    const first = actions.inspectDataset();
    actions.setDatasetSource(csv());
    await actions.inspectDataset();
    a.reject(new Error('old.csv vanished'));
    await first;
    expect(store.getState().data.error).toBeNull();
    expect(store.getState().data.previewSource).toMatchObject({ path: '/data/iris.csv' });
  });

  it('ignores an older file choice that finishes after a newer one', async () => {
    const slow = deferred<DatasetPreview>();
    const { store } = freshStore({
      'datasets.inspect': ({ source }) => (source.path === '/data/slow.csv' ? slow.promise : irisPreview()),
    });
    const { actions } = store.getState();
    const older = actions.chooseDataPath('csv', '/data/slow.csv');
    expect(await actions.chooseDataPath('csv', '/data/iris.csv')).toBe(true);
    slow.resolve(irisPreview({ numClasses: 7 }));
    expect(await older).toBe(false);
    expect(store.getState().project.dataset.source).toMatchObject({ path: '/data/iris.csv' });
    expect(store.getState().data.preview?.info.numClasses).toBe(3);
    expect(undoSteps(store)).toBe(1);
  });

  it('does not show another file’s preview and drops its info when a different file is read', async () => {
    const later = deferred<DatasetPreview>();
    let n = 0;
    const { store } = freshStore({ 'datasets.inspect': () => (++n === 1 ? irisPreview() : later.promise) });
    const { actions } = store.getState();
    actions.setDatasetSource(csv());
    await actions.inspectDataset();
    actions.setDatasetSource(csv({ path: '/data/other.csv' }));
    const p = actions.inspectDataset();
    expect(store.getState().data.preview).toBeNull();
    expect(store.getState().data.datasets.some((d) => d.id === 'csv:/data/iris.csv')).toBe(false);
    later.resolve(irisPreview({ id: 'csv:/data/other.csv', name: 'other.csv' }));
    await p;
    expect(store.getState().data.datasets.map((d) => d.id)).toEqual(['csv:/data/other.csv']);
  });
});

describe('fit the model to the data', () => {
  async function storeWithIris() {
    const env = freshStore({ 'datasets.inspect': () => irisPreview() });
    env.store.getState().actions.loadProject({ ...mlpProject(), dataset: { ...mlpProject().dataset, source: csv() } });
    await env.store.getState().actions.inspectDataset();
    return env;
  }

  it('sets the Input shape and the output units and activation in one undo step', async () => {
    const { store } = await storeWithIris();
    const before = store.getState().project;
    expect(store.getState().actions.fitModelToData()).toBe(true);
    const nodes = store.getState().project.graph.nodes;
    expect(nodes.find((n) => n.id === 'in')!.params.shape).toEqual([4]);
    expect(nodes.find((n) => n.id === 'd2')!.params).toMatchObject({ units: 3, activation: 'softmax' });
    expect(nodes.find((n) => n.id === 'd1')!.params).toEqual(before.graph.nodes.find((n) => n.id === 'd1')!.params);
    expect(undoSteps(store)).toBe(1);
    const s = store.getState();
    const analysis = analysisFor(s.project, s.data.datasets);
    // The MNIST model's Flatten has nothing to flatten in flat samples: it is taken out, its layer wired to the Input.
    expect(nodes.map((n) => n.id)).toEqual(['in', 'd1', 'd2']);
    expect(store.getState().project.graph.edges).toEqual([
      { id: 'e2', source: 'in', target: 'd1' },
      { id: 'e3', source: 'd1', target: 'd2' },
    ]);
    expect(analysis.valid).toBe(true);
    expect(Object.values(analysis.nodes).flatMap((n) => [...n.errors, ...n.warnings])).toEqual([]);
    expect(s.ui.messages.at(-1)?.kind).toBe('success');

    store.getState().actions.undo();
    expect(store.getState().project).toEqual(before);
    // Fitting again when it already fits adds no step.
    store.getState().actions.redo();
    expect(store.getState().actions.fitModelToData()).toBe(true);
    expect(undoSteps(store)).toBe(1);
  });

  it('says why it cannot fit, without editing', async () => {
    const { store } = await storeWithIris();
    store.getState().actions.deleteElements(['in'], []);
    const steps = undoSteps(store);
    expect(store.getState().actions.fitModelToData()).toBe(false);
    expect(store.getState().ui.messages.at(-1)).toMatchObject({ kind: 'error' });
    expect(undoSteps(store)).toBe(steps);

    const bare = freshStore().store;
    bare.getState().actions.loadProject({ ...mlpProject(), dataset: { ...mlpProject().dataset, source: csv() } });
    expect(bare.getState().actions.fitModelToData()).toBe(false); // nothing inspected yet
    expect(bare.getState().ui.messages.at(-1)?.text).toMatch(/not been read/);
  });

  it('uses sigmoid for one unit on two classes, linear for regression, and fits through a trailing Activation', () => {
    const p = mlpProject();
    p.graph.nodes = p.graph.nodes.map((n) => (n.id === 'd2' ? { ...n, params: { ...n.params, units: 1 } } : n));
    const binary = fitProjectToData(p, info({ numClasses: 2, outputSize: 2, classNames: ['no', 'yes'] }));
    expect(binary.ok && binary.project.graph.nodes.find((n) => n.id === 'd2')!.params).toMatchObject({ units: 1, activation: 'sigmoid' });

    const reg = fitProjectToData(mlpProject(), info({ task: 'regression', numClasses: 0, outputSize: 2, classNames: [] }));
    expect(reg.ok && reg.project.graph.nodes.find((n) => n.id === 'd2')!.params).toMatchObject({ units: 2, activation: 'linear' });

    const withAct = mlpProject();
    withAct.graph.nodes.push({ id: 'act', kind: 'Activation', name: 'activation_1', params: { activation: 'relu' }, position: { x: 400, y: 0 } });
    withAct.graph.edges.push({ id: 'e4', source: 'd2', target: 'act' });
    const r = fitProjectToData(withAct, info());
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.project.graph.nodes.find((n) => n.id === 'd2')!.params).toMatchObject({ units: 3, activation: 'linear' });
      expect(r.project.graph.nodes.find((n) => n.id === 'act')!.params).toMatchObject({ activation: 'softmax' });
    }

    const conv = mlpProject();
    conv.graph.nodes = conv.graph.nodes.filter((n) => n.id !== 'd2' && n.id !== 'd1');
    conv.graph.edges = conv.graph.edges.filter((e) => e.id === 'e1');
    expect(fitProjectToData(conv, info())).toMatchObject({ ok: false });
  });
});

describe('text vocabulary', () => {
  const textSource = DatasetSourceSchema.parse({ type: 'text', path: '/data/reviews.csv', textColumn: 'review', labelColumn: 'sentiment' }) as Extract<
    DatasetSource,
    { type: 'text' }
  >;
  const vocabulary = ['<pad>', '<unk>', 'good', 'bad'];
  const textPreview = (): DatasetPreview => ({
    info: info({ id: 'text:/data/reviews.csv', name: 'reviews.csv', inputShape: [100], inputDType: 'int32', numClasses: 2, outputSize: 2, classNames: ['neg', 'pos'], vocabulary }),
    table: { columns: [{ name: 'review', type: 'text' }, { name: 'sentiment', type: 'category', distinct: 2 }], rows: [] },
    problems: [],
    problemCount: 0,
  });

  it('is stored into the source only when fitting or training, in the same undo step', async () => {
    const { store, calls } = freshStore({ 'datasets.inspect': () => textPreview(), 'training.start': () => ({ runId: 'r1' }) });
    const { actions } = store.getState();
    actions.loadProject({ ...mlpProject(), dataset: { ...mlpProject().dataset, source: textSource } });
    await actions.inspectDataset();
    expect(store.getState().project.dataset.source).not.toHaveProperty('vocabulary'); // looking is not editing
    expect(undoSteps(store)).toBe(0);

    actions.fitModelToData();
    expect(undoSteps(store)).toBe(1);
    const source = store.getState().project.dataset.source;
    expect(source.type === 'text' && source.vocabulary).toEqual(vocabulary);
    expect(store.getState().project.graph.nodes.find((n) => n.id === 'in')!.params.shape).toEqual([100]);

    actions.undo();
    expect(store.getState().project.dataset.source).not.toHaveProperty('vocabulary');
    await actions.startTraining();
    const sent = calls.find((c) => c.method === 'training.start')!.params.project.dataset.source;
    expect(sent.vocabulary).toEqual(vocabulary);
    expect(store.getState().project.dataset.source).toMatchObject({ vocabulary });
  });

  it('is dropped when what built it changes', () => {
    const withVocab = { ...textSource, vocabulary };
    expect(withoutStaleVocabulary(withVocab, { ...withVocab, sequenceLength: 50 })).toHaveProperty('vocabulary');
    expect(withoutStaleVocabulary(withVocab, { ...withVocab, vocabSize: 50 })).not.toHaveProperty('vocabulary');
    expect(withoutStaleVocabulary(withVocab, { ...withVocab, lowercase: false })).not.toHaveProperty('vocabulary');
  });
});

describe('helpers', () => {
  it('withInspected keeps built-ins and only the current own-data entry', () => {
    const mnist = info({ id: 'mnist', name: 'MNIST' });
    const a = info({ id: 'csv:/a.csv' });
    expect(withInspected([mnist], 'csv:/a.csv', a).map((d) => d.id)).toEqual(['mnist', 'csv:/a.csv']);
    expect(withInspected([mnist, a], 'csv:/a.csv', undefined).map((d) => d.id)).toEqual(['mnist', 'csv:/a.csv']);
    expect(withInspected([mnist, a], 'csv:/b.csv', undefined).map((d) => d.id)).toEqual(['mnist']);
    expect(withInspected([mnist, a], 'csv:/a.csv', null).map((d) => d.id)).toEqual(['mnist']);
    expect(withInspected([mnist], 'mnist', mnist)).toEqual([mnist]);
  });

  it('fills text and time-series columns from the preview', () => {
    const text = probeSource('text', '/t.csv');
    expect(sourceFromProbe(text, [{ name: 'id', type: 'number' }, { name: 'body', type: 'text' }, { name: 'label', type: 'category' }])).toMatchObject({
      textColumn: 'body',
      labelColumn: 'label',
    });
    const series = probeSource('timeseries', '/s.csv');
    expect(sourceFromProbe(series, [{ name: 'date', type: 'text' }, { name: 'load', type: 'number' }, { name: 'temp', type: 'number' }])).toMatchObject({
      targetColumn: 'temp',
    });
  });
});
