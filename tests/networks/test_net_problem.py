"""Digits, the train/test split, the network problem, and training that evaluates a test split."""

import numpy as np
import pytest

from networks import init_mlp, loss_and_grads, make_data, train
from networks.data import digits, split
from networks.problem import MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH, NetworkProblem


def test_digits_are_scikit_learns_bundled_images():
    x, y = digits()
    assert x.shape == (1797, 64) and x.dtype == np.float64 and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    # the first image is a 0: a ring of ink with a hollow centre
    first = x[0].reshape(8, 8)
    assert y[0] == 0 and first[3:5, 3:5].max() < first[1:3, 2:6].max()
    with pytest.raises(ValueError):
        x[0, 0] = 1.0  # the cached copy is read-only


def test_split_is_seeded_disjoint_and_complete():
    x, y = np.arange(40.0).reshape(20, 2), np.arange(20)
    a, b = split(x, y, 0.25, seed=3), split(x, y, 0.25, seed=3)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    x_tr, y_tr, _, y_te = a
    assert len(y_te) == 5 and len(y_tr) == 15
    assert sorted(np.concatenate((y_tr, y_te)).tolist()) == list(range(20))
    np.testing.assert_array_equal(x_tr[:, 0], 2 * y_tr)  # rows stay with their labels
    assert not np.array_equal(split(x, y, 0.25, seed=4)[3], y_te)
    for bad in (0, 1, 1.5, True):
        with pytest.raises(ValueError, match="test_fraction must be a number between 0 and 1"):
            split(x, y, bad)


def test_problem_splits_and_counts():
    p = NetworkProblem()
    _, y, _, y_te = p.arrays()
    assert len(y_te) == round(0.25 * 1797) == 449 and len(y) == p.train_size == 1348
    assert p.steps_per_epoch == 1348 // 32
    moons = NetworkProblem(data="moons", n=200, test_fraction=0.2)
    assert moons.arrays()[0].shape == (160, 2) and moons.train_size == 160
    assert hash(p) == hash(NetworkProblem()) and p == NetworkProblem()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"data": "mnist"}, "valid data sets are: digits, moons"),
    ({"depth": 0}, f"depth .* from 1 to {MAX_HIDDEN_LAYERS}"),
    ({"width": MAX_HIDDEN_WIDTH + 1}, f"width .* from 2 to {MAX_HIDDEN_WIDTH}"),
    ({"activation": "swish"}, "valid activations are"),
    ({"init": "orthogonal"}, "valid inits are"),
    ({"batch_size": 1349}, "batch_size must be a whole number from 2 to 1348"),
    ({"test_fraction": 0.9}, "test_fraction must be a number from 0.05 to 0.5"),
    ({"n": 5, "data": "moons"}, "n .* from 20 to 4000"),
])
def test_bad_problems_name_the_valid_range(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NetworkProblem(**kwargs)


def test_fit_trains_the_described_network_on_the_training_split():
    p = NetworkProblem(data="moons", n=200, depth=2, width=8, activation="relu", init="he", batch_size=16)
    r = p.fit(0.1, 5, seed=2)
    x, y, x_te, y_te = p.arrays()
    direct = train(x, y, depth=2, width=8, activation="relu", init="he", optimizer="sgd", lr=0.1, steps=5,
                   batch_size=16, seed=2)
    np.testing.assert_array_equal(r.loss, direct.loss)
    assert r.test_loss == pytest.approx(loss_and_grads(r.params, x_te, y_te, "relu")[0], rel=1e-12)


def test_train_records_training_and_test_curves_at_the_counts_asked():
    x, y = make_data("moons", n=128, seed=0)
    x_te, y_te = make_data("moons", n=64, seed=1)
    kw = {"depth": 2, "width": 8, "activation": "tanh", "optimizer": "sgd", "lr": 0.5, "batch_size": 16, "seed": 1}
    r = train(x, y, steps=12, test=(x_te, y_te), eval_at=[12, 0, 4, 4], **kw)
    np.testing.assert_array_equal(r.eval_steps, [0, 4, 12])
    params0 = init_mlp([2, 8, 8, 2], "tanh", "xavier", seed=1)
    assert r.train_curve[0] == pytest.approx(loss_and_grads(params0, x, y, "tanh")[0], rel=1e-12)
    assert r.test_curve[0] == pytest.approx(loss_and_grads(params0, x_te, y_te, "tanh")[0], rel=1e-12)
    at4 = train(x, y, steps=4, **kw)  # the same first four updates
    assert r.train_curve[1] == pytest.approx(at4.final_loss, rel=1e-12)
    assert r.train_curve[2] == r.final_loss and r.test_curve[2] == r.test_loss
    assert r.test_loss == pytest.approx(loss_and_grads(r.params, x_te, y_te, "tanh")[0], rel=1e-12)
    assert 0.5 < r.test_accuracy <= 1.0
    plain = train(x, y, steps=12, **kw)
    np.testing.assert_array_equal(plain.loss, r.loss)  # evaluating changes nothing
    assert np.isnan(plain.test_loss) and plain.eval_steps.size == 0


def test_curves_after_divergence_are_nan():
    x, y = make_data("moons", n=64, seed=0)
    r = train(x, y, depth=6, width=32, activation="relu", init="normal", std=3.0, optimizer="sgd", lr=1e6,
              steps=50, batch_size=16, test=(x, y), eval_at=range(0, 51, 5))
    assert 0 < r.diverged_at < 50
    after = r.eval_steps >= r.diverged_at
    assert np.isnan(r.train_curve[after]).all() and np.isnan(r.test_curve[after]).all()
    assert np.isfinite(r.train_curve[~after]).all()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"eval_at": [0, 13]}, "an eval_at entry must be a whole number from 0 to 12"),
    ({"eval_at": 5}, "eval_at must be a list of update counts"),
    ({"test": (np.zeros((4, 3)), np.zeros(4, dtype=int))}, r"x must be a float array of shape \(batch, 2\)"),
    ({"test": "x"}, "test must be a pair"),
])
def test_bad_evaluation_settings(kwargs, match):
    x, y = make_data("moons", n=64, seed=0)
    with pytest.raises(ValueError, match=match):
        train(x, y, depth=1, width=4, steps=12, batch_size=16, **kwargs)


def test_weights_count_every_trained_parameter():
    p = NetworkProblem(depth=2, width=16)
    params = init_mlp([64, 16, 16, 10], "tanh", "xavier")
    assert p.weights == sum(W.size + b.size for W, b in params) == 64 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10
    assert NetworkProblem(data="moons", depth=1, width=4).weights == 2 * 4 + 4 + 4 * 2 + 2


def test_work_beyond_the_limit_is_refused_naming_how_much_fits():
    from networks.problem import MAX_WORK

    big = NetworkProblem(depth=4, width=256, batch_size=256)
    fits = MAX_WORK // (256 * big.weights)
    big.check_work(fits, "a test")
    with pytest.raises(ValueError, match=f"a test may take at most {fits:,} minibatch updates on this network"):
        big.check_work(fits + 1, "a test")
    NetworkProblem().check_work(1000, "a range test")  # the default network takes the longest range test
