"""Small 2-D classification data sets made in NumPy from a seed: nothing is downloaded.

Each maker returns ``(x, y)``: x float64 of shape (n, 2), standardized to mean 0 and standard
deviation 1 per coordinate (so every initialization sees inputs of unit scale), y int64 labels
0 and 1, the two classes as equal as n allows, in a seeded random order.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

MAX_POINTS = 10_000


def _check(n, noise):
    if isinstance(n, bool) or not isinstance(n, Integral) or not 4 <= n <= MAX_POINTS:
        raise ValueError(f"n must be a whole number from 4 to {MAX_POINTS}, not {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, Real) or not (math.isfinite(noise) and 0 <= noise <= 1):
        raise ValueError(f"noise must be a number from 0 to 1, not {noise!r}")
    return int(n), float(noise)


def _finish(rng, points, labels, noise):
    x = points + noise * rng.standard_normal(points.shape)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    order = rng.permutation(len(labels))
    return x[order], labels[order].astype(np.int64)


def _labels(n):
    return np.arange(n) % 2


def spirals(n=512, noise=0.05, seed=0, turns=1.25):
    """Two interleaved arms, r from 0 to 1 over ``turns`` turns, the second arm rotated by π."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    y = _labels(n)
    r = np.sqrt(rng.uniform(0.02, 1.0, n))  # evenly spread along the arm's area
    angle = 2 * np.pi * turns * r + np.pi * y
    return _finish(rng, np.stack((r * np.cos(angle), r * np.sin(angle)), axis=1), y, noise)


def moons(n=512, noise=0.1, seed=0):
    """Two interleaving half circles, as scikit-learn's make_moons draws them."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    y = _labels(n)
    t = rng.uniform(0.0, np.pi, n)
    points = np.where(y[:, None] == 0, np.stack((np.cos(t), np.sin(t)), axis=1),
                      np.stack((1.0 - np.cos(t), 0.5 - np.sin(t)), axis=1))
    return _finish(rng, points, y, noise)


def circles(n=512, noise=0.05, seed=0, factor=0.5):
    """A disc's rim of radius ``factor`` (class 1) inside a ring of radius 1 (class 0)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    y = _labels(n)
    t = rng.uniform(0.0, 2 * np.pi, n)
    r = np.where(y == 0, 1.0, factor)
    return _finish(rng, np.stack((r * np.cos(t), r * np.sin(t)), axis=1), y, noise)


DATASETS = {"spirals": spirals, "moons": moons, "circles": circles}


def make_data(name="spirals", n=512, noise=None, seed=0):
    """One of DATASETS by name; ``noise`` None takes the maker's default."""
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid data sets are: {', '.join(DATASETS)}")
    maker = DATASETS[name]
    return maker(n=n, seed=seed) if noise is None else maker(n=n, noise=noise, seed=seed)
