import { attentionWeights, lastAxis, py } from '../pytorch';
import { defineLayer } from '../types';
import { ATTENTION_INPUT_NAMES, ATTENTION_SCORES, MAX_ATTENTION_DROPOUT, attentionParamCount, multiHeadAttentionShape, queryValueKey, resolveAttentionSizes } from './attention';
import { droppedSettings, kerasBool, kerasInt, kerasNumber, KerasImportError } from '../../import/kerasConfig';

export const MultiHeadAttention = defineLayer({
  kind: 'MultiHeadAttention',
  label: 'MultiHeadAttention',
  category: 'Attention',
  description:
    'Lets every step of a sequence [time, features] look at every step of a sequence (itself, or another one) and mix in what it finds relevant. One input: self-attention; inputs in order query, value, key.',
  namePrefix: 'multi_head_attention',
  role: 'layer',
  penalizedWeights: ['kernel'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 3, names: ATTENTION_INPUT_NAMES },
  outputs: { extra: (p) => (p.returnAttentionScores ? ATTENTION_SCORES : []) },
  attentionScores: { config: { returnAttentionScores: true }, output: 1 },
  params: {
    numHeads: { type: 'int', default: 2, min: 1, max: 256, label: 'Heads', help: 'Number of attention heads: each compares the steps in its own learned way, and their results are joined.' },
    keyDim: { type: 'int', default: 16, min: 1, max: 4096, label: 'Key size', help: 'Size of the query and key vectors of each head, which are compared to decide where to look. Often features ÷ heads.' },
    valueDim: { type: 'int', default: 0, min: 0, max: 4096, label: 'Value size', help: 'Size of the value vector each head passes on. 0 uses the key size (the Keras default).' },
    dropout: {
      type: 'float',
      default: 0,
      min: 0,
      max: MAX_ATTENTION_DROPOUT,
      step: 0.05,
      label: 'Dropout',
      help: 'Fraction of the attention weights dropped during training, so that no step relies on a single other step; nothing is dropped at prediction time.',
    },
    useBias: { type: 'bool', default: true, label: 'Use bias', help: 'Add a learned offset in the query, key, value and output projections.' },
    useCausalMask: {
      type: 'bool',
      default: false,
      label: 'Causal mask',
      help: 'Let each step look only at itself and earlier steps, never at later ones: needed when predicting the next token (decoders, text generation).',
    },
    returnAttentionScores: {
      type: 'bool',
      default: false,
      label: 'Return scores',
      help: 'Also give the attention weights as a second output [heads, query steps, value steps]: for each head, how much each step looks at every other step. For looking inside the model; connect it onward only to inspect it.',
    },
    outputDim: { type: 'int', default: 0, min: 0, max: 65536, label: 'Output size', help: "Size of the output per step. 0 keeps the query's number of features, so the output can be added back to the query (a residual connection)." },
  },
  inferShape(inputs, p, ctx) {
    return multiHeadAttentionShape(ctx.name, inputs, p);
  },
  countParams(inputs, p) {
    const width = queryValueKey(inputs.map((s) => s[s.length - 1] ?? 0));
    return attentionParamCount(width, resolveAttentionSizes(p, width.query));
  },
  keras: {
    className: 'MultiHeadAttention',
    params: (c) => {
      if (c.attention_axes !== undefined && c.attention_axes !== null) throw new KerasImportError('attention_axes is not supported (attention runs over the steps)');
      return {
        params: {
          numHeads: c.num_heads,
          keyDim: c.key_dim,
          valueDim: kerasInt(c.value_dim, 0),
          dropout: kerasNumber(c.dropout, 0),
          useBias: kerasBool(c.use_bias, true),
          outputDim: kerasInt(c.output_shape, 0),
          // Keras passes the causal mask when calling the layer; Neurowire's own class (and its saved files) keep it here.
          useCausalMask: kerasBool(c.use_causal_mask, false),
          returnAttentionScores: kerasBool(c.return_attention_scores, false),
        },
        dropped: droppedSettings(c, ['num_heads', 'key_dim', 'value_dim', 'dropout', 'use_bias', 'output_shape', 'attention_axes', 'use_causal_mask', 'return_attention_scores']),
      };
    },
  },
  pytorch: {
    module: (p, io) => {
      const [query, value, key] = [io.inputShapes[0], io.inputShapes[1] ?? io.inputShapes[0], io.inputShapes[2] ?? io.inputShapes[1] ?? io.inputShapes[0]].map(lastAxis);
      const valueDim = p.valueDim > 0 ? p.valueDim : p.keyDim;
      const outputDim = p.outputDim > 0 ? p.outputDim : query;
      return `nw.MultiHeadAttention(${query}, ${value}, ${key}, ${p.numHeads}, ${p.keyDim}, ${valueDim}, ${outputDim}, bias=${py(p.useBias)}, dropout=${p.dropout}, causal=${py(p.useCausalMask)})`;
    },
    forward: (p, io) => {
      const [query, value, key] = io.inputs;
      // A padding mask counts for a self-attention (one input) only, as in the app's layer.
      const rest = [value ?? query, ...(key ? [key] : []), ...(io.inputs.length === 1 && io.mask ? [`padding=${io.mask}`] : []), ...(p.returnAttentionScores ? ['return_scores=True'] : [])];
      return `${io.module}(${query}, ${rest.join(', ')})`;
    },
    weights: (p) => attentionWeights('', '', p.useBias),
  },
  tfjs: {
    custom: true,
    factory: 'multiHeadAttention',
    className: 'MultiHeadAttention',
    config: (p) => ({
      numHeads: p.numHeads,
      keyDim: p.keyDim,
      valueDim: p.valueDim > 0 ? p.valueDim : null,
      dropout: p.dropout,
      useBias: p.useBias,
      useCausalMask: p.useCausalMask,
      // Only when on, so models with one output read (and generate) as before.
      ...(p.returnAttentionScores ? { returnAttentionScores: true } : {}),
      outputShape: p.outputDim > 0 ? p.outputDim : null,
    }),
  },
});
