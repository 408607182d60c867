"""Reads the weights of a TensorFlow.js layers model (model.json + its weight files) into numpy arrays.

Shipped unchanged with every Python project Neurowire exports (PyTorch, Keras): the exported model.json and
weights.bin are the app's own trained weights, and this is the one reader both generated projects use.
"""
import json
import os

import numpy as np

# tfjs weight dtypes and how they are stored (quantized weights carry their own dtype and scale).
_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "float16": np.float16, "uint8": np.uint8, "uint16": np.uint16}


def _read_group(folder, group):
    data = b"".join(open(os.path.join(folder, path), "rb").read() for path in group["paths"])
    offset = 0
    for spec in group["weights"]:
        shape = tuple(spec["shape"])
        count = int(np.prod(shape)) if shape else 1
        quant = spec.get("quantization")
        stored = quant["dtype"] if quant else spec["dtype"]
        dtype = np.dtype(_DTYPES[stored])
        size = count * dtype.itemsize
        if offset + size > len(data):
            raise ValueError(f"weight {spec['name']} ends at byte {offset + size}, past the end of {group['paths']} ({len(data)} bytes)")
        values = np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape)
        offset += size
        if quant:
            if "scale" in quant:  # uint8/uint16 affine quantization
                values = values.astype(np.float32) * quant["scale"] + quant.get("min", 0.0)
            else:  # float16
                values = values.astype(np.float32)
        yield spec["name"], values.copy()


def load_tfjs_weights(model_json_path):
    """All weights of the model as {tfjs weight name: array}, e.g. {"dense_1/kernel": array(784, 128)}."""
    folder = os.path.dirname(os.path.abspath(model_json_path))
    with open(model_json_path, encoding="utf-8") as f:
        model = json.load(f)
    weights = {}
    for group in model.get("weightsManifest", []):
        for name, values in _read_group(folder, group):
            weights[name] = values
    return weights


def set_keras_weights(model, trained_weights, model_json_path):
    """Sets each Keras layer's weights from the tfjs files: trained_weights maps a layer's name to its tfjs weight
    names in the order layer.set_weights takes them (TensorFlow.js and Keras lay weights out alike)."""
    weights = load_tfjs_weights(model_json_path)
    for layer_name, names in trained_weights.items():
        model.get_layer(layer_name).set_weights([weights[name] for name in names])
    return model
