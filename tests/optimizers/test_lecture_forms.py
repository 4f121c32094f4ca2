"""The lecture's forms of momentum, Nesterov and RMSProp: where they must coincide with torch's forms
they do, and where they differ the paths split, for the documented reason."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from optim_cases import CASES, LECTURE_KEYS, relative_error, surface

from optimizers import OPTIMIZERS, run
from optimizers.lecture import momentum_lecture, nag_lecture, rmsprop_lecture
from optimizers.runner import _SCALAR_BELOW

STARTS = {
    "beale": ((1.0, 1.5), (2.0, -0.5)),
    "rosenbrock": ((-1.5, 2.0), (0.5, -0.5)),
    "saddle": ((1.0, 0.1), (-0.5, 0.3)),
    "tilted_quadratic": ((1.0, -2.0), (-1.5, 1.0)),
}
LR = {"beale": 1e-3, "rosenbrock": 2e-4, "saddle": 0.02, "tilted_quadratic": 0.02}
MINIMA = {"beale": (3.0, 0.5), "rosenbrock": (1.0, 1.0), "tilted_quadratic": (0.0, 0.0)}
MOMENTUM_SETTINGS = ({}, *CASES["momentum_lecture"].settings)
EPS = np.finfo(float).eps


def _run(key, surf, steps=100, schedule=None, starts=None, **kwargs):
    starts = STARTS[surf] if starts is None else starts
    return run(OPTIMIZERS[key].factory(**kwargs), surface(surf), np.array(starts), steps,
               LR[surf] if schedule is None else schedule)


def _step_decay(lr):
    """A rate that drops tenfold at step 30 and doubles at step 60."""
    return lambda t: lr * np.where(t < 30, 1.0, np.where(t < 60, 0.1, 0.2))


@pytest.mark.parametrize("kwargs", MOMENTUM_SETTINGS, ids=str)
@pytest.mark.parametrize("surf", list(STARTS))
def test_momentum_lecture_coincides_with_momentum_at_a_constant_rate(surf, kwargs):
    lecture, torch_form = _run("momentum_lecture", surf, **kwargs), _run("momentum", surf, **kwargs)
    assert relative_error(lecture.xy, torch_form.xy) < 1e-12
    assert np.abs(lecture.xy[-1] - lecture.xy[0]).max() > 1e-2


@pytest.mark.parametrize("surf", list(STARTS))
def test_momentum_lecture_splits_from_momentum_when_the_rate_changes(surf):
    schedule = _step_decay(LR[surf])
    lecture, torch_form = _run("momentum_lecture", surf, schedule=schedule), _run("momentum", surf, schedule=schedule)
    assert relative_error(lecture.xy[:31], torch_form.xy[:31]) < 1e-12
    assert relative_error(lecture.xy, torch_form.xy) > 1e-3


@pytest.mark.parametrize("surf", list(STARTS))
def test_momentum_forms_differ_exactly_as_documented(surf):
    """Displacements d_t = w_t - w_{t-1} obey d_{t+1} = μ d_t - ε_t g_t in the lecture's form (the
    velocity keeps old rates) and d_{t+1} = μ (ε_t/ε_{t-1}) d_t - ε_t g_t in torch's (the buffer
    is rescaled by the new rate)."""
    mu = 0.9
    schedule = _step_decay(LR[surf])
    for key, rescaled in (("momentum_lecture", False), ("momentum", True)):
        traj = _run(key, surf, schedule=schedule)
        lrs = traj.lr
        for i in range(len(STARTS[surf])):
            xy = traj.xy[:, i]
            d = np.diff(xy, axis=0)
            g = surface(surf).grad(xy[1:-1])
            ratio = lrs[1:] / lrs[:-1] if rescaled else 1.0
            momentum, gradient = mu * (ratio * d[:-1].T).T, (lrs[1:] * g.T).T
            # each step against the size of what makes it: its two terms, and the positions it is read from
            scale = np.abs(momentum) + np.abs(gradient) + EPS * (np.abs(xy[1:-1]) + np.abs(xy[2:]))
            assert (np.abs(momentum - gradient - d[1:]) <= 1e-9 * scale).all()


@pytest.mark.parametrize("surf", list(STARTS))
def test_nag_lecture_is_nag_shifted_by_mu_v(surf):
    """At a constant rate torch's θ_t is the lecture's look-ahead point w_t + μ v_t, v_t = w_t - w_{t-1}:
    the paths differ by μv at every step."""
    mu = 0.9
    lecture, torch_form = _run("nag_lecture", surf), _run("nag", surf)
    w = lecture.xy
    look_ahead = np.concatenate([w[:1], w[1:] + mu * (w[1:] - w[:-1])])
    assert relative_error(look_ahead, torch_form.xy) < 1e-10
    assert relative_error(w, torch_form.xy) > 1e-3


@pytest.mark.parametrize("surf", list(MINIMA))
def test_nag_and_nag_lecture_both_converge(surf):
    steps = {"beale": 3000, "rosenbrock": 15000, "tilted_quadratic": 500}[surf]
    tolerance = {"beale": 1e-3, "rosenbrock": 1e-3, "tilted_quadratic": 1e-9}[surf]
    for key in ("nag", "nag_lecture"):
        traj = _run(key, surf, steps=steps)
        assert not traj.diverged.any()
        assert np.abs(traj.xy[-1] - MINIMA[surf]).max() < tolerance, key


class _Recording:
    """A surface that records where its gradient is taken."""

    def __init__(self, inner):
        self.inner, self.points = inner, []

    def fxy(self, x, y):
        return self.inner.fxy(x, y)

    def gxy(self, x, y):
        self.points.append((np.copy(x), np.copy(y)))
        return self.inner.gxy(x, y)


@pytest.mark.parametrize("n", [1, _SCALAR_BELOW + 1])
def test_nag_lecture_takes_the_gradient_at_the_look_ahead_point(n):
    mu = 0.7
    starts = np.linspace((1.0, 1.5), (2.0, -0.5), n)
    recording = _Recording(surface("beale"))
    traj = run(nag_lecture(momentum=mu), recording, starts, 6, 1e-3)
    points = np.stack([np.stack(np.broadcast_arrays(x, y), -1).reshape(n, 2) for x, y in recording.points])
    w = traj.xy
    assert np.array_equal(points[0], starts)
    expected = w[1:-1] + mu * (w[1:-1] - w[:-2])
    # each point to a few roundings of its own terms
    assert (np.abs(points[1:] - expected) <= 4 * EPS * (np.abs(w[1:-1]) + mu * np.abs(w[1:-1] - w[:-2]))).all()
    assert np.abs(points[1:] - w[1:-1]).max() > 1e-6


def test_momentum_lecture_takes_the_gradient_at_the_position():
    assert momentum_lecture().grad_point is None and nag_lecture().grad_point is not None


@pytest.mark.parametrize("surf", list(STARTS))
def test_rmsprop_lecture_coincides_with_rmsprop_without_eps(surf):
    lecture, torch_form = _run("rmsprop_lecture", surf, eps=0.0), _run("rmsprop", surf, eps=0.0)
    assert relative_error(lecture.xy, torch_form.xy) < 1e-12


@pytest.mark.parametrize("surf", list(STARTS))
def test_rmsprop_lecture_splits_from_rmsprop_with_a_large_eps(surf):
    lecture = _run("rmsprop_lecture", surf, schedule=0.01, eps=1.0)
    torch_form = _run("rmsprop", surf, schedule=0.01, eps=1.0)
    start = lecture.xy[0]
    assert relative_error(lecture.xy - start, torch_form.xy - start) > 0.02
    tiny_eps = _run("rmsprop_lecture", surf, schedule=0.01, eps=1e-12), _run("rmsprop", surf, schedule=0.01, eps=1e-12)
    assert relative_error(tiny_eps[0].xy - start, tiny_eps[1].xy - start) < 1e-4


def test_rmsprop_forms_put_eps_where_documented():
    """First step from v₀ = 0: -ε g / sqrt((1-α) g² + ϵ) in the lecture's form, -ε g / (sqrt((1-α) g²) + ϵ)
    in torch's."""
    alpha, eps, lr = 0.9, 0.25, 0.01
    g = np.float64(3.0)

    def first_step(opt):
        x = np.float64(0.5)
        new, _ = opt.update(g, opt.init(x), x, lr)
        return new - x

    assert first_step(rmsprop_lecture(alpha=alpha, eps=eps)) == pytest.approx(
        -lr * g / np.sqrt((1 - alpha) * g * g + eps), rel=1e-14)
    assert first_step(OPTIMIZERS["rmsprop"].factory(alpha=alpha, eps=eps)) == pytest.approx(
        -lr * g / (np.sqrt((1 - alpha) * g * g) + eps), rel=1e-14)


@pytest.mark.parametrize("eps", [0.1, 0.5, 1.0, 4.0])
def test_which_rmsprop_form_steps_longer_is_as_the_note_says(eps):
    """The spec's note: with ϵ ≥ 1 the lecture's first step is the longer for every g ≠ 0, with ϵ < 1
    only where √v > (1 − ϵ)/2 (v = (1 − α) g² after the first update)."""
    alpha, lr, x = 0.9, 0.01, np.float64(0.5)
    lecture, torch_form = rmsprop_lecture(alpha=alpha, eps=eps), OPTIMIZERS["rmsprop"].factory(alpha=alpha, eps=eps)
    for g in np.geomspace(1e-3, 1e3, 61):
        root_v = np.sqrt((1 - alpha) * g * g)
        longer = abs(lecture.update(g, lecture.init(x), x, lr)[0] - x) > abs(torch_form.update(g, torch_form.init(x),
                                                                                                 x, lr)[0] - x)
        if abs(root_v - (1 - eps) / 2) > 1e-6:
            assert longer == (eps >= 1 or root_v > (1 - eps) / 2), (eps, g)
    assert "with ϵ ≥ 1" in OPTIMIZERS["rmsprop_lecture"].note and "(1 − ϵ)/2" in OPTIMIZERS["rmsprop_lecture"].note


def test_every_lecture_form_has_a_twin():
    assert LECTURE_KEYS == tuple(key for key, spec in OPTIMIZERS.items() if spec.torch_class is None)
    assert {CASES[key].twin for key in LECTURE_KEYS} == {"momentum", "nag", "rmsprop"}


@pytest.mark.parametrize("key", LECTURE_KEYS)
def test_lecture_forms_coincide_with_their_twin_where_the_table_says(key):
    """At a constant rate, with the row's ``coincides`` settings (ϵ = 0 for RMSProp), the lecture
    form and its torch-form twin take the same path; Nesterov's never coincide (shifted by μv)."""
    case = CASES[key]
    if case.coincides is None:
        lecture, twin = _run(key, "beale"), _run(case.twin, "beale")
        assert relative_error(lecture.xy, twin.xy) > 1e-3
        return
    for surf in STARTS:
        lecture, twin = _run(key, surf, **case.coincides), _run(case.twin, surf, **case.coincides)
        assert relative_error(lecture.xy, twin.xy) < 1e-12
        assert np.abs(lecture.xy[-1] - lecture.xy[0]).max() > 1e-3


@pytest.mark.parametrize("key", LECTURE_KEYS)
def test_lecture_forms_say_which_torch_form_they_relate_to(key):
    coincides_with = OPTIMIZERS[CASES[key].twin].torch_class
    spec = OPTIMIZERS[key]
    assert spec.torch_class is None
    assert coincides_with in spec.note
    assert coincides_with.removeprefix("torch.optim.") in importlib.import_module(spec.make.__module__).__doc__


def test_every_lecture_form_has_one_torch_class_text():
    """optimizers/lecture_torch.py holds the one text the .py export writes and the torch tests run;
    each class keeps the state fields the NumPy form names."""
    from optimizers.lecture_torch import TORCH_CLASSES, torch_source

    assert set(TORCH_CLASSES) == set(LECTURE_KEYS)
    for key, (name, _) in TORCH_CLASSES.items():
        source = torch_source([key])
        assert source.count(f"class {name}(") == 1 and source.count("class LectureOptimizer(") == 1
        for field in OPTIMIZERS[key].factory().state_names:
            assert f'state["{field}"] = ' in source, (key, field)
    both = torch_source(["nag_lecture", "momentum_lecture", "nag_lecture"])
    assert both.count("class MomentumLecture(") == 1 and both.index("class MomentumLecture(") < both.index(
        "class NesterovLecture(")  # a class is written once, after the one it is built on
