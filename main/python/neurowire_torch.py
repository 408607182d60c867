"""PyTorch layers that compute exactly what TensorFlow.js computes, for the PyTorch projects Neurowire exports.

Shipped unchanged with every exported model.py. Tensors keep TensorFlow.js's layout everywhere: a batch axis first and
channels last ([batch, height, width, channels]), so Flatten, Dense and Concatenate see the values in the order the
app trained them on; the 2-D layers move the channels first around PyTorch's own operation and back.
Recurrent layers are written out step by step so that they keep tfjs's exact parameters (one bias per LSTM gate) and
masks (a padded step leaves the state as it was).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def hard_sigmoid(x):
    # tfjs's hardSigmoid: clip(0.2 x + 0.5, 0, 1) (PyTorch's F.hardsigmoid uses x / 6 + 0.5).
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda x: torch.softmax(x, dim=-1),
    "elu": F.elu,
    "selu": F.selu,
    "softplus": F.softplus,
    "softsign": F.softsign,
    "relu6": lambda x: torch.clamp(x, 0.0, 6.0),
    "swish": lambda x: x * torch.sigmoid(x),
    "mish": lambda x: x * torch.tanh(F.softplus(x)),
    "gelu": F.gelu,
    "hardSigmoid": hard_sigmoid,
}


def activation(name, x):
    """Applies one of the app's activations by its name."""
    return ACTIVATIONS[name](x)


def channels_first(x):
    return x.permute(0, 3, 1, 2)


def channels_last(x):
    return x.permute(0, 2, 3, 1)


class Conv2d(nn.Conv2d):
    """nn.Conv2d on channels-last input. `pad` = (left, right, top, bottom): TensorFlow's 'same' padding puts the odd
    pixel at the bottom and right, which PyTorch's symmetric padding cannot, so the model pads explicitly."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, dilation=1, bias=True, pad=(0, 0, 0, 0)):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, dilation=dilation, bias=bias)
        self.pad = tuple(pad)

    def forward(self, x):
        x = channels_first(x)
        if any(self.pad):
            x = F.pad(x, self.pad)
        return channels_last(super().forward(x))


class ConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d on channels-last input, cut (or padded) to TensorFlow's output size: `crop` = (top, left)
    pixels dropped before the output of `size` (height, width)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, bias=True, crop=(0, 0), size=None):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, bias=bias)
        self.crop = tuple(crop)
        self.size = tuple(size)

    def forward(self, x):
        y = F.conv_transpose2d(channels_first(x), self.weight, None, self.stride)
        (top, left), (height, width) = self.crop, self.size
        short_h, short_w = max(0, top + height - y.shape[2]), max(0, left + width - y.shape[3])
        if short_h or short_w:  # a stride above the kernel size: tfjs's output ends in zeros (before the bias)
            y = F.pad(y, (0, short_w, 0, short_h))
        y = y[:, :, top : top + height, left : left + width]
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return channels_last(y)


class MaxPool2d(nn.Module):
    """Max pooling on channels-last input; `pad` = (left, right, top, bottom) as for Conv2d, padded with -inf."""

    def __init__(self, kernel_size, stride, pad=(0, 0, 0, 0)):
        super().__init__()
        self.kernel_size, self.stride, self.pad = tuple(kernel_size), tuple(stride), tuple(pad)

    def forward(self, x):
        x = channels_first(x)
        if any(self.pad):
            x = F.pad(x, self.pad, value=float("-inf"))
        return channels_last(F.max_pool2d(x, self.kernel_size, self.stride))


class AvgPool2d(nn.Module):
    """Average pooling of whole windows ('valid') on channels-last input."""

    def __init__(self, kernel_size, stride):
        super().__init__()
        self.kernel_size, self.stride = tuple(kernel_size), tuple(stride)

    def forward(self, x):
        return channels_last(F.avg_pool2d(channels_first(x), self.kernel_size, self.stride))


class BatchNorm(nn.modules.batchnorm._BatchNorm):
    """Batch normalization over the last axis (the channels in tfjs's layout), of input of any rank."""

    def _check_input_dim(self, x):
        pass

    def forward(self, x):
        return super().forward(x.movedim(-1, 1)).movedim(1, -1)


def frozen(module, inference=False):
    """A layer frozen in the app (trainable off): its weights take no gradients. With inference, it also runs as at
    prediction time while the model trains, as Keras runs a frozen BatchNormalization: its running statistics are
    used and never updated (model.train() leaves it in eval mode)."""
    module.requires_grad_(False)
    if inference:
        module.train = _train_stays_eval.__get__(module)
        module.eval()
    return module


def _train_stays_eval(self, mode=True):
    return nn.Module.train(self, False)


class Recurrent(nn.Module):
    """An LSTM, GRU or simple RNN as tfjs runs it, in PyTorch's weight layout and gate order.

    weight_ih [gates * units, features] and weight_hh [gates * units, units], gates in PyTorch's order (LSTM: i, f, g, o;
    GRU: r, z, n). bias: one per gate row, as tfjs has; a GRU whose reset gate acts after the recurrent product
    (reset_after) also has bias_hh, as PyTorch's nn.GRU. With a mask (from an Embedding with mask_zero) a masked step
    keeps the previous state and output, as tfjs does.
    """

    GATES = {"lstm": 4, "gru": 3, "rnn": 1}

    def __init__(self, cell, input_size, units, activation="tanh", recurrent_activation="sigmoid", return_sequences=False,
                 return_state=False, reset_after=False, dropout=0.0, recurrent_dropout=0.0):
        super().__init__()
        gates = self.GATES[cell]
        self.cell, self.units, self.reset_after = cell, units, reset_after
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.return_sequences, self.return_state = return_sequences, return_state
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        self.weight_ih = nn.Parameter(torch.empty(gates * units, input_size))
        self.weight_hh = nn.Parameter(torch.empty(gates * units, units))
        self.bias = nn.Parameter(torch.zeros(gates * units))
        self.bias_hh = nn.Parameter(torch.zeros(gates * units)) if reset_after else None
        nn.init.xavier_uniform_(self.weight_ih)
        nn.init.orthogonal_(self.weight_hh)
        if cell == "lstm":  # unit forget bias, as Keras
            with torch.no_grad():
                self.bias[units : 2 * units] = 1.0

    def forward(self, x, mask=None, initial_state=None):
        batch, steps = x.shape[0], x.shape[1]
        states = [torch.zeros(batch, self.units, dtype=x.dtype, device=x.device)] * (2 if self.cell == "lstm" else 1)
        if initial_state is not None:
            states = list(initial_state)
        input_mask = state_mask = None
        if self.training and self.dropout > 0:
            input_mask = F.dropout(torch.ones_like(x[:, 0]), self.dropout, True)
        if self.training and self.recurrent_dropout > 0:
            state_mask = F.dropout(torch.ones_like(states[0]), self.recurrent_dropout, True)
        projected = F.linear(x if input_mask is None else x * input_mask.unsqueeze(1), self.weight_ih, self.bias)
        act, gate = ACTIVATIONS[self.activation], ACTIVATIONS[self.recurrent_activation]
        output = torch.zeros_like(states[0])
        outputs = []
        for t in range(steps):
            h = states[0] if state_mask is None else states[0] * state_mask
            xt = projected[:, t]
            if self.cell == "lstm":
                i, f, g, o = (xt + F.linear(h, self.weight_hh)).chunk(4, dim=1)
                c = gate(f) * states[1] + gate(i) * act(g)
                new = [gate(o) * act(c), c]
            elif self.cell == "gru":
                x_r, x_z, x_n = xt.chunk(3, dim=1)
                if self.reset_after:
                    h_r, h_z, h_n = F.linear(h, self.weight_hh, self.bias_hh).chunk(3, dim=1)
                    r, z = gate(x_r + h_r), gate(x_z + h_z)
                    n = act(x_n + r * h_n)
                else:
                    w_r, w_z, w_n = self.weight_hh.chunk(3, dim=0)
                    r, z = gate(x_r + F.linear(h, w_r)), gate(x_z + F.linear(h, w_z))
                    n = act(x_n + F.linear(r * h, w_n))
                new = [z * states[0] + (1 - z) * n]
            else:
                new = [act(xt + F.linear(h, self.weight_hh))]
            if mask is not None:
                keep = mask[:, t].unsqueeze(1).to(torch.bool)
                new = [torch.where(keep, n, s) for n, s in zip(new, states)]
                output = torch.where(keep, new[0], output)
            else:
                output = new[0]
            states = new
            outputs.append(output)
        result = torch.stack(outputs, dim=1) if self.return_sequences else output
        return (result, *states) if self.return_state else result


def gates(matrix, order):
    """Reorders the gate blocks of a weight along its first axis: tfjs's GRU order z, r, h → PyTorch's r, z, n is [1, 0, 2]."""
    blocks = np.split(matrix, len(order), axis=0)
    return np.concatenate([blocks[i] for i in order], axis=0)


def layer_weights(tfjs, layer):
    """The weights of one tfjs layer by their short name: layer_weights(w, "dense_1")("kernel") is w["dense_1/kernel"].
    A layer inside a wrapper has its weights under its own name, which begins with the wrapper's (td_dense/kernel)."""

    def weight(name):
        exact = f"{layer}/{name}"
        if exact in tfjs:
            return tfjs[exact]
        found = [k for k in tfjs if k.endswith(f"/{name}") and (k.startswith(f"{layer}_") or k.startswith(f"{layer}/"))]
        if len(found) != 1:
            raise KeyError(f"no single tfjs weight '{name}' of layer '{layer}' (found {found or 'none'})")
        return tfjs[found[0]]

    return weight


def parameter_count(model):
    """Parameters as tfjs counts them: the trainable ones plus BatchNormalization's moving mean and variance."""
    stats = sum(b.numel() for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var")))
    return sum(p.numel() for p in model.parameters()) + stats


def seed_everything(seed):
    import random

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def time_distributed(step, x):
    """Applies `step` to every time step of x [batch, time, ...] at once (time folded into the batch axis)."""
    batch, time = x.shape[0], x.shape[1]
    y = step(x.reshape((batch * time,) + tuple(x.shape[2:])))
    return y.reshape((batch, time) + tuple(y.shape[1:]))


def sinusoidal_positions(length, features, max_wavelength):
    """The sinusoidal position table [length, features] of the app's PositionalEmbedding (sin on even, cos on odd features)."""
    position = np.arange(length, dtype=np.float64)[:, None]
    feature = np.arange(features)
    angle = position * np.power(1.0 / max_wavelength, (2 * (feature // 2)) / features)
    return torch.from_numpy(np.where(feature % 2 == 0, np.sin(angle), np.cos(angle)).astype(np.float32))


class PositionalEmbedding(nn.Module):
    """Adds each step's position vector to a sequence [batch, time, features]: learned (a weight [max_length, features])
    or sinusoidal (a fixed table, no weights)."""

    def __init__(self, mode, max_length, features, max_wavelength=10000.0):
        super().__init__()
        self.mode = mode
        if mode == "learned":
            self.embeddings = nn.Parameter(torch.empty(max_length, features))
            nn.init.xavier_uniform_(self.embeddings)
        else:
            self.register_buffer("table", sinusoidal_positions(max_length, features, max_wavelength), persistent=False)

    def forward(self, x):
        positions = self.embeddings if self.mode == "learned" else self.table
        return x + positions[: x.shape[1]]


# Added to the attention logits where attention is not allowed, as Keras's masked softmax does.
MASKED = -1e9


class MultiHeadAttention(nn.Module):
    """Keras's MultiHeadAttention on [batch, time, width] tensors: query/key/value projections per head (nn.Linear over
    heads × size), softmax(q·kᵀ / √key_dim) with an optional causal mask and padding mask, and the output projection."""

    def __init__(self, query_width, value_width, key_width, heads, key_dim, value_dim, output_dim, bias=True, dropout=0.0, causal=False):
        super().__init__()
        self.heads, self.key_dim, self.value_dim, self.causal = heads, key_dim, value_dim, causal
        self.query = nn.Linear(query_width, heads * key_dim, bias=bias)
        self.key = nn.Linear(key_width, heads * key_dim, bias=bias)
        self.value = nn.Linear(value_width, heads * value_dim, bias=bias)
        self.attention_output = nn.Linear(heads * value_dim, output_dim, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, value, key=None, padding=None, return_scores=False):
        key = value if key is None else key
        batch, query_time, value_time = query.shape[0], query.shape[1], value.shape[1]
        split = lambda t, size: t.reshape(batch, t.shape[1], self.heads, size).transpose(1, 2)
        q = split(self.query(query), self.key_dim) * (1.0 / math.sqrt(self.key_dim))
        k = split(self.key(key), self.key_dim)
        v = split(self.value(value), self.value_dim)
        logits = q @ k.transpose(-1, -2)
        if self.causal:
            allowed = torch.ones(query_time, value_time, dtype=torch.bool, device=query.device).tril()
            logits = logits + (~allowed).float() * MASKED
        if padding is not None:
            keep = padding.float()
            logits = logits + (1 - keep[:, None, :, None] * keep[:, None, None, :]) * MASKED
        scores = torch.softmax(logits, dim=-1)
        context = self.dropout(scores) @ v
        output = self.attention_output(context.transpose(1, 2).reshape(batch, query_time, self.heads * self.value_dim))
        return (output, scores) if return_scores else output


def dense_weights(kernel, bias=None, heads_in=False):
    """A Keras attention kernel as nn.Linear's weight: [width, heads, size] → [heads·size, width]; the output projection's
    [heads, size, width] (heads_in) → [width, heads·size]."""
    if heads_in:
        return kernel.reshape(-1, kernel.shape[-1]).T
    return kernel.reshape(kernel.shape[0], -1).T


class TransformerEncoder(nn.Module):
    """The app's TransformerEncoder block: self-attention and a feed-forward network on every step, each added back to
    its input and normalized (after, or before with norm_first), as Keras-NLP's block."""

    def __init__(self, features, heads, key_dim, intermediate, dropout=0.0, activation="relu", norm_first=False, eps=1e-5):
        super().__init__()
        self.activation, self.norm_first = activation, norm_first
        self.self_attention = MultiHeadAttention(features, features, features, heads, key_dim, key_dim, features, True, dropout)
        self.self_attention_norm = nn.LayerNorm(features, eps=eps)
        self.feedforward_norm = nn.LayerNorm(features, eps=eps)
        self.feedforward_intermediate = nn.Linear(features, intermediate)
        self.feedforward_output = nn.Linear(intermediate, features)
        self.dropout = nn.Dropout(dropout)

    def _residual(self, x, norm, body):
        y = norm(x) if self.norm_first else x
        y = self.dropout(body(y)) + x
        return y if self.norm_first else norm(y)

    def forward(self, x, mask=None):
        x = self._residual(x, self.self_attention_norm, lambda y: self.self_attention(y, y, y, padding=mask))
        feed = lambda y: self.feedforward_output(activation(self.activation, self.feedforward_intermediate(y)))
        return self._residual(x, self.feedforward_norm, feed)

