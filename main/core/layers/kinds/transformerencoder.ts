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
  tfjs: {
    custom: true,
    factory: 'transformerEncoder',
    className: 'TransformerEncoder',
    config: transformerBlockConfig,
  },
});
