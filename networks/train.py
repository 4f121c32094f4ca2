"""Minibatch training with the optimizers of ``optimizers``: one engine, two uses.

Every array, each W, b and, with batch normalization, each γ and β, is a parameter with its own
optimizer state from the same ``init``/``update`` pair the trajectory runner uses on 2-D surfaces.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import NamedTuple

import numpy as np

from optimizers import OPTIMIZERS, Optimizer
from optimizers.runner import lr_table

from .activations import get_activation
from .blas import one_blas_thread
from .layers import softmax_cross_entropy
from .mlp import (
    BN_EPS,
    MAX_BATCH,
    MAX_DEPTH,
    MAX_WIDTH,
    _check_positive,
    backward,
    check_data,
    check_init,
    check_sizes,
    first_non_finite_layer,
    forward,
    init_batchnorm,
    init_mlp,
    logits,
)

MAX_STEPS = 2000
MAX_DATA = 10_000

# The lab's default run, chosen so that the story shows at a glance: with these, the sigmoid stack
# (Xavier) stays at chance, ln 2, while the ReLU stack (He) fits the spirals, and batch normalization
# brings the sigmoid stack back (tests/networks/test_net_physics.py pins it). SGD with momentum 0.9
# (torch's form) rather than Adam: Adam rescales every weight's step by its own gradient's size and
# so partly hides the vanishing gradient the page is about.
DEFAULTS = {"data": "spirals", "n": 512, "depth": 20, "width": 64, "batch_size": 128, "steps": 300,
            "optimizer": "momentum", "lr": 0.01, "seed": 0}


class TrainResult(NamedTuple):
    loss: np.ndarray  # (steps,) minibatch loss before each update; NaN after divergence
    grad_norms: np.ndarray  # (depth + 1, steps) ‖∂L/∂W_l‖ before each update, input side first
    lr: np.ndarray  # (steps,) the learning rate of each update
    params: list  # the final (W, b) pairs
    batchnorm: list | None  # the final (gamma, beta) pairs, or None
    diverged_at: int  # the first step whose loss or gradient was not finite, -1 where none
    final_loss: float  # loss on the whole data set after training (batch statistics of the whole set)
    accuracy: float  # training-set accuracy after training, likewise
    eval_steps: np.ndarray = np.empty(0, dtype=int)  # (k,) update counts at which the curves were taken
    train_curve: np.ndarray = np.empty(0)  # (k,) loss on the whole training set after that many updates
    test_curve: np.ndarray = np.empty(0)  # (k,) loss on the test split then; NaN without one or after divergence
    test_loss: float = float("nan")  # loss on the test split after training, NaN without one
    test_accuracy: float = float("nan")  # accuracy on the test split after training, likewise
    diverged_layer: int = -1  # where step diverged_at stopped being finite (mlp.first_non_finite_layer), -1 where none


def _check_int(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)


def _optimizer(optimizer) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        return OPTIMIZERS[optimizer].factory()  # UnknownName, a ValueError, lists the valid keys
    raise ValueError("optimizer must be a key of OPTIMIZERS or an optimizer built by one of its factories")


def _batches(rng, n, batch_size, steps):
    """Minibatch indices for every step: shuffled epochs cut in order, the tail of each epoch dropped,
    as torch's DataLoader(shuffle=True, drop_last=True)."""
    per_epoch = n // batch_size
    epochs = -(-steps // per_epoch)
    order = np.concatenate([rng.permutation(n)[: per_epoch * batch_size] for _ in range(epochs)] or [[]])
    return order[: steps * batch_size].reshape(steps, batch_size)


def train(x, y, *, depth=20, width=64, activation="sigmoid", init="xavier", std=1.0, batchnorm=False,
          optimizer="momentum", lr=0.01, steps=300, batch_size=128, seed=0, eps=BN_EPS, test=None, eval_at=(),
          progress: Callable[[int, int], None] | None = None) -> TrainResult:
    """Train an MLP of ``depth`` hidden layers of ``width`` units on (x, y) with minibatches.

    The network is ``init_mlp([x.shape[1], width, ..., width, classes], activation, init, seed, std)``,
    classes = y.max() + 1 (at least 2); with ``batchnorm`` each hidden layer is batch-normalized (γ, β
    trained too). ``optimizer`` is a key of OPTIMIZERS (torch's defaults) or an Optimizer built by a
    factory; ``lr`` a learning rate or a schedule ``step -> lr``. Minibatches are drawn from
    ``np.random.default_rng((seed, 1))``, so two stacks trained with one seed see the same batches.
    ``progress(done, steps)`` is called about a hundred times. Training stops at the first non-finite
    loss or gradient; the rest of ``loss`` and ``grad_norms`` is NaN.

    ``test`` = (x_test, y_test), a held-out split, is evaluated after training (``test_loss``,
    ``test_accuracy``). ``eval_at`` lists update counts (0 to ``steps``; 0 is the initialization) after
    which the loss on the whole training set and on ``test`` is recorded in ``train_curve`` and
    ``test_curve`` (NaN from the step where training diverged on).

    Bounds: depth 0..MAX_DEPTH, width 1..MAX_WIDTH, batch_size 2..MAX_BATCH and at most the data size,
    steps 0..MAX_STEPS, data size at most MAX_DATA.
    """
    depth = _check_int(depth, "depth", 0, MAX_DEPTH)
    width = _check_int(width, "width", 1, MAX_WIDTH)
    batch_size = _check_int(batch_size, "batch_size", 2, MAX_BATCH)
    steps = _check_int(steps, "steps", 0, MAX_STEPS)
    act = get_activation(activation)
    check_init(init)
    eps = _check_positive(eps, "eps")
    opt = _optimizer(optimizer)
    lrs = lr_table(lr, steps)
    x_arr, y_arr = np.asarray(x), np.asarray(y)
    if x_arr.ndim != 2 or y_arr.ndim != 1 or y_arr.dtype.kind not in "iu" or not len(y_arr):
        raise ValueError("x must be a float array (n, features) and y an integer array (n,) of class labels")
    classes = max(int(y_arr.max()) + 1, 2)
    sizes = check_sizes([x_arr.shape[1], *[width] * depth, classes])
    x_arr, y_arr = check_data(x_arr, y_arr, sizes, max_rows=MAX_DATA)
    if batch_size > len(y_arr):
        raise ValueError(f"batch_size {batch_size} is larger than the data set ({len(y_arr)} samples)")
    if test is not None:
        try:
            x_test, y_test = test
        except (TypeError, ValueError):
            raise ValueError("test must be a pair (x_test, y_test)") from None
        test = check_data(x_test, y_test, sizes, max_rows=MAX_DATA)
    marks = _eval_steps(eval_at, steps)
    curves = np.full((2, len(marks)), np.nan)

    params = init_mlp(sizes, activation, init, seed, std)
    bn = init_batchnorm(sizes) if batchnorm else None
    arrays = [a for pair in params + (bn or []) for a in pair]
    states = [opt.init(a) for a in arrays]
    batches = _batches(np.random.default_rng((seed, 1)), len(y_arr), batch_size, steps)
    loss = np.full(steps, np.nan)
    norms = np.full((depth + 1, steps), np.nan)
    diverged_at = diverged_layer = -1
    every = max(1, steps // 100)
    n_weights = 2 * len(params)
    with np.errstate(all="ignore"), one_blas_thread():
        for t in range(steps):
            if t in marks:
                curves[:, marks[t]] = _evaluate(arrays, n_weights, bn, x_arr, y_arr, test, act, eps)
            at = [opt.grad_point(s, a) for s, a in zip(states, arrays, strict=True)] if opt.grad_point else arrays
            p_at = list(zip(at[0:n_weights:2], at[1:n_weights:2], strict=True))
            bn_at = list(zip(at[n_weights::2], at[n_weights + 1::2], strict=True)) if bn else None
            idx = batches[t]
            value, hidden, h_last, ce = forward(p_at, x_arr[idx], y_arr[idx], act, bn_at, eps)
            grads, bn_grads = backward(p_at, act, hidden, h_last, ce, bn_at)
            row = [np.sqrt(np.vdot(dW, dW)) for dW, _ in grads]
            if not (np.isfinite(value) and np.isfinite(row).all()):
                diverged_at = t
                diverged_layer = first_non_finite_layer([layer.act for layer in hidden], value, row)
                break
            loss[t] = value
            norms[:, t] = row
            flat = [g for pair in grads + (bn_grads or []) for g in pair]
            for i, (g, s, a) in enumerate(zip(flat, states, arrays, strict=True)):
                arrays[i], states[i] = opt.update(g, s, a, lrs[t])
            if progress is not None and ((t + 1) % every == 0 or t + 1 == steps):
                progress(t + 1, steps)
        params, bn = _unflatten(arrays, n_weights, bn)
        final, accuracy = _loss_accuracy(params, bn, x_arr, y_arr, act, eps)
        test_loss, test_accuracy = (np.nan, np.nan) if test is None else _loss_accuracy(params, bn, *test, act, eps)
    if diverged_at >= 0:
        curves[:, [i for c, i in marks.items() if c >= diverged_at]] = np.nan
    elif steps in marks:
        curves[:, marks[steps]] = final, test_loss
    return TrainResult(loss, norms, lrs, params, bn, diverged_at, final, accuracy, np.array(sorted(marks), dtype=int),
                       curves[0], curves[1], test_loss, test_accuracy, diverged_layer)


def _eval_steps(eval_at, steps) -> dict[int, int]:
    """{update count: column}, the counts sorted and each checked to lie in 0..steps."""
    try:
        counts = sorted({_check_int(c, "an eval_at entry", 0, steps) for c in eval_at})
    except TypeError:
        raise ValueError(f"eval_at must be a list of update counts from 0 to {steps}, not {eval_at!r}") from None
    return {c: i for i, c in enumerate(counts)}


def _unflatten(arrays, n_weights, bn):
    params = list(zip(arrays[0:n_weights:2], arrays[1:n_weights:2], strict=True))
    return params, (list(zip(arrays[n_weights::2], arrays[n_weights + 1::2], strict=True)) if bn else None)


def _loss_accuracy(params, bn, x, y, act, eps) -> tuple[float, float]:
    """Mean cross-entropy and accuracy on (x, y), batch normalization taking the statistics of x."""
    out = logits(params, x, act, bn, eps)
    loss, _ = softmax_cross_entropy(out, y)
    return float(loss), float(np.mean(out.argmax(axis=1) == y))


def _evaluate(arrays, n_weights, bn, x, y, test, act, eps) -> tuple[float, float]:
    """(training-set loss, test loss or NaN) of the current parameters."""
    params, norms = _unflatten(arrays, n_weights, bn)
    train_loss = _loss_accuracy(params, norms, x, y, act, eps)[0]
    return train_loss, np.nan if test is None else _loss_accuracy(params, norms, *test, act, eps)[0]
