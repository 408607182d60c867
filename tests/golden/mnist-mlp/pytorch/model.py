"""MNIST MLP: the network designed in Neurowire, as a PyTorch module.

Layer      Kind     Output shape  Parameters
---------  -------  ------------  ----------
input_1    Input    [28, 28, 1]            0
flatten_1  Flatten  [784]                  0
dense_1    Dense    [128]            100,480
dense_2    Dense    [10]               1,290

Total parameters: 101,770 (counted as TensorFlow.js counts them: nw.parameter_count).
Shapes are per sample. Tensors keep TensorFlow.js's layout, batch first and channels last, as the app trains them.
"""
import os

import numpy as np
import torch
import torch.nn as nn

import neurowire_torch as nw
from tfjs_weights import load_tfjs_weights

# The inputs of forward(), in order, with their shapes per sample; the outputs it returns, in order.
INPUTS = ["input_1"]
INPUT_SHAPES = {"input_1": (28, 28, 1)}
OUTPUTS = ["dense_2"]
PARAMETERS = 101770
# The app's trained model, exported beside this folder.
MODEL_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model.json")


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        # dense_1 (Dense): [784] → [128], 100,480 parameters
        self.dense_1 = nn.Linear(784, 128, bias=True)
        # dense_2 (Dense): [128] → [10], 1,290 parameters
        self.dense_2 = nn.Linear(128, 10, bias=True)

    def forward(self, input_1):
        flatten_1 = torch.flatten(input_1, 1)
        dense_1 = torch.relu(self.dense_1(flatten_1))
        dense_2 = torch.softmax(self.dense_2(dense_1), dim=-1)
        return dense_2


def state_dict_from_tfjs(tfjs):
    """The app's trained weights ({tfjs name: array}, from load_tfjs_weights) in this module's layout, as tensors."""
    state = {}
    w = nw.layer_weights(tfjs, "dense_1")
    state["dense_1.weight"] = w("kernel").T
    state["dense_1.bias"] = w("bias")
    w = nw.layer_weights(tfjs, "dense_2")
    state["dense_2.weight"] = w("kernel").T
    state["dense_2.bias"] = w("bias")
    return {name: torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)) for name, value in state.items()}


def load_trained(model_json=MODEL_JSON):
    """The model with the weights the app trained (model.json and weights.bin), in evaluation mode."""
    model = Model()
    missing, unexpected = model.load_state_dict(state_dict_from_tfjs(load_tfjs_weights(model_json)), strict=False)
    # BatchNorm's count of batches seen is PyTorch's own; every other weight comes from the app.
    missing = [name for name in missing if not name.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"the trained weights do not fit the model: missing {missing}, unexpected {unexpected}")
    return model.eval()


if __name__ == "__main__":
    model = load_trained()
    print(model)
    print(f"Total parameters: {nw.parameter_count(model):,} (the app counts {PARAMETERS:,})")
