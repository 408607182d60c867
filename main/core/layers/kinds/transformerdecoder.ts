import { defineLayer } from '../types';
import { DECODER_INPUT_NAMES, TRANSFORMER_PARAMS, transformerBlockConfig, transformerDecoderParamCount, transformerKeyDim, transformerShape } from './attention';

export const TransformerDecoder = defineLayer({
  kind: 'TransformerDecoder',
  label: 'TransformerDecoder',
  category: 'Attention',
  description:
    'One Transformer decoder block on a sequence [time, features]: causal self-attention (each step sees only earlier steps), then, with a second input, attention to an encoder\'s output, then a feed-forward network; each added back and normalized.',
  namePrefix: 'transformer_decoder',
  role: 'layer',
  penalizedWeights: ['kernel'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 2, names: DECODER_INPUT_NAMES },
  params: TRANSFORMER_PARAMS,
  inferShape(inputs, p, ctx) {
    return transformerShape(ctx.name, 'TransformerDecoder', inputs, DECODER_INPUT_NAMES, p);
  },
  countParams(inputs, p) {
    const features = inputs[0][inputs[0].length - 1] ?? 0;
    const encoder = inputs[1] ? (inputs[1][inputs[1].length - 1] ?? 0) : null;
    return transformerDecoderParamCount(features, encoder, p.numHeads, transformerKeyDim(features, p.numHeads, p.keyDim), p.intermediateDim);
  },
  tfjs: {
    custom: true,
    factory: 'transformerDecoder',
    className: 'TransformerDecoder',
    config: transformerBlockConfig,
  },
});
