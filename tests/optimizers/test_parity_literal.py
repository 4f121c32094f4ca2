"""The NumPy optimizers reproduce literal paths of their torch classes (data/expected_paths.json,
written by make_expected.py from the ``literal`` column of ``optim_cases.CASES``) to a relative error
below 1e-9, without torch. Each path is run both ways the runner works: starts one by one on scalars,
and all at once on arrays."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from optim_cases import KEYS, LITERAL, relative_error, surface

from optimizers import OPTIMIZERS, run
from optimizers.runner import _SCALAR_BELOW

DATA = json.loads((Path(__file__).parent / "data" / "expected_paths.json").read_text())
CASES = DATA["cases"]
TOLERANCE = 1e-9


def _case_id(case) -> str:
    settings = ",".join(f"{k}={v}" for k, v in case["kwargs"].items()) or "defaults"
    return f"{case['key']}-{case['surface']}-{settings}"


@pytest.mark.parametrize("regime", ["scalars", "arrays"])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_reproduces_torch_path(case, regime):
    expected = np.array(case["xy"])
    starts = np.array(case["starts"])
    copies = 1 if regime == "scalars" else -(-_SCALAR_BELOW // len(starts))
    assert (len(starts) * copies < _SCALAR_BELOW) == (regime == "scalars")
    optimizer = OPTIMIZERS[case["key"]].factory(**case["kwargs"])
    traj = run(optimizer, surface(case["surface"]), np.tile(starts, (copies, 1)), DATA["steps"], case["lr"])
    assert traj.xy.shape == (DATA["steps"] + 1, len(starts) * copies, 2)
    assert not traj.diverged.any()
    for k in range(copies):
        got = traj.xy[:, k * len(starts):(k + 1) * len(starts)]
        assert relative_error(got, expected) < TOLERANCE


def test_every_optimizer_has_literal_paths():
    assert {case["key"] for case in CASES} == set(KEYS)


def test_literal_paths_are_the_tables_cases():
    """The committed file holds exactly the table's literal cases: regenerate it after changing them."""
    committed = [(c["key"], c["kwargs"], c["surface"], c["lr"]) for c in CASES]
    assert committed == [(key, json.loads(json.dumps(kwargs)), surf, lr) for key, kwargs, surf, lr in LITERAL]


def test_literal_paths_are_float64_and_move():
    """A path that stood still would pass whatever the optimizer did."""
    for case in CASES:
        xy = np.array(case["xy"])
        assert xy.dtype == np.float64 and xy.shape == (DATA["steps"] + 1, len(case["starts"]), 2)
        assert np.array_equal(xy[0], np.array(case["starts"]))
        assert np.abs(xy[-1] - xy[0]).max() > 0.1, _case_id(case)
        assert np.abs(xy[2] - xy[1]).max() > 1e-4, _case_id(case)


def test_non_default_settings_are_covered():
    """Each optimizer is pinned with at least one non-default setting, and the switches that change
    torch's code path are all exercised."""
    keys_with_settings = {case["key"] for case in CASES if case["kwargs"]}
    assert keys_with_settings == set(KEYS)
    used = {(name, json.dumps(value)) for case in CASES for name, value in case["kwargs"].items()}
    for switch in ("nesterov", "centered", "decoupled_weight_decay"):
        assert (switch, "true") in used
    for name in ("weight_decay", "momentum", "dampening", "lr_decay", "initial_accumulator_value", "rho",
                 "alpha", "momentum_decay", "eps", "betas"):
        assert any(n == name for n, _ in used), name
    small_beta1 = [case for case in CASES if "betas" in case["kwargs"] and case["kwargs"]["betas"][0] <= 0.5]
    assert small_beta1, "torch's lerp switches formula for weights 1 - β₁ ≥ 0.5"
