import { defineLayer, reshapeFix, type AnyLayerSpec, type CheckContext, type ShapeCheck } from '../types';
import { describeShape, formatShape, type Shape } from '../../shapes';
import { imageRankError } from './conv2d';
import { sequenceRankError } from './sequence';
import { KerasImportError, requireChannelsLast } from '../../import/kerasConfig';

type Reduction = 'Average' | 'Max';

const WHAT: Record<Reduction, string> = { Average: 'average', Max: 'largest value' };

/** Shape check of the global poolings: [steps, channels] (1D) or [height, width, channels] (2D) → [channels]. */
function globalPoolShape(reduction: Reduction, dims: 1 | 2, input: Shape, ctx: CheckContext): ShapeCheck {
  const label = `Global${reduction}Pooling${dims}D`;
  const other = `Global${reduction}Pooling${dims === 1 ? 2 : 1}D`;
  if (input.length === 1) {
    return { ok: false, error: `${ctx.name}: ${label} needs ${dims === 1 ? 'a sequence [steps, channels]' : 'an image-like input [height, width, channels]'} but gets ${describeShape(input)}, which has nothing left to pool over — remove this layer.`, fixes: [{ label: `Remove this ${label}`, remove: true }] };
  }
  if (dims === 1) {
    const rank = sequenceRankError(ctx.name, label, input, '[steps, channels]', `or use ${other} for images`);
    if (rank) return rank;
  } else {
    if (input.length === 2) {
      return {
        ok: false,
        error: `${ctx.name}: ${label} needs an image-like input [height, width, channels] but gets ${describeShape(input)} — use ${other} for a sequence, or insert a Reshape to ${formatShape([...input, 1])} (one channel).`,
        ...(input.every((d) => d !== null) ? { fixes: [reshapeFix([...(input as number[]), 1])] } : {}),
      };
    }
    const rank = imageRankError(ctx.name, label, input);
    if (rank) return rank;
  }
  return { ok: true, shape: [input[input.length - 1]] };
}

/** One global pooling layer kind; the four kinds differ only in the reduction and the number of pooled axes. */
export function globalPooling(reduction: Reduction, dims: 1 | 2): AnyLayerSpec {
  const label = `Global${reduction}Pooling${dims}D`;
  const axes = dims === 1 ? 'all steps of a sequence [steps, channels]' : 'the whole image [height, width, channels]';
  return defineLayer({
    kind: label,
    label,
    category: 'Pooling',
    description: `Keeps the ${WHAT[reduction]} of each channel over ${axes}, giving one flat vector [channels]; a light alternative to Flatten.`,
    namePrefix: `global_${reduction.toLowerCase()}_pooling${dims}d`,
    role: 'layer',
    penalizedWeights: [],
    outputFit: { fit: 'none' },
    inputs: { min: 1, max: 1 },
    params: {},
    inferShape([input], _p, ctx) {
      return globalPoolShape(reduction, dims, input, ctx);
    },
    countParams() {
      return 0;
    },
    keras: {
      className: label,
      params: (c) => {
        requireChannelsLast(c);
        if (c.keepdims === true) throw new KerasImportError('keepdims is not supported (the pooled axes are removed)');
        return { params: {} };
      },
    },
    pytorch: {
      forward: (_p, io) => `${io.inputs[0]}.${reduction === 'Average' ? 'mean' : 'amax'}(dim=${dims === 1 ? 1 : '(1, 2)'})`,
      // tfjs's global pooling ignores masks and hands none on.
      mask: () => null,
    },
    tfjs: {
      factory: `global${reduction}Pooling${dims}d`,
      className: label,
      config: () => ({}),
    },
  });
}
