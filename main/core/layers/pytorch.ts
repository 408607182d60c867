/**
 * Helpers the layer specs' PyTorch mappings (LayerSpec.pytorch) share: Python literals, activations and TensorFlow's
 * padding arithmetic. Pure string building.
 */
import type { Shape } from '../shapes';

/** A Python literal of plain data: True/False/None, numbers, 'strings', (tuples). */
export function py(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 1 ? `(${py(value[0])},)` : `(${value.map(py).join(', ')})`;
  throw new Error(`Cannot print ${typeof value} as a Python literal`);
}

/** The activation applied to `expr`, as plain torch where it has one (torch.relu), else the shipped helper. */
export function torchActivation(name: string, expr: string): string {
  switch (name) {
    case 'linear':
      return expr;
    case 'relu':
    case 'sigmoid':
    case 'tanh':
      return `torch.${name}(${expr})`;
    case 'softmax':
      return `torch.softmax(${expr}, dim=-1)`;
    default:
      return `nw.activation(${py(name)}, ${expr})`;
  }
}

/** The last axis's size (features, channels), which must be known for a module's size. */
export function lastAxis(shape: Shape): number {
  const n = shape[shape.length - 1];
  if (n === null || n === undefined) throw new Error('the last axis has no known size');
  return n;
}

/**
 * TensorFlow's 'same' padding of one axis: (before, after), the odd pixel after. `size` is the input's length,
 * `out` the output's (tfjs's shape), `span` the dilated window.
 */
export function samePadding(size: number, out: number, span: number, stride: number): [number, number] {
  const total = Math.max((out - 1) * stride + span - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** F.pad's (left, right, top, bottom) of a 2-D window over [height, width, channels] input, or null when not known. */
export function windowPads(input: Shape, output: Shape, padding: string, window: readonly number[], strides: readonly number[], dilation: readonly number[] = [1, 1]): number[] | null {
  if (padding !== 'same') return [0, 0, 0, 0];
  const [h, w] = input;
  const [oh, ow] = output;
  if (h === null || w === null || oh === null || ow === null) return null;
  const span = (i: number) => window[i] + (window[i] - 1) * (dilation[i] - 1);
  const [top, bottom] = samePadding(h, oh, span(0), strides[0]);
  const [left, right] = samePadding(w, ow, span(1), strides[1]);
  return [left, right, top, bottom];
}

/**
 * The weight conversion of Keras's MultiHeadAttention to the shipped nw.MultiHeadAttention (PyTorch export), shared by
 * the attention layer and the Transformer blocks that hold one: each projection's kernel [width, heads, size] becomes
 * nn.Linear's weight [heads·size, width], the output's [heads, size, width] becomes [width, heads·size].
 */
export function attentionWeights(module: string, prefix: string, useBias: boolean): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const part of ['query', 'key', 'value', 'attention_output']) {
    const key = module ? `${module}.${part}` : part;
    entries[`${key}.weight`] = `nw.dense_weights(w("${prefix}${part}/kernel")${part === 'attention_output' ? ', heads_in=True' : ''})`;
    if (useBias) entries[`${key}.bias`] = `w("${prefix}${part}/bias").reshape(-1)`;
  }
  return entries;
}
