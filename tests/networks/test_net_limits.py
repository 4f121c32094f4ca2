"""Bad input: a ValueError whose message says what is valid, never a traceback from deep inside."""

import numpy as np
import pytest

from networks import (
    MAX_BATCH,
    MAX_DEPTH,
    MAX_STEPS,
    MAX_WIDTH,
    first_last_ratio,
    init_batchnorm,
    init_mlp,
    layer_stats,
    loss_and_grads,
    make_data,
    train,
)

X, Y = np.zeros((4, 2)), np.array([0, 1, 0, 1])


def test_limits_are_the_documented_ones():
    assert (MAX_DEPTH, MAX_WIDTH, MAX_BATCH, MAX_STEPS) == (60, 512, 1024, 2000)


@pytest.mark.parametrize(("sizes", "match"), [
    ([2, *[8] * 61, 2], "at most 60 hidden layers"),
    ([2, 513, 2], "1 to 512 units"),
    ([2, 0, 2], "1 to 512 units"),
    ([2, 8, 1], "at least 2 classes"),
    ([2], "at least two"),
    ([2, 8.5, 2], "whole numbers"),
    (5, "list of layer widths"),
])
def test_init_mlp_bounds_sizes(sizes, match):
    with pytest.raises(ValueError, match=match):
        init_mlp(sizes)


def test_the_limits_themselves_are_allowed():
    assert len(init_mlp([2, *[4] * MAX_DEPTH, 2])) == MAX_DEPTH + 1
    assert init_mlp([MAX_WIDTH, MAX_WIDTH, 2])[0][0].shape == (MAX_WIDTH, MAX_WIDTH)
    x = np.zeros((MAX_BATCH, 2))
    assert np.isfinite(loss_and_grads(init_mlp([2, 3, 2]), x, np.zeros(MAX_BATCH, int))[0])


def test_unknown_activation_and_init_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid activations are: sigmoid, tanh, relu, leaky_relu, elu, gelu"):
        init_mlp([2, 4, 2], activation="swish")
    with pytest.raises(ValueError, match="valid inits are: normal, xavier, he"):
        init_mlp([2, 4, 2], init="orthogonal")
    with pytest.raises(ValueError, match="valid activations"):
        loss_and_grads(init_mlp([2, 4, 2]), X, Y, activation="Sigmoid")
    with pytest.raises(ValueError, match="valid activations"):
        train(*make_data(n=64), activation=["relu"], steps=1, batch_size=8)


@pytest.mark.parametrize("std", [0.0, -1.0, float("nan"), float("inf"), "1", True])
def test_std_must_be_positive(std):
    with pytest.raises(ValueError, match="std must be a number above 0"):
        init_mlp([2, 4, 2], init="normal", std=std)


@pytest.mark.parametrize(("x", "y", "match"), [
    (np.zeros((MAX_BATCH + 1, 2)), np.zeros(MAX_BATCH + 1, int), "1 to 1024 samples"),
    (np.zeros((0, 2)), np.zeros(0, int), "1 to 1024 samples"),
    (np.zeros((4, 3)), Y, r"shape \(batch, 2\)"),
    (np.zeros(4), Y, r"shape \(batch, 2\)"),
    (np.array([["a", "b"]] * 4), Y, r"shape \(batch, 2\)"),
    (np.full((4, 2), np.nan), Y, "finite"),
    (X, np.array([0, 1, 2, 1]), r"labels must lie in 0 \.\. 1"),
    (X, np.array([0, -1, 0, 1]), r"labels must lie in 0 \.\. 1"),
    (X, np.array([0.0, 1.0, 0.0, 1.0]), "integer array"),
    (X, np.array([0, 1, 0]), r"shape \(4,\)"),
])
def test_loss_and_grads_checks_the_data(x, y, match):
    with pytest.raises(ValueError, match=match):
        loss_and_grads(init_mlp([2, 4, 2]), x, y)


def test_loss_and_grads_checks_params():
    good = init_mlp([2, 4, 3, 2])
    with pytest.raises(ValueError, match="non-empty list"):
        loss_and_grads([], X, Y)
    with pytest.raises(ValueError, match="layer 2: W has 5 inputs but layer 1 has 4 units"):
        loss_and_grads([good[0], (np.zeros((5, 2)), np.zeros(2))], X, Y)
    with pytest.raises(ValueError, match="float64"):
        loss_and_grads([(W.astype(np.float32), b) for W, b in good], X, Y)
    with pytest.raises(ValueError, match="pair"):
        loss_and_grads([(good[0][0],), *good[1:]], X, Y)
    with pytest.raises(ValueError, match="at most 60 hidden layers"):
        loss_and_grads([(np.zeros((2, 2)), np.zeros(2))] * 62, X, Y)


def test_batchnorm_checks():
    params = init_mlp([2, 4, 3, 2])
    with pytest.raises(ValueError, match=r"list of 2 \(gamma, beta\) pairs"):
        loss_and_grads(params, X, Y, batchnorm=init_batchnorm([2, 4, 2]))
    with pytest.raises(ValueError, match=r"hidden layer 2: gamma must be a float64 array of shape \(3,\)"):
        loss_and_grads(params, X, Y, batchnorm=[(np.ones(4), np.zeros(4)), (np.ones(4), np.zeros(3))])
    with pytest.raises(ValueError, match="at least 2 samples"):
        loss_and_grads(params, X[:1], Y[:1], batchnorm=init_batchnorm([2, 4, 3, 2]))
    with pytest.raises(ValueError, match="eps must be a number above 0"):
        loss_and_grads(params, X, Y, batchnorm=init_batchnorm([2, 4, 3, 2]), eps=0.0)


def test_layer_stats_and_ratio_checks():
    with pytest.raises(ValueError, match="valid activations"):
        layer_stats(init_mlp([2, 4, 2]), X, Y, activation="softplus")
    with pytest.raises(ValueError, match="at least 2 hidden layers"):
        first_last_ratio([1.0, 2.0])


@pytest.mark.parametrize(("kw", "match"), [
    ({"depth": 61}, "depth must be a whole number from 0 to 60"),
    ({"width": 513}, "width must be a whole number from 1 to 512"),
    ({"batch_size": 1025}, "batch_size must be a whole number from 2 to 1024"),
    ({"batch_size": 1}, "batch_size must be a whole number from 2 to 1024"),
    ({"steps": 2001}, "steps must be a whole number from 0 to 2000"),
    ({"steps": 10.5}, "steps must be a whole number"),
    ({"batch_size": 100}, "larger than the data set"),
    ({"init": "lecun"}, "valid inits are"),
    ({"optimizer": "lbfgs"}, "valid optimizers are"),
    ({"optimizer": 3}, "key of OPTIMIZERS"),
    ({"lr": -1.0}, "at least 0"),
])
def test_train_bounds(kw, match):
    x, y = make_data(n=64)
    args = {"depth": 2, "width": 4, "steps": 2, "batch_size": 8} | kw
    with pytest.raises(ValueError, match=match):
        train(x, y, **args)
