import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTraining } from '../../main/node/training/run';
import { DatasetChoiceSchema, emptyProject, TrainingConfigSchema, type Project } from '../../main/core/project';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';
import type { BackendInfo } from '../../main/core/api/contract';

// Each kind of network the product offers trains on the WebAssembly CPU backend, through the real worker.

function layer(id: string, kind: string, params: Record<string, unknown> = {}) {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}

function project(name: string, nodes: ReturnType<typeof layer>[], dataset: unknown, epochs: number, lr = 0.01): Project {
  return {
    ...emptyProject(name),
    graph: { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) },
    dataset: DatasetChoiceSchema.parse(dataset),
    training: TrainingConfigSchema.parse({ epochs, batchSize: 32, learningRate: lr, optimizer: 'adam', seed: 7 }),
  };
}

async function train(p: Project) {
  let backend: BackendInfo | null = null;
  const run = startTraining(p, (e) => {
    if (e.type === 'started') backend = e.backend;
  }, { backend: 'wasm' });
  const result = await run.done;
  expect(result.status, result.error).toBe('completed');
  expect(backend!.name).toBe('wasm');
  return result;
}

describe('training on wasm', () => {
  it('a CNN (Conv2D, MaxPooling2D) on MNIST: validation loss falls', async () => {
    const p = project(
      'cnn',
      [
        layer('input_1', 'Input', { shape: [28, 28, 1] }),
        layer('conv2d_1', 'Conv2D', { filters: 8, kernelSize: [3, 3] }),
        layer('pool_1', 'MaxPooling2D'),
        layer('flatten_1', 'Flatten'),
        layer('dense_1', 'Dense', { units: 10, activation: 'softmax' }),
      ],
      { source: { type: 'builtin', name: 'mnist' }, validationFraction: 0.45, testFraction: 0.45, splitSeed: 1 },
      2,
    );
    const r = await train(p);
    expect(r.history[1].valLoss!).toBeLessThan(r.history[0].valLoss!);
    expect(r.test!.acc).toBeGreaterThan(0.7);
  });

  it('an LSTM on the noisy sine series: validation error falls', async () => {
    const p = project(
      'lstm',
      [layer('input_1', 'Input', { shape: [24, 1] }), layer('lstm_1', 'LSTM', { units: 16 }), layer('dense_1', 'Dense', { units: 1, activation: 'linear' })],
      { source: { type: 'builtin', name: 'sine', samples: 600, noise: 0.05 }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 1 },
      4,
    );
    const r = await train(p);
    expect(r.history[3].valLoss!).toBeLessThan(r.history[0].valLoss!);
  });

  it('an Embedding model on a text CSV: training loss falls', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-wasm-text-'));
    const rows = ['text,label'];
    for (let i = 0; i < 300; i++) rows.push(i % 2 ? `"bright sunny warm day ${i % 11}",good` : `"cold rainy grey night ${i % 13}",bad`);
    await fs.writeFile(path.join(dir, 'weather.csv'), rows.join('\n'));
    const p = project(
      'embedding',
      [
        layer('input_1', 'Input', { shape: [8] }),
        layer('embedding_1', 'Embedding', { inputDim: 64, outputDim: 8 }),
        layer('flatten_1', 'Flatten'),
        layer('dense_1', 'Dense', { units: 2, activation: 'softmax' }),
      ],
      { source: { type: 'text', path: path.join(dir, 'weather.csv'), textColumn: 'text', labelColumn: 'label', vocabSize: 64, sequenceLength: 8 }, validationFraction: 0.2, testFraction: 0.2, splitSeed: 1 },
      3,
    );
    const r = await train(p);
    expect(r.history[2].loss).toBeLessThan(r.history[0].loss);
    expect(r.test!.acc).toBeGreaterThan(0.9);
  });
});
