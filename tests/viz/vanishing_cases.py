"""A small vanishing-gradient lab shared by the tests of its Plotly and matplotlib figures, with every
quantity the figures claim to show computed here from the network's own parameters, independently of
``networks.layer_stats`` and of the figure helpers: each layer's ‖∂L/∂W‖ from ``loss_and_grads``, the
hidden layers' activations by a forward pass written out in NumPy, their histograms, saturated
shares and dead units, and the log-norms during training."""

from __future__ import annotations

import numpy as np

import networks

STACKS = {"A: sigmoid, xavier": ("sigmoid", "xavier"), "B: relu, he": ("relu", "he")}
DEPTH, WIDTH, BATCH, STEPS = 6, 16, 64, 30
BINS = 40
ACTIVATE = {"sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0.0)}


def frobenius_norms(params, x, y, act) -> np.ndarray:
    """‖∂L/∂W_l‖ for l = 1 (next to the input) … H + 1 (the output layer)."""
    _, grads = networks.loss_and_grads(params, x, y, act)
    return np.array([np.sqrt(np.sum(dW * dW)) for dW, _ in grads])


def hidden_layers(params, x, act) -> list[tuple[np.ndarray, np.ndarray]]:
    """(z_l, h_l) of every hidden layer, first to last."""
    out, h = [], x
    for W, b in params[:-1]:
        z = h @ W + b
        h = ACTIVATE[act](z)
        out.append((z, h))
    return out


def saturated_share(z: np.ndarray, act: str) -> float:
    """The share of (sample, unit) whose activation's slope is below 1% of its peak: σ' < 0.0025 for the
    sigmoid (σ outside about [0.0025, 0.9975]), z <= 0 for ReLU."""
    if act == "sigmoid":
        s = ACTIVATE["sigmoid"](z)
        return float(np.mean(s * (1.0 - s) < 0.0025))
    return float(np.mean(z <= 0.0))


def dead_units(z: np.ndarray) -> float:
    """The share of ReLU units that output 0 (z <= 0) on every example of the batch."""
    return float(np.mean((z <= 0.0).all(axis=0)))


def densities(layers: list[np.ndarray]) -> tuple[tuple[float, float], np.ndarray, np.ndarray]:
    """The range the bins span (the 0.5th to 99.5th percentile of all layers together), the centres of its
    BINS equal bins and, per layer, the share of its values in each; values beyond count in the outer bins."""
    values = np.concatenate([a.ravel() for a in layers])
    lo, hi = np.percentile(values, 0.5), np.percentile(values, 99.5)
    width = (hi - lo) / BINS
    rows = []
    for a in layers:
        index = np.clip(np.floor((a.ravel() - lo) / width), 0, BINS - 1).astype(int)
        rows.append(np.bincount(index, minlength=BINS) / a.size)
    return (lo, hi), lo + width * (np.arange(BINS) + 0.5), np.array(rows)


def make_lab():
    """The figures' arguments as the page builds them, and the expected quantities beside them."""
    x, y = networks.make_data("spirals", n=128, seed=0)
    xb, yb = x[:BATCH], y[:BATCH]
    args = {"norms": {}, "acts": {}, "saturated": {}, "health": {}, "grad_norms": {}, "losses": {}}
    expected = {"norms": {}, "acts": {}, "saturated": {}, "dead": {}}
    for label, (act, init) in STACKS.items():
        params = networks.init_mlp([2, *[WIDTH] * DEPTH, 2], act, init, seed=0)
        stats = networks.layer_stats(params, xb, yb, act)
        run = networks.train(x, y, depth=DEPTH, width=WIDTH, activation=act, init=init, batch_size=32,
                             steps=STEPS, seed=0)
        args["norms"][label], args["acts"][label] = stats.grad_norms, stats.act
        args["saturated"][label], args["health"][label] = stats.saturated, stats.health
        args["grad_norms"][label], args["losses"][label] = run.grad_norms, run.loss
        layers = hidden_layers(params, xb, act)
        expected["norms"][label] = frobenius_norms(params, xb, yb, act)
        expected["acts"][label] = [h for _, h in layers]
        expected["saturated"][label] = [saturated_share(z, act) for z, _ in layers]
        expected["dead"][label] = [dead_units(z) for z, _ in layers]
    return args, expected
