"""The optimizer type: a pair of pure functions, as in optax.

``init(params) -> state`` and ``update(grads, state, params, lr) -> (new_params, new_state)``.
``state`` is an immutable NamedTuple whose arrays have the shape of ``params``, plus a step count.
Every rule here is elementwise, so ``params`` may be an array of any shape or an ``np.float64``
scalar; write rules with arithmetic operators and NumPy ufuncs only, never with in-place updates.

``grad_point(state, params)``, when given, says where the gradient of the next update is taken; the
default is ``params``. Only the lecture's form of Nesterov momentum needs it (the look-ahead point).
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


def lr_param(default: float, widget: tuple[float, float] = (1e-5, 10.0)):
    from .spec import Param

    return Param("lr", default, low=0.0, widget=widget, log=True, label="learning rate",
                 help="ε, the step size; a schedule may change it at every step")
