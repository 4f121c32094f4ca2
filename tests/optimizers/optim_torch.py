"""The torch side of the parity tests: the loss surfaces written again as torch functions, and a
driver that steps a torch.optim optimizer as the runner steps ours. Imports torch; used by
``make_expected.py`` and ``test_parity_torch.py`` only.

Parameters are float64 tensors of shape (2,); torch's default dtype is left alone, as most torch
users leave it, which matters for NAdam (see ``optimizers/nadam.py``). Gradients come from autograd
on the loss, independently of the analytic gradients in ``surfaces``.
"""

from __future__ import annotations

import numpy as np
import torch

from optimizers import OPTIMIZERS


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _saddle(x, y):
    return x**2 - y**2


def _tilted_quadratic(x, y):
    return 5 * x**2 + 4 * x * y + y**2


LOSSES = {"beale": _beale, "rosenbrock": _rosenbrock, "saddle": _saddle, "tilted_quadratic": _tilted_quadratic}


def torch_optimizer_class(key: str):
    return getattr(torch.optim, OPTIMIZERS[key].torch_class.removeprefix("torch.optim."))


def torch_kwargs(key: str, kwargs: dict) -> dict:
    """Every hyperparameter of the spec (ours can default differently from torch's, as Momentum's μ)
    plus the spec's fixed torch arguments."""
    spec = OPTIMIZERS[key]
    return {**spec.validate(kwargs), **spec.torch_extra}


def torch_path(key: str, kwargs: dict, surface: str, start, lrs) -> np.ndarray:
    """Positions (len(lrs) + 1, 2) of torch.optim's optimizer for ``key`` from ``start``, the
    learning rate of param_group set to ``lrs[t]`` before step ``t``."""
    loss_fn = LOSSES[surface]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    lrs = [float(lr) for lr in lrs]
    opt = torch_optimizer_class(key)([p], lr=lrs[0] if lrs else 1e-3, **torch_kwargs(key, kwargs))
    path = [p.detach().numpy().copy()]
    for lr in lrs:
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        loss_fn(p[0], p[1]).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)
