/**
 * Importing a Keras / TensorFlow.js layers model's architecture: the imported project's parameter total (Neurowire's
 * analysis) equals what stock tfjs counts for the same model, every kind of file shape is read, and a model with a
 * layer Neurowire cannot represent is refused whole.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { importKerasModel, KerasImportError, type KerasImportResult } from '../../main/core/import/keras';
import { makeCustomLayer, registerCustomLayers } from '../../main/core/layers/custom';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { upgradeProject } from '../../main/core/project';
import { LAYER_SPECS } from '../../main/core/layers/registry';

const fixtures = path.resolve(__dirname, '../fixtures/import');
const readFixture = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Keras's GRU with reset_after: tfjs 4.22 lacks it; Neurowire's class, registered under 'GRU', reads it.
  registerCustomLayers(tf);
});

function imported(json: unknown): Extract<KerasImportResult, { project: unknown }> {
  const result = importKerasModel(json);
  if ('unknown' in result) throw new Error(`not imported: ${JSON.stringify(result.unknown)}`);
  return result;
}

/** The `{class_name, config}` tfjs's modelFromJSON reads, wherever the file keeps it. */
function topology(json: Record<string, unknown>): Record<string, unknown> {
  const t = (json.modelTopology ?? json) as Record<string, unknown>;
  return (t.model_config ?? t) as Record<string, unknown>;
}

async function tfjsCount(json: Record<string, unknown>): Promise<{ total: number; layers: Map<string, number> }> {
  const model = await tf.models.modelFromJSON(topology(json) as never);
  const layers = new Map(model.layers.map((l) => [l.name, l.countParams()]));
  const total = model.countParams();
  model.dispose();
  return { total, layers };
}

describe('parameter counts equal tfjs for the Keras 2 and tfjs fixtures', () => {
  // two-in-two-out.json is compared below: tfjs cannot read a Keras 2 functional model nested in another from JSON.
  it.each(['sequential-mlp.json', 'functional-cnn-skip.json', 'nested-sequential.model.json', 'gru-reset-after.json'])(
    '%s',
    async (file) => {
      const json = readFixture(file);
      const result = imported(json);
      const reference = await tfjsCount(json);
      expect(result.summary.errors).toEqual([]);
      expect(result.summary.totalParams).toBe(reference.total);
      // Layer by layer where tfjs has the same layer (a nested model is one layer there, several nodes here).
      for (const layer of result.summary.layers) {
        if (reference.layers.has(layer.name)) expect(layer.params, layer.name).toBe(reference.layers.get(layer.name));
      }
      // The project opens as a saved one would.
      expect(() => upgradeProject(JSON.parse(JSON.stringify(result.project)))).not.toThrow();
    },
    30_000,
  );
});

describe('what each fixture imports as', () => {
  it('a Sequential without InputLayer gets an input from the first layer\'s batch_input_shape; old spellings and dropped settings', () => {
    const result = imported(readFixture('sequential-mlp.json'));
    const [input, hidden, , hidden2] = result.project.graph.nodes;
    expect(input).toMatchObject({ kind: 'Input', name: 'hidden_input', params: { shape: [20] } });
    expect(hidden.params).toMatchObject({ units: 64, activation: 'relu', useBias: true });
    expect(hidden2.params.activation).toBe('hardSigmoid');
    expect(result.dropped).toEqual([{ layer: 'hidden', settings: ['kernel_regularizer=L1L2'] }]);
  });

  it('a skip connection keeps the Add inputs in the model\'s order, and layers are laid out left to right by depth', () => {
    const { project } = imported(readFixture('functional-cnn-skip.json'));
    const byName = new Map(project.graph.nodes.map((n) => [n.name, n]));
    expect(project.graph.edges.filter((e) => e.target === 'skip').map((e) => e.source)).toEqual(['conv_b', 'relu6']);
    expect(byName.get('relu6')!.params).toMatchObject({ maxValue: 6 });
    expect(byName.get('bn')!.params).toMatchObject({ axis: 3 });
    const x = (name: string) => byName.get(name)!.position.x;
    expect(x('image')).toBeLessThan(x('stem'));
    expect(x('conv_b')).toBeLessThan(x('skip'));
  });

  it('nested Sequential models are flattened into one chain', () => {
    const { project } = imported(readFixture('nested-sequential.model.json'));
    expect(project.graph.nodes.map((n) => n.name)).toEqual(['f1_input', 'f1', 'f2', 'h1', 'leaky', 'out']);
    expect(project.graph.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['f1_input>f1', 'f1>f2', 'f2>h1', 'h1>leaky', 'leaky>out']);
  });

  it('a Keras 3 file (batch_shape, module, registered_name, dtype policies) counts as tfjs counts the same layers', () => {
    const result = imported(readFixture('keras3-functional.json'));
    const pixels = tf.input({ shape: [28, 28, 1] });
    const a = tf.layers.flatten().apply(tf.layers.maxPooling2d({ poolSize: 2 }).apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(pixels))) as tf.SymbolicTensor;
    const b = tf.layers.globalMaxPooling2d({}).apply(tf.layers.conv2d({ filters: 4, kernelSize: 5 }).apply(pixels)) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10 }).apply(tf.layers.layerNormalization().apply(joined)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: pixels, outputs: out });
    expect(result.summary.totalParams).toBe(model.countParams());
    model.dispose();
    expect(result.project.graph.edges.filter((e) => e.target === 'joined').map((e) => e.source)).toEqual(['flatten', 'gmp']);
    expect(result.project.graph.nodes.find((n) => n.name === 'conv_b')!.params.activation).toBe('swish');
    expect(result.dropped).toEqual([]);
  });

  it('a Keras 3 Sequential: the input from build_input_shape, a mixed-precision dtype reported as dropped', () => {
    const policy = (name: string) => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });
    const json = {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: 'k3_seq',
        dtype: policy('float32'),
        layers: [
          { module: 'keras.layers', class_name: 'Dense', config: { name: 'a', units: 6, activation: 'gelu', dtype: policy('float32') }, registered_name: null },
          { module: 'keras.layers', class_name: 'Dense', config: { name: 'b', units: 2, dtype: policy('mixed_float16') }, registered_name: null },
        ],
        build_input_shape: [null, 5],
      },
      registered_name: null,
    };
    const result = imported(json);
    expect(result.project.graph.nodes[0]).toMatchObject({ kind: 'Input', name: 'a_input', params: { shape: [5] } });
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 6, inputShape: [5] }), tf.layers.dense({ units: 2 })] });
    expect(result.summary.totalParams).toBe(model.countParams());
    model.dispose();
    expect(result.dropped).toEqual([{ layer: 'b', settings: [expect.stringContaining('mixed_float16')] }]);
  });

  it('GRU keeps reset_after', () => {
    const { project } = imported(readFixture('gru-reset-after.json'));
    expect(project.graph.nodes.filter((n) => n.kind === 'GRU').map((n) => n.params.resetAfter)).toEqual([true, true]);
  });

  it('two inputs and two outputs, with a functional model used as a layer flattened in', () => {
    const { project, summary } = imported(readFixture('two-in-two-out.json'));
    // The same model built with tfjs, the encoder a model inside the model.
    const metaIn = tf.input({ shape: [12] });
    const encoder = tf.model({ inputs: metaIn, outputs: tf.layers.dense({ units: 8 }).apply(tf.layers.dense({ units: 16 }).apply(metaIn)) as tf.SymbolicTensor });
    const text = tf.input({ shape: [40] });
    const meta = tf.input({ shape: [12] });
    const words = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 16 }) as tf.RNN }).apply(tf.layers.embedding({ inputDim: 5000, outputDim: 32 }).apply(text)) as tf.SymbolicTensor;
    const shared = tf.layers.dense({ units: 32 }).apply(tf.layers.concatenate().apply([words, encoder.apply(meta) as tf.SymbolicTensor])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [text, meta], outputs: [tf.layers.dense({ units: 1 }).apply(shared) as tf.SymbolicTensor, tf.layers.dense({ units: 4 }).apply(shared) as tf.SymbolicTensor] });
    expect(summary.errors).toEqual([]);
    expect(summary.totalParams).toBe(model.countParams());
    model.dispose();
    const analysis = analyzeGraph(project.graph);
    expect(analysis.inputIds.sort()).toEqual(['meta', 'text']);
    expect(analysis.outputIds.sort()).toEqual(['department', 'priority']);
    expect(project.graph.edges.filter((e) => e.target === 'joined').map((e) => e.source)).toEqual(['bidi', 'enc_2']);
    expect(project.graph.nodes.find((n) => n.name === 'bidi')!.params).toMatchObject({ layer: { kind: 'LSTM', params: { units: 16 } }, mergeMode: 'concat' });
  });

  it('refuses a model with layers it cannot represent, listing every one and writing nothing', () => {
    const result = importKerasModel(readFixture('unknown-layer.json'));
    expect('project' in result).toBe(false);
    expect('unknown' in result && result.unknown).toEqual([
      { name: 'causal', className: 'Conv1D', reason: expect.stringContaining('causal') },
      { name: 'scale', className: 'Lambda' },
      { name: 'my_block', className: 'MyAttentionBlock' },
    ]);
  });
});

describe('models serialized by tfjs itself', () => {
  it('a model using many kinds, written by model.toJSON(), imports with tfjs\'s parameter count', () => {
    const image = tf.input({ shape: [16, 16, 3], name: 'image' });
    let x = tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]] }).apply(image) as tf.SymbolicTensor;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reshape({ targetShape: [32, 28 * 4] }).apply(x) as tf.SymbolicTensor;
    const seq = tf.input({ shape: [12, 5], name: 'seq' });
    let y = tf.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same' }).apply(seq) as tf.SymbolicTensor;
    y = tf.layers.maxPooling1d({ poolSize: 2 }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 7 }) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.simpleRNN({ units: 9, returnSequences: true }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
    y = tf.layers.globalAveragePooling1d().apply(y) as tf.SymbolicTensor;
    const gate = tf.layers.activation({ activation: 'sigmoid' }).apply(tf.layers.dense({ units: 9 }).apply(y)) as tf.SymbolicTensor;
    const gated = tf.layers.multiply().apply([y, gate]) as tf.SymbolicTensor;
    const flat = tf.layers.globalMaxPooling1d().apply(x) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([flat, gated]) as tf.SymbolicTensor;
    const out = tf.layers.softmax().apply(tf.layers.dense({ units: 3 }).apply(tf.layers.leakyReLU({ alpha: 0.1 }).apply(tf.layers.dropout({ rate: 0.2 }).apply(joined)))) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [image, seq], outputs: out });
    const json = model.toJSON(undefined, false) as Record<string, unknown>;
    const result = imported(json);
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.totalParams).toBe(model.countParams());
    for (const layer of model.layers) {
      const row = result.summary.layers.find((l) => l.name === layer.name);
      expect(row?.params, layer.name).toBe(layer.countParams());
    }
    model.dispose();
  });

  it('more kinds, Neurowire\'s own Keras-named classes among them (MultiHeadAttention, UpSampling1D…), round-trip through toJSON', () => {
    const custom = (className: string, config: Record<string, unknown>) => makeCustomLayer(tf, className, config);
    const seq = tf.input({ shape: [10, 6], name: 'seq' });
    let x = tf.layers.gru({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(seq) as tf.SymbolicTensor;
    x = custom('UpSampling1D', { size: 2 }).apply(x) as tf.SymbolicTensor;
    x = custom('ZeroPadding1D', { padding: [1, 2] }).apply(x) as tf.SymbolicTensor;
    x = custom('Cropping1D', { cropping: [2, 1] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.spatialDropout1d({ rate: 0.1 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.averagePooling1d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
    const attended = custom('MultiHeadAttention', { numHeads: 2, keyDim: 4, valueDim: 3 }).apply([x, x]) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization().apply(custom('Subtract', {}).apply([attended, x])) as tf.SymbolicTensor;
    x = tf.layers.permute({ dims: [2, 1] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.repeatVector({ n: 4 }).apply(tf.layers.prelu({}).apply(tf.layers.elu().apply(x))) as tf.SymbolicTensor;
    const image = tf.input({ shape: [9, 9, 2], name: 'image' });
    let y = tf.layers.cropping2D({ cropping: [[1, 0], [2, 1]] }).apply(image) as tf.SymbolicTensor;
    y = custom('SpatialDropout2D', { rate: 0.1 }).apply(tf.layers.gaussianNoise({ stddev: 0.1 }).apply(y)) as tf.SymbolicTensor;
    y = tf.layers.globalAveragePooling2d({}).apply(tf.layers.gaussianDropout({ rate: 0.1 }).apply(y)) as tf.SymbolicTensor;
    y = custom('ActivityRegularization', { l1: 0.01, l2: 0 }).apply(tf.layers.dense({ units: 5 }).apply(y)) as tf.SymbolicTensor;
    const ids = tf.input({ shape: [4], name: 'ids' });
    const embedded = tf.layers.embedding({ inputDim: 50, outputDim: 5 }).apply(ids) as tf.SymbolicTensor;
    const scores = tf.layers.dot({ axes: [2, 2] }).apply([x, embedded]) as tf.SymbolicTensor;
    const out = tf.layers.concatenate().apply([tf.layers.flatten().apply(scores) as tf.SymbolicTensor, y]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [seq, image, ids], outputs: out });
    const result = imported(model.toJSON(undefined, false));
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.totalParams).toBe(model.countParams());
    for (const layer of model.layers) {
      const row = result.summary.layers.find((l) => l.name === layer.name);
      expect(row?.params, layer.name).toBe(layer.countParams());
    }
    // Self-attention: the query and the value are the same tensor, two connections in the attention's input order.
    const mha = result.project.graph.nodes.find((n) => n.kind === 'MultiHeadAttention')!;
    expect(result.project.graph.edges.filter((e) => e.target === mha.id)).toHaveLength(2);
    model.dispose();
  });

  it('an LSTM with millions of parameters imports without building weights', () => {
    const units = 1024;
    const features = 512;
    const json = {
      class_name: 'Sequential',
      config: { name: 'big', layers: [{ class_name: 'LSTM', config: { name: 'lstm', units, batch_input_shape: [null, 100, features], recurrent_activation: 'sigmoid' } }] },
    };
    const started = performance.now();
    const result = imported(json);
    expect(performance.now() - started).toBeLessThan(2000);
    // tfjs's LSTM: kernel [features, 4u], recurrent kernel [u, 4u], bias [4u].
    expect(result.summary.totalParams).toBe(features * 4 * units + units * 4 * units + 4 * units);
    expect(result.summary.totalParams).toBeGreaterThan(3_000_000);
  });
});

describe('attention inputs passed by keyword', () => {
  const inputs = [
    { class_name: 'InputLayer', name: 'q', config: { name: 'q', batch_input_shape: [null, 5, 8] }, inbound_nodes: [] },
    { class_name: 'InputLayer', name: 'v', config: { name: 'v', batch_input_shape: [null, 7, 6] }, inbound_nodes: [] },
  ];
  const model = (call: unknown) => ({
    class_name: 'Functional',
    config: {
      name: 'cross',
      layers: [...inputs, { class_name: 'MultiHeadAttention', name: 'mha', config: { name: 'mha', num_heads: 2, key_dim: 4 }, inbound_nodes: [call] }],
      input_layers: [['q', 0, 0], ['v', 0, 0]],
      output_layers: [['mha', 0, 0]],
    },
  });
  const keras3Tensor = (layer: string) => ({ class_name: '__keras_tensor__', config: { keras_history: [layer, 0, 0] } });

  it.each([
    ['Keras 2 (value in the first tensor\'s kwargs)', [['q', 0, 0, { value: ['v', 0, 0] }]]],
    ['Keras 3 (query positional, value keyword)', { args: [keras3Tensor('q')], kwargs: { value: keras3Tensor('v') } }],
    ['Keras 3 (all keywords)', { args: [], kwargs: { value: keras3Tensor('v'), query: keras3Tensor('q') } }],
  ])('%s: query first, then value, and the count of Neurowire\'s attention class', (_label, call) => {
    const result = imported(model(call));
    expect(result.project.graph.edges.map((e) => e.source)).toEqual(['q', 'v']);
    const q = tf.input({ shape: [5, 8] });
    const v = tf.input({ shape: [7, 6] });
    const mha = makeCustomLayer(tf, 'MultiHeadAttention', { numHeads: 2, keyDim: 4 });
    const built = tf.model({ inputs: [q, v], outputs: mha.apply([q, v]) as tf.SymbolicTensor });
    expect(result.summary.totalParams).toBe(built.countParams());
    built.dispose();
  });
});

describe('refusals and odd files', () => {
  const dense = (name: string, extra: Record<string, unknown> = {}) => ({ class_name: 'Dense', config: { name, units: 2, ...extra } });

  it('a shared layer (called twice) and channels_first are refused with the reason', () => {
    const shared = {
      class_name: 'Model',
      config: {
        name: 'siamese',
        layers: [
          { class_name: 'InputLayer', name: 'a', config: { name: 'a', batch_input_shape: [null, 4] }, inbound_nodes: [] },
          { class_name: 'Dense', name: 'tower', config: { name: 'tower', units: 2 }, inbound_nodes: [[['a', 0, 0, {}]], [['a', 0, 0, {}]]] },
        ],
        input_layers: [['a', 0, 0]],
        output_layers: [['tower', 0, 0]],
      },
    };
    const result = importKerasModel(shared);
    expect('unknown' in result && result.unknown[0]).toMatchObject({ name: 'tower', reason: expect.stringContaining('called 2 times') });
    const channelsFirst = { class_name: 'Sequential', config: { layers: [{ class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: 3, data_format: 'channels_first', batch_input_shape: [null, 3, 8, 8] } }] } };
    const refused = importKerasModel(channelsFirst);
    expect('unknown' in refused && refused.unknown[0].reason).toContain('channels_first');
  });

  it('an activation Neurowire lacks is a refusal, not a silent change', () => {
    const result = importKerasModel({ class_name: 'Sequential', config: { layers: [dense('d', { activation: 'exponential', batch_input_shape: [null, 3] })] } });
    expect('unknown' in result && result.unknown[0]).toMatchObject({ name: 'd', className: 'Dense', reason: expect.stringContaining('exponential') });
  });

  it('files that are not layers models throw a KerasImportError that says what they are', () => {
    expect(() => importKerasModel({ format: 'graph-model', modelTopology: { node: [] } })).toThrow(/graph model/);
    expect(() => importKerasModel({ format: 'neurowire-project' })).toThrow(KerasImportError);
    expect(() => importKerasModel(dense('alone'))).toThrow(/not a Sequential or functional model/);
  });

  it('every kind that has a keras field names a class no other kind claims', () => {
    const claimed = LAYER_SPECS.flatMap((s) => [s.keras?.className ?? []].flat());
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBeGreaterThanOrEqual(30);
  });
});

describe('opening a model as a project', () => {
  it('says it is a Keras or tfjs model and how to import it, instead of only "not a Neurowire project"', () => {
    for (const file of ['nested-sequential.model.json', 'sequential-mlp.json']) {
      expect(() => upgradeProject(readFixture(file), file)).toThrow(/is a Keras or TensorFlow\.js model.*npm run import/);
    }
  });
});
