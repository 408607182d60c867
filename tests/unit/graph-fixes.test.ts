/**
 * Fixes as data: every fix analysis offers, applied with the one apply function, removes the problem it answers
 * and brings no new error; the apply function keeps ids, places new layers between their neighbours and keeps a
 * merge's inputs in order; loops get messages that name their layers and a fix that removes the closing connection.
 */
import { describe, expect, it } from 'vitest';
import { analyzeGraph, type GraphAnalysis } from '../../main/core/graph/analyze';
import { applyFix, type GraphFix, type ProblemFix } from '../../main/core/graph/edits';
import { LAYER_SPECS } from '../../main/core/layers/registry';
import { defaultParams } from '../../main/core/layers/params';
import type { DatasetTarget } from '../../main/core/datasets';
import type { Graph, ProjectNode } from '../../main/core/project';

const MNIST: DatasetTarget = { datasetName: 'MNIST', inputShape: [28, 28, 1], task: 'classification', numClasses: 10, outputSize: 10 };
/** A table with one target: several network ends must be joined (or each bound to a target of its own). */
const ONE_TARGET = (outputSize: number): DatasetTarget => ({ datasetName: 'table.csv', inputShape: [4], task: 'regression', numClasses: 0, outputSize });

function node(id: string, kind: string, params: Record<string, unknown> = {}, x = 0, y = 0): ProjectNode {
  return { id, kind, name: id, params, position: { x, y } };
}

function graph(nodes: ProjectNode[], edges: [string, string][]): Graph {
  return { nodes, edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })) };
}

/** Each layer after the one before it, 200 px apart. */
function chain(...nodes: ProjectNode[]): Graph {
  nodes.forEach((n, i) => (n.position = { x: i * 200, y: 100 }));
  return graph(
    nodes,
    nodes.slice(1).map((n, i) => [nodes[i].id, n.id]),
  );
}

const errorsOf = (a: GraphAnalysis) => [...a.errors, ...Object.values(a.nodes).flatMap((n) => n.errors)];
const problemsOf = (a: GraphAnalysis) => [...errorsOf(a), ...a.warnings, ...Object.values(a.nodes).flatMap((n) => n.warnings)];
const fixesOf = (a: GraphAnalysis): ProblemFix[] => [...a.fixes, ...Object.values(a.nodes).flatMap((n) => n.fixes)];

function applied(g: Graph, fix: GraphFix): Graph {
  const r = applyFix(g, fix);
  if (!r.ok) throw new Error(r.error);
  return r.graph;
}

/** The Conv → Dense → LSTM network of the issue: the LSTM gets a flat [64]. */
function issueNetwork(): Graph {
  return chain(
    node('input_1', 'Input', { shape: [28, 28, 1] }),
    node('conv2d_1', 'Conv2D', { filters: 8 }),
    node('maxpooling2d_1', 'MaxPooling2D'),
    node('flatten_1', 'Flatten'),
    node('dense_1', 'Dense', { units: 64, activation: 'relu' }),
    node('lstm_1', 'LSTM', { units: 16 }),
    node('dense_2', 'Dense', { units: 10, activation: 'softmax' }),
  );
}

/**
 * The property every fix must have: applied, the message it answers is gone and no error appears that was not
 * there before (names of inserted layers aside, messages are compared as text).
 */
function expectFixWorks(g: Graph, fix: ProblemFix, target?: DatasetTarget): GraphAnalysis {
  const before = analyzeGraph(g, target);
  const after = analyzeGraph(applied(g, fix), target);
  expect(problemsOf(after), fix.label).not.toContain(fix.problem);
  const old = new Set(errorsOf(before));
  expect(errorsOf(after).filter((e) => !old.has(e)), fix.label).toEqual([]);
  return after;
}

describe('fixes of shape checks', () => {
  it('the LSTM of the issue: two Reshapes offered, each makes the network valid', () => {
    const g = issueNetwork();
    const a = analyzeGraph(g, MNIST);
    const [error] = a.nodes.lstm_1.errors;
    // The message text is unchanged; the fixes sit next to it.
    expect(error).toBe('lstm_1: LSTM needs a sequence [time, features] but gets a flat vector of 64 — insert a Reshape to [64, 1] (or [8, 8]).');
    expect(a.nodes.lstm_1.fixes.map((f) => f.label)).toEqual(['Insert Reshape to [64, 1]', 'Insert Reshape to [8, 8]']);
    // Nothing else in the network is wrong, so nothing else is offered.
    expect(fixesOf(a)).toEqual(a.nodes.lstm_1.fixes);
    for (const fix of a.nodes.lstm_1.fixes) {
      expect(fix.problem).toBe(error);
      const fixed = applied(g, fix);
      const after = analyzeGraph(fixed, MNIST);
      expect(errorsOf(after)).toEqual([]);
      expect(problemsOf(after)).toEqual([]);
      expect(after.valid).toBe(true);
      const reshape = fixed.nodes.find((n) => !g.nodes.some((o) => o.id === n.id))!;
      expect(reshape.name).toBe('reshape_1');
      expect(after.nodes[reshape.id].outputShape).toEqual(fix.label.endsWith('[8, 8]') ? [8, 8] : [64, 1]);
      // Midway between dense_1 (x 800) and lstm_1 (x 1000), which leaves no room on their row: just below them.
      // No other layer moved.
      expect(reshape.position).toEqual({ x: 900, y: 210 });
      for (const n of g.nodes) expect(fixed.nodes.find((m) => m.id === n.id)!.position).toEqual(n.position);
    }
  });

  it('a flat vector into Conv2D: Reshape to the square image', () => {
    const g = chain(node('input_1', 'Input', { shape: [784] }), node('conv2d_1', 'Conv2D'), node('flatten_1', 'Flatten'), node('dense_1', 'Dense', { units: 10, activation: 'softmax' }));
    const a = analyzeGraph(g);
    expect(a.nodes.conv2d_1.fixes.map((f) => f.label)).toEqual(['Insert Reshape to [28, 28, 1]']);
    expect(expectFixWorks(g, a.nodes.conv2d_1.fixes[0]).valid).toBe(true);
  });

  it('a Flatten with nothing to flatten: removed, its layer connected to the Input', () => {
    const g = chain(node('input_1', 'Input', { shape: [8] }), node('flatten_1', 'Flatten'), node('dense_1', 'Dense', { units: 2 }));
    const [fix] = analyzeGraph(g).nodes.flatten_1.fixes;
    expect(fix.label).toBe('Remove this Flatten');
    const fixed = applied(g, fix);
    expect(fixed.nodes.map((n) => n.id)).toEqual(['input_1', 'dense_1']);
    // The connection out of the Flatten is kept (same id), now from the Input.
    expect(fixed.edges).toEqual([{ id: 'e1', source: 'input_1', target: 'dense_1' }]);
    expect(analyzeGraph(fixed).valid).toBe(true);
  });

  it('a Dense on an image warns "Flatten first?" and the fix inserts the Flatten', () => {
    const g = chain(node('input_1', 'Input', { shape: [4, 4, 1] }), node('dense_1', 'Dense', { units: 10, activation: 'softmax' }));
    const a = analyzeGraph(g);
    const [warning] = a.nodes.dense_1.warnings;
    expect(a.nodes.dense_1.fixes).toHaveLength(1);
    expect(a.nodes.dense_1.fixes[0]).toMatchObject({ problem: warning, label: 'Insert Flatten' });
    const after = expectFixWorks(g, a.nodes.dense_1.fixes[0], { ...MNIST, inputShape: [4, 4, 1] });
    expect(problemsOf(after)).toEqual([]);
  });

  it('RepeatVector after a sequence gets a pooling, after an image a Flatten', () => {
    for (const [shape, label] of [
      [[10, 4], 'Insert GlobalAveragePooling1D'],
      [[4, 4, 2], 'Insert Flatten'],
    ] as const) {
      const g = chain(node('input_1', 'Input', { shape: [...shape] }), node('repeat_1', 'RepeatVector'));
      const fixes = analyzeGraph(g).nodes.repeat_1.fixes;
      expect(fixes.map((f) => f.label)).toEqual([label]);
      expect(expectFixWorks(g, fixes[0]).valid).toBe(true);
    }
  });

  it('an attention whose value is flat: the Reshape goes on the value connection, the inputs stay in order', () => {
    const g = graph(
      [
        node('input_1', 'Input', { shape: [6, 8] }, 0, 0),
        node('flatten_1', 'Flatten', {}, 200, 200),
        node('mha_1', 'MultiHeadAttention', { numHeads: 2, keyDim: 4 }, 400, 0),
      ],
      [
        ['input_1', 'flatten_1'],
        ['input_1', 'mha_1'],
        ['flatten_1', 'mha_1'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.nodes.mha_1.errors[0]).toContain('the value of MultiHeadAttention');
    const fix = a.nodes.mha_1.fixes[0];
    expect(fix.edits).toEqual([{ op: 'insertBefore', node: 'mha_1', input: 1, kind: 'Reshape', params: { targetShape: [48, 1] } }]);
    const fixed = applied(g, fix);
    const reshape = fixed.nodes[3];
    // The query connection stays first into the attention; the value now comes through the Reshape.
    expect(fixed.edges.filter((e) => e.target === 'mha_1').map((e) => e.source)).toEqual(['input_1', reshape.id]);
    expect(fixed.edges.map((e) => e.id).slice(0, 2)).toEqual(['e0', 'e1']);
    expect(reshape.position).toEqual({ x: 300, y: 100 });
    // That error is gone; the attention now says what is wrong next (the value has 48 steps of 1 feature, fine).
    expect(analyzeGraph(fixed).nodes.mha_1.errors).toEqual([]);
  });

  // Every kind, on every input rank: whatever fix its shape check offers does what it says.
  const SHAPES = [[64], [10, 4], [8, 8, 2], [2, 3, 4, 5]];
  const singleInput = LAYER_SPECS.filter((s) => s.role !== 'input' && s.inputs.min === 1);
  it.each(singleInput.map((s) => [s.kind] as const))('%s: each offered fix removes its problem and adds no error', (kind) => {
    let offered = 0;
    for (const shape of SHAPES) {
      const spec = LAYER_SPECS.find((s) => s.kind === kind)!;
      // An Activation after it takes any shape, so a layer that is removed still leaves the network an output.
      const g = chain(node('input_1', 'Input', { shape }), node('layer_1', kind, defaultParams(spec.params) as Record<string, unknown>), node('activation_1', 'Activation'));
      for (const fix of analyzeGraph(g).nodes.layer_1.fixes) {
        offered++;
        expectFixWorks(g, fix);
      }
    }
    // Kinds that read sequences or images offer at least one fix for the ranks they do not take.
    const usesRankHelpers = SHAPES.some((shape) => {
      const spec = LAYER_SPECS.find((s) => s.kind === kind)!;
      const check = spec.inferShape([shape], defaultParams(spec.params) as never, { name: 'x' });
      return !check.ok && /insert a Reshape to \[\d/.test(check.error);
    });
    if (usesRankHelpers) expect(offered).toBeGreaterThan(0);
  });
});

describe('fixes of the fit to the dataset', () => {
  it('sets the Input shape to the dataset’s', () => {
    const g = chain(node('input_1', 'Input', { shape: [28, 28] }), node('flatten_1', 'Flatten'), node('dense_1', 'Dense', { units: 10, activation: 'softmax' }));
    const [fix] = analyzeGraph(g, MNIST).nodes.input_1.fixes;
    expect(fix.label).toBe('Set the Input shape to [28, 28, 1]');
    const after = expectFixWorks(g, fix, MNIST);
    expect(problemsOf(after)).toEqual([]);
  });

  it('sets units and activation of the output layer to the classes', () => {
    const g = chain(node('input_1', 'Input', { shape: [28, 28, 1] }), node('flatten_1', 'Flatten'), node('dense_1', 'Dense', { units: 5, activation: 'relu' }));
    const [fix] = analyzeGraph(g, MNIST).nodes.dense_1.fixes;
    expect(fix.label).toBe('Set dense_1 to 10 units, softmax');
    expect(fix.edits).toEqual([{ op: 'setParams', node: 'dense_1', params: { units: 10, activation: 'softmax' } }]);
    expect(problemsOf(expectFixWorks(g, fix, MNIST))).toEqual([]);
  });

  it('with an Activation after the Dense, the Dense gets the units and the Activation the softmax', () => {
    const g = chain(
      node('input_1', 'Input', { shape: [28, 28, 1] }),
      node('flatten_1', 'Flatten'),
      node('dense_1', 'Dense', { units: 5, activation: 'relu' }),
      node('activation_1', 'Activation', { activation: 'relu' }),
    );
    const [fix] = analyzeGraph(g, MNIST).nodes.activation_1.fixes;
    expect(fix.label).toBe('Set dense_1 to 10 units, linear and activation_1 to softmax');
    expect(problemsOf(expectFixWorks(g, fix, MNIST))).toEqual([]);
  });

  it('an activation warning alone gets the same fix', () => {
    const g = chain(node('input_1', 'Input', { shape: [28, 28, 1] }), node('flatten_1', 'Flatten'), node('dense_1', 'Dense', { units: 10, activation: 'relu' }));
    const a = analyzeGraph(g, MNIST);
    expect(a.valid).toBe(true);
    expect(a.nodes.dense_1.fixes.map((f) => f.label)).toEqual(['Set dense_1 to softmax']);
    expect(problemsOf(expectFixWorks(g, a.nodes.dense_1.fixes[0], MNIST))).toEqual([]);
  });

  it('an output that is not flat gets a Flatten and a Dense after it', () => {
    const g = chain(node('input_1', 'Input', { shape: [28, 28, 1] }), node('conv2d_1', 'Conv2D', { filters: 4 }));
    const [fix] = analyzeGraph(g, MNIST).nodes.conv2d_1.fixes;
    expect(fix.label).toBe('Add Flatten and Dense(10, softmax) at the end');
    const fixed = applied(g, fix);
    const after = expectFixWorks(g, fix, MNIST);
    expect(problemsOf(after)).toEqual([]);
    const [flatten, dense] = fixed.nodes.slice(2);
    expect(fixed.edges.map((e) => [e.source, e.target])).toEqual([
      ['input_1', 'conv2d_1'],
      ['conv2d_1', flatten.id],
      [flatten.id, dense.id],
    ]);
    expect([flatten.position.x, dense.position.x]).toEqual([440, 680]);
  });

  it('a flat output no layer sets the width of gets a Dense at the end', () => {
    const g = chain(node('input_1', 'Input', { shape: [28, 28, 1] }), node('flatten_1', 'Flatten'));
    const [fix] = analyzeGraph(g, MNIST).nodes.flatten_1.fixes;
    expect(fix.label).toBe('Add Dense(10, softmax) at the end');
    expect(problemsOf(expectFixWorks(g, fix, MNIST))).toEqual([]);
  });
});

describe('fixes of the wiring', () => {
  it('several ends of different widths: joined with Concatenate, in their order', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [4] }), node('a', 'Dense', { units: 4 }, 200, 0), node('b', 'Dense', { units: 3 }, 200, 200)],
      [
        ['input_1', 'a'],
        ['input_1', 'b'],
      ],
    );
    expect(analyzeGraph(g).fixes).toEqual([]); // several outputs are a valid network until data wants one
    const a = analyzeGraph(g, ONE_TARGET(7));
    expect(a.fixes.map((f) => f.label)).toEqual(['Join a, b with Concatenate']);
    const fixed = applied(g, a.fixes[0]);
    const join = fixed.nodes[3];
    expect(fixed.edges.filter((e) => e.target === join.id).map((e) => e.source)).toEqual(['a', 'b']);
    expect(join.position).toEqual({ x: 440, y: 100 });
    const after = analyzeGraph(fixed, ONE_TARGET(7));
    expect(after.valid).toBe(true);
    expect(after.nodes[join.id].outputShape).toEqual([7]);
  });

  it('several ends of the same shape: Add and Concatenate both offered, both valid', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [4] }), node('a', 'Dense', { units: 4 }), node('b', 'Dense', { units: 4 })],
      [
        ['input_1', 'a'],
        ['input_1', 'b'],
      ],
    );
    const fixes = analyzeGraph(g, ONE_TARGET(4)).fixes;
    expect(fixes.map((f) => f.label).sort()).toEqual(['Join a, b with Add', 'Join a, b with Concatenate']);
    for (const fix of fixes) expect(analyzeGraph(applied(g, fix), ONE_TARGET(fix.label.endsWith('Add') ? 4 : 8)).valid).toBe(true);
  });

  it('a layer that takes one input but gets two: a merge joins them before it', () => {
    const g = graph(
      [node('input_1', 'Input', { shape: [4] }, 0, 0), node('a', 'Dense', { units: 4 }, 240, 0), node('b', 'Dense', { units: 3 }, 240, 200), node('out', 'Dense', { units: 2 }, 720, 100)],
      [
        ['input_1', 'a'],
        ['input_1', 'b'],
        ['a', 'out'],
        ['b', 'out'],
      ],
    );
    const a = analyzeGraph(g);
    expect(a.nodes.out.errors[0]).toContain('Join them first with Add or Concatenate');
    expect(a.nodes.out.fixes.map((f) => f.label)).toEqual(['Join a, b with Concatenate before out']);
    const fixed = applied(g, a.nodes.out.fixes[0]);
    const join = fixed.nodes[4];
    expect(fixed.edges.filter((e) => e.target === join.id).map((e) => e.source)).toEqual(['a', 'b']);
    expect(fixed.edges.filter((e) => e.target === 'out').map((e) => e.source)).toEqual([join.id]);
    expect(join.position).toEqual({ x: 480, y: 100 });
    expect(analyzeGraph(fixed).valid).toBe(true);
  });
});

describe('loops', () => {
  it('a layer connected to itself: said so, with the connection to remove', () => {
    const g = chain(node('input_1', 'Input', { shape: [4] }), node('dense_1', 'Dense', { units: 4 }));
    g.edges.push({ id: 'self', source: 'dense_1', target: 'dense_1' });
    const a = analyzeGraph(g);
    expect(a.errors).toEqual(['dense_1 is connected to itself — a layer cannot feed its own input. Remove that connection.']);
    expect(a.nodes.dense_1.errors).toEqual(['dense_1 is connected to itself; remove that connection.']);
    expect(a.fixes).toEqual([{ problem: a.errors[0], label: 'Remove the connection dense_1 → dense_1', edits: [{ op: 'removeEdge', edge: 'self' }] }]);
    expect(a.nodes.dense_1.fixes[0].edits).toEqual(a.fixes[0].edits);
    expect(analyzeGraph(applied(g, a.fixes[0])).valid).toBe(true);
  });

  it('a cycle names its layers in loop order, says nothing of "no output", and the fix removes the closing connection', () => {
    // input_1 → dense_1 → dense_2 → dense_3 → dense_1: every layer feeds another, so none looks like an output.
    const g = chain(node('input_1', 'Input', { shape: [4] }), node('dense_3', 'Dense', { units: 4 }), node('dense_1', 'Dense', { units: 4 }), node('dense_2', 'Dense', { units: 4 }));
    g.edges = [
      { id: 'in', source: 'input_1', target: 'dense_1' },
      { id: 'back', source: 'dense_3', target: 'dense_1' },
      { id: 'a', source: 'dense_1', target: 'dense_2' },
      { id: 'b', source: 'dense_2', target: 'dense_3' },
    ];
    const a = analyzeGraph(g);
    expect(a.errors).toEqual(['The graph has a loop through dense_1, dense_2, dense_3 — a layer cannot feed its own input. Remove one of those connections.']);
    expect(a.errors.join('\n')).not.toContain('no output');
    expect(a.fixes.map((f) => f.label)).toEqual(['Remove the connection dense_3 → dense_1']);
    for (const id of ['dense_1', 'dense_2', 'dense_3']) expect(a.nodes[id].fixes.map((f) => f.label)).toEqual(['Remove the connection dense_3 → dense_1']);
    const fixed = applied(g, a.fixes[0]);
    expect(fixed.edges.map((e) => e.id)).toEqual(['in', 'a', 'b']);
    expect(analyzeGraph(fixed).valid).toBe(true);
  });

  it('two loops and a self-connection: one fix removes every closing connection', () => {
    const g = chain(node('input_1', 'Input', { shape: [4] }), node('a', 'Dense', { units: 4 }), node('b', 'Dense', { units: 4 }), node('c', 'Dense', { units: 4 }), node('d', 'Dense', { units: 4 }));
    g.edges.push({ id: 'ba', source: 'b', target: 'a' }, { id: 'dc', source: 'd', target: 'c' }, { id: 'dd', source: 'd', target: 'd' });
    const a = analyzeGraph(g);
    expect(a.errors).toEqual([
      'd is connected to itself — a layer cannot feed its own input. Remove that connection.',
      'The graph has a loop through a, b, c, d — a layer cannot feed its own input. Remove one of those connections.',
    ]);
    expect(a.fixes[1].label).toBe('Remove 2 connections that close loops (b → a, d → c)');
    let fixed = g;
    for (const fix of a.fixes) fixed = applied(fixed, fix);
    expect(analyzeGraph(fixed).valid).toBe(true);
  });
});

describe('applyFix', () => {
  const g = issueNetwork();

  it('keeps every id, the order of the layers, and the rest of the graph', () => {
    const fixed = applied(g, { label: 'x', edits: [{ op: 'insertBefore', node: 'lstm_1', kind: 'Reshape', params: { targetShape: [64, 1] } }] });
    expect(fixed.nodes.slice(0, g.nodes.length)).toEqual(g.nodes);
    const ids = [...fixed.nodes.map((n) => n.id), ...fixed.edges.map((e) => e.id)];
    expect(new Set(ids).size).toBe(ids.length);
    // The connection dense_1 → lstm_1 is replaced in place by dense_1 → reshape → lstm_1.
    expect(fixed.edges.map((e) => [fixed.nodes.find((n) => n.id === e.source)!.name, fixed.nodes.find((n) => n.id === e.target)!.name])).toEqual([
      ['input_1', 'conv2d_1'],
      ['conv2d_1', 'maxpooling2d_1'],
      ['maxpooling2d_1', 'flatten_1'],
      ['flatten_1', 'dense_1'],
      ['dense_1', 'reshape_1'],
      ['reshape_1', 'lstm_1'],
      ['lstm_1', 'dense_2'],
    ]);
    // The original graph is not changed.
    expect(g.edges).toHaveLength(6);
  });

  it('takes ids from the caller, and refers to layers inserted earlier in the same fix', () => {
    let n = 0;
    const r = applyFix(
      g,
      {
        label: 'x',
        edits: [
          { op: 'insertAfter', node: 'dense_2', kind: 'Dropout', key: 'drop' },
          { op: 'setParams', node: { inserted: 'drop' }, params: { rate: 0.3 } },
        ],
      },
      { newId: () => `uuid-${++n}` },
    );
    if (!r.ok) throw new Error(r.error);
    expect(r.inserted).toEqual(['uuid-1']);
    expect(r.graph.nodes.at(-1)).toMatchObject({ id: 'uuid-1', name: 'dropout_1', params: { rate: 0.3 } });
    expect(r.graph.edges.at(-1)).toEqual({ id: 'uuid-2', source: 'dense_2', target: 'uuid-1' });
  });

  it('places a new layer between two far-apart layers on their line, and never on another layer', () => {
    const far = graph([node('input_1', 'Input', { shape: [8] }, 0, 0), node('dense_1', 'Dense', {}, 480, 40), node('other', 'Dense', {}, 240, 100)], [['input_1', 'dense_1']]);
    const fix = { label: 'x', edits: [{ op: 'insertBefore', node: 'dense_1', kind: 'Dropout' }] } as GraphFix;
    const spot = applied({ ...far, nodes: far.nodes.slice(0, 2) }, fix).nodes[2].position;
    expect(spot).toEqual({ x: 240, y: 20 });
    // A layer just below that spot pushes the new one further down, past it.
    expect(applied(far, fix).nodes[3].position).toEqual({ x: 240, y: 240 });
  });

  it('inserting after a layer moves its connections onto the new one, in place', () => {
    const fixed = applied(g, { label: 'x', edits: [{ op: 'insertAfter', node: 'dense_1', kind: 'Dropout' }] });
    const names = (id: string) => fixed.nodes.find((n) => n.id === id)!.name;
    expect(fixed.edges.slice(4).map((e) => `${names(e.source)}>${names(e.target)}`)).toEqual(['dense_1>dropout_1', 'dropout_1>lstm_1', 'lstm_1>dense_2']);
  });

  it('refuses a fix the graph no longer fits, changing nothing', () => {
    for (const edit of [
      { op: 'removeEdge', edge: 'gone' },
      { op: 'setParams', node: 'gone', params: {} },
      { op: 'insertBefore', node: 'input_1', kind: 'Reshape' },
      { op: 'insertAfter', node: 'dense_1', kind: 'NoSuchKind' },
      { op: 'addEdge', source: 'input_1', target: 'conv2d_1' },
    ] as const) {
      const r = applyFix(g, { label: 'Stale', edits: [edit] });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^Cannot apply “Stale”: .+\. The network changed/);
    }
  });
});
