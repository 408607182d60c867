/**
 * Trying a trained model on one sample: what a sample may be, what the model expects (read from the metadata
 * training stored with it, the same that an export writes as preprocessing.json), how a typed row or sentence
 * becomes its input, and how its raw outputs read as class probabilities or values. Pure; the engine hosts it
 * (main/node/predict.ts) with the image decoder and tfjs.
 */
import { z } from 'zod';
import type { DatasetTask, Preprocessing } from './datasets';
import { encodeTableRow, encodeTextSample, SampleError, splitRow } from './preprocess';
import { outputLossOf, type Project } from './project';

/** Images a person draws or picks are sent as pixels; an image file is sent as its bytes. */
const MAX_PIXELS = 2048 * 2048 * 3;
export const MAX_IMAGE_FILE_BYTES = 20 * 1024 * 1024;

export const SampleSchema = z.discriminatedUnion('type', [
  /** Pixel bytes 0..255, row by row (HWC); resized to the model's image size like training images. */
  z
    .object({
      type: z.literal('pixels'),
      width: z.number().int().min(1).max(2048),
      height: z.number().int().min(1).max(2048),
      channels: z.union([z.literal(1), z.literal(3)]),
      pixels: z.array(z.number().int().min(0).max(255)).max(MAX_PIXELS),
    })
    .refine((s) => s.pixels.length === s.width * s.height * s.channels, 'pixels must hold width × height × channels values'),
  /** An image file (PNG or JPEG), base64; decoded and resized as training decodes an image folder's files. */
  z.object({
    type: z.literal('image'),
    name: z.string().max(255),
    dataBase64: z.string().max(Math.ceil((MAX_IMAGE_FILE_BYTES * 4) / 3) + 4, `is larger than ${MAX_IMAGE_FILE_BYTES / 1024 / 1024} MB`),
  }),
  /** One table row: the fields of the model's columns (ModelInputs.columns), comma-, tab- or semicolon-separated. */
  z.object({ type: z.literal('row'), text: z.string().max(100_000) }),
  /** A sentence, for text models. */
  z.object({ type: z.literal('text'), text: z.string().max(100_000) }),
]);
export type Sample = z.infer<typeof SampleSchema>;

/** One Input of a trained model as its metadata describes it. */
export interface ModelInputMeta {
  node?: string;
  layer?: string;
  /** The columns (or text column) it takes. */
  source?: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  preprocessing?: Preprocessing;
}
export interface ModelOutputMeta {
  node?: string;
  layer?: string;
  target?: string;
  task: DatasetTask;
  numClasses?: number;
  classNames: string[];
  outputSize: number;
}
/** userDefinedMetadata.neurowire of a trained model (main/core/training/job.ts datasetMetadata). */
export interface ModelMetadata {
  dataset: string;
  task: DatasetTask;
  classNames?: string[];
  inputShape: number[];
  inputDType?: 'float32' | 'int32';
  outputSize: number;
  preprocessing?: Preprocessing;
  inputs?: ModelInputMeta[];
  outputs?: ModelOutputMeta[];
}

/** The metadata training stored with a model; throws when there is none (a model trained before it was stored). */
export function modelMetadataOf(userDefinedMetadata: unknown): ModelMetadata {
  const meta = (userDefinedMetadata as { neurowire?: ModelMetadata } | undefined)?.neurowire;
  if (!meta || !Array.isArray(meta.inputShape)) throw new SampleError('This run’s model does not say how its data was prepared; train it again to try it.');
  return meta;
}

export function inputsOf(meta: ModelMetadata): ModelInputMeta[] {
  if (meta.inputs?.length) return meta.inputs;
  return [{ shape: meta.inputShape, dtype: meta.inputDType ?? 'float32', ...(meta.preprocessing ? { preprocessing: meta.preprocessing } : {}) }];
}

export function outputsOf(meta: ModelMetadata): ModelOutputMeta[] {
  if (meta.outputs?.length) return meta.outputs;
  return [{ task: meta.task, classNames: meta.classNames ?? [], outputSize: meta.outputSize }];
}

/** What kind of sample a model takes, for the panel to offer the right way of giving one. */
export interface ModelInputs {
  runId: string;
  projectName: string;
  /** image: draw or pick a picture; table: type a row; text: type a sentence; unsupported: `reason` says why. */
  kind: 'image' | 'table' | 'text' | 'unsupported';
  reason?: string;
  image?: { width: number; height: number; channels: number };
  /** A table's columns in the order a row gives them. */
  columns?: string[];
  outputs: { name: string; task: DatasetTask; classNames: string[] }[];
}

/** The columns one Input takes from a table row: its features, or its text column. */
function columnsOfInput(input: ModelInputMeta): string[] | null {
  const pre = input.preprocessing;
  if (pre?.kind === 'tabular') return pre.features.map((f) => f.column);
  if (pre?.kind === 'text' && input.source !== undefined) return [input.source];
  return null;
}

export function describeModelInputs(meta: ModelMetadata, run: { runId: string; projectName: string }): ModelInputs {
  const inputs = inputsOf(meta);
  const outputs = outputsOf(meta).map((o, i) => ({ name: o.target ?? o.layer ?? (outputsOf(meta).length > 1 ? `output ${i + 1}` : meta.dataset), task: o.task, classNames: o.classNames ?? [] }));
  const base = { ...run, outputs };
  const pre = inputs[0].preprocessing;
  if (inputs.length === 1 && pre?.kind === 'image') return { ...base, kind: 'image', image: { width: pre.width, height: pre.height, channels: pre.channels } };
  if (inputs.length === 1 && pre?.kind === 'text') return { ...base, kind: 'text' };
  const columns = inputs.map(columnsOfInput);
  if (columns.every((c): c is string[] => c !== null)) return { ...base, kind: 'table', columns: columns.flat() };
  if (pre?.kind === 'series') return { ...base, kind: 'unsupported', reason: 'Trying a time-series model on one window is not supported yet.' };
  return { ...base, kind: 'unsupported', reason: `The data of ${meta.dataset} has no stored preprocessing for a single sample.` };
}

/**
 * A typed row or sentence as the model's inputs, in the metadata's input order. Images go through the engine's
 * decoder instead (imageInputOf). Throws SampleError naming the field that is wrong.
 */
export function encodeTypedSample(meta: ModelMetadata, sample: Extract<Sample, { type: 'row' | 'text' }>, delimiter = 'auto'): (Float32Array | Int32Array)[] {
  const inputs = inputsOf(meta);
  if (sample.type === 'text') {
    const pre = inputs[0].preprocessing;
    if (inputs.length !== 1 || pre?.kind !== 'text') throw new SampleError('This model does not take a sentence; give a sample of its kind.');
    return [encodeTextSample(pre, sample.text)];
  }
  const columns = inputs.map(columnsOfInput);
  if (!columns.every((c): c is string[] => c !== null)) throw new SampleError('This model does not take a table row; give a sample of its kind.');
  const all = columns.flat();
  const fields = splitRow(sample.text, all.length, delimiter);
  if (fields.length !== all.length) {
    throw new SampleError(`Expected ${all.length} field${all.length === 1 ? '' : 's'} (${all.join(', ')}) but the row has ${fields.length}.`);
  }
  let at = 0;
  return inputs.map((input, i) => {
    const mine = fields.slice(at, at + columns[i]!.length);
    at += columns[i]!.length;
    const pre = input.preprocessing!;
    return pre.kind === 'text' ? encodeTextSample(pre, mine[0]) : encodeTableRow(pre as Extract<Preprocessing, { kind: 'tabular' }>, mine);
  });
}

/** One output's reading of a sample. */
export interface OutputPrediction {
  name: string;
  task: DatasetTask;
  /** Classification: one probability per class, in classNames order. */
  classNames?: string[];
  probabilities?: number[];
  /** The most probable class (classification). */
  predicted?: string;
  /** Regression / reconstruction: the values the model gives. */
  values?: number[];
}
export interface Prediction {
  runId: string;
  outputs: OutputPrediction[];
}

/**
 * Raw output values as a person reads them: classification scores become probabilities (softmax / sigmoid when the
 * loss took logits; a single sigmoid unit is P(second class)), other tasks give their values.
 */
export function readOutput(raw: ArrayLike<number>, output: ModelOutputMeta, name: string, fromLogits: boolean): OutputPrediction {
  const values = Array.from(raw);
  if (output.task !== 'classification') return { name, task: output.task, values };
  const classNames = output.classNames.length ? output.classNames : values.map((_, i) => String(i));
  let probabilities: number[];
  if (values.length === 1) {
    const p = fromLogits ? 1 / (1 + Math.exp(-values[0])) : values[0];
    probabilities = [1 - p, p];
  } else if (fromLogits) {
    const max = Math.max(...values);
    const exps = values.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    probabilities = exps.map((e) => e / sum);
  } else probabilities = values;
  let best = 0;
  probabilities.forEach((p, i) => {
    if (p > probabilities[best]) best = i;
  });
  return { name, task: output.task, classNames, probabilities, predicted: classNames[best] };
}

/** Whether an output's loss took logits: its loss option in the project, found by node id or by layer name. */
export function outputFromLogits(project: Project, output: ModelOutputMeta, layerName: string): boolean {
  const node = output.node ?? project.graph.nodes.find((n) => n.name === layerName)?.id;
  return node !== undefined && outputLossOf(project.training, node).fromLogits;
}
