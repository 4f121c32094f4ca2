"""Dead and saturated units, and where a pass stopped being finite, on cases small enough to count by hand."""

from __future__ import annotations

import numpy as np
import pytest

from networks import (
    dead_share,
    first_non_finite_layer,
    init_mlp,
    layer_stats,
    make_data,
    saturated_share,
    train,
    unit_health,
)
from networks.activations import relu, sigmoid, tanh

# 3 examples × 4 ReLU units: units 1 and 3 are below 0 on every example (dead); unit 2 is 0 on two of
# them (z = 0 counts as off: ReLU'(0) = 0) but active on the second, so it is alive.
Z_RELU = np.array([[1.0, -1.0, 0.0, -2.0],
                   [-1.0, -1.0, 2.0, -3.0],
                   [2.0, -1.0, -1.0, -1.0]])


def test_relu_dead_units_are_the_units_off_on_every_example():
    a = relu(Z_RELU)
    assert dead_share(Z_RELU, a, "relu") == 2 / 4
    assert saturated_share(Z_RELU, a, "relu") == 9 / 12  # the per-entry zeros: what the page used to call "off"


def test_a_relu_that_is_off_on_half_the_examples_is_alive():
    z = np.array([[1.0, -1.0], [-1.0, 1.0]])  # each unit off on one example of two
    assert dead_share(z, relu(z), "relu") == 0.0 and saturated_share(z, relu(z), "relu") == 0.5


def test_sigmoid_saturation_threshold():
    # σ'(7) = 9.1e-4 and σ'(-7) likewise are below 0.0025; σ'(5) = 6.6e-3 and σ'(0) = 0.25 are not
    z = np.array([[0.0, 7.0], [-7.0, 5.0]])
    assert saturated_share(z, sigmoid(z), "sigmoid") == 2 / 4
    assert dead_share(z, sigmoid(z), "sigmoid") == 0.0  # no unit is flat on both examples
    z = np.array([[6.0, 7.0], [-6.5, 8.0]])  # σ'(6) = 2.47e-3, σ'(-6.5) = 1.50e-3: all four saturated
    assert saturated_share(z, sigmoid(z), "sigmoid") == 1.0 and dead_share(z, sigmoid(z), "sigmoid") == 1.0


def test_tanh_saturation_threshold():
    # tanh'(3) = 1 - 0.99505² = 0.0099 < 0.01; tanh'(2.5) = 1 - 0.98661² = 0.0266
    z = np.array([[3.0, 2.5], [-3.0, -2.5]])
    assert saturated_share(z, tanh(z), "tanh") == 0.5


def test_leaky_relu_never_dies():
    z = -np.ones((3, 2))
    assert dead_share(z, 0.01 * z, "leaky_relu") == 0.0


def test_unit_health_names_the_measure_that_fits_the_activation():
    relu_health = unit_health([Z_RELU, Z_RELU[:, :2]], [relu(Z_RELU), relu(Z_RELU[:, :2])], "relu")
    assert relu_health.kind == "dead" and relu_health.rule == "output 0 on all 3 examples"
    np.testing.assert_array_equal(relu_health.share, [0.5, 0.5])  # unit 1 of the first two is dead
    z = np.array([[0.0, 7.0], [-7.0, 5.0]])
    sig = unit_health([z], [sigmoid(z)], "sigmoid")
    assert sig.kind == "saturated" and sig.rule == "σ′ < 0.0025" and sig.share.tolist() == [0.5]
    assert unit_health([z], [tanh(z)], "tanh").kind == "saturated"
    assert unit_health([z], [z], "gelu").kind == "dead"


def test_a_healthy_relu_stack_has_few_dead_units_but_half_its_outputs_zero():
    """The page's stack B at initialization: He's ReLUs are 0 on about half the examples each, which is
    normal; dead ones (0 on the whole batch) are far fewer in the first layers."""
    x, y = make_data("spirals", n=512, seed=0)
    stats = layer_stats(init_mlp([2, *[64] * 20, 2], "relu", "he", seed=0), x[:128], y[:128], "relu")
    assert stats.health.kind == "dead"
    np.testing.assert_array_equal(stats.health.share, stats.dead)
    assert 0.4 < stats.saturated.mean() < 0.6 and stats.dead.mean() < 0.35
    assert stats.dead[0] == 0.0 and stats.dead[:5].max() < 0.2
    sigmoid_stats = layer_stats(init_mlp([2, *[64] * 20, 2], "sigmoid", "xavier", seed=0), x[:128], y[:128])
    assert sigmoid_stats.health.kind == "saturated"
    np.testing.assert_array_equal(sigmoid_stats.health.share, sigmoid_stats.saturated)


@pytest.mark.parametrize(("acts", "loss", "norms", "layer"), [
    ([np.ones(2), np.array([1.0, np.inf]), np.array([np.nan])], np.nan, [np.nan] * 4, 2),  # forward first
    ([np.ones(2), np.ones(2)], np.nan, [np.nan, np.nan, np.nan], 3),  # the loss: the output layer
    ([np.ones(2), np.ones(2)], 0.7, [np.nan, np.inf, 1.0], 2),  # the first the backward pass met
    ([np.ones(2), np.ones(2)], 0.7, [0.0, 1.0, 2.0], 0),
])
def test_first_non_finite_layer(acts, loss, norms, layer):
    assert first_non_finite_layer(acts, loss, norms) == layer


def test_training_says_where_it_diverged():
    x, y = make_data("spirals", n=512, seed=0)
    r = train(x, y, depth=20, width=64, activation="relu", init="normal", steps=10)
    assert r.diverged_at == 1 and r.diverged_layer == 21  # the logits overflow: the loss is not finite
    fine = train(x, y, depth=3, width=8, steps=5)
    assert fine.diverged_at == -1 and fine.diverged_layer == -1
