"""Two inputs, two outputs: the network, as designed in Neurowire, in tf.keras (Keras 3).

Layer        Kind                    Output shape  Parameters
-----------  ----------------------  ------------  ----------
numbers      Input                   [2]                    0
words        Input                   [6]                    0
dense_1      Dense                   [16]                  48
embedding_1  Embedding               [6, 8]               400
pool_1       GlobalAveragePooling1D  [8]                    0
concat_1     Concatenate             [24]                   0
dense_2      Dense                   [32]                 800
kind_out     Dense                   [3]                   99
value_out    Dense                   [1]                   33

Total parameters: 1,380
Shapes are per sample; Keras adds the batch axis in front.

python model.py builds the network, loads the weights trained in the app (../model.json, ../weights.bin)
and prints its summary.
"""
import os

import keras

from tfjs_weights import set_keras_weights

# The model the app trained: TensorFlow.js files, next to this folder.
MODEL_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model.json")

# The trained weights of each layer, by their names in model.json, in the order layer.set_weights takes them.
TRAINED_WEIGHTS = {
    "dense_1": ["dense_1/kernel", "dense_1/bias"],
    "embedding_1": ["embedding_1/embeddings"],
    "dense_2": ["dense_2/kernel", "dense_2/bias"],
    "kind_out": ["kind_out/kernel", "kind_out/bias"],
    "value_out": ["value_out/kernel", "value_out/bias"],
}


def build_model():
    """Builds the network with the functional API, each layer applied to the layers that feed it."""
    # numbers (Input): samples of shape [2]
    numbers = keras.Input(shape=(2,), batch_size=None, dtype="float32", name="numbers")
    # words (Input): samples of shape [6]
    words = keras.Input(shape=(6,), batch_size=None, dtype="float32", name="words")
    # dense_1 (Dense): [2] → [16], 48 parameters
    dense_1 = keras.layers.Dense(
        units=16,
        activation="relu",
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
    )(numbers)
    # embedding_1 (Embedding): [6] → [6, 8], 400 parameters
    embedding_1 = keras.layers.Embedding(
        input_dim=50,
        output_dim=8,
        embeddings_initializer=keras.initializers.RandomUniform(minval=-0.05, maxval=0.05, seed=None),
        embeddings_regularizer=None,
        activity_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        name="embedding_1",
        trainable=True,
    )(words)
    # pool_1 (GlobalAveragePooling1D): [6, 8] → [8]
    pool_1 = keras.layers.GlobalAveragePooling1D(name="pool_1", trainable=True)(embedding_1)
    # concat_1 (Concatenate): [16] + [8] → [24]
    concat_1 = keras.layers.Concatenate(axis=-1, name="concat_1", trainable=True)([dense_1, pool_1])
    # dense_2 (Dense): [24] → [32], 800 parameters
    dense_2 = keras.layers.Dense(
        units=32,
        activation="relu",
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
        name="dense_2",
        trainable=True,
    )(concat_1)
    # kind_out (Dense): [32] → [3], 99 parameters
    kind_out = keras.layers.Dense(
        units=3,
        activation="linear",
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
        name="kind_out",
        trainable=True,
    )(dense_2)
    # value_out (Dense): [32] → [1], 33 parameters
    value_out = keras.layers.Dense(
        units=1,
        activation="linear",
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
        name="value_out",
        trainable=True,
    )(dense_2)
    return keras.Model(inputs=[numbers, words], outputs=[kind_out, value_out], name="neurowire_model")


def load_trained_weights(model, model_json=MODEL_JSON):
    """Sets the weights the app trained (TensorFlow.js and Keras lay weights out alike), so predictions match."""
    return set_keras_weights(model, TRAINED_WEIGHTS, model_json)


if __name__ == "__main__":
    load_trained_weights(build_model()).summary()
