"""Trains an exported PyTorch model with the app's settings, on one process or on several (torchrun).

Shipped unchanged with every exported train.py, which holds only the project's settings and calls
main(SETTINGS, ...). The schedule, optimizers and losses follow what the app computes in TensorFlow.js.

Several processes train one model with DistributedDataParallel (nccl on GPUs, gloo on CPUs): each reads its share of
every epoch (a DistributedSampler) and the gradients are averaged, so every process ends with the same weights.
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


def learning_rate_factor(settings, epoch):
    """The share of the learning rate used in an epoch (0-based), as the app's schedule gives it."""
    schedule = settings["schedule"]
    warmup = schedule["warmup_epochs"]
    if epoch < warmup:
        return (epoch + 1) / (warmup + 1)
    if schedule["type"] == "step":
        return schedule["gamma"] ** (epoch // schedule["step_epochs"])
    if schedule["type"] == "exponential":
        return schedule["gamma"] ** epoch
    if schedule["type"] == "cosine":
        low = schedule["min_learning_rate"] / settings["learning_rate"]
        return low + (1 - low) * (1 + math.cos(math.pi * epoch / max(1, settings["epochs"]))) / 2
    return 1.0


def make_optimizer(settings, parameters):
    # tfjs's defaults where PyTorch's differ (epsilon 1e-7).
    name, rate, momentum = settings["optimizer"], settings["learning_rate"], settings["momentum"]
    if name == "adam":
        return torch.optim.Adam(parameters, lr=rate, eps=1e-7)
    if name == "adamw":
        return torch.optim.AdamW(parameters, lr=rate, eps=1e-7, weight_decay=settings["weight_decay"])
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=rate, momentum=momentum, nesterov=settings["nesterov"])
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=rate, alpha=0.9, eps=1e-7, momentum=momentum)
    return torch.optim.Adagrad(parameters, lr=rate, initial_accumulator_value=0.1)


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


def load_data(folder, max_samples, inputs, outputs):
    """The samples of data/ as one TensorDataset (inputs, then targets, in the model's order) and each target's
    (output index, meta.json part)."""
    if not os.path.exists(os.path.join(folder, "meta.json")):
        raise SystemExit(f"No samples in {folder}: write them with Neurowire's `npm run pytorch-data -- <export folder>`.")
    with open(os.path.join(folder, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    read = lambda part: torch.from_numpy(np.load(os.path.join(folder, part["file"]))[:max_samples])
    arrays = {part["layer"]: read(part) for part in meta["inputs"]}
    targets = {part["layer"]: read(part) for part in meta["targets"]}
    tensors = [arrays[name] for name in inputs] + [targets[name] for name in outputs if name in targets]
    losses = [(outputs.index(part["layer"]), part) for part in meta["targets"]]
    return TensorDataset(*tensors), losses


def weights_digest(model):
    """A digest of every weight, equal on every process when they hold the same model."""
    digest = hashlib.sha256()
    for name, value in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main(settings, model_class, load_trained, inputs, outputs, doc, script):
    """Trains model_class() (or load_trained() with --from-trained) with the settings; `script` is train.py's
    __file__ (data/ and model.pt lie beside it), `doc` its docstring (the --help text)."""
    here = os.path.dirname(os.path.abspath(script))
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(here, "data"), help="folder with meta.json and the .npy files")
    parser.add_argument("--epochs", type=int, default=settings["epochs"])
    parser.add_argument("--max-samples", type=int, default=None, help="train on the first N samples only")
    parser.add_argument("--from-trained", action="store_true", help="start from the app's trained weights")
    parser.add_argument("--out", default=os.path.join(here, "model.pt"), help="where the trained state_dict is saved")
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

    seed = settings["seed"]
    nw.seed_everything(seed)
    dataset, losses = load_data(args.data, args.max_samples, inputs, outputs)
    model = (load_trained() if args.from_trained else model_class()).to(device).train()
    # DistributedDataParallel starts every process from rank 0's weights.
    net = DistributedDataParallel(model) if distributed else model
    sampler = DistributedSampler(dataset, shuffle=True, seed=seed) if distributed else None
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(dataset, batch_size=settings["batch_size"], shuffle=sampler is None, sampler=sampler, generator=generator)
    optimizer = make_optimizer(settings, net.parameters())
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: learning_rate_factor(settings, epoch))

    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        total, count = 0.0, 0
        for batch in loader:
            batch = [t.to(device) for t in batch]
            xs, ys = batch[: len(inputs)], batch[len(inputs) :]
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
