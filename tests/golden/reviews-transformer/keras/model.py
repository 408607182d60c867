"""Sentiment Transformer: the network, as designed in Neurowire, in tf.keras (Keras 3).

Layer                       Kind                    Output shape  Parameters
--------------------------  ----------------------  ------------  ----------
input_1                     Input                   [24]                   0
embedding_1                 Embedding               [24, 32]           3,072
positional_embedding_1      PositionalEmbedding     [24, 32]               0
transformer_encoder_1       TransformerEncoder      [24, 32]           8,544
global_average_pooling1d_1  GlobalAveragePooling1D  [32]                   0
dense_1                     Dense                   [2]                   66

Total parameters: 11,682
Shapes are per sample; Keras adds the batch axis in front.

python model.py builds the network, loads the weights trained in the app (../model.json, ../weights.bin)
and prints its summary.
"""
import os

import keras
import keras_hub

from neurowire_layers import PositionalEmbedding
from tfjs_weights import set_keras_weights

# The model the app trained: TensorFlow.js files, next to this folder.
MODEL_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model.json")

# The trained weights of each layer, by their names in model.json, in the order layer.set_weights takes them.
TRAINED_WEIGHTS = {
    "embedding_1": ["embedding_1/embeddings"],
    "transformer_encoder_1": [
        "transformer_encoder_1/self_attention_layer/query/kernel",
        "transformer_encoder_1/self_attention_layer/query/bias",
        "transformer_encoder_1/self_attention_layer/key/kernel",
        "transformer_encoder_1/self_attention_layer/key/bias",
        "transformer_encoder_1/self_attention_layer/value/kernel",
        "transformer_encoder_1/self_attention_layer/value/bias",
        "transformer_encoder_1/self_attention_layer/attention_output/kernel",
        "transformer_encoder_1/self_attention_layer/attention_output/bias",
        "transformer_encoder_1/self_attention_layer_norm/gamma",
        "transformer_encoder_1/self_attention_layer_norm/beta",
        "transformer_encoder_1/feedforward_layer_norm/gamma",
        "transformer_encoder_1/feedforward_layer_norm/beta",
        "transformer_encoder_1/feedforward_intermediate_dense/kernel",
        "transformer_encoder_1/feedforward_intermediate_dense/bias",
        "transformer_encoder_1/feedforward_output_dense/kernel",
        "transformer_encoder_1/feedforward_output_dense/bias",
    ],
    "dense_1": ["dense_1/kernel", "dense_1/bias"],
}


def build_model():
    """Builds the network with the functional API, each layer applied to the layers that feed it."""
    # input_1 (Input): samples of shape [24]
    input_1 = keras.Input(shape=(24,), batch_size=None, dtype="float32", name="input_1")
    # embedding_1 (Embedding): [24] → [24, 32], 3,072 parameters
    embedding_1 = keras.layers.Embedding(
        input_dim=96,
        output_dim=32,
        embeddings_initializer=keras.initializers.RandomUniform(minval=-0.05, maxval=0.05, seed=None),
        embeddings_regularizer=None,
        activity_regularizer=None,
        embeddings_constraint=None,
        mask_zero=True,
        name="embedding_1",
        trainable=True,
    )(input_1)
    # positional_embedding_1 (PositionalEmbedding): [24, 32] → [24, 32]
    positional_embedding_1 = PositionalEmbedding(
        name="positional_embedding_1",
        trainable=True,
        mode="sinusoidal",
        max_length=24,
        max_wavelength=10000,
    )(embedding_1)
    # transformer_encoder_1 (TransformerEncoder): [24, 32] → [24, 32], 8,544 parameters
    transformer_encoder_1 = keras_hub.layers.TransformerEncoder(
        name="transformer_encoder_1",
        trainable=True,
        num_heads=2,
        intermediate_dim=64,
        dropout=0.1,
        activation="relu",
        layer_norm_epsilon=0.00001,
        normalize_first=False,
    )(positional_embedding_1)
    # global_average_pooling1d_1 (GlobalAveragePooling1D): [24, 32] → [32]
    global_average_pooling1d_1 = keras.layers.GlobalAveragePooling1D(name="global_average_pooling1d_1", trainable=True)(transformer_encoder_1)
    # dense_1 (Dense): [32] → [2], 66 parameters
    dense_1 = keras.layers.Dense(
        units=2,
        activation="softmax",
        use_bias=True,
        kernel_initializer=keras.initializers.VarianceScaling(
            scale=1,
            mode="fan_avg",
            distribution="truncated_normal",
            seed=None,
        ),
        bias_initializer=keras.initializers.Zeros(),
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        name="dense_1",
        trainable=True,
    )(global_average_pooling1d_1)
    return keras.Model(inputs=input_1, outputs=dense_1, name="neurowire_model")


def load_trained_weights(model, model_json=MODEL_JSON):
    """Sets the weights the app trained (TensorFlow.js and Keras lay weights out alike), so predictions match."""
    return set_keras_weights(model, TRAINED_WEIGHTS, model_json)


if __name__ == "__main__":
    load_trained_weights(build_model()).summary()
