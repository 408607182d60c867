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
export interface BoolParam extends ParamBase { type: 'bool'; default: boolean }
export interface EnumParam<O extends string = string> extends ParamBase { type: 'enum'; options: readonly O[]; default: O }
/** A list of positive integers, e.g. an input shape or a Reshape target. */
export interface ShapeParam extends ParamBase { type: 'shape'; default: number[]; minLength: number; maxLength: number; allowMinusOne?: boolean }
/** Two positive integers, e.g. a kernel size [height, width]. */
export interface PairParam extends ParamBase { type: 'pair'; default: [number, number]; min: number; max?: number }

export type ParamDef = IntParam | FloatParam | BoolParam | EnumParam | ShapeParam | PairParam;
export type ParamDefs = Record<string, ParamDef>;

type ValueOf<D> = D extends IntParam | FloatParam
  ? number
  : D extends BoolParam
    ? boolean
    : D extends EnumParam<infer O>
      ? O
      : D extends ShapeParam
        ? number[]
        : D extends PairParam
          ? [number, number]
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
      const dim = def.allowMinusOne
        ? z.number().int().refine((d) => d > 0 || d === -1, `${def.label} sizes must be positive (or -1 once to infer)`)
        : z.number().int().positive(`${def.label} sizes must be positive whole numbers`);
      return z
        .array(dim, { error: `${def.label} must be a list of sizes` })
        .min(def.minLength, `${def.label} needs at least ${def.minLength} size(s)`)
        .max(def.maxLength, `${def.label} takes at most ${def.maxLength} sizes`);
    }
    case 'pair': {
      let n = z.number().int(`${def.label} must be whole numbers`).min(def.min, `${def.label} must be at least ${def.min}`);
      if (def.max !== undefined) n = n.max(def.max, `${def.label} must be at most ${def.max}`);
      return z.tuple([n, n], { error: `${def.label} must be two whole numbers [height, width]` });
    }
  }
}

/** The zod schema for a layer's parameters; missing values take their defaults. */
export function paramsSchema<P extends ParamDefs>(defs: P): z.ZodType<ParamValues<P>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, def] of Object.entries(defs)) shape[key] = schemaFor(def).default(def.default as never);
  return z.object(shape) as unknown as z.ZodType<ParamValues<P>>;
}

export function defaultParams<P extends ParamDefs>(defs: P): ParamValues<P> {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defs)) out[key] = structuredClone(def.default);
  return out as ParamValues<P>;
}

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu6', 'swish', 'mish', 'gelu', 'hardSigmoid'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
