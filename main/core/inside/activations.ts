/**
 * Look inside a trained model: every layer's output for one sample, summarised small enough to send to the page
 * (kilobytes, never the full tensors). How a layer is shown follows from its output, never from its kind:
 * - a per-sample output [height, width, channels] (convolutions, pooling, image inputs): feature maps, one small
 *   grayscale image per channel, box-averaged down to at most MAX_MAP_SIDE pixels a side;
 * - a layer whose spec declares `attentionScores` (MultiHeadAttention): its attention probabilities, one heatmap
 *   per head;
 * - anything else (dense, recurrent, embedding, flat outputs): a histogram of the values.
 * Pure: tf is passed in; the engine hosts it for a run's saved model (main/node/inside.ts).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { specOfClassName } from '../layers/registry';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

/** Feature maps are shrunk to at most this many pixels a side. */
export const MAX_MAP_SIDE = 24;
/** At most this many channels (the first ones) are drawn per layer. */
export const MAX_MAPS = 16;
export const HISTOGRAM_BINS = 24;
/** Attention heatmaps: at most this many heads, each at most this many steps a side (box-averaged beyond). */
export const MAX_HEADS = 8;
export const MAX_HEATMAP_SIDE = 32;

/** One channel's map, row-major, scaled to 0..255 between the map's own min and max. */
export interface FeatureMap {
  pixels: number[];
  min: number;
  max: number;
}

export type ActivationSummary =
  | {
      view: 'featureMaps';
      /** The layer's own map size and channel count. */
      height: number;
      width: number;
      channels: number;
      /** The drawn maps' size after shrinking. */
      mapHeight: number;
      mapWidth: number;
      maps: FeatureMap[];
    }
  | {
      view: 'heatmap';
      heads: number;
      /** Query steps (rows) and key steps (columns), before shrinking. */
      queries: number;
      keys: number;
      rows: number;
      cols: number;
      /** Per drawn head, row-major probabilities 0..1 (rounded to 3 decimals). */
      matrices: number[][];
    }
  | {
      view: 'histogram';
      /** Values counted per bin; bins split [min, max] evenly. */
      bins: number[];
      min: number;
      max: number;
      mean: number;
      std: number;
      /** Share of values exactly 0 (dead ReLUs). */
      zeros: number;
      count: number;
    };

export interface LayerActivation {
  /** The layer's name, which is its node's name on the canvas. */
  layer: string;
  className: string;
  /** The output's shape for one sample. */
  shape: number[];
  summary: ActivationSummary;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const sig = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(5)) : 0);

/** Box-average of a [rows, cols] grid read through `at`, to at most `maxSide` a side. */
function shrink(rows: number, cols: number, maxSide: number, at: (r: number, c: number) => number): { rows: number; cols: number; values: Float64Array } {
  const fr = Math.ceil(rows / maxSide);
  const fc = Math.ceil(cols / maxSide);
  const outRows = Math.ceil(rows / fr);
  const outCols = Math.ceil(cols / fc);
  const values = new Float64Array(outRows * outCols);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      let sum = 0;
      let n = 0;
      for (let i = r * fr; i < Math.min(rows, (r + 1) * fr); i++) {
        for (let j = c * fc; j < Math.min(cols, (c + 1) * fc); j++) {
          sum += at(i, j);
          n++;
        }
      }
      values[r * outCols + c] = sum / n;
    }
  }
  return { rows: outRows, cols: outCols, values };
}

/** Feature maps of one sample's [height, width, channels] values (channels last, as tfjs lays them out). */
export function featureMaps(values: ArrayLike<number>, shape: readonly number[]): Extract<ActivationSummary, { view: 'featureMaps' }> {
  const [height, width, channels] = shape;
  const maps: FeatureMap[] = [];
  let mapHeight = 0;
  let mapWidth = 0;
  for (let ch = 0; ch < Math.min(channels, MAX_MAPS); ch++) {
    const small = shrink(height, width, MAX_MAP_SIDE, (r, c) => values[(r * width + c) * channels + ch]);
    mapHeight = small.rows;
    mapWidth = small.cols;
    let min = Infinity;
    let max = -Infinity;
    for (const v of small.values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const span = max - min;
    maps.push({ pixels: Array.from(small.values, (v) => (span > 0 ? Math.round(((v - min) / span) * 255) : 0)), min: sig(min), max: sig(max) });
  }
  return { view: 'featureMaps', height, width, channels, mapHeight, mapWidth, maps };
}

/** A histogram of any values, with their mean, spread and share of exact zeros. */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Extract<ActivationSummary, { view: 'histogram' }> {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    if (v === 0) zeros++;
  }
  const mean = n > 0 ? sum / n : 0;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  const counts = new Array<number>(bins).fill(0);
  const span = max - min;
  for (let i = 0; i < n; i++) counts[span > 0 ? Math.min(bins - 1, Math.floor(((values[i] - min) / span) * bins)) : 0]++;
  return { view: 'histogram', bins: counts, min: n ? sig(min) : 0, max: n ? sig(max) : 0, mean: sig(mean), std: sig(n ? Math.sqrt(sq / n) : 0), zeros: n ? round(zeros / n, 4) : 0, count: n };
}

/** Heatmaps of one sample's attention probabilities [heads, query steps, key steps]. */
export function attentionHeatmaps(values: ArrayLike<number>, shape: readonly number[]): Extract<ActivationSummary, { view: 'heatmap' }> {
  const [heads, queries, keys] = shape;
  const matrices: number[][] = [];
  let rows = 0;
  let cols = 0;
  for (let h = 0; h < Math.min(heads, MAX_HEADS); h++) {
    const small = shrink(queries, keys, MAX_HEATMAP_SIDE, (q, k) => values[(h * queries + q) * keys + k]);
    rows = small.rows;
    cols = small.cols;
    matrices.push(Array.from(small.values, (v) => round(v, 3)));
  }
  return { view: 'heatmap', heads, queries, keys, rows, cols, matrices };
}

/** How one sample's output of this shape is summarised (attention scores aside, which the spec declares). */
export function summarize(values: ArrayLike<number>, shape: readonly number[]): ActivationSummary {
  return shape.length === 3 ? featureMaps(values, shape) : histogram(values);
}

function firstOutput(layer: tfTypes.layers.Layer): tfTypes.SymbolicTensor {
  const out = layer.getOutputAt(0) as tfTypes.SymbolicTensor | tfTypes.SymbolicTensor[];
  return Array.isArray(out) ? out[0] : out;
}

function inputsOf(layer: tfTypes.layers.Layer): tfTypes.SymbolicTensor[] {
  const input = layer.getInputAt(0) as tfTypes.SymbolicTensor | tfTypes.SymbolicTensor[];
  return Array.isArray(input) ? input : [input];
}

/**
 * A layer rebuilt with its spec's `attentionScores` config and the trained layer's weights, applied to the values
 * its inputs had: the attention probabilities for the sample, [1, heads, query steps, key steps].
 */
function attentionScoresOf(layer: tfTypes.layers.Layer, scores: { config: Record<string, unknown>; output: number }, inputs: Tensor[]): Tensor {
  const Class = layer.constructor as new (config: Record<string, unknown>) => tfTypes.layers.Layer;
  const twin = new Class({ ...layer.getConfig(), ...scores.config, name: `${layer.name}_scores` });
  try {
    const arg = inputs.length === 1 ? inputs[0] : inputs;
    const warmUp = twin.apply(arg) as Tensor | Tensor[]; // builds the weights, then they are replaced by the trained ones
    for (const t of Array.isArray(warmUp) ? warmUp : [warmUp]) t.dispose();
    twin.setWeights(layer.getWeights());
    const out = twin.apply(arg) as Tensor[];
    out.forEach((t, i) => i !== scores.output && t.dispose());
    return out[scores.output];
  } finally {
    twin.dispose();
  }
}

/**
 * Every layer's output for the sample(s) in `xs` (the model's inputs, a batch of one), summarised; layers in the
 * model's order. Reads the outputs with the model in inference mode (no dropout).
 */
export async function layerActivations(tf: Tf, model: tfTypes.LayersModel, xs: Tensor[]): Promise<LayerActivation[]> {
  const layers = model.layers;
  const outputs = layers.map(firstOutput);
  const attention = layers.map((l) => specOfClassName(l.getClassName())?.attentionScores);
  // One forward pass gives every layer's output and the inputs of the attention layers.
  const attentionInputs = layers.map((l, i) => (attention[i] ? inputsOf(l) : []));
  // Each tensor once (tfjs refuses a model that lists an output twice): an attention layer's input is often another layer's output.
  const wanted = [...new Set([...outputs, ...attentionInputs.flat()])];
  const at = (t: tfTypes.SymbolicTensor) => all[wanted.indexOf(t)];
  const inner = tf.model({ inputs: model.inputs, outputs: wanted });
  const values = inner.predict(xs.length === 1 ? xs[0] : xs) as Tensor | Tensor[];
  const all = Array.isArray(values) ? values : [values];
  try {
    const result: LayerActivation[] = [];
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const out = at(outputs[i]);
      const shape = out.shape.slice(1);
      const scoresSpec = attention[i];
      let summary: ActivationSummary;
      if (scoresSpec) {
        const inputs = attentionInputs[i].map(at);
        const scores = attentionScoresOf(layer, scoresSpec, inputs);
        try {
          summary = attentionHeatmaps(await scores.data(), scores.shape.slice(1));
        } finally {
          scores.dispose();
        }
      } else {
        summary = summarize(await out.data(), shape);
      }
      result.push({ layer: layer.name, className: layer.getClassName(), shape, summary });
    }
    return result;
  } finally {
    for (const t of all) t.dispose();
  }
}

/** What the page gets for one sample of a run's test set (the contract's runs.activations). */
export interface ActivationReport {
  runId: string;
  /** The sample's index in the test set, and how many the test set holds. */
  index: number;
  samples: number;
  /** Classification: the sample's class and the model's prediction (with its probability, unless the output gives logits). */
  label?: string;
  predicted?: { label: string; probability?: number };
  layers: LayerActivation[];
}
