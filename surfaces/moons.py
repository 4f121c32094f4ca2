r"""The noisy moons: a two-weight logistic regression whose minibatch gradients are noisy.

The data are two interleaved half-moons (200 points, seeded, generated here), centred, with labels
:math:`s_i = \pm 1`. The weights :math:`w = (x, y)` score a point as :math:`z_i = x a_i + y b_i`, and

.. math::
    f(w) = \frac1n \sum_i \log\left(1 + e^{-s_i z_i}\right), \qquad
    \nabla f = -\frac1n \sum_i \sigma(-s_i z_i)\, s_i\, (a_i, b_i), \qquad
    \nabla^2 f = \frac1n \sum_i \sigma(z_i)\sigma(-z_i)\, (a_i, b_i)^\top (a_i, b_i).

Each update of a run takes the gradient on a minibatch of 16 points, drawn by epochs of a seeded
permutation, so the same seed gives the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .base import Surface
from .torch_form import torch_source

N_POINTS = 200
BATCH = 16


def make_moons(n: int = N_POINTS, noise: float = 0.2, seed: int = 0):
    """Two interleaved half circles with Gaussian noise, centred and scaled by 2 (so the minimum
    sits well inside the map): points (n, 2), labels +1 / -1."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack((np.cos(t[:half]), np.sin(t[:half])), axis=-1)
    lower = np.stack((1.0 - np.cos(t[half:]), 0.5 - np.sin(t[half:])), axis=-1)
    points = np.concatenate((upper, lower)) + noise * rng.standard_normal((n, 2))
    labels = np.concatenate((np.ones(half), -np.ones(n - half)))
    return 2.0 * (points - points.mean(axis=0)), labels


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


@dataclass(frozen=True, eq=False)
class MinibatchSurface(Surface):
    """A Surface whose gradient can also be taken on a minibatch of its data."""

    features: np.ndarray = field(default=None, repr=False)  # (n, 2)
    labels: np.ndarray = field(default=None, repr=False)  # (n,) of +1 / -1
    batch_size: int = BATCH
    stochastic: bool = True

    def minibatches(self, steps: int, seed: int) -> np.ndarray:
        """(steps, batch_size) indices: epochs of a seeded permutation, cut into minibatches."""
        n = len(self.labels)
        per_epoch = n // self.batch_size
        epochs = -(-steps // per_epoch)
        rng = np.random.default_rng(seed)
        order = np.concatenate([rng.permutation(n)[: per_epoch * self.batch_size] for _ in range(max(epochs, 1))])
        return order[: steps * self.batch_size].reshape(steps, self.batch_size)

    def batch_gxy(self, x, y, batch):
        return _logistic_g(x, y, self.features[batch], self.labels[batch])

    @property
    def torch_source(self) -> str:
        """``loss_fn`` and ``grad_fn`` as on every surface, on the data ``FEATURES`` and ``LABELS`` that
        the script defines, or on a minibatch's ``feats`` and ``labels`` where given."""
        return torch_source({"logistic_f": _logistic_f, "logistic_g": _logistic_g}) + _TORCH_ENTRIES


# The script's entry points: the same functions, on its data unless given a minibatch's.
_TORCH_ENTRIES = '''

def loss_fn(x, y, feats=None, labels=None):
    """The mean logistic loss, on the whole data set unless given a minibatch's."""
    return logistic_f(x, y, FEATURES if feats is None else feats, LABELS if labels is None else labels)


def grad_fn(x, y, feats=None, labels=None):
    return logistic_g(x, y, FEATURES if feats is None else feats, LABELS if labels is None else labels)
'''


def _margins(x, y, feats, labels):
    return labels * (np.asarray(x)[..., None] * feats[:, 0] + np.asarray(y)[..., None] * feats[:, 1])


def _logistic_f(x, y, feats, labels):
    return np.mean(np.logaddexp(0.0, -_margins(x, y, feats, labels)), axis=-1)


def _logistic_g(x, y, feats, labels):
    w = -_sigmoid(-_margins(x, y, feats, labels)) * labels
    return np.mean(w * feats[:, 0], axis=-1), np.mean(w * feats[:, 1], axis=-1)


def _logistic_h(x, y, feats, labels):
    m = _margins(x, y, feats, labels)
    c = _sigmoid(m) * _sigmoid(-m)
    a, b = feats[:, 0], feats[:, 1]
    return np.mean(c * a * a, axis=-1), np.mean(c * a * b, axis=-1), np.mean(c * b * b, axis=-1)


def _minimum(feats, labels) -> tuple[float, float]:
    """Newton's method from the origin on the full-batch loss (convex): the exact minimiser."""
    w = np.zeros(2)
    for _ in range(50):
        g = np.array(_logistic_g(w[0], w[1], feats, labels))
        hxx, hxy, hyy = _logistic_h(w[0], w[1], feats, labels)
        w = w - np.linalg.solve(np.array([[hxx, hxy], [hxy, hyy]]), g)
    return float(w[0]), float(w[1])


def noisy_moons() -> MinibatchSurface:
    feats, labels = make_moons()
    return MinibatchSurface(
        key="noisy_moons",
        title="Noisy moons (logistic regression)",
        latex=r"f(w) = \frac{1}{n}\sum_{i=1}^{n} \log\left(1 + e^{-s_i\, w^\top x_i}\right)",
        caption="A real training loss: two weights of a logistic regression on the moons data; every step "
        "sees a minibatch of 16 points, so the gradient is noisy and paths jitter around the minimum.",
        fxy=lambda x, y: _logistic_f(x, y, feats, labels),
        gxy=lambda x, y: _logistic_g(x, y, feats, labels),
        hxy=lambda x, y: _logistic_h(x, y, feats, labels),
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        minima=(_minimum(feats, labels),),
        start=(2.5, -2.5),
        features=feats,
        labels=labels,
    )
