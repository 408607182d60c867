/**
 * Layers with several outputs (an LSTM's final states, attention scores) and connections that leave from them:
 * analysis, the compiled model, serialization, and the Keras importer, each checked against tfjs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { analyzeGraph, outputNames } from '../../main/core/graph/analyze';
import { compileGraph } from '../../main/core/compile';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { importKerasModel } from '../../main/core/import/keras';
import { parseProject, serializeProject, emptyProject, CURRENT_PROJECT_VERSION, type Graph } from '../../main/core/project';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCustomLayers(tf);
});

type NodeRow = [id: string, kind: string, params?: Record<string, unknown>];

function graph(nodes: NodeRow[], edges: Array<[string, string] | [string, string, number]>): Graph {
  return {
    nodes: nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params: params ?? {}, position: { x: i * 200, y: 0 } })),
    edges: edges.map(([source, target, port], i) => ({ id: `e${i}`, source, target, ...(port ? { sourcePort: port } : {}) })),
  };
}

/** Encoder LSTM whose final states h and c start the decoder LSTM: the classic sequence-to-sequence wiring. */
function seq2seq(returnState = true): Graph {
  return graph(
    [
      ['source', 'Input', { shape: [7, 3] }],
      ['target', 'Input', { shape: [5, 2] }],
      ['encoder', 'LSTM', { units: 6, returnState }],
      ['decoder', 'LSTM', { units: 6, returnSequences: true }],
      ['next', 'TimeDistributed', { layer: { kind: 'Dense', params: { units: 4, activation: 'softmax' } } }],
    ],
    [
      ['source', 'encoder'],
      ['target', 'decoder'],
      ['encoder', 'decoder', 1],
      ['encoder', 'decoder', 2],
      ['decoder', 'next'],
    ],
  );
}

describe('analysis of layers with several outputs', () => {
  it('gives each output its shape and feeds a connection the output it leaves from', () => {
    const g = seq2seq();
    const a = analyzeGraph(g);
    expect(a.errors).toEqual([]);
    expect(Object.values(a.nodes).flatMap((n) => n.errors)).toEqual([]);
    expect(a.nodes.encoder.outputShape).toEqual([6]);
    expect(a.nodes.encoder.extraShapes).toEqual([[6], [6]]);
    expect(outputNames(g.nodes.find((n) => n.id === 'encoder')!)).toEqual(['output', 'state h', 'state c']);
    expect(a.nodes.decoder.outputShape).toEqual([5, 6]);
    // The encoder feeds the decoder only through its states: it is not an output of the network.
    expect(a.outputIds).toEqual(['next']);
    expect(a.valid).toBe(true);
  });

  it('says which output is gone when a connection leaves from an output its layer no longer gives', () => {
    const a = analyzeGraph(seq2seq(false));
    expect(a.valid).toBe(false);
    expect(a.nodes.decoder.errors[0]).toBe(
      'decoder: its input comes from output 2 of encoder, which encoder does not give with its current settings (it has only its main output) — connect encoder\'s main output instead, or turn back on the setting that gave that output.',
    );
  });

  it('needs every initial state or none, each one value per unit', () => {
    const g = seq2seq();
    g.edges = g.edges.filter((e) => e.sourcePort !== 2);
    expect(analyzeGraph(g).nodes.decoder.errors[0]).toMatch(/^decoder: LSTM starts from 2 states \(state h, state c\), but 1 is connected after the sequence/);
    const wide = seq2seq();
    wide.nodes.find((n) => n.id === 'encoder')!.params.units = 8;
    expect(analyzeGraph(wide).nodes.decoder.errors[0]).toMatch(/^decoder: the initial state h must be \[6\] \(one value per unit\) but gets \[8\]/);
  });

  it('refuses Return state inside a Bidirectional, which gives one output', () => {
    const g = graph(
      [
        ['in', 'Input', { shape: [5, 2] }],
        ['bi', 'Bidirectional', { layer: { kind: 'GRU', params: { units: 3, returnState: true } } }],
      ],
      [['in', 'bi']],
    );
    expect(analyzeGraph(g).nodes.bi.errors[0]).toBe('bi: a Bidirectional layer gives one output, so the GRU inside it cannot also return its state — turn off Return state in its layer settings.');
  });
});

describe('compiled models with several outputs per layer', () => {
  it('builds the sequence-to-sequence model tfjs builds by hand, and survives a save and load', async () => {
    const model = compileGraph(tf, seq2seq());
    expect(model.outputs).toHaveLength(1);
    expect(model.countParams()).toBe(analyzeGraph(seq2seq()).totalParams);

    // The same network written directly against tfjs.
    const source = tf.input({ shape: [7, 3] });
    const target = tf.input({ shape: [5, 2] });
    const [, h, c] = tf.layers.lstm({ units: 6, returnState: true, recurrentActivation: 'sigmoid' }).apply(source) as tf.SymbolicTensor[];
    const decoded = tf.layers.lstm({ units: 6, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(target, { initialState: [h, c] }) as tf.SymbolicTensor;
    const next = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, activation: 'softmax' }) }).apply(decoded) as tf.SymbolicTensor;
    const reference = tf.model({ inputs: [source, target], outputs: next });
    reference.setWeights(model.getWeights());

    const xs = [tf.randomNormal([3, 7, 3], 0, 1, 'float32', 1), tf.randomNormal([3, 5, 2], 0, 1, 'float32', 2)];
    const ours = model.predict(xs) as tf.Tensor;
    expect(ours.shape).toEqual([3, 5, 4]);
    expect(tf.max(tf.abs(tf.sub(ours, reference.predict(xs) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
    // The decoder really starts from the encoder's states: other source sequences change its predictions.
    const otherSource = model.predict([tf.randomNormal([3, 7, 3], 0, 1, 'float32', 3), xs[1]]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(ours, otherSource))).dataSync()[0]).toBeGreaterThan(1e-4);

    // Saved and loaded by tfjs (model.json + weights): the states are connections in the file, so nothing is lost.
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(tf.max(tf.abs(tf.sub(ours, loaded.predict(xs) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('trains: gradients reach the encoder through its states', () => {
    const model = compileGraph(tf, seq2seq());
    const encoderKernel = () => model.getLayer('encoder').getWeights()[0].dataSync().slice();
    const before = encoderKernel();
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const ys = tf.oneHot(tf.randomUniform([8, 5], 0, 4, 'int32', 4), 4).toFloat();
    return model.fit([tf.randomNormal([8, 7, 3], 0, 1, 'float32', 5), tf.randomNormal([8, 5, 2], 0, 1, 'float32', 6)], ys, { epochs: 1, batchSize: 8, verbose: 0 }).then(() => {
      const after = encoderKernel();
      expect(after.some((v, i) => Math.abs(v - before[i]) > 1e-6)).toBe(true);
    });
  });

  it('gives attention scores as a second output: per head, each query step\'s weights over the value steps sum to 1', () => {
    const g = graph(
      [
        ['in', 'Input', { shape: [4, 8] }],
        ['att', 'MultiHeadAttention', { numHeads: 2, keyDim: 4, useCausalMask: true, returnAttentionScores: true }],
        ['pool', 'GlobalAveragePooling1D'],
      ],
      [
        ['in', 'att'],
        ['att', 'pool'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.nodes.att.extraShapes).toEqual([[2, 4, 4]]);
    const model = compileGraph(tf, g);
    const layer = model.getLayer('att');
    const scoresModel = tf.model({ inputs: model.inputs, outputs: (layer.output as tf.SymbolicTensor[])[1] });
    const scores = scoresModel.predict(tf.randomNormal([2, 4, 8], 0, 1, 'float32', 7)) as tf.Tensor;
    expect(scores.shape).toEqual([2, 2, 4, 4]);
    const values = scores.arraySync() as number[][][][];
    for (const sample of values) {
      for (const head of sample) {
        head.forEach((row, i) => {
          expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
          // The causal mask: no step looks at a later one.
          for (let j = i + 1; j < row.length; j++) expect(row[j]).toBeLessThan(1e-6);
        });
      }
    }
  });
});

describe('project files', () => {
  it('keep the output a connection leaves from; a v3 file reads with every connection on the main output', () => {
    const project = { ...emptyProject('Seq2seq'), graph: seq2seq() };
    expect(parseProject(serializeProject(project)).graph.edges.map((e) => e.sourcePort)).toEqual([undefined, undefined, 1, 2, undefined]);
    expect(CURRENT_PROJECT_VERSION).toBeGreaterThanOrEqual(4);
    const v3 = { ...emptyProject('Old'), version: 3, graph: graph([['in', 'Input', { shape: [4] }], ['d', 'Dense']], [['in', 'd']]) };
    expect(parseProject(JSON.stringify(v3)).graph).toEqual(v3.graph);
  });
});

describe('importing models that use several outputs of a layer', () => {
  function imported(json: unknown) {
    const result = importKerasModel(json);
    if ('unknown' in result) throw new Error(`not imported: ${JSON.stringify(result.unknown)}`);
    return result;
  }

  it('a tfjs sequence-to-sequence model: the decoder starts from the encoder\'s states, counts equal tfjs', () => {
    const source = tf.input({ shape: [7, 3], name: 'source' });
    const target = tf.input({ shape: [5, 2], name: 'target' });
    const [, h, c] = tf.layers.lstm({ units: 6, returnState: true, name: 'encoder' }).apply(source) as tf.SymbolicTensor[];
    const decoded = tf.layers.lstm({ units: 6, returnSequences: true, name: 'decoder' }).apply(target, { initialState: [h, c] }) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [source, target], outputs: tf.layers.dense({ units: 4, name: 'next' }).apply(decoded) as tf.SymbolicTensor });
    const result = imported(model.toJSON(undefined, false));
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.totalParams).toBe(model.countParams());
    const into = result.project.graph.edges.filter((e) => e.target === 'decoder');
    expect(into.map((e) => [e.source, e.sourcePort ?? 0])).toEqual([
      ['target', 0],
      ['encoder', 1],
      ['encoder', 2],
    ]);
    expect(result.project.graph.nodes.find((n) => n.id === 'encoder')!.params.returnState).toBe(true);
  });

  /** A Keras 3 tensor reference, as `keras_history` in `inbound_nodes`. */
  const tensor = (layer: string, index = 0) => ({ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: [layer, 0, index] } });
  const keras3 = (className: string, name: string, config: Record<string, unknown>, args: unknown[], kwargs: Record<string, unknown> = {}) => ({
    module: 'keras.layers',
    class_name: className,
    config: { name, trainable: true, ...config },
    registered_name: null,
    name,
    inbound_nodes: args.length ? [{ args, kwargs }] : [],
  });

  function keras3Seq2seq(outputs: unknown[]) {
    return {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      config: {
        name: 'translator',
        layers: [
          keras3('InputLayer', 'source', { batch_shape: [null, 7, 3] }, []),
          keras3('InputLayer', 'target', { batch_shape: [null, 5, 2] }, []),
          keras3('LSTM', 'encoder', { units: 6, return_state: true, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true }, [tensor('source')]),
          keras3('GRU', 'decoder', { units: 6, return_sequences: true, reset_after: true }, [tensor('target')], { initial_state: [tensor('encoder', 1)] }),
          keras3('MultiHeadAttention', 'attention', { num_heads: 2, key_dim: 3 }, [tensor('decoder')], { value: tensor('decoder'), use_causal_mask: true, return_attention_scores: true }),
          keras3('Dense', 'next', { units: 4, activation: 'softmax' }, [tensor('attention')]),
        ],
        input_layers: [
          ['source', 0, 0],
          ['target', 0, 0],
        ],
        output_layers: outputs,
      },
    };
  }

  it('Keras 3: initial_state and the attention\'s call options (causal mask, return scores) come from the call', () => {
    const result = imported(keras3Seq2seq([['next', 0, 0]]));
    expect(result.summary.errors).toEqual([]);
    const edges = result.project.graph.edges;
    expect(edges.filter((e) => e.target === 'decoder').map((e) => [e.source, e.sourcePort ?? 0])).toEqual([
      ['target', 0],
      ['encoder', 1],
    ]);
    const attention = result.project.graph.nodes.find((n) => n.id === 'attention')!;
    expect(attention.params).toMatchObject({ useCausalMask: true, returnAttentionScores: true });
    // And the imported project compiles to the model tfjs would build.
    const model = compileGraph(tf, result.project.graph);
    expect(model.countParams()).toBe(result.summary.totalParams);
  });

  it('refuses, naming the layer, a model whose output is a layer\'s state rather than its main output', () => {
    const result = importKerasModel(keras3Seq2seq([['next', 0, 0], ['encoder', 0, 2]]));
    expect('unknown' in result && result.unknown).toEqual([expect.objectContaining({ name: 'encoder', reason: expect.stringMatching(/gives its output 3 \(a state or attention scores\) as a model output/) })]);
  });
});

describe('graph edits keep the output each connection leaves from', () => {
  it('a layer inserted on a state connection takes the state; one inserted after the encoder takes only its main output', async () => {
    const { applyFix } = await import('../../main/core/graph/edits');
    const g = seq2seq();
    const stateH = g.edges.find((e) => e.sourcePort === 1)!;
    const into = g.edges.filter((e) => e.target === 'decoder').indexOf(stateH);
    const before = applyFix(g, { label: 'x', edits: [{ op: 'insertBefore', node: 'decoder', input: into, kind: 'Dense', params: { units: 6 } }] });
    if (!before.ok) throw new Error(before.error);
    const dense = before.inserted[0];
    expect(before.graph.edges.find((e) => e.target === dense)).toMatchObject({ source: 'encoder', sourcePort: 1 });
    expect(analyzeGraph(before.graph).nodes[dense].outputShape).toEqual([6]);

    const after = applyFix(g, { label: 'y', edits: [{ op: 'insertAfter', node: 'encoder', kind: 'Dropout' }] });
    if (!after.ok) throw new Error(after.error);
    const drop = after.inserted[0];
    // The states still go from the encoder to the decoder; the dropout takes the (unused) main output.
    expect(after.graph.edges.filter((e) => e.source === 'encoder').map((e) => [e.target, e.sourcePort ?? 0]).sort()).toEqual([
      ['decoder', 1],
      ['decoder', 2],
      [drop, 0],
    ]);
  });
});
