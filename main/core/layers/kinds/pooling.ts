import { py, windowPads } from '../pytorch';
import type { ParamDefs } from '../params';
import { defineLayer, type AnyLayerSpec, type CheckContext, type PytorchLayer, type PytorchShapes, type ShapeCheck } from '../types';
import type { Shape } from '../../shapes';
import { convOutputLength, imageRankError } from './conv2d';
import { sequenceRankError } from './sequence';
import { droppedSettings, kerasInt, kerasPadding, kerasPair, requireChannelsLast } from '../../import/kerasConfig';

type Reduction = 'Average' | 'Max';

const KEPT: Record<Reduction, string> = { Average: 'average', Max: 'largest value' };

const PADDING_HELP = "'valid' uses only full windows; 'same' pads the border so partial windows at the edge count too.";

function params1D(reduction: Reduction) {
  return {
    poolSize: { type: 'int', default: 2, min: 1, max: 1024, label: 'Pool size', help: `Number of steps in the window whose ${KEPT[reduction]} is kept.` },
    strides: { type: 'int', default: 2, min: 1, max: 1024, label: 'Strides', help: 'Step of the window; usually equal to the pool size so windows do not overlap.' },
    padding: { type: 'enum', options: ['valid', 'same'] as const, default: 'valid', label: 'Padding', help: PADDING_HELP },
  } as const satisfies ParamDefs;
}

function params2D(reduction: Reduction) {
  return {
    poolSize: { type: 'pair', default: [2, 2], min: 1, label: 'Pool size', help: `Height and width of the window whose ${KEPT[reduction]} is kept.` },
    strides: { type: 'pair', default: [2, 2], min: 1, label: 'Strides', help: 'Step of the window [down, across]; usually equal to the pool size so windows do not overlap.' },
    padding: { type: 'enum', options: ['valid', 'same'] as const, default: 'valid', label: 'Padding', help: PADDING_HELP },
  } as const satisfies ParamDefs;
}

interface Window {
  poolSize: number | [number, number];
  strides: number | [number, number];
  padding: 'valid' | 'same';
}

const list = (v: number | [number, number]): number[] => (typeof v === 'number' ? [v] : v);

/**
 * Shape check of the windowed poolings: [steps, channels] (1D) or [height, width, channels] (2D); every pooled
 * axis shrinks like a convolution's, and a 'valid' window must fit the input.
 */
function poolShape(label: string, dims: 1 | 2, input: Shape, p: Window, ctx: CheckContext): ShapeCheck {
  const rank = dims === 1 ? sequenceRankError(ctx.name, label, input, '[steps, channels]', `or use ${label.replace('1D', '2D')} for images`) : imageRankError(ctx.name, label, input);
  if (rank) return rank;
  const pool = list(p.poolSize);
  const strides = list(p.strides);
  const pooled = input.slice(0, dims);
  if (p.padding === 'valid' && pooled.some((n, i) => n !== null && pool[i] > n)) {
    const where = dims === 1 ? `the ${pooled[0]} steps of the input` : `the ${pooled.map((n) => n ?? '?').join('×')} input`;
    return { ok: false, error: `${ctx.name}: pool ${pool.join('×')} does not fit ${where}; use padding 'same' or a smaller pool size.` };
  }
  return { ok: true, shape: [...pooled.map((n, i) => convOutputLength(n, pool[i], p.padding, strides[i])), input[dims]] };
}

/** One windowed pooling layer kind; the four kinds differ only in the reduction and the number of pooled axes. */
export function pooling(reduction: Reduction, dims: 1 | 2): AnyLayerSpec {
  const label = `${reduction}Pooling${dims}D`;
  const what = dims === 1 ? 'Shortens a sequence [steps, channels]' : 'Shrinks an image';
  const window = dims === 1 ? 'window of steps' : 'small window';
  return defineLayer({
    kind: label,
    label,
    category: 'Pooling',
    description: `${what} by keeping the ${KEPT[reduction]} of each ${window}, channel by channel.`,
    namePrefix: `${reduction.toLowerCase()}_pooling${dims}d`,
    role: 'layer',
    penalizedWeights: [],
    outputFit: { fit: 'none' },
    inputs: { min: 1, max: 1 },
    params: dims === 1 ? params1D(reduction) : params2D(reduction),
    inferShape([input], p, ctx) {
      return poolShape(label, dims, input, p, ctx);
    },
    countParams() {
      return 0;
    },
    keras: {
      className: label,
      params: (c) => {
        requireChannelsLast(c);
        // Keras writes strides null for "the pool size".
        const strides = c.strides ?? c.pool_size;
        const params =
          dims === 1
            ? { poolSize: kerasInt(c.pool_size, 2), strides: kerasInt(strides, 2), padding: kerasPadding(c.padding) }
            : { poolSize: kerasPair(c.pool_size, [2, 2]), strides: kerasPair(strides, [2, 2]), padding: kerasPadding(c.padding) };
        return { params, dropped: droppedSettings(c, ['pool_size', 'strides', 'padding']) };
      },
    },
    ...(dims === 2 ? { pytorch: pooling2dTorch(reduction) } : {}),
    tfjs: {
      factory: `${reduction.toLowerCase()}Pooling${dims}d`,
      className: label,
      config: (p) => ({ poolSize: Array.isArray(p.poolSize) ? [...p.poolSize] : p.poolSize, strides: Array.isArray(p.strides) ? [...p.strides] : p.strides, padding: p.padding }),
    },
  });
}

/** 2-D pooling in PyTorch: max with tfjs's 'same' padding (-inf), average over whole windows only. */
function pooling2dTorch(reduction: Reduction): PytorchLayer<ReturnType<typeof params2D>> {
  const pads = (p: Window, io: PytorchShapes) => windowPads(io.inputShapes[0], io.outputShape, p.padding, list(p.poolSize), list(p.strides));
  return {
    unsupported: (p, io) => (reduction === 'Average' && p.padding === 'same' ? "average pooling with 'same' padding" : pads(p, io) ? null : "'same' padding of an image of unknown size"),
    module: (p, io) =>
      reduction === 'Max'
        ? `nw.MaxPool2d(${py(list(p.poolSize))}, ${py(list(p.strides))}, pad=${py(pads(p, io))})`
        : `nw.AvgPool2d(${py(list(p.poolSize))}, ${py(list(p.strides))})`,
    forward: (_p, io) => `${io.module}(${io.inputs[0]})`,
  };
}
