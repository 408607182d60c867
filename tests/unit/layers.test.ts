import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CATEGORY_ORDER, LAYER_SPECS, getLayerSpec, requireLayerSpec } from '../../main/core/layers/registry';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { ACTIVATIONS, defaultParams, missingValue, paramsSchema, type ParamDef } from '../../main/core/layers/params';
import { buildInTfjs, check, describeCase, layerFactories, parse, runAllInTfjs, tfjsRejects, type Case } from './layer-cases/harness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Every case file in ./layer-cases (one per family of kinds), merged. */
const caseFiles = import.meta.glob<{ ACCEPTED: Case[]; REJECTED: Case[] }>('./layer-cases/*.cases.ts', { eager: true });
const ACCEPTED: Case[] = Object.values(caseFiles).flatMap((f) => f.ACCEPTED);
const REJECTED: Case[] = Object.values(caseFiles).flatMap((f) => f.REJECTED);


describe('layer registry', () => {
  it('has one spec per kind, class name and name prefix, each in a known palette category', () => {
    const unique = (values: string[]) => expect(new Set(values).size).toBe(values.length);
    unique(LAYER_SPECS.map((s) => s.kind));
    unique(LAYER_SPECS.map((s) => s.tfjs.className));
    unique(LAYER_SPECS.map((s) => s.namePrefix));
    expect(LAYER_SPECS[0].kind).toBe('Input');
    for (const spec of LAYER_SPECS) expect(CATEGORY_ORDER).toContain(spec.category);
  });

  it('finds specs by kind and explains unknown kinds', () => {
    expect(getLayerSpec('Conv2D')?.label).toBe('Conv2D');
    expect(getLayerSpec('Nope')).toBeUndefined();
    expect(() => requireLayerSpec('Nope')).toThrow(/Unknown layer kind "Nope".*Conv2D/);
  });

  it.each(LAYER_SPECS.map((s) => [s.kind, s] as const))('%s: defaults are valid and the tfjs factory exists', (_kind, spec) => {
    const defaults = defaultParams(spec.params);
    expect(paramsSchema(spec.params).safeParse(defaults).success).toBe(true);
    // A node saved without its params gets the defaults, except where a param says what its absence meant.
    const missing = Object.fromEntries(
      Object.entries(spec.params as Record<string, ParamDef>).flatMap(([key, def]) => (missingValue(def) !== def.default ? [[key, missingValue(def)]] : [])),
    );
    expect(paramsSchema(spec.params).parse({})).toEqual({ ...defaults, ...missing });
    if (spec.kind === 'Input') expect(spec.tfjs.factory).toBe('input');
    else if (spec.tfjs.custom) expect(registerCustomLayers(tf).get(spec.tfjs.className)?.className).toBe(spec.tfjs.className);
    else expect(typeof layerFactories[spec.tfjs.factory]).toBe('function');
    expect(spec.namePrefix).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(spec.inputs.min).toBeLessThanOrEqual(spec.inputs.max);
    for (const def of Object.values(spec.params)) expect((def as { help: string }).help.length).toBeGreaterThan(10);
  });

  it.each(LAYER_SPECS.map((s) => s.kind))('%s has several accepted and rejected configurations under test', (kind) => {
    expect(ACCEPTED.filter((c) => c.kind === kind).length).toBeGreaterThanOrEqual(4);
    // These accept any input shape (Embedding warns on anything but a sequence of ids; the others pass values
    // through with only warnings for parameters that do nothing).
    const acceptsAnything = ['Input', 'Dropout', 'Activation', 'Embedding', 'GaussianNoise', 'GaussianDropout', 'ActivityRegularization', 'ReLU', 'LeakyReLU'];
    if (!acceptsAnything.includes(kind)) {
      expect(REJECTED.filter((c) => c.kind === kind).length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('every activation in ACTIVATIONS exists in tfjs', () => {
  it.each([...ACTIVATIONS])('%s builds and applies', (activation) => {
    const layer = tf.layers.activation({ activation: activation as never });
    const y = layer.apply(tf.tensor2d([[-2, -0.5, 0, 0.5, 2]])) as tf.Tensor;
    expect(y.shape).toEqual([1, 5]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('shapes and parameter counts equal tfjs', () => {
  it.each(ACCEPTED.map((c) => [describeCase(c), c] as const))('%s', (_label, c) => {
    const spec = requireLayerSpec(c.kind);
    const params = parse(spec, c.params);
    const result = spec.inferShape(c.inputs, params, { name: 'layer_1' });
    if (!result.ok) throw new Error(`spec rejected a configuration tfjs accepts: ${result.error}`);

    // Every output: the main one, then those the spec names (an LSTM's states, attention scores), in that order.
    const built = buildInTfjs(c);
    const promised = [result.shape, ...(result.extraShapes ?? [])];
    expect(promised.length).toBe(1 + (spec.outputs?.extra(params).length ?? 0));
    expect(promised).toEqual(built.outputs.map((o) => o.shape.slice(1)));
    expect(spec.countParams(c.inputs, params)).toBe(built.layer ? built.layer.countParams() : 0);
    const size = (w: tf.LayerVariable) => w.shape.reduce((a, b) => a * b, 1);
    expect(spec.countNonTrainable?.(c.inputs, params) ?? 0).toBe(built.layer ? built.layer.nonTrainableWeights.reduce((s, w) => s + size(w), 0) : 0);

    // The layer must also run, and give the sizes the spec promised wherever it knows them.
    const ran = runAllInTfjs(c);
    expect(ran.length).toBe(promised.length);
    const concreteInputs = c.inputs.every((s) => s.every((d) => d !== null));
    promised.forEach((shape, port) => {
      expect(ran[port].length).toBe(shape.length);
      if (concreteInputs) shape.forEach((d, i) => d !== null && expect(ran[port][i]).toBe(d));
    });
  });
});

describe('configurations tfjs rejects are errors that name the layer', () => {
  it.each(REJECTED.map((c) => [describeCase(c), c] as const))('%s', (_label, c) => {
    // First make sure tfjs really rejects it, so this list cannot forbid what tfjs allows.
    expect(tfjsRejects(c)).not.toBeNull();
    const result = check(c, 'my_layer_7');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('my_layer_7');
  });
});

describe('human messages', () => {
  it('Conv2D on a flat 784 vector suggests a Reshape to [28, 28, 1]', () => {
    const r = check({ kind: 'Conv2D', inputs: [[784]] }, 'conv2d_1');
    expect(r).toMatchObject({
      ok: false,
      error: 'conv2d_1: Conv2D needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1].',
    });
  });

  it('Conv2D on a flat vector of RGB size suggests three channels', () => {
    const r = check({ kind: 'Conv2D', inputs: [[3072]] }, 'conv2d_1');
    expect(!r.ok && r.error).toContain('insert a Reshape to [32, 32, 3]');
  });

  it('Conv2D on a flat vector with no square layout suggests a Reshape in general', () => {
    const r = check({ kind: 'Conv2D', inputs: [[10]] }, 'conv2d_2');
    expect(!r.ok && r.error).toContain('conv2d_2: Conv2D needs an image-like input');
    expect(!r.ok && r.error).toContain('Reshape to [height, width, channels]');
  });

  it('Conv2D on a 2-D input suggests adding a channel axis', () => {
    const r = check({ kind: 'Conv2D', inputs: [[28, 28]] }, 'conv2d_1');
    expect(!r.ok && r.error).toContain('Reshape to [28, 28, 1]');
  });

  it('MaxPooling2D gives the same rank message', () => {
    const r = check({ kind: 'MaxPooling2D', inputs: [[784]] }, 'max_pooling2d_1');
    expect(!r.ok && r.error).toBe('max_pooling2d_1: MaxPooling2D needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1].');
  });

  it('a kernel larger than the input says how to fix it', () => {
    const r = check({ kind: 'Conv2D', inputs: [[3, 3, 1]], params: { kernelSize: [5, 5] } }, 'conv2d_3');
    expect(!r.ok && r.error).toBe("conv2d_3: kernel 5×5 does not fit the 3×3 input; use padding 'same' or a smaller kernel.");
    const dilated = check({ kind: 'Conv2D', inputs: [[6, 6, 1]], params: { kernelSize: [3, 3], dilationRate: [3, 3] } }, 'conv2d_4');
    expect(!dilated.ok && dilated.error).toContain('spans 7×7');
  });

  it('a pool larger than the input says how to fix it', () => {
    const r = check({ kind: 'MaxPooling2D', inputs: [[1, 1, 8]] }, 'max_pooling2d_2');
    expect(!r.ok && r.error).toContain("max_pooling2d_2: pool 2×2 does not fit the 1×1 input; use padding 'same'");
  });

  it('Dense on an image warns "Flatten first?" but is allowed', () => {
    const r = check({ kind: 'Dense', inputs: [[28, 28, 1]], params: { units: 10 } }, 'dense_1');
    expect(r.ok).toBe(true);
    expect(r.warnings?.join('\n')).toContain('dense_1');
    expect(r.warnings?.join('\n')).toContain('Flatten first?');
  });

  it('Dense on a flat vector has no warnings', () => {
    expect(check({ kind: 'Dense', inputs: [[784]] })).toEqual({ ok: true, shape: [128] });
  });

  it('Add with different unit counts', () => {
    const r = check({ kind: 'Add', inputs: [[128], [64]] }, 'add_1');
    expect(!r.ok && r.error).toBe('add_1: Add needs inputs of the same shape but gets [128] and [64] — make both branches end in the same number of units.');
  });

  it('Add that broadcasts is allowed with a warning', () => {
    const r = check({ kind: 'Add', inputs: [[1], [3]] }, 'add_2');
    expect(r.ok).toBe(true);
    expect(r.warnings?.[0]).toContain('add_2');
    expect(r.warnings?.[0]).toContain('broadcasts');
    expect(check({ kind: 'Add', inputs: [[null, 3], [4, 3]] }).warnings).toBeUndefined();
  });

  it('Reshape with the wrong number of values', () => {
    const r = check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [27, 28, 1] } }, 'reshape_1');
    expect(!r.ok && r.error).toBe('reshape_1: cannot reshape 784 values into [27, 28, 1] (756 values).');
    const minusOne = check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, 5] } }, 'reshape_2');
    expect(!minusOne.ok && minusOne.error).toContain('reshape_2: cannot reshape 784 values into [-1, 5]');
    const twice = check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, -1] } }, 'reshape_3');
    expect(!twice.ok && twice.error).toContain('only one size');
  });

  it('Reshape with -1 leaves that axis unknown, as tfjs does', () => {
    expect(check({ kind: 'Reshape', inputs: [[784]], params: { targetShape: [-1, 28, 1] } })).toEqual({ ok: true, shape: [null, 28, 1] });
  });

  it('Flatten on a flat vector says it is already flat', () => {
    const r = check({ kind: 'Flatten', inputs: [[784]] }, 'flatten_1');
    expect(!r.ok && r.error).toContain('flatten_1');
    expect(!r.ok && r.error).toContain('already flat');
  });

  it('Concatenate with mismatched other axes and with the batch axis', () => {
    const r = check({ kind: 'Concatenate', inputs: [[4, 3], [2, 5]] }, 'concatenate_1');
    expect(!r.ok && r.error).toContain('concatenate_1: Concatenate joins along axis -1');
    const batch = check({ kind: 'Concatenate', inputs: [[4], [4]], params: { axis: 0 } }, 'concatenate_2');
    expect(!batch.ok && batch.error).toContain('batch axis');
    const negative = check({ kind: 'Concatenate', inputs: [[4, 3], [2, 3]], params: { axis: -2 } }, 'concatenate_3');
    expect(!negative.ok && negative.error).toContain('use axis 1');
  });

  it('Dropout rate 1 is a no-op in tfjs, so it warns', () => {
    const r = check({ kind: 'Dropout', inputs: [[4]], params: { rate: 1 } }, 'dropout_1');
    expect(r.ok).toBe(true);
    expect(r.warnings?.[0]).toContain('dropout_1');
    // What the warning claims: tfjs passes values through unchanged at rate 1, even in training.
    const y = tf.layers.dropout({ rate: 1 }).apply(tf.ones([2, 4]), { training: true }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(new Array(8).fill(1));
  });

  it('Dropout rate outside [0, 1] is rejected by the parameter schema', () => {
    const spec = requireLayerSpec('Dropout');
    expect(paramsSchema(spec.params).safeParse({ rate: 1.5 }).success).toBe(false);
    expect(paramsSchema(spec.params).safeParse({ rate: -0.1 }).success).toBe(false);
  });
});
