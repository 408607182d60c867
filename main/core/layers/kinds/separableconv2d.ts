import { ACTIVATIONS } from '../params';
import { defineLayer } from '../types';
import { imageConvCheck, kerasConv2D, KERAS_CONV2D_KEYS } from './conv2d';
import { droppedSettings, kerasInt } from '../../import/kerasConfig';

export const SeparableConv2D = defineLayer({
  kind: 'SeparableConv2D',
  label: 'SeparableConv2D',
  category: 'Convolution',
  description: 'A cheaper Conv2D in two steps: a filter per channel (depthwise), then a 1×1 convolution that mixes the channels (pointwise).',
  namePrefix: 'separable_conv2d',
  role: 'layer',
  penalizedWeights: ['depthwise_kernel', 'pointwise_kernel'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    filters: { type: 'int', default: 32, min: 1, max: 4096, label: 'Filters', help: 'Number of output channels the pointwise step mixes the channels into.' },
    kernelSize: { type: 'pair', default: [3, 3], min: 1, label: 'Kernel size', help: 'Height and width of each per-channel filter window, e.g. [3, 3].' },
    depthMultiplier: {
      type: 'int',
      default: 1,
      min: 1,
      max: 256,
      label: 'Depth multiplier',
      help: 'Per-channel filters in the depthwise step, before the channels are mixed. 1 is usual.',
    },
    strides: { type: 'pair', default: [1, 1], min: 1, label: 'Strides', help: 'Step of the window in pixels [down, across]; 2 halves the image size.' },
    padding: { type: 'enum', options: ['valid', 'same'] as const, default: 'valid', label: 'Padding', help: "'valid' uses only full windows (the image shrinks); 'same' pads the border so the size only changes with the stride." },
    dilationRate: { type: 'pair', default: [1, 1], min: 1, label: 'Dilation rate', help: 'Spacing between the kernel taps; values above 1 see a wider area with the same weights. Cannot be combined with strides above 1.' },
    activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'Non-linearity applied to the output.' },
    useBias: { type: 'bool', default: true, label: 'Use bias', help: 'Add a learned offset to each output channel.' },
  },
  inferShape([input], p, ctx) {
    const conv = imageConvCheck(ctx.name, 'SeparableConv2D', input, p);
    if (!conv.ok) return conv;
    return { ok: true, shape: [conv.height, conv.width, p.filters] };
  },
  countParams([input], p) {
    const channels = input[input.length - 1] ?? 0;
    const depthwise = p.kernelSize[0] * p.kernelSize[1] * channels * p.depthMultiplier;
    const pointwise = channels * p.depthMultiplier * p.filters;
    return depthwise + pointwise + (p.useBias ? p.filters : 0);
  },
  keras: {
    className: 'SeparableConv2D',
    params: (c) => ({
      params: { filters: c.filters, depthMultiplier: kerasInt(c.depth_multiplier, 1), ...kerasConv2D(c) },
      dropped: droppedSettings(c, ['filters', 'depth_multiplier', ...KERAS_CONV2D_KEYS]),
    }),
  },
  tfjs: {
    factory: 'separableConv2d',
    className: 'SeparableConv2D',
    config: (p) => ({
      filters: p.filters,
      kernelSize: [...p.kernelSize],
      depthMultiplier: p.depthMultiplier,
      strides: [...p.strides],
      padding: p.padding,
      dilationRate: [...p.dilationRate],
      activation: p.activation,
      useBias: p.useBias,
    }),
  },
});
