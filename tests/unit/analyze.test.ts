import { describe, expect, it } from 'vitest';
import { analyzeGraph, incomingEdges, parseParams, topologicalOrder } from '../../main/core/graph/analyze';
import type { Graph, ProjectNode } from '../../main/core/project';
import type { DatasetTarget } from '../../main/core/datasets';

const MNIST: DatasetTarget = { datasetName: 'MNIST', inputShape: [28, 28, 1], task: 'classification', numClasses: 10, outputSize: 10 };

function node(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params, position: { x: 0, y: 0 } };
}

function graph(nodes: ProjectNode[], edges: [string, string][]): Graph {
  return { nodes, edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })) };
}

/** Input [28, 28, 1] → Flatten → Dense(128, relu) → Dense(10, softmax). */
function mlp(): Graph {
  return graph(
    [
      node('input_1', 'Input', { shape: [28, 28, 1] }),
      node('flatten_1', 'Flatten'),
      node('dense_1', 'Dense', { units: 128, activation: 'relu' }),
      node('dense_2', 'Dense', { units: 10, activation: 'softmax' }),
    ],
    [
      ['input_1', 'flatten_1'],
      ['flatten_1', 'dense_1'],
      ['dense_1', 'dense_2'],
    ],
  );
}

function allNodeErrors(a: ReturnType<typeof analyzeGraph>): string[] {
  return Object.values(a.nodes).flatMap((n) => n.errors);
}

describe('analyzeGraph', () => {
  it('accepts the MNIST MLP with 101,770 parameters', () => {
    const a = analyzeGraph(mlp(), MNIST);
    expect(a.errors).toEqual([]);
    expect(allNodeErrors(a)).toEqual([]);
    expect(Object.values(a.nodes).flatMap((n) => n.warnings)).toEqual([]);
    expect(a.valid).toBe(true);
    expect(a.totalParams).toBe(101_770);
    expect(a.nodes.flatten_1.outputShape).toEqual([784]);
    expect(a.nodes.dense_1).toMatchObject({ outputShape: [128], params: 100_480 });
    expect(a.nodes.dense_2).toMatchObject({ outputShape: [10], params: 1_290 });
    expect(a.order).toEqual(['input_1', 'flatten_1', 'dense_1', 'dense_2']);
    expect(a.inputIds).toEqual(['input_1']);
    expect(a.outputIds).toEqual(['dense_2']);
  });

  it('accepts a small CNN and gets its shapes and parameters right', () => {
    const g = graph(
      [
        node('input_1', 'Input', { shape: [28, 28, 1] }),
        node('conv2d_1', 'Conv2D', { filters: 32, kernelSize: [3, 3] }),
        node('max_pooling2d_1', 'MaxPooling2D'),
        node('conv2d_2', 'Conv2D', { filters: 64, kernelSize: [3, 3] }),
        node('max_pooling2d_2', 'MaxPooling2D'),
        node('flatten_1', 'Flatten'),
        node('dropout_1', 'Dropout', { rate: 0.5 }),
        node('dense_1', 'Dense', { units: 10, activation: 'softmax' }),
      ],
      [
        ['input_1', 'conv2d_1'],
        ['conv2d_1', 'max_pooling2d_1'],
        ['max_pooling2d_1', 'conv2d_2'],
        ['conv2d_2', 'max_pooling2d_2'],
        ['max_pooling2d_2', 'flatten_1'],
        ['flatten_1', 'dropout_1'],
        ['dropout_1', 'dense_1'],
      ],
    );
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(true);
    expect(a.nodes.conv2d_1.outputShape).toEqual([26, 26, 32]);
    expect(a.nodes.max_pooling2d_1.outputShape).toEqual([13, 13, 32]);
    expect(a.nodes.conv2d_2.outputShape).toEqual([11, 11, 64]);
    expect(a.nodes.max_pooling2d_2.outputShape).toEqual([5, 5, 64]);
    expect(a.nodes.flatten_1.outputShape).toEqual([1600]);
    // The Keras MNIST convnet example: 320 + 18,496 + 16,010.
    expect(a.totalParams).toBe(34_826);
  });

  it('applies parameter defaults for missing values', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [784] }), node('dense_1', 'Dense', { units: 10, activation: 'softmax' })],
      [['input_1', 'dense_1']],
    );
    const a = analyzeGraph(g, { ...MNIST, inputShape: [784] });
    expect(a.valid).toBe(true);
    expect(a.totalParams).toBe(7_850);
  });

  it('detects a cycle and names the layers on it', () => {
    const g = graph(
      [
        node('input_1', 'Input', { shape: [4] }),
        node('dense_1', 'Dense', { units: 4 }),
        node('dense_2', 'Dense', { units: 4 }),
        node('dense_3', 'Dense', { units: 4 }),
      ],
      [
        ['input_1', 'dense_1'],
        ['dense_1', 'dense_2'],
        ['dense_2', 'dense_1'],
        ['dense_2', 'dense_3'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.valid).toBe(false);
    expect(a.errors.join('\n')).toMatch(/loop through dense_1, dense_2 —/);
    expect(a.nodes.dense_1.errors[0]).toContain('part of a loop');
    expect(a.nodes.dense_2.errors[0]).toContain('part of a loop');
    // dense_3 only follows the loop; it is not on it.
    expect(a.errors.join('\n')).not.toContain('dense_3');
    expect(a.nodes.dense_3.errors).toEqual([]);
    expect(a.nodes.dense_3.warnings[0]).toContain('comes after a loop');
    expect(a.order).toEqual(['input_1']);
  });

  it('tells loop layers from the long chain behind them (linear time: see bench/analyze.ts)', () => {
    const nodes = [node('input_1', 'Input', { shape: [4] }), node('a', 'Dense', { units: 4 }), node('b', 'Dense', { units: 4 })];
    const edges: [string, string][] = [['input_1', 'a'], ['a', 'b'], ['b', 'a']];
    for (let i = 0; i < 3000; i++) {
      nodes.push(node(`d${i}`, 'Dense', { units: 4 }));
      edges.push([i === 0 ? 'b' : `d${i - 1}`, `d${i}`]);
    }
    const a = analyzeGraph(graph(nodes, edges));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toMatch(/loop through a, b —/);
    expect(Object.values(a.nodes).filter((n) => n.errors.some((e) => e.includes('part of a loop')))).toHaveLength(2);
    expect(a.nodes.d2999.warnings[0]).toContain('comes after a loop');
  });

  it('detects a layer connected to itself', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [4] }), node('dense_1', 'Dense', { units: 4 })],
      [
        ['input_1', 'dense_1'],
        ['dense_1', 'dense_1'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.valid).toBe(false);
    expect(a.errors).toEqual(['dense_1 is connected to itself — a layer cannot feed its own input. Remove that connection.']);
  });

  it('reports a missing Input', () => {
    const g = graph(
      [node('dense_1', 'Dense', { units: 4 }), node('dense_2', 'Dense', { units: 2 })],
      [['dense_1', 'dense_2']],
    );
    const a = analyzeGraph(g);
    expect(a.valid).toBe(false);
    expect(a.errors.join('\n')).toContain('no Input layer');
    expect(a.nodes.dense_1.errors).toEqual(['dense_1 has no input — connect a layer into it.']);
  });

  it('reports an empty canvas', () => {
    const a = analyzeGraph({ nodes: [], edges: [] });
    expect(a.valid).toBe(false);
    expect(a.errors).toEqual(['The canvas is empty. Drag an Input layer from the palette to start.']);
  });

  it('reports a layer with no input', () => {
    const g = mlp();
    g.nodes.push(node('dense_9', 'Dense', { units: 3 }));
    g.edges.push({ id: 'x', source: 'dense_9', target: 'dense_2' });
    g.edges = g.edges.filter((e) => !(e.source === 'dense_1' && e.target === 'dense_2'));
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(false);
    expect(a.nodes.dense_9.errors).toEqual(['dense_9 has no input — connect a layer into it.']);
    // dense_1 now ends a second branch.
    expect(a.errors.join('\n')).toContain('ends in 2 layers');
  });

  it('reports an Input with nothing after it', () => {
    const a = analyzeGraph(graph([node('input_1', 'Input')], []));
    expect(a.valid).toBe(false);
    expect(a.errors.join('\n')).toContain('no output');
  });

  it('reports a connection into an Input', () => {
    const g = mlp();
    g.edges.push({ id: 'back', source: 'dense_2', target: 'input_1' });
    const a = analyzeGraph(g);
    expect(a.valid).toBe(false);
  });

  it('reports two outputs', () => {
    const g = mlp();
    g.nodes.push(node('dense_3', 'Dense', { units: 10, activation: 'softmax' }));
    g.edges.push({ id: 'b', source: 'dense_1', target: 'dense_3' });
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(false);
    expect(a.outputIds.sort()).toEqual(['dense_2', 'dense_3']);
    expect(a.errors.join('\n')).toMatch(/ends in 2 layers \(dense_2, dense_3\).*Add or Concatenate/);
  });

  it('reports two Inputs', () => {
    const g = mlp();
    g.nodes.push(node('input_2', 'Input', { shape: [28, 28, 1] }));
    g.nodes.push(node('add_1', 'Add'));
    g.edges = g.edges.filter((e) => e.target !== 'flatten_1');
    g.edges.push({ id: 'a1', source: 'input_1', target: 'add_1' }, { id: 'a2', source: 'input_2', target: 'add_1' }, { id: 'a3', source: 'add_1', target: 'flatten_1' });
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(false);
    expect(a.errors.join('\n')).toContain('2 Input layers');
  });

  it('warns when the output units differ from the dataset classes', () => {
    const g = mlp();
    g.nodes[3].params = { units: 5, activation: 'softmax' };
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(true);
    expect(a.nodes.dense_2.warnings).toEqual(['dense_2 outputs 5 values but MNIST has 10 classes. Set its units to 10.']);
  });

  it('warns when the output is not flat', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [28, 28, 1] }), node('dense_1', 'Dense', { units: 10, activation: 'softmax' })],
      [['input_1', 'dense_1']],
    );
    const a = analyzeGraph(g, MNIST);
    expect(a.nodes.dense_1.warnings.join('\n')).toContain('dense_1 outputs [28, 28, 10]');
    expect(a.nodes.dense_1.warnings.join('\n')).toContain('Flatten first?');
  });

  it('warns when the classifier output is not softmax', () => {
    const g = mlp();
    g.nodes[3].params = { units: 10, activation: 'sigmoid' };
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(true);
    expect(a.nodes.dense_2.warnings).toHaveLength(1);
    expect(a.nodes.dense_2.warnings[0]).toContain('activation is sigmoid; use softmax');
  });

  it('warns about a classifier output left at the default activation', () => {
    const g = mlp();
    g.nodes[3].params = { units: 10 }; // Dense defaults to relu
    const a = analyzeGraph(g, MNIST);
    expect(a.nodes.dense_2.warnings[0]).toContain('activation is relu; use softmax');
  });

  it('accepts a softmax Activation layer as the classifier output', () => {
    const g = mlp();
    g.nodes[3].params = { units: 10, activation: 'linear' };
    g.nodes.push(node('activation_1', 'Activation', { activation: 'softmax' }));
    g.edges.push({ id: 'act', source: 'dense_2', target: 'activation_1' });
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(true);
    expect(Object.values(a.nodes).flatMap((n) => n.warnings)).toEqual([]);
  });

  it('warns when the Input shape differs from the dataset', () => {
    const g = mlp();
    g.nodes[0].params = { shape: [784] };
    g.nodes.splice(1, 1);
    g.edges = [
      { id: 'a', source: 'input_1', target: 'dense_1' },
      { id: 'b', source: 'dense_1', target: 'dense_2' },
    ];
    const a = analyzeGraph(g, MNIST);
    expect(a.nodes.input_1.warnings[0]).toContain('Set the Input shape to [28, 28, 1]');
  });

  it.each([
    // three Dense(64) on 64 values: 3 × 4,160; then Dense(10) on 64 (650) or on 128 (1,290) values.
    ['Add', [64], 3 * 4_160 + 650],
    ['Concatenate', [128], 3 * 4_160 + 1_290],
  ] as const)('merges a branch with %s', (kind, mergedShape, params) => {
    // input_1 → dense_1(64) → dense_2(64) ─┐
    // input_1 → dense_3(64) ──────────────┴→ merge → dense_4(10)
    const g = graph(
      [
        node('input_1', 'Input', { shape: [64] }),
        node('dense_1', 'Dense', { units: 64 }),
        node('dense_2', 'Dense', { units: 64 }),
        node('dense_3', 'Dense', { units: 64 }),
        node('merge_1', kind),
        node('dense_4', 'Dense', { units: 10, activation: 'softmax' }),
      ],
      [
        ['input_1', 'dense_1'],
        ['dense_1', 'dense_2'],
        ['input_1', 'dense_3'],
        ['dense_2', 'merge_1'],
        ['dense_3', 'merge_1'],
        ['merge_1', 'dense_4'],
      ],
    );
    const a = analyzeGraph(g, { datasetName: 'Toy', inputShape: [64], task: 'classification', numClasses: 10, outputSize: 10 });
    expect(allNodeErrors(a)).toEqual([]);
    expect(a.valid).toBe(true);
    expect(a.nodes.merge_1.outputShape).toEqual(mergedShape);
    expect(a.nodes.dense_4.outputShape).toEqual([10]);
    expect(a.totalParams).toBe(params);
    expect(a.order.indexOf('merge_1')).toBeGreaterThan(a.order.indexOf('dense_2'));
    expect(a.order.indexOf('merge_1')).toBeGreaterThan(a.order.indexOf('dense_3'));
  });

  it('reports branches that cannot be added', () => {
    const g = graph(
      [
        node('input_1', 'Input', { shape: [32] }),
        node('dense_1', 'Dense', { units: 128 }),
        node('dense_2', 'Dense', { units: 64 }),
        node('add_1', 'Add'),
        node('dense_3', 'Dense', { units: 10, activation: 'softmax' }),
      ],
      [
        ['input_1', 'dense_1'],
        ['input_1', 'dense_2'],
        ['dense_1', 'add_1'],
        ['dense_2', 'add_1'],
        ['add_1', 'dense_3'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.valid).toBe(false);
    expect(a.nodes.add_1.errors).toEqual(['add_1: Add needs inputs of the same shape but gets [128] and [64] — make both branches end in the same number of units.']);
    // The layer after the broken merge has no shape but carries no second error.
    expect(a.nodes.dense_3.outputShape).toBeNull();
    expect(a.nodes.dense_3.errors).toEqual([]);
  });

  it('reports a merge with only one input', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [8] }), node('add_1', 'Add')],
      [['input_1', 'add_1']],
    );
    const a = analyzeGraph(g);
    expect(a.nodes.add_1.errors).toEqual(['add_1: Add needs at least 2 inputs but has 1. Connect another branch into it.']);
  });

  it('reports two inputs into a single-input layer', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [8] }), node('dense_1', 'Dense', { units: 4 }), node('dense_2', 'Dense', { units: 4 })],
      [
        ['input_1', 'dense_1'],
        ['input_1', 'dense_2'],
        ['dense_1', 'dense_2'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.nodes.dense_2.errors[0]).toContain('dense_2: Dense takes one input but 2 are connected');
  });

  it('gives a shape error naming the layer (Conv2D on a flat input)', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [784] }), node('conv2d_1', 'Conv2D'), node('flatten_1', 'Flatten'), node('dense_1', 'Dense', { units: 10, activation: 'softmax' })],
      [
        ['input_1', 'conv2d_1'],
        ['conv2d_1', 'flatten_1'],
        ['flatten_1', 'dense_1'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.valid).toBe(false);
    expect(a.nodes.conv2d_1.errors).toEqual([
      'conv2d_1: Conv2D needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1].',
    ]);
    expect(a.nodes.flatten_1.errors).toEqual([]);
  });

  it('gives an error naming the node for a bad parameter value', () => {
    const g = mlp();
    g.nodes[2].params = { units: -3, activation: 'relu' };
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(false);
    expect(a.nodes.dense_1.errors).toEqual(['dense_1: Units must be at least 1']);
    expect(a.nodes.dense_1.outputShape).toBeNull();
    expect(a.totalParams).toBe(0);
  });

  it.each([
    [{ units: 'many' }, 'dense_1: Units must be a whole number'],
    [{ units: 2.5 }, 'dense_1: Units must be a whole number'],
    [{ units: 10, activation: 'sparkle' }, 'dense_1: Activation must be one of'],
  ])('rejects params %j', (params, message) => {
    const g = mlp();
    g.nodes[2].params = params;
    const a = analyzeGraph(g, MNIST);
    expect(a.nodes.dense_1.errors[0]).toContain(message);
  });

  it('reports an unknown layer kind', () => {
    const g = mlp();
    g.nodes[1].kind = 'Teleport';
    const a = analyzeGraph(g);
    expect(a.valid).toBe(false);
    expect(a.nodes.flatten_1.errors).toEqual(['flatten_1: unknown layer kind "Teleport".']);
  });

  it('ignores connections from layers that do not exist', () => {
    const g = mlp();
    g.edges.push({ id: 'ghost', source: 'nobody', target: 'dense_1' });
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(true);
    expect(incomingEdges(g).get('dense_1')).toEqual(['flatten_1']);
  });
});

describe('helpers', () => {
  it('topologicalOrder puts each node after its inputs', () => {
    const g = graph(
      [node('c', 'Dense'), node('b', 'Dense'), node('a', 'Input')],
      [
        ['a', 'b'],
        ['b', 'c'],
      ],
    );
    expect(topologicalOrder(g)).toEqual(['a', 'b', 'c']);
  });

  it('incomingEdges keeps edge order (the order of a merge’s inputs)', () => {
    const g = graph(
      [node('x', 'Input'), node('y', 'Input'), node('m', 'Concatenate')],
      [
        ['y', 'm'],
        ['x', 'm'],
      ],
    );
    expect(incomingEdges(g).get('m')).toEqual(['y', 'x']);
  });

  it('parseParams fills defaults', () => {
    expect(parseParams(node('d', 'Dense', { units: 3 }))).toEqual({ ok: true, params: { units: 3, activation: 'relu', useBias: true } });
    expect(parseParams(node('c', 'Conv2D'))).toMatchObject({ ok: true, params: { filters: 32, kernelSize: [3, 3], padding: 'valid' } });
  });
});
