"""Changing the rate during training: the six schedules side by side on one network."""

import numpy as np
import pytest

from networks.problem import NetworkProblem
from optimizers import SCHEDULES
from scenes.lr_schedules import LABELS, compare_schedules, epochs_axis, schedule_set, schedule_table

PROBLEM = NetworkProblem(data="moons", n=300, depth=1, width=8, batch_size=20)  # 11 minibatches an epoch
PER_EPOCH = PROBLEM.steps_per_epoch
STEPS = 10 * PER_EPOCH  # 110


@pytest.fixture(scope="module")
def runs():
    schedules = schedule_set(0.2, 0.8, STEPS, PER_EPOCH)
    return schedules, compare_schedules(PROBLEM, schedules, STEPS, seed=2)


def test_the_set_holds_the_lectures_schedules_from_the_registry():
    s = schedule_set(0.2, 0.8, STEPS, PER_EPOCH)
    assert list(s) == list(LABELS)
    t = np.arange(STEPS)
    np.testing.assert_array_equal(s["constant"](t), 0.2)
    # ×1/10 at epochs 5 and 8 (½ and ¾ of 10, rounded), i.e. steps 55 and 88
    assert s["multistep"].params["milestones"] == (55, 88)
    np.testing.assert_allclose(s["multistep"](t), np.where(t < 55, 0.2, np.where(t < 88, 0.02, 0.002)), rtol=1e-15)
    # the lecture's ε₀ − αt, α = ε₀ / steps
    np.testing.assert_allclose(s["polynomial"](t), 0.2 - (0.2 / STEPS) * t, rtol=1e-12)
    np.testing.assert_allclose(s["cosine"](t), 0.1 * (1 + np.cos(np.pi * t / STEPS)), rtol=1e-12, atol=1e-16)
    cyc = s["cyclic"](t)
    assert cyc.min() == pytest.approx(0.2) and cyc.max() == pytest.approx(0.8)
    assert s["cyclic"].params["step_size_up"] == STEPS // 4  # two cycles over the run
    one = s["onecycle"](t)
    assert one[0] == pytest.approx(0.2) and one.max() == pytest.approx(0.8, rel=1e-12)
    assert int(np.argmax(one)) == round(0.3 * STEPS) - 1
    assert repr(s["onecycle"]) == repr(SCHEDULES["onecycle"].factory(max_lr=0.8, total_steps=STEPS, div_factor=4.0))


def test_runs_share_the_initialization_and_minibatch_order(runs):
    schedules, results = runs
    first = {key: r.loss[0] for key, r in results.items()}
    assert len(set(first.values())) == 1  # the same weights on the same first minibatch
    # constant and multistep agree up to the first milestone, then part
    c, m = results["constant"].loss, results["multistep"].loss
    np.testing.assert_array_equal(c[:56], m[:56])
    assert not np.array_equal(c[56:], m[56:])
    plain = PROBLEM.fit(schedules["cosine"], STEPS, seed=2)
    np.testing.assert_array_equal(results["cosine"].loss, plain.loss)


def test_every_run_records_its_rates_and_epoch_curves(runs):
    schedules, results = runs
    for key, r in results.items():
        np.testing.assert_array_equal(r.lr, schedules[key](np.arange(STEPS)))
        np.testing.assert_array_equal(r.eval_steps, np.arange(0, STEPS + 1, PER_EPOCH))
        np.testing.assert_array_equal(epochs_axis(r, PROBLEM), np.arange(11))
        assert r.train_curve[-1] == r.final_loss and r.test_curve[-1] == r.test_loss
        assert r.train_curve[-1] < r.train_curve[0]


def test_the_table_holds_each_runs_final_figures(runs):
    _, results = runs
    rows = schedule_table(results)
    assert [row.label for row in rows] == list(LABELS.values())
    for row, r in zip(rows, results.values(), strict=True):
        assert row.final_lr == r.lr[-1] and row.test_loss == r.test_loss and row.test_accuracy == r.test_accuracy
        assert row.diverged_at is None
    assert rows[2].final_lr == pytest.approx(0.2 / STEPS)  # linear decay: one α above zero at the last step


def test_progress_and_refusals():
    calls = []
    compare_schedules(PROBLEM, {"c": SCHEDULES["constant"].factory(lr=0.1)}, 5, progress=lambda d, n: calls.append(d))
    assert calls == [1]
    with pytest.raises(ValueError, match="NetworkProblem"):
        compare_schedules("beale", {}, 5)
    with pytest.raises(ValueError, match="steps must be a whole number from 8 to 2000"):
        schedule_set(0.1, 0.5, 4, 1)
    with pytest.raises(ValueError, match="milestones must be fractions"):
        schedule_set(0.1, 0.5, 100, 10, milestones=(0.5, 1.2))
    with pytest.raises(ValueError, match="divisor must be a number from 3 to 4"):
        schedule_set(0.1, 0.5, 100, 10, divisor=10)
