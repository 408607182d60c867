import { ACTIVATIONS } from '../params';
import { defineLayer } from '../types';
import { formatShape, type Shape } from '../../shapes';
import { convOutputLength } from './conv2d';
import { sequenceRankError } from './sequence';
import { droppedSettings, kerasActivation, kerasBool, kerasInt, kerasPadding, requireChannelsLast, KerasImportError } from '../../import/kerasConfig';

export const Conv1D = defineLayer({
  kind: 'Conv1D',
  label: 'Conv1D',
  category: 'Convolution',
  description: 'Slides small learned filters along a sequence [steps, channels] to detect local patterns, e.g. in time series or text.',
  namePrefix: 'conv1d',
  role: 'layer',
  penalizedWeights: ['kernel'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    filters: { type: 'int', default: 32, min: 1, max: 4096, label: 'Filters', help: 'Number of filters, i.e. output channels. Each learns one pattern.' },
    kernelSize: { type: 'int', default: 3, min: 1, max: 1024, label: 'Kernel size', help: 'Length of each filter window in steps, e.g. 3.' },
    strides: { type: 'int', default: 1, min: 1, max: 1024, label: 'Strides', help: 'Step of the window; 2 halves the sequence length.' },
    // tfjs 4.22 has no working 'causal' padding for Conv1D: its shape is wrong and running it throws.
    padding: { type: 'enum', options: ['valid', 'same'] as const, default: 'valid', label: 'Padding', help: "'valid' uses only full windows (the sequence shrinks); 'same' pads both ends so the length only changes with the stride." },
    dilationRate: { type: 'int', default: 1, min: 1, max: 1024, label: 'Dilation rate', help: 'Spacing between the kernel taps; values above 1 see a longer stretch with the same weights. Cannot be combined with strides above 1.' },
    activation: { type: 'enum', options: ACTIVATIONS, default: 'relu', label: 'Activation', help: 'Non-linearity applied to the output.' },
    useBias: { type: 'bool', default: true, label: 'Use bias', help: 'Add a learned offset to each filter.' },
  },
  inferShape([input], p, ctx) {
    const rank = sequenceRankError(ctx.name, 'Conv1D', input, '[steps, channels]', 'or use Conv2D for images');
    if (rank) return rank;
    const [steps, channels] = input;
    if (channels === null) {
      return { ok: false, error: `${ctx.name}: Conv1D needs a known number of channels, but gets ${formatShape(input)} — give the last axis a fixed size (write the number instead of -1 in a Reshape).` };
    }
    if (p.dilationRate !== 1 && p.strides !== 1) {
      return { ok: false, error: `${ctx.name}: tfjs cannot combine strides ${p.strides} with dilation rate ${p.dilationRate} — set the strides or the dilation rate to 1.` };
    }
    const span = p.kernelSize + (p.kernelSize - 1) * (p.dilationRate - 1);
    if (p.padding === 'valid' && steps !== null && span > steps) {
      const kernel = p.dilationRate !== 1 ? `kernel ${p.kernelSize} with dilation ${p.dilationRate} spans ${span} steps and` : `kernel ${p.kernelSize}`;
      return { ok: false, error: `${ctx.name}: ${kernel} does not fit the ${steps} steps of the input; use padding 'same' or a smaller kernel.` };
    }
    const shape: Shape = [convOutputLength(steps, p.kernelSize, p.padding, p.strides, p.dilationRate), p.filters];
    return { ok: true, shape };
  },
  countParams([input], p) {
    const channels = input[input.length - 1] ?? 0;
    return p.kernelSize * channels * p.filters + (p.useBias ? p.filters : 0);
  },
  keras: {
    className: 'Conv1D',
    params: (c) => {
      requireChannelsLast(c);
      if (kerasInt(c.groups, 1) !== 1) throw new KerasImportError('grouped convolutions (groups > 1) are not supported');
      return {
        params: {
          filters: c.filters,
          kernelSize: kerasInt(c.kernel_size, 3),
          strides: kerasInt(c.strides, 1),
          padding: kerasPadding(c.padding),
          dilationRate: kerasInt(c.dilation_rate, 1),
          activation: kerasActivation(c.activation),
          useBias: kerasBool(c.use_bias, true),
        },
        dropped: droppedSettings(c, ['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias', 'groups']),
      };
    },
  },
  tfjs: {
    factory: 'conv1d',
    className: 'Conv1D',
    config: (p) => ({
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      dilationRate: p.dilationRate,
      activation: p.activation,
      useBias: p.useBias,
    }),
  },
});
