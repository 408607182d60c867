/**
 * The compiler on graphs the analysis accepts: tfjs builds every one, and each output has the shape the analysis
 * worked out (the canvas shows the analysis's shapes; training gets tfjs's).
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { analyzeGraph } from '../../../main/core/graph/analyze';
import { compileGraph } from '../../../main/core/compile';
import { registerCustomLayers } from '../../../main/core/layers/custom';
import { shapeSize } from '../../../main/core/shapes';
import { validGraphArb } from '../arbitraries';
import { defineTarget } from '../target';

/** Larger models take seconds and memory to build and prove nothing more. */
const MAX_PARAMS = 300_000;
const MAX_VALUES = 200_000;

export const graphCompile = defineTarget({
  name: 'compile of valid graphs (tfjs cpu)',
  runs: 150,
  sampleRuns: 6,
  // tfjs's orthogonal initializer (recurrent kernels) takes seconds on the pure-JS cpu backend used here.
  slowMs: 20_000,
  arbitrary: validGraphArb((g) => analyzeGraph(g)),
  async setup() {
    await tf.setBackend('cpu');
    registerCustomLayers(tf);
  },
  check(graph) {
    const a = analyzeGraph(graph);
    if (graph.nodes.length === 1) return; // no layer after the Input was kept: nothing to compile
    assert.ok(a.valid, 'the generator gave an invalid graph');
    const big = Object.values(a.nodes).some((n) => (shapeSize(n.outputShape ?? []) ?? 0) > MAX_VALUES);
    if (a.totalParams > MAX_PARAMS || big) return;
    const model = compileGraph(tf, graph);
    try {
      assert.equal(model.countParams(), a.totalParams, 'tfjs counts other parameters than the analysis');
      model.outputs.forEach((out, i) => {
        const expected = a.nodes[a.outputIds[i]].outputShape;
        assert.deepEqual(out.shape.slice(1), expected, `output ${graph.nodes.find((n) => n.id === a.outputIds[i])?.name} has shape ${JSON.stringify(out.shape.slice(1))} in tfjs, ${JSON.stringify(expected)} in the analysis`);
      });
    } finally {
      model.dispose();
    }
  },
});
