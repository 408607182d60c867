import { lastAxis, py } from '../pytorch';
import { defineLayer } from '../types';
import { POSITION_MODES, positionalEmbeddingShape } from './attention';

export const PositionalEmbedding = defineLayer({
  kind: 'PositionalEmbedding',
  label: 'PositionalEmbedding',
  category: 'Embedding',
  description:
    'Adds to each step of a sequence [time, features] a vector that says where the step is, so that attention (which otherwise ignores order) can tell first from last. Put it right after an Embedding.',
  namePrefix: 'positional_embedding',
  role: 'layer',
  penalizedWeights: ['embeddings'],
  outputFit: { fit: 'none' },
  inputs: { min: 1, max: 1 },
  params: {
    mode: {
      type: 'enum',
      options: POSITION_MODES,
      default: 'learned',
      label: 'Mode',
      help: 'learned: one trained vector per position, up to Max length (as BERT and GPT). sinusoidal: fixed sine and cosine waves of the Transformer paper; nothing to train, and any length works.',
    },
    maxLength: {
      type: 'int',
      default: 128,
      min: 1,
      max: 65536,
      label: 'Max length',
      help: 'Longest sequence the learned positions cover (one vector per position, so it adds Max length × features weights). Not used by sinusoidal.',
    },
    maxWavelength: {
      type: 'float',
      default: 10000,
      min: 1,
      label: 'Max wavelength',
      help: 'Longest wave of the sinusoidal positions; 10000 as in the Transformer paper. Not used by learned positions.',
    },
  },
  inferShape([input], p, ctx) {
    return positionalEmbeddingShape(ctx.name, input, p);
  },
  countParams([input], p) {
    return p.mode === 'learned' ? p.maxLength * (input[input.length - 1] ?? 0) : 0;
  },
  pytorch: {
    module: (p, io) => `nw.PositionalEmbedding(${py(p.mode)}, ${p.maxLength}, ${lastAxis(io.inputShapes[0])}, max_wavelength=${p.maxWavelength})`,
    forward: (_p, io) => `${io.module}(${io.inputs[0]})`,
    weights: (p): Record<string, string> => (p.mode === 'learned' ? { embeddings: 'w("embeddings")' } : {}),
  },
  tfjs: {
    custom: true,
    factory: 'positionalEmbedding',
    className: 'PositionalEmbedding',
    config: (p) => ({ mode: p.mode, maxLength: p.maxLength, maxWavelength: p.maxWavelength }),
  },
});
