import { ACTIVATIONS, type ActivationName } from '../params';
import { droppedSettings, kerasActivation, kerasBool, kerasInt, kerasPadding, kerasPair, KerasImportError, requireChannelsLast, type KerasConfig } from '../../import/kerasConfig';
import { defineLayer, reshapeFix, type ShapeCheck, type ShapeFix } from '../types';
import { describeShape, formatShape, shapeSize, suggestImageShape, type Shape } from '../../shapes';
import { lastAxis, py, torchActivation, windowPads } from '../pytorch';

/**
 * Output length of one spatial axis, exactly as tfjs-layers computes it (convOutputLength):
 * valid: ceil((n - k_eff + 1) / s), same: ceil(n / s), with k_eff = k + (k - 1)(d - 1).
 * Unknown input length stays unknown.
 */
export function convOutputLength(n: number | null, kernel: number, padding: 'valid' | 'same', stride: number, dilation = 1): number | null {
  if (n === null) return null;
  const effective = kernel + (kernel - 1) * (dilation - 1);
  const length = padding === 'same' ? n : n - effective + 1;
  return Math.floor((length + stride - 1) / stride);
}

/**
 * The shared rank check of 2-D image layers (Conv2D, MaxPooling2D): they need [height, width, channels].
 * Returns an error check, or null when the rank is right.
 */
export function imageRankError(name: string, label: string, input: Shape): ShapeCheck | null {
  if (input.length === 3) return null;
  let fix: string;
  let target: number[] | null = null;
  const size = shapeSize(input);
  if (input.length === 1 && size !== null && suggestImageShape(size)) {
    target = suggestImageShape(size)!;
    fix = `insert a Reshape to ${formatShape(target)}`;
  } else if (input.length === 2 && size !== null) {
    target = [...(input as number[]), 1];
    fix = `insert a Reshape to ${formatShape(target)} (one channel)`;
  } else {
    fix = 'insert a Reshape to [height, width, channels]';
  }
  const error = `${name}: ${label} needs an image-like input [height, width, channels] but gets ${describeShape(input)} — ${fix}.`;
  return target ? { ok: false, error, fixes: [reshapeFix(target)] } : { ok: false, error };
}

export function times(pair: readonly [number, number] | readonly number[]): string {
  return `${pair[0]}×${pair[1]}`;
}

function spatial(input: Shape): string {
  return `${input[0] ?? '?'}×${input[1] ?? '?'}`;
}

/** The window settings of a 2-D convolution (Conv2D, DepthwiseConv2D, SeparableConv2D). */
export interface ImageWindow {
  kernelSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
  dilationRate: [number, number];
}

/**
 * The shared shape check of 2-D convolutions: an image-like input with known channels, strides and dilation not
 * both above 1 (tfjs cannot run that), and a kernel that fits a 'valid' input. Gives the output height and width
 * (as tfjs computes them) and the input channels, or the error naming the layer.
 */
export function imageConvCheck(
  name: string,
  label: string,
  input: Shape,
  p: ImageWindow,
): { ok: false; error: string; fixes?: ShapeFix[] } | { ok: true; height: number | null; width: number | null; channels: number } {
  const rank = imageRankError(name, label, input);
  if (rank && !rank.ok) return rank;
  const [h, w, channels] = input;
  if (channels === null) {
    return { ok: false, error: `${name}: ${label} needs a known number of channels, but gets ${formatShape(input)} — give the last axis a fixed size (write the number instead of -1 in a Reshape).` };
  }
  const dilated = p.dilationRate[0] !== 1 || p.dilationRate[1] !== 1;
  if (dilated && (p.strides[0] !== 1 || p.strides[1] !== 1)) {
    return { ok: false, error: `${name}: tfjs cannot combine strides ${times(p.strides)} with dilation rate ${times(p.dilationRate)} — set the strides or the dilation rate to [1, 1].` };
  }
  if (p.padding === 'valid') {
    const span = p.kernelSize.map((k, i) => k + (k - 1) * (p.dilationRate[i] - 1));
    const tooBig = [h, w].some((n, i) => n !== null && span[i] > n);
    if (tooBig) {
      const kernel = dilated ? `kernel ${times(p.kernelSize)} with dilation ${times(p.dilationRate)} spans ${times(span)} and` : `kernel ${times(p.kernelSize)}`;
      return { ok: false, error: `${name}: ${kernel} does not fit the ${spatial(input)} input; use padding 'same' or a smaller kernel.` };
    }
  }
  return {
    ok: true,
    height: convOutputLength(h, p.kernelSize[0], p.padding, p.strides[0], p.dilationRate[0]),
    width: convOutputLength(w, p.kernelSize[1], p.padding, p.strides[1], p.dilationRate[1]),
    channels,
  };
}

export const Conv2D = defineLayer({
  kind: 'Conv2D',
  label: 'Conv2D',
  category: 'Convolution',
  description: 'Slides small learned filters over an image to detect local patterns such as edges and textures.',
  namePrefix: 'conv2d',
  role: 'layer',
  penalizedWeights: ['kernel'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    filters: { type: 'int', default: 32, min: 1, max: 4096, label: 'Filters', help: 'Number of filters, i.e. output channels. Each learns one pattern.' },
    kernelSize: { type: 'pair', default: [3, 3], min: 1, label: 'Kernel size', help: 'Height and width of each filter window, e.g. [3, 3].' },
    strides: { type: 'pair', default: [1, 1], min: 1, label: 'Strides', help: 'Step of the window in pixels [down, across]; 2 halves the image size.' },
    padding: { type: 'enum', options: ['valid', 'same'] as const, default: 'valid', label: 'Padding', help: "'valid' uses only full windows (the image shrinks); 'same' pads the border so the size only changes with the stride." },
    dilationRate: { type: 'pair', default: [1, 1], min: 1, label: 'Dilation rate', help: 'Spacing between the kernel taps; values above 1 see a wider area with the same weights. Cannot be combined with strides above 1.' },
    activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'Non-linearity applied to the output.' },
    useBias: { type: 'bool', default: true, label: 'Use bias', help: 'Add a learned offset to each filter.' },
  },
  inferShape([input], p, ctx) {
    const conv = imageConvCheck(ctx.name, 'Conv2D', input, p);
    if (!conv.ok) return conv;
    return { ok: true, shape: [conv.height, conv.width, p.filters] };
  },
  countParams([input], p) {
    const channels = input[input.length - 1] ?? 0;
    return p.kernelSize[0] * p.kernelSize[1] * channels * p.filters + (p.useBias ? p.filters : 0);
  },
  keras: {
    className: 'Conv2D',
    params: (c) => ({ params: { filters: c.filters, ...kerasConv2D(c) }, dropped: droppedSettings(c, ['filters', ...KERAS_CONV2D_KEYS], { groups: 1 }) }),
  },
  pytorch: {
    unsupported: (p, io) => (windowPads(io.inputShapes[0], io.outputShape, p.padding, p.kernelSize, p.strides, p.dilationRate) ? null : "'same' padding of an image of unknown size"),
    module: (p, io) =>
      `nw.Conv2d(${lastAxis(io.inputShapes[0])}, ${p.filters}, ${py(p.kernelSize)}, stride=${py(p.strides)}, dilation=${py(p.dilationRate)}, bias=${py(p.useBias)}, pad=${py(windowPads(io.inputShapes[0], io.outputShape, p.padding, p.kernelSize, p.strides, p.dilationRate))})`,
    forward: (p, io) => torchActivation(p.activation, `${io.module}(${io.inputs[0]})`),
    // tfjs kernel [height, width, in, out] → PyTorch [out, in, height, width].
    weights: (p) => ({ weight: 'w("kernel").transpose(3, 2, 0, 1)', ...(p.useBias ? { bias: 'w("bias")' } : {}) }),
  },
  tfjs: {
    factory: 'conv2d',
    className: 'Conv2D',
    config: (p) => ({
      filters: p.filters,
      kernelSize: [...p.kernelSize],
      strides: [...p.strides],
      padding: p.padding,
      dilationRate: [...p.dilationRate],
      activation: p.activation,
      useBias: p.useBias,
    }),
  },
});

/** The Keras keys `kerasConv2D` reads. */
export const KERAS_CONV2D_KEYS = ['kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias', 'groups'] as const;

/** The window and output settings shared by the 2-D convolutions, from a Keras config (Keras defaults where missing). */
export function kerasConv2D(c: KerasConfig): ImageWindow & { activation: ActivationName; useBias: boolean } {
  requireChannelsLast(c);
  if (kerasInt(c.groups, 1) !== 1) throw new KerasImportError('grouped convolutions (groups > 1) are not supported');
  return {
    kernelSize: kerasPair(c.kernel_size, [3, 3]),
    strides: kerasPair(c.strides, [1, 1]),
    padding: kerasPadding(c.padding),
    dilationRate: kerasPair(c.dilation_rate, [1, 1]),
    activation: kerasActivation(c.activation),
    useBias: kerasBool(c.use_bias, true),
  };
}
