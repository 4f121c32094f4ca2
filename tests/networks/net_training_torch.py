"""The torch side of the schedule-training parity tests: the same MLP written with torch tensors, trained
by torch.optim.SGD stepped by a torch.optim.lr_scheduler, on the minibatches ``networks.train`` draws.
Imports torch; used by make_expected_training.py and test_net_schedule_torch.py only."""

import numpy as np
import torch
from net_training_cases import CASES, PROBLEM, SEED, STEPS, initial_params

from networks.train import _batches


def torch_training(case_id):
    """(minibatch losses, rates, final weights as arrays, test loss) of one case, float64."""
    _, _, scheduler_name, scheduler_kwargs, momentum = CASES[case_id]
    x, y, x_te, y_te = (torch.tensor(np.array(a)) for a in PROBLEM.arrays())
    tensors = [torch.tensor(a.copy(), requires_grad=True) for pair in initial_params() for a in pair]
    opt = torch.optim.SGD(tensors, lr=0.2, momentum=momentum)
    scheduler = getattr(torch.optim.lr_scheduler, scheduler_name)(opt, **scheduler_kwargs)
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
