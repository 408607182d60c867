import type { AnyLayerSpec, LayerCategory } from './types';
import { Input } from './kinds/input';
import { Dense } from './kinds/dense';
import { Conv2D } from './kinds/conv2d';
import { MaxPooling2D } from './kinds/maxpooling2d';
import { Flatten } from './kinds/flatten';
import { Reshape } from './kinds/reshape';
import { Dropout } from './kinds/dropout';
import { Activation } from './kinds/activation';
import { Add } from './kinds/add';
import { Concatenate } from './kinds/concatenate';

/**
 * Every layer kind Neurowire knows. Palette, inspector, validation, compiler, code generator
 * and docs all read this list; adding a layer kind means adding one file to ./kinds and one line here.
 */
export const LAYER_SPECS: readonly AnyLayerSpec[] = [Input, Dense, Conv2D, MaxPooling2D, Flatten, Reshape, Dropout, Activation, Add, Concatenate];

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
