/**
 * SimpleRNN, the wrapper kinds (Bidirectional, TimeDistributed) and Inputs with axes of unknown length: messages,
 * the `layer` param, whole graphs through the compiler (variable-length sequences, the issue's examples), the
 * generated model.ts, and the inspector fields.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { defaultLayerValue, defaultParams, paramsSchema, type LayerParam } from '../../main/core/layers/params';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { compileGraph } from '../../main/core/compile';
import { fitProjectToData } from '../../main/core/graph/fitToData';
import { checkModelFitsData, penalizedWeights } from '../../main/core/training/loop';
import { emptyProject, parseProject, serializeProject, type Graph, type ProjectNode } from '../../main/core/project';
import type { DatasetInfo } from '../../main/core/datasets';
import { generateProjectFiles } from '../../main/node/projectSources';
import { ParamField, parseShapeList } from '../../renderer/src/components/fields';
import { paramSummary } from '../../renderer/src/format';
import { check, type Case } from './layer-cases/harness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function errorOf(c: Case, name: string): string {
  const r = check(c, name);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.shape)}`);
  return r.error;
}

function node(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params, position: { x: 0, y: 0 } };
}

function chain(nodes: ProjectNode[]): Graph {
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

const layerParamOf = (kind: string) => requireLayerSpec(kind).params.layer as LayerParam;

describe('human messages', () => {
  it('SimpleRNN shares the recurrent rank check and names the Reshape', () => {
    expect(errorOf({ kind: 'SimpleRNN', inputs: [[64]] }, 'simple_rnn_1')).toBe(
      'simple_rnn_1: SimpleRNN needs a sequence [time, features] but gets a flat vector of 64 — insert a Reshape to [64, 1] (or [8, 8]).',
    );
    expect(errorOf({ kind: 'SimpleRNN', inputs: [[5, null]] }, 'simple_rnn_2')).toContain('simple_rnn_2: SimpleRNN needs a known number of features per step');
  });

  it('Bidirectional speaks through the wrapped layer, under its own name', () => {
    expect(errorOf({ kind: 'Bidirectional', inputs: [[28, 28, 1]], params: { layer: { kind: 'GRU' } } }, 'bidirectional_1')).toBe(
      'bidirectional_1: GRU needs a sequence [time, features] but gets an image-like tensor [28, 28, 1] (height, width, channels) — insert a Reshape to [28, 28] (rows as steps, [height, width × channels]).',
    );
    const warned = check({ kind: 'Bidirectional', inputs: [[6, 4]], params: { layer: { kind: 'LSTM', params: { dropout: 1 } } } }, 'bidirectional_2');
    expect(warned.ok && warned.warnings?.[0]).toContain('bidirectional_2: a dropout of 1 does nothing');
  });

  it('TimeDistributed on a flat vector asks for a time axis', () => {
    expect(errorOf({ kind: 'TimeDistributed', inputs: [[8]] }, 'time_distributed_1')).toBe(
      'time_distributed_1: TimeDistributed needs a sequence with the time steps first, [time, ...], but gets a flat vector of 8 — insert a Reshape to [8, 1] (8 steps of one value).',
    );
  });

  it('TimeDistributed says when a step does not suit the wrapped layer', () => {
    const error = errorOf({ kind: 'TimeDistributed', inputs: [[4, 16]], params: { layer: { kind: 'Conv2D', params: {} } } }, 'time_distributed_2');
    expect(error).toBe('time_distributed_2 (each time step): Conv2D needs an image-like input [height, width, channels] but gets a flat vector of 16 — insert a Reshape to [4, 4, 1].');
  });

  it('Bidirectional doubles the units only when it concatenates', () => {
    const lstm = { kind: 'LSTM', params: { units: 5, returnSequences: true } };
    expect(check({ kind: 'Bidirectional', inputs: [[null, 3]], params: { layer: lstm } })).toEqual({ ok: true, shape: [null, 10] });
    expect(check({ kind: 'Bidirectional', inputs: [[null, 3]], params: { layer: lstm, mergeMode: 'ave' } })).toEqual({ ok: true, shape: [null, 5] });
  });
});

describe('the layer param', () => {
  const schema = paramsSchema(requireLayerSpec('Bidirectional').params);

  it('fills in the wrapped kind’s defaults, also when the whole value is missing', () => {
    const lstmDefaults = defaultParams(requireLayerSpec('LSTM').params);
    expect(schema.parse({})).toEqual({ layer: { kind: 'LSTM', params: lstmDefaults }, mergeMode: 'concat' });
    expect(schema.parse({ layer: { kind: 'GRU', params: { units: 7 } } })).toMatchObject({ layer: { kind: 'GRU', params: { units: 7, returnSequences: false } } });
    expect(defaultParams(requireLayerSpec('TimeDistributed').params)).toMatchObject({ layer: { kind: 'Dense', params: { units: 32, activation: 'relu' } } });
  });

  it('checks the wrapped params with the wrapped kind’s own schema', () => {
    const bad = schema.safeParse({ layer: { kind: 'LSTM', params: { units: 0 } } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toBe('Layer (LSTM): Units must be at least 1');
    const wrongKind = schema.safeParse({ layer: { kind: 'Dense', params: {} } });
    expect(wrongKind.error?.issues[0].message).toBe('Layer must be one of LSTM, GRU, SimpleRNN');
    expect(schema.safeParse({ layer: 'LSTM' }).success).toBe(false);
  });

  it('analysis reports a bad wrapped param on the wrapper', () => {
    const graph = chain([node('input_1', 'Input', { shape: [5, 3] }), node('bidirectional_1', 'Bidirectional', { layer: { kind: 'SimpleRNN', params: { units: -1 } } })]);
    expect(analyzeGraph(graph).nodes.bidirectional_1.errors).toEqual(['bidirectional_1: Layer (SimpleRNN): Units must be at least 1']);
  });

  it('switching the wrapped kind keeps the settings the new kind shares', () => {
    const def = layerParamOf('Bidirectional');
    const lstm = { units: 12, activation: 'relu', recurrentActivation: 'hardSigmoid', returnSequences: true, dropout: 0.1, recurrentDropout: 0 };
    // Settings the LSTM value does not give (and GRU's own resetAfter) take their defaults.
    const unset = { returnState: false, stateful: false };
    expect(defaultLayerValue(def, 'GRU', lstm)).toEqual({ kind: 'GRU', params: { ...lstm, ...unset, resetAfter: true } });
    // SimpleRNN has no gates, so no recurrentActivation.
    const { recurrentActivation: _gates, ...simple } = lstm;
    expect(defaultLayerValue(def, 'SimpleRNN', lstm)).toEqual({ kind: 'SimpleRNN', params: { ...simple, ...unset } });
    // A value the new kind refuses is not carried over.
    expect(defaultLayerValue(layerParamOf('TimeDistributed'), 'Conv2D', { filters: 0 }).params.filters).toBe(32);
  });
});

describe('Inputs with axes of unknown length', () => {
  it('an Input takes null sizes; a Reshape target does not', () => {
    expect(paramsSchema(requireLayerSpec('Input').params).parse({ shape: [null, 16] })).toEqual({ shape: [null, 16], batchSize: 0 });
    expect(paramsSchema(requireLayerSpec('Reshape').params).safeParse({ targetShape: [null, 16] }).success).toBe(false);
  });

  it('null survives the project file', () => {
    const graph = chain([node('input_1', 'Input', { shape: [null, 16] }), node('bi', 'Bidirectional', { layer: { kind: 'GRU', params: { units: 3 } } })]);
    const back = parseProject(serializeProject({ ...emptyProject('variable'), graph }));
    expect(back.graph.nodes[0].params.shape).toEqual([null, 16]);
    expect(back.graph.nodes[1].params.layer).toEqual({ kind: 'GRU', params: { units: 3 } });
  });

  it('Input [?, 16] → LSTM → Dense compiles and runs on two sequence lengths', () => {
    const graph = chain([
      node('input_1', 'Input', { shape: [null, 16] }),
      node('lstm_1', 'LSTM', { units: 8 }),
      node('dense_1', 'Dense', { units: 3, activation: 'softmax' }),
    ]);
    const analysis = analyzeGraph(graph);
    expect(analysis.valid).toBe(true);
    expect(analysis.nodes.input_1.outputShape).toEqual([null, 16]);
    const model = compileGraph(tf, graph);
    expect(model.inputs[0].shape).toEqual([null, null, 16]);
    expect(model.countParams()).toBe(analysis.totalParams);
    for (const steps of [5, 11]) {
      const y = model.predict(tf.randomNormal([2, steps, 16])) as tf.Tensor;
      expect(y.shape).toEqual([2, 3]);
      // softmax rows sum to 1: the run really went through
      Array.from(y.sum(1).dataSync()).forEach((s) => expect(s).toBeCloseTo(1, 5));
    }
    model.dispose();
  });

  it('a dataset fits an Input whose known sizes it matches; fitting to data keeps the unknown axis', () => {
    const graph = chain([node('input_1', 'Input', { shape: [null, 4] }), node('lstm_1', 'LSTM', { units: 3 }), node('dense_1', 'Dense', { units: 2, activation: 'softmax' })]);
    const info: DatasetInfo = {
      id: 'seq',
      name: 'Sequences',
      description: '',
      inputShape: [10, 4],
      inputDType: 'float32',
      task: 'classification',
      numClasses: 2,
      classNames: ['a', 'b'],
      outputSize: 2,
      totalSamples: 20,
      available: true,
    };
    const model = compileGraph(tf, graph);
    expect(checkModelFitsData(model, info).inputShape).toEqual([10, 4]);
    expect(() => checkModelFitsData(model, { ...info, inputShape: [10, 5] })).toThrow("The network's Input expects samples of shape [?, 4] but Sequences gives [10, 5]");
    model.dispose();
    const fitted = fitProjectToData({ ...emptyProject(), graph }, info);
    expect(fitted.ok && fitted.project.graph.nodes[0].params.shape).toEqual([null, 4]);
  });
});

describe('whole graphs with wrappers', () => {
  /** Compiles, checks that analysis and tfjs agree on every shape and count, and runs a batch of each input shape. */
  function compileAndRun(graph: Graph, runs: number[][], expectOut: (steps: number[]) => number[]): tf.LayersModel {
    const analysis = analyzeGraph(graph);
    expect(analysis.valid, JSON.stringify(Object.values(analysis.nodes).flatMap((n) => n.errors))).toBe(true);
    const model = compileGraph(tf, graph);
    for (const layer of model.layers) {
      expect(layer.outputShape as (number | null)[], layer.name).toEqual([null, ...analysis.nodes[layer.name].outputShape!]);
      expect(layer.countParams(), layer.name).toBe(analysis.nodes[layer.name].params);
    }
    for (const shape of runs) expect((model.predict(tf.ones([2, ...shape])) as tf.Tensor).shape).toEqual([2, ...expectOut(shape)]);
    return model;
  }

  it('the issue’s Conv → Dense → LSTM → TimeDistributed(Dense)', () => {
    const graph = chain([
      node('input_1', 'Input', { shape: [null, 6] }),
      node('conv1d_1', 'Conv1D', { filters: 8, kernelSize: 3 }),
      node('dense_1', 'Dense', { units: 12 }),
      node('lstm_1', 'LSTM', { units: 5, returnSequences: true }),
      node('time_distributed_1', 'TimeDistributed', { layer: { kind: 'Dense', params: { units: 3, activation: 'softmax' } } }),
    ]);
    compileAndRun(graph, [[10, 6], [7, 6]], ([steps]) => [steps - 2, 3]).dispose();
  });

  it('the issue’s Conv1D → (strided Conv1D in place of MaxPooling1D) → GRU, on two lengths', () => {
    const graph = chain([
      node('input_1', 'Input', { shape: [null, 4] }),
      node('conv1d_1', 'Conv1D', { filters: 6, kernelSize: 3, padding: 'same' }),
      node('conv1d_2', 'Conv1D', { filters: 6, kernelSize: 2, strides: 2 }),
      node('gru_1', 'GRU', { units: 5 }),
      node('dense_1', 'Dense', { units: 2, activation: 'softmax' }),
    ]);
    compileAndRun(graph, [[12, 4], [9, 4]], () => [2]).dispose();
  });

  it('TimeDistributed(Conv2D) over frames, then Bidirectional(SimpleRNN)', () => {
    const graph = chain([
      node('input_1', 'Input', { shape: [null, 8, 8, 1] }),
      node('time_distributed_1', 'TimeDistributed', { layer: { kind: 'Conv2D', params: { filters: 4, strides: [2, 2] } } }),
      node('time_distributed_2', 'TimeDistributed', { layer: { kind: 'Flatten', params: {} } }),
      node('bidirectional_1', 'Bidirectional', { layer: { kind: 'SimpleRNN', params: { units: 3 } }, mergeMode: 'sum' }),
    ]);
    compileAndRun(graph, [[5, 8, 8, 1], [2, 8, 8, 1]], () => [3]).dispose();
  });

  it('a Bidirectional LSTM trains, its forward and backward kernels are penalized, and it survives save and load', async () => {
    const graph = chain([
      node('input_1', 'Input', { shape: [6, 3] }),
      node('bidirectional_1', 'Bidirectional', { layer: { kind: 'LSTM', params: { units: 4, returnSequences: true } } }),
      node('time_distributed_1', 'TimeDistributed', { layer: { kind: 'Dense', params: { units: 1, activation: 'linear' } } }),
    ]);
    const model = compileGraph(tf, graph);
    const names = penalizedWeights(model).map((w) => w.originalName ?? w.name);
    expect(names.filter((n) => /forward.*\/kernel$/.test(n))).toHaveLength(1);
    expect(names.filter((n) => /backward.*\/recurrent_kernel$/.test(n))).toHaveLength(1);
    expect(names.filter((n) => /time_distributed_1\/kernel$/.test(n))).toHaveLength(1);
    expect(names.some((n) => /bias$/.test(n))).toBe(false);

    const xs = tf.randomNormal([8, 6, 3], 0, 1, 'float32', 3);
    const ys = tf.randomNormal([8, 6, 1], 0, 1, 'float32', 4);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
    // every weight moved: both directions and the per-step Dense learn
    model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync()).some((v, j) => v !== before[i][j])).toBe(true));

    const json = model.toJSON(undefined, false) as unknown as Parameters<typeof tf.models.modelFromJSON>[0];
    const loaded = await tf.models.modelFromJSON(json);
    loaded.setWeights(model.getWeights());
    const a = (model.predict(xs) as tf.Tensor).dataSync();
    const b = (loaded.predict(xs) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    model.dispose();
    loaded.dispose();
  });
});

describe('generated model.ts', () => {
  const graph = chain([
    node('input_1', 'Input', { shape: [null, 16] }),
    node('bidirectional_1', 'Bidirectional', { layer: { kind: 'LSTM', params: { units: 32, returnSequences: true } } }),
    node('time_distributed_1', 'TimeDistributed', { layer: { kind: 'Dense', params: { units: 4, activation: 'softmax' } } }),
  ]);
  const modelTs = generateProjectFiles({ ...emptyProject('Tagger'), graph })['model.ts'];

  it('writes each wrapped layer as its own tf.layers call inside the wrapper', () => {
    const lines = modelTs.split('\n');
    expect(lines).toContain("  const input1 = tf.input({ shape: [null, 16], name: 'input_1' });");
    const bidirectional = lines.slice(lines.findIndex((l) => l.startsWith('  const bidirectional1 =')));
    expect(bidirectional.slice(0, 16)).toEqual([
      '  const bidirectional1 = tf.layers',
      '    .bidirectional({',
      '      layer: tf.layers.lstm({',
      '        units: 32,',
      "        activation: 'tanh',",
      "        recurrentActivation: 'sigmoid',",
      '        returnSequences: true,',
      '        dropout: 0,',
      '        recurrentDropout: 0,',
      "        name: 'bidirectional_1_lstm',",
      '      }),',
      "      mergeMode: 'concat',",
      "      name: 'bidirectional_1',",
      '    })',
      '    .apply(input1) as tf.SymbolicTensor;',
      '  // time_distributed_1 (TimeDistributed): [?, 64] → [?, 4], 260 parameters',
    ]);
    const timeDistributed = lines.slice(lines.findIndex((l) => l.startsWith('  const timeDistributed1 =')));
    expect(timeDistributed.slice(0, 11)).toEqual([
      '  const timeDistributed1 = tf.layers',
      '    .timeDistributed({',
      '      layer: tf.layers.dense({',
      '        units: 4,',
      "        activation: 'softmax',",
      '        useBias: true,',
      "        name: 'time_distributed_1_dense',",
      '      }),',
      "      name: 'time_distributed_1',",
      '    })',
      '    .apply(bidirectional1) as tf.SymbolicTensor;',
    ]);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
  });

  it('the generated buildModel builds the same network', () => {
    const js = ts.transpileModule(modelTs, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const exports: { buildModel?: () => tf.LayersModel } = {};
    new Function('require', 'exports', js)((name: string) => (name === '@tensorflow/tfjs' ? tf : undefined), exports);
    const generated = exports.buildModel!();
    const compiled = compileGraph(tf, graph);
    expect(generated.layers.map((l) => [l.getClassName(), l.outputShape])).toEqual(compiled.layers.map((l) => [l.getClassName(), l.outputShape]));
    // Inner layers are named after their wrapper, so weight names never depend on tfjs's global name counter.
    expect(generated.getWeights().length).toBe(compiled.getWeights().length);
    expect(generated.weights.map((w) => w.originalName)).toEqual(compiled.weights.map((w) => w.originalName));
    expect(compiled.weights.map((w) => w.originalName)).toContain('bidirectional_1/forward_bidirectional_1_lstm/kernel');
    expect(generated.countParams()).toBe(analyzeGraph(graph).totalParams);
    generated.dispose();
    compiled.dispose();
  });
});

describe('inspector fields', () => {
  const render = (paramKey: string, kind: string, value: unknown) =>
    renderToStaticMarkup(createElement(ParamField, { paramKey, def: requireLayerSpec(kind).params[paramKey], value, onCommit: () => {} }));

  it('reads ? and null as an axis of unknown length where the shape allows it', () => {
    expect(parseShapeList('?, 128', true)).toEqual([null, 128]);
    expect(parseShapeList('[null, null, 3]', true)).toEqual([null, null, 3]);
    expect(parseShapeList('?, 128')).toBeNull();
    expect(parseShapeList('28x28x1')).toEqual([28, 28, 1]);
    expect(parseShapeList('?, abc', true)).toBeNull();
  });

  it('shows an unknown axis as ?', () => {
    const html = render('shape', 'Input', [null, 128]);
    expect(html).toContain('value="?, 128"');
    expect(html).toContain('Write ? for an axis');
  });

  it('a wrapper shows a choice of kind and that kind’s own fields', () => {
    const html = render('layer', 'Bidirectional', { kind: 'GRU', params: { units: 9 } });
    expect(html).toMatch(/<select[^>]*data-testid="param-layer"/);
    expect(html).toContain('<option value="GRU" selected="">GRU</option>');
    expect(html).toMatch(/data-testid="param-layer-units"[^>]*value="9"|value="9"[^>]*data-testid="param-layer-units"/);
    expect(html).toContain('data-testid="param-layer-recurrentActivation"');
    const simple = render('layer', 'Bidirectional', { kind: 'SimpleRNN', params: {} });
    expect(simple).not.toContain('param-layer-recurrentActivation');
    // A value that does not parse shows the defaults rather than nothing.
    expect(render('layer', 'TimeDistributed', { kind: 'Nope' })).toContain('<option value="Dense" selected="">Dense</option>');
  });
});

describe('canvas summaries', () => {
  it('a wrapper names its wrapped layer; an unknown axis shows as ?', () => {
    const bidirectional = requireLayerSpec('Bidirectional');
    expect(paramSummary(bidirectional.params, { layer: { kind: 'GRU', params: { units: 9 } }, mergeMode: 'sum' })).toBe('GRU(9 · tanh) · sum');
    expect(paramSummary(requireLayerSpec('Input').params, { shape: [null, 16] })).toBe('?×16');
  });
});
