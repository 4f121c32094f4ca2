"""The range test itself: its rates, Gugger's smoothing, the stop rule, and what it records on surfaces and
on a network."""

import math

import numpy as np
import pytest

from networks.problem import NetworkProblem
from optimizers import OPTIMIZERS, run
from scenes.lr_range import KEYS, MAX_ITER, MIN_ITER, lr_range_test, smooth, stop_index, suggest_lr
from surfaces import SURFACES

QUADRATIC = SURFACES["quadratic"]  # ½(u² + 25 v²): SGD is stable below ε = 2/25


def test_smoothing_is_guggers_bias_corrected_average():
    """a_0 = 0.02·2, a_1 = 0.98 a_0 + 0.02·0; smoothed a_i / (1 - 0.98^(i+1)): 2, then 0.0392/0.0396."""
    out = smooth([2.0, 0.0, 1.0], 0.98)
    assert out[0] == pytest.approx(2.0, rel=1e-15)
    assert out[1] == pytest.approx(0.0392 / 0.0396, rel=1e-14)
    a2 = 0.98 * 0.0392 + 0.02
    assert out[2] == pytest.approx(a2 / (1 - 0.98**3), rel=1e-14)
    np.testing.assert_allclose(smooth(np.full(50, 3.0), 0.98), 3.0, rtol=1e-13)  # a constant stays itself
    np.testing.assert_array_equal(smooth([1.0, 5.0, 2.0], 0.0), [1.0, 5.0, 2.0])  # β = 0: no smoothing


def test_stop_rule_compares_with_the_best_earlier_point():
    smoothed = np.array([4.0, 2.0, 1.0, 3.9, 4.1, 9.0])
    assert stop_index(smoothed, smoothed, 4.0) == 4  # 4.1 > 4·1; 3.9 is not
    assert stop_index(smoothed, smoothed, 8.0) == 5
    assert stop_index(smoothed, smoothed, 10.0) is None
    assert stop_index(smoothed, smoothed, None) is None
    assert stop_index(smoothed, smoothed, 4.0, floor=0.5) == 3  # 3.4 > 4·0.5 above the floor
    raw = np.array([4.0, 2.0, np.inf, 1.0])
    assert stop_index(raw, smoothed[:4], None) == 2  # a loss that is not finite always stops
    assert stop_index(np.array([5.0]), np.array([5.0]), 4.0) is None


def test_rates_run_from_start_to_end_geometrically_or_linearly():
    t = lr_range_test(QUADRATIC, start_lr=1e-6, end_lr=1e-2, num_iter=50)
    i = np.arange(50)
    np.testing.assert_array_equal(t.lrs, 1e-6 * (1e-2 / 1e-6) ** (i / 49))
    assert t.lrs[0] == 1e-6 and t.lrs[-1] == pytest.approx(1e-2, rel=1e-15)
    assert t.stopped_at is None and len(t.losses) == 50
    lin = lr_range_test(QUADRATIC, start_lr=1e-4, end_lr=0.05, num_iter=30, mode="linear")
    np.testing.assert_allclose(np.diff(lin.lrs), (0.05 - 1e-4) / 29, rtol=1e-11)
    assert lin.lrs[0] == 1e-4 and lin.lrs[-1] == pytest.approx(0.05, rel=1e-15)


def test_on_a_surface_the_losses_are_the_surface_along_the_path():
    t = lr_range_test(QUADRATIC, start=(-4.0, 1.0), start_lr=1e-4, end_lr=1.0, num_iter=60)
    np.testing.assert_array_equal(t.path[0], [-4.0, 1.0])
    np.testing.assert_allclose(t.losses, QUADRATIC.f(t.path), rtol=1e-15)
    # the same path as the runner gives for the rates of the test: p_{i+1} = p_i - ε_i ∇f(p_i)
    traj = run(OPTIMIZERS["sgd"].factory(), QUADRATIC, (-4.0, 1.0), len(t.lrs) - 1, lambda s: t.lrs[s])
    np.testing.assert_array_equal(t.path, traj.xy[:, 0])
    np.testing.assert_allclose(t.smoothed, smooth(t.losses, 0.98), rtol=1e-15)


def test_sgd_on_the_bowl_falls_until_two_over_the_curvature_then_blows_up():
    """On ½(u² + 25v²) every SGD step with ε < 2/25 shrinks both coordinates, so the loss never rises
    before the rate passes 0.08; beyond, v grows by |1 - 25ε| > 1 a step and the test stops past it."""
    t = lr_range_test(QUADRATIC, start_lr=1e-5, end_lr=10.0, num_iter=100)
    stable = t.lrs < 2 / 25
    assert (np.diff(t.losses[stable]) <= 0).all()
    assert t.stopped_at is not None and t.lrs[t.stopped_at] > 2 / 25
    i = t.stopped_at
    assert t.smoothed[i] > 4 * t.smoothed[:i].min()  # the recorded last point is the one that diverged
    assert (t.smoothed[1:i] <= 4 * np.minimum.accumulate(t.smoothed)[: i - 1]).all()  # no earlier one did
    assert len(t.lrs) == len(t.losses) == len(t.smoothed) == len(t.path) == i + 1
    assert t.message == "" and not t.diverged_early


def test_on_a_surface_below_zero_the_rule_measures_from_the_minimum():
    """Styblinski-Tang reaches -78: once the smoothed loss is below zero, "4 × the best" measured from 0
    is below every value, and the tools' rule stops the test at the first point after (57 here). Measured
    from f(x*) the test runs on to the real blow-up (78)."""
    st = SURFACES["styblinski_tang"]
    t = lr_range_test(st, start_lr=1e-5, end_lr=10.0, num_iter=100)
    assert t.floor == pytest.approx(-78.33233140754284, rel=1e-12)
    assert t.losses.min() < -50  # the path does go below zero
    assert t.stopped_at == 78
    i = t.stopped_at
    assert t.smoothed[i] - t.floor > 4 * (t.smoothed[:i].min() - t.floor)
    assert stop_index(t.losses, t.smoothed, 4.0, floor=0.0) == 57 == np.flatnonzero(t.smoothed < 0)[1]


def test_noisy_moons_takes_seeded_minibatch_gradients():
    moons = SURFACES["noisy_moons"]
    a, b, c = (lr_range_test(moons, start_lr=1e-3, end_lr=50.0, num_iter=80, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.losses, c.losses)
    np.testing.assert_allclose(a.losses, moons.f(a.path), rtol=1e-15)  # the whole data's loss at each point
    traj = run(OPTIMIZERS["sgd"].factory(), moons, moons.start, len(a.lrs) - 1, lambda s: a.lrs[s], seed=1)
    np.testing.assert_array_equal(a.path, traj.xy[:, 0])


def test_a_surface_that_overflows_records_inf_and_stops_there():
    t = lr_range_test("rosenbrock", start_lr=1e-4, end_lr=1000.0, num_iter=100, diverge_th=None)
    assert t.stopped_at is not None and np.isinf(t.losses[-1]) and np.isfinite(t.losses[:-1]).all()


def test_optimizer_settings_reach_the_optimizer():
    plain = lr_range_test(QUADRATIC, start_lr=1e-4, end_lr=1.0, num_iter=40)
    heavy = lr_range_test(QUADRATIC, start_lr=1e-4, end_lr=1.0, num_iter=40, momentum=0.9)
    traj = run(OPTIMIZERS["sgd"].factory(momentum=0.9), QUADRATIC, QUADRATIC.start, len(heavy.lrs) - 1,
               lambda s: heavy.lrs[s])
    np.testing.assert_array_equal(heavy.path, traj.xy[:, 0])
    assert not np.array_equal(plain.losses[:10], heavy.losses[:10])


def test_on_a_network_the_losses_are_the_minibatch_losses_of_training():
    problem = NetworkProblem(data="moons", n=400, depth=1, width=16, batch_size=32)
    t = lr_range_test(problem, start_lr=1e-4, end_lr=10.0, num_iter=60, seed=3, momentum=0.9)
    fit = problem.fit(lambda s: t.lrs[s], len(t.lrs), optimizer=OPTIMIZERS["sgd"].factory(momentum=0.9), seed=3)
    np.testing.assert_array_equal(t.losses, fit.loss)
    assert t.path is None and t.floor == 0.0


def test_default_network_shows_a_valley_and_a_blow_up():
    """The page's network, SGD with momentum 0.9 from 1e-4 to 10: the smoothed loss falls below half
    its start, then the test stops on the 4 × rule."""
    t = lr_range_test(NetworkProblem(), start_lr=1e-4, end_lr=10.0, num_iter=200, momentum=0.9)
    assert t.smoothed.min() < 0.5 * t.smoothed[0]
    assert t.stopped_at is not None and t.smoothed[-1] > 4 * t.smoothed.min()


def test_a_test_that_diverges_at_once_returns_what_it_has_and_says_so():
    t = lr_range_test(QUADRATIC, start_lr=1.0, end_lr=10.0, num_iter=100)
    assert t.stopped_at is not None and t.stopped_at < 5
    assert len(t.lrs) == t.stopped_at + 1
    assert t.diverged_early
    assert f"iteration {t.stopped_at + 1} of 100" in t.message and "fastai_slide" in t.message
    out = t.suggestions()
    assert set(out) == set(KEYS) and math.isnan(out["fastai_valley"]) and math.isnan(out["lightning"])


def test_suggestions_use_the_iterations_asked_for():
    t = lr_range_test(QUADRATIC, start_lr=1e-5, end_lr=10.0, num_iter=300)
    assert t.stopped_at is not None and t.stopped_at < 299
    assert t.suggestions() == suggest_lr(t.lrs, t.smoothed, num_iter=300)
    assert t.suggestions()["fastai_minimum"] == pytest.approx(t.lrs[30:-5][np.argmin(t.smoothed[30:-5])] / 10)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"start_lr": 1e-2, "end_lr": 1e-3}, r"start_lr must be a number in \(0, 0.001\]"),
    ({"start_lr": 1e-3, "end_lr": 1e-3}, "below end_lr"),
    ({"start_lr": 0.0}, r"start_lr must be a number in \(0"),
    ({"end_lr": 1e4}, r"end_lr must be a number in \(0, 1000\]"),
    ({"num_iter": MIN_ITER - 1}, f"num_iter must be a whole number from {MIN_ITER} to {MAX_ITER}"),
    ({"num_iter": MAX_ITER + 1}, f"from {MIN_ITER} to {MAX_ITER}"),
    ({"num_iter": 50.0}, "whole number"),
    ({"mode": "cosine"}, "mode must be one of exp, linear"),
    ({"beta": 1.0}, r"beta must be a number in \[0, 1\)"),
    ({"beta": -0.1}, r"beta must be a number in \[0, 1\]"),
    ({"diverge_th": 1.0}, r"diverge_th must be a number in \(1, 1e\+06\]"),
    ({"optimizer": "sgdd"}, "unknown optimizer 'sgdd'; valid optimizers are: sgd, momentum"),
    ({"optimizer": "sgd", "momentum": -1}, "momentum"),
    ({"optimizer": "adam", "lr": 0.1}, "has no hyperparameter 'lr'"),
    ({"seed": -1}, "seed must be a whole number from 0"),
    ({"start": (np.nan, 0.0)}, "finite"),
])
def test_bad_settings_name_the_valid_range(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lr_range_test(QUADRATIC, **kwargs)


def test_bad_problems_are_refused():
    with pytest.raises(ValueError, match="valid surfaces are: saddle, beale"):
        lr_range_test("nowhere")
    with pytest.raises(ValueError, match="no minimum"):
        lr_range_test("saddle")
    with pytest.raises(ValueError, match="NetworkProblem"):
        lr_range_test(42)
    with pytest.raises(ValueError, match="a network starts from its seeded initialization"):
        lr_range_test(NetworkProblem(data="moons", n=100), start=(0.0, 0.0))
    with pytest.raises(ValueError, match=r"width .* from 2 to 256"):
        NetworkProblem(width=1024)  # a network too large
    with pytest.raises(ValueError, match=r"depth .* from 1 to 4"):
        NetworkProblem(depth=9)


def test_a_network_too_large_for_the_iterations_is_refused():
    big = NetworkProblem(depth=4, width=256, batch_size=512)
    with pytest.raises(ValueError, match="a range test may take at most 18 minibatch updates on this network"):
        lr_range_test(big, num_iter=100)
