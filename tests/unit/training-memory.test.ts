import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { DEFAULT_TRAINING, emptyProject, type Project } from '../../main/core/project';
import { runTrainingJob } from '../../main/core/training/job';
import { checkTrainingMemory, estimateTrainingMemory } from '../../main/core/training/memory';

const GB = 1024 ** 3;

function chain(specs: [string, string, Record<string, unknown>?][]): Project['graph'] {
  const nodes = specs.map(([name, kind, params], i) => ({ id: name, kind, name, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: i, y: 0 } }));
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

const huge = chain([
  ['input_1', 'Input', { shape: [5000, 5000] }],
  ['flatten_1', 'Flatten'],
  ['dense_1', 'Dense', { units: 128 }],
]);

describe('training memory', () => {
  it('counts weights with their gradients and optimizer slots, and one batch of activations', () => {
    const g = chain([['input_1', 'Input', { shape: [784] }], ['dense_1', 'Dense', { units: 128 }], ['dense_2', 'Dense', { units: 10, activation: 'softmax' }]]);
    const adam = estimateTrainingMemory(g, analyzeGraph(g), { ...DEFAULT_TRAINING, batchSize: 32, optimizer: 'adam' });
    expect(adam.weightBytes).toBe(101_770 * 4 * 4);
    expect(adam.activationBytes).toBe((784 + 128 + 10) * 32 * 4 * 2);
    const sgd = estimateTrainingMemory(g, analyzeGraph(g), { ...DEFAULT_TRAINING, optimizer: 'sgd', momentum: 0 });
    expect(sgd.weightBytes).toBe(101_770 * 4 * 2);
    expect(() => checkTrainingMemory(g, analyzeGraph(g), DEFAULT_TRAINING, 1 * GB)).not.toThrow();
  });

  it('refuses Input [5000, 5000] → Flatten → Dense(128) on a 24 GB machine, with the numbers and the layer to shrink', () => {
    expect(() => checkTrainingMemory(huge, analyzeGraph(huge), DEFAULT_TRAINING, 24 * GB)).toThrow(
      /too big to train on this machine: it needs about 59\.6 GB \(weights, gradients and optimizer state 47\.7 GB; one batch of activations 11\.9 GB\), more than half of its 24\.0 GB of memory\. Make dense_1 smaller \(it has 3,200,000,128 parameters\)/,
    );
  });

  it('blames the batch size when activations, not weights, are the problem', () => {
    const g = chain([['input_1', 'Input', { shape: [512, 512, 3] }], ['conv2d_1', 'Conv2D', { filters: 64, kernelSize: [3, 3], padding: 'same' }]]);
    expect(() => checkTrainingMemory(g, analyzeGraph(g), { ...DEFAULT_TRAINING, batchSize: 1024 }, 24 * GB)).toThrow(/Lower the batch size \(now 1024\) or make conv2d_1's output smaller/);
  });

  it('the training job refuses such a network before building anything', async () => {
    let built = false;
    const logs: string[] = [];
    const result = await runTrainingJob(
      { runId: 'r', project: { ...emptyProject('huge'), graph: huge } },
      {
        selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'test', attempts: [] } }),
        loadData: async () => {
          throw new Error('the data is not needed to refuse this network');
        },
        buildModel: () => {
          built = true;
          throw new Error('must not be built');
        },
        memoryBytes: 24 * GB,
        emit: (e) => e.type === 'log' && logs.push(e.message),
        control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
      },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/too big to train/);
    expect(built).toBe(false);
  });
});
