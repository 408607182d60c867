"""Trains MNIST convolutional autoencoder with PyTorch, with the app's settings, on one process or on several.

    python3 train.py                                   # one process (a GPU when there is one)
    torchrun --standalone --nproc_per_node 2 train.py  # two processes on this machine
    torchrun --nnodes 2 --nproc_per_node 4 --rdzv_backend c10d --rdzv_endpoint HOST:29500 train.py  # on each of two machines

(PyTorch 2 also spells the options --nproc-per-node, --rdzv-endpoint; 1.x knows only the underscores. Debian's
PyTorch 1.13 on Python 3.11 also needs --redirects 2 --tee 2: its torchrun cannot read its own defaults there.)

Several processes train one model with DistributedDataParallel (nccl on GPUs, gloo on CPUs): each reads its share of
every epoch (a DistributedSampler) and the gradients are averaged, so every process ends with the same weights.

The data: data/meta.json names the .npy file of every input and target and each target's loss, as the app trains it
(batch first, channels last); Neurowire writes them (`npm run pytorch-data -- <export folder>`). --from-trained starts
from the app's weights instead of fresh ones.
"""
import argparse
import hashlib
import json
import math
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

import neurowire_torch as nw
from model import INPUTS, OUTPUTS, Model, load_trained

# The app's training settings.
EPOCHS = 2
BATCH_SIZE = 32
LEARNING_RATE = 0.003
OPTIMIZER = "adam"
MOMENTUM = 0
NESTEROV = False
WEIGHT_DECAY = 0
SCHEDULE = "constant"
STEP_EPOCHS, GAMMA, WARMUP_EPOCHS, MIN_LEARNING_RATE = 10, 0.5, 0, 0
SEED = 42
HERE = os.path.dirname(os.path.abspath(__file__))


def learning_rate_factor(epoch):
    """The share of LEARNING_RATE used in an epoch (0-based), as the app's schedule gives it."""
    if epoch < WARMUP_EPOCHS:
        return (epoch + 1) / (WARMUP_EPOCHS + 1)
    if SCHEDULE == "step":
        return GAMMA ** (epoch // STEP_EPOCHS)
    if SCHEDULE == "exponential":
        return GAMMA ** epoch
    if SCHEDULE == "cosine":
        low = MIN_LEARNING_RATE / LEARNING_RATE
        return low + (1 - low) * (1 + math.cos(math.pi * epoch / max(1, EPOCHS))) / 2
    return 1.0


def make_optimizer(parameters):
    # tfjs's defaults where PyTorch's differ (epsilon 1e-7).
    if OPTIMIZER == "adam":
        return torch.optim.Adam(parameters, lr=LEARNING_RATE, eps=1e-7)
    if OPTIMIZER == "adamw":
        return torch.optim.AdamW(parameters, lr=LEARNING_RATE, eps=1e-7, weight_decay=WEIGHT_DECAY)
    if OPTIMIZER == "sgd":
        return torch.optim.SGD(parameters, lr=LEARNING_RATE, momentum=MOMENTUM, nesterov=NESTEROV)
    if OPTIMIZER == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=LEARNING_RATE, alpha=0.9, eps=1e-7, momentum=MOMENTUM)
    return torch.optim.Adagrad(parameters, lr=LEARNING_RATE, initial_accumulator_value=0.1)


def target_loss(loss, prediction, target, from_logits):
    """One target's loss, as the app computes it (its predictions are probabilities unless from_logits)."""
    if loss == "categoricalCrossentropy":
        labels = target.long().reshape(-1)
        return F.cross_entropy(prediction, labels) if from_logits else F.nll_loss(torch.log(prediction.clamp_min(1e-7)), labels)
    target = target.reshape(prediction.shape).float()
    if loss == "binaryCrossentropy":
        if from_logits:
            return F.binary_cross_entropy_with_logits(prediction, target)
        return F.binary_cross_entropy(prediction.clamp(1e-7, 1 - 1e-7), target)
    return F.mse_loss(prediction, target)


def load_data(folder, max_samples):
    if not os.path.exists(os.path.join(folder, "meta.json")):
        raise SystemExit(f"No samples in {folder}: write them with Neurowire's `npm run pytorch-data -- <export folder>`.")
    with open(os.path.join(folder, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    read = lambda part: torch.from_numpy(np.load(os.path.join(folder, part["file"]))[:max_samples])
    inputs = {part["layer"]: read(part) for part in meta["inputs"]}
    targets = {part["layer"]: read(part) for part in meta["targets"]}
    tensors = [inputs[name] for name in INPUTS] + [targets[name] for name in OUTPUTS if name in targets]
    losses = [(OUTPUTS.index(part["layer"]), part) for part in meta["targets"]]
    return TensorDataset(*tensors), losses


def weights_digest(model):
    """A digest of every weight, equal on every process when they hold the same model."""
    digest = hashlib.sha256()
    for name, value in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "data"), help="folder with meta.json and the .npy files")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--max-samples", type=int, default=None, help="train on the first N samples only")
    parser.add_argument("--from-trained", action="store_true", help="start from the app's trained weights")
    parser.add_argument("--out", default=os.path.join(HERE, "model.pt"), help="where the trained state_dict is saved")
    args = parser.parse_args()

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")

    nw.seed_everything(SEED)
    dataset, losses = load_data(args.data, args.max_samples)
    model = (load_trained() if args.from_trained else Model()).to(device).train()
    # DistributedDataParallel starts every process from rank 0's weights.
    net = DistributedDataParallel(model) if distributed else model
    sampler = DistributedSampler(dataset, shuffle=True, seed=SEED) if distributed else None
    generator = torch.Generator().manual_seed(SEED)
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=sampler is None, sampler=sampler, generator=generator)
    optimizer = make_optimizer(net.parameters())
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, learning_rate_factor)

    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        total, count = 0.0, 0
        for batch in loader:
            batch = [t.to(device) for t in batch]
            xs, ys = batch[: len(INPUTS)], batch[len(INPUTS) :]
            predictions = net(*xs)
            predictions = predictions if isinstance(predictions, tuple) else (predictions,)
            loss = sum(part.get("lossWeight", 1.0) * target_loss(part["loss"], predictions[index], y, part.get("fromLogits", False))
                       for (index, part), y in zip(losses, ys))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xs[0])
            count += len(xs[0])
        scheduler.step()
        print(f"rank {rank} epoch {epoch + 1}/{args.epochs} loss {total / max(1, count):.4f}", flush=True)

    print(f"rank {rank} weights sha256 {weights_digest(model)}", flush=True)
    if rank == 0:
        torch.save(model.state_dict(), args.out)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
