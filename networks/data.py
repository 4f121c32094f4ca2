"""Small classification data sets: nothing is downloaded.

The 2-D makers (``DATASETS``) return ``(x, y)``: x float64 of shape (n, 2), standardized to mean 0
and standard deviation 1 per coordinate (so every initialization sees inputs of unit scale), y int64
labels 0 and 1, the two classes as equal as n allows, in a seeded random order. ``digits`` is real
data, scikit-learn's 8 × 8 handwritten digits, which ship inside that package. ``split`` cuts a
seeded train/test split.
"""

from __future__ import annotations

import math
from functools import lru_cache
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


@lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits  # imported here: scikit-learn takes a second to import

    bunch = load_digits()
    x, y = bunch.data / 16.0, bunch.target.astype(np.int64)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def digits():
    """scikit-learn's handwritten digits (``sklearn.datasets.load_digits``, the UCI optical-recognition
    test set bundled with the package): 1797 images of 8 × 8 pixels, 10 classes of about 180 each.

    Returns ``(x, y)``: x float64 (1797, 64), the pixel intensities 0..16 divided by 16 (so in [0, 1];
    not standardized, as some pixels are 0 in every image), y int64 labels 0..9, in the file's order.
    The arrays are read-only (one copy is cached for the process).
    """
    return _digits()


def split(x, y, test_fraction=0.25, seed=0):
    """A seeded train/test split: ``(x_train, y_train, x_test, y_test)``.

    The rows are shuffled by ``np.random.default_rng(seed).permutation``; the first
    ``round(test_fraction × n)`` go to the test split, the rest to training (each split keeps at
    least one row). ``test_fraction`` lies in (0, 1).
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or y.shape != (len(x),):
        raise ValueError("x must be an array (n, features) and y an array (n,) with one label per row")
    if len(y) < 2:
        raise ValueError(f"a split needs at least 2 rows, not {len(y)}")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, Real) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number between 0 and 1 (both excluded), not {test_fraction!r}")
    n_test = min(max(round(test_fraction * len(y)), 1), len(y) - 1)
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
