"""Training with a schedule against torch, live: the same initialization, the same minibatches,
torch.optim.SGD stepped by torch.optim.lr_scheduler, float64. The rate of every update is torch's bit for
bit; the minibatch loss of every update, the final weights and the test loss agree to 1e-9."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from net_training_cases import CASES, ours  # noqa: E402
from net_training_torch import torch_training  # noqa: E402

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("case_id", list(CASES))
def test_training_with_a_schedule_matches_torch(case_id):
    r = ours(case_id)
    t_loss, t_rates, t_params, t_test = torch_training(case_id)
    np.testing.assert_array_equal(r.lr, t_rates)
    np.testing.assert_allclose(r.loss, t_loss, rtol=1e-9)
    for got, want in zip([a for pair in r.params for a in pair], t_params, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)
    assert r.test_loss == pytest.approx(t_test, rel=1e-9)
