"""The grid search beside the range test, the run at one rate, the verdicts on the suggestions, and the
cyclical bounds."""

import math

import numpy as np
import pytest

from networks.problem import NetworkProblem
from optimizers import OPTIMIZERS, run
from scenes import lr_grid as grid
from scenes.lr_range import KEYS, lr_range_test
from surfaces import SURFACES

QUADRATIC = SURFACES["quadratic"]
SMALL_NET = NetworkProblem(data="moons", n=300, depth=1, width=8, batch_size=20)


def bowl_loss(lr, t, start=(-4.0, 1.0)):
    """SGD on ½(u² + 25v²) in closed form: u_t = (1 - ε)^t u_0, v_t = (1 - 25ε)^t v_0."""
    c, s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    x, y = start
    u, v = x * c + y * s, y * c - x * s
    return 0.5 * ((1 - lr) ** (2 * t) * u * u + 25 * (1 - 25 * lr) ** (2 * t) * v * v)


def test_grid_rates_are_log_spaced_from_low_to_high():
    r = grid.grid_rates(1e-4, 10.0, 11)
    np.testing.assert_allclose(np.diff(np.log10(r)), 0.5, rtol=1e-12)
    assert r[0] == 1e-4 and r[-1] == pytest.approx(10.0, rel=1e-15)
    for bad, match in (((1.0, 0.1, 5), r"low must be a number in \(0, 0.1\]"), ((1e-3, 1e-2, 1), "count"),
                       ((1e-3, 1e-2, grid.MAX_RATES + 1), f"from 2 to {grid.MAX_RATES}"),
                       ((1e-3, 1e-3, 5), "below high")):
        with pytest.raises(ValueError, match=match):
            grid.grid_rates(*bad)


def test_grid_on_the_bowl_matches_the_closed_form():
    """Early (20 steps) and final (100 steps) losses equal SGD's closed form on the bowl for every rate,
    and the best rate is the closed form's best of the row."""
    lrs = grid.grid_rates(1e-3, 0.2, 15)
    g = grid.grid_search(QUADRATIC, lrs, steps=100)
    assert g.early_steps == 20
    for i, lr in enumerate(lrs):
        assert g.early[i] == pytest.approx(bowl_loss(lr, 20), rel=1e-9)
        assert g.final[i] == pytest.approx(bowl_loss(lr, 100), rel=1e-9)
    assert g.best == int(np.argmin([bowl_loss(lr, 100) for lr in lrs]))
    assert 0.04 < g.best_lr < 0.08  # fast along u, still stable across (ε < 2/25)
    assert g.test_final is None


def test_diverged_runs_score_infinity():
    g = grid.grid_search("rosenbrock", [1e-4, 0.5], steps=50, early_steps=10)
    assert np.isfinite(g.final[0]) and g.final[1] == np.inf and g.best == 0


def test_train_rate_on_a_surface_is_the_runner_at_a_constant_rate():
    r = grid.train_rate(QUADRATIC, 0.05, steps=30, momentum=0.5)
    traj = run(OPTIMIZERS["sgd"].factory(momentum=0.5), QUADRATIC, QUADRATIC.start, 30, 0.05)
    np.testing.assert_array_equal(r.path, traj.xy[:, 0])
    np.testing.assert_array_equal(r.train_loss, traj.loss[:, 0])
    np.testing.assert_array_equal(r.eval_steps, np.arange(31))
    assert r.diverged_at is None and r.test_loss is None and r.minibatch_loss is None


def test_train_rate_on_a_network_evaluates_every_epoch():
    r = grid.train_rate(SMALL_NET, 0.3, steps=50, seed=4)
    per_epoch = SMALL_NET.steps_per_epoch  # 225 // 20 = 11
    np.testing.assert_array_equal(r.eval_steps, [0, 11, 22, 33, 44, 50])
    fit = SMALL_NET.fit(0.3, 50, seed=4, eval_at=r.eval_steps)
    np.testing.assert_array_equal(r.train_loss, fit.train_curve)
    np.testing.assert_array_equal(r.test_loss, fit.test_curve)
    np.testing.assert_array_equal(r.minibatch_loss, fit.loss)
    assert per_epoch == 11 and r.train_loss[-1] < r.train_loss[0]


def test_grid_on_a_network_keeps_training_and_test_losses():
    lrs = grid.grid_rates(1e-3, 3.0, 4)
    g = grid.grid_search(SMALL_NET, lrs, steps=40, early_steps=10, seed=1)
    for i, lr in enumerate(lrs):
        fit = SMALL_NET.fit(lr, 40, seed=1, eval_at=(10, 40))
        assert g.early[i] == fit.train_curve[0] and g.final[i] == fit.train_curve[1] == fit.final_loss
        assert g.test_final[i] == fit.test_loss


def test_grid_progress_is_called_once_per_rate():
    calls = []
    grid.grid_search(QUADRATIC, grid.grid_rates(1e-3, 0.1, 5), steps=10, progress=lambda d, n: calls.append((d, n)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_verdicts_measure_decades_from_the_best_and_the_loss_at_each_suggestion():
    lrs = grid.grid_rates(1e-3, 0.2, 15)
    g = grid.grid_search(QUADRATIC, lrs, steps=100)
    sugg = {k: v for k, v in zip(KEYS, [g.best_lr * 10, g.best_lr / 100, g.best_lr * 2, math.nan, 1e-3, 0.01],
                                 strict=True)}
    trained = grid.grid_search(QUADRATIC, grid.suggested_rates(sugg), steps=100)
    verdicts = grid.judge(sugg, g, trained)
    assert [v.key for v in verdicts] == list(KEYS)
    decades = [v.decades for v in verdicts]
    assert decades[0] == pytest.approx(1.0) and decades[1] == pytest.approx(-2.0)
    assert decades[2] == pytest.approx(math.log10(2)) and math.isnan(decades[3])
    assert grid.nearest(verdicts).key == "fastai_minimum"
    for v in verdicts:
        if math.isfinite(v.lr):
            assert v.final == pytest.approx(bowl_loss(v.lr, 100), rel=1e-9)
        else:
            assert math.isnan(v.final)
    assert np.isnan([v.test_final for v in verdicts]).all()
    assert grid.nearest(grid.judge(dict.fromkeys(KEYS, math.nan), g)) is None


def test_cyclic_bounds_take_the_smoothed_minimum_and_a_quarter_of_it():
    t = lr_range_test(QUADRATIC, start_lr=1e-5, end_lr=10.0, num_iter=100)
    top = t.lrs[np.argmin(t.smoothed)]
    b = grid.cyclic_bounds(t)
    assert b["cyclic"] == {"base_lr": top / 4, "max_lr": top}
    assert b["onecycle"] == {"max_lr": top, "div_factor": 4.0}
    assert grid.cyclic_bounds(t, 3)["cyclic"]["base_lr"] == top / 3
    steep = grid.cyclic_bounds(t, rule="steep")
    assert steep["cyclic"]["max_lr"] == t.suggestions()["fastai_steep"]
    for bad in (2.0, 5.0, True, "4"):
        with pytest.raises(ValueError, match="divisor must be a number from 3 to 4"):
            grid.cyclic_bounds(t, bad)
    with pytest.raises(ValueError, match="rule must be one of minimum, steep"):
        grid.cyclic_bounds(t, rule="valley")


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    ((QUADRATIC, []), {}, "1 to 40 rates"),
    ((QUADRATIC, [0.1, -1.0]), {}, r"every rate of the grid must be a number in \(0, 1000\]"),
    ((QUADRATIC, [0.1]), {"steps": 0}, "steps must be a whole number from 1 to 2000"),
    ((QUADRATIC, [0.1]), {"steps": 10, "early_steps": 11}, "early_steps must be a whole number from 1 to 10"),
    ((QUADRATIC, [0.1]), {"optimizer": "nope"}, "valid optimizers are"),
    (("saddle", [0.1]), {}, "no minimum"),
])
def test_bad_grids_name_the_valid_range(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        grid.grid_search(*args, **kwargs)


def test_the_grid_takes_one_to_max_rates_and_no_more():
    """The bounds themselves (found by mutation testing: MAX_RATES rates refused passed every test)."""
    most = grid.grid_rates(1e-4, 1.0, grid.MAX_RATES)
    assert len(grid.grid_search(QUADRATIC, most, steps=5).lrs) == grid.MAX_RATES
    assert len(grid.grid_search(QUADRATIC, [0.01], steps=5).lrs) == 1
    for bad in ([], [*most, 2.0]):
        with pytest.raises(ValueError, match=f"a grid search takes 1 to {grid.MAX_RATES} rates, not {len(bad)}"):
            grid.grid_search(QUADRATIC, bad, steps=5)
