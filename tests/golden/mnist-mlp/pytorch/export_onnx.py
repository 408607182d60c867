"""Writes MNIST MLP with the app's trained weights as an ONNX file (opens in Netron and onnxruntime).

    python3 export_onnx.py [model.onnx]
"""
import sys

import torch

from model import INPUT_SHAPES, INPUTS, OUTPUTS, load_trained


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "model.onnx"
    model = load_trained()
    # One sample of zeros per input (batch first, channels last); the batch axis stays free in the file.
    example = tuple(torch.zeros((1,) + tuple(INPUT_SHAPES[name])) for name in INPUTS)
    batch_axis = {name: {0: "batch"} for name in INPUTS + OUTPUTS}
    torch.onnx.export(model, example, path, input_names=INPUTS, output_names=OUTPUTS, dynamic_axes=batch_axis, opset_version=14)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
