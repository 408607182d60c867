/**
 * Stateful recurrent layers (LSTM, GRU, SimpleRNN with Stateful on) and the fixed batch size they need on the Input:
 * analysis and its fix, the compiled model's carried states, training through the real job (samples in order, full
 * batches, states reset every epoch), the saved model.json, and the Keras import.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { applyFix } from '../../main/core/graph/edits';
import { compileGraph } from '../../main/core/compile';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { importKerasModel } from '../../main/core/import/keras';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { emptyProject, TrainingConfigSchema, DatasetChoiceSchema, type Graph, type Project } from '../../main/core/project';
import { runTrainingJob } from '../../main/core/training/job';
import type { SplitData, TrainingData } from '../../main/core/training/types';
import type { TrainingEvent } from '../../main/core/api/contract';
import { openDataset } from '../../main/node/datasets';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCustomLayers(tf);
});

type NodeRow = [id: string, kind: string, params?: Record<string, unknown>];

function graph(nodes: NodeRow[]): Graph {
  const built = nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: i * 240, y: 0 } }));
  return { nodes: built, edges: built.slice(1).map((n, i) => ({ id: `e${i}`, source: built[i].id, target: n.id })) };
}

/** Input [24, 1] (windows of the sine series) → recurrent layer → Dense(1). */
function sequenceModel(kind: string, layer: Record<string, unknown>, batchSize = 0): Graph {
  return graph([
    ['input_1', 'Input', { shape: [24, 1], batchSize }],
    ['rnn_1', kind, { units: 8, ...layer }],
    ['dense_1', 'Dense', { units: 1, activation: 'linear' }],
  ]);
}

describe('analysis of stateful layers', () => {
  it('asks for a fixed batch on the Input, naming both, and the fix sets it to the training batch size', () => {
    const g = sequenceModel('LSTM', { stateful: true });
    const a = analyzeGraph(g, undefined, [], { batchSize: 16 });
    expect(a.valid).toBe(false);
    const problem = "rnn_1 is stateful: it carries each sample's state to the next batch, so it needs a fixed batch size — set Batch size on input_1 (e.g. 16, the training batch size).";
    expect(a.nodes.rnn_1.errors).toEqual([problem]);
    const fix = a.nodes.rnn_1.fixes.find((f) => f.problem === problem)!;
    expect(fix.label).toBe('Set Batch size on input_1 to 16');
    const fixed = applyFix(g, fix);
    if (!fixed.ok) throw new Error(fixed.error);
    expect(fixed.graph.nodes[0].params.batchSize).toBe(16);
    const after = analyzeGraph(fixed.graph, undefined, [], { batchSize: 16 });
    expect(after.valid).toBe(true);
    expect(Object.values(after.nodes).flatMap((n) => [...n.errors, ...n.warnings])).toEqual([]);
    // Without a known training batch size it suggests 32.
    expect(analyzeGraph(g).nodes.rnn_1.errors[0]).toMatch(/set Batch size on input_1 \(e\.g\. 32\)\.$/);
  });

  it.each(['GRU', 'SimpleRNN'])('%s asks for it too; not stateful, nothing is asked', (kind) => {
    expect(analyzeGraph(sequenceModel(kind, { stateful: true })).nodes.rnn_1.errors[0]).toMatch(/^rnn_1 is stateful/);
    expect(analyzeGraph(sequenceModel(kind, {})).valid).toBe(true);
  });

  it('warns when the fixed batch is not the training batch size, with the fix', () => {
    const a = analyzeGraph(sequenceModel('LSTM', { stateful: true }, 8), undefined, [], { batchSize: 16 });
    expect(a.nodes.input_1.warnings[0]).toBe(
      'input_1: its Batch size is 8 but training uses batches of 16, so training would refuse to start — set Batch size to 16 (or the training batch size to 8).',
    );
    expect(a.nodes.input_1.fixes[0].edits).toEqual([{ op: 'setParams', node: 'input_1', params: { batchSize: 16 } }]);
  });

  it('refuses a stateful layer inside a Bidirectional', () => {
    const g = graph([
      ['input_1', 'Input', { shape: [10, 1], batchSize: 4 }],
      ['bi', 'Bidirectional', { layer: { kind: 'LSTM', params: { units: 3, stateful: true } } }],
    ]);
    expect(analyzeGraph(g).nodes.bi.errors[0]).toBe('bi: the LSTM inside this wrapper cannot be stateful — turn off Stateful in its layer settings.');
  });
});

describe('compiled stateful model', () => {
  it('carries each sample\'s state to the next batch until resetStates', () => {
    // Short sequences: over many steps the carried state's effect on the output fades.
    const model = compileGraph(tf, graph([['input_1', 'Input', { shape: [2, 1], batchSize: 4 }], ['rnn_1', 'LSTM', { units: 8, stateful: true }]]));
    expect(model.inputs[0].shape).toEqual([4, 2, 1]);
    expect(model.stateful).toBe(true);
    const x = tf.randomNormal([4, 2, 1], 0, 1, 'float32', 1);
    const first = (model.predict(x) as tf.Tensor).dataSync().slice();
    const second = (model.predict(x) as tf.Tensor).dataSync().slice();
    expect(Math.max(...first.map((v, i) => Math.abs(v - second[i])))).toBeGreaterThan(1e-4);
    model.resetStates();
    const again = (model.predict(x) as tf.Tensor).dataSync();
    expect(Math.max(...first.map((v, i) => Math.abs(v - again[i])))).toBeLessThan(1e-6);
  });
});

describe('training a stateful LSTM through the training job', () => {
  /** The builtin sine series with every batch read recorded (which split, which samples), and resetStates calls. */
  async function train(batchSize: number, inputBatch: number) {
    const data = await openDataset(DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'sine', samples: 200 }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 1 }));
    const calls: string[] = [];
    const trainReads: number[][] = [];
    const recorded = (name: string, split: SplitData): SplitData => ({
      ...split,
      getBatch: (indices) => {
        calls.push(name);
        if (name === 'train') trainReads.push(Array.from(indices));
        return split.getBatch(indices);
      },
    });
    const recordedData: TrainingData = { ...data, train: recorded('train', data.train), validation: recorded('val', data.validation), test: recorded('test', data.test) };
    const project: Project = {
      ...emptyProject('stateful'),
      graph: sequenceModel('LSTM', { stateful: true }, inputBatch),
      training: TrainingConfigSchema.parse({ epochs: 3, batchSize, learningRate: 0.01, optimizer: 'adam', seed: 5 }),
    };
    const logs: string[] = [];
    const result = await runTrainingJob(
      { runId: 'r', project },
      {
        selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'test', attempts: [] } }),
        loadData: async () => recordedData,
        emit: (e: TrainingEvent) => e.type === 'log' && logs.push(e.message),
        control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
        buildModel: (t) => {
          const model = compileGraph(t, project.graph);
          const reset = model.resetStates.bind(model);
          model.resetStates = () => (calls.push('reset'), reset());
          return model;
        },
      },
    );
    return { result, calls, trainReads, logs, data };
  }

  it('trains in order, in full batches, resetting the states every epoch and before each evaluation', async () => {
    const { result, calls, trainReads, logs, data } = await train(12, 12);
    expect(result.status, result.error).toBe('completed');
    expect(data.train.count).toBe(160); // 4 more than 13 batches of 12
    expect(trainReads).toHaveLength(3 * 13);
    trainReads.forEach((indices, k) => expect(indices).toEqual(Array.from({ length: 12 }, (_, i) => (k % 13) * 12 + i)));
    expect(logs).toContain(
      'Batches of exactly 12 samples (the fixed batch size of input_1): the last 4 training samples are left out of every epoch. Validation and test run in batches of 12 too; their last batch is filled up with copies of its last sample, whose predictions are not counted.',
    );
    // Every epoch: reset, its batches, reset, validation (20 samples: 12, then 8 padded to 12); then reset and the test set.
    const epoch = ['reset', ...Array<string>(13).fill('train'), 'reset', 'val', 'val'];
    expect(calls.slice(0, 3 * epoch.length)).toEqual([...epoch, ...epoch, ...epoch]);
    expect(calls.slice(3 * epoch.length, 3 * epoch.length + 3)).toEqual(['reset', 'test', 'test']);
    // It learns: the last epoch's loss is below the first's, and the test set is scored on every sample.
    expect(result.history[2].loss).toBeLessThan(result.history[0].loss);
    expect(result.evaluation?.samples).toBe(data.test.count);
    expect(Number.isFinite(result.evaluation?.loss)).toBe(true);

    // The saved model.json loads in tfjs with the fixed batch and the stateful layer.
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(result.artifacts!));
    expect(loaded.inputs[0].shape).toEqual([12, 24, 1]);
    expect(loaded.stateful).toBe(true);
    expect((loaded.predict(tf.zeros([12, 24, 1])) as tf.Tensor).shape).toEqual([12, 1]);
  }, 120_000);

  it('refuses a training batch size that differs from the Input\'s, naming both', async () => {
    const { result } = await train(8, 16);
    expect(result.status).toBe('failed');
    expect(result.error).toBe("The network's Input input_1 has a fixed batch size of 16, but training uses batches of 8 — set the training batch size to 16, or the Batch size of input_1 to 8.");
  }, 60_000);
});

describe('Keras import of stateful layers', () => {
  it('keeps stateful and the fixed batch of batch_input_shape (Sequential, no InputLayer)', () => {
    const json = {
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          { class_name: 'LSTM', config: { name: 'lstm', units: 4, stateful: true, batch_input_shape: [8, 10, 1] } },
          { class_name: 'Dense', config: { name: 'dense', units: 1 } },
        ],
      },
    };
    const imported = importKerasModel(json);
    if (!('project' in imported)) throw new Error(JSON.stringify(imported));
    const nodes = imported.project.graph.nodes;
    expect(nodes.find((n) => n.kind === 'Input')!.params).toMatchObject({ shape: [10, 1], batchSize: 8 });
    expect(nodes.find((n) => n.kind === 'LSTM')!.params.stateful).toBe(true);
    expect(analyzeGraph(imported.project.graph).valid).toBe(true);
  });

  it('refuses a stateful layer inside a Bidirectional, naming it', () => {
    const json = {
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          { class_name: 'Bidirectional', config: { name: 'bi', batch_input_shape: [8, 10, 1], layer: { class_name: 'LSTM', config: { name: 'l', units: 4, stateful: true } } } },
        ],
      },
    };
    const imported = importKerasModel(json);
    expect('unknown' in imported && imported.unknown[0]).toMatchObject({ name: 'bi', reason: expect.stringContaining('its wrapped LSTM is stateful') });
  });

  it('keeps batch_shape of an InputLayer (Keras 3)', () => {
    const json = {
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_shape: [4, 5, 2] }, inbound_nodes: [] },
          { class_name: 'GRU', name: 'gru', config: { name: 'gru', units: 3, stateful: true, reset_after: true }, inbound_nodes: [[['in', 0, 0, {}]]] },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['gru', 0, 0]],
      },
    };
    const imported = importKerasModel(json);
    if (!('project' in imported)) throw new Error(JSON.stringify(imported));
    const nodes = imported.project.graph.nodes;
    expect(nodes.find((n) => n.kind === 'Input')!.params).toMatchObject({ shape: [5, 2], batchSize: 4 });
    expect(nodes.find((n) => n.kind === 'GRU')!.params.stateful).toBe(true);
    expect(analyzeGraph(imported.project.graph).valid).toBe(true);
  });
});
