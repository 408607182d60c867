/**
 * Converters from Keras layer configs (as `model.to_json()` and TensorFlow.js's model.json write them: snake_case keys,
 * Keras 2 or Keras 3 spellings) to Neurowire params. The layer specs use them in their `keras` field; the importer
 * (./keras.ts) re-exports them. Pure and free of the layer registry, so every spec can import it without a cycle.
 */
import { ACTIVATIONS, type ActivationName } from '../layers/params';

/** A layer's `config` object from the JSON. */
export type KerasConfig = Record<string, unknown>;

/**
 * A setting Neurowire cannot represent and cannot drop either, because the layer would compute something else or
 * have another shape (data_format channels_first, a causal Conv1D, an activation Neurowire lacks). The importer
 * then refuses the whole model and names the layer and this reason.
 */
export class KerasImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KerasImportError';
  }
}

/** snake_case → camelCase ("kernel_size" → "kernelSize"). */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Keras spellings of activations Neurowire has under another name. */
const ACTIVATION_ALIASES: Record<string, ActivationName> = {
  hard_sigmoid: 'hardSigmoid',
  silu: 'swish',
  None: 'linear',
};

/** A Keras activation (a name, or Keras 3's `{class_name, config}` form) as Neurowire's name; refuses unknown ones. */
export function kerasActivation(value: unknown, fallback: ActivationName = 'linear'): ActivationName {
  if (value === undefined || value === null) return fallback;
  const name = typeof value === 'object' && !Array.isArray(value) ? (value as KerasConfig).class_name ?? (value as KerasConfig).config : value;
  if (typeof name !== 'string') throw new KerasImportError('its activation is not a name');
  const known = ACTIVATION_ALIASES[name] ?? snakeToCamel(name);
  if ((ACTIVATIONS as readonly string[]).includes(known)) return known as ActivationName;
  throw new KerasImportError(`activation "${name}" is not one Neurowire has (${ACTIVATIONS.join(', ')})`);
}

/** A whole number given as `n` or `[n]` (Keras 1-D layers write `kernel_size: [3]`). */
export function kerasInt(value: unknown, fallback: number): number {
  const n = Array.isArray(value) ? value[0] : value;
  return typeof n === 'number' ? n : fallback;
}

/** Two whole numbers given as `n` (both) or `[a, b]`. */
export function kerasPair(value: unknown, fallback: [number, number]): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && typeof value[0] === 'number') return [value[0], typeof value[1] === 'number' ? value[1] : value[0]];
  return [...fallback];
}

/**
 * The two pairs of a 2-D padding or cropping: `n` (all sides), `[rows, columns]` (symmetric) or
 * `[[top, bottom], [left, right]]`.
 */
export function kerasSidePairs(value: unknown, fallback: number): [[number, number], [number, number]] {
  const side = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : typeof v === 'number' ? [v, v] : [fallback, fallback]);
  return Array.isArray(value) ? [side(value[0]), side(value[1])] : [side(value), side(value)];
}

/** 'valid' or 'same'; 'causal' (Conv1D) and anything else refused: the output would differ. */
export function kerasPadding(value: unknown): 'valid' | 'same' {
  if (value === undefined || value === null || value === 'valid') return 'valid';
  if (value === 'same') return 'same';
  throw new KerasImportError(`padding "${String(value)}" is not supported (only 'valid' and 'same')`);
}

/** Refuses channels_first: Neurowire's image and sequence layers keep channels last, so every shape would differ. */
export function requireChannelsLast(config: KerasConfig): void {
  const format = config.data_format;
  if (format !== undefined && format !== null && format !== 'channels_last') {
    throw new KerasImportError(`data_format "${String(format)}" is not supported (Neurowire keeps channels last) — re-save the model with channels_last`);
  }
}

/** The per-sample shape of an input: Keras 2 and tfjs `batch_input_shape`, Keras 3 `batch_shape`, or `input_shape`. */
export function kerasSampleShape(config: KerasConfig): (number | null)[] | undefined {
  const batch = config.batch_input_shape ?? config.batch_shape;
  if (Array.isArray(batch)) return batch.slice(1) as (number | null)[];
  if (Array.isArray(config.input_shape)) return [...(config.input_shape as (number | null)[])];
  return undefined;
}

/** The fixed batch size of a Keras input (the first axis of batch_input_shape or batch_shape), 0 where any size goes. */
export function kerasBatchSize(config: KerasConfig): number {
  const batch = config.batch_input_shape ?? config.batch_shape;
  return Array.isArray(batch) && typeof batch[0] === 'number' && batch[0] > 0 ? batch[0] : 0;
}

/** Keys that never change what a layer computes, or that the importer reads itself. */
const ALWAYS_KEPT = new Set([
  'name',
  'trainable',
  'dtype',
  'batch_input_shape',
  'batch_shape',
  'input_shape',
  'input_dim',
  'input_length',
  'data_format',
  'implementation',
  'unroll',
  'sparse',
  'ragged',
  'build_config',
  'seed',
]);

/** The initializer classes that count as a key's Keras (or tfjs) default; any other initializer is reported as dropped. */
const DEFAULT_INITIALIZERS: Record<string, readonly string[]> = {
  kernel_initializer: ['GlorotUniform', 'GlorotNormal', 'VarianceScaling'],
  depthwise_initializer: ['GlorotUniform', 'GlorotNormal', 'VarianceScaling'],
  pointwise_initializer: ['GlorotUniform', 'GlorotNormal', 'VarianceScaling'],
  recurrent_initializer: ['Orthogonal'],
  embeddings_initializer: ['RandomUniform'],
  bias_initializer: ['Zeros'],
  beta_initializer: ['Zeros'],
  moving_mean_initializer: ['Zeros'],
  gamma_initializer: ['Ones'],
  alpha_initializer: ['Zeros'],
  moving_variance_initializer: ['Ones'],
};

function initializerName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return (value as KerasConfig).class_name as string | undefined;
  return undefined;
}

/** Glorot as tfjs writes it (VarianceScaling scale 1 fan_avg) or any Glorot; other VarianceScaling settings are not the default. */
function isDefaultInitializer(key: string, value: unknown): boolean {
  const name = initializerName(value);
  if (name === undefined) return true;
  const normalized = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()).replace(/^[a-z]/, (c) => c.toUpperCase());
  const defaults = DEFAULT_INITIALIZERS[key] ?? [];
  if (!defaults.includes(normalized)) return false;
  if (normalized !== 'VarianceScaling') return true;
  const config = ((value as KerasConfig).config ?? {}) as KerasConfig;
  return (config.scale ?? 1) === 1 && (config.mode ?? 'fan_avg') === 'fan_avg';
}

function isFloat32(dtype: unknown): boolean {
  if (dtype === undefined || dtype === null || dtype === 'float32') return true;
  // Keras 3: {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
  if (typeof dtype === 'object') return ((dtype as KerasConfig).config as KerasConfig | undefined)?.name === 'float32';
  return false;
}

function describeSetting(key: string, value: unknown): string {
  const shown = initializerName(value) ?? JSON.stringify(value);
  return `${key}=${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`;
}

/**
 * The settings of `config` that the kind does not keep and that differ from Keras's defaults, as "key=value" for the
 * import report. `used` are the keys the kind turned into params; `defaults` the Keras defaults of keys it ignores
 * (a setting equal to its default loses nothing). Null, false and empty values never count: they switch nothing on.
 */
export function droppedSettings(config: KerasConfig, used: readonly string[], defaults: KerasConfig = {}): string[] {
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    // trainable is kept on the node (a frozen layer), not among the kind's params.
    if (used.includes(key) || (ALWAYS_KEPT.has(key) && key !== 'dtype')) continue;
    if (key === 'dtype') {
      // Keras 3 writes a policy object; its name ("mixed_float16") is what the person chose.
      const policy = typeof value === 'object' && value !== null ? ((value as KerasConfig).config as KerasConfig | undefined)?.name : value;
      if (!isFloat32(value)) dropped.push(`dtype=${String(policy)} (Neurowire computes in float32)`);
      continue;
    }
    if (value === null || value === undefined || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (key.endsWith('_initializer')) {
      if (!isDefaultInitializer(key, value)) dropped.push(describeSetting(key, value));
      continue;
    }
    if (key in defaults && JSON.stringify(defaults[key]) === JSON.stringify(value)) continue;
    dropped.push(describeSetting(key, value));
  }
  return dropped;
}

/** A number setting with its Keras default. */
export function kerasNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** A boolean setting with its Keras default. */
export function kerasBool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** A wrapped layer's `{class_name, config}` (Bidirectional, TimeDistributed), checked to be one. */
export function kerasInnerLayer(value: unknown): { className: string; config: KerasConfig } {
  if (typeof value !== 'object' || value === null) throw new KerasImportError('its wrapped layer is missing');
  const layer = value as KerasConfig;
  if (typeof layer.class_name !== 'string') throw new KerasImportError('its wrapped layer has no class_name');
  return { className: layer.class_name, config: (layer.config ?? {}) as KerasConfig };
}
