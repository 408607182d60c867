import { attentionWeights, lastAxis, py } from '../pytorch';
import { defineLayer } from '../types';
import { TRANSFORMER_PARAMS, transformerBlockConfig, transformerEncoderParamCount, transformerKeyDim, transformerShape } from './attention';

export const TransformerEncoder = defineLayer({
  kind: 'TransformerEncoder',
  label: 'TransformerEncoder',
  category: 'Attention',
  description:
    'One Transformer encoder block on a sequence [time, features]: self-attention, then a small feed-forward network on every step, each added back to its input and normalized. Output has the input\'s shape, so blocks can be stacked.',
  namePrefix: 'transformer_encoder',
  role: 'layer',
  penalizedWeights: ['kernel'],
  attentionScores: { config: { returnAttentionScores: true }, output: 1 },
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: TRANSFORMER_PARAMS,
  inferShape(inputs, p, ctx) {
    return transformerShape(ctx.name, 'TransformerEncoder', inputs, ['sequence'], p);
  },
  countParams([input], p) {
    const features = input[input.length - 1] ?? 0;
    return transformerEncoderParamCount(features, p.numHeads, transformerKeyDim(features, p.numHeads, p.keyDim), p.intermediateDim);
  },
  pytorch: {
    module: (p, io) => {
      const features = lastAxis(io.inputShapes[0]);
      const settings = `dropout=${p.dropout}, activation=${py(p.activation)}, norm_first=${py(p.normFirst)}, eps=${p.layerNormEpsilon}`;
      return `nw.TransformerEncoder(${features}, ${p.numHeads}, ${transformerKeyDim(features, p.numHeads, p.keyDim)}, ${p.intermediateDim}, ${settings})`;
    },
    forward: (_p, io) => `${io.module}(${io.inputs[0]}${io.mask ? `, mask=${io.mask}` : ''})`,
    weights: () => ({
      ...attentionWeights('self_attention', 'self_attention_layer/', true),
      'self_attention_norm.weight': 'w("self_attention_layer_norm/gamma")',
      'self_attention_norm.bias': 'w("self_attention_layer_norm/beta")',
      'feedforward_norm.weight': 'w("feedforward_layer_norm/gamma")',
      'feedforward_norm.bias': 'w("feedforward_layer_norm/beta")',
      'feedforward_intermediate.weight': 'w("feedforward_intermediate_dense/kernel").T',
      'feedforward_intermediate.bias': 'w("feedforward_intermediate_dense/bias")',
      'feedforward_output.weight': 'w("feedforward_output_dense/kernel").T',
      'feedforward_output.bias': 'w("feedforward_output_dense/bias")',
    }),
  },
  tfjs: {
    custom: true,
    factory: 'transformerEncoder',
    className: 'TransformerEncoder',
    config: transformerBlockConfig,
  },
});
