import { defineLayer } from '../types';
import { kerasNumber } from '../../import/kerasConfig';

/** Keras's ActivityRegularization; tfjs-layers has none, so Neurowire's own class (custom/activityregularization.ts) builds it. */
export const ActivityRegularization = defineLayer({
  kind: 'ActivityRegularization',
  label: 'ActivityRegularization',
  category: 'Regularization',
  description: 'Passes values through unchanged, but during training adds a penalty on their size to the loss, which pushes the layer before it towards small (L2) or sparse (L1) outputs.',
  namePrefix: 'activity_regularization',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'passes' },
  inputs: { min: 1, max: 1 },
  params: {
    l1: { type: 'float', default: 0, min: 0, step: 0.0001, label: 'L1', help: 'Penalty per unit of the sum of absolute values (per sample); pushes many values to exactly 0. Try 0.0001–0.01.' },
    l2: { type: 'float', default: 0.01, min: 0, step: 0.0001, label: 'L2', help: 'Penalty per unit of the sum of squared values (per sample); keeps all values small. Try 0.0001–0.01.' },
  },
  inferShape([input], p, ctx) {
    if (p.l1 === 0 && p.l2 === 0) {
      return { ok: true, shape: [...input], warnings: [`${ctx.name}: with L1 and L2 both 0, ActivityRegularization adds no penalty — raise one of them (e.g. L2 0.01) or remove the layer.`] };
    }
    return { ok: true, shape: [...input] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'ActivityRegularization',
    params: (c) => ({ params: { l1: kerasNumber(c.l1, 0), l2: kerasNumber(c.l2, 0) } }),
  },
  tfjs: {
    factory: 'activityRegularization',
    className: 'ActivityRegularization',
    config: (p) => ({ l1: p.l1, l2: p.l2 }),
    custom: true,
  },
});
