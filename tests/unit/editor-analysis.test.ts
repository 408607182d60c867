import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../main/core/api/contract';
import type { GraphAnalysis } from '../../main/core/graph/analyze';
import { analyzeForEditor, type EditorAnalysisRequest } from '../../main/core/graph/editorAnalysis';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { DEFAULT_TRAINING, emptyProject, type Graph } from '../../main/core/project';
import { attachAnalysis, createAnalysisView } from '../../renderer/src/analysis/attach';
import { createAnalysisHost } from '../../renderer/src/analysis/host';
import { createWorkerRunner, type AnalysisAsk, type AnalysisReply } from '../../renderer/src/analysis/runner';
import { createAppStore } from '../../renderer/src/store/appStore';

const GB = 1024 ** 3;

function chain(specs: [string, string, Record<string, unknown>?][]): Graph {
  const nodes = specs.map(([name, kind, params], i) => ({ id: name, kind, name, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: i, y: 0 } }));
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

const huge = chain([
  ['input_1', 'Input', { shape: [5000, 5000] }],
  ['flatten_1', 'Flatten'],
  ['dense_1', 'Dense', { units: 128 }],
]);

function request(graph: Graph, memoryBytes?: number, batchSize = 32): EditorAnalysisRequest {
  return { graph, losses: [], training: { ...DEFAULT_TRAINING, batchSize }, ...(memoryBytes ? { memoryBytes } : {}) };
}

describe('the editor flags a network too big for the machine', () => {
  it('puts the numbers and the fix on the layer to shrink, and the network is not trainable', () => {
    const a = analyzeForEditor(request(huge, 24 * GB));
    expect(a.valid).toBe(false);
    expect(a.errors).toEqual([]);
    expect(a.nodes.dense_1.errors).toEqual([
      expect.stringMatching(
        /^The network is too big to train on this machine: it needs about 59\.6 GB .* more than half of its 24\.0 GB of memory\. Make dense_1 smaller \(it has 3,200,000,128 parameters\): fewer units, or pooling \/ a smaller input before it\.$/,
      ),
    ]);
    // Shapes and parameters are still shown.
    expect(a.nodes.dense_1).toMatchObject({ outputShape: [128], params: 3_200_000_128 });
    expect(a.nodes.flatten_1.errors).toEqual([]);
  });

  it('has no word on memory where the machine is big enough or its memory is unknown', () => {
    expect(analyzeForEditor(request(huge, 1024 * GB)).valid).toBe(true);
    expect(analyzeForEditor(request(huge)).valid).toBe(true);
    const small = chain([['input_1', 'Input', { shape: [784] }], ['dense_1', 'Dense', { units: 10 }]]);
    expect(analyzeForEditor(request(small, 1 * GB)).valid).toBe(true);
  });

  it('names the layer with the largest output and the batch size when activations are the problem', () => {
    const wide = chain([['input_1', 'Input', { shape: [512, 512, 3] }], ['conv2d_1', 'Conv2D', { filters: 64, kernelSize: [3, 3], padding: 'same' }]]);
    const a = analyzeForEditor(request(wide, 24 * GB, 1024));
    expect(a.nodes.conv2d_1.errors.join()).toMatch(/Lower the batch size \(now 1024\) or make conv2d_1's output smaller \(16,777,216 values per sample\)/);
    expect(analyzeForEditor(request(wide, 24 * GB, 8)).valid).toBe(true);
  });
});

/** A stand-in for the analysis worker that answers only when told to. */
function fakeWorker() {
  const asked: AnalysisAsk[] = [];
  const worker = {
    onmessage: null as ((e: MessageEvent<AnalysisReply>) => void) | null,
    onerror: null as unknown,
    postMessage: (ask: AnalysisAsk) => void asked.push(ask),
    terminate: () => undefined,
  };
  const host = createAnalysisHost();
  const answer = () => worker.onmessage!({ data: host.answer(asked.shift()!) } as MessageEvent<AnalysisReply>);
  return { worker, asked, answer };
}

describe('analysis off the UI thread', () => {
  it('delivers only the latest edit: edits during a computation wait, and answers they overtook are dropped', () => {
    const fake = fakeWorker();
    const results: GraphAnalysis[] = [];
    const runner = createWorkerRunner({ result: (a) => results.push(a), failed: (m) => expect.fail(m) }, fake.worker as unknown as Worker);
    const units = (u: number) => request(chain([['input_1', 'Input', { shape: [4] }], ['dense_1', 'Dense', { units: u }]]));
    runner.analyze(units(1));
    runner.analyze(units(2));
    runner.analyze(units(3));
    expect(fake.asked.map((a) => a.seq)).toEqual([1]); // one at a time
    fake.answer(); // the answer to units(1) is stale: dropped, and the newest waiting edit goes out
    expect(results).toEqual([]);
    expect(fake.asked.map((a) => a.seq)).toEqual([3]);
    fake.answer();
    expect(results.map((r) => r.nodes.dense_1.outputShape)).toEqual([[3]]);
    expect(results[0]).toEqual(analyzeForEditor(units(3)));
    expect(fake.asked).toEqual([]);
  });

  it('sends only what changed both ways, and ends with the analysis of the whole graph, identities kept for what an edit left alone', () => {
    const fake = fakeWorker();
    const results: GraphAnalysis[] = [];
    const runner = createWorkerRunner({ result: (a) => results.push(a), failed: (m) => expect.fail(m) }, fake.worker as unknown as Worker);
    const base = chain([['input_1', 'Input', { shape: [4] }], ['dense_1', 'Dense', { units: 8 }], ['dropout_1', 'Dropout'], ['dense_2', 'Dense', { units: 3 }]]);
    const step = (graph: Graph) => {
      runner.analyze(request(graph));
      const ask = fake.asked[0];
      fake.answer();
      expect(results.at(-1)).toEqual(analyzeForEditor(request(graph)));
      return ask.request.graph;
    };
    expect(step(base)).toMatchObject({ reset: true, nodes: base.nodes });
    const first = results.at(-1)!;

    // A param of the last layer: one layer goes, and only its results come back changed.
    const wider = { ...base, nodes: base.nodes.map((n) => (n.id === 'dense_2' ? { ...n, params: { ...n.params, units: 5 } } : n)) };
    expect(step(wider)).toEqual({ reset: false, nodes: [wider.nodes[3]] });
    expect(results.at(-1)!.nodes.dense_1).toBe(first.nodes.dense_1);
    expect(results.at(-1)!.nodes.dense_2).not.toBe(first.nodes.dense_2);

    // A layer removed and its connections with it; then one added back, last, with a loop.
    const removed = { nodes: wider.nodes.filter((n) => n.id !== 'dropout_1'), edges: [...wider.edges.slice(0, 1), { id: 'e9', source: 'dense_1', target: 'dense_2' }] };
    expect(step(removed)).toMatchObject({ nodes: [], ids: ['input_1', 'dense_1', 'dense_2'] });
    const looped = {
      nodes: [...removed.nodes, { ...wider.nodes[2], id: 'relu_1', name: 'relu_1', kind: 'ReLU' }],
      edges: [...removed.edges, { id: 'e10', source: 'dense_2', target: 'relu_1' }, { id: 'e11', source: 'relu_1', target: 'dense_2' }],
    };
    step(looped);
    expect(results.at(-1)!.errors.join()).toContain('loop');
    step(base);
    expect(Object.keys(results.at(-1)!.nodes)).toEqual(['input_1', 'dense_1', 'dropout_1', 'dense_2']);
  });

  it('starts afresh after the worker fails', () => {
    const fake = fakeWorker();
    const results: GraphAnalysis[] = [];
    const failures: string[] = [];
    const runner = createWorkerRunner({ result: (a) => results.push(a), failed: (m) => failures.push(m) }, fake.worker as unknown as Worker);
    const graph = chain([['input_1', 'Input', { shape: [4] }], ['dense_1', 'Dense', { units: 2 }]]);
    runner.analyze(request(graph));
    fake.answer();
    (fake.worker.onerror as (e: { message: string }) => void)({ message: 'out of memory' });
    expect(failures).toEqual(['out of memory']);
    runner.analyze(request(graph));
    expect(fake.asked[0].request.graph.reset).toBe(true);
  });

  it('asks again when a param, a connection or the machine memory changes, not when a layer moves', () => {
    const client: EngineClient = { call: async () => { throw new Error('no engine'); }, on: () => () => {} };
    const app = createAppStore(client);
    app.getState().actions.loadProject({ ...emptyProject(), graph: huge });
    const view = createAnalysisView();
    const asked: EditorAnalysisRequest[] = [];
    const detach = attachAnalysis(app, view, (callbacks) => ({
      analyze: (r) => {
        asked.push(r);
        callbacks.result(analyzeForEditor(r));
      },
      dispose: () => undefined,
    }));
    expect(asked).toHaveLength(1);
    expect(view.getState()).toMatchObject({ pending: false, analysis: { valid: true } });

    app.getState().actions.moveNodes({ dense_1: { x: 40, y: 80 } });
    expect(asked).toHaveLength(1);

    app.setState({ engine: { ...app.getState().engine, info: { version: '0', host: 'browser', backend: { name: 'cpu', device: 'CPU', attempts: [] }, projectsDir: '', exportsDir: '', memoryBytes: 24 * GB } } });
    expect(asked.map((r) => r.memoryBytes)).toEqual([asked[0].memoryBytes, 24 * GB]);
    expect(view.getState().analysis!.nodes.dense_1.errors.join()).toContain('too big to train on this machine');

    app.getState().actions.setNodeParam('dense_1', 'units', 1);
    expect(asked).toHaveLength(3);
    app.getState().actions.setTraining({ batchSize: 8 });
    expect(asked.map((r) => r.training.batchSize)).toEqual([32, 32, 32, 8]);
    detach();
    app.getState().actions.setNodeParam('dense_1', 'units', 2);
    expect(asked).toHaveLength(4);
  });
});
