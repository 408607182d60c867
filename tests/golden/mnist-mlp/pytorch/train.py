"""Trains MNIST MLP with PyTorch, with the app's settings, on one process or on several.

    python3 train.py                                   # one process (a GPU when there is one)
    torchrun --standalone --nproc_per_node 2 train.py  # two processes on this machine
    torchrun --nnodes 2 --nproc_per_node 4 --rdzv_backend c10d --rdzv_endpoint HOST:29500 train.py  # on each of two machines

(PyTorch 2 also spells the options --nproc-per-node, --rdzv-endpoint; 1.x knows only the underscores. Debian's
PyTorch 1.13 on Python 3.11 also needs --redirects 2 --tee 2: its torchrun cannot read its own defaults there.)

Several processes train one model with DistributedDataParallel (nccl on GPUs, gloo on CPUs): each reads its share of
every epoch (a DistributedSampler) and the gradients are averaged, so every process ends with the same weights.

The data: data/meta.json names the .npy file of every input and target and each target's loss, as the app trains it
(batch first, channels last); Neurowire writes them (`npm run pytorch-data -- <export folder>`). --from-trained starts
from the app's weights instead of fresh ones. The training itself is Neurowire's, in neurowire_torch_train.py.
"""
import neurowire_torch_train as nw_train
from model import INPUTS, OUTPUTS, Model, load_trained

# The app's training settings.
SETTINGS = {
    "epochs": 2,
    "batch_size": 32,
    "learning_rate": 0.001,
    "optimizer": "adam",
    "momentum": 0,
    "nesterov": False,
    "weight_decay": 0,
    "schedule": {
        "type": "constant",
        "step_epochs": 10,
        "gamma": 0.5,
        "warmup_epochs": 0,
        "min_learning_rate": 0,
    },
    "seed": 42,
}


if __name__ == "__main__":
    nw_train.main(SETTINGS, Model, load_trained, INPUTS, OUTPUTS, doc=__doc__, script=__file__)
