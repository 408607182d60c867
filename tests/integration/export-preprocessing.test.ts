import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTraining } from '../../main/node/training/run';
import { exportTrainedModel, PREPROCESSING_FILE, PROJECT_FILE } from '../../main/node/export';
import { DatasetChoiceSchema, emptyProject, parseProject, TrainingConfigSchema, type Project } from '../../main/core/project';
import { defaultParams } from '../../main/core/layers/params';
import { requireLayerSpec } from '../../main/core/layers/registry';

function layer(id: string, kind: string, params: Record<string, unknown> = {}) {
  return { id, kind, name: id, params: { ...defaultParams(requireLayerSpec(kind).params), ...params }, position: { x: 0, y: 0 } };
}

function chain(nodes: ReturnType<typeof layer>[]): Project['graph'] {
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

async function trainAndExport(project: Project): Promise<{ dir: string; pre: any; exported: Project }> {
  const logs: string[] = [];
  const run = startTraining(project, (e) => e.type === "log" && logs.push(e.message));
  const result = await run.done;
  expect(result.status, result.error).toBe("completed");
  expect(result.artifacts, logs.join("\n")).toBeDefined();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-export-pre-'));
  const { files } = await exportTrainedModel({ project, artifacts: result.artifacts!, dir });
  expect(files).toContain(PREPROCESSING_FILE);
  const pre = JSON.parse(await fs.readFile(path.join(dir, PREPROCESSING_FILE), 'utf8'));
  const exported = parseProject(await fs.readFile(path.join(dir, PROJECT_FILE), 'utf8'));
  return { dir, pre, exported };
}

describe('an exported model says how to feed it', () => {
  it('tabular: column order, standardization stats from the training split, category lists and class names', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-csv-'));
    const rows = ['size,color,kind'];
    for (let i = 0; i < 200; i++) rows.push(`${(i % 50) + 10},${i % 3 === 0 ? 'red' : 'blue'},${i % 50 < 25 ? 'small' : 'large'}`);
    const file = path.join(dir, 'things.csv');
    await fs.writeFile(file, rows.join('\n'));
    const project: Project = {
      ...emptyProject('Things'),
      graph: chain([layer('input_1', 'Input', { shape: [3] }), layer('dense_1', 'Dense', { units: 8 }), layer('dense_2', 'Dense', { units: 2, activation: 'softmax' })]),
      dataset: DatasetChoiceSchema.parse({ source: { type: 'csv', path: file, labelColumn: 'kind' }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 3 }),
      training: TrainingConfigSchema.parse({ epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'adam', seed: 1 }),
    };
    const { pre } = await trainAndExport(project);
    expect(pre).toMatchObject({ task: 'classification', classNames: ['large', 'small'], inputShape: [3] });
    expect(pre.preprocessing.kind).toBe('tabular');
    const [size, color] = pre.preprocessing.features;
    expect(size).toMatchObject({ column: 'size', type: 'numeric' });
    expect(size.mean).toBeGreaterThan(25);
    expect(size.mean).toBeLessThan(45);
    expect(size.std).toBeGreaterThan(10);
    expect(color).toMatchObject({ column: 'color', type: 'categorical', encoding: 'onehot', categories: ['blue', 'red'] });
  });

  it('text: the vocabulary training built is saved in the exported project and beside the model', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-text-'));
    const rows = ['review,sentiment'];
    for (let i = 0; i < 120; i++) rows.push(i % 2 ? `"great lovely film ${i % 7}",pos` : `"awful boring film ${i % 5}",neg`);
    const file = path.join(dir, 'reviews.csv');
    await fs.writeFile(file, rows.join('\n'));
    const project: Project = {
      ...emptyProject('Reviews'),
      graph: chain([
        layer('input_1', 'Input', { shape: [6] }),
        layer('embedding_1', 'Embedding', { inputDim: 50, outputDim: 4 }),
        layer('flatten_1', 'Flatten'),
        layer('dense_1', 'Dense', { units: 2, activation: 'softmax' }),
      ]),
      dataset: DatasetChoiceSchema.parse({
        source: { type: 'text', path: file, textColumn: 'review', labelColumn: 'sentiment', vocabSize: 50, sequenceLength: 6 },
        validationFraction: 0.1,
        testFraction: 0.1,
        splitSeed: 3,
      }),
      training: TrainingConfigSchema.parse({ epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'adam', seed: 1 }),
    };
    const { pre, exported } = await trainAndExport(project);
    expect(pre.preprocessing).toMatchObject({ kind: 'text', sequenceLength: 6, lowercase: true });
    expect(pre.preprocessing.vocabulary.slice(0, 2)).toHaveLength(2);
    expect(pre.preprocessing.vocabulary).toEqual(expect.arrayContaining(['great', 'awful', 'film']));
    const source = exported.dataset.source;
    expect(source.type === 'text' && source.vocabulary).toEqual(pre.preprocessing.vocabulary);
  });
});
