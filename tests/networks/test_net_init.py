"""The initializations follow torch.nn.init's formulas (the draws differ: NumPy's generator, not torch's)."""

import math

import numpy as np
import pytest

from networks import init_mlp


def _big_layer(init, fan_in=400, fan_out=300, **kw):
    (W, b), _ = init_mlp([fan_in, fan_out, 2], "relu", init, seed=5, **kw)
    assert not b.any()
    return W


def test_xavier_is_glorot_uniform():
    W = _big_layer("xavier")
    a = math.sqrt(6.0 / (400 + 300))  # torch.nn.init.xavier_uniform_, gain 1
    assert np.abs(W).max() <= a and np.abs(W).max() > 0.999 * a
    assert W.std() == pytest.approx(a / math.sqrt(3.0), rel=0.01)
    assert abs(W.mean()) < 0.01 * a


def test_he_is_kaiming_normal_on_fan_in():
    W = _big_layer("he")
    std = math.sqrt(2.0 / 400)  # torch.nn.init.kaiming_normal_(mode="fan_in", nonlinearity="relu")
    assert W.std() == pytest.approx(std, rel=0.01)
    # normal, not uniform: the kurtosis of a Gaussian is 3 (a uniform's is 1.8)
    assert ((W / W.std()) ** 4).mean() == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize("std", [0.01, 1.0, 2.5])
def test_normal_has_the_chosen_std(std):
    assert _big_layer("normal", std=std).std() == pytest.approx(std, rel=0.01)


def test_seeded_and_shaped_fan_in_by_fan_out():
    a, b = init_mlp([3, 5, 4, 2], seed=7), init_mlp([3, 5, 4, 2], seed=7)
    assert [W.shape for W, _ in a] == [(3, 5), (5, 4), (4, 2)]
    assert all(np.array_equal(p, q) for (p, _), (q, _) in zip(a, b, strict=True))
    assert not np.array_equal(a[0][0], init_mlp([3, 5, 4, 2], seed=8)[0][0])


def test_activation_does_not_change_the_draw():
    a = init_mlp([3, 5, 2], "sigmoid", "he", seed=1)
    b = init_mlp([3, 5, 2], "relu", "he", seed=1)
    assert np.array_equal(a[0][0], b[0][0])
