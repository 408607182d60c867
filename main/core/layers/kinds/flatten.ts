import { defineLayer } from '../types';
import { describeShape, formatShape, shapeSize } from '../../shapes';
import { requireChannelsLast } from '../../import/kerasConfig';


export const Flatten = defineLayer({
  kind: 'Flatten',
  label: 'Flatten',
  category: 'Reshape',
  description: 'Lays all values of a sample out in one flat vector, e.g. [7, 7, 64] becomes [3136]; usually placed before Dense.',
  namePrefix: 'flatten',
  role: 'layer',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  onlyFlattens: true,
  inputs: { min: 1, max: 1 },
  params: {},
  inferShape([input], _p, ctx) {
    // tfjs requires at least 3 axes including the batch axis (Keras 3 would pass a flat vector through).
    if (input.length < 2) {
      return { ok: false, error: `${ctx.name}: Flatten needs an input with at least 2 axes but gets ${describeShape(input)}, which is already flat — remove this Flatten.`, fixes: [{ label: 'Remove this Flatten', remove: true }] };
    }
    const size = shapeSize(input);
    if (size === null) {
      return { ok: false, error: `${ctx.name}: Flatten needs every size of its input known, but gets ${formatShape(input)} — give the unknown axes a fixed size (write the number instead of -1 in a Reshape).` };
    }
    return { ok: true, shape: [size] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'Flatten',
    params: (c) => {
      requireChannelsLast(c);
      return { params: {} };
    },
  },
  pytorch: {
    // Channels last, as in tfjs, so the flat order is tfjs's.
    forward: (_p, io) => `torch.flatten(${io.inputs[0]}, 1)`,
  },
  tfjs: {
    factory: 'flatten',
    className: 'Flatten',
    config: () => ({}),
  },
});
