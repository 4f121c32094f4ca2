"""The seeded 2-D data sets."""

import numpy as np
import pytest

from networks import DATASETS, make_data


@pytest.mark.parametrize("name", list(DATASETS))
def test_shapes_balance_and_scale(name):
    x, y = make_data(name, n=301, seed=3)
    assert x.shape == (301, 2) and x.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    assert set(np.unique(y).tolist()) == {0, 1} and abs(int(y.sum()) - 150) <= 1
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", list(DATASETS))
def test_seeded(name):
    a, b, c = make_data(name, seed=1), make_data(name, seed=1), make_data(name, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_the_classes_are_not_linearly_separable_but_are_structured():
    """Spirals: a linear model is far from separating them, the nearest neighbour almost always does."""
    x, y = make_data("spirals", n=400, noise=0.0, seed=0)
    design = np.hstack((x, np.ones((len(x), 1))))
    w = np.linalg.lstsq(design, 2.0 * y - 1.0, rcond=None)[0]
    assert np.mean((design @ w > 0) == y) < 0.75
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert np.mean(y[d.argmin(axis=1)] == y) > 0.95


@pytest.mark.parametrize(("kw", "match"), [
    ({"name": "mnist"}, "valid data sets are: spirals, moons, circles"),
    ({"n": 3}, "n must be a whole number from 4 to 10000"),
    ({"n": 10_001}, "n must be a whole number from 4 to 10000"),
    ({"noise": -0.1}, "noise must be a number from 0 to 1"),
    ({"noise": float("nan")}, "noise must be a number from 0 to 1"),
])
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        make_data(**kw)
