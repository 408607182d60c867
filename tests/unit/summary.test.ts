/**
 * The model summary (main/core/graph/summary.ts): counts as tfjs has them (trainable and non-trainable), one row
 * per layer with what feeds it, and the text and Markdown forms people copy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseProject } from '../../main/core/project';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { compileGraph } from '../../main/core/compile';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { modelSummary, summaryMarkdown, summaryText } from '../../main/core/graph/summary';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCustomLayers(tf);
});

const template = (id: string) => parseProject(readFileSync(path.resolve(__dirname, '../../templates', `${id}.json`), 'utf8'), id);
const size = (ws: tf.LayerVariable[]) => ws.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);

describe('model summary', () => {
  it('splits the parameters like tfjs: BatchNormalization\'s moving statistics are not trainable', () => {
    const project = template('mnist-resnet');
    const analysis = analyzeGraph(project.graph);
    const summary = modelSummary(project.graph, analysis, project.training);
    const model = compileGraph(tf, project.graph);
    expect(summary.totalParams).toBe(model.countParams());
    expect(summary.trainableParams).toBe(size(model.trainableWeights));
    expect(summary.nonTrainableParams).toBe(size(model.nonTrainableWeights));
    expect(summary.nonTrainableParams).toBeGreaterThan(0);
    // One row per layer, each after the layers that feed it, each with its tfjs output shape.
    expect(summary.rows.map((r) => r.name).sort()).toEqual(model.layers.map((l) => l.name).sort());
    summary.rows.forEach((r, i) => {
      for (const source of r.connectedTo) expect(summary.rows.findIndex((x) => x.name === source)).toBeLessThan(i);
    });
    for (const layer of model.layers) {
      const shape = (layer.outputShape as (number | null)[]).map((d) => (d === null ? 'None' : String(d))).join(', ');
      expect(summary.rows.find((r) => r.name === layer.name)!.outputShape).toBe(`(${shape})`);
    }
    // A skip connection: the Add is connected to both of its inputs.
    const add = summary.rows.find((r) => r.kind === 'Add')!;
    expect(add.connectedTo).toHaveLength(2);
    model.dispose();
  });

  it('names another output than the main one it is connected to', () => {
    const graph = {
      nodes: [
        { id: 'in', kind: 'Input', name: 'steps', params: { shape: [6, 2] }, position: { x: 0, y: 0 } },
        { id: 'enc', kind: 'LSTM', name: 'encoder', params: { units: 4, returnState: true }, position: { x: 0, y: 0 } },
        { id: 'dec', kind: 'LSTM', name: 'decoder', params: { units: 4 }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'a', source: 'in', target: 'enc' },
        { id: 'b', source: 'in', target: 'dec' },
        { id: 'c', source: 'enc', target: 'dec', sourcePort: 1 },
        { id: 'd', source: 'enc', target: 'dec', sourcePort: 2 },
      ],
    };
    const summary = modelSummary(graph, analyzeGraph(graph), { batchSize: 32, optimizer: 'adam', momentum: 0 });
    expect(summary.rows.find((r) => r.name === 'decoder')!.connectedTo).toEqual(['steps', 'encoder[state h]', 'encoder[state c]']);
  });

  it('prints as a fixed-width table and as Markdown, with the totals and one batch\'s training memory', () => {
    const project = template('mnist-mlp');
    const summary = modelSummary(project.graph, analyzeGraph(project.graph), project.training);
    const text = summaryText(summary);
    const lines = text.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^Layer \(type\)\s+Output Shape\s+Param #\s+Connected to$/);
    expect(text).toContain(`Total params: ${summary.totalParams.toLocaleString('en-US')}`);
    expect(text).toMatch(new RegExp(`Training memory for one batch of ${project.training.batchSize}: about [\\d.]+ MB`));
    // Every table row is as wide as the rules: columns line up.
    const rule = lines[0].length;
    for (const row of lines.slice(3, 3 + summary.rows.length)) expect(row.length).toBeLessThanOrEqual(rule);
    const md = summaryMarkdown(summary);
    expect(md.split('\n')[1]).toBe('| --- | --- | ---: | --- |');
    expect(md.split('\n').filter((l) => l.startsWith('| ')).length).toBe(2 + summary.rows.length);
    expect(md).toContain(`- Trainable params: ${summary.trainableParams.toLocaleString('en-US')}`);
  });
});
