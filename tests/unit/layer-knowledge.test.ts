/**
 * Layer knowledge lives only in the layer specs: the declared fields agree with what tfjs builds, the
 * output-fit rule gives analysis and the training loop the same answer, and no code outside the specs
 * tests layer kinds by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LAYER_SPECS, isInputKind, specOfClassName } from '../../main/core/layers/registry';
import { defaultParams } from '../../main/core/layers/params';
import type { AnyLayerSpec } from '../../main/core/layers/types';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { compileGraph } from '../../main/core/compile';
import { fitProjectToData } from '../../main/core/graph/fitToData';
import { checkModelFitsData, penalizedWeights } from '../../main/core/training/loop';
import { lossFor } from '../../main/core/outputFit';
import { targetOf, type DatasetInfo } from '../../main/core/datasets';
import { emptyProject, type Graph, type ProjectNode } from '../../main/core/project';
import { createLstmLayer } from '../../main/node/wasm/lstm';
import { makeCustomLayer } from '../../main/core/layers/custom';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shortName = (w: tf.LayerVariable) => (w.originalName ?? w.name).split('/').pop()!.replace(/_\d+$/, '');

/** Per-sample input shapes the kind accepts with its default params (the first candidate its shape check takes). */
function inputsFor(spec: AnyLayerSpec): number[][] {
  const params = defaultParams(spec.params);
  for (const shape of [[8], [10, 4], [28, 28, 1]]) {
    const inputs = Array.from({ length: spec.inputs.min }, () => shape);
    if (spec.inferShape(inputs, params, { name: 'x' }).ok) return inputs;
  }
  throw new Error(`${spec.kind}: no test input shape fits its defaults`);
}

/** The kind's layer built by its tfjs factory (or Neurowire's custom class) in a one-layer model, as the compiler builds it. */
function build(spec: AnyLayerSpec, extra: Record<string, unknown> = {}): { model: tf.LayersModel; layer: tf.layers.Layer } {
  const config = { ...spec.tfjs.config(defaultParams(spec.params)), ...extra };
  const factory = (tf.layers as unknown as Record<string, (c: object) => tf.layers.Layer>)[spec.tfjs.factory];
  const layer = spec.tfjs.custom ? makeCustomLayer(tf, spec.tfjs.className, config) : factory(config);
  const inputs = inputsFor(spec).map((shape) => tf.input({ shape }));
  const output = layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.SymbolicTensor;
  return { model: tf.model({ inputs, outputs: output }), layer };
}

const layerSpecs = LAYER_SPECS.filter((s) => s.role !== 'input');

describe('declared layer knowledge matches tfjs', () => {
  it('exactly one kind is an input, and it builds as tfjs InputLayer', () => {
    const inputs = LAYER_SPECS.filter((s) => s.role === 'input');
    expect(inputs).toHaveLength(1);
    expect(inputs[0].inputs.max).toBe(0);
    expect(isInputKind(inputs[0].kind)).toBe(true);
    const x = tf.input({ shape: [3] });
    expect(specOfClassName(x.sourceLayer.getClassName())).toBe(inputs[0]);
  });

  it.each(layerSpecs.map((s) => [s.kind, s] as const))('%s: class name and penalized weights agree with the built layer', (_kind, spec) => {
    const { model, layer } = build(spec);
    expect(layer.getClassName()).toBe(spec.tfjs.className);
    expect(specOfClassName(layer.getClassName())).toBe(spec);
    const declared = [...spec.penalizedWeights].sort();
    // Distinct names: a layer made of sub-blocks (attention) has several kernels, e.g. query/kernel and key/kernel.
    const distinct = (names: string[]) => [...new Set(names)].sort();
    // What the loop penalizes is what the spec declares…
    expect(distinct(penalizedWeights(model).map(shortName))).toEqual(declared);
    // …and that is every kernel and embedding matrix, never a bias or normalization parameter.
    const trainable = layer.trainableWeights.map(shortName);
    expect(distinct(trainable.filter((n) => /kernel$|^embeddings$/.test(n)))).toEqual(declared);
    model.dispose();
  });

  it("the wasm LSTM replacement reports the stock class, so the loop penalizes the LSTM spec's weights", () => {
    const layer = createLstmLayer(tf, { units: 3 });
    const input = tf.input({ shape: [5, 2] });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    expect(layer.getClassName()).toBe('LSTM');
    expect(penalizedWeights(model).map(shortName).sort()).toEqual(['kernel', 'recurrent_kernel']);
    model.dispose();
  });
});

function node(id: string, kind: string, params: Record<string, unknown> = {}): ProjectNode {
  return { id, kind, name: id, params, position: { x: 0, y: 0 } };
}

/** input_1 → [flatten_1] → …layers, chained. */
function chain(inputShape: number[], layers: ProjectNode[], flatten = true): Graph {
  const nodes = [node('input_1', 'Input', { shape: inputShape }), ...(flatten ? [node('flatten_1', 'Flatten')] : []), ...layers];
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

function info(over: Partial<DatasetInfo>): DatasetInfo {
  return {
    id: 'test',
    name: 'Test data',
    description: '',
    inputShape: [4, 4, 1],
    inputDType: 'float32',
    task: 'classification',
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
    outputSize: 3,
    totalSamples: 100,
    available: true,
    ...over,
  };
}

const dense = (id: string, units: number, activation: string) => node(id, 'Dense', { units, activation });
const regression = info({ task: 'regression', numClasses: 0, classNames: [], outputSize: 2 });
const binary = info({ numClasses: 2, classNames: ['no', 'yes'], outputSize: 2 });

const CASES: [string, Graph, DatasetInfo, boolean][] = [
  ['softmax classifier', chain([4, 4, 1], [dense('dense_1', 3, 'softmax')]), info({}), true],
  ['too few units', chain([4, 4, 1], [dense('dense_1', 5, 'softmax')]), info({}), false],
  ['units set before a softmax Activation', chain([4, 4, 1], [dense('dense_1', 5, 'linear'), node('activation_1', 'Activation', { activation: 'softmax' })]), info({}), false],
  ['Dropout after the output Dense', chain([4, 4, 1], [dense('dense_1', 4, 'softmax'), node('dropout_1', 'Dropout', { rate: 0.2 })]), info({}), false],
  ['output not flat', chain([4, 4, 1], [dense('dense_1', 3, 'softmax')], false), info({}), false],
  ['one sigmoid unit for two classes', chain([4, 4, 1], [dense('dense_1', 1, 'sigmoid')]), binary, true],
  ['regression with the right width', chain([4, 4, 1], [dense('dense_1', 2, 'linear')]), regression, true],
  ['regression with the wrong width', chain([4, 4, 1], [dense('dense_1', 3, 'linear')]), regression, false],
  ['no Dense at the end', chain([4, 4, 1], [node('dropout_1', 'Dropout', { rate: 0.2 })], true), regression, false],
];

describe('one output-fit rule for analysis, loop and fit-to-data', () => {
  it.each(CASES)('%s', (_label, graph, data, fits) => {
    const analysis = analyzeGraph(graph, targetOf(data));
    const outWarnings = analysis.nodes[analysis.outputIds[0]].warnings;
    const model = compileGraph(tf, graph);
    let loopError: string | undefined;
    try {
      const fit = checkModelFitsData(model, data);
      expect(fit.loss).toBe(lossFor(data, fit.outputUnits));
    } catch (e) {
      loopError = (e as Error).message;
    }
    model.dispose();
    expect(loopError === undefined, loopError).toBe(fits);
    // The loop refuses with the very message analysis shows on the output layer.
    if (loopError) expect(outWarnings).toContain(loopError);
    else expect(outWarnings).toEqual([]);

    // Fitting the project to the data makes both agree that it fits, where a Dense sets a flat output
    // (fitting sets params; it does not add the missing Flatten).
    const fitted = fitProjectToData({ ...emptyProject(), graph }, data);
    if (!fitted.ok) {
      expect(graph.nodes.some((n) => n.kind === 'Dense')).toBe(false);
      return;
    }
    const after = analyzeGraph(fitted.project.graph, targetOf(data));
    const refitted = compileGraph(tf, fitted.project.graph);
    if (graph.nodes.some((n) => n.kind === 'Flatten')) {
      expect(Object.values(after.nodes).flatMap((n) => n.warnings)).toEqual([]);
      expect(() => checkModelFitsData(refitted, data)).not.toThrow();
    } else {
      expect(() => checkModelFitsData(refitted, data)).toThrow();
      expect(after.nodes[after.outputIds[0]].warnings.join('\n')).toContain('Flatten and end with Dense(3, softmax)');
    }
    refitted.dispose();
  });

  it('names the layer that sets the units when an Activation follows it', () => {
    const [, graph, data] = CASES[2];
    const analysis = analyzeGraph(graph, targetOf(data));
    expect(analysis.nodes.activation_1.warnings).toEqual(['activation_1 outputs 5 values but Test data has 3 classes. Set the units of dense_1 to 3.']);
  });
});

describe('no layer kind is tested by name outside the layer specs', () => {
  const root = path.resolve(__dirname, '../..');
  const kinds = LAYER_SPECS.map((s) => s.kind).join('|');
  const q = `(['"\`])`;
  /** A comparison with a kind name, a switch case on one, a list of kind names, or a table keyed by kind. */
  const patterns = [
    new RegExp(`\\bkind\\s*[!=]==?\\s*${q}(${kinds})\\1`, 'i'),
    new RegExp(`${q}(${kinds})\\1\\s*[!=]==?\\s*[\\w.]*kind\\b`, 'i'),
    new RegExp(`\\bcase\\s+${q}(${kinds})\\1\\s*:`),
    new RegExp(`\\[\\s*${q}(${kinds})\\1\\s*,\\s*${q}(${kinds})\\3`),
    new RegExp(`^\\s*(${kinds})\\s*:\\s*[[{]`, 'm'),
  ];
  const offending = (text: string) => patterns.filter((p) => p.test(text)).map(String);

  it('the scan recognises the old ways of doing it', () => {
    for (const old of [
      "if (node.kind === 'Input') {",
      "n.kind !== 'Input'",
      "const PASS_THROUGH = new Set(['Activation', 'Dropout']);",
      "  Dense: ['kernelRegularizer'],",
      "    case 'LSTM':",
    ]) {
      expect(offending(old), old).not.toEqual([]);
    }
    // Kinds of other things (wire messages, CSV columns) are not layer kinds.
    expect(offending("if (msg.kind === 'event') return; f.kind === 'numeric'")).toEqual([]);
  });

  it('main/, renderer/src and electron/ (but the layer specs) never test a layer kind by name', () => {
    const skip = path.join(root, 'main/core/layers');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (p !== skip && e.name !== 'node_modules') walk(p);
        } else if (/\.(ts|tsx)$/.test(e.name)) files.push(p);
      }
    };
    for (const dir of ['main', 'renderer/src', 'electron']) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => offending(fs.readFileSync(f, 'utf8')).map((p) => `${path.relative(root, f)}: ${p}`));
    expect(found).toEqual([]);
  });
});
