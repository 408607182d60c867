"""MNIST convolutional autoencoder: the network designed in Neurowire, as a PyTorch module.

Layer               Kind             Output shape  Parameters
------------------  ---------------  ------------  ----------
input_1             Input            [28, 28, 1]            0
conv2d_1            Conv2D           [28, 28, 8]           80
max_pooling2d_1     MaxPooling2D     [14, 14, 8]            0
conv2d_2            Conv2D           [14, 14, 4]          292
max_pooling2d_2     MaxPooling2D     [7, 7, 4]              0
conv2d_transpose_1  Conv2DTranspose  [14, 14, 4]          148
up_sampling2d_1     UpSampling2D     [28, 28, 4]            0
conv2d_3            Conv2D           [28, 28, 1]           37

Total parameters: 557 (counted as TensorFlow.js counts them: nw.parameter_count).
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
OUTPUTS = ["conv2d_3"]
PARAMETERS = 557
# The app's trained model, exported beside this folder.
MODEL_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model.json")


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        # conv2d_1 (Conv2D): [28, 28, 1] → [28, 28, 8], 80 parameters
        self.conv2d_1 = nw.Conv2d(1, 8, (3, 3), stride=(1, 1), dilation=(1, 1), bias=True, pad=(1, 1, 1, 1))
        # max_pooling2d_1 (MaxPooling2D): [28, 28, 8] → [14, 14, 8]
        self.max_pooling2d_1 = nw.MaxPool2d((2, 2), (2, 2), pad=(0, 0, 0, 0))
        # conv2d_2 (Conv2D): [14, 14, 8] → [14, 14, 4], 292 parameters
        self.conv2d_2 = nw.Conv2d(8, 4, (3, 3), stride=(1, 1), dilation=(1, 1), bias=True, pad=(1, 1, 1, 1))
        # max_pooling2d_2 (MaxPooling2D): [14, 14, 4] → [7, 7, 4]
        self.max_pooling2d_2 = nw.MaxPool2d((2, 2), (2, 2), pad=(0, 0, 0, 0))
        # conv2d_transpose_1 (Conv2DTranspose): [7, 7, 4] → [14, 14, 4], 148 parameters
        self.conv2d_transpose_1 = nw.ConvTranspose2d(4, 4, (3, 3), stride=(2, 2), bias=True, crop=(0, 0), size=(14, 14))
        # conv2d_3 (Conv2D): [28, 28, 4] → [28, 28, 1], 37 parameters
        self.conv2d_3 = nw.Conv2d(4, 1, (3, 3), stride=(1, 1), dilation=(1, 1), bias=True, pad=(1, 1, 1, 1))

    def forward(self, input_1):
        conv2d_1 = torch.relu(self.conv2d_1(input_1))
        max_pooling2d_1 = self.max_pooling2d_1(conv2d_1)
        conv2d_2 = torch.relu(self.conv2d_2(max_pooling2d_1))
        max_pooling2d_2 = self.max_pooling2d_2(conv2d_2)
        conv2d_transpose_1 = torch.relu(self.conv2d_transpose_1(max_pooling2d_2))
        up_sampling2d_1 = conv2d_transpose_1.repeat_interleave(2, dim=1).repeat_interleave(2, dim=2)
        conv2d_3 = torch.sigmoid(self.conv2d_3(up_sampling2d_1))
        return conv2d_3


def state_dict_from_tfjs(tfjs):
    """The app's trained weights ({tfjs name: array}, from load_tfjs_weights) in this module's layout, as tensors."""
    state = {}
    w = nw.layer_weights(tfjs, "conv2d_1")
    state["conv2d_1.weight"] = w("kernel").transpose(3, 2, 0, 1)
    state["conv2d_1.bias"] = w("bias")
    w = nw.layer_weights(tfjs, "conv2d_2")
    state["conv2d_2.weight"] = w("kernel").transpose(3, 2, 0, 1)
    state["conv2d_2.bias"] = w("bias")
    w = nw.layer_weights(tfjs, "conv2d_transpose_1")
    state["conv2d_transpose_1.weight"] = w("kernel").transpose(3, 2, 0, 1)
    state["conv2d_transpose_1.bias"] = w("bias")
    w = nw.layer_weights(tfjs, "conv2d_3")
    state["conv2d_3.weight"] = w("kernel").transpose(3, 2, 0, 1)
    state["conv2d_3.bias"] = w("bias")
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
