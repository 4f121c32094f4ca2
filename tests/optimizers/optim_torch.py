"""The torch side of the parity tests: the loss surfaces written again as torch functions, and a
driver that steps a torch optimizer as the runner steps ours and reads its ``optimizer.state`` after
every step. The optimizer is torch.optim's class for the spec, or for the lecture's forms the class
``optimizers/lecture_torch.py`` holds as source (the very text the ``.py`` export writes), executed
here. Imports torch; used by ``make_expected.py`` and the ``torch``-marked tests only.

Parameters are float64 tensors of shape (2,); torch's default dtype is left alone, as most torch
users leave it, which matters for NAdam (see ``optimizers/nadam.py``).

``grads="analytic"`` (the default) sets ``p.grad`` from the surfaces' gradient formulas written again
in torch operation for operation, so both sides see the same gradient to the last bit and every
difference comes from the optimizers. ``grads="autograd"`` back-propagates through the loss instead:
independent of ``surfaces``, but near a minimum the two roundings of a nearly vanishing gradient
differ in relative terms, and adaptive optimizers, which divide by the gradient's size, amplify that.
"""

from __future__ import annotations

import numpy as np
import torch

from optimizers import OPTIMIZERS
from optimizers.lecture_torch import TORCH_CLASSES, torch_source


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _saddle(x, y):
    return x**2 - y**2


def _tilted_quadratic(x, y):
    return 5 * x**2 + 4 * x * y + y**2


def _beale_grad(x, y):
    y2 = y * y
    a, b, c = y - 1.0, y2 - 1.0, y2 * y - 1.0
    t1, t2, t3 = x * a + 1.5, x * b + 2.25, x * c + 2.625
    return 2.0 * (t1 * a + t2 * b + t3 * c), 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)


def _rosenbrock_grad(x, y):
    v = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * v, 200.0 * v


def _saddle_grad(x, y):
    return 2.0 * x, -2.0 * y


def _tilted_quadratic_grad(x, y):
    return 10.0 * x + 4.0 * y, 4.0 * x + 2.0 * y


GRADS = {"beale": _beale_grad, "rosenbrock": _rosenbrock_grad, "saddle": _saddle_grad,
         "tilted_quadratic": _tilted_quadratic_grad}
LOSSES = {"beale": _beale, "rosenbrock": _rosenbrock, "saddle": _saddle, "tilted_quadratic": _tilted_quadratic}


def lecture_class(key: str):
    """The lecture form's torch class, executed from its one source text."""
    namespace = {"torch": torch}
    exec(torch_source([key]), namespace)
    return namespace[TORCH_CLASSES[key][0]]


def torch_optimizer_class(key: str):
    torch_class = OPTIMIZERS[key].torch_class
    if torch_class is None:
        return lecture_class(key)
    return getattr(torch.optim, torch_class.removeprefix("torch.optim."))


def torch_kwargs(key: str, kwargs: dict) -> dict:
    """Every hyperparameter of the spec (ours can default differently from torch's, as Momentum's μ)
    plus the spec's fixed torch arguments."""
    spec = OPTIMIZERS[key]
    return {**spec.validate(kwargs), **spec.torch_extra}


def set_grad(p, at, surface: str, grads: str = "analytic") -> None:
    """``p.grad``: the gradient of ``surface`` at the point ``at``."""
    if grads == "autograd":
        q = at.detach().clone().requires_grad_(True)
        LOSSES[surface](q[0], q[1]).backward()
        p.grad = q.grad
        return
    with torch.no_grad():
        p.grad = torch.stack(GRADS[surface](at[0], at[1]))


def _state_row(state: dict) -> dict:
    """torch's ``optimizer.state[p]`` as float64 arrays of shape (2,), scalars broadcast."""
    return {k: np.broadcast_to(v.detach().to(torch.float64).numpy(), (2,)).copy() for k, v in state.items()}


def torch_run(key: str, kwargs: dict, surface: str, start, lrs, grads: str = "analytic"):
    """Positions (len(lrs) + 1, 2) of torch's optimizer for ``key`` from ``start``, the learning rate
    of param_group set to ``lrs[t]`` before step ``t``, the gradient taken where the optimizer asks
    (``look_ahead``) or at p; and its ``optimizer.state[p]``: name -> (len(lrs) + 1, 2), row t
    after step t, row 0 what torch holds before the first step (NaN where it holds nothing)."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    lrs = [float(lr) for lr in lrs]
    opt = torch_optimizer_class(key)([p], lr=lrs[0] if lrs else 1e-3, **torch_kwargs(key, kwargs))
    path, rows = [p.detach().numpy().copy()], [_state_row(opt.state[p])]
    for lr in lrs:
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        at = opt.look_ahead(p) if hasattr(opt, "look_ahead") else p.detach()
        set_grad(p, at, surface, grads)
        opt.step()
        path.append(p.detach().numpy().copy())
        rows.append(_state_row(opt.state[p]))
    names = list(rows[-1])
    states = {name: np.array([row.get(name, np.full(2, np.nan)) for row in rows]) for name in names}
    return np.array(path), states


def torch_path(key: str, kwargs: dict, surface: str, start, lrs, grads: str = "analytic") -> np.ndarray:
    """The positions of ``torch_run``."""
    return torch_run(key, kwargs, surface, start, lrs, grads)[0]
