"""Small networks and data shared by the network tests."""

import numpy as np

from networks import init_batchnorm, init_mlp

SIZES = [3, 5, 4, 3]  # two hidden layers: small enough to difference every parameter


def small_problem(activation, init="xavier", batchnorm=False, sizes=SIZES, batch=6, seed=0):
    """params, bn (or None), x, y: a random net with perturbed biases and BN parameters, so that no
    gradient vanishes by symmetry."""
    rng = np.random.default_rng(seed + 100)
    params = [(W, b + 0.1 * rng.standard_normal(b.shape))
              for W, b in init_mlp(sizes, activation, init, seed=seed, std=0.8)]
    bn = None
    if batchnorm:
        bn = [(g + 0.3 * rng.standard_normal(g.shape), be + 0.3 * rng.standard_normal(be.shape))
              for g, be in init_batchnorm(sizes)]
    x = rng.standard_normal((batch, sizes[0]))
    y = rng.integers(0, sizes[-1], batch)
    return params, bn, x, y


def flatten(pairs):
    return [a for pair in pairs for a in pair]
