"""The learning-rate page's settings (LrLab): what they accept and refuse, their link round trip, what they
compute, and what the page says of it (the nearest-suggestion sentence, the bounds note, the explorer links)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenes as sc
from networks.problem import MAX_WORK, NetworkProblem
from optimizers import OPTIMIZERS
from scenes import lr_lab as L
from scenes.lr_grid import grid_rates, grid_search, judge, suggested_rates
from scenes.lr_range import KEYS, RULES, lr_range_test
from tests.scenes.lr_sentence import check_sentence

SMALL = L.LrLab(problem="moons", width=8, rates=6, steps=30, seeds=2, epochs=2, num_iter=60)


def fast(examples):
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
                    derandomize=True)


# ---- accepted and refused ------------------------------------------------------------------------

def test_defaults_are_the_network_on_digits_with_plain_sgd_and_an_empty_link():
    lab = L.LrLab()
    assert (lab.problem, lab.optimizer, lab.params, lab.depth, lab.width) == ("digits", "sgd", (), 1, 64)
    assert lab.network_problem() == NetworkProblem()  # the benchmarks' default network
    assert lab.plain_sgd() and (lab.start_lr, lab.end_lr, lab.num_iter, lab.stop, lab.mode) == (1e-5, 10.0, 100, 4.0,
                                                                                              "exp")
    assert L.to_query(lab) == {} and L.from_query({}) == (lab, [])


@pytest.mark.parametrize("kwargs, message", [
    ({"start_lr": 20.0}, r"start_lr=20 must lie below end_lr=10.*\(0, 1000\]"),
    ({"start_lr": 1.0, "end_lr": 1.0}, "start_lr=1 must lie below end_lr=1"),
    ({"num_iter": 10}, r"num_iter=10 is not valid; num_iter takes a whole number in \[25, 1,000\]"),
    ({"num_iter": 2000}, r"num_iter takes a whole number in \[25, 1,000\]"),
    ({"stop": 1.0}, r"stop takes a number in \(1, 1e\+06\]"),
    ({"seeds": 0}, r"seeds takes a whole number in \[1, 5\]"),
    ({"width": 256, "depth": 4}, r"a grid search of 20 rates × 100 minibatches may take at most 288 minibatch"),
    ({"width": 256, "depth": 4, "rates": 2, "steps": 100, "num_iter": 1000},
     r"a range test of 1000 iterations may take at most 288"),
    ({"epochs": 100}, r"epochs=100: the schedules train 4,200 minibatches \(42 per epoch\); choose epochs from 1 "
                      "to 47"),
    ({"depth": 5}, r"depth takes a whole number in \[1, 4\]"),
    ({"batch_size": 1000}, r"batch_size takes a whole number in \[2, 512\]"),
    ({"problem": "saddle"}, "problem='saddle' is unknown; valid problems are: digits, moons, beale"),
    ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'; valid optimizers are: sgd"),
    ({"params": (("momentum", -1),)}, r"momentum=-1 is not valid"),
    ({"params": (("nesterov", True),)}, "nesterov"),
    ({"rate": 0.0}, r"rate=0.0 is not valid; rate takes a number in \(0, 1000\]"),
    ({"mode": "cosine"}, "mode takes one of exp, linear"),
])
def test_bad_settings_name_the_valid_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        L.LrLab(**kwargs)


def test_the_work_a_network_may_ask_is_what_its_message_says():
    """The refused grid of the message above: 288 updates fit in MAX_WORK, 289 do not."""
    p = NetworkProblem(depth=4, width=256)
    per_update = p.batch_size * p.weights
    assert 288 * per_update <= MAX_WORK < 289 * per_update
    L.LrLab(depth=4, width=256, rates=2, steps=144, num_iter=288, epochs=1)  # 6 schedules × 1 epoch × 42 = 252
    for refused in ({"steps": 145}, {"num_iter": 289}, {"epochs": 2}):
        with pytest.raises(ValueError, match="may take at most 288 minibatch updates"):
            L.LrLab(**{"depth": 4, "width": 256, "rates": 2, "steps": 144, "num_iter": 288, "epochs": 1, **refused})


def test_seeds_are_drawn_only_where_they_change_the_test():
    assert L.LrLab(problem="beale", seeds=4).seeds_drawn == 1
    assert L.LrLab(problem="noisy_moons", seeds=4).seeds_drawn == 4  # its minibatches
    assert L.LrLab(problem="moons", seeds=4).seeds_drawn == 4  # initialization and minibatches
    assert not L.LrLab(params=(("momentum", 0.9),)).plain_sgd() and not L.LrLab(optimizer="adam").plain_sgd()


# ---- the link round trip -------------------------------------------------------------------------

def _optimizer_settings():
    return st.one_of(
        st.tuples(st.just("sgd"), st.fixed_dictionaries({}, optional={"momentum": st.sampled_from([0.0, 0.5, 0.9]),
                                                                        "weight_decay": st.floats(0, 0.1)})),
        st.tuples(st.just("adam"), st.fixed_dictionaries({}, optional={"betas": st.tuples(st.floats(0, 0.99),
                                                                                           st.floats(0.5, 0.999))})),
        st.tuples(st.sampled_from(list(OPTIMIZERS)), st.just({})))


FIELDS = {
    "problem": st.sampled_from(L.PROBLEMS),
    "start_lr": st.floats(1e-9, 1.0),
    "end_lr": st.floats(1e-3, 1000.0),
    "num_iter": st.integers(20, 1000),
    "mode": st.sampled_from(["exp", "linear"]),
    "stop": st.floats(0.5, 100.0),
    "seeds": st.integers(1, 5),
    "rates": st.integers(2, 40),
    "steps": st.integers(5, 2000),
    "depth": st.integers(1, 4),
    "width": st.integers(2, 256),
    "batch_size": st.integers(2, 512),
    "epochs": st.integers(1, 100),
    "presentation": st.booleans(),
    "rate": st.one_of(st.none(), st.floats(1e-9, 1000.0)),
}


def test_every_valid_setting_survives_the_link_round_trip():
    seen = Counter()

    @fast(400)
    @given(values=st.fixed_dictionaries({}, optional=FIELDS), opt=_optimizer_settings())
    def check(values, opt):
        try:
            lab = L.LrLab(**values, optimizer=opt[0], params=tuple(opt[1].items()))
        except ValueError as e:
            seen["refused"] += 1
            assert str(e)
            return
        seen["accepted"] += 1
        query = L.to_query(lab)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
        assert L.from_query(query) == (lab, [])
        assert L.from_query({k: [v] for k, v in query.items()}) == (lab, [])  # Streamlit may hand lists

    check()
    assert seen["accepted"] >= 150 and seen["refused"] >= 50, seen


WILD_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["nan", "inf", "-1", "0", "1e400", "none", "sgd(lr=1)",
                                                             "adam(betas=0.9/2)", "sgd(momentum=0.9", "1.5", "true"]),
                      st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True).map(repr))


def test_any_link_opens_with_a_warning_for_every_value_it_ignored():
    seen = Counter()

    @fast(400)
    @given(query=st.dictionaries(st.sampled_from([*L.FIELDS, "x", "scene"]), WILD_TEXT, max_size=4))
    def check(query):
        lab, warnings = L.from_query(query)
        assert isinstance(lab, L.LrLab) and all(isinstance(w, str) and w for w in warnings)
        for key, text in query.items():
            if key not in L.FIELDS:
                assert any("unknown link parameters ignored" in w and key in w for w in warnings)
                continue
            alone, refused = L.from_query({key: text})
            differs = getattr(lab, key) != getattr(alone, key) or (key == "optimizer" and lab.params != alone.params)
            if refused or differs:
                assert any(key in w for w in warnings), (key, text, warnings)
        seen["warned" if warnings else "clean"] += 1

    check()
    assert seen["warned"] >= 200 and seen["clean"] >= 1, seen


def test_a_link_keeps_what_is_valid_together_and_warns_about_the_rest():
    lab, warnings = L.from_query({"problem": "beale", "optimizer": "sgd(momentum=0.9)", "start_lr": "20",
                                  "num_iter": "5", "rate": "0.02", "zoom": "2"})
    assert (lab.problem, lab.params, lab.rate, lab.start_lr, lab.num_iter) == ("beale", (("momentum", 0.9),), 0.02,
                                                                             1e-5, 100)
    assert any("num_iter takes a whole number in [25, 1,000]" in w for w in warnings)
    assert any(w.startswith("start_lr=20 must lie below end_lr=10") for w in warnings)
    assert any("unknown link parameters ignored: zoom" in w for w in warnings)
    assert L.from_query({"start_lr": "20", "end_lr": "100"}) == (L.LrLab(start_lr=20.0, end_lr=100.0), [])
    lab, warnings = L.from_query({"depth": "4", "width": "256"})
    assert (lab.depth, lab.width) == (4, 64) and "width: a grid search of 20 rates" in warnings[0]
    assert L.from_query({"optimizer": "adam(lr=3)"})[1] == [
        "optimizer: write the rate as rate=..., not inside optimizer=(...)"]


# ---- what it computes ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    return L.compute(SMALL)


def test_compute_runs_one_range_test_per_seed_and_the_grid_from_seed_0(small):
    p = SMALL.network_problem()
    assert len(small.tests) == 2
    for seed, t in enumerate(small.tests):
        ref = lr_range_test(p, "sgd", start_lr=1e-5, end_lr=10.0, num_iter=60, seed=seed)
        np.testing.assert_array_equal(t.losses, ref.losses)
        np.testing.assert_array_equal(t.smoothed, ref.smoothed)
    assert not np.array_equal(small.tests[0].losses[:10], small.tests[1].losses[:10])  # seeds differ
    grid = grid_search(p, grid_rates(1e-5, 10.0, 6), steps=30)
    np.testing.assert_array_equal(small.grid.final, grid.final)
    np.testing.assert_array_equal(small.grid.early, grid.early)
    sugg = small.tests[0].suggestions()
    assert small.verdicts == judge(sugg, grid, grid_search(p, suggested_rates(sugg), steps=30))
    assert small.bounds == sc.cyclic_bounds(small.tests[0], 4.0)


def test_progress_rises_to_the_end():
    calls = []
    L.compute(replace(SMALL, seeds=1, rates=3), progress=lambda f, text: calls.append((f, text)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    assert calls[0][1] == "Range test, seed 0…" and any(t.startswith("Grid search") for _, t in calls)


def test_snap_takes_the_nearest_tested_rate_on_a_log_scale():
    lrs = np.array([1.0, 10.0, 100.0])
    assert L.snap(3.1, lrs) == 1.0 and L.snap(3.2, lrs) == 10.0 and L.snap(1e9, lrs) == 100.0
    assert L.snap(1e-9, lrs) == 1.0


def test_the_chosen_rate_is_fastai_default_unless_one_was_chosen(small):
    t = small.tests[0]
    valley = t.suggestions()["fastai_valley"]
    assert L.chosen(SMALL, t) == L.snap(valley, t.lrs) and L.chosen(SMALL, t) in t.lrs
    assert L.chosen(replace(SMALL, rate=0.3), t) == L.snap(0.3, t.lrs)
    lab = L.LrLab(problem="quadratic", start_lr=1.0, end_lr=10.0, num_iter=25)
    blown = L.compute(lab).tests[0]
    assert blown.diverged_early and L.chosen(lab, blown) == blown.lrs[0] == 1.0


def test_the_rate_run_is_the_grid_rule_at_one_rate(small):
    run = L.rate_run(SMALL, 0.3)
    ref = sc.train_rate(SMALL.network_problem(), 0.3, steps=30, eval_at=run.eval_steps)
    np.testing.assert_array_equal(run.train_loss, ref.train_loss)
    assert run.eval_steps[0] == 0 and run.eval_steps[-1] == 30 and 10 <= len(run.eval_steps) <= 21


def test_schedules_start_from_the_chosen_rate_and_cycle_up_to_max_lr():
    results = L.schedules(SMALL, 0.2, 0.8)
    assert list(results) == list(sc.lr_schedules.LABELS)
    steps = SMALL.schedule_steps
    assert all(len(r.lr) == steps for r in results.values())
    np.testing.assert_array_equal(results["constant"].lr, 0.2)
    assert results["cosine"].lr[0] == results["polynomial"].lr[0] == results["multistep"].lr[0] == 0.2
    assert results["cyclic"].lr.max() == pytest.approx(0.8) and results["cyclic"].lr.min() == pytest.approx(0.2)
    assert results["onecycle"].lr[0] == pytest.approx(0.2) and results["onecycle"].lr.max() == pytest.approx(0.8,
                                                                                                          rel=1e-3)


# ---- the explorer links --------------------------------------------------------------------------

@pytest.mark.parametrize("problem", ["beale", "noisy_moons"])
def test_use_this_rate_opens_the_explorer_on_the_very_path_the_page_draws(problem):
    lab = L.LrLab(problem=problem, params=(("momentum", 0.5),), steps=80)
    scene, warnings = sc.from_query(sc.to_query(L.explorer_scene(lab, 0.0123)))
    assert warnings == [] and scene.surface == problem and scene.steps == 80
    (traj,) = sc.compute(scene)[0].values()
    np.testing.assert_array_equal(traj.xy[:, 0], L.rate_run(lab, 0.0123).path)
    np.testing.assert_array_equal(traj.lr, 0.0123)


def test_the_cyclical_links_run_between_smiths_bounds():
    lab = L.LrLab(problem="quadratic")
    bounds = L.compute(lab).bounds
    base, top = bounds["cyclic"]["base_lr"], bounds["cyclic"]["max_lr"]
    assert base == pytest.approx(top / 4, rel=1e-12)
    (cyclic,) = sc.compute(sc.from_query(sc.to_query(L.explorer_scene(lab, 0.01, "cyclic", bounds)))[0])[0].values()
    assert cyclic.lr.max() == pytest.approx(top, rel=1e-12) and cyclic.lr.min() == pytest.approx(base, rel=1e-12)
    (one,) = sc.compute(sc.from_query(sc.to_query(L.explorer_scene(lab, 0.01, "onecycle", bounds)))[0])[0].values()
    assert one.lr[0] == pytest.approx(base, rel=1e-12) and one.lr.max() == pytest.approx(top, rel=1e-3)
    with pytest.raises(ValueError, match="the explorer shows surfaces"):
        L.explorer_scene(L.LrLab(), 0.1)


# ---- what the page says --------------------------------------------------------------------------

@pytest.mark.parametrize("lab", [L.LrLab(problem="beale"), L.LrLab(problem="noisy_moons"), L.LrLab(),
                                 L.LrLab(params=(("momentum", 0.9),)), SMALL], ids=lambda lab: lab.problem)
def test_the_nearest_sentence_is_true_of_the_grid_and_the_suggestions(lab):
    r = L.compute(lab)
    said = check_sentence(L.nearest_sentence(r.verdicts, r.grid, lab.unit, r.tests[0].losses[0]), r.grid,
                          r.tests[0].suggestions())
    assert said["steps"] == lab.steps
    if lab.problem == "beale":  # the previous helper's finding: fastai's minimum and Gugger's coincide, nearest
        assert said["near_names"] == ["fastai minimum", "Gugger"]


def test_the_sentence_says_when_no_rate_trains_or_every_rate_diverges():
    lab = L.LrLab(start_lr=5.0, end_lr=1000.0, num_iter=25, rates=4)
    r = L.compute(lab)
    text = L.nearest_sentence(r.verdicts, r.grid, lab.unit, r.tests[0].losses[0])
    assert text.startswith("No rate of the grid lowers the loss within 100 minibatches: the lowest, ")
    assert float(text.split("the lowest, ")[1].split(" ")[0]) == float(f"{r.grid.final.min():.3g}")
    assert r.grid.final.min() >= r.tests[0].losses[0]
    gone = r.grid._replace(final=np.full(4, np.inf))
    assert L.nearest_sentence(r.verdicts, gone, "minibatches", 2.3).startswith("Every rate of the grid diverged")


@pytest.mark.parametrize("lab", [L.LrLab(problem="beale"), L.LrLab(problem="quadratic"),
                                 L.LrLab(params=(("momentum", 0.9),)), L.LrLab()], ids=str)
def test_the_bounds_note_says_how_the_grid_rate_nearest_max_lr_trained(lab):
    r = L.compute(lab)
    note = L.bounds_note(lab, r.bounds, r.grid)
    top = r.bounds["cyclic"]["max_lr"]
    i = int(np.argmin(np.abs(np.log(r.grid.lrs) - math.log(top))))
    assert f"max_lr = {top:.3g}" in note and f"base_lr = max_lr / 4 = {top / 4:.3g}" in note
    assert f"nearest max_lr, {r.grid.lrs[i]:.3g}, " in note
    assert ("too high here" in note) == (not np.isfinite(r.grid.final[i]))
    if np.isfinite(r.grid.final[i]):
        assert f"ends at a loss of {r.grid.final[i]:.3g}" in note
    assert ("Smith's rule is for plain SGD" in note) == (not lab.plain_sgd())


def test_the_suggestion_table_holds_every_rule_and_its_figures(small):
    rows = L.suggestion_rows(small, SMALL)
    assert [r["suggestion"] for r in rows] == [L.NAMES[k] for k in KEYS]
    assert [r["rule"] for r in rows] == [RULES[k] for k in KEYS]
    per_seed = [t.suggestions() for t in small.tests]
    for row, v in zip(rows, small.verdicts, strict=True):
        assert row["rate (seed 0)"] == f"{v.lr:.3g}"
        found = [s[v.key] for s in per_seed]
        assert row["seeds 0–1"] == f"{min(found):.3g} … {max(found):.3g}"
        assert row["decades from the best grid rate"] == f"{v.decades:+.2f}"
        assert row["loss after 30 minibatches at it"] == f"{v.final:.3g}" and row["test loss"] == f"{v.test_final:.3g}"
    assert "test loss" not in L.suggestion_rows(L.compute(L.LrLab(problem="beale")), L.LrLab(problem="beale"))[0]
