"""Gaps a sampled mutation run of optimizers/ found (tools/MUTATION.md): each test fails on the mutant
it names and passes on the code."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import OPTIMIZERS, SCHEDULES
from optimizers import schedules as S
from optimizers.sgd import sgd


@pytest.mark.parametrize("key", [k for k, s in OPTIMIZERS.items() if any(p.name == "alpha" for p in s.params)])
def test_a_negative_smoothing_constant_is_refused(key):
    """RMSProp's alpha is a decay in [0, 1): below 0 is refused by the spec (mutant: its low bound None)."""
    with pytest.raises(ValueError, match=r"alpha=-0.1 is not valid; alpha takes a number in \[0, "):
        OPTIMIZERS[key].validate({"alpha": -0.1})
    OPTIMIZERS[key].validate({"alpha": 0.0})


def test_nesterov_with_dampening_is_refused_by_the_factory_itself():
    """torch refuses it, and so does sgd() when called directly (mutant: the dampening's key misspelt)."""
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0 and dampening = 0"):
        sgd(momentum=0.9, dampening=0.5, nesterov=True)
    sgd(momentum=0.9, dampening=0.0, nesterov=True)


def test_a_fresh_schedule_gives_its_first_rate():
    """The first rate of a schedule never asked before is its own, not a placeholder's (mutant: the
    empty table started with one uninitialised entry)."""
    assert S.constant(0.25).table(1).tolist() == [0.25]
    assert S.linear(1.0, 0.5, 1.0, 4).table(1).tolist() == [0.5]
    assert S.constant(0.25)(0) == 0.25


def test_a_step_out_of_range_is_named():
    with pytest.raises(ValueError, match=f"from 0 to {S.MAX_STEP:,}, not {S.MAX_STEP + 1}$"):
        S.constant(0.1)(np.array([0, S.MAX_STEP + 1]))
    with pytest.raises(ValueError, match=r"not -1$"):
        S.constant(0.1)(np.array([-1, 3]))


@pytest.mark.parametrize("key", list(SCHEDULES))
def test_a_schedule_keeps_its_settings_under_the_names_of_its_factory(key):
    """What a schedule reports it runs with, under the factory's (and torch's) argument names (mutant:
    a key upper-cased)."""
    spec = SCHEDULES[key]
    settings = {p.name: p.default for p in spec.params}
    schedule = spec.factory(**settings)
    assert set(schedule.params) == set(settings)
    assert S.linear(1.0, 0.5, 1.0, 4).params == {"lr": 1.0, "start_factor": 0.5, "end_factor": 1.0, "total_iters": 4}
