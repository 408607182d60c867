import { defineLayer, type AnyLayerSpec, type ShapeCheck } from '../types';
import { formatShape, shapesEqual, type Shape } from '../../shapes';

/**
 * Shape of an element-wise merge of two shapes (batch axis excluded), exactly as tfjs-layers'
 * Merge.computeElementwiseOpOutputShape: shapes are aligned at their last axis, size 1 broadcasts,
 * unknown sizes give unknown. Returns null where tfjs throws "could not be broadcast".
 */
export function broadcastShapes(a: Shape, b: Shape): Shape | null {
  if (a.length < b.length) return broadcastShapes(b, a);
  const out: Shape = a.slice(0, a.length - b.length);
  for (let k = 0; k < b.length; k++) {
    const i = a[a.length - b.length + k];
    const j = b[k];
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i !== j) return null;
    else out.push(i);
  }
  return out;
}

/** Shape check shared by element-wise merges (Add, Subtract, Multiply, Average, Maximum, Minimum). */
export function elementwiseMerge(label: string, inputs: Shape[], name: string): ShapeCheck {
  let shape: Shape = inputs[0];
  for (const next of inputs.slice(1)) {
    const merged = broadcastShapes(shape, next);
    if (!merged) {
      const fix = shape.length === 1 && next.length === 1 ? 'make both branches end in the same number of units' : 'make the branches end in the same shape';
      return { ok: false, error: `${name}: ${label} needs inputs of the same shape but gets ${formatShape(shape)} and ${formatShape(next)} — ${fix}.` };
    }
    shape = merged;
  }
  const differ = inputs.some((s) => !shapesEqual(s, inputs[0]));
  // Shapes that differ only where a size is unknown are not a broadcast the person chose.
  const broadcasts = differ && inputs.some((s) => s.length !== shape.length || s.some((d, i) => d !== null && shape[i] !== null && d !== shape[i]));
  if (broadcasts) {
    return {
      ok: true,
      shape,
      warnings: [`${name}: ${label} gets inputs of different shapes (${inputs.map(formatShape).join(', ')}) and broadcasts them to ${formatShape(shape)} — fine if intended, otherwise make the branches end in the same shape.`],
    };
  }
  return { ok: true, shape };
}

/** What differs between the element-wise merge kinds; everything else (shape check, no weights) is shared. */
export interface ElementwiseMergeKind {
  /** Kind, label and tfjs/Keras class name, e.g. "Multiply". */
  kind: string;
  description: string;
  namePrefix: string;
  /** The most inputs it takes: Subtract takes exactly two, the others any number from two. */
  maxInputs?: number;
  /** Name in `tf.layers`; for a custom class, the name the generated code uses. */
  factory: string;
  /** True where tfjs-layers lacks the layer and Neurowire's own class (main/core/layers/custom) builds it. */
  custom?: boolean;
  /** The merge as a Python expression of its inputs' expressions (PyTorch export). */
  torch(inputs: string[]): string;
}

/** One element-wise merge layer kind: the inputs are combined value by value and need the same (or a broadcastable) shape. */
export function elementwiseMergeLayer(k: ElementwiseMergeKind): AnyLayerSpec {
  return defineLayer({
    kind: k.kind,
    label: k.kind,
    category: 'Merge',
    description: k.description,
    namePrefix: k.namePrefix,
    role: 'layer',
    penalizedWeights: [],
    outputFit: { fit: 'none' },
    inputs: { min: 2, max: k.maxInputs ?? Infinity },
    params: {},
    inferShape(inputs, _p, ctx) {
      return elementwiseMerge(k.kind, inputs, ctx.name);
    },
    countParams() {
      return 0;
    },
    keras: { className: k.kind, params: () => ({ params: {} }) },
    pytorch: { forward: (_p, io) => k.torch(io.inputs) },
    tfjs: {
      factory: k.factory,
      className: k.kind,
      config: () => ({}),
      ...(k.custom ? { custom: true } : {}),
    },
  });
}

export const Add: AnyLayerSpec = {
  ...elementwiseMergeLayer({
    kind: 'Add',
    description: 'Adds its inputs value by value, e.g. to join a residual (skip) connection; the inputs need the same shape.',
    namePrefix: 'add',
    factory: 'add',
    torch: (inputs) => inputs.join(' + '),
  }),
  joinsBranches: true,
};
