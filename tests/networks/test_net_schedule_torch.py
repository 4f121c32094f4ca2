"""Training with a schedule against torch: the same initialization, the same minibatches, torch.optim.SGD
stepped by torch.optim.lr_scheduler, float64. The minibatch loss of every update, the final weights
and the test loss agree."""

import numpy as np
import pytest

from networks import init_mlp
from networks.problem import NetworkProblem
from networks.train import _batches
from optimizers import OPTIMIZERS, SCHEDULES

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.torch

PROBLEM = NetworkProblem(depth=2, width=16, activation="tanh", init="xavier", batch_size=32)
STEPS = 120
SEED = 3

CASES = {
    "multistep": ({"lr": 0.2, "milestones": (40, 80), "gamma": 0.1},
                  lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[40, 80], gamma=0.1)),
    "polynomial": ({"lr": 0.2, "total_iters": STEPS, "power": 1.0},
                   lambda opt: torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=STEPS, power=1.0)),
    "cosine": ({"lr": 0.2, "T_max": STEPS},
               lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS)),
    "cyclic": ({"base_lr": 0.05, "max_lr": 0.2, "step_size_up": 30},
               lambda opt: torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.05, max_lr=0.2, step_size_up=30,
                                                             cycle_momentum=False)),
    "onecycle": ({"max_lr": 0.3, "total_steps": STEPS, "div_factor": 4.0},
                 lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.3, total_steps=STEPS, div_factor=4.0,
                                                                 cycle_momentum=False)),
}


def torch_run(schedule_maker, params, momentum):
    x, y, x_te, y_te = (torch.tensor(np.array(a)) for a in PROBLEM.arrays())
    tensors = [torch.tensor(a.copy(), requires_grad=True) for pair in params for a in pair]
    opt = torch.optim.SGD(tensors, lr=0.2, momentum=momentum)
    scheduler = schedule_maker(opt)
    batches = _batches(np.random.default_rng((SEED, 1)), len(y), PROBLEM.batch_size, STEPS)

    def loss_of(xb, yb):
        h = xb
        for i in range(0, len(tensors) - 2, 2):
            h = torch.tanh(h @ tensors[i] + tensors[i + 1])
        return torch.nn.functional.cross_entropy(h @ tensors[-2] + tensors[-1], yb)

    losses, rates = [], []
    for idx in batches:
        opt.zero_grad()
        loss = loss_of(x[idx], y[idx])
        loss.backward()
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
        losses.append(loss.item())
    with torch.no_grad():
        test = loss_of(x_te, y_te).item()
    return np.array(losses), np.array(rates), [t.detach().numpy() for t in tensors], test


@pytest.mark.parametrize(("key", "momentum"), [(key, 0.9) for key in CASES] + [("multistep", 0.0)])
def test_training_with_a_schedule_matches_torch(key, momentum):
    settings, maker = CASES[key]
    sgd = OPTIMIZERS["sgd"].factory(momentum=momentum)
    ours = PROBLEM.fit(SCHEDULES[key].factory(**settings), STEPS, optimizer=sgd, seed=SEED)
    x = PROBLEM.arrays()[0]
    params = init_mlp([x.shape[1], 16, 16, 10], "tanh", "xavier", SEED)
    t_loss, t_rates, t_params, t_test = torch_run(maker, params, momentum)
    np.testing.assert_array_equal(ours.lr, t_rates)  # the schedules are torch's, bit for bit
    np.testing.assert_allclose(ours.loss, t_loss, rtol=1e-9)
    for got, want in zip([a for pair in ours.params for a in pair], t_params, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)
    assert ours.test_loss == pytest.approx(t_test, rel=1e-9)
    assert ours.loss[-10:].mean() < 0.5 * ours.loss[:10].mean()  # it did train: not a comparison of two stalls
