import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { diffGraphs, type LayerDiff } from '../../main/core/graph/diff';
import { finalMetricRows, formatComparison, type CompareSide } from '../../main/core/compare';
import { compileGraph } from '../../main/core/compile';
import { importKerasModel } from '../../main/core/import/keras';
import { parseProject, type Graph, type ProjectNode } from '../../main/core/project';

const root = path.resolve(__dirname, '../..');
const template = (id: string): Graph => parseProject(readFileSync(path.join(root, 'templates', `${id}.json`), 'utf8'), id).graph;

function node(id: string, kind: string, params: Record<string, unknown> = {}, name = id): ProjectNode {
  return { id, kind, name, params, position: { x: 0, y: 0 } };
}
function graph(nodes: ProjectNode[], edges: [string, string][]): Graph {
  return { nodes, edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })) };
}
/** Input [20] → Dense(units, relu) → Dense(3, softmax). */
function mlp(units = 16): Graph {
  return graph(
    [node('in', 'Input', { shape: [20] }), node('hidden', 'Dense', { units, activation: 'relu' }), node('out', 'Dense', { units: 3, activation: 'softmax' })],
    [
      ['in', 'hidden'],
      ['hidden', 'out'],
    ],
  );
}
const byName = (layers: LayerDiff[], name: string) => layers.find((l) => (l.after ?? l.before)!.name === name)!;
/** The same graph with every id changed (and names too, when `rename` is given), its nodes in reverse file order. */
function withNewIds(g: Graph, rename: (name: string) => string = (n) => n): Graph {
  const id = (old: string) => `x_${old}_copy`;
  return {
    nodes: [...g.nodes].reverse().map((n) => ({ ...n, id: id(n.id), name: rename(n.name) })),
    edges: g.edges.map((e) => ({ ...e, id: `c_${e.id}`, source: id(e.source), target: id(e.target) })),
  };
}
function tfjsParams(g: Graph): number {
  const model = compileGraph(tf, g);
  const n = model.countParams();
  model.dispose();
  return n;
}

describe('diffGraphs', () => {
  it('finds nothing between a network and itself', () => {
    const g = template('mnist-resnet');
    const d = diffGraphs(g, structuredClone(g));
    expect(d.equal).toBe(true);
    expect(d.layers.every((l) => l.status === 'same' && l.changes.length === 0)).toBe(true);
    expect(d.layers).toHaveLength(g.nodes.length);
    expect(d.edgesAdded).toEqual([]);
    expect(d.edgesRemoved).toEqual([]);
    expect(d.totals.before).toEqual(d.totals.after);
  });

  it('reports a changed setting old → new, the shape and count it moves, and the layer after it; totals as tfjs counts them', () => {
    const a = mlp(16);
    const b = mlp(32);
    const d = diffGraphs(a, b);
    expect(d.equal).toBe(false);
    const hidden = byName(d.layers, 'hidden');
    expect(hidden.status).toBe('changed');
    expect(hidden.changes).toEqual([{ key: 'units', label: 'Units', before: '16', after: '32' }]);
    expect(hidden.before!.outputShape).toEqual([16]);
    expect(hidden.after!.outputShape).toEqual([32]);
    expect([hidden.before!.params, hidden.after!.params]).toEqual([20 * 16 + 16, 20 * 32 + 32]);
    // The output layer's settings are the same; its kernel grows with its input.
    const out = byName(d.layers, 'out');
    expect(out.status).toBe('affected');
    expect(out.changes).toEqual([]);
    expect([out.paramsChanged, out.shapeChanged]).toEqual([true, false]);
    expect(d.totals.before.params).toBe(tfjsParams(a));
    expect(d.totals.after.params).toBe(tfjsParams(b));
    expect(d.counts).toEqual({ added: 0, removed: 0, changed: 1, affected: 1 });
  });

  it('reports added and removed layers and the connections that came and went', () => {
    const a = mlp();
    const b = structuredClone(a);
    b.nodes.push(node('drop', 'Dropout', { rate: 0.3 }, 'dropout_1'));
    b.edges = [
      { id: 'e0', source: 'in', target: 'hidden' },
      { id: 'n1', source: 'hidden', target: 'drop' },
      { id: 'n2', source: 'drop', target: 'out' },
    ];
    const d = diffGraphs(a, b);
    expect(byName(d.layers, 'dropout_1').status).toBe('added');
    expect(byName(d.layers, 'dropout_1').after!.outputShape).toEqual([16]);
    expect(d.edgesAdded).toEqual([
      { source: 'hidden', target: 'dropout_1', port: 0 },
      { source: 'dropout_1', target: 'out', port: 0 },
    ]);
    expect(d.edgesRemoved).toEqual([{ source: 'hidden', target: 'out', port: 0 }]);
    expect(d.counts).toEqual({ added: 1, removed: 0, changed: 0, affected: 0 });

    // The other way round, the Dropout is removed.
    const back = diffGraphs(b, a);
    expect(byName(back.layers, 'dropout_1').status).toBe('removed');
    expect(back.edgesAdded).toEqual([{ source: 'hidden', target: 'out', port: 0 }]);
    expect(back.totals).toEqual({ before: d.totals.after, after: d.totals.before });
  });

  it('pairs layers whose ids all differ by name: a copy with new ids is the same network', () => {
    const g = template('mnist-resnet');
    const d = diffGraphs(g, withNewIds(g));
    expect(d.equal).toBe(true);
    expect(d.layers.every((l) => l.matchedBy === 'name')).toBe(true);
  });

  it('pairs renamed layers by structure, telling apart the two branches of a residual block, and reports only the renames', () => {
    const g = template('mnist-resnet');
    const renamed = withNewIds(g, (n) => `r_${n}`);
    const d = diffGraphs(g, renamed);
    expect(d.counts).toEqual({ added: 0, removed: 0, changed: g.nodes.length, affected: 0 });
    for (const l of d.layers) {
      expect(l.changes).toEqual([{ key: 'name', label: 'Name', before: l.before!.name, after: `r_${l.before!.name}` }]);
      expect(l.shapeChanged || l.paramsChanged).toBe(false);
    }
    expect(d.edgesAdded).toEqual([]);
    expect(d.edgesRemoved).toEqual([]);
  });

  it('pairs one renamed layer by its neighbours, the rest by name', () => {
    const a = mlp();
    const b = structuredClone(a);
    b.nodes[1] = { ...b.nodes[1], id: 'h2', name: 'wide' };
    b.edges = [
      { id: 'e0', source: 'in', target: 'h2' },
      { id: 'e1', source: 'h2', target: 'out' },
    ];
    const d = diffGraphs(a, b);
    const wide = byName(d.layers, 'wide');
    expect(wide.matchedBy).toBe('neighbours');
    expect(wide.changes).toEqual([{ key: 'name', label: 'Name', before: 'hidden', after: 'wide' }]);
    expect(d.edgesAdded).toEqual([]);
  });

  it('pairs an imported Keras model with a copy whose ids and names all differ', () => {
    const imported = importKerasModel(JSON.parse(readFileSync(path.join(root, 'tests/fixtures/import/functional-cnn-skip.json'), 'utf8')));
    if ('unknown' in imported) throw new Error('fixture not imported');
    const g = imported.project.graph;
    const copy = withNewIds(g, (n) => `copy_${n}`);
    const changedUnits = copy.nodes.find((n) => n.kind === 'Dense')!;
    changedUnits.params = { ...changedUnits.params, units: (changedUnits.params.units as number) + 1 };
    const d = diffGraphs(g, copy);
    expect(d.counts.added + d.counts.removed).toBe(0);
    const dense = byName(d.layers, changedUnits.name);
    expect(dense.changes.map((c) => c.key)).toEqual(['name', 'units']);
    expect(d.edgesAdded).toEqual([]);
    expect(d.edgesRemoved).toEqual([]);
  });

  it('treats a setting spelled out at its default as the same, and a layer of another kind as removed and added', () => {
    const a = mlp();
    const b = structuredClone(a);
    b.nodes[1].params = { ...b.nodes[1].params, useBias: true };
    expect(diffGraphs(a, b).equal).toBe(true);

    const c = structuredClone(a);
    c.nodes[1] = node('hidden', 'Dropout', { rate: 0.5 });
    const d = diffGraphs(a, c);
    expect(d.layers.filter((l) => l.status === 'removed').map((l) => l.before!.kind)).toEqual(['Dense']);
    expect(d.layers.filter((l) => l.status === 'added').map((l) => l.after!.kind)).toEqual(['Dropout']);
  });
});

describe('the comparison as text', () => {
  const side = (g: Graph, label: string, run?: CompareSide['run']): CompareSide => ({ label, kind: run ? 'run' : 'project', name: label, graph: g, run });

  it('lists each change old → new with the totals, or says the two are the same', () => {
    const text = formatComparison({ a: side(mlp(16), 'a.neurowire'), b: side(mlp(32), 'b.neurowire'), diff: diffGraphs(mlp(16), mlp(32)) });
    expect(text).toContain('~ changed  hidden (Dense)');
    expect(text).toContain('Units: 16 → 32');
    expect(text).toContain('output shape: [16] → [32]');
    expect(text).toContain('params: 336 → 672 (+336)');
    expect(text).toContain('Parameters: 387 → 771 (+384)');
    expect(formatComparison({ a: side(mlp(), 'a'), b: side(mlp(), 'b'), diff: diffGraphs(mlp(), mlp()) })).toContain('The two networks are the same: 3 layers, 387 parameters.');
  });

  it('puts two runs\u2019 final metrics side by side', () => {
    const run = (acc: number, epochs: number): CompareSide['run'] => ({
      summary: { runId: 'r', projectName: 'p', startedMs: 0, endedMs: 1, status: 'completed', epochsCompleted: epochs, backend: 'cpu', datasetName: 'd', hasModel: true, test: { loss: 0.5, acc } },
      history: Array.from({ length: epochs }, (_, i) => ({ epoch: i, loss: 1 / (i + 1), acc, valLoss: 1, valAcc: acc })),
    });
    const rows = finalMetricRows(run(0.9, 2), run(0.95, 3));
    expect(rows.find((r) => r.label === 'Epochs')).toEqual({ label: 'Epochs', a: '2', b: '3' });
    expect(rows.find((r) => r.label === 'Test accuracy')).toEqual({ label: 'Test accuracy', a: '90.0 %', b: '95.0 %' });
    expect(rows.find((r) => r.label === 'Final loss')).toEqual({ label: 'Final loss', a: '0.5000', b: '0.3333' });
  });
});

describe('inputs in another order', () => {
  it('reports a merge whose inputs were swapped as changed, the connections being the same', () => {
    const a = graph(
      [
        node('x', 'Input', { shape: [4] }),
        node('y', 'Input', { shape: [6] }),
        node('cat', 'Concatenate'),
        node('out', 'Dense', { units: 2 }),
      ],
      [
        ['x', 'cat'],
        ['y', 'cat'],
        ['cat', 'out'],
      ],
    );
    const b = structuredClone(a);
    b.edges = [b.edges[1], b.edges[0], b.edges[2]];
    const d = diffGraphs(a, b);
    expect(byName(d.layers, 'cat').changes).toEqual([{ key: 'inputs', label: 'Input order', before: 'x, y', after: 'y, x' }]);
    expect(d.edgesAdded).toEqual([]);
    expect(d.edgesRemoved).toEqual([]);
    expect(d.equal).toBe(false);
  });
});
