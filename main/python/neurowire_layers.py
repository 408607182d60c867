"""Neurowire's own Keras layers, for the Keras projects the app exports (model.py imports what it uses).

Each class computes what the app's TensorFlow.js class of the same name computes (main/core/layers/custom), with
the same weights in the same order, so the app's trained weights load with `layer.set_weights`.
"""
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="neurowire")
class PositionalEmbedding(keras.layers.Layer):
    """Adds position information to a sequence [batch, time, features]: output = input + positions[0:time].

    mode "learned": a trainable table `embeddings` [max_length, features] (Keras-Hub's PositionEmbedding, added);
    "sinusoidal": the Transformer paper's fixed sin/cos table (Keras-Hub's SinePositionEncoding), no weights.
    """

    def __init__(self, mode="learned", max_length=128, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        if mode not in ("learned", "sinusoidal"):
            raise ValueError(f"{self.name}: mode must be 'learned' or 'sinusoidal', not {mode!r}")
        self.mode = mode
        self.max_length = max_length
        self.max_wavelength = max_wavelength
        # The positions do not change which steps are padding: a mask from an Embedding passes through.
        self.supports_masking = True

    def build(self, input_shape):
        if self.mode == "learned":
            self.embeddings = self.add_weight(name="embeddings", shape=(self.max_length, input_shape[-1]), initializer="glorot_uniform")

    def _sinusoidal(self, time, features):
        # Angle pos / max_wavelength^(2⌊i/2⌋ / features): sin on even features, cos on odd ones.
        positions = ops.cast(ops.arange(time), "float32")[:, None]
        pairs = ops.cast(ops.arange(features) // 2 * 2, "float32")
        timescales = ops.power(1.0 / self.max_wavelength, pairs / features)
        angles = positions * timescales[None, :]
        even = ops.cast(ops.arange(features) % 2 == 0, "float32")
        return even * ops.sin(angles) + (1.0 - even) * ops.cos(angles)

    def call(self, inputs):
        time = ops.shape(inputs)[1]
        features = inputs.shape[-1]
        if self.mode == "sinusoidal":
            positions = self._sinusoidal(time, features)
        else:
            positions = self.embeddings[:time, :]
        return inputs + ops.cast(positions, inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "max_length": self.max_length, "max_wavelength": self.max_wavelength}
