"""The step inspector on the explorer page, through AppTest from app.py: for a chosen run and step its
table holds explain_step's numbers and, live where torch is installed, torch's optimizer.state after
that many steps (relative error below 1e-9 per field and coordinate); step back and forward move by
one and stop at the ends; the rule is shown with this step's numbers, each form (torch's, the
lecture's) with its own; the glyph switch changes what the map draws."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import scenes as sc
from optimizers import OPTIMIZERS
from optimizers.explain import explain_step, step_latex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "optimizers"))
from optim_cases import state_error

LINK = {"surface": "beale", "start": "2.5,1.5", "steps": "40",
        "optimizers": "adam(lr=0.1),radam(lr=0.005),nadam(lr=0.05),amsgrad(lr=0.1),momentum(lr=0.0025),"
                      "nag_lecture(lr=0.002),rmsprop_lecture(lr=0.02,eps=0.1),adadelta(lr=1,eps=0.001)"}
SCENE = sc.from_query(LINK)[0]
RUN, STEP = "explorer.inspect.run", "explorer.inspect.step"


def table(at) -> dict[str, np.ndarray]:
    rows = at.dataframe[0].value
    return {q: np.array([x, y]) for q, x, y in zip(rows["quantity"], rows["x"], rows["y"], strict=True)}


def show(at, label: str, step: int):
    at.selectbox(key=RUN).set_value(label).run()
    at.number_input(key=STEP).set_value(step).run()
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def runs():
    return sc.compute(SCENE, states=True)[0]


def opened(app, query=LINK):
    """The page of ``query`` with the inspector's expander open (its contents are drawn only then)."""
    at = app(query)
    assert not any(n.value == 40 for n in at.number_input if n.key == STEP)  # closed: nothing drawn
    at.session_state["explorer.inside"] = True
    return at.run()


def test_the_table_is_explain_steps_numbers_and_the_rule_has_them(app, runs):
    at = opened(app)
    assert not at.exception
    assert at.number_input(key=STEP).value == 40  # it opens where the race ends
    specs = sc.inside.run_specs(SCENE)
    for label, step in (("Adam lr=0.1", 1), ("RAdam lr=0.005", 6), ("NAdam lr=0.05", 17),
                        ("AMSGrad lr=0.1", 40), ("Nesterov (lecture form) lr=0.002", 9)):
        show(at, label, step)
        r = specs[label]
        e = explain_step(OPTIMIZERS[r.optimizer], r.kwargs(), runs[label], 0, step)
        rows = table(at)
        for name, value in e["after"].items():
            if name != "step":
                assert np.array_equal(rows[f"state {name} after the update"], value), (label, name)
        assert np.array_equal(rows["effective rate"], e["rate"]) and np.array_equal(rows["update"], e["delta"])
        for key, quantity in (("m_hat", "bias-corrected first moment"), ("v_hat", "bias-corrected second moment")):
            if key in e:
                assert np.array_equal(rows[quantity], e[key])
        scalars = dict(zip(at.dataframe[1].value["symbol"], at.dataframe[1].value["value"], strict=True))
        assert scalars["t"] == step
        shown = [x.value for x in at.latex]
        assert step_latex(e, 0) in "".join(shown) and step_latex(e, 1) in "".join(shown)


def test_each_form_shows_its_own_rule(app):
    at = show(opened(app), "Nesterov (lecture form) lr=0.002", 3)
    text = "".join(x.value for x in at.latex)
    assert r"v_t = " in text and "w_t = " in text and "the lecture's form" in " ".join(m.value for m in at.markdown)
    at = show(at, "RMSProp (lecture form) lr=0.02 eps=0.1", 3)
    text = "".join(x.value for x in at.latex)
    assert r"\sqrt{" in text and "+ 0.1}" in text  # ϵ = 0.1 inside the root, as the lecture writes it


def test_step_back_and_forward_move_by_one_and_stop_at_the_ends(app):
    at = show(opened(app), "Adam lr=0.1", 2)
    back = next(b for b in at.button if b.label == "◀ Step back")
    back.click().run()
    assert at.number_input(key=STEP).value == 1
    assert next(b for b in at.button if b.label == "◀ Step back").disabled
    first = table(at)["update"]
    next(b for b in at.button if b.label == "Step forward ▶").click().run()
    assert at.number_input(key=STEP).value == 2 and not np.array_equal(table(at)["update"], first)
    at.number_input(key=STEP).set_value(40).run()
    assert next(b for b in at.button if b.label == "Step forward ▶").disabled


def test_a_shorter_scene_keeps_the_step_in_range(app):
    at = show(opened(app), "Adam lr=0.1", 40)
    at.slider(key="explorer.steps").set_value(25).run()
    assert not at.exception
    assert at.number_input(key=STEP).value == 25 and at.number_input(key=STEP).max == 25


def test_the_glyph_switch_draws_on_the_map(app):
    at = opened(app)
    chart = at.get("plotly_chart")[0]
    assert "box: half-side" not in chart.proto.spec
    control = next(c for c in at.get("segmented_control") if c.key == "explorer.glyphs")
    control.set_value("rate").run()
    assert not at.exception
    assert "box: half-side = rate" in at.get("plotly_chart")[0].proto.spec


@pytest.mark.torch
@pytest.mark.parametrize("label, step", [("Adam lr=0.1", 40), ("RAdam lr=0.005", 7), ("NAdam lr=0.05", 25),
                                         ("AMSGrad lr=0.1", 33), ("Momentum lr=0.0025", 12),
                                         ("Nesterov (lecture form) lr=0.002", 20),
                                         ("RMSProp (lecture form) lr=0.02 eps=0.1", 40),
                                         ("Adadelta lr=1 eps=0.001", 30)])
def test_the_table_holds_torchs_optimizer_state(app, label, step):
    pytest.importorskip("torch", reason="torch is not installed")
    from optim_torch import torch_run

    at = show(opened(app), label, step)
    r = sc.inside.run_specs(SCENE)[label]
    _, states = torch_run(r.optimizer, r.kwargs(), "beale", (2.5, 1.5), [r.lr] * step)
    rows = table(at)
    assert states
    for name, value in states.items():
        if name == "step":
            continue
        shown = rows[f"state {name} after the update"]
        assert state_error(shown[None], value[step][None]) < 1e-9, (label, name, shown, value[step])
