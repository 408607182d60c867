import { ACTIVATIONS } from '../params';
import { defineLayer } from '../types';
import { formatShape } from '../../shapes';
import { imageRankError, kerasConv2D, KERAS_CONV2D_KEYS, times } from './conv2d';
import { droppedSettings, KerasImportError } from '../../import/kerasConfig';
import { lastAxis, py, torchActivation } from '../pytorch';

/**
 * Output length of one spatial axis of a transposed convolution, as tfjs-layers computes it (deconvLength):
 * valid: n·s + max(k − s, 0), same: n·s. Unknown stays unknown.
 */
export function deconvOutputLength(n: number | null, kernel: number, padding: 'valid' | 'same', stride: number): number | null {
  if (n === null) return null;
  return padding === 'same' ? n * stride : n * stride + Math.max(kernel - stride, 0);
}

export const Conv2DTranspose = defineLayer({
  kind: 'Conv2DTranspose',
  label: 'Conv2DTranspose',
  category: 'Convolution',
  description: 'A learned upsampling: spreads each pixel over a window of filters, so strides 2 doubles the image size; the decoder half of autoencoders and segmentation nets.',
  namePrefix: 'conv2d_transpose',
  role: 'layer',
  penalizedWeights: ['kernel'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    filters: { type: 'int', default: 32, min: 1, max: 4096, label: 'Filters', help: 'Number of filters, i.e. output channels. Each learns one pattern to paint.' },
    kernelSize: { type: 'pair', default: [3, 3], min: 1, label: 'Kernel size', help: 'Height and width of the window each input pixel is spread over, e.g. [3, 3].' },
    strides: { type: 'pair', default: [2, 2], min: 1, label: 'Strides', help: 'How much the image grows [down, across]; 2 doubles the height or width.' },
    padding: {
      type: 'enum',
      options: ['valid', 'same'] as const,
      default: 'same',
      label: 'Padding',
      help: "'same' makes the output exactly strides × the input size; 'valid' keeps the overhang of the kernel at the edges, so the output is a little larger.",
    },
    dilationRate: {
      type: 'pair',
      default: [1, 1],
      min: 1,
      label: 'Dilation rate',
      help: 'Spacing between the kernel taps. TensorFlow.js has no dilated Conv2DTranspose, so only [1, 1] works here; for a wider window use a larger kernel.',
    },
    activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'Non-linearity applied to the output.' },
    useBias: { type: 'bool', default: true, label: 'Use bias', help: 'Add a learned offset to each filter.' },
  },
  inferShape([input], p, ctx) {
    const rank = imageRankError(ctx.name, 'Conv2DTranspose', input);
    if (rank) return rank;
    const [h, w, channels] = input;
    if (channels === null) {
      return { ok: false, error: `${ctx.name}: Conv2DTranspose needs a known number of channels, but gets ${formatShape(input)} — give the last axis a fixed size (write the number instead of -1 in a Reshape).` };
    }
    // tfjs accepts a dilation rate here but ignores it (shape and values are those of [1, 1]), so refuse it.
    if (p.dilationRate[0] !== 1 || p.dilationRate[1] !== 1) {
      return {
        ok: false,
        error: `${ctx.name}: TensorFlow.js has no dilated Conv2DTranspose (it would silently ignore dilation rate ${times(p.dilationRate)}) — set the dilation rate to [1, 1], and use a larger kernel for a wider window.`,
      };
    }
    return {
      ok: true,
      shape: [deconvOutputLength(h, p.kernelSize[0], p.padding, p.strides[0]), deconvOutputLength(w, p.kernelSize[1], p.padding, p.strides[1]), p.filters],
    };
  },
  countParams([input], p) {
    const channels = input[input.length - 1] ?? 0;
    return p.kernelSize[0] * p.kernelSize[1] * channels * p.filters + (p.useBias ? p.filters : 0);
  },
  keras: {
    className: 'Conv2DTranspose',
    params: (c) => {
      if (c.output_padding !== undefined && c.output_padding !== null) throw new KerasImportError('output_padding is not supported (it changes the output size)');
      return { params: { filters: c.filters, ...kerasConv2D(c) }, dropped: droppedSettings(c, ['filters', ...KERAS_CONV2D_KEYS]) };
    },
  },
  pytorch: {
    unsupported: (p, io) => (p.dilationRate.some((d) => d !== 1) ? 'dilation' : io.outputShape.slice(0, 2).some((d) => d === null) || io.inputShapes[0].slice(0, 2).some((d) => d === null) ? 'an image of unknown size' : null),
    module: (p, io) => {
      const [h, w] = io.inputShapes[0] as number[];
      const [oh, ow] = io.outputShape as number[];
      // The full transposed convolution is (n - 1) * stride + kernel long; tfjs keeps the middle, the odd pixel cut at the end.
      const crop = [0, 1].map((i) => Math.max(0, Math.floor((([h, w][i] - 1) * p.strides[i] + p.kernelSize[i] - [oh, ow][i]) / 2)));
      return `nw.ConvTranspose2d(${lastAxis(io.inputShapes[0])}, ${p.filters}, ${py(p.kernelSize)}, stride=${py(p.strides)}, bias=${py(p.useBias)}, crop=${py(crop)}, size=${py([oh, ow])})`;
    },
    forward: (p, io) => torchActivation(p.activation, `${io.module}(${io.inputs[0]})`),
    // tfjs kernel [height, width, out, in] → PyTorch [in, out, height, width].
    weights: (p) => ({ weight: 'w("kernel").transpose(3, 2, 0, 1)', ...(p.useBias ? { bias: 'w("bias")' } : {}) }),
  },
  tfjs: {
    factory: 'conv2dTranspose',
    className: 'Conv2DTranspose',
    config: (p) => ({
      filters: p.filters,
      kernelSize: [...p.kernelSize],
      strides: [...p.strides],
      padding: p.padding,
      activation: p.activation,
      useBias: p.useBias,
    }),
  },
});
