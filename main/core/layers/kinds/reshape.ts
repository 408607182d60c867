import { defineLayer } from '../types';
import { formatShape, shapeSize, type Shape } from '../../shapes';
import { droppedSettings } from '../../import/kerasConfig';


export const Reshape = defineLayer({
  kind: 'Reshape',
  label: 'Reshape',
  category: 'Reshape',
  description: 'Rearranges the values of a sample into a new shape with the same number of values, e.g. [784] into [28, 28, 1].',
  namePrefix: 'reshape',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    targetShape: {
      type: 'shape',
      default: [28, 28, 1],
      minLength: 1,
      maxLength: 4,
      allowMinusOne: true,
      label: 'Target shape',
      help: 'The new shape of one sample. One size may be -1 to take whatever is left (tfjs then shows it as unknown while building).',
    },
  },
  inferShape([input], p, ctx) {
    const target = p.targetShape;
    const unknownCount = target.filter((d) => d === -1).length;
    if (unknownCount > 1) {
      return { ok: false, error: `${ctx.name}: only one size of the target shape ${formatShape(target)} can be -1 — write the others as numbers.` };
    }
    // tfjs keeps the -1 axis unknown in the symbolic shape (the batch axis is always unknown while
    // building, so it never works the size out); mirror that so later layers see what tfjs sees.
    const shape: Shape = target.map((d) => (d === -1 ? null : d));
    const size = shapeSize(input);
    if (size === null) return { ok: true, shape };
    const known = target.reduce((acc, d) => (d === -1 ? acc : acc * d), 1);
    if (unknownCount === 0 && known !== size) {
      return { ok: false, error: `${ctx.name}: cannot reshape ${size} values into ${formatShape(target)} (${known} values).` };
    }
    if (unknownCount === 1 && size % known !== 0) {
      return { ok: false, error: `${ctx.name}: cannot reshape ${size} values into ${formatShape(target)}: ${size} is not a multiple of ${known}, so -1 has no whole-number size.` };
    }
    return { ok: true, shape };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Reshape',
    params: (c) => ({ params: { targetShape: c.target_shape }, dropped: droppedSettings(c, ['target_shape']) }),
  },
  pytorch: {
    forward: (p, io) => {
      const known = io.outputShape.every((d) => d !== null);
      return `${io.inputs[0]}.reshape((${known ? -1 : `${io.inputs[0]}.shape[0]`}, ${(known ? io.outputShape : p.targetShape).join(', ')}))`;
    },
  },
  tfjs: {
    factory: 'reshape',
    className: 'Reshape',
    config: (p) => ({ targetShape: [...p.targetShape] }),
  },
});
