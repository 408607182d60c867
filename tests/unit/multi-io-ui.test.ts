import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { EngineClient, TrainingEvent } from '../../main/core/api/contract';
import type { DatasetInfo } from '../../main/core/datasets';
import type { EvaluationReport, OutputReport } from '../../main/core/metrics';
import { withInputBinding, withTargetBinding, type CsvSource } from '../../main/core/bindings';
import { DatasetSourceSchema, emptyProject, withOutputLoss, type Project } from '../../main/core/project';
import { createAppStore, type AppStore } from '../../renderer/src/store/appStore';
import { AppStoreProvider } from '../../renderer/src/store/context';
import { analysisFor } from '../../renderer/src/store/analysis';
import { applyTrainingEvent, initialTraining, outputNames, outputSeries } from '../../renderer/src/store/trainingState';
import { EvaluationOutputsView } from '../../renderer/src/components/EvaluationPanel';
import { BindingFields } from '../../renderer/src/components/data/BindingFields';

const node = (id: string, kind: string, params: Record<string, unknown> = {}) => ({ id, kind, name: id, params, position: { x: 0, y: 0 } });

/** Two Inputs (numbers, words) into two outputs (kind_out, value_out). */
function twoByTwo(): Project {
  const nodes = [
    node('numbers', 'Input', { shape: [2] }),
    node('words', 'Input', { shape: [6] }),
    node('embedding_1', 'Embedding', { inputDim: 50, outputDim: 4 }),
    node('pool_1', 'GlobalAveragePooling1D'),
    node('concat_1', 'Concatenate'),
    node('kind_out', 'Dense', { units: 3, activation: 'softmax' }),
    node('value_out', 'Dense', { units: 1, activation: 'linear' }),
  ];
  const wires = [['words', 'embedding_1'], ['embedding_1', 'pool_1'], ['numbers', 'concat_1'], ['pool_1', 'concat_1'], ['concat_1', 'kind_out'], ['concat_1', 'value_out']];
  return { ...emptyProject('Two'), graph: { nodes, edges: wires.map(([source, target], i) => ({ id: `e${i}`, source, target })) } };
}

const table = DatasetSourceSchema.parse({ type: 'csv', path: '/t.csv', labelColumn: 'kind' }) as CsvSource;

function tableInfo(bound: boolean): DatasetInfo {
  const base: DatasetInfo = {
    id: 'csv:/t.csv', name: 't.csv', description: '', inputShape: [2], inputDType: 'float32', task: 'classification', numClasses: 3,
    classNames: ['a', 'b', 'c'], outputSize: 3, totalSamples: 10, available: true,
  };
  if (!bound) return base;
  return {
    ...base,
    inputs: [
      { node: 'numbers', name: 'x, y', shape: [2], dtype: 'float32' },
      { node: 'words', name: 'note', shape: [6], dtype: 'int32' },
    ],
    outputs: [
      { node: 'kind_out', name: 'kind', task: 'classification', numClasses: 3, classNames: ['a', 'b', 'c'], outputSize: 3 },
      { node: 'value_out', name: 'value', task: 'regression', numClasses: 0, classNames: [], outputSize: 1 },
    ],
  };
}

describe('binding edits', () => {
  it('binds, rebinds and unbinds Inputs by node id, keeping the others in order', () => {
    let s = withInputBinding(table, 'numbers', { type: 'columns', columns: ['x', 'y'] });
    s = withInputBinding(s, 'words', { type: 'text', column: 'note', vocabSize: 50, sequenceLength: 6, lowercase: true });
    s = withInputBinding(s, 'numbers', { type: 'columns', columns: ['x'] });
    expect(s.inputs).toEqual([
      { type: 'columns', node: 'numbers', columns: ['x'] },
      { type: 'text', node: 'words', column: 'note', vocabSize: 50, sequenceLength: 6, lowercase: true },
    ]);
    expect(withInputBinding(s, 'numbers', null).inputs.map((b) => b.node)).toEqual(['words']);
    expect(DatasetSourceSchema.safeParse(s).success).toBe(true);
  });

  it('binds targets, and the label column follows the first target', () => {
    let s = withTargetBinding(table, 'value_out', { column: 'value', task: 'regression' });
    expect(s).toMatchObject({ labelColumn: 'value', task: 'regression' });
    s = withTargetBinding(s, 'kind_out', { column: 'kind', task: 'auto' });
    expect(s.targets.map((t) => [t.node, t.column])).toEqual([['value_out', 'value'], ['kind_out', 'kind']]);
    s = withTargetBinding(s, 'value_out', null);
    expect(s).toMatchObject({ labelColumn: 'kind', task: 'auto', targets: [{ node: 'kind_out', column: 'kind', task: 'auto' }] });
  });
});

describe('analysis of several Inputs and outputs', () => {
  it('names each unbound Input and output, and accepts the bound network', () => {
    const project = { ...twoByTwo(), dataset: { ...emptyProject().dataset, source: table } };
    const unbound = analysisFor(project, [tableInfo(false)]);
    expect(unbound.valid).toBe(false);
    expect(unbound.errors.join('\n')).toContain('The network has 2 Input layers (numbers, words) but t.csv gives one input. Bind each Input to columns of a CSV');
    expect(unbound.errors.join('\n')).toContain('The network ends in 2 layers (kind_out, value_out) but t.csv has one target.');
    const bound = analysisFor({ ...project, dataset: { ...project.dataset, source: table } }, [tableInfo(true)]);
    expect(bound.valid).toBe(true);
    // A part bound to one Input only: the other is named on its node.
    const half = tableInfo(true);
    half.inputs = half.inputs!.slice(0, 1);
    const a = analysisFor({ ...project, dataset: { ...project.dataset, source: table } }, [half]);
    expect(a.nodes.words.errors).toEqual(['words is not bound to any columns of t.csv. Choose its columns under Inputs in the Dataset panel, or delete it.']);
    expect(a.valid).toBe(false);
  });

  it('re-analyses when an output loss option changes: the From logits warning names the layer', () => {
    const project = { ...twoByTwo(), dataset: { ...emptyProject().dataset, source: table } };
    const datasets = [tableInfo(true)];
    expect(analysisFor(project, datasets).nodes.kind_out.warnings).toEqual([]);
    const logits = { ...project, training: { ...project.training, outputs: withOutputLoss(project.training, 'kind_out', { fromLogits: true }) } };
    expect(analysisFor(logits, datasets).nodes.kind_out.warnings).toEqual([
      'kind_out applies softmax but its loss takes logits (From logits is on): the loss applies softmax again. Set its activation to linear, or turn From logits off.',
    ]);
  });
});

function store(project: Project, datasets: DatasetInfo[]): AppStore {
  const client: EngineClient = { call: async () => { throw new Error('no engine'); }, on: () => () => {} };
  const s = createAppStore(client) as AppStore;
  s.getState().actions.loadProject(project);
  s.setState({ data: { ...s.getState().data, datasets } });
  return { ...s, getInitialState: s.getState } as AppStore;
}

describe('the Data tab binds columns to each Input and output', () => {
  it('lists every Input and output with its binding', () => {
    const source = withTargetBinding(withInputBinding(table, 'words', { type: 'text', column: 'note', vocabSize: 50, sequenceLength: 6, lowercase: true }), 'kind_out', { column: 'kind', task: 'auto' });
    const project = { ...twoByTwo(), dataset: { ...emptyProject().dataset, source } };
    const columns = ['x', 'y', 'note', 'kind', 'value'].map((name) => ({ name, type: name === 'note' ? ('text' as const) : ('number' as const) }));
    const html = renderToStaticMarkup(
      createElement(AppStoreProvider, { store: store(project, [tableInfo(true)]), children: createElement(BindingFields, { source, columns, commit: () => undefined }) }),
    );
    for (const id of ['binding-input-numbers', 'binding-input-words', 'binding-output-kind_out', 'binding-output-value_out']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toMatch(/<select id="binding-input-words"[^>]*>.*<option value="text" selected="">/);
    expect(html).toMatch(/<select id="binding-input-numbers"[^>]*>.*<option value="none" selected="">\(not bound\)/);
    expect(html).toMatch(/<select id="binding-output-kind_out"[^>]*>.*<option value="kind" selected="">/);
    expect(html).toMatch(/<select id="binding-output-value_out"[^>]*>.*<option value="" selected="">\(not bound\)/);
  });

  it('stays out of the way of a network with one Input and one output', () => {
    const project = { ...emptyProject(), graph: { nodes: [node('input_1', 'Input', { shape: [2] }), node('dense_1', 'Dense', { units: 3 })], edges: [{ id: 'e', source: 'input_1', target: 'dense_1' }] } };
    const html = renderToStaticMarkup(createElement(AppStoreProvider, { store: store(project, []), children: createElement(BindingFields, { source: table, columns: undefined, commit: () => undefined }) }));
    expect(html).toBe('');
  });
});

describe('per-output charts and evaluation', () => {
  it('keeps each output in the batch and epoch points, and picks one output as a plain series', () => {
    const outputs = (k: number) => [
      { name: 'kind_out', loss: 1 / k, acc: 0.5 + k / 10, valLoss: 2 / k, valAcc: 0.4 + k / 10 },
      { name: 'value_out', loss: 3 / k, mae: 1 / k, valLoss: 4 / k, valMae: 2 / k },
    ];
    // A run being started: the first event adopts its id.
    let t: ReturnType<typeof initialTraining> = { ...initialTraining(), status: 'starting' };
    const events: TrainingEvent[] = [
      { type: 'batch', runId: 'r', epoch: 0, batch: 0, batchesPerEpoch: 1, loss: 9, acc: 0.6, outputs: outputs(1).map(({ name, loss, acc, mae }) => ({ name, loss, ...(acc !== undefined ? { acc } : {}), ...(mae !== undefined ? { mae } : {}) })), samplesPerSec: 1, progress: 0.5, etaSec: 1 },
      { type: 'epoch', runId: 'r', metrics: { epoch: 0, loss: 9, acc: 0.6, valLoss: 8, valAcc: 0.5, outputs: outputs(1) }, progress: 0.5, etaSec: 1 },
      { type: 'epoch', runId: 'r', metrics: { epoch: 1, loss: 5, acc: 0.7, valLoss: 4, valAcc: 0.6, outputs: outputs(2) }, progress: 1, etaSec: 0 },
    ];
    for (const e of events) t = applyTrainingEvent(t, e);
    expect(outputNames(t.epochSeries, t.batchSeries)).toEqual(['kind_out', 'value_out']);
    const value = outputSeries(t.epochSeries, 'value_out');
    expect(value.map((p) => [p.x, p.loss, p.mae, p.valLoss, p.valMae, p.valAcc])).toEqual([
      [1, 3, 1, 4, 2, undefined],
      [2, 1.5, 0.5, 2, 1, undefined],
    ]);
    expect(outputSeries(t.batchSeries, 'kind_out').map((p) => [p.loss, p.acc, p.mae])).toEqual([[1, 0.6, undefined]]);
    expect(outputSeries(t.epochSeries, 'nothing')).toEqual([]);
  });

  it('shows a selector of the outputs, the first output\'s report and the total loss', () => {
    const kind: OutputReport = {
      name: 'kind_out', task: 'classification', samples: 2, loss: 0.25, gallery: [],
      classification: { accuracy: 0.5, classNames: ['a', 'b'], confusion: [[1, 0], [1, 0]], perClass: [{ precision: 0.5, recall: 1, f1: 0.667, support: 1 }, { precision: 0, recall: 0, f1: 0, support: 1 }], macroF1: 0.333 },
    };
    const value: OutputReport = { name: 'value_out', task: 'regression', samples: 2, loss: 3, gallery: [], regression: { mae: 1.5, rmse: 1.7, r2: 0.2 } };
    const { name: _name, ...first } = kind;
    const report: EvaluationReport = { ...first, loss: 1.75, outputs: [kind, value] };
    const html = renderToStaticMarkup(createElement(EvaluationOutputsView, { report }));
    expect(html).toContain('data-testid="eval-output"');
    expect(html).toMatch(/data-testid="eval-loss">0\.25</);
    expect(html).toContain('Total test loss of all outputs: 1.75');
    const second = renderToStaticMarkup(createElement(EvaluationOutputsView, { report, initial: 1 }));
    expect(second).toMatch(/data-testid="eval-loss">3</);
    expect(second).toContain('eval-regression');
    // One output: the report as before, without a selector.
    expect(renderToStaticMarkup(createElement(EvaluationOutputsView, { report: { ...first } }))).not.toContain('eval-output');
  });
});
