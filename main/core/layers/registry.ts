import type { AnyLayerSpec, LayerCategory } from './types';
import { Dense } from './kinds/dense';

/**
 * Every layer kind Neurowire knows. Palette, inspector, validation, compiler, code generator
 * and docs all read this list; adding a layer kind means adding one file to ./kinds and one line here.
 */
export const LAYER_SPECS: readonly AnyLayerSpec[] = [Dense];

const byKind = new Map(LAYER_SPECS.map((s) => [s.kind, s]));

export function getLayerSpec(kind: string): AnyLayerSpec | undefined {
  return byKind.get(kind);
}

export function requireLayerSpec(kind: string): AnyLayerSpec {
  const spec = byKind.get(kind);
  if (!spec) throw new Error(`Unknown layer kind "${kind}". Known kinds: ${[...byKind.keys()].join(', ')}.`);
  return spec;
}

export const CATEGORY_ORDER: readonly LayerCategory[] = ['Input', 'Core', 'Convolution', 'Pooling', 'Reshape', 'Regularization', 'Merge'];
