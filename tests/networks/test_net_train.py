"""Training drives the optimizers of ``optimizers`` through their init/update pair."""

import numpy as np
import pytest

from networks import init_batchnorm, init_mlp, loss_and_grads, make_data, train, weight_grad_norms
from networks.blas import blas_threads, one_blas_thread
from optimizers import OPTIMIZERS, Optimizer


@pytest.fixture(scope="module")
def data():
    return make_data("moons", n=64, seed=0)


def test_one_sgd_step_is_params_minus_lr_grads(data):
    x, y = data
    # a full batch: the sample order changes only the rounding of the sums
    r = train(x, y, depth=3, width=8, activation="tanh", optimizer="sgd", lr=0.1, steps=1, batch_size=64, seed=4)
    params = init_mlp([2, 8, 8, 8, 2], "tanh", "xavier", seed=4)
    loss, grads = loss_and_grads(params, x, y, "tanh")
    assert r.loss[0] == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(r.grad_norms[:, 0], weight_grad_norms(grads), rtol=1e-12)
    for (W, b), (dW, db), (W1, b1) in zip(params, grads, r.params, strict=True):
        np.testing.assert_allclose(W1, W - 0.1 * dW, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(b1, b - 0.1 * db, rtol=1e-13, atol=1e-15)


def test_adam_steps_match_a_hand_loop_with_the_same_batches(data):
    """Every W, b, γ, β has its own optimizer state from the same init/update pair."""
    x, y = data
    opt = OPTIMIZERS["adam"].factory()
    r = train(x, y, depth=2, width=6, activation="elu", batchnorm=True, optimizer=opt, lr=0.01, steps=3,
              batch_size=64, seed=2)
    sizes = [2, 6, 6, 2]
    params, bn = init_mlp(sizes, "elu", "xavier", seed=2), init_batchnorm(sizes)
    arrays = [a for pair in params + bn for a in pair]
    states = [opt.init(a) for a in arrays]
    for _ in range(3):
        _, grads, bn_grads = loss_and_grads(params, x, y, "elu", batchnorm=bn)
        flat = [g for pair in grads + bn_grads for g in pair]
        for i, g in enumerate(flat):
            arrays[i], states[i] = opt.update(g, states[i], arrays[i], 0.01)
        params = list(zip(arrays[0:6:2], arrays[1:6:2], strict=True))
        bn = list(zip(arrays[6::2], arrays[7::2], strict=True))
    got = [a for pair in r.params + r.batchnorm for a in pair]
    # the hidden biases sit before batch normalization: their gradient is rounding noise (1e-17), which
    # Adam scales up to full steps, so they wander differently with the order of the samples; skip them
    for i in (0, 2, 4, 5, 6, 7, 8, 9):
        np.testing.assert_allclose(got[i], arrays[i], rtol=1e-9, atol=1e-12)
    assert not np.array_equal(r.batchnorm[0][0], np.ones(6))  # γ was trained


def test_grad_point_is_honoured(data):
    """An optimizer that asks for the gradient elsewhere (the lecture's Nesterov) gets it there."""
    x, y = data
    seen = []

    def grad_point(state, params):
        seen.append(params.shape)
        return params * 0.0  # all-zero weights: every hidden unit alike

    sgd = OPTIMIZERS["sgd"].factory()
    opt = Optimizer(sgd.init, sgd.update, grad_point)
    r = train(x, y, depth=2, width=4, activation="relu", optimizer=opt, steps=2, batch_size=16)
    assert len(seen) == 2 * 6
    assert r.grad_norms[0, 0] == 0.0  # zero weights: ReLU(0) = 0 and no gradient reaches W_1


def test_seeded_runs_repeat_and_seeds_differ(data):
    x, y = data
    kw = {"depth": 3, "width": 8, "activation": "relu", "init": "he", "steps": 20, "batch_size": 16}
    a, b, c = train(x, y, seed=1, **kw), train(x, y, seed=1, **kw), train(x, y, seed=2, **kw)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    assert not np.array_equal(a.loss, c.loss)


def test_minibatches_cover_each_epoch_once(data):
    from networks.train import _batches

    idx = _batches(np.random.default_rng(0), 64, 16, 8)
    assert idx.shape == (8, 16)
    for epoch in (idx[:4], idx[4:]):
        assert sorted(epoch.ravel().tolist()) == list(range(64))


def test_schedule_progress_and_records(data):
    x, y = data
    calls = []
    r = train(x, y, depth=4, width=8, steps=250, batch_size=16, lr=lambda t: 0.01 * 0.99 ** t,
              progress=lambda done, total: calls.append((done, total)))
    np.testing.assert_allclose(r.lr, 0.01 * 0.99 ** np.arange(250))
    assert calls[-1] == (250, 250) and len(calls) == 125
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert r.loss.shape == (250,) and r.grad_norms.shape == (5, 250)
    x, y = data
    assert r.final_loss == pytest.approx(loss_and_grads(r.params, x, y, "sigmoid")[0], rel=1e-12)
    assert 0.0 <= r.accuracy <= 1.0


def test_divergence_stops_quietly(data):
    x, y = data
    r = train(x, y, depth=6, width=32, activation="relu", init="normal", std=3.0, optimizer="sgd",
              lr=1e6, steps=50, batch_size=16)
    assert 0 < r.diverged_at < 50
    assert np.isfinite(r.loss[: r.diverged_at]).all() and np.isnan(r.loss[r.diverged_at:]).all()
    assert np.isnan(r.grad_norms[:, r.diverged_at:]).all()


def test_zero_steps(data):
    r = train(*data, depth=2, width=4, steps=0, batch_size=8)
    assert r.loss.shape == (0,) and r.grad_norms.shape == (3, 0) and r.diverged_at == -1


def test_one_blas_thread_restores_the_count():
    before = blas_threads()
    with one_blas_thread():
        assert blas_threads() in (None, 1)
        with one_blas_thread():
            assert blas_threads() in (None, 1)
        assert blas_threads() in (None, 1)
    assert blas_threads() == before
