"""MNIST MLP: the network, as designed in Neurowire, in tf.keras (Keras 3).

Layer      Kind     Output shape  Parameters
---------  -------  ------------  ----------
input_1    Input    [28, 28, 1]            0
flatten_1  Flatten  [784]                  0
dense_1    Dense    [128]            100,480
dense_2    Dense    [10]               1,290

Total parameters: 101,770
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
    "dense_2": ["dense_2/kernel", "dense_2/bias"],
}


def build_model():
    """Builds the network with the functional API, each layer applied to the layers that feed it."""
    # input_1 (Input): samples of shape [28, 28, 1]
    input_1 = keras.Input(shape=(28, 28, 1), batch_size=None, dtype="float32", name="input_1")
    # flatten_1 (Flatten): [28, 28, 1] → [784]
    flatten_1 = keras.layers.Flatten(name="flatten_1", trainable=True)(input_1)
    # dense_1 (Dense): [784] → [128], 100,480 parameters
    dense_1 = keras.layers.Dense(
        units=128,
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
    )(flatten_1)
    # dense_2 (Dense): [128] → [10], 1,290 parameters
    dense_2 = keras.layers.Dense(
        units=10,
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
        name="dense_2",
        trainable=True,
    )(dense_1)
    return keras.Model(inputs=input_1, outputs=dense_2, name="neurowire_model")


def load_trained_weights(model, model_json=MODEL_JSON):
    """Sets the weights the app trained (TensorFlow.js and Keras lay weights out alike), so predictions match."""
    return set_keras_weights(model, TRAINED_WEIGHTS, model_json)


if __name__ == "__main__":
    load_trained_weights(build_model()).summary()
