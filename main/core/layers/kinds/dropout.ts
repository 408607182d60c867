import { defineLayer, type ShapeCheck } from '../types';
import type { Shape } from '../../shapes';
import { droppedSettings } from '../../import/kerasConfig';


/**
 * The shared check of layers that drop values with a rate (Dropout, SpatialDropout1D/2D, GaussianDropout): the
 * shape passes through; tfjs only drops when 0 < rate < 1, so rates of 0 and 1 get a warning.
 */
export function dropoutRateCheck(name: string, label: string, input: Shape, rate: number): ShapeCheck {
  // tfjs accepts rate 1 but then skips the layer entirely (it only drops when 0 < rate < 1).
  if (rate >= 1) {
    return { ok: true, shape: [...input], warnings: [`${name}: a ${label} rate of 1 does nothing in tfjs (the layer is skipped, nothing is dropped) — use a rate below 1, e.g. 0.5.`] };
  }
  if (rate === 0) {
    return { ok: true, shape: [...input], warnings: [`${name}: a ${label} rate of 0 drops nothing — raise it (e.g. 0.2) or remove the layer.`] };
  }
  return { ok: true, shape: [...input] };
}

export const Dropout = defineLayer({
  kind: 'Dropout',
  label: 'Dropout',
  category: 'Regularization',
  description: 'During training, sets a random fraction of values to zero so the network cannot rely on any single one; does nothing at prediction time.',
  namePrefix: 'dropout',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes' },
  inputs: { min: 1, max: 1 },
  params: {
    rate: { type: 'float', default: 0.5, min: 0, max: 1, step: 0.05, label: 'Rate', help: 'Fraction of values dropped during training, from 0 up to (but not including) 1. 0.2–0.5 is typical.' },
  },
  inferShape([input], p, ctx) {
    return dropoutRateCheck(ctx.name, 'Dropout', input, p.rate);
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Dropout',
    params: (c) => ({ params: { rate: c.rate }, dropped: droppedSettings(c, ['rate']) }),
  },
  pytorch: {
    module: (p) => `nn.Dropout(${p.rate})`,
    forward: (_p, io) => `${io.module}(${io.inputs[0]})`,
  },
  tfjs: {
    factory: 'dropout',
    className: 'Dropout',
    config: (p) => ({ rate: p.rate }),
  },
});
