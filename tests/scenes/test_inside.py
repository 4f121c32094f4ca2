"""What the glyphs and the inspector read (scenes.inside): ``compute(scene, states=True)`` runs the same
paths with the states; ``glyph_paths`` holds, at every step asked for, exactly the numbers
``explain_step`` gives for the update that arrived there (NaN at step 0, at steps not asked for and
after a divergence); ``inspect`` lists every state field, the bias-corrected moments, the rate, the
parts and the rule with the numbers, each equal to ``explain_step``'s, and refuses steps outside the
run with a message naming the range."""

from __future__ import annotations

import numpy as np
import pytest

import scenes as sc
from optimizers import OPTIMIZERS
from optimizers.explain import explain_step, step_latex

RUNS = ("sgd(lr=0.001),momentum(lr=0.0025,dampening=0.2),nag(lr=0.002),adagrad(lr=0.5),rmsprop(lr=0.02,momentum=0.5),"
        "adadelta(lr=1,eps=0.001),adam(lr=0.1,weight_decay=0.1),amsgrad(lr=0.1),adamw(lr=0.1),nadam(lr=0.05),"
        "radam(lr=0.005),nag_lecture(lr=0.002),momentum_lecture(lr=0.003)")
SCENE = sc.Scene("beale", sc.parse_runs(RUNS), steps=60, start=(2.5, 1.5))
STEPS = (0, 1, 2, 5, 6, 7, 30, 60)


@pytest.fixture(scope="module")
def runs():
    runs, _ = sc.compute(SCENE, states=True)
    assert not any(t.diverged[0] for t in runs.values())
    return runs


def test_states_do_not_change_the_paths(runs):
    plain, _ = sc.compute(SCENE)
    for label, traj in runs.items():
        assert np.array_equal(traj.xy, plain[label].xy) and np.array_equal(traj.loss, plain[label].loss)
        assert plain[label].states is None and traj.states is not None


def test_glyph_paths_are_explain_steps_numbers_at_every_step_asked(runs):
    paths = sc.glyph_paths(SCENE, runs, STEPS)
    specs = sc.inside.run_specs(SCENE)
    for label, traj in runs.items():
        p, r = paths[label], specs[label]
        field = sc.inside.first_moment(traj.states)
        assert (p["moment"] is None) == (field is None)
        for k in range(SCENE.steps + 1):
            if k not in STEPS or k == 0:
                assert np.isnan(p["rate"][k]).all() and np.isnan(p["parts"]["gradient"][k]).all(), (label, k)
                continue
            e = explain_step(OPTIMIZERS[r.optimizer], r.kwargs(), traj, 0, k)
            assert np.array_equal(p["rate"][k], e["rate"]) and np.array_equal(p["grad"][k], e["grad"])
            for name, part in e["parts"].items():
                assert np.array_equal(p["parts"][name][k], part), (label, k, name)
            if field:
                assert np.array_equal(p["moment"][k], e["after"][field])
    assert paths["Adam lr=0.1 weight_decay=0.1"]["moment_unit"] == "gradient"
    assert paths["Nesterov (lecture form) lr=0.002"]["moment_unit"] == "step"
    assert paths["SGD lr=0.001"]["moment"] is None and paths["Adagrad lr=0.5"]["moment"] is None


def test_a_diverged_run_has_no_glyph_after_it_left():
    scene = sc.Scene("beale", sc.parse_runs("sgd(lr=1)"), steps=40)
    runs, _ = sc.compute(scene, states=True)
    traj = runs["SGD lr=1"]
    last = int(traj.diverged_at[0])
    p = sc.glyph_paths(scene, runs, range(41))["SGD lr=1"]
    assert np.isfinite(p["rate"][1:last]).all() and np.isnan(p["rate"][last:]).all()
    assert np.isnan(p["grad"][last:]).all()
    assert sc.last_update(traj) == last - 1
    with pytest.raises(ValueError, match=f"from 1 to {last - 1}"):
        sc.inspect(scene, runs, "SGD lr=1", last)


@pytest.mark.parametrize("step", [1, 5, 6, 60])
def test_the_inspection_is_explain_steps_numbers(runs, step):
    specs = sc.inside.run_specs(SCENE)
    for label, traj in runs.items():
        r = specs[label]
        e = explain_step(OPTIMIZERS[r.optimizer], r.kwargs(), traj, 0, step)
        seen = sc.inspect(SCENE, runs, label, step)
        rows = {row["quantity"]: np.array([row["x"], row["y"]]) for row in seen.rows}
        assert np.array_equal(rows["position before the update"], traj.xy[step - 1, 0])
        assert np.array_equal(rows["position after the update"], traj.xy[step, 0])
        given = next(v for q, v in rows.items() if q.startswith("gradient it was given"))
        assert np.array_equal(given, traj.grads[step - 1, 0])
        assert np.array_equal(rows["update"], e["delta"]) and np.array_equal(rows["effective rate"], e["rate"])
        for name in traj.states:  # every state field torch keeps, as it stands after the update
            if name != "step":
                assert np.array_equal(rows[f"state {name} after the update"], traj.states[name][step, 0]), name
        for key, quantity in (("m_hat", "bias-corrected first moment"), ("v_hat", "bias-corrected second moment")):
            assert (quantity in rows) == (key in e)
            if key in e:
                assert np.array_equal(rows[quantity], e[key])
        shares = sum(rows[q] for q in rows if q.startswith("update: "))
        assert np.allclose(shares, e["delta"], rtol=1e-12, atol=1e-15)
        scalars = {s["symbol"]: s["value"] for s in seen.scalars}
        assert scalars["t"] == step and scalars["ε_t"] == e["lr"]
        assert seen.latex == (step_latex(e, 0), step_latex(e, 1))


def test_the_inspection_names_each_rules_own_branch(runs):
    radam = "RAdam lr=0.005"
    early, late = sc.inspect(SCENE, runs, radam, 5), sc.inspect(SCENE, runs, radam, 6)
    assert "ρ_t = 4.9" in early.notes[0] and "plain bias-corrected momentum step" in early.notes[0]
    assert "ρ_t = 5.9" in late.notes[0] and "rectified adaptive step" in late.notes[0]
    assert {s["symbol"] for s in late.scalars} >= {"ρ_t", "r_t"} and "r_t" not in {s["symbol"] for s in early.scalars}
    nadam = {s["symbol"]: s["value"] for s in sc.inspect(SCENE, runs, "NAdam lr=0.05", 3).scalars}
    assert nadam["μ_t"] == pytest.approx(0.9 * (1 - 0.5 * 0.96 ** (3 * 4e-3)), rel=1e-15)
    assert nadam["Π_t"] == runs["NAdam lr=0.05"].states["mu_product"][3, 0, 0]
    ams = sc.inspect(SCENE, runs, "AMSGrad lr=0.1", 30)
    assert any(row["symbol"].startswith("v̂_t = max(") for row in ams.rows)
    assert any("running maximum" in n for n in ams.notes)
    assert "b_1 = g_1" in " ".join(sc.inspect(SCENE, runs, "Momentum lr=0.0025 dampening=0.2", 1).notes)
    lecture = sc.inspect(SCENE, runs, "Nesterov (lecture form) lr=0.002", 4)
    assert lecture.origin == "the lecture's form" and r"v_t = " in lecture.latex[0] and "w_t" in lecture.latex[0]
    assert any(row["quantity"] == "look-ahead point" for row in lecture.rows)
    heavy_ball = sc.inspect(SCENE, runs, "Momentum (lecture form) lr=0.003", 4)
    assert not any("look-ahead" in row["quantity"] for row in heavy_ball.rows)
    torch_form = sc.inspect(SCENE, runs, "Nesterov (NAG) lr=0.002", 4)
    assert torch_form.origin == "`torch.optim.SGD`" and "b_t = " in torch_form.latex[0]
    decayed = sc.inspect(SCENE, runs, "Adam lr=0.1 weight_decay=0.1", 4)
    assert any(row["quantity"] == "gradient with weight decay" for row in decayed.rows)


def test_the_inspector_refuses_what_is_not_there(runs):
    with pytest.raises(ValueError, match=r"no run 'Adam'; the runs are SGD lr=0\.001"):
        sc.inspect(SCENE, runs, "Adam", 1)
    for step in (0, 61, 2.5, True):
        with pytest.raises(ValueError, match="step must be a whole number from 1 to 60"):
            sc.inspect(SCENE, runs, "SGD lr=0.001", step)
