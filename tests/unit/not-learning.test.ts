import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bufferSplit } from '../../main/core/api/compute';
import type { TrainingEvent } from '../../main/core/api/contract';
import type { DatasetInfo } from '../../main/core/datasets';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { emptyProject, TrainingConfigSchema, type Project } from '../../main/core/project';
import { runTrainingJob } from '../../main/core/training/job';
import { notLearningWarning } from '../../main/core/training/loop';

const CLASSES = { task: 'classification' as const, numClasses: 10 };

describe('the "not learning" warning', () => {
  it('flags accuracy at chance level and names the likely cause', () => {
    expect(notLearningWarning({ epoch: 0, loss: 2.3, acc: 0.11, valAcc: 0.12 }, CLASSES, 10)).toBe(
      'Not learning: after epoch 1 the validation accuracy is 12 %, about what guessing among 10 classes gives (10 %). The learning rate 10 is probably too high: try 0.1 (0.001 suits Adam).',
    );
    expect(notLearningWarning({ epoch: 2, loss: 0.69, acc: 0.5 }, { task: 'classification', numClasses: 2 }, 1e-6)).toMatch(/after epoch 3 the accuracy is 50 %.*too low: try 0\.001/);
    expect(notLearningWarning({ epoch: 0, loss: 2.3, acc: 0.2 }, CLASSES, 0.001)).toMatch(/Check that the labels match the samples/);
  });

  it('stays quiet for a model that learns, and for regression', () => {
    expect(notLearningWarning({ epoch: 0, loss: 1.2, acc: 0.3, valAcc: 0.35 }, CLASSES, 0.001)).toBeNull();
    expect(notLearningWarning({ epoch: 0, loss: 0.6, acc: 0.6, valAcc: 0.62 }, { task: 'classification', numClasses: 2 }, 0.001)).toBeNull();
    expect(notLearningWarning({ epoch: 0, loss: 1, acc: 0, mae: 0.5 }, { task: 'regression', numClasses: 0 }, 10)).toBeNull();
  });

  it('the training job says it once when the labels cannot be learnt, and not when they can', async () => {
    const warnings = async (learnable: boolean) => {
      const n = 400;
      const x = new Float32Array(n * 4);
      const y = new Int32Array(n);
      let s = 7;
      const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 4; j++) x[i * 4 + j] = r() * 2 - 1;
        y[i] = learnable ? (x[i * 4] > 0 ? 1 : 0) + (x[i * 4 + 1] > 0 ? 2 : 0) : Math.floor(r() * 4);
      }
      const info: DatasetInfo = { id: 't', name: 'T', description: '', inputShape: [4], inputDType: 'float32', task: 'classification', numClasses: 4, outputSize: 4, classNames: ['a', 'b', 'c', 'd'] } as DatasetInfo;
      const split = (a: number, b: number) => bufferSplit({ count: b - a, x: x.subarray(a * 4, b * 4), y: y.subarray(a, b), labels: y.subarray(a, b) });
      const nodes = [['input_1', 'Input', { shape: [4] }], ['dense_1', 'Dense', { units: 16, activation: 'relu' }], ['dense_2', 'Dense', { units: 4, activation: 'softmax' }]] as const;
      const graphNodes = nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: i, y: 0 } }));
      const project: Project = {
        ...emptyProject('chance'),
        graph: { nodes: graphNodes, edges: graphNodes.slice(1).map((n, i) => ({ id: `e${i}`, source: graphNodes[i].id, target: n.id })) },
        training: TrainingConfigSchema.parse({ epochs: 4, batchSize: 32, learningRate: 0.02, optimizer: 'adam', seed: 3 }),
      };
      const logs: string[] = [];
      await tf.setBackend('cpu');
      const result = await runTrainingJob(
        { runId: 'r', project },
        {
          selectBackend: async () => ({ tf, info: { name: 'cpu', device: 'test', attempts: [] } }),
          loadData: async () => ({ info, train: split(0, 300), validation: split(300, 350), test: split(350, 400) }),
          emit: (e: TrainingEvent) => e.type === 'log' && logs.push(e.message),
          control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
        },
      );
      expect(result.status, result.error).toBe('completed');
      return logs.filter((m) => m.startsWith('Not learning'));
    };
    const random = await warnings(false);
    expect(random).toHaveLength(1);
    expect(random[0]).toMatch(/among 4 classes/);
    expect(await warnings(true)).toEqual([]);
  }, 60_000);
});
