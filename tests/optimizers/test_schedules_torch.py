"""Learning-rate schedules against torch.optim.lr_scheduler live, on random seeded settings; skipped
where torch is not installed."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from optimizers import SCHEDULES

pytest.importorskip("torch")
pytestmark = pytest.mark.torch

_spec = importlib.util.spec_from_file_location("make_expected_schedules",
                                               Path(__file__).parent / "make_expected_schedules.py")
_make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_make)
torch_rates = _make.torch_rates

STEPS = 600
SEEDS = range(6)


def random_settings(key, rng):
    lr = float(10 ** rng.uniform(-4, 0))
    eta_min = float(lr * rng.uniform(0, 0.5)) if rng.random() < 0.5 else 0.0
    if key == "constant":
        return {"lr": lr}
    if key == "step":
        return {"lr": lr, "step_size": int(rng.integers(1, 150)), "gamma": float(rng.uniform(0.05, 1.0))}
    if key == "multistep":
        milestones = rng.integers(0, STEPS, size=int(rng.integers(1, 6))).tolist()
        return {"lr": lr, "milestones": milestones, "gamma": float(rng.uniform(0.05, 1.0))}
    if key == "linear":
        return {"lr": lr, "start_factor": float(rng.uniform(0.01, 1.0)), "end_factor": float(rng.uniform(0, 1)),
                "total_iters": int(rng.integers(1, 2 * STEPS))}
    if key == "exponential":
        return {"lr": lr, "gamma": float(rng.uniform(0.95, 1.0))}
    if key == "cosine":
        return {"lr": lr, "T_max": int(rng.integers(1, 400)), "eta_min": eta_min}
    if key == "cosine_restarts":
        return {"lr": lr, "T_0": int(rng.integers(1, 150)), "T_mult": int(rng.integers(1, 4)), "eta_min": eta_min}
    if key == "polynomial":
        return {"lr": lr, "total_iters": int(rng.integers(1, 2 * STEPS)), "power": float(rng.uniform(0, 4))}
    if key == "cyclic":
        return {"base_lr": lr, "max_lr": float(10 ** rng.uniform(-4, 0)), "step_size_up": int(rng.integers(1, 150)),
                "step_size_down": None if rng.random() < 0.3 else int(rng.integers(0, 150)),
                "mode": str(rng.choice(["triangular", "triangular2", "exp_range"])),
                "gamma": float(rng.uniform(0.99, 1.0))}
    if key == "onecycle":
        return {"max_lr": lr, "total_steps": int(rng.integers(STEPS, 2 * STEPS)), "pct_start": float(rng.uniform()),
                "anneal_strategy": str(rng.choice(["cos", "linear"])), "div_factor": float(rng.uniform(1, 100)),
                "final_div_factor": float(10 ** rng.uniform(0, 5)), "three_phase": bool(rng.random() < 0.5)}
    raise AssertionError(key)


def assert_matches_torch(key, settings, steps=STEPS):
    expected = np.array(torch_rates(key, settings, steps))
    got = SCHEDULES[key].factory(**settings)(np.arange(steps))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=f"{key} {settings}")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", sorted(SCHEDULES))
def test_random_settings_match_torch(key, seed):
    rng = np.random.default_rng([seed, sorted(SCHEDULES).index(key)])
    assert_matches_torch(key, random_settings(key, rng))


@pytest.mark.parametrize("key, settings", [
    ("cosine_restarts", {"lr": 0.1, "T_0": 5, "T_mult": 2, "eta_min": 0.001}),
    ("cosine_restarts", {"lr": 0.05, "T_0": 1, "T_mult": 2}),
    ("cyclic", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 23, "step_size_down": 41, "mode": "exp_range",
                "gamma": 0.997}),
    ("cyclic", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 1, "step_size_down": 0, "mode": "triangular2"}),
    ("onecycle", {"max_lr": 0.3, "total_steps": 700, "pct_start": 0.35, "anneal_strategy": "linear",
                  "three_phase": True}),
    ("onecycle", {"max_lr": 0.3, "total_steps": 600, "pct_start": 1.0}),
    ("linear", {"lr": 0.1, "start_factor": 1.0, "end_factor": 0.0, "total_iters": 300}),
    ("multistep", {"lr": 0.1, "milestones": [0, 0, 599], "gamma": 0.5}),
])
def test_corner_settings_match_torch(key, settings):
    assert_matches_torch(key, settings, steps=max(STEPS, settings.get("total_steps", 0)))


def test_cosine_follows_torchs_recursion_not_the_closed_form():
    # over many periods torch's recursion leaves the closed form by more than 1e-12; we follow torch
    lr, t_max, steps = 0.01, 7, 5000
    expected = np.array(torch_rates("cosine", {"lr": lr, "T_max": t_max}, steps))
    t = np.arange(steps)
    closed = lr * (1 + np.cos(np.pi * t / t_max)) / 2
    keep = expected != 0
    assert np.max(np.abs(closed[keep] - expected[keep]) / expected[keep]) > 1e-12
    got = SCHEDULES["cosine"].factory(lr=lr, T_max=t_max)(t)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_every_spec_names_a_torch_scheduler_that_takes_its_parameters():
    import inspect

    import torch

    for spec in SCHEDULES.values():
        cls = getattr(torch.optim.lr_scheduler, spec.torch_class.rsplit(".", 1)[1])
        accepted = inspect.signature(cls).parameters
        for name in [p.name for p in spec.params if p.name != "lr"] + list(spec.torch_extra):
            assert name in accepted, (spec.key, name)
