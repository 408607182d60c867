import { ACTIVATIONS } from '../params';
import { defineLayer } from '../types';
import { imageConvCheck, kerasConv2D, KERAS_CONV2D_KEYS, times } from './conv2d';
import { droppedSettings, kerasInt, KerasImportError } from '../../import/kerasConfig';

export const DepthwiseConv2D = defineLayer({
  kind: 'DepthwiseConv2D',
  label: 'DepthwiseConv2D',
  category: 'Convolution',
  description: 'Slides a separate small filter over each channel of an image without mixing channels; far fewer weights than Conv2D (the first half of MobileNet blocks).',
  namePrefix: 'depthwise_conv2d',
  role: 'layer',
  penalizedWeights: ['depthwise_kernel'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    kernelSize: { type: 'pair', default: [3, 3], min: 1, label: 'Kernel size', help: 'Height and width of each filter window, e.g. [3, 3].' },
    depthMultiplier: {
      type: 'int',
      default: 1,
      min: 1,
      max: 256,
      label: 'Depth multiplier',
      help: 'Filters per input channel; the output has channels × this many channels. 1 keeps the channel count.',
    },
    strides: { type: 'pair', default: [1, 1], min: 1, label: 'Strides', help: 'Step of the window in pixels [down, across]; 2 halves the image size.' },
    padding: { type: 'enum', options: ['valid', 'same'] as const, default: 'valid', label: 'Padding', help: "'valid' uses only full windows (the image shrinks); 'same' pads the border so the size only changes with the stride." },
    dilationRate: {
      type: 'pair',
      default: [1, 1],
      min: 1,
      label: 'Dilation rate',
      help: 'Spacing between the kernel taps. TensorFlow.js has no dilated DepthwiseConv2D, so only [1, 1] works here; SeparableConv2D and Conv2D support dilation.',
    },
    activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'Non-linearity applied to the output.' },
    useBias: { type: 'bool', default: true, label: 'Use bias', help: 'Add a learned offset to each output channel.' },
  },
  inferShape([input], p, ctx) {
    // tfjs accepts a dilation rate here but ignores it (shape and values are those of [1, 1]), so refuse it.
    if (p.dilationRate[0] !== 1 || p.dilationRate[1] !== 1) {
      return {
        ok: false,
        error: `${ctx.name}: TensorFlow.js has no dilated DepthwiseConv2D (it would silently ignore dilation rate ${times(p.dilationRate)}) — set the dilation rate to [1, 1], or use SeparableConv2D, which supports dilation.`,
      };
    }
    const conv = imageConvCheck(ctx.name, 'DepthwiseConv2D', input, p);
    if (!conv.ok) return conv;
    return { ok: true, shape: [conv.height, conv.width, conv.channels * p.depthMultiplier] };
  },
  countParams([input], p) {
    const outChannels = (input[input.length - 1] ?? 0) * p.depthMultiplier;
    return p.kernelSize[0] * p.kernelSize[1] * outChannels + (p.useBias ? outChannels : 0);
  },
  keras: {
    className: 'DepthwiseConv2D',
    params: (c) => {
      const { dilationRate, ...window } = kerasConv2D(c);
      if (dilationRate[0] !== 1 || dilationRate[1] !== 1) throw new KerasImportError('a dilation rate is not supported on DepthwiseConv2D');
      return { params: { depthMultiplier: kerasInt(c.depth_multiplier, 1), ...window }, dropped: droppedSettings(c, ['depth_multiplier', ...KERAS_CONV2D_KEYS]) };
    },
  },
  tfjs: {
    factory: 'depthwiseConv2d',
    className: 'DepthwiseConv2D',
    config: (p) => ({
      kernelSize: [...p.kernelSize],
      depthMultiplier: p.depthMultiplier,
      strides: [...p.strides],
      padding: p.padding,
      activation: p.activation,
      useBias: p.useBias,
    }),
  },
});
