import { z } from 'zod';

/**
 * A small vocabulary for layer parameters. One definition drives the inspector form
 * (label, help, ranges), validation (a zod schema derived from it) and defaults.
 */
interface ParamBase {
  label: string;
  help: string;
}
export interface IntParam extends ParamBase { type: 'int'; default: number; min?: number; max?: number }
export interface FloatParam extends ParamBase { type: 'float'; default: number; min?: number; max?: number; step?: number }
export interface BoolParam extends ParamBase {
  type: 'bool';
  default: boolean;
  /**
   * The value a saved node that lacks this param gets, where that differs from `default`: for a param added after
   * files were saved, the behaviour those files had (new nodes store every param, so only old files lack one).
   */
  whenMissing?: boolean;
}
export interface EnumParam<O extends string = string> extends ParamBase { type: 'enum'; options: readonly O[]; default: O }
/**
 * A list of positive integers, e.g. an input shape or a Reshape target. `allowUnknown` lets an axis be `null`:
 * its length is left open until run time (an Input for sequences of any length, [null, 16]).
 */
export interface ShapeParam extends ParamBase {
  type: 'shape';
  default: number[];
  minLength: number;
  maxLength: number;
  allowMinusOne?: boolean;
  allowUnknown?: boolean;
}
/**
 * Two whole numbers, e.g. a kernel size [height, width]. `parts` names them in messages where they are not
 * [height, width], e.g. ['top', 'bottom'] for the rows a ZeroPadding2D adds.
 */
export interface PairParam extends ParamBase { type: 'pair'; default: [number, number]; min: number; max?: number; parts?: readonly [string, string] }

/** What a `layer` param needs to know of each kind it may hold: a subset of LayerSpec, so this file needs no registry. */
export interface InnerKind {
  kind: string;
  label: string;
  params: ParamDefs;
}
/** A whole layer inside a wrapper (Bidirectional's LSTM): its kind, one of `options`, and that kind's own params. */
export interface LayerValue {
  kind: string;
  params: Record<string, unknown>;
}
export interface LayerParam extends ParamBase { type: 'layer'; options: readonly InnerKind[]; default: LayerValue }

export type ParamDef = IntParam | FloatParam | BoolParam | EnumParam | ShapeParam | PairParam | LayerParam;
export type ParamDefs = Record<string, ParamDef>;

type ValueOf<D> = D extends IntParam | FloatParam
  ? number
  : D extends BoolParam
    ? boolean
    : D extends EnumParam<infer O>
      ? O
      : D extends ShapeParam
        ? D extends { allowUnknown: true }
          ? (number | null)[]
          : number[]
        : D extends PairParam
          ? [number, number]
          : D extends LayerParam
            ? LayerValue
            : never;

export type ParamValues<P extends ParamDefs> = { -readonly [K in keyof P]: ValueOf<P[K]> };

function schemaFor(def: ParamDef): z.ZodType {
  switch (def.type) {
    case 'int': {
      let s = z.number({ error: `${def.label} must be a whole number` }).int(`${def.label} must be a whole number`);
      if (def.min !== undefined) s = s.min(def.min, `${def.label} must be at least ${def.min}`);
      if (def.max !== undefined) s = s.max(def.max, `${def.label} must be at most ${def.max}`);
      return s;
    }
    case 'float': {
      let s = z.number({ error: `${def.label} must be a number` }).finite(`${def.label} must be a finite number`);
      if (def.min !== undefined) s = s.min(def.min, `${def.label} must be at least ${def.min}`);
      if (def.max !== undefined) s = s.max(def.max, `${def.label} must be at most ${def.max}`);
      return s;
    }
    case 'bool':
      return z.boolean({ error: `${def.label} must be true or false` });
    case 'enum':
      return z.enum(def.options as [string, ...string[]], { error: `${def.label} must be one of ${def.options.join(', ')}` });
    case 'shape': {
      const known = def.allowMinusOne
        ? z.number().int().refine((d) => d > 0 || d === -1, `${def.label} sizes must be positive (or -1 once to infer)`)
        : z.number().int().positive(`${def.label} sizes must be positive whole numbers`);
      const dim = def.allowUnknown ? known.nullable() : known;
      return z
        .array(dim, { error: `${def.label} must be a list of sizes` })
        .min(def.minLength, `${def.label} needs at least ${def.minLength} size(s)`)
        .max(def.maxLength, `${def.label} takes at most ${def.maxLength} sizes`);
    }
    case 'pair': {
      let n = z.number().int(`${def.label} must be whole numbers`).min(def.min, `${def.label} must be at least ${def.min}`);
      if (def.max !== undefined) n = n.max(def.max, `${def.label} must be at most ${def.max}`);
      const [first, second] = def.parts ?? ['height', 'width'];
      return z.tuple([n, n], { error: `${def.label} must be two whole numbers [${first}, ${second}]` });
    }
    case 'layer':
      return layerSchema(def);
  }
}

/** A `layer` param's value: a kind among the options, and its params checked (and completed) by that kind's own schema. */
function layerSchema(def: LayerParam): z.ZodType {
  const kinds = def.options.map((o) => o.kind);
  return z
    .object(
      {
        kind: z.enum(kinds as [string, ...string[]], { error: `${def.label} must be one of ${kinds.join(', ')}` }),
        params: z.record(z.string(), z.unknown(), { error: `${def.label} needs the settings of its layer` }).optional(),
      },
      { error: `${def.label} must be a layer: one of ${kinds.join(', ')} with its settings` },
    )
    .transform((value, ctx): LayerValue => {
      const inner = def.options.find((o) => o.kind === value.kind)!;
      const parsed = paramsSchema(inner.params).safeParse(value.params ?? {});
      if (parsed.success) return { kind: inner.kind, params: parsed.data as Record<string, unknown> };
      ctx.issues.push({ code: 'custom', message: `${def.label} (${inner.label}): ${parsed.error.issues[0]?.message}`, input: value });
      return z.NEVER;
    });
}

/** The zod schema for a layer's parameters; missing values take their defaults. */
/** What a node without this param in its saved params gets (see BoolParam.whenMissing). */
export function missingValue(def: ParamDef): unknown {
  return def.type === 'bool' && def.whenMissing !== undefined ? def.whenMissing : def.default;
}

export function paramsSchema<P extends ParamDefs>(defs: P): z.ZodType<ParamValues<P>> {
  const shape: Record<string, z.ZodType> = {};
  // prefault, not default: a missing value is parsed like a given one, so a `layer` default gets its inner defaults.
  for (const [key, def] of Object.entries(defs)) shape[key] = schemaFor(def).prefault(missingValue(def) as never);
  return z.object(shape) as unknown as z.ZodType<ParamValues<P>>;
}

export function defaultParams<P extends ParamDefs>(defs: P): ParamValues<P> {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defs)) {
    out[key] = def.type === 'layer' ? defaultLayerValue(def, def.default.kind, def.default.params) : structuredClone(def.default);
  }
  return out as ParamValues<P>;
}

/**
 * A `layer` param's value for `kind`: that kind's defaults, overridden by the settings in `keep` that the kind
 * also has (switching a Bidirectional from LSTM to GRU keeps its units).
 */
export function defaultLayerValue(def: LayerParam, kind: string, keep: Record<string, unknown> = {}): LayerValue {
  const inner = def.options.find((o) => o.kind === kind) ?? def.options[0];
  const params: Record<string, unknown> = defaultParams(inner.params);
  for (const key of Object.keys(params)) {
    if (key in keep && schemaFor(inner.params[key]).safeParse(keep[key]).success) params[key] = structuredClone(keep[key]);
  }
  return { kind: inner.kind, params };
}

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu6', 'swish', 'mish', 'gelu', 'hardSigmoid'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
