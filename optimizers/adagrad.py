r"""Adagrad: ``torch.optim.Adagrad``.

.. math::
    g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    s_t = s_{t-1} + g_t^2 \quad (s_0 = s_{\mathrm{init}}) \\
    \theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1 + (t-1)\,\eta}\,\frac{g_t}{\sqrt{s_t} + \epsilon}

Arguments: ``lr_decay`` η, ``weight_decay`` λ (coupled L2), ``initial_accumulator_value`` s_init,
``eps`` ϵ (torch's default 1e-10). As in torch, ϵ is added after the square root, and the learning
rate decays as ε/(1 + (t-1)η) on top of any schedule; the sum of squares never forgets, so steps
shrink for ever (the lecture's motivation for RMSProp).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, with_weight_decay, zeros_like
from .params import WEIGHT_DECAY, eps_param, lr_param
from .spec import Param, Spec


class AdagradState(NamedTuple):
    step: int
    sum: object


def adagrad(lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10) -> Optimizer:
    def init(params):
        return AdagradState(0, zeros_like(params) + initial_accumulator_value)

    def update(g, state, params, lr):
        t = state.step + 1
        clr = lr / (1 + (t - 1) * lr_decay)
        s = state.sum + g * g
        std = np.sqrt(s) + eps
        return params + (-clr * g) / std, AdagradState(t, s)

    return Optimizer(init, with_weight_decay(update, weight_decay), None, ("step", "sum"))


LATEX = (r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\"
         r"s_t = s_{t-1} + g_t^2 \quad (s_0 = s_{\mathrm{init}}) \\"
         r"\theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1 + (t-1)\,\eta}\,\frac{g_t}{\sqrt{s_t} + \epsilon}")

SPECS = (
    Spec("adagrad", "Adagrad", adagrad,
         (Param("lr_decay", 0.0, low=0.0, widget=(0.0, 0.1), label="learning-rate decay η",
                help="the rate is divided by 1 + (t-1)η"),
          WEIGHT_DECAY,
          Param("initial_accumulator_value", 0.0, low=0.0, widget=(0.0, 1.0), label="initial sum s_init"),
          eps_param(1e-10, widget=(1e-12, 1.0))),
         "torch.optim.Adagrad", LATEX,
         "The sum of squared gradients only grows, so every coordinate's step shrinks for ever; ϵ is added "
         "after the square root, as in torch.", lr=lr_param(0.01)),
)
