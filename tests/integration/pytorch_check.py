"""Checks an exported PyTorch project against the app: run by pytorch-export.test.ts with the export folder.

Loads pytorch/model.py with the app's trained weights, predicts the samples in check/ (x_<i>.npy, one per input) and
compares with the app's predictions (expected_<j>.npy, one per output); writes the ONNX file with export_onnx.py and
has onnx's checker read it. Prints one JSON line.
"""
import json
import os
import sys

import numpy as np
import torch

export = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(export, "pytorch"))
import export_onnx  # noqa: E402
import model as exported  # noqa: E402
import neurowire_torch as nw  # noqa: E402

net = exported.load_trained()
check = os.path.join(export, "check")
xs = [torch.from_numpy(np.load(os.path.join(check, f"x_{i}.npy"))) for i in range(len(exported.INPUTS))]
with torch.no_grad():
    out = net(*xs)
out = out if isinstance(out, tuple) else (out,)
diffs = [float(np.abs(o.numpy() - np.load(os.path.join(check, f"expected_{j}.npy"))).max()) for j, o in enumerate(out)]

onnx_path = os.path.join(check, "model.onnx")
sys.argv = ["export_onnx.py", onnx_path]
export_onnx.main()
import onnx  # noqa: E402

onnx.checker.check_model(onnx.load(onnx_path))
print("RESULT " + json.dumps({"parameters": nw.parameter_count(net), "declared": exported.PARAMETERS, "maxDiff": diffs, "onnxBytes": os.path.getsize(onnx_path)}))
