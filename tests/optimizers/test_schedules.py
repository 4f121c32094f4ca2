"""Learning-rate schedules against literal rates from torch.optim.lr_scheduler (written by
make_expected_schedules.py), without torch; vectorized calls, validation and the registry."""

import json
from pathlib import Path

import numpy as np
import pytest

from optimizers import OPTIMIZERS, SCHEDULES, UnknownName, run
from optimizers.runner import lr_table
from optimizers.schedules import MAX_STEP, Schedule
from surfaces import SURFACES

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected_schedules.json").read_text())
CASES = EXPECTED["cases"]
KEYS = ["constant", "step", "multistep", "linear", "exponential", "cosine", "cosine_restarts", "polynomial",
        "cyclic", "onecycle"]


def case_id(case):
    return case["key"] + "-" + ("default" if not case["settings"] else
                                ",".join(f"{k}={v}" for k, v in case["settings"].items())) + (
        f"-from-{case['first']}" if case["first"] else "")


def steps_of(case):
    return np.arange(case["first"], case["first"] + len(case["lrs"]))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_torch_literally(case):
    expected = np.array(case["lrs"])
    got = SCHEDULES[case["key"]].factory(**case["settings"])(steps_of(case))
    # relative error below 1e-12 at every step; a rate of exactly 0 must be exactly 0
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("case", [c for c in CASES if c["first"]], ids=case_id)
def test_late_cosine_rates_are_torchs_recursion_not_the_closed_form(case):
    s = {"lr": 0.01, "eta_min": 0.0} | case["settings"]
    closed = s["eta_min"] + (s["lr"] - s["eta_min"]) * (1 + np.cos(np.pi * steps_of(case) / s["T_max"])) / 2
    expected = np.array(case["lrs"])
    keep = expected != 0
    assert np.max(np.abs(closed[keep] - expected[keep]) / expected[keep]) > 1e-12


def test_expected_cover_every_schedule_with_defaults_and_other_settings():
    assert sorted(SCHEDULES) == sorted(KEYS)
    assert all(len(c["lrs"]) == EXPECTED["steps"] for c in CASES if not c["first"])
    for key in KEYS:
        settings = [c["settings"] for c in CASES if c["key"] == key and not c["first"]]
        assert {} in settings, key
        assert any(settings), key


def test_expected_file_is_not_trivial():
    # the literal rates move: a schedule returning its first value would fail the comparison
    for case in CASES:
        if case["key"] != "constant":
            assert len(set(case["lrs"])) >= 2, case_id(case)
    assert sum(len(set(case["lrs"])) > 100 for case in CASES) >= 12


@pytest.mark.parametrize("key", KEYS)
def test_vectorized_call_equals_per_int_calls(key):
    settings = next(c["settings"] for c in CASES if c["key"] == key and c["settings"])
    sched = SCHEDULES[key].factory(**settings)
    steps = np.array([250, 0, 3, 299, 17, 17, 120, 1])
    many = sched(steps)
    assert many.dtype == np.float64 and many.shape == steps.shape
    singles = [sched(int(t)) for t in steps]
    assert all(type(v) is float for v in singles)
    assert many.tolist() == singles
    assert sched(np.int64(17)) == singles[4]
    grid = sched(steps.reshape(2, 4))
    assert grid.shape == (2, 4) and grid.ravel().tolist() == singles
    # a fresh schedule asked in another order gives the same numbers (no state leaks between calls)
    fresh = SCHEDULES[key].factory(**settings)
    assert [fresh(int(t)) for t in steps[::-1]] == singles[::-1]


def test_results_are_copies_and_table_is_read_only():
    sched = SCHEDULES["cosine"].factory(lr=0.1, T_max=50)
    first = sched(np.arange(10))
    first[:] = -1.0
    assert sched(3) > 0
    with pytest.raises(ValueError):
        sched.table(10)[0] = 1.0


def test_runner_lr_table_takes_a_schedule():
    sched = SCHEDULES["onecycle"].factory(max_lr=0.05, total_steps=200)
    np.testing.assert_array_equal(lr_table(sched, 200), sched(np.arange(200)))


def test_a_linear_decay_to_zero_runs_with_torchs_rounding_residue():
    """torch's chained LinearLR decays 1e-7 to -7.401486830834374e-24, not 0 (printed by torch 2.13 for
    SGD(lr=1e-5), LinearLR(start_factor=0.01, end_factor=0, total_iters=6)); torch steps with it, and so
    must the runner (it refused the run). A rate below 0 by more than rounding is still refused."""
    sched = SCHEDULES["linear"].factory(lr=1e-5, start_factor=0.01, end_factor=0.0, total_iters=6)
    torch_lrs = [1.0000000000000001e-07, 8.333333333333334e-08, 6.666666666666667e-08, 5e-08, 3.333333333333333e-08,
                 1.666666666666666e-08, -7.401486830834374e-24, -7.401486830834374e-24]
    assert lr_table(sched, 8).tolist() == torch_lrs
    traj = run(OPTIMIZERS["sgd"].factory(), SURFACES["quadratic"], (1.0, 1.0), 8, sched)
    assert traj.lr.tolist() == torch_lrs and not traj.diverged.any()
    for bad in ([0.1, -1e-15], [-1e-30] * 3, [0.0, -1e-300]):
        with pytest.raises(ValueError, match="at least 0"):
            lr_table(lambda t, bad=bad: np.array(bad), len(bad))


def test_polynomial_power_one_is_the_lectures_linear_decay():
    # the lecture: eps_t = eps_0 - alpha t; PolynomialLR with power 1 and alpha = eps_0 / T, 0 from T on
    for lr, total in [(0.01, 300), (0.5, 7), (0.03, 1000)]:
        sched = SCHEDULES["polynomial"].factory(lr=lr, total_iters=total, power=1.0)
        t = np.arange(total)
        np.testing.assert_allclose(sched(t), lr - lr / total * t, rtol=1e-12, atol=0)
        assert np.all(sched(np.arange(total, total + 50)) == 0.0)


def test_onecycle_stays_at_its_last_rate_past_total_steps():
    for strategy in ("cos", "linear"):
        for three in (False, True):
            sched = SCHEDULES["onecycle"].factory(max_lr=0.1, total_steps=100, anneal_strategy=strategy,
                                                  three_phase=three)
            last = sched(99)
            # exactly min_lr for cos; (end - start) * 1 + start carries start's rounding for linear
            np.testing.assert_allclose(last, 0.1 / 25 / 1e4, rtol=1e-12 if strategy == "cos" else 1e-10)
            assert np.all(sched(np.arange(100, 2000)) == last)
            assert sched(0) == pytest.approx(0.1 / 25, rel=1e-12)


def test_cosine_climbs_back_past_t_max():
    sched = SCHEDULES["cosine"].factory(lr=0.1, T_max=50, eta_min=0.01)
    lrs = sched(np.arange(201))
    assert lrs[50] == pytest.approx(0.01, rel=1e-12) and lrs[100] == pytest.approx(0.1, rel=1e-12)
    assert lrs[150] == pytest.approx(0.01, rel=1e-12) and lrs[200] == pytest.approx(0.1, rel=1e-12)


def test_step_and_multistep_decay_at_their_steps():
    step = SCHEDULES["step"].factory(lr=1.0, step_size=10, gamma=0.5)
    assert step(np.array([0, 9, 10, 19, 20])).tolist() == [1.0, 1.0, 0.5, 0.5, 0.25]
    multi = SCHEDULES["multistep"].factory(lr=1.0, milestones=[5, 0, 5], gamma=0.5)
    assert multi(np.array([0, 4, 5, 100])).tolist() == [0.5, 0.5, 0.125, 0.125]


@pytest.mark.parametrize("key, settings, says", [
    ("constant", {"lr": -0.1}, "lr takes a number in [0, inf)"),
    ("step", {"step_size": 0}, "step_size takes a whole number in [1, 1,000,000,000]"),
    ("step", {"step_size": 2.5}, "step_size"),
    ("step", {"gamma": -0.5}, "gamma takes a number in [0, inf)"),
    ("multistep", {"milestones": [10, -1]}, "milestones takes one or more whole numbers, each in [0, 1,000,000,000]"),
    ("linear", {"start_factor": 0.0}, "start_factor takes a number in (0, 1]"),
    ("linear", {"end_factor": 1.5}, "end_factor takes a number in [0, 1]"),
    ("linear", {"total_iters": 0}, "total_iters takes a whole number in [1, 1,000,000,000]"),
    ("exponential", {"gamma": float("nan")}, "gamma"),
    ("cosine", {"T_max": 0}, "T_max takes a whole number in [1, 1,000,000,000]"),
    ("cosine", {"eta_min": -1e-3}, "eta_min takes a number in [0, inf)"),
    ("cosine_restarts", {"T_0": 0}, "T_0 takes a whole number in [1, 1,000,000,000]"),
    ("cosine_restarts", {"T_mult": 0}, "T_mult takes a whole number in [1, 1,000,000,000]"),
    ("polynomial", {"power": -1.0}, "power takes a number in [0, inf)"),
    ("polynomial", {"total_iters": 0}, "total_iters"),
    ("cyclic", {"mode": "sawtooth"}, "one of triangular, triangular2, exp_range"),
    ("cyclic", {"step_size_up": 0}, "step_size_up takes a whole number in [1, 1,000,000,000]"),
    ("cyclic", {"step_size_down": -2}, "or None (the same as step_size_up)"),
    ("cyclic", {"gamma": 1.5}, "gamma takes a number in [0, 1]"),
    ("onecycle", {"pct_start": 1.2}, "pct_start takes a number in [0, 1]"),
    ("onecycle", {"anneal_strategy": "cosine"}, "one of cos, linear"),
    ("onecycle", {"div_factor": 0.0}, "div_factor takes a number in (0, inf)"),
    ("onecycle", {"total_steps": 0}, "total_steps takes a whole number in [1, 1,000,000,000]"),
    ("onecycle", {"three_phase": "maybe"}, "True or False"),
    ("onecycle", {"total_steps": 10, "pct_start": 0.1}, "pct_start × total_steps must not be 1"),
])
def test_invalid_settings_raise_a_value_error_naming_what_is_valid(key, settings, says):
    with pytest.raises(ValueError) as info:
        SCHEDULES[key].factory(**settings)
    assert says in str(info.value)


def test_unknown_hyperparameter_lists_the_valid_ones():
    with pytest.raises(ValueError, match="T_max, eta_min"):
        SCHEDULES["cosine"].factory(T_0=10)
    with pytest.raises(ValueError, match="base_lr"):
        SCHEDULES["cyclic"].factory(lr=0.1)  # CyclicLR takes base_lr, not the optimizer's rate


def test_unknown_schedule_lists_the_keys():
    with pytest.raises(ValueError) as info:
        SCHEDULES["warmup"]
    assert isinstance(info.value, UnknownName)
    for key in KEYS:
        assert key in str(info.value)


@pytest.mark.parametrize("bad", [-1, 2.0, np.array([0.0, 1.0]), np.array([3, -2]), True, MAX_STEP + 1, "3"])
def test_bad_steps_raise_a_value_error(bad):
    with pytest.raises(ValueError, match="schedule takes"):
        SCHEDULES["step"].factory()(bad)


def test_empty_step_array_gives_an_empty_float_array():
    out = SCHEDULES["exponential"].factory()(np.arange(0))
    assert out.shape == (0,) and out.dtype == np.float64


@pytest.mark.parametrize("key", KEYS)
def test_spec_describes_the_schedule(key):
    spec = SCHEDULES[key]
    assert spec.key == key and spec.title and spec.note and spec.latex.startswith(r"\varepsilon_t =")
    assert spec.torch_class.startswith("torch.optim.lr_scheduler.")
    assert spec.latex == " ".join(spec.make.__doc__.split())
    assert (spec.lr is not None) == (key not in ("cyclic", "onecycle"))
    if spec.lr is not None:
        assert spec.param("lr") is spec.lr
    for p in spec.params:
        assert p.validate(p.default, spec.title) == p.default or p.default is None
        if p.widget is not None and p.kind in ("float", "int"):
            for end in p.widget:
                p.validate(end, spec.title)  # a widget never offers an invalid value
    sched = spec.factory()
    assert isinstance(sched, Schedule)
    lrs = sched(np.arange(5000))
    assert np.all(np.isfinite(lrs)) and np.all(lrs >= 0) and lrs[0] > 0


@pytest.mark.parametrize("key", ["cyclic", "onecycle"])
def test_momentum_cycling_is_off_in_the_torch_counterpart(key):
    assert SCHEDULES[key].torch_extra == {"cycle_momentum": False}
