import { defineLayer } from '../types';
import { formatShape, type Shape } from '../../shapes';
import { droppedSettings, kerasBool } from '../../import/kerasConfig';


export const Embedding = defineLayer({
  kind: 'Embedding',
  label: 'Embedding',
  category: 'Embedding',
  description: 'Turns each token id of a sequence into a learned vector: [sequenceLength] of ids becomes [sequenceLength, outputDim].',
  namePrefix: 'embedding',
  role: 'layer',
  penalizedWeights: ['embeddings'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    inputDim: {
      type: 'int',
      default: 1000,
      min: 1,
      max: 10_000_000,
      label: 'Vocabulary size',
      help: 'Number of different token ids: ids run from 0 to this size - 1. With "Mask zero" on, 0 is padding, so use the vocabulary size + 1.',
    },
    outputDim: { type: 'int', default: 16, min: 1, max: 65536, label: 'Output dimension', help: 'Length of the learned vector for each token, e.g. 16 to 300.' },
    maskZero: {
      type: 'bool',
      default: false,
      label: 'Mask zero',
      help: 'Treat id 0 as padding: a following LSTM or GRU skips those steps. In tfjs other layers (Conv1D, pooling, Flatten) ignore the mask.',
    },
  },
  inferShape([input], p, ctx) {
    const shape: Shape = [...input, p.outputDim];
    if (input.length !== 1) {
      return {
        ok: true,
        shape,
        warnings: [
          `${ctx.name}: Embedding expects a sequence of token ids [sequenceLength] but gets ${formatShape(input)}; it looks up every value and outputs ${formatShape(shape)} — if these are token ids, Reshape or Flatten them to one axis first.`,
        ],
      };
    }
    return { ok: true, shape };
  },
  countParams(_inputs, p) {
    return p.inputDim * p.outputDim;
  },
  keras: {
    className: 'Embedding',
    params: (c) => ({
      params: { inputDim: c.input_dim, outputDim: c.output_dim, maskZero: kerasBool(c.mask_zero, false) },
      dropped: droppedSettings(c, ['input_dim', 'output_dim', 'mask_zero']),
    }),
  },
  pytorch: {
    module: (p) => `nn.Embedding(${p.inputDim}, ${p.outputDim})`,
    forward: (_p, io) => `${io.module}(${io.inputs[0]}.long())`,
    weights: () => ({ weight: 'w("embeddings")' }),
    mask: (p, io) => (p.maskZero ? `${io.inputs[0]} != 0` : null),
  },
  tfjs: {
    factory: 'embedding',
    className: 'Embedding',
    config: (p) => ({ inputDim: p.inputDim, outputDim: p.outputDim, maskZero: p.maskZero }),
  },
});
