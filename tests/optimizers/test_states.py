"""``run(..., states=True)``: the optimizer's state after every update, under torch's names, equals
torch's ``optimizer.state[p]`` after every step (relative error below 1e-9 in float64, each field and
coordinate on its own scale): live against torch (marked ``torch``) for every optimizer of the table
and each of its settings, and against the committed literal states (data/expected_states.json,
written by make_expected.py) where torch is missing. Row 0, before the first update, holds the
documented initial values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from optim_cases import CASES, KEYS, LITERAL, STARTS, SURFACE_KEYS, relative_error, state_error, surface

from optimizers import OPTIMIZERS, run
from optimizers.runner import _SCALAR_BELOW

DATA = json.loads((Path(__file__).parent / "data" / "expected_states.json").read_text())
STEPS = 100
TOLERANCE = 1e-9
# what init gives where torch holds nothing before its first step
INITIAL = {"mu_product": 1.0}


def _initial(name: str, kwargs: dict, key: str) -> float:
    if name == "sum":
        return OPTIMIZERS[key].validate(kwargs)["initial_accumulator_value"]
    return INITIAL.get(name, 0.0)


def _case_id(case) -> str:
    settings = ",".join(f"{k}={v}" for k, v in case["kwargs"].items()) or "defaults"
    return f"{case['key']}-{case['surface']}-{settings}"


@pytest.mark.parametrize("regime", ["scalars", "arrays"])
@pytest.mark.parametrize("case", DATA["cases"], ids=_case_id)
def test_states_reproduce_torchs_literal_states(case, regime):
    starts = np.array(case["starts"])
    copies = 1 if regime == "scalars" else -(-_SCALAR_BELOW // len(starts))
    optimizer = OPTIMIZERS[case["key"]].factory(**case["kwargs"])
    traj = run(optimizer, surface(case["surface"]), np.tile(starts, (copies, 1)), DATA["steps"], case["lr"],
               states=True)
    assert set(traj.states) == set(case["states"])
    for name, expected in case["states"].items():
        expected = np.array(expected)
        for k in range(copies):
            got = traj.states[name][:, k * len(starts):(k + 1) * len(starts)]
            assert got.shape == (DATA["steps"] + 1, len(starts), 2)
            assert state_error(got[1:], expected) < TOLERANCE, name
            before = case["initial"].get(name, _initial(name, case["kwargs"], case["key"]))
            assert np.array_equal(got[0], np.broadcast_to(before, got[0].shape)), name


def test_literal_states_are_the_tables_cases_and_cover_every_field():
    committed = [(c["key"], c["kwargs"], c["surface"], c["lr"]) for c in DATA["cases"]]
    assert committed == [(key, json.loads(json.dumps(kwargs)), surf, lr) for key, kwargs, surf, lr in LITERAL]
    names = {name for case in DATA["cases"] for name in case["states"]}
    assert names == {"momentum_buffer", "step", "sum", "square_avg", "grad_avg", "acc_delta", "exp_avg", "exp_avg_sq",
                     "max_exp_avg_sq", "exp_inf", "mu_product", "velocity"}
    # the states move: a state that stood still would pass whatever the optimizer did
    for case in DATA["cases"]:
        for name, values in case["states"].items():
            values = np.array(values)
            assert np.abs(values[-1] - values[0]).max() > 0, (_case_id(case), name)


def test_sgd_without_momentum_keeps_no_state_as_torch():
    traj = run(OPTIMIZERS["sgd"].factory(), surface("beale"), (1.0, 1.5), 5, 1e-3, states=True)
    assert traj.states == {}
    assert traj.grads.shape == (5, 1, 2)


@pytest.mark.parametrize("key", KEYS)
def test_without_states_there_are_none(key):
    traj = run(OPTIMIZERS[key].factory(), surface("beale"), (1.0, 1.5), 5, 1e-3)
    assert traj.states is None and traj.grads is None


@pytest.mark.torch
class TestLive:
    """Every field after every step against torch itself, for every setting of the table."""

    @staticmethod
    def compare(key, kwargs, surf, starts, schedule=None):
        pytest.importorskip("torch")
        from optim_torch import torch_run

        lr = CASES[key].lr[surf] if schedule is None else schedule
        traj = run(OPTIMIZERS[key].factory(**kwargs), surface(surf), np.array(starts), STEPS, lr, states=True)
        assert not traj.diverged.any()
        for i, start in enumerate(starts):
            path, states = torch_run(key, kwargs, surf, start, traj.lr)
            assert relative_error(traj.xy[:, i], path) < TOLERANCE
            assert set(traj.states) == set(states), (set(traj.states), set(states))
            for name, theirs in states.items():
                ours = traj.states[name][:, i]
                assert ours.shape == (STEPS + 1, 2)
                assert state_error(ours[1:], theirs[1:]) < TOLERANCE, name
                before = theirs[0] if not np.isnan(theirs[0]).any() else _initial(name, kwargs, key)
                assert np.array_equal(ours[0], np.broadcast_to(before, (2,))), name

    @pytest.mark.parametrize("surf", SURFACE_KEYS)
    @pytest.mark.parametrize("key, kwargs", [(k, kw) for k in KEYS for kw in ({}, *CASES[k].settings)], ids=str)
    def test_states_match_torchs_after_every_step(self, key, kwargs, surf):
        self.compare(key, kwargs, surf, STARTS[surf][:2])

    @pytest.mark.parametrize("key", KEYS)
    def test_states_match_in_the_array_regime_with_a_changing_rate(self, key):
        starts = STARTS["tilted_quadratic"] + ((1.5, -1.2), (0.3, 1.3))
        assert len(starts) >= _SCALAR_BELOW
        rate = CASES[key].lr["tilted_quadratic"]
        self.compare(key, CASES[key].settings[-1], "tilted_quadratic", starts,
                     lambda t: rate * (1.0 + 0.5 * np.sin(0.9 * t)))

    @pytest.mark.parametrize("kwargs, names", [({}, set()), ({"momentum": 0.9}, {"momentum_buffer"}),
                                               ({"momentum": 0.9, "nesterov": True}, {"momentum_buffer"})])
    def test_sgd_keys_follow_its_settings(self, kwargs, names):
        torch = pytest.importorskip("torch")

        traj = run(OPTIMIZERS["sgd"].factory(**kwargs), surface("beale"), (1.0, 1.5), 1, 1e-3, states=True)
        p = torch.tensor([1.0, 1.5], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=1e-3, **kwargs)
        p.grad = torch.ones(2, dtype=torch.float64)
        opt.step()
        assert set(traj.states) == set(opt.state[p]) == names
