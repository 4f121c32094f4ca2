"""Hand-written gradients against central finite differences, for every activation, initialization and
with batch normalization on and off."""

import numpy as np
import pytest
from net_cases import flatten, small_problem

from networks import ACTIVATIONS, INITS, init_batchnorm, init_mlp, loss_and_grads
from networks.activations import relu_backward

H = 1e-5  # central differences: truncation ~H² and rounding ~1e-16/H both near 1e-11 here


def _numeric(params, bn, x, y, activation):
    """Central differences of the loss in every entry of every array of params and bn."""
    arrays = flatten(params) + (flatten(bn) if bn else [])
    n_w = 2 * len(params)

    def loss():
        ps = list(zip(arrays[0:n_w:2], arrays[1:n_w:2], strict=True))
        if bn is None:
            return loss_and_grads(ps, x, y, activation)[0]
        b = list(zip(arrays[n_w::2], arrays[n_w + 1::2], strict=True))
        return loss_and_grads(ps, x, y, activation, batchnorm=b)[0]

    out = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            keep = a[i]
            a[i] = keep + H
            up = loss()
            a[i] = keep - H
            down = loss()
            a[i] = keep
            g[i] = (up - down) / (2 * H)
        out.append(g)
    return out


@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "bn"])
@pytest.mark.parametrize("init", list(INITS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_match_central_differences(activation, init, batchnorm):
    params, bn, x, y = small_problem(activation, init, batchnorm)
    out = loss_and_grads(params, x, y, activation, batchnorm=bn)
    assert len(out) == (3 if batchnorm else 2)
    analytic = flatten(out[1]) + (flatten(out[2]) if batchnorm else [])
    numeric = _numeric(params, bn, x, y, activation)
    for got, want in zip(analytic, numeric, strict=True):
        assert got.shape == want.shape
        # relative to each entry (the truncation, about H² f'''/6), but for the rounding of (up - down) / 2H,
        # about ε |loss| / H whatever the entry: an entry near 0 is judged on that, not on one atol for all
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=4 * np.finfo(float).eps * abs(out[0]) / H)
    # the check can fail: every array's gradient is large enough that a wrong sign or a missing factor on
    # it is far outside the tolerance, but the biases before a batch normalization, whose gradient is 0
    for got, want in zip(analytic, numeric, strict=True):
        assert np.abs(want).max() > 1e-3 or np.abs(got).max() < 1e-13


def test_bias_before_batchnorm_gets_no_gradient():
    params, bn, x, y = small_problem("tanh", batchnorm=True)
    _, grads, _ = loss_and_grads(params, x, y, "tanh", batchnorm=bn)
    for _, db in grads[:-1]:
        assert np.abs(db).max() < 1e-15


def test_relu_derivative_at_zero_is_zero():
    assert relu_backward(np.array([0.0, -0.0, 1e-300, -1e-300]), None, 1.0).tolist() == [0.0, 0.0, 1.0, 0.0]
    # every first-layer pre-activation exactly 0: no gradient reaches W_1 or b_1
    params = init_mlp([2, 4, 3], "relu", "he", seed=1)
    x, y = np.zeros((5, 2)), np.array([0, 1, 2, 0, 1])
    _, grads = loss_and_grads(params, x, y, "relu")
    assert not grads[0][0].any() and not grads[0][1].any()
    assert grads[1][1].any()
    # where leaky ReLU has slope 0.01 at 0, the same input does reach b_1
    _, leaky = loss_and_grads(params, x, y, "leaky_relu")
    assert leaky[0][1].any()


def test_plain_call_of_the_design():
    params = init_mlp(sizes=[2, 64, 64, 64, 2], activation="sigmoid", init="xavier", seed=0)
    x = np.random.default_rng(0).standard_normal((32, 2))
    y = np.arange(32) % 2
    loss, grads = loss_and_grads(params, x, y, activation="sigmoid")
    assert isinstance(loss, float) and 0.6 < loss < 0.8
    assert [(dW.shape, db.shape) for dW, db in grads] == [(W.shape, b.shape) for W, b in params]
    assert all(dW.dtype == np.float64 for dW, _ in grads)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    params = [(np.array([[1e6, -1e6]]), np.zeros(2))]  # no hidden layer: logits = ±1e6 x
    x, y = np.array([[1.0], [-1.0], [1.0]]), np.array([0, 1, 1])
    loss, grads = loss_and_grads(params, x, y)
    assert loss == pytest.approx(2e6 / 3, rel=1e-15)
    np.testing.assert_allclose(grads[0][0], [[1 / 3, -1 / 3]], rtol=1e-15)


def test_init_batchnorm_starts_as_torch():
    bn = init_batchnorm([2, 7, 5, 3])
    assert [(g.tolist(), b.tolist()) for g, b in bn] == [([1.0] * 7, [0.0] * 7), ([1.0] * 5, [0.0] * 5)]
