"""The optimizer type: a pair of pure functions, as in optax.

``init(params) -> state`` and ``update(grads, state, params, lr) -> (new_params, new_state)``.
``state`` is an immutable NamedTuple whose arrays have the shape of ``params``, plus a step count.
Every rule here is elementwise, so ``params`` may be an array of any shape or an ``np.float64``
scalar; write rules with arithmetic operators and NumPy ufuncs only, never with in-place updates.

``grad_point(state, params)``, when given, says where the gradient of the next update is taken; the
default is ``params``. Only the lecture's form of Nesterov momentum needs it (the look-ahead point).

Each rule follows the order of operations of torch.optim's single-tensor code path (``foreach=False``,
torch's default on CPU): ``p.addcdiv_(a, d, value=c)`` is ``p + (c * a) / d``, ``s.addcmul_(a, b,
value=c)`` is ``s + (c * a) * b``, ``g.add(p, alpha=c)`` is ``g + c * p``, ``lerp`` as below, scalar
coefficients computed in Python floats as torch computes them. torch's CPU kernels fuse the
multiply-adds (one rounding instead of two) and take square roots through MKL, which is not always
correctly rounded; NumPy cannot do either, so paths agree with torch to a few units in the last place
per step, not bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Optimizer(NamedTuple):
    init: Callable
    update: Callable
    grad_point: Callable | None = None


def zeros_like(params):
    """A zero of the shape of ``params`` that stays an ``np.float64`` for scalars."""
    return np.zeros_like(params)[()]


def lerp(start, end, weight: float):
    """``torch.lerp``'s formula: ``start + w (end - start)`` for ``|w| < 0.5``, else
    ``end - (end - start)(1 - w)``, which rounds better near ``w = 1``. torch uses it for the first
    moment of every Adam-like rule, with ``w = 1 - β₁``; torch's kernel fuses the multiply-add."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


COUPLED_L2 = "coupled L2: λθ is added to the gradient"


def weight_decay_param(default: float = 0.0, help: str = COUPLED_L2):
    """torch's ``weight_decay`` (λ), shared by every optimizer that takes it."""
    from .spec import Param

    return Param("weight_decay", default, low=0.0, widget=(0.0, 1.0), label="weight decay λ", help=help)


def decoupled_param():
    """torch's ``decoupled_weight_decay`` switch (NAdam, RAdam)."""
    from .spec import Param

    return Param("decoupled_weight_decay", False, kind="bool", label="decoupled weight decay",
                 help="shrink θ by ελθ before the step, as AdamW")


def lr_param(default: float, widget: tuple[float, float] = (1e-5, 10.0)):
    from .spec import Param

    return Param("lr", default, low=0.0, widget=widget, log=True, label="learning rate",
                 help="ε, the step size; a schedule may change it at every step")
