"""Live parity with torch: every optimizer follows its torch class's path (torch.optim's, or for the
lecture's forms the class in ``optimizers/lecture_torch.py``) to a relative error below 1e-9 over the
first 100 steps, on several surfaces and starts, with default, hand-picked and seeded random
hyperparameters, and with a learning rate that changes at every step. Skipped where torch is not
installed."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from optim_cases import (  # noqa: E402
    CASES,
    KEYS,
    SETTINGS,
    STARTS,
    SURFACE_KEYS,
    TORCH_OPTIM_KEYS,
    amplification,
    relative_error,
    surface,
)
from optim_torch import torch_optimizer_class, torch_path  # noqa: E402

from optimizers import OPTIMIZERS, run  # noqa: E402
from optimizers.nadam import nadam  # noqa: E402
from optimizers.runner import _SCALAR_BELOW  # noqa: E402

pytestmark = pytest.mark.torch

STEPS = 100
TOLERANCE = 1e-9
# A path that magnifies a perturbation of its start more than this is chaotic: rounding differences
# of one unit in the last place, which torch's fused multiply-adds and MKL square roots make at every
# step, grow alike, and no float64 implementation can follow torch there.
WELL_CONDITIONED = 1e4


def _compare(key, kwargs, surf, schedule=None, starts=None, optimizer=None):
    """Run ours on all starts at once and torch on each; return the largest relative error. Every
    path must be well-conditioned, so that the comparison means something."""
    starts = STARTS[surf] if starts is None else starts
    optimizer = OPTIMIZERS[key].factory(**kwargs) if optimizer is None else optimizer
    schedule = CASES[key].lr[surf] if schedule is None else schedule
    traj = run(optimizer, surface(surf), np.array(starts), STEPS, schedule)
    assert not traj.diverged.any()
    for start in starts:
        assert amplification(optimizer, surf, start, STEPS, schedule) < WELL_CONDITIONED, start
    return max(relative_error(traj.xy[:, i], torch_path(key, kwargs, surf, start, traj.lr))
               for i, start in enumerate(starts))


@pytest.mark.parametrize("surf", SURFACE_KEYS)
@pytest.mark.parametrize("key", KEYS)
def test_defaults_match_torch(key, surf):
    """torch.optim's class, or the lecture form's torch class from ``optimizers/lecture_torch.py``."""
    assert _compare(key, {}, surf) < TOLERANCE


@pytest.mark.parametrize("surf", SURFACE_KEYS)
@pytest.mark.parametrize("key, kwargs", SETTINGS, ids=str)
def test_settings_match_torch(key, kwargs, surf):
    assert _compare(key, kwargs, surf) < TOLERANCE


def test_every_optimizer_has_settings_and_rates():
    assert all(CASES[key].settings for key in KEYS)
    assert all(set(CASES[key].lr) == set(SURFACE_KEYS) for key in KEYS)


def _random_kwargs(spec, rng) -> dict:
    """Hyperparameters drawn inside the valid ranges (the widget's, with momentum-like factors kept
    below 0.99 so 100 steps stay well-conditioned)."""
    kwargs = {}
    for p in spec.params:
        if p.kind == "bool":
            kwargs[p.name] = bool(rng.integers(2))
        elif p.kind == "pair":
            kwargs[p.name] = tuple(float(v) for v in rng.uniform(0.0, 0.99, 2))
        else:
            lo, hi = p.widget
            if hi <= 1.0 and p.name != "eps":
                hi = min(hi, 0.99)
            kwargs[p.name] = float(np.exp(rng.uniform(np.log(lo), np.log(hi))) if p.log else rng.uniform(lo, hi))
    if kwargs.get("nesterov"):
        kwargs["momentum"] = max(kwargs["momentum"], 0.1)
        kwargs["dampening"] = 0.0
    return spec.validate(kwargs)


@pytest.mark.parametrize("key", KEYS)
def test_random_hyperparameters_match_torch(key):
    """Seeded draws of every hyperparameter, surface and start; the draws whose path is chaotic
    (see WELL_CONDITIONED) are set aside, and at least four must remain."""
    compared = []
    for seed in range(24):
        rng = np.random.default_rng([seed, KEYS.index(key)])
        kwargs = _random_kwargs(OPTIMIZERS[key], rng)
        surf = SURFACE_KEYS[seed % len(SURFACE_KEYS)]
        start = STARTS[surf][int(rng.integers(len(STARTS[surf])))]
        optimizer = OPTIMIZERS[key].factory(**kwargs)
        if amplification(optimizer, surf, start, STEPS, CASES[key].lr[surf]) >= WELL_CONDITIONED:
            continue
        assert _compare(key, kwargs, surf, starts=(start,)) < TOLERANCE, (kwargs, surf, start)
        compared.append(seed)
        if len(compared) == 4:
            break
    assert len(compared) == 4


def _wavy(lr: float):
    return lambda t: lr * (1.0 + 0.6 * np.sin(0.9 * t + 0.3)) * 0.98**t


@pytest.mark.parametrize("surf", SURFACE_KEYS)
@pytest.mark.parametrize("key", KEYS)
def test_learning_rate_changing_every_step_matches_torch(key, surf):
    schedule = _wavy(CASES[key].lr[surf])
    lrs = schedule(np.arange(STEPS))
    assert len(set(lrs.tolist())) == STEPS
    kwargs = CASES[key].settings[-1]
    assert _compare(key, kwargs, surf, schedule) < TOLERANCE


@pytest.mark.parametrize("key", KEYS)
def test_array_regime_matches_torch(key):
    """Enough starts that the runner integrates them as arrays, not one by one on scalars."""
    starts = STARTS["beale"] + ((1.5, 1.2), (1.2, 1.3))
    assert len(starts) >= _SCALAR_BELOW
    assert _compare(key, CASES[key].settings[0], "beale", starts=starts) < TOLERANCE


class _Float64Default:
    def __enter__(self):
        self.saved = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)

    def __exit__(self, *exc):
        torch.set_default_dtype(self.saved)


@pytest.mark.parametrize("surf", SURFACE_KEYS)
def test_nadam_follows_torchs_default_dtype_for_its_momentum_product(surf):
    """torch keeps NAdam's running product of μ_t in its default dtype: float32 by default (what
    OPTIMIZERS['nadam'] matches), float64 after torch.set_default_dtype(torch.float64)."""
    assert torch.get_default_dtype() == torch.float32
    assert _compare("nadam", {}, surf, 0.03) < TOLERANCE
    with _Float64Default():
        assert _compare("nadam", {}, surf, 0.03, optimizer=nadam(mu_product_dtype=np.float64)) < TOLERANCE
        mismatch = _compare("nadam", {}, surf, 0.03)
    assert mismatch > 1e-12


@pytest.mark.parametrize("key", TORCH_OPTIM_KEYS)
def test_spec_names_and_defaults_are_torchs(key):
    spec = OPTIMIZERS[key]
    signature = inspect.signature(torch_optimizer_class(key).__init__).parameters
    ours_differ = {("momentum", "momentum"), ("nag", "momentum")}  # the Momentum entries' point is μ > 0
    for p in spec.params:
        assert p.name in signature, f"{p.name} is not a torch.optim name"
        if (key, p.name) not in ours_differ:
            assert p.default == signature[p.name].default, p.name
    for name, value in spec.torch_extra.items():
        assert name in signature and value != signature[name].default
    assert spec.lr.default == signature["lr"].default


def _probes(p):
    """Values just outside the valid range of ``p`` (as torch's checks see them), then its edges."""
    if p.kind == "pair":
        outside = [(p.low - 0.1, 0.5), (0.5, p.high if p.open_high else p.high + 0.1)]
        return outside, [(p.low, p.low)]
    outside = [] if p.low is None else [p.low - 0.1]
    edges = [] if p.low is None else [p.low]
    if p.high is not None:
        outside.append(p.high if p.open_high else p.high + 0.1)
        edges += [] if p.open_high else [p.high]
    return outside, edges


def _accepts(make) -> bool:
    try:
        make()
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("key", TORCH_OPTIM_KEYS)
def test_valid_ranges_mirror_torchs_checks(key):
    """Where torch.optim raises, the spec raises; where the spec accepts a boundary, so does torch."""
    spec = OPTIMIZERS[key]
    cls = torch_optimizer_class(key)
    param = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    checked = 0
    for p in (*spec.params, spec.lr):
        if p.kind not in ("float", "pair"):
            continue
        outside, edges = _probes(p)
        for value in outside + edges:
            ours = _accepts(lambda p=p, v=value: p.validate(v, spec.title) if p.name == "lr"
                            else spec.factory(**{p.name: v}))
            theirs = _accepts(lambda p=p, v=value: cls([param], **{**spec.defaults(), **spec.torch_extra,
                                                                    p.name: v}))
            assert ours == theirs, (p.name, value, ours, theirs)
            if value in outside:
                assert not ours, (p.name, value)
            checked += 1
    assert checked >= 3


def test_lecture_forms_coincide_with_torch_where_documented():
    """rmsprop_lecture with ϵ = 0 is torch's RMSprop(eps=0); momentum_lecture at a constant rate is
    torch's SGD(momentum=μ). (Starts with no zero gradient component: 0/0 with ϵ = 0.)"""
    starts = {"beale": ((1.0, 1.5), (2.0, -0.5)), "rosenbrock": ((-1.5, 2.0), (0.5, -0.5)),
              "saddle": ((1.0, 0.1), (-0.5, 0.3)), "tilted_quadratic": ((1.0, -1.0), (2.0, 2.0))}
    for surf, points in starts.items():
        for key, torch_key, torch_kwargs in (("rmsprop_lecture", "rmsprop", {"eps": 0.0}),
                                             ("momentum_lecture", "momentum", {})):
            lr = CASES[torch_key].lr[surf]
            traj = run(OPTIMIZERS[key].factory(**torch_kwargs), surface(surf), np.array(points), STEPS, lr)
            for i, start in enumerate(points):
                reference = torch_path(torch_key, torch_kwargs, surf, start, traj.lr)
                assert relative_error(traj.xy[:, i], reference) < 1e-12


@pytest.mark.parametrize("surf", SURFACE_KEYS)
@pytest.mark.parametrize("key", KEYS)
def test_defaults_match_torch_with_autograd_gradients(key, surf):
    """The same comparison with torch's gradients from autograd on the loss instead of the analytic
    formulas: what a torch user would run, independent of ``surfaces``."""
    lr = CASES[key].lr[surf]
    traj = run(OPTIMIZERS[key].factory(), surface(surf), np.array(STARTS[surf]), STEPS, lr)
    for i, start in enumerate(STARTS[surf]):
        reference = torch_path(key, {}, surf, start, traj.lr, grads="autograd")
        assert relative_error(traj.xy[:, i], reference) < TOLERANCE
