/**
 * Graphs: analysis of random graphs (with and without a dataset to fit), every fix it offers applied, and the
 * compiler's pre-check, which must refuse an invalid graph with the analysis's own message before tfjs is touched.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyzeGraph, type GraphAnalysis } from '../../../main/core/graph/analyze';
import { applyFix } from '../../../main/core/graph/edits';
import { compileGraph, GraphCompileError } from '../../../main/core/compile';
import type { DatasetTarget } from '../../../main/core/datasets';
import type { Graph } from '../../../main/core/project';
import { graphArb } from '../arbitraries';
import { expectClearError, stringsIn } from '../clearError';
import { defineTarget } from '../target';

const datasetTargets: fc.Arbitrary<DatasetTarget | undefined> = fc.constantFrom(
  undefined,
  { datasetName: 'MNIST', inputShape: [28, 28, 1], task: 'classification', numClasses: 10, outputSize: 10 },
  { datasetName: 'Spirals', inputShape: [2], task: 'classification', numClasses: 2, outputSize: 2 },
  { datasetName: 'Sine', inputShape: [24, 1], task: 'regression', numClasses: 0, outputSize: 1 },
  {
    datasetName: 'table.csv', inputShape: [3], task: 'regression', numClasses: 0, outputSize: 1,
    inputs: [{ node: 'n0', name: 'a', shape: [3] }, { node: 'n1', name: 'text', shape: [20] }],
    outputs: [{ node: 'n2', name: 'y', task: 'classification', numClasses: 3, outputSize: 3 }, { node: 'n4', name: 'z', task: 'regression', numClasses: 0, outputSize: 1 }],
  },
);

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function analyze(graph: Graph, target?: DatasetTarget): GraphAnalysis {
  try {
    return analyzeGraph(graph, target);
  } catch (e) {
    throw new Error(`analyzeGraph threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
  }
}

/** What every analysis must give, whatever the graph: a result per layer, a sane order, messages that read. */
export function checkAnalysis(graph: Graph, a: GraphAnalysis): void {
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const id of ids) assert.ok(a.nodes[id], `no result for layer ${id}`);
  assert.equal(new Set(a.order).size, a.order.length, 'a layer appears twice in the order');
  for (const id of a.order) assert.ok(ids.has(id), `the order names ${id}, which is not in the graph`);
  assert.ok(Number.isFinite(a.totalParams) && a.totalParams >= 0, `parameter total ${a.totalParams}`);
  const messages = [...a.errors, ...a.warnings, ...Object.values(a.nodes).flatMap((n) => [...n.errors, ...n.warnings])];
  for (const m of messages) {
    assert.ok(typeof m === 'string' && m.trim() !== '', 'an empty message');
    assert.ok(!CONTROL.test(m) && !m.includes('undefined') && !m.includes('NaN') && !m.includes('[object'), `a garbled message: ${m.slice(0, 300)}`);
  }
  for (const n of Object.values(a.nodes)) {
    assert.ok(Number.isFinite(n.params) && n.params >= 0, `a layer's parameter count is ${n.params}`);
    for (const d of n.outputShape ?? []) assert.ok(d === null || (Number.isSafeInteger(d) && d > 0), `an output shape holds ${d}`);
  }
  if (a.valid) {
    assert.equal(messages.filter((m) => a.errors.includes(m) || Object.values(a.nodes).some((n) => n.errors.includes(m))).length, 0);
    assert.ok(a.inputIds.length > 0 && a.outputIds.length > 0, 'a valid graph without an input or an output');
    for (const id of ids) assert.ok(a.nodes[id].outputShape, `valid, yet layer ${id} has no output shape`);
  }
}

/** Every fix offered applies cleanly (or refuses with a clear error) and leaves a graph that analysis takes. */
function checkFixes(graph: Graph, a: GraphAnalysis, target?: DatasetTarget): void {
  const fixes = [...a.fixes, ...Object.values(a.nodes).flatMap((n) => n.fixes)];
  for (const fix of fixes.slice(0, 8)) {
    assert.ok(fix.label.trim() !== '' && fix.edits.length > 0, 'a fix without a label or edits');
    const result = applyFix(graph, fix);
    if (!result.ok) {
      expectClearError(new Error(result.error), stringsIn(graph));
      continue;
    }
    const fixed = result.graph;
    const nodeIds = fixed.nodes.map((n) => n.id);
    assert.equal(new Set(nodeIds).size, nodeIds.length, `"${fix.label}" gives two layers one id`);
    assert.equal(new Set(fixed.nodes.map((n) => n.name)).size, fixed.nodes.length, `"${fix.label}" gives two layers one name`);
    assert.equal(new Set(fixed.edges.map((e) => e.id)).size, fixed.edges.length, `"${fix.label}" gives two connections one id`);
    for (const id of result.inserted) assert.ok(nodeIds.includes(id), `"${fix.label}" reports an inserted layer that is not there`);
    checkAnalysis(fixed, analyze(fixed, target));
  }
}

/** A tfjs that must not be touched: the pre-check refuses an invalid graph before any layer is built. */
const untouchableTf = new Proxy({}, {
  get(_t, key) {
    throw new Error(`compileGraph used tf.${String(key)} on a graph the analysis calls invalid`);
  },
}) as typeof tfTypes;

export const graphAnalysis = defineTarget({
  name: 'graph analysis, fixes, compile pre-check',
  runs: 3000,
  sampleRuns: 80,
  arbitrary: fc.record({ graph: graphArb(), target: datasetTargets }),
  check({ graph, target }) {
    const a = analyze(graph, target);
    checkAnalysis(graph, a);
    checkFixes(graph, a, target);
    const plain = target ? analyze(graph) : a;
    if (!plain.valid) {
      try {
        compileGraph(untouchableTf, graph);
      } catch (e) {
        if (!(e instanceof GraphCompileError)) throw new Error(`compileGraph threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
        expectClearError(e, stringsIn(graph));
        return;
      }
      throw new Error('compileGraph accepted a graph the analysis calls invalid');
    }
  },
});
