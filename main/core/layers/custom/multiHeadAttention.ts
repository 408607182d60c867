import type * as tfTypes from '@tensorflow/tfjs';
import { defineCustomLayer } from './define';
import { multiHeadAttentionShape, queryValueKey, resolveAttentionSizes, type MultiHeadAttentionValues } from '../kinds/attention';
import { addAttentionWeights, attentionWithScores, firstMask, initializerOf, isTraining, numberOr, shapeList, type AddWeight, type AttentionWeights, type TfShape } from './attentionMath';

type Tensor = tfTypes.Tensor;

/**
 * Keras's MultiHeadAttention (keras/src/layers/attention/multi_head_attention.py) over sequences [batch, time,
 * features]: inputs query, value, key in that order (one input: self-attention; two: key = value). Weights as Keras
 * names them: query/kernel [width, heads, keyDim], query/bias [heads, keyDim], likewise key/ and value/ (valueDim),
 * attention_output/kernel [heads, valueDim, outputDim] and attention_output/bias. Config keys are Keras's in camelCase
 * (model.json stores them in snake_case): numHeads, keyDim, valueDim, dropout, useBias, outputShape (one size), plus
 * useCausalMask and returnAttentionScores, which Keras takes per call. With returnAttentionScores the layer has two
 * outputs, the result and the attention probabilities [batch, heads, query steps, value steps], as Keras returns them.
 */
export const MultiHeadAttentionLayer = defineCustomLayer({
  className: 'MultiHeadAttention',
  // Keras's own layer, whose causal mask and returned scores are chosen per call, and which takes the value even
  // for self-attention.
  keras: { callArguments: ['use_causal_mask', 'return_attention_scores'], requiredInputs: 2 },
  define(tf) {
    class MultiHeadAttention extends tf.layers.Layer {
      static className = 'MultiHeadAttention';
      private readonly sizes: MultiHeadAttentionValues;
      private readonly dropoutRate: number;
      private readonly useCausalMask: boolean;
      private readonly returnScores: boolean;
      private attention: AttentionWeights | null = null;

      constructor(config: Record<string, unknown>) {
        super(config);
        this.sizes = {
          numHeads: numberOr(config.numHeads, 1),
          keyDim: numberOr(config.keyDim, 1),
          valueDim: numberOr(config.valueDim, 0),
          outputDim: numberOr(config.outputShape, 0),
          useBias: config.useBias !== false,
        };
        this.dropoutRate = numberOr(config.dropout, 0);
        this.useCausalMask = config.useCausalMask === true;
        this.returnScores = config.returnAttentionScores === true;
        // A padding mask from an Embedding with mask zero is used (self-attention) and passed on.
        this.supportsMasking = true;
      }

      private checked(inputShape: TfShape | TfShape[]): { shapes: TfShape[]; out: TfShape | TfShape[] } {
        const shapes = shapeList(inputShape);
        if (shapes.length > 3) throw new Error(`${this.name}: MultiHeadAttention takes at most 3 inputs (query, value, key) but gets ${shapes.length} — remove the extra connections.`);
        const check = multiHeadAttentionShape(
          this.name,
          shapes.map((s) => s.slice(1)),
          { ...this.sizes, returnAttentionScores: this.returnScores },
        );
        if (!check.ok) throw new Error(check.error);
        const batch = shapes[0][0];
        const out = [batch, ...check.shape];
        return { shapes, out: this.returnScores ? [out, [batch, ...check.extraShapes![0]]] : out };
      }

      override build(inputShape: TfShape | TfShape[]): void {
        const { shapes } = this.checked(inputShape);
        const { query, value, key } = queryValueKey(shapes.map((s) => s[2] as number));
        const add: AddWeight = (name, shape, init) => this.addWeight(name, shape, 'float32', initializerOf(tf, init));
        this.attention = addAttentionWeights(add, '', { query, value, key }, resolveAttentionSizes(this.sizes, query));
        this.built = true;
      }

      override computeOutputShape(inputShape: TfShape | TfShape[]): TfShape | TfShape[] {
        return this.checked(inputShape).out;
      }

      override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
        return tf.tidy(() => {
          const list = Array.isArray(inputs) ? inputs : [inputs];
          const { query, value, key } = queryValueKey(list);
          const { output, scores } = attentionWithScores(tf, this.attention!, query, value, key, {
            training: isTraining(kwargs),
            dropout: this.dropoutRate,
            causal: this.useCausalMask,
            // tfjs hands a multi-input layer only its first input's mask, so masks are used for self-attention only.
            padding: list.length === 1 ? firstMask(kwargs.mask) : null,
          });
          return this.returnScores ? [output, scores] : output;
        });
      }

      override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[]): Tensor | Tensor[] {
        // The output follows the query's steps, so it keeps the query's mask (null where there is none, as tfjs's own layers return).
        const kept = firstMask(mask) as Tensor;
        return this.returnScores ? ([kept, null] as unknown as Tensor[]) : kept;
      }

      override getConfig(): tfTypes.serialization.ConfigDict {
        return {
          ...super.getConfig(),
          numHeads: this.sizes.numHeads,
          keyDim: this.sizes.keyDim,
          valueDim: this.sizes.valueDim > 0 ? this.sizes.valueDim : null,
          dropout: this.dropoutRate,
          useBias: this.sizes.useBias,
          outputShape: this.sizes.outputDim > 0 ? this.sizes.outputDim : null,
          useCausalMask: this.useCausalMask,
          ...(this.returnScores ? { returnAttentionScores: true } : {}),
        };
      }
    }
    return MultiHeadAttention;
  },
});
