"""Training with a schedule reproduces torch's literal numbers (data/expected_training.json, written by
make_expected_training.py): the rate of every update bit for bit, the minibatch losses and the test loss
to 1e-9, without torch."""

import json
from pathlib import Path

import numpy as np
import pytest
from net_training_cases import CASES, STEPS, ours

DATA = json.loads((Path(__file__).parent / "data" / "expected_training.json").read_text())


def test_every_case_has_literal_numbers():
    assert set(DATA["cases"]) == set(CASES) and DATA["steps"] == STEPS


@pytest.mark.parametrize("case_id", list(CASES))
def test_training_with_a_schedule_reproduces_torch(case_id):
    want = DATA["cases"][case_id]
    r = ours(case_id)
    np.testing.assert_array_equal(r.lr, want["lr"])
    np.testing.assert_allclose(r.loss, want["loss"], rtol=1e-9)
    assert r.test_loss == pytest.approx(want["test_loss"], rel=1e-9)
    assert r.loss[-10:].mean() < 0.5 * r.loss[:10].mean()  # it trained: not two stalled runs compared


def test_the_schedules_change_the_outcome():
    """The cases differ from one another by far more than the tolerance: a wrong schedule fails."""
    finals = sorted(case["test_loss"] for case in DATA["cases"].values())
    assert min(np.diff(finals)) > 1e-6
