"""The named quantities of an explained update, each against its formula worked out here from the state
before the step; the lines of the rule that ran, for every optimizer with and without weight decay; the
numbers as a student reads them (``number``, ``substitute``); and what ``explain`` refuses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from optim_cases import KEYS, surface

from optimizers import OPTIMIZERS, lecture, rmsprop, run, sgd
from optimizers import adam as adam_module
from optimizers.explain import COUPLED, DECOUPLED, explain_path, explain_step, number, step_latex, substitute

G = np.array([0.3, -2.0])  # the gradient of the step explained
THETA = np.array([1.5, -0.25])
T = 4  # the update explained: update 4, after three
LR = 0.05


def _close(got, want, rel=1e-15):
    np.testing.assert_allclose(got, want, rtol=rel, atol=0)


def _adam_state(exp_avg=(0.2, -0.1), exp_avg_sq=(0.01, 0.5), **extra):
    return {"step": np.full(2, T - 1.0), "exp_avg": np.array(exp_avg), "exp_avg_sq": np.array(exp_avg_sq), **extra}


def test_adams_corrected_moments():
    """m_t = 0.9 m + 0.1 g, v_t = 0.999 v + 0.001 g², m̂ = m_t / (1 - 0.9⁴), v̂ = v_t / (1 - 0.999⁴)."""
    e = OPTIMIZERS["adam"].explain({}, _adam_state(), G, THETA, LR, T)
    m = 0.9 * np.array([0.2, -0.1]) + 0.1 * G
    v = 0.999 * np.array([0.01, 0.5]) + 0.001 * G**2
    _close(e["m_hat"], m / (1 - 0.9**4))
    _close(e["v_hat"], v / (1 - 0.999**4))
    _close(e["rate"], LR / (np.sqrt(v / (1 - 0.999**4)) + 1e-8))
    assert e["step"] == T and "v_max" not in e


def test_amsgrads_corrected_moment_is_its_running_maximum():
    """v̂ = max(v̂_{t-1}, v_t) / (1 - β₂^t): the old maximum where it is larger (x), the new v (y)."""
    before = _adam_state(max_exp_avg_sq=np.array([0.9, 0.1]))
    e = OPTIMIZERS["amsgrad"].explain({}, before, G, THETA, LR, T)
    v = 0.999 * np.array([0.01, 0.5]) + 0.001 * G**2
    assert v[0] < 0.9 and v[1] > 0.1
    _close(e["v_max"], [0.9, v[1]])
    _close(e["v_hat"], np.array([0.9, v[1]]) / (1 - 0.999**4))


def test_radam_and_nadam_report_v_hat():
    v = 0.999 * np.array([0.01, 0.5]) + 0.001 * G**2
    e = OPTIMIZERS["radam"].explain({}, _adam_state(), G, THETA, LR, T)
    _close(e["v_hat"], v / (1 - 0.999**4))
    nadam = OPTIMIZERS["nadam"].explain({}, _adam_state(mu_product=np.full(2, 0.5)), G, THETA, LR, T)
    _close(nadam["v_hat"], v / (1 - 0.999**4))


def test_adagrads_decayed_rate():
    """ε_t / (1 + (t-1)η) = 0.05 / 1.3 with η = 0.1 at update 4; the rate divides it by √s_t + ϵ."""
    before = {"step": np.full(2, T - 1.0), "sum": np.array([0.5, 2.0])}
    e = OPTIMIZERS["adagrad"].explain({"lr_decay": 0.1}, before, G, THETA, LR, T)
    assert e["lr_decayed"] == pytest.approx(0.05 / 1.3, rel=1e-15)
    _close(e["rate"], 0.05 / 1.3 / (np.sqrt(np.array([0.5, 2.0]) + G**2) + 1e-10))


def test_adadeltas_ratio():
    """Δ_t / g_t = √(u_{t-1} + ϵ) / √(v_t + ϵ), with v_t = 0.9 v + 0.1 g²."""
    before = {"step": np.full(2, T - 1.0), "square_avg": np.array([0.4, 1.0]), "acc_delta": np.array([0.01, 0.2])}
    e = OPTIMIZERS["adadelta"].explain({}, before, G, THETA, 1.0, T)
    v = 0.9 * np.array([0.4, 1.0]) + 0.1 * G**2
    _close(e["ratio"], np.sqrt(np.array([0.01, 0.2]) + 1e-6) / np.sqrt(v + 1e-6))
    _close(e["rate"], e["ratio"])  # ε = 1


@pytest.mark.parametrize("key", ["momentum_lecture", "nag_lecture"])
def test_the_lectures_look_ahead_point(key):
    """w_{t-1} + μ v_{t-1}: where Nesterov's form takes its gradient (reported for both forms)."""
    velocity = np.array([0.1, -0.4])
    e = OPTIMIZERS[key].explain({"momentum": 0.8}, {"velocity": velocity}, G, THETA, LR, T)
    _close(e["look_ahead"], THETA + 0.8 * velocity)
    _close(e["rate"], [LR, LR])
    assert e["rate"].dtype == np.float64


# the left-hand sides of the lines of the rule that ran, for each optimizer with no weight decay: the decay's
# line (g_t = ∇f + λθ, or θ ← (1 - ελ)θ where it is decoupled) comes first where λ ≠ 0
LINES = {
    "sgd": ["\\theta_t"], "momentum": ["b_t", "\\theta_t"], "nag": ["b_t", "\\theta_t"],
    "adagrad": ["s_t", "\\theta_t"], "rmsprop": ["v_t", "\\tilde v_t", "b_t", "\\theta_t"],
    "adadelta": ["v_t", "\\Delta_t", "u_t", "\\theta_t"], "adam": ["m_t", "v_t", "\\theta_t"],
    "adamax": ["m_t", "u_t", "\\theta_t"], "nadam": ["\\mu_t", "\\Pi_t", "m_t", "v_t", "\\theta_t"],
    "amsgrad": ["m_t", "v_t", "\\hat v_t", "\\theta_t"], "adamw": ["m_t", "v_t", "\\theta_t"],
    "radam": ["m_t", "v_t", "\\rho_\\infty", "\\rho_t", "r_t", "\\theta_t"],
    "momentum_lecture": ["v_t", "w_t"], "nag_lecture": ["v_t", "w_t"],
    "rmsprop_lecture": ["\\langle g^2 \\rangle_t", "w_t"],
}
DECAY_LINE = {"adamw": DECOUPLED, "momentum_lecture": lecture.DECAY, "rmsprop_lecture": lecture.DECAY,
              "nag_lecture": lecture.LOOK_AHEAD_DECAY}


@pytest.mark.parametrize("key", KEYS)
def test_the_rule_has_the_lines_of_its_branch(key):
    assert set(LINES) == set(KEYS)
    for decay in (0.0, 0.2):
        kwargs = {"weight_decay": decay}
        traj = run(OPTIMIZERS[key].factory(**kwargs), surface("beale"), np.array([(1.0, 1.5)]), 8,
                   OPTIMIZERS[key].lr.default, states=True)
        lines = [line.strip() for line in explain_step(OPTIMIZERS[key], kwargs, traj, 0, 8)["rule"].split(r"\\")]
        heads = [line.split(" = ")[0].split(r" \leftarrow")[0] for line in lines]
        if decay:
            assert lines[0] == DECAY_LINE.get(key, COUPLED), lines
            heads = heads[1:]
        assert heads == LINES[key], lines


def test_the_rules_of_the_branches():
    """The branches whose lines share a left-hand side: Nesterov's buffer, Adam's and AMSGrad's step."""
    def rule(key, kwargs=None, steps=3):
        traj = run(OPTIMIZERS[key].factory(**(kwargs or {})), surface("beale"), np.array([(1.0, 1.5)]), steps,
                   OPTIMIZERS[key].lr.default, states=True)
        return explain_step(OPTIMIZERS[key], kwargs or {}, traj, 0, steps)["rule"].split(r" \\ ")

    assert rule("nag") == [sgd.NESTEROV_BUFFER, sgd.NESTEROV_STEP]
    assert rule("sgd", {"momentum": 0.5, "nesterov": True}) == [sgd.NESTEROV_BUFFER, sgd.NESTEROV_STEP]
    assert rule("momentum") == [sgd.HEAVY_BALL, sgd.BUFFER_STEP]
    assert rule("momentum", steps=1) == [sgd.FIRST_BUFFER, sgd.BUFFER_STEP]
    assert rule("adam")[-1] == adam_module.ADAM_STEP and rule("amsgrad")[-2:] == [adam_module.RUNNING_MAX,
                                                                                   adam_module.AMSGRAD_STEP]
    assert rule("rmsprop")[1] == rmsprop.UNCENTERED and rule("rmsprop", {"centered": True})[1:3] == [
        rmsprop.MEAN, rmsprop.CENTERED]


# ---------------------------------------------------------------------------------------- the numbers

def test_number_writes_four_digits_and_the_non_finite_values():
    assert number(1 / 3) == "0.3333" and number(-2 / 3) == "-0.6667" and number(0.0) == "0"
    assert number(1.5e-7) == r"1.5 \times 10^{-7}" and number(12345.0) == r"1.234 \times 10^{4}"
    assert number(1 / 3, None) == "0.3333333333333333"
    assert number(math.inf) == r"\infty" and number(-math.inf) == r"-\infty" and number(math.nan) == r"\mathrm{NaN}"


def test_substitute_writes_each_value_where_its_symbol_stands():
    values = {"a": np.array([0.29, 0.0]), "b": 0.9, "m_{t-1}": np.array([0.1, 5.0]), "g_t": np.array([2.0, 0.0])}
    assert substitute(r"a = b m_{t-1} + (1-b)\, g_t", values, 0) == r"a = 0.9 \cdot 0.1 + (1-0.9)\, \cdot 2 = 0.29"
    # the default is four digits, a zero is written bare, and a line that is one value ends with it
    assert substitute(r"a = b / 3", {"a": np.array([0.3, 0.0]), "b": 0.9}, 0) == "a = 0.9 / 3 = 0.3"
    assert substitute(r"a = b", {"a": np.array([0.0, 1.0]), "b": np.array([0.0, 1.0])}, 0) == "a = 0"
    assert substitute(r"a = b", {"a": 1 / 3, "b": 1 / 3}, 0) == "a = 0.3333"
    # an exponent in braces, a number with a power of ten in parentheses, a longer symbol before its prefix
    assert substitute(r"a = b^t", {"a": 0.9**12, "b": 0.9, "t": 12}, 0) == r"a = 0.9^{12} = 0.2824"
    assert substitute(r"a = 2 b", {"a": 3e-5, "b": 1.5e-5}, 0) == r"a = 2 \cdot (1.5 \times 10^{-5}) = 3 \times 10^{-5}"
    assert substitute(r"a = \beta_1^t + \beta_1", {"a": 1.0, r"\beta_1": 0.5, r"\beta_1^t": 0.25}, 0) == (
        r"a = 0.25 + 0.5 = 1")
    # a symbol inside a longer name is left alone, whatever the case of its neighbours
    assert substitute(r"a = bB + Bb", {"a": 1.0, "b": 2.0}, 0) == "a = bB + Bb = 1"
    assert substitute(r"a = x_{t-1}Y", {"a": 1.0, "x_{t-1}": 2.0}, 0) == "a = x_{t-1}Y = 1"


def test_step_latex_passes_its_digits():
    traj = run(OPTIMIZERS["sgd"].factory(), surface("beale"), np.array([(1.0, 1.5)]), 2, 1 / 3, states=True)
    e = explain_step(OPTIMIZERS["sgd"], {}, traj, 0, 1)
    assert step_latex(e, 0) == r"\theta_t = 1 - 0.3333\, \cdot 34.5 = -10.5"
    assert step_latex(e, 0, digits=None) == r"\theta_t = 1.0 - 0.3333333333333333\, \cdot 34.5 = -10.5"


# ---------------------------------------------------------------------------------------- refusals

def test_explain_refuses_a_bad_step_or_rate_and_says_why():
    adam = OPTIMIZERS["adam"]
    for step in (0, -1, True, 2.0, "3"):
        with pytest.raises(ValueError, match=r"^step must be a whole number from 1 \(the first update\), not "):
            adam.explain({}, _adam_state(), G, THETA, LR, step)
    for lr in (-0.1, math.inf, math.nan, "0.1", None):
        with pytest.raises(ValueError, match=r"^lr must be a finite number at least 0, not "):
            adam.explain({}, _adam_state(), G, THETA, lr, T)
    e = adam.explain({}, _adam_state(), G, THETA, 0.0, T)  # a rate of 0 is valid: no step
    assert np.array_equal(e["delta"], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"^state_before lacks 'exp_avg_sq'; it needs step, exp_avg, exp_avg_sq$"):
        adam.explain({}, {"step": 3, "exp_avg": np.zeros(2)}, G, THETA, LR, T)
    with pytest.raises(ValueError, match=r"^state_before holds step 7, not 3 \(update 4\)$"):
        adam.explain({}, _adam_state() | {"step": 7}, G, THETA, LR, T)


def test_explain_takes_plain_numbers_and_gives_floats():
    """As a person would type them: ints and lists; the first Adam step moves each coordinate by about -lr
    sign(g) (m̂ = g, v̂ = g²), exactly -lr g / (|g| + ϵ)."""
    e = OPTIMIZERS["adam"].explain({}, {"step": 0, "exp_avg": [0, 0], "exp_avg_sq": [0, 0]}, [3, -4], [1, 2], 1, 1)
    for name in ("grad", "params", "new_params", "delta", "g"):
        assert e[name].dtype == np.float64, name
    assert all(v.dtype == np.float64 for v in (*e["before"].values(), *e["after"].values()))
    _close(e["delta"], -np.array([3.0, -4.0]) / (np.array([3.0, 4.0]) + 1e-8), rel=1e-15)
    nadam = OPTIMIZERS["nadam"].explain({}, {"step": 0, "exp_avg": 0, "exp_avg_sq": 0, "mu_product": 1.0}, 1.0,
                                        [1.0, 2.0], 0.1, 1)  # a scalar Π_0 and state
    assert nadam["before"]["mu_product"].tolist() == [1.0, 1.0]


def test_explaining_an_overflowing_step_raises_nothing():
    """A gradient of 1e200 squares to infinity in v: the explanation shows it, without a warning."""
    e = OPTIMIZERS["adam"].explain({}, _adam_state(), [1e200, 1.0], THETA, LR, T)
    assert np.isinf(e["after"]["exp_avg_sq"][0]) and np.isfinite(e["new_params"]).all()


def test_explain_step_names_the_valid_range():
    traj = run(OPTIMIZERS["adam"].factory(), surface("beale"), np.array([(1.0, 1.5), (2.0, -0.5)]), 5, 0.01,
               states=True)
    with pytest.raises(ValueError, match=r"^run must be in \[0, 1\] and step in \[1, 5\], not 2 and 1$"):
        explain_step(OPTIMIZERS["adam"], {}, traj, 2, 1)
    plain = run(OPTIMIZERS["adam"].factory(), surface("beale"), np.array([(1.0, 1.5)]), 5, 0.01)
    with pytest.raises(ValueError, match=r"^the trajectory has no states: run it with states=True$"):
        explain_step(OPTIMIZERS["adam"], {}, plain, 0, 1)
    final = run(OPTIMIZERS["adam"].factory(), surface("beale"), np.array([(1.0, 1.5)]), 5, 0.01, states=True,
                keep="final")
    with pytest.raises(ValueError, match=r"^the trajectory keeps only its ends \(keep='final'\): run it with"):
        explain_step(OPTIMIZERS["adam"], {}, final, 0, 1)
    for bad in (plain, final):
        with pytest.raises(ValueError, match=r"^explain_path needs a trajectory run with states=True and keep='all'$"):
            explain_path(OPTIMIZERS["adam"], {}, bad)


def test_explain_path_uses_each_updates_own_rate():
    """Under a schedule, row t - 1 is update t, at the rate of update t."""
    spec = OPTIMIZERS["rmsprop"]
    traj = run(spec.factory(), surface("beale"), np.array([(1.0, 1.5), (2.0, -0.5)]), 6,
               lambda t: 0.01 * (1.0 + t), states=True)
    path = explain_path(spec, {}, traj)
    for t in range(1, 7):
        for i in range(2):
            e = explain_step(spec, {}, traj, i, t)
            assert np.array_equal(path["rate"][t - 1, i], e["rate"]) and np.array_equal(path["delta"][t - 1, i],
                                                                                        e["delta"])
