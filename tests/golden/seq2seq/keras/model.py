"""Sequence to sequence: the network, as designed in Neurowire, in tf.keras (Keras 3).

Layer       Kind                    Output shape  Parameters
----------  ----------------------  ------------  ----------
steps       Input                   [8, 3]                 0
encoder     LSTM                    [16]               1,280
decoder     LSTM                    [8, 16]            1,280
attention   MultiHeadAttention      [8, 16]            1,088
pool        GlobalAveragePooling1D  [16]                   0
difference  Subtract                [16]                   0
dense_1     Dense                   [2]                   34

Total parameters: 3,682
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
    "encoder": ["encoder/kernel", "encoder/recurrent_kernel", "encoder/bias"],
    "decoder": ["decoder/kernel", "decoder/recurrent_kernel", "decoder/bias"],
    "attention": [
        "attention/query/kernel",
        "attention/query/bias",
        "attention/key/kernel",
        "attention/key/bias",
        "attention/value/kernel",
        "attention/value/bias",
        "attention/attention_output/kernel",
        "attention/attention_output/bias",
    ],
    "dense_1": ["dense_1/kernel", "dense_1/bias"],
}


def build_model():
    """Builds the network with the functional API, each layer applied to the layers that feed it."""
    # steps (Input): samples of shape [8, 3]
    steps = keras.Input(shape=(8, 3), batch_size=16, dtype="float32", name="steps")
    # encoder (LSTM): [8, 3] → [16], 1,280 parameters
    encoder = keras.layers.LSTM(
        name="encoder",
        trainable=True,
        units=16,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer=keras.initializers.VarianceScaling(
            scale=1,
            mode="fan_avg",
            distribution="truncated_normal",
            seed=None,
        ),
        recurrent_initializer=keras.initializers.Orthogonal(gain=1, seed=None),
        bias_initializer=keras.initializers.Zeros(),
        unit_forget_bias=None,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0,
        recurrent_dropout=0,
        return_sequences=False,
        return_state=True,
        go_backwards=False,
        stateful=False,
        unroll=False,
    )(steps)
    # decoder (LSTM): [8, 3] + [16] + [16] → [8, 16], 1,280 parameters
    decoder = keras.layers.LSTM(
        name="decoder",
        trainable=True,
        units=16,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer=keras.initializers.VarianceScaling(
            scale=1,
            mode="fan_avg",
            distribution="truncated_normal",
            seed=None,
        ),
        recurrent_initializer=keras.initializers.Orthogonal(gain=1, seed=None),
        bias_initializer=keras.initializers.Zeros(),
        unit_forget_bias=None,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0,
        recurrent_dropout=0,
        return_sequences=True,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
    )(steps, initial_state=[encoder[1], encoder[2]])
    # attention (MultiHeadAttention): [8, 16] → [8, 16], 1,088 parameters
    attention = keras.layers.MultiHeadAttention(
        name="attention",
        trainable=True,
        num_heads=2,
        key_dim=8,
        value_dim=None,
        dropout=0,
        use_bias=True,
        output_shape=None,
    )(decoder, decoder, use_causal_mask=False, return_attention_scores=True)
    # pool (GlobalAveragePooling1D): [8, 16] → [16]
    pool = keras.layers.GlobalAveragePooling1D(name="pool", trainable=True)(attention[0])
    # difference (Subtract): [16] + [16] → [16]
    difference = keras.layers.Subtract(name="difference", trainable=True)([pool, encoder[0]])
    # dense_1 (Dense): [16] → [2], 34 parameters
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
    )(difference)
    return keras.Model(inputs=steps, outputs=dense_1, name="neurowire_model")


def load_trained_weights(model, model_json=MODEL_JSON):
    """Sets the weights the app trained (TensorFlow.js and Keras lay weights out alike), so predictions match."""
    return set_keras_weights(model, TRAINED_WEIGHTS, model_json)


if __name__ == "__main__":
    load_trained_weights(build_model()).summary()
