"""One update explained (``optimizers.explain``): for every optimizer of the table and its settings, at
the first steps and later ones, the explanation reproduces the runner's step exactly, its parts sum to
the step to 1e-12, the rule it ran has a value for every symbol, and the rule with the numbers
substituted, evaluated by an independent LaTeX evaluator (latex_eval.py), gives every line's value and
the runner's next position to 1e-12."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from latex_eval import Unsubstituted, evaluate
from optim_cases import CASES, KEYS, surface

from optimizers import OPTIMIZERS, run
from optimizers.explain import explain_step, step_latex, substitute

STEPS = 12
STEPS_SHOWN = (1, 2, 5, 6, 7, STEPS)  # RAdam switches branch between 5 and 6 with torch's β₂
TOLERANCE = 1e-12
EXTRA = {  # variants the table's settings do not all reach
    "sgd": ({"momentum": 0.9, "dampening": 0.4, "weight_decay": 0.1}, {"momentum": 0.5, "nesterov": True,
                                                                      "weight_decay": 0.3}),
    "rmsprop": ({"momentum": 0.5, "centered": True, "weight_decay": 0.1},),
    "adam": ({"weight_decay": 0.2},),
    "amsgrad": ({"weight_decay": 0.2, "betas": (0.5, 0.9)},),
    "nadam": ({"weight_decay": 0.2, "decoupled_weight_decay": True},),
    "radam": ({"weight_decay": 0.2, "decoupled_weight_decay": True}, {"betas": (0.9, 0.5)}),
    "momentum_lecture": ({"weight_decay": 0.2},),
    "nag_lecture": ({"weight_decay": 0.2, "momentum": 0.8},),
    "rmsprop_lecture": ({"weight_decay": 0.2, "eps": 0.1},),
}
CASE_SETTINGS = [(key, kwargs) for key in KEYS for kwargs in ({}, *CASES[key].settings, *EXTRA.get(key, ()))]
STARTS = np.array([(1.0, 1.5), (2.0, -0.5)])


def _trajectory(key, kwargs):
    lr = CASES[key].lr["beale"]
    return run(OPTIMIZERS[key].factory(**kwargs), surface("beale"), STARTS, STEPS,
               lambda t: lr * (1.0 + 0.3 * np.sin(t)), states=True, noise=0.05)


def _is_step(delta, expected, params) -> bool:
    """``delta`` = θ_t - θ_{t-1} equals ``expected`` to 1e-12, beyond the rounding of θ that the
    difference of two positions carries."""
    return bool((np.abs(delta - expected) <= TOLERANCE * np.abs(expected) + np.spacing(np.abs(params))).all())


def _close(got, want, scale=None) -> bool:
    scale = abs(want) if scale is None else scale
    return abs(got - want) <= TOLERANCE * max(scale, 1e-300)


@pytest.mark.parametrize("key, kwargs", CASE_SETTINGS, ids=str)
def test_explanation_reproduces_the_runners_step(key, kwargs):
    spec = OPTIMIZERS[key]
    traj = _trajectory(key, kwargs)
    assert not traj.diverged.any()
    for i in range(len(STARTS)):
        for t in STEPS_SHOWN:
            e = explain_step(spec, kwargs, traj, i, t)
            assert np.array_equal(e["new_params"], traj.xy[t, i]) and np.array_equal(e["params"], traj.xy[t - 1, i])
            assert np.array_equal(e["delta"], traj.xy[t, i] - traj.xy[t - 1, i])
            assert set(e["after"]) == set(traj.states) == set(e["before"])
            for name in traj.states:
                assert np.array_equal(e["after"][name], traj.states[name][t, i]), name
                assert np.array_equal(e["before"][name], traj.states[name][t - 1, i]), name
            assert np.array_equal(e["grad"], traj.grads[t - 1, i])
            assert set(e["parts"]) == {"gradient", "momentum", "weight_decay"}
            # θ_t - θ_{t-1} is known to the rounding of θ (a unit in its last place), the rest to 1e-12 of
            # the step or, where the parts cancel, of the largest part
            total = sum(e["parts"].values())
            scale = np.maximum(np.abs(e["delta"]), np.max(np.abs(list(e["parts"].values())), axis=0))
            rounding = np.spacing(np.abs(e["params"]))
            assert (np.abs(total - e["delta"]) <= TOLERANCE * scale + rounding).all(), (t, total, e["delta"])
            lam = spec.validate(kwargs).get("weight_decay", 0.0)
            assert (np.abs(e["parts"]["weight_decay"]) > 0).all() == bool(lam)
            assert e["rate"].shape == (2,) and (e["rate"] > 0).all()


@pytest.mark.parametrize("key, kwargs", CASE_SETTINGS, ids=str)
def test_rule_with_numbers_evaluates_to_the_update(key, kwargs):
    """Every symbol of the rule that ran has a value, and evaluating each line's substituted right-hand
    side gives its left-hand side's value; the last line gives the runner's next position."""
    spec = OPTIMIZERS[key]
    traj = _trajectory(key, kwargs)
    doc = "".join(importlib.import_module(spec.make.__module__).__doc__.split())
    for i in range(len(STARTS)):
        for t in STEPS_SHOWN:
            e = explain_step(spec, kwargs, traj, i, t)
            lines = e["rule"].split(r"\\")
            for line in lines:  # every line of the rule is the spec module's documented formula
                assert "".join(line.split()) in doc, line
            for coord in (0, 1):
                exact = substitute(e["rule"], e["symbols"], coord, digits=None).split(r"\\")
                assert len(exact) == len(lines)
                for line in exact:
                    lhs, _, rest = line.partition(" = ") if " = " in line else line.partition(r" \leftarrow ")
                    *_, value = rest.rsplit(" = ", 1) if rest.count(" = ") else (rest, rest)
                    rhs = rest.rsplit(" = ", 1)[0] if rest.count(" = ") else rest
                    got, want = evaluate(rhs), evaluate(value)
                    # NAdam's Π_t is torch's float32 product: its line holds to float32's precision
                    tolerance = 1e-7 if lhs.strip() == r"\Pi_t" else TOLERANCE
                    assert abs(got - want) <= tolerance * max(abs(want), 1e-300), (line, got, want)
                final = exact[-1].rsplit(" = ", 1)[1]
                assert _close(evaluate(final), traj.xy[t, i, coord])


def test_every_optimizer_explains_its_steps():
    for key, spec in OPTIMIZERS.items():
        assert spec.explainer is not None, key


def test_a_symbol_without_a_value_is_caught():
    with pytest.raises(KeyError, match="no value for 'm_t'"):
        substitute(r"m_t = \beta_1 m_{t-1}", {r"\beta_1": 0.9, "m_{t-1}": np.ones(2)}, 0)
    text = substitute(r"m_t = \beta_1 m_{t-1}", {r"\beta_1": 0.9, "m_t": np.ones(2)}, 0)
    with pytest.raises(Unsubstituted):
        evaluate(text.split(" = ")[1])


def test_the_shown_numbers_read_well():
    """Four significant digits, products written with a dot, negative numbers in parentheses."""
    traj = _trajectory("adam", {})
    e = explain_step(OPTIMIZERS["adam"], {}, traj, 0, 3)
    text = step_latex(e, 0)
    assert r"m_t = 0.9 \cdot " in text and r"\cdot" in text and "m_{t-1}" not in text
    assert all(len(n.replace(".", "").lstrip("0")) <= 4 for n in __import__("re").findall(r"\d+\.\d+", text))
    neg = substitute(r"a = b_t - c", {"a": np.array([1.0, 1.0]), "b_t": np.array([-2.0, 0]), "c": 3.0}, 0)
    assert neg == "a = (-2) - 3 = 1"


def test_radam_reports_its_branch_and_rho():
    traj = _trajectory("radam", {})
    for t in STEPS_SHOWN:
        e = explain_step(OPTIMIZERS["radam"], {}, traj, 0, t)
        rho_inf = 2 / (1 - 0.999) - 1
        assert e["rho_inf"] == pytest.approx(rho_inf, rel=1e-15)
        assert e["rho_t"] == pytest.approx(rho_inf - 2 * t * 0.999**t / (1 - 0.999**t), rel=1e-9)
        assert e["rectified"] == (t >= 6) and (e["r_t"] is None) == (t < 6)
        assert (r"r_t = " in e["rule"]) == e["rectified"]
        if not e["rectified"]:  # a plain bias-corrected momentum step
            assert _is_step(e["delta"], -e["lr"] * e["m_hat"], e["params"])


def test_nadam_reports_its_momentum_schedule_and_product():
    traj = _trajectory("nadam", {})
    product = 1.0
    for t in range(1, STEPS + 1):
        e = explain_step(OPTIMIZERS["nadam"], {}, traj, 0, t)
        mu = 0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3))
        assert e["mu_t"] == pytest.approx(mu, rel=1e-15)
        assert e["mu_next"] == pytest.approx(0.9 * (1 - 0.5 * 0.96 ** ((t + 1) * 4e-3)), rel=1e-15)
        product = float(np.float32(product) * np.float32(mu))
        assert e["mu_product"] == product == e["after"]["mu_product"][0]
        assert e["mu_product_next"] == product * e["mu_next"]


def test_amsgrad_reports_its_running_maximum():
    traj = _trajectory("amsgrad", {"betas": (0.5, 0.9)})
    for t in STEPS_SHOWN:
        e = explain_step(OPTIMIZERS["amsgrad"], {"betas": (0.5, 0.9)}, traj, 1, t)
        assert np.array_equal(e["v_max"], np.maximum(e["before"]["max_exp_avg_sq"], e["after"]["exp_avg_sq"]))
        assert np.array_equal(e["v_max"], e["after"]["max_exp_avg_sq"])


@pytest.mark.parametrize("key", ["adam", "amsgrad", "adamw", "adamax", "radam"])
def test_adaptive_rate_times_the_corrected_moment_is_the_step(key):
    """Δθ = -rate m̂ (AdamW: after its shrink), the per-coordinate scale a map draws as a box."""
    traj = _trajectory(key, {})
    for t in STEPS_SHOWN:
        e = explain_step(OPTIMIZERS[key], {}, traj, 0, t)
        step = e["delta"] - e["parts"]["weight_decay"] if key == "adamw" else e["delta"]
        assert _is_step(step, -e["rate"] * e["m_hat"], e["params"])


@pytest.mark.parametrize("key", ["rmsprop", "adagrad", "adadelta", "rmsprop_lecture", "sgd"])
def test_rate_times_the_gradient_is_the_step(key):
    traj = _trajectory(key, {})
    for t in STEPS_SHOWN:
        e = explain_step(OPTIMIZERS[key], {}, traj, 0, t)
        assert _is_step(e["delta"], -e["rate"] * e["g"], e["params"])
    if key == "rmsprop":
        assert np.allclose(e["rate"], e["lr"] / (np.sqrt(e["after"]["square_avg"]) + 1e-8), rtol=1e-15)


def test_explain_step_refuses_what_it_cannot_explain():
    spec = OPTIMIZERS["adam"]
    plain = run(spec.factory(), surface("beale"), STARTS, 5, 0.01)
    with pytest.raises(ValueError, match="states=True"):
        explain_step(spec, {}, plain, 0, 1)
    final = run(spec.factory(), surface("beale"), STARTS, 5, 0.01, states=True, keep="final")
    with pytest.raises(ValueError, match="keep='final'"):
        explain_step(spec, {}, final, 0, 1)
    traj = run(spec.factory(), surface("beale"), STARTS, 5, 0.01, states=True)
    for run_, step in ((2, 1), (0, 0), (0, 6), (-1, 1)):
        with pytest.raises(ValueError, match="run must be in"):
            explain_step(spec, {}, traj, run_, step)
    sgd = OPTIMIZERS["sgd"]
    diverged = run(sgd.factory(), surface("tilted_quadratic"), STARTS, 400, 0.9, states=True)
    k = diverged.diverged_at[0]
    assert k > 2
    explain_step(sgd, {}, diverged, 0, k - 1)
    with pytest.raises(ValueError, match="diverged at step"):
        explain_step(sgd, {}, diverged, 0, k)
    with pytest.raises(ValueError, match="lacks 'exp_avg_sq'"):
        spec.explain({}, {"step": 0, "exp_avg": np.zeros(2)}, np.ones(2), np.ones(2), 0.01, 1)
    with pytest.raises(ValueError, match="step 3, not 0"):
        spec.explain({}, {k: np.full(2, 3.0) for k in ("step", "exp_avg", "exp_avg_sq")}, np.ones(2), np.ones(2),
                     0.01, 1)
    with pytest.raises(ValueError, match="betas"):
        spec.explain({"betas": (1.5, 0.9)}, {}, np.ones(2), np.ones(2), 0.01, 1)


def test_explain_works_on_many_starts_at_once():
    """Every rule is elementwise: one call explains update t of every start (for map glyphs)."""
    traj = _trajectory("rmsprop", {"momentum": 0.5})
    t = 4
    many = OPTIMIZERS["rmsprop"].explain({"momentum": 0.5}, {k: v[t - 1] for k, v in traj.states.items()},
                                         traj.grads[t - 1], traj.xy[t - 1], float(traj.lr[t - 1]), t)
    assert np.array_equal(many["new_params"], traj.xy[t])
    assert many["rate"].shape == (len(STARTS), 2)


@pytest.mark.parametrize("key", KEYS)
def test_explain_path_gives_every_updates_rate_and_parts(key):
    """For map glyphs: one call for every update of every start, equal to the step-by-step
    explanation, NaN once a start has diverged."""
    from optimizers.explain import explain_path

    spec = OPTIMIZERS[key]
    starts = np.array([(1.0, 1.5), (2.0, -0.5), (0.5, 0.5), (-4.0, 4.0), (3.5, 0.8)])
    traj = run(spec.factory(), surface("beale"), starts, 40, spec.lr.default * 3, states=True)
    path = explain_path(spec, {}, traj)
    if spec.torch_class == "torch.optim.SGD":
        assert traj.diverged.any() and not traj.diverged.all()
    assert set(path) == {"rate", "delta", "gradient", "momentum", "weight_decay"}
    for i in range(len(starts)):
        stop = traj.diverged_at[i] if traj.diverged[i] else 41
        for t in (1, 2, stop - 1):
            e = explain_step(spec, {}, traj, i, t)
            assert np.array_equal(path["rate"][t - 1, i], e["rate"])
            assert np.array_equal(path["delta"][t - 1, i], traj.xy[t, i] - traj.xy[t - 1, i])
            for name, part in e["parts"].items():
                assert np.array_equal(path[name][t - 1, i], part)
        assert np.isnan(path["rate"][stop - 1:, i]).all() and np.isfinite(path["rate"][: stop - 1, i]).all()


def test_explain_path_explains_only_the_updates_asked_for():
    """A map's glyphs need only the updates its frames show: those rows equal the full explanation's,
    the others are NaN, and an update outside the run is refused with its range."""
    from optimizers.explain import explain_path

    spec = OPTIMIZERS["adam"]
    traj = run(spec.factory(), surface("beale"), STARTS, 40, 0.05, states=True)
    full, some = explain_path(spec, {}, traj), explain_path(spec, {}, traj, updates=[1, 5, 40])
    for name, rows in full.items():
        assert np.array_equal(some[name][[0, 4, 39]], rows[[0, 4, 39]]), name
        assert np.isnan(np.delete(some[name], [0, 4, 39], axis=0)).all(), name
    for bad in ([0, 3], [41]):
        with pytest.raises(ValueError, match=r"updates must be in \[1, 40\]"):
            explain_path(spec, {}, traj, updates=bad)
