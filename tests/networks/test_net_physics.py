"""The physics the page shows: gradients vanish through a deep sigmoid stack and not through a ReLU stack
with He initialization; the sigmoid stack stalls in training while the ReLU stack learns, and batch
normalization revives the sigmoid stack.

"First" and "last" hidden layer are as ``first_last_ratio`` defines them: ‖∂L/∂W_2‖/‖∂L/∂W_H‖, the
first and last width × width weight matrices (W_1, fed by the 2 input coordinates, is left out: its
norm carries a factor of about √(2/width) that has nothing to do with depth).
"""

import numpy as np
import pytest

from networks import (
    DEFAULTS,
    first_last_ratio,
    init_mlp,
    layer_stats,
    loss_and_grads,
    make_data,
    train,
    weight_grad_norms,
)

DEPTH, WIDTH, BATCH = 20, 64, 256


@pytest.fixture(scope="module")
def data():
    return make_data("spirals", n=512, seed=0)


def _stats(data, activation, init, **kw):
    x, y = data
    params = init_mlp([2, *[WIDTH] * DEPTH, 2], activation, init, seed=0, **kw)
    return layer_stats(params, x[:BATCH], y[:BATCH], activation)


def test_the_ratio_is_the_second_layers_norm_over_the_second_to_last():
    # distinct primes: any other pair of layers gives another fraction
    assert first_last_ratio([2.0, 3.0, 5.0, 7.0, 11.0]) == 3.0 / 7.0
    assert first_last_ratio(np.array([4.0, 6.0, 1.5])) == 1.0  # two hidden layers: W_2 is W_H
    assert first_last_ratio([1.0, 0.0, 2.0, 1.0]) == 0.0


def test_grad_norms_are_each_layers_frobenius_norm_from_the_input_side(data):
    """layer_stats' norms against the gradients themselves, layer by layer in order: on the He/ReLU stack
    the page's default ratio (0.36 here) is what two hand-picked matrices give, not 0.065 (W_1 for W_2)
    or 0.46 (the output layer for W_H)."""
    x, y = data
    params = init_mlp([2, *[WIDTH] * DEPTH, 2], "relu", "he", seed=0)
    _, grads = loss_and_grads(params, x[:BATCH], y[:BATCH], "relu")
    frobenius = np.array([np.sqrt((dW * dW).sum()) for dW, _ in grads])
    norms = layer_stats(params, x[:BATCH], y[:BATCH], "relu").grad_norms
    np.testing.assert_allclose(norms, frobenius, rtol=1e-13, atol=0)
    np.testing.assert_allclose(weight_grad_norms(grads), frobenius, rtol=1e-13, atol=0)
    ratio = first_last_ratio(norms)
    assert ratio == pytest.approx(frobenius[1] / frobenius[DEPTH - 1], rel=1e-12)
    assert 0.3 < ratio < 0.4
    for wrong in (frobenius[0] / frobenius[DEPTH - 1], frobenius[1] / frobenius[DEPTH]):
        assert abs(ratio - wrong) > 0.05


def test_sigmoid_stack_with_xavier_loses_its_gradient(data):
    s = _stats(data, "sigmoid", "xavier")
    assert first_last_ratio(s.grad_norms) < 1e-3
    # and it is not a fluke of two layers: the norms fall by more than half at every step back
    backward_factor = s.grad_norms[1:-2] / s.grad_norms[2:-1]
    assert (backward_factor < 0.5).all()


def test_relu_stack_with_he_keeps_its_gradient(data):
    ratio = first_last_ratio(_stats(data, "relu", "he").grad_norms)
    assert 0.05 < ratio < 20


@pytest.mark.parametrize("seed", range(5))
def test_he_relu_ratio_holds_for_other_seeds(data, seed):
    x, y = data
    params = init_mlp([2, *[WIDTH] * DEPTH, 2], "relu", "he", seed=seed)
    assert 0.05 < first_last_ratio(layer_stats(params, x[:BATCH], y[:BATCH], "relu").grad_norms) < 20


def test_saturation_and_dead_units(data):
    xavier = _stats(data, "sigmoid", "xavier")
    wide = _stats(data, "sigmoid", "normal", std=1.0)  # z has a standard deviation near 4: tails saturate
    relu = _stats(data, "relu", "he")
    assert xavier.saturated.max() == 0.0
    assert wide.saturated[1:].min() > 0.05
    assert 0.3 < relu.saturated.mean() < 0.7  # half the ReLUs are off on a given sample
    assert relu.dead.max() < 0.5
    assert len(relu.pre) == len(relu.act) == DEPTH and relu.pre[0].shape == (BATCH, WIDTH)
    np.testing.assert_array_equal(relu.act[3], np.maximum(relu.pre[3], 0.0))


@pytest.fixture(scope="module")
def runs():
    x, y = make_data(DEFAULTS["data"], n=DEFAULTS["n"], seed=DEFAULTS["seed"])
    kw = {k: v for k, v in DEFAULTS.items() if k not in ("data", "n")}
    return {
        "sigmoid": train(x, y, activation="sigmoid", init="xavier", **kw),
        "relu": train(x, y, activation="relu", init="he", **kw),
        "sigmoid+bn": train(x, y, activation="sigmoid", init="xavier", batchnorm=True, **kw),
    }


def _start_end(result):
    return result.loss[:10].mean(), result.loss[-20:].mean()


def test_deep_sigmoid_stalls_at_chance(runs):
    start, end = _start_end(runs["sigmoid"])
    assert end > 0.68 and abs(end - np.log(2)) < 0.01
    assert start - end < 0.05
    assert runs["sigmoid"].accuracy < 0.6


def test_relu_learns_clearly_more(runs):
    s_start, s_end = _start_end(runs["sigmoid"])
    r_start, r_end = _start_end(runs["relu"])
    assert r_end < 0.1
    assert (r_start - r_end) - (s_start - s_end) > 0.4
    assert runs["relu"].accuracy > 0.95


def test_batchnorm_revives_the_sigmoid_stack(runs):
    start, end = _start_end(runs["sigmoid+bn"])
    assert end < 0.2 and start - end > 0.4
    assert runs["sigmoid+bn"].accuracy > 0.95


def test_training_records_every_layer_at_every_step(runs):
    for r in runs.values():
        assert r.grad_norms.shape == (DEFAULTS["depth"] + 1, DEFAULTS["steps"])
        assert r.loss.shape == (DEFAULTS["steps"],) and r.diverged_at == -1
        assert np.isfinite(r.grad_norms).all() and (r.grad_norms > 0).all()
    # the heatmap's story: the sigmoid stack's first hidden layers stay starved throughout
    g = runs["sigmoid"].grad_norms
    assert (g[1] / g[-2] < 1e-3).all()
