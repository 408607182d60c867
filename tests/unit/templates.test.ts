import { afterAll, describe, expect, it } from 'vitest';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseProject, type Project, type ProjectNode } from '../../main/core/project';
import { analyzeGraph, incomingEdges } from '../../main/core/graph/analyze';
import { datasetInfoFor, targetOf, type DatasetInfo } from '../../main/core/datasets';
import { api, type TemplateInfo } from '../../main/core/api/contract';
import { requireLayerSpec } from '../../main/core/layers/registry';
import { inspectDataset, listDatasets, openDataset } from '../../main/node/datasets';
import { withDataBeside } from '../../main/node/projectFiles';
import { compileGraph } from '../../main/core/compile';
import { Engine } from '../../main/node/engine';
import { BOX_HEIGHT, BOX_WIDTH, graphThumbnail } from '../../renderer/src/components/graphThumbnail';

const dir = path.resolve(__dirname, '../../templates');
const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
const read = (file: string): Project => parseProject(readFileSync(path.join(dir, file), 'utf8'), file);

/** A canvas node is at most 210 px wide and about 90 px tall (styles.css .layer-node): closer boxes overlap. */
const MIN_DX = 200;
const MIN_DY = 100;

/**
 * What every description states: its measured test accuracy (test MAE for regression) and the epochs, or why it could
 * not be measured here.
 */
const MEASURED = /(\d+(?:\.\d+)?) % test accuracy after (\d+) epochs?/;
const MEASURED_REGRESSION = /test MAE (\d+(?:\.\d+)?) after (\d+) epochs?/i;
const MEASURED_RECONSTRUCTION = /test MSE (\d+(?:\.\d+)?) after (\d+) epochs?/i;
const NOT_MEASURED = /Not measured here:/;

const byKind = (p: Project, kind: string) => p.graph.nodes.filter((n) => n.kind === kind);
const inputsOf = (p: Project) => {
  const incoming = incomingEdges(p.graph);
  const nodes = new Map(p.graph.nodes.map((n) => [n.id, n]));
  return (n: ProjectNode) => (incoming.get(n.id) ?? []).map((id) => nodes.get(id)!);
};

/**
 * A template's dataset: a built-in set, or data shipped with the app under templates/data/ (named relative to the
 * templates folder, as the engine opens it), with the template's target (its labels, or the input itself).
 */
async function datasetOf(project: Project): Promise<DatasetInfo> {
  return datasetInfoFor(project.dataset, await readDataset(project));
}

async function readDataset(project: Project): Promise<DatasetInfo> {
  const source = project.dataset.source;
  if (source.type === 'builtin') {
    const info = listDatasets().find((d) => d.id === source.name);
    expect(info).toBeDefined();
    return info!;
  }
  const shipped = withDataBeside(project, dir);
  const file = (shipped.dataset.source as { path?: string }).path!;
  expect(path.relative(path.join(dir, 'data'), file).startsWith('..'), `${file} ships with the app under templates/data/`).toBe(false);
  return (await inspectDataset(shipped.dataset.source)).info;
}

describe('templates', () => {
  it('there are starters for images, points, sequences and text', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names).toEqual(expect.arrayContaining(['cifar10-cnn.json', 'mnist-resnet.json', 'reviews-lstm.json']));
    for (const name of names) expect(name.replace(/\.json$/, '')).toMatch(/^[a-z0-9-]+$/); // a valid templates.get id
  });

  it.each(names)('%s opens, fits its dataset and has no errors or warnings', async (name) => {
    const project = read(name);
    const info = await datasetOf(project);
    const analysis = analyzeGraph(project.graph, targetOf(info), project.training.outputs);
    const problems = [...analysis.errors, ...analysis.warnings, ...Object.values(analysis.nodes).flatMap((n) => [...n.errors, ...n.warnings])];
    expect(problems).toEqual([]);
    expect(analysis.valid).toBe(true);
  });

  it.each(names)('%s describes its dataset and the accuracy it reaches with its own epochs', async (name) => {
    const project = read(name);
    const description = project.description ?? '';
    const info = await datasetOf(project);
    expect(description, `${name} names its dataset`).toContain(info.name);
    const measured = (info.task === 'regression' ? MEASURED_REGRESSION : info.task === 'reconstruction' ? MEASURED_RECONSTRUCTION : MEASURED).exec(description);
    if (measured) {
      expect(Number(measured[2]), `${name}: the epochs in its description are the epochs it trains for`).toBe(project.training.epochs);
      expect(Number(measured[1])).toBeGreaterThan(0);
      if (info.task === 'classification') expect(Number(measured[1])).toBeLessThanOrEqual(100);
    } else {
      expect(description, `${name} states its measured accuracy, or why it was not measured`).toMatch(NOT_MEASURED);
    }
  });

  it.each(names)('%s is laid out readably: no two layers overlap on the canvas', (name) => {
    const nodes = read(name).graph.nodes;
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue;
        const apart = Math.abs(a.position.x - b.position.x) >= MIN_DX || Math.abs(a.position.y - b.position.y) >= MIN_DY;
        expect(apart, `${name}: ${a.name} and ${b.name} overlap`).toBe(true);
      }
    }
  });
});

describe('the MNIST autoencoder template', () => {
  const project = read('mnist-autoencoder.json');

  it('encodes with Conv2D and MaxPooling2D, decodes with Conv2DTranspose and UpSampling2D, ends in a sigmoid Conv2D of the input shape', () => {
    expect(project.dataset.source).toMatchObject({ type: 'builtin', name: 'mnist' });
    expect(project.dataset.target).toBe('input');
    expect(project.graph.nodes.map((n) => n.kind)).toEqual(['Input', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Conv2DTranspose', 'UpSampling2D', 'Conv2D']);
    const analysis = analyzeGraph(project.graph);
    const output = project.graph.nodes[project.graph.nodes.length - 1];
    expect(output.params).toMatchObject({ filters: 1, activation: 'sigmoid', padding: 'same' });
    expect(analysis.nodes[output.id].outputShape).toEqual([28, 28, 1]);
    // The bottleneck: a quarter of the 784 pixels.
    expect(analysis.nodes[byKind(project, 'MaxPooling2D')[1].id].outputShape).toEqual([7, 7, 4]);
    expect(analysis.totalParams).toBe(557);
  });
});

describe('the CIFAR-10 CNN template', () => {
  const project = read('cifar10-cnn.json');

  it('is exactly Conv2D(32) → pool → Conv2D(64) → pool → Flatten → Dense(64) → Dense(10) on 32×32×3, with 167,562 parameters', () => {
    const chain = project.graph.nodes.map((n) => [n.kind, n.params.filters ?? n.params.units ?? null, n.params.activation ?? null]);
    expect(chain).toEqual([
      ['Input', null, null],
      ['Conv2D', 32, 'relu'],
      ['MaxPooling2D', null, null],
      ['Conv2D', 64, 'relu'],
      ['MaxPooling2D', null, null],
      ['Flatten', null, null],
      ['Dense', 64, 'relu'],
      ['Dense', 10, 'softmax'],
    ]);
    expect(byKind(project, 'Input')[0].params.shape).toEqual([32, 32, 3]);
    for (const conv of byKind(project, 'Conv2D')) expect(conv.params.kernelSize).toEqual([3, 3]);
    const edges = project.graph.edges.map((e) => [e.source, e.target]);
    expect(edges).toEqual(project.graph.nodes.slice(1).map((n, i) => [project.graph.nodes[i].id, n.id]));
    expect(project.dataset.source).toMatchObject({ type: 'builtin', name: 'cifar10' });
    expect(analyzeGraph(project.graph).totalParams).toBe(167_562);
  });

  it('builds a tfjs model with 167,562 parameters', async () => {
    await tf.setBackend('cpu');
    const model = compileGraph(tf, project.graph);
    try {
      expect(model.countParams()).toBe(167_562);
      expect(model.outputs[0].shape).toEqual([null, 10]);
    } finally {
      model.dispose();
    }
  });
});

describe('the ResNet-style template', () => {
  const project = read('mnist-resnet.json');
  const inputs = inputsOf(project);

  it('has two residual blocks: Conv2D → BatchNormalization → relu → Conv2D → BatchNormalization, added to the block input, then relu', () => {
    const adds = byKind(project, 'Add');
    expect(adds).toHaveLength(2);
    const analysis = analyzeGraph(project.graph);
    let projections = 0;
    for (const add of adds) {
      const [main, shortcut] = inputs(add);
      // The main path, walked back from the Add.
      const path: ProjectNode[] = [main];
      while (path.length < 5) path.unshift(inputs(path[0])[0]);
      expect(path.map((n) => n.kind)).toEqual(['Conv2D', 'BatchNormalization', 'Activation', 'Conv2D', 'BatchNormalization']);
      expect(path[2].params.activation).toBe('relu');
      for (const conv of [path[0], path[3]]) expect(conv.params.activation).toBe('linear'); // the normalization comes before the non-linearity
      const blockInput = inputs(path[0])[0];
      const channelsIn = analysis.nodes[blockInput.id].outputShape!.at(-1);
      const channelsOut = analysis.nodes[main.id].outputShape!.at(-1);
      if (channelsIn === channelsOut && shortcut.id === blockInput.id) continue;
      // Where the channels (or the size) change, a 1×1 Conv2D projects the block input.
      expect(shortcut.kind).toBe('Conv2D');
      expect(shortcut.params.kernelSize).toEqual([1, 1]);
      expect(inputs(shortcut)[0].id).toBe(blockInput.id);
      expect(analysis.nodes[shortcut.id].outputShape).toEqual(analysis.nodes[main.id].outputShape);
      projections++;
    }
    expect(projections).toBe(1);
    // Each Add is followed by relu; the head is global average pooling and a softmax Dense.
    for (const add of adds) {
      const next = project.graph.edges.filter((e) => e.source === add.id).map((e) => project.graph.nodes.find((n) => n.id === e.target)!);
      expect(next.map((n) => [n.kind, n.params.activation])).toEqual([['Activation', 'relu']]);
    }
    const out = project.graph.nodes.at(-1)!;
    expect([inputs(out)[0].kind, out.kind, out.params.activation]).toEqual(['GlobalAveragePooling2D', 'Dense', 'softmax']);
  });

  it('builds the same model in tfjs: parameters as counted on the canvas', async () => {
    await tf.setBackend('cpu');
    const model = compileGraph(tf, project.graph);
    try {
      expect(model.countParams()).toBe(analyzeGraph(project.graph).totalParams);
    } finally {
      model.dispose();
    }
  });
});

describe('the sentiment LSTM template', () => {
  const project = read('reviews-lstm.json');

  it('is Input [sequence length] → Embedding → LSTM(32) → Dense(2, softmax) on the reviews set, with room for every word', async () => {
    expect(project.graph.nodes.map((n) => n.kind)).toEqual(['Input', 'Embedding', 'LSTM', 'Dense']);
    expect(byKind(project, 'LSTM')[0].params.units).toBe(32);
    expect(byKind(project, 'Dense')[0].params).toMatchObject({ units: 2, activation: 'softmax' });
    const data = await openDataset(project.dataset);
    expect(byKind(project, 'Input')[0].params.shape).toEqual(data.info.inputShape);
    expect(byKind(project, 'Embedding')[0].params.inputDim).toBeGreaterThanOrEqual(data.info.vocabulary!.length);
  });
});

describe('templates.list: what the gallery shows', () => {
  const dataDir = path.join(os.tmpdir(), `neurowire-templates-${process.pid}`);
  const engine = new Engine({ host: 'browser', dataDir, templatesDir: dir });
  afterAll(async () => {
    await engine.dispose();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('lists every template with its description, dataset, parameter count and graph', async () => {
    const list = (await engine.dispatch('templates.list', {})) as TemplateInfo[];
    expect(list.map((t) => `${t.id}.json`).sort()).toEqual([...names].sort());
    for (const t of list) {
      const project = read(`${t.id}.json`);
      expect(t.name).toBe(project.name);
      expect(t.description).toBe(project.description);
      expect(t.graph.nodes.map((n) => [n.id, n.kind, n.name, n.position])).toEqual(project.graph.nodes.map((n) => [n.id, n.kind, n.name, n.position]));
      expect(t.graph.edges).toEqual(project.graph.edges.map((e) => ({ source: e.source, target: e.target })));
      expect(t.parameters).toBe(analyzeGraph(project.graph).totalParams);
      expect(api['templates.get'].params.safeParse({ id: t.id }).success).toBe(true);
    }
    expect(list.find((t) => t.id === 'cifar10-cnn')).toMatchObject({ name: 'CIFAR-10 CNN', dataset: { key: 'cifar10', name: 'CIFAR-10' }, parameters: 167_562 });
    expect(list.find((t) => t.id === 'reviews-lstm')!.dataset).toEqual({ key: 'reviews', name: 'Movie reviews (synthetic)' });
  });

  it('describes a project without a description by its layers and dataset', async () => {
    const plain = path.join(dataDir, 'plain');
    await fs.mkdir(plain, { recursive: true });
    const project = read('spirals-mlp.json');
    delete project.description;
    await fs.writeFile(path.join(plain, 'plain.json'), JSON.stringify(project));
    const other = new Engine({ host: 'browser', dataDir, templatesDir: plain });
    try {
      const [t] = (await other.dispatch('templates.list', {})) as TemplateInfo[];
      expect(t.description).toBe(`${project.graph.nodes.map((n) => n.kind).join(' → ')} on spirals`);
    } finally {
      await other.dispose();
    }
  });
});

describe('graph thumbnails', () => {
  it.each(names)('%s: a box per layer at its canvas position, inside the picture, and a curve per connection', (name) => {
    const project = read(name);
    const t = graphThumbnail(project.graph);
    const [minX, minY, width, height] = t.viewBox.split(' ').map(Number);
    expect(t.boxes).toHaveLength(project.graph.nodes.length);
    expect(t.edges).toHaveLength(project.graph.edges.length);
    project.graph.nodes.forEach((n, i) => {
      const box = t.boxes[i];
      expect([box.x, box.y]).toEqual([n.position.x, n.position.y]);
      expect(box.label).toBe(requireLayerSpec(n.kind).label);
      expect(box.title).toContain(n.name);
      expect(box.x).toBeGreaterThanOrEqual(minX);
      expect(box.y).toBeGreaterThanOrEqual(minY);
      expect(box.x + BOX_WIDTH).toBeLessThanOrEqual(minX + width);
      expect(box.y + BOX_HEIGHT).toBeLessThanOrEqual(minY + height);
    });
    // Each curve starts at the right side of its source and ends at the left side of its target.
    project.graph.edges.forEach((e, i) => {
      const from = project.graph.nodes.find((n) => n.id === e.source)!.position;
      const to = project.graph.nodes.find((n) => n.id === e.target)!.position;
      const numbers = t.edges[i].d.match(/-?\d+(\.\d+)?/g)!.map(Number);
      expect(numbers.slice(0, 2)).toEqual([from.x + BOX_WIDTH, from.y + BOX_HEIGHT / 2]);
      expect(numbers.slice(-2)).toEqual([to.x, to.y + BOX_HEIGHT / 2]);
    });
  });

  it('squeezes a label longer than its box and leaves short ones alone', () => {
    const graph = {
      nodes: [
        { id: 'a', kind: 'Input', name: 'input_1', position: { x: 0, y: 0 } },
        { id: 'b', kind: 'GlobalAveragePooling2D', name: 'gap', position: { x: 240, y: 0 } },
      ],
      edges: [{ source: 'a', target: 'b' }],
    };
    const [short, long] = graphThumbnail(graph).boxes;
    expect(short.textLength).toBeUndefined();
    expect(long.textLength).toBeLessThan(BOX_WIDTH);
  });

  it('an empty graph still has a picture size', () => {
    expect(graphThumbnail({ nodes: [], edges: [] }).viewBox).toBe(`0 0 ${BOX_WIDTH} ${BOX_HEIGHT}`);
  });
});
