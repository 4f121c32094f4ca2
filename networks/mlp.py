r"""Multilayer perceptrons in NumPy with hand-written backward passes, float64 throughout.

``params`` is a list of ``(W, b)``, W of shape (fan_in, fan_out): the activation follows every hidden
layer, the last layer is linear and feeds a softmax. Batch normalization, when on, sits after each
hidden linear layer and before its activation; its parameters travel beside ``params`` as a list of
``(gamma, beta)``, one pair per hidden layer (``init_batchnorm``), so the plain call of DESIGN.md is
unchanged and each list gets its own gradient list back.

Layers are counted from the input: layer l (1-based) has weights W_l that make hidden layer l, and
layer H + 1 is the output layer. Every function bounds depth, width and batch (``MAX_DEPTH``,
``MAX_WIDTH``, ``MAX_BATCH``) and raises ValueError with a message saying what is valid. Products
run on one BLAS thread (``blas.py`` says why); no NumPy warning escapes.
"""

from __future__ import annotations

import math
from itertools import pairwise
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np

from .activations import get_activation
from .blas import one_blas_thread
from .layers import (
    batchnorm,
    batchnorm_backward,
    linear,
    linear_backward,
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
)

MAX_DEPTH = 60  # hidden layers
MAX_WIDTH = 512  # units in any layer, input and output included
MAX_BATCH = 1024
BN_EPS = 1e-5  # torch.nn.BatchNorm1d's default

INITS = {
    "normal": "N(0, std²), std chosen (torch.nn.init.normal_)",
    "xavier": "Glorot uniform U(-a, a), a = √(6/(fan_in + fan_out)) (torch.nn.init.xavier_uniform_, gain 1)",
    "he": "Kaiming normal N(0, 2/fan_in) (torch.nn.init.kaiming_normal_, mode='fan_in', nonlinearity='relu')",
}


# ---- checks -------------------------------------------------------------------------------------

def check_sizes(sizes) -> list[int]:
    """``sizes`` as a list of ints, or ValueError: 0 to MAX_DEPTH hidden layers, every layer 1 to
    MAX_WIDTH units wide, at least 2 classes at the output."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"sizes must be a list of layer widths such as [2, 64, 64, 2], not {sizes!r}") from None
    if len(sizes) < 2 or not all(isinstance(s, Integral) and not isinstance(s, bool) for s in sizes):
        raise ValueError(f"sizes must be a list of at least two whole numbers such as [2, 64, 64, 2], not {sizes!r}")
    sizes = [int(s) for s in sizes]
    if len(sizes) - 2 > MAX_DEPTH:
        raise ValueError(f"at most {MAX_DEPTH} hidden layers, not {len(sizes) - 2}")
    if not all(1 <= s <= MAX_WIDTH for s in sizes):
        raise ValueError(f"every layer must have 1 to {MAX_WIDTH} units; sizes were {sizes}")
    if sizes[-1] < 2:
        raise ValueError(f"the output layer needs at least 2 classes, not {sizes[-1]}")
    return sizes


def check_init(init) -> str:
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"unknown init {init!r}; valid inits are: {', '.join(INITS)}")
    return init


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a number above 0, not {value!r}")
    return float(value)


def check_params(params) -> list[int]:
    """The layer sizes of ``params``, or ValueError if it is not a chain of (W, b) float pairs."""
    if not isinstance(params, (list, tuple)) or not params:
        raise ValueError("params must be a non-empty list of (W, b) pairs, as init_mlp returns")
    sizes = []
    for l, pair in enumerate(params, 1):
        try:
            W, b = pair
        except (TypeError, ValueError):
            raise ValueError(f"params[{l - 1}] must be a pair (W, b)") from None
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],) or W.dtype != np.float64 or b.dtype != np.float64:
            raise ValueError(f"layer {l}: W must be a float64 array (fan_in, fan_out) and b (fan_out,); "
                             f"got {W.dtype} {W.shape} and {b.dtype} {b.shape}")
        if sizes and W.shape[0] != sizes[-1]:
            raise ValueError(f"layer {l}: W has {W.shape[0]} inputs but layer {l - 1} has {sizes[-1]} units")
        if not sizes:
            sizes.append(W.shape[0])
        sizes.append(W.shape[1])
    return check_sizes(sizes)


def check_batchnorm(bn, sizes) -> None:
    hidden = sizes[1:-1]
    if not isinstance(bn, (list, tuple)) or len(bn) != len(hidden):
        raise ValueError(f"batchnorm must be a list of {len(hidden)} (gamma, beta) pairs, one per hidden layer, "
                         "as init_batchnorm returns")
    for l, (pair, width) in enumerate(zip(bn, hidden, strict=True), 1):
        try:
            gamma, beta = pair
        except (TypeError, ValueError):
            raise ValueError(f"batchnorm[{l - 1}] must be a pair (gamma, beta)") from None
        for name, v in (("gamma", gamma), ("beta", beta)):
            v = np.asarray(v)
            if v.shape != (width,) or v.dtype != np.float64:
                raise ValueError(f"hidden layer {l}: {name} must be a float64 array of shape ({width},), "
                                 f"not {v.dtype} {v.shape}")


def check_data(x, y, sizes, batchnorm_on=False, max_rows=MAX_BATCH):
    """``x`` (B, sizes[0]) finite floats and ``y`` (B,) labels in [0, classes), as arrays."""
    x = np.asarray(x, dtype=float) if np.asarray(x).dtype.kind in "iuf" else None
    if x is None or x.ndim != 2 or x.shape[1] != sizes[0]:
        raise ValueError(f"x must be a float array of shape (batch, {sizes[0]})")
    rows = x.shape[0]
    if not 1 <= rows <= max_rows:
        raise ValueError(f"the batch must have 1 to {max_rows} samples, not {rows}")
    if batchnorm_on and rows < 2:
        raise ValueError("batch normalization needs at least 2 samples in the batch")
    if not np.isfinite(x).all():
        raise ValueError("x must be finite")
    y = np.asarray(y)
    if y.shape != (rows,) or y.dtype.kind not in "iu":
        raise ValueError(f"y must be an integer array of shape ({rows},), the class of each sample")
    if rows and (y.min() < 0 or y.max() >= sizes[-1]):
        raise ValueError(f"labels must lie in 0 .. {sizes[-1] - 1}")
    return x, y.astype(np.intp)


# ---- initialization -----------------------------------------------------------------------------

def _weights(rng, fan_in, fan_out, init, std):
    if init == "xavier":
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=(fan_in, fan_out))
    scale = std if init == "normal" else math.sqrt(2.0 / fan_in)
    return rng.standard_normal((fan_in, fan_out)) * scale


def init_mlp(sizes, activation="sigmoid", init="xavier", seed=0, std=1.0):
    """A list of (W, b), W of shape (fan_in, fan_out) drawn as torch.nn.init draws it, b zero.

    init: "normal" N(0, std²) (torch's ``normal_``, std 1 by default); "xavier" Glorot *uniform*,
    U(-a, a) with a = √(6/(fan_in + fan_out)) (``xavier_uniform_``, gain 1); "he" Kaiming *normal*,
    N(0, 2/fan_in) (``kaiming_normal_`` with mode="fan_in", nonlinearity="relu"). ``std`` is used only
    by "normal". ``activation`` is checked but changes no formula: the gains are torch's defaults, so
    that initialization and activation can be varied apart, as the lab does. Biases start at 0
    (torch's Linear draws them; a lab wants them out of the picture). Seeded with
    ``np.random.default_rng(seed)``, layers drawn in order.
    """
    sizes = check_sizes(sizes)
    get_activation(activation)
    check_init(init)
    std = _check_positive(std, "std")
    rng = np.random.default_rng(seed)
    return [(_weights(rng, i, o, init, std), np.zeros(o)) for i, o in pairwise(sizes)]


def init_batchnorm(sizes):
    """One (gamma, beta) per hidden layer, γ = 1 and β = 0 as torch.nn.BatchNorm1d starts."""
    sizes = check_sizes(sizes)
    return [(np.ones(w), np.zeros(w)) for w in sizes[1:-1]]


# ---- forward and backward -----------------------------------------------------------------------

class Hidden(NamedTuple):
    """What the forward pass keeps of one hidden layer."""

    inputs: np.ndarray  # h_{l-1}, (B, fan_in)
    pre: np.ndarray  # z_l, the activation's input (after batch normalization when it is on)
    bn: tuple | None  # batch normalization's cache
    act: np.ndarray  # h_l = f(z_l)


def forward(params, x, y, act, bn=None, eps=BN_EPS):
    """Unchecked forward pass: (loss, hidden layers, last hidden output, cross-entropy cache)."""
    h = x
    hidden = []
    for l, (W, b) in enumerate(params[:-1]):
        z = linear(h, W, b)
        cache = None
        if bn is not None:
            z, cache = batchnorm(z, bn[l][0], bn[l][1], eps)
        a = act.forward(z)
        hidden.append(Hidden(h, z, cache, a))
        h = a
    loss, ce = softmax_cross_entropy(linear(h, *params[-1]), y)
    return loss, hidden, h, ce


def logits(params, x, act, bn=None, eps=BN_EPS):
    """Unchecked forward pass that keeps nothing: the output layer's values, for evaluation on many
    samples at once (batch normalization still takes the statistics of ``x``, as in training)."""
    h = x
    for l, (W, b) in enumerate(params[:-1]):
        z = linear(h, W, b)
        if bn is not None:
            z, _ = batchnorm(z, bn[l][0], bn[l][1], eps)
        h = act.forward(z)
    return linear(h, *params[-1])


def backward(params, act, hidden, h_last, ce, bn=None):
    """Unchecked backward pass: (grads, bn_grads or None), each a list of pairs."""
    depth = len(hidden)
    grads = [None] * (depth + 1)
    bn_grads = [None] * depth if bn is not None else None
    dh, dW, db = linear_backward(h_last, params[-1][0], softmax_cross_entropy_backward(ce), need_dx=depth > 0)
    grads[-1] = (dW, db)
    for l in reversed(range(depth)):
        layer = hidden[l]
        dz = act.backward(layer.pre, layer.act, dh)
        if bn is not None:
            dz, dgamma, dbeta = batchnorm_backward(layer.bn, bn[l][0], dz)
            bn_grads[l] = (dgamma, dbeta)
        dh, dW, db = linear_backward(layer.inputs, params[l][0], dz, need_dx=l > 0)
        grads[l] = (dW, db)
    return grads, bn_grads


def _prepare(params, x, y, activation, batchnorm, eps):
    sizes = check_params(params)
    act = get_activation(activation)
    if batchnorm is not None:
        check_batchnorm(batchnorm, sizes)
        eps = _check_positive(eps, "eps")
    x, y = check_data(x, y, sizes, batchnorm_on=batchnorm is not None)
    return act, x, y, eps


def loss_and_grads(params, x, y, activation="sigmoid", batchnorm=None, eps=BN_EPS):
    """Mean softmax cross-entropy of the network on (x, y), and its gradients.

    Returns ``(loss, grads)``, grads a list of (dW, db) with the shapes of ``params``; with
    ``batchnorm`` (a list of (gamma, beta) from ``init_batchnorm``) it returns
    ``(loss, grads, bn_grads)``, bn_grads a list of (dgamma, dbeta): one gradient list for each
    parameter list passed. Batch normalization runs in training mode with ε = ``eps``.
    x: (B, fan_in) floats, y: (B,) integer labels, B at most MAX_BATCH.
    """
    act, x, y, eps = _prepare(params, x, y, activation, batchnorm, eps)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), one_blas_thread():
        loss, hidden, h_last, ce = forward(params, x, y, act, batchnorm, eps)
        grads, bn_grads = backward(params, act, hidden, h_last, ce, batchnorm)
    loss = float(loss)
    return (loss, grads) if batchnorm is None else (loss, grads, bn_grads)


# ---- diagnostics --------------------------------------------------------------------------------

SATURATION = 0.01  # a unit passes (almost) no gradient where f'(z) is below this fraction of f's peak slope
RECTIFIERS = ("relu", "leaky_relu", "elu", "gelu")  # they die (no gradient on any example); the others saturate


class UnitHealth(NamedTuple):
    """How many units of a stack pass no gradient back, in the measure that fits its activation."""

    kind: str  # "dead" (rectifiers) or "saturated" (sigmoid, tanh)
    share: np.ndarray  # (H,) per hidden layer, first to last
    rule: str  # the definition in a few words, for a figure's title


class LayerStats(NamedTuple):
    loss: float
    grad_norms: np.ndarray  # (H + 1,) ‖∂L/∂W_l‖ (Frobenius), layer 1 (input side) to H + 1 (output)
    pre: list  # H arrays (B, width): each hidden layer's activation input z_l (after BN when on)
    act: list  # H arrays (B, width): each hidden layer's output f(z_l)
    saturated: np.ndarray  # (H,) fraction of (sample, unit) with f'(z) < 1% of f's peak slope
    dead: np.ndarray  # (H,) fraction of units saturated on every sample of the batch (dead ReLUs)
    health: UnitHealth | None = None  # ``unit_health`` of the stack: dead for rectifiers, saturated otherwise


def no_gradient(pre, act_out, activation) -> np.ndarray:
    """Where f'(z) < SATURATION × (f's peak slope): boolean, the shape of ``pre``. For the sigmoid σ' < 0.0025
    (σ outside about 0.0025…0.9975), for tanh tanh' < 0.01 (|tanh z| > 0.995), for ReLU z ≤ 0 (output 0);
    never for leaky ReLU (its slope 0.01 is not below 1% of 1)."""
    act = get_activation(activation)
    with np.errstate(all="ignore"):
        return act.backward(np.asarray(pre, float), np.asarray(act_out, float), 1.0) < SATURATION * act.peak


def saturated_share(pre, act_out, activation) -> float:
    r"""The fraction of (example, unit) entries of one layer that are saturated: f'(z) < 1% of f's peak,
    :math:`\frac{1}{BN}\sum_{i,j} [f'(z_{ij}) < 0.01 \max f']` over B examples and N units."""
    return _saturated(no_gradient(pre, act_out, activation))


def dead_share(pre, act_out, activation) -> float:
    r"""The fraction of one layer's units that are dead on the batch: f'(z) < 1% of f's peak on *every*
    example, :math:`\frac{1}{N}\sum_j \prod_i [f'(z_{ij}) < 0.01 \max f']`. For ReLU a dead unit outputs 0
    for every example (z ≤ 0 on all of them), so no gradient reaches its weights; a unit that is 0 on half
    the examples, as every ReLU is at a healthy initialization, is alive."""
    return _dead(no_gradient(pre, act_out, activation))


def _saturated(flat: np.ndarray) -> float:
    return float(np.mean(flat))


def _dead(flat: np.ndarray) -> float:
    return float(np.mean(flat.all(axis=0)))


def _shares(pre: list, act: list, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Per hidden layer, ``saturated_share`` and ``dead_share``, from one ``no_gradient`` mask each."""
    flat = [no_gradient(z, a, key) for z, a in zip(pre, act, strict=True)]
    return np.array([_saturated(f) for f in flat]), np.array([_dead(f) for f in flat])


def unit_health(pre: list, act: list, activation, shares=None) -> UnitHealth:
    """Per hidden layer, dead units (``dead_share``) for a rectifier stack, saturated entries
    (``saturated_share``) for a sigmoid or tanh stack, with the rule in words. ``shares``: the
    (saturated, dead) arrays where they are at hand already."""
    key = get_activation(activation).key
    batch = len(pre[0]) if pre else 0
    saturated, dead = shares if shares is not None else _shares(pre, act, key)
    if key in RECTIFIERS:
        zero = "output 0" if key == "relu" else "f′ < 1% of its peak"
        return UnitHealth("dead", dead, f"{zero} on all {batch} examples")
    return UnitHealth("saturated", saturated, "σ′ < 0.0025" if key == "sigmoid" else "tanh′ < 0.01, |tanh| > 0.995")


def layer_stats(params, x, y, activation="sigmoid", batchnorm=None, eps=BN_EPS) -> LayerStats:
    """Per-layer diagnostics for the page, from one forward and backward pass on (x, y).

    ``saturated`` is, per hidden layer, ``saturated_share`` (for the sigmoid the fraction of outputs pinned
    near 0 or 1, σ' < 0.0025; for ReLU the fraction of zero outputs, z <= 0; leaky ReLU never saturates);
    ``dead`` is ``dead_share``, units for which that holds on the whole batch; ``health`` the one of the two
    that fits the activation (``unit_health``).
    """
    act, x, y, eps = _prepare(params, x, y, activation, batchnorm, eps)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), one_blas_thread():
        loss, hidden, h_last, ce = forward(params, x, y, act, batchnorm, eps)
        grads, _ = backward(params, act, hidden, h_last, ce, batchnorm)
    pre, out = [layer.pre for layer in hidden], [layer.act for layer in hidden]
    saturated, dead = _shares(pre, out, act.key)
    return LayerStats(float(loss), weight_grad_norms(grads), pre, out, saturated, dead,
                      unit_health(pre, out, act.key, (saturated, dead)))


def first_non_finite_layer(acts, loss, grad_norms) -> int:
    """Where a forward and backward pass stopped being finite, as a layer l (1 = next to the input): the
    first hidden layer whose output ``acts[l - 1]`` holds a value that is not finite; else H + 1, the
    output layer, when ``loss`` is not finite; else the layer nearest the output whose ‖∂L/∂W_l‖ is not
    finite (the first the backward pass reached); 0 when everything is finite."""
    for l, a in enumerate(acts, 1):
        if not np.isfinite(a).all():
            return l
    if not np.isfinite(loss):
        return len(acts) + 1
    bad = np.flatnonzero(~np.isfinite(np.asarray(grad_norms, float)))
    return int(bad[-1]) + 1 if bad.size else 0


def weight_grad_norms(grads) -> np.ndarray:
    """‖∂L/∂W_l‖ (Frobenius) of every layer, input side first."""
    return np.array([math.sqrt(float(np.vdot(dW, dW))) for dW, _ in grads])


def first_last_ratio(grad_norms) -> float:
    """‖∂L/∂W_2‖ / ‖∂L/∂W_H‖, the first hidden layer's gradient against the last one's, measured on
    the first and last hidden-to-hidden weight matrices: W_2, which hidden layer 1 feeds, and W_H,
    which makes hidden layer H. Both are width × width and see inputs of the same kind, so the
    ratio measures only the H - 2 backward steps between them. W_1 is left out because its input is
    the data (2 coordinates against `width` units), which scales its norm by about √(2/width) and
    by the data's scale; the output layer because no activation derivative lies between it and the
    loss. Needs at least 2 hidden layers (then it is 1)."""
    grad_norms = np.asarray(grad_norms, dtype=float)
    if grad_norms.ndim != 1 or grad_norms.size < 3:
        raise ValueError("the ratio needs the gradient norms of at least 2 hidden layers and the output layer")
    return float(grad_norms[1] / grad_norms[-2])
