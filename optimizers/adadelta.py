r"""Adadelta: ``torch.optim.Adadelta``.

.. math::
    g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    v_t = \rho v_{t-1} + (1-\rho)\, g_t^2 \\
    \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
    u_t = \rho u_{t-1} + (1-\rho)\, \Delta_t^2 \\
    \theta_t = \theta_{t-1} - \varepsilon_t\, \Delta_t

Arguments: ``rho`` ρ (the lecture's γ), ``eps`` ϵ (torch's default 1e-6), ``weight_decay`` λ (coupled
L2). ϵ sits inside both square roots, as in Zeiler's paper and the lecture; torch keeps a learning rate
ε (default 1.0) that scales the step, which the lecture's form lacks (it is ε = 1). With u₀ = 0 the
first steps have size about sqrt(ϵ), whatever the gradient.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, square_average, with_weight_decay, zeros_like
from .params import WEIGHT_DECAY, eps_param, lr_param
from .spec import Param, Spec


class AdadeltaState(NamedTuple):
    step: int
    square_avg: object
    acc_delta: object


def adadelta(rho=0.9, eps=1e-6, weight_decay=0.0) -> Optimizer:
    average = square_average(rho)

    def init(params):
        z = zeros_like(params)
        return AdadeltaState(0, z, z)

    def update(g, state, params, lr):
        square_avg = average(state.square_avg, g)
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(state.acc_delta + eps) / std * g
        acc_delta = average(state.acc_delta, delta)
        return params + -lr * delta, AdadeltaState(state.step + 1, square_avg, acc_delta)

    return Optimizer(init, with_weight_decay(update, weight_decay), None, ("step", "square_avg", "acc_delta"))


LATEX = (r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\"
         r"v_t = \rho v_{t-1} + (1-\rho)\, g_t^2 \\"
         r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\"
         r"u_t = \rho u_{t-1} + (1-\rho)\, \Delta_t^2 \\"
         r"\theta_t = \theta_{t-1} - \varepsilon_t\, \Delta_t")

SPECS = (
    Spec("adadelta", "Adadelta", adadelta,
         (Param("rho", 0.9, low=0.0, high=1.0, widget=(0.0, 0.9999), label="smoothing ρ (the lecture's γ)"),
          eps_param(1e-6),
          WEIGHT_DECAY),
         "torch.optim.Adadelta", LATEX,
         "The step is the running RMS of past steps over the running RMS of gradients, ϵ inside both "
         "roots; torch's learning rate (default 1) scales it, the lecture's form has none.",
         lr=lr_param(1.0, widget=(1e-3, 100.0))),
)
