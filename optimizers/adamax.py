r"""Adamax, Adam with the infinity norm: ``torch.optim.Adamax``.

.. math::
    g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
    u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
    \theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1-\beta_1^t}\, \frac{m_t}{u_t}

Arguments: ``betas`` (β₁, β₂), ``eps`` ϵ, ``weight_decay`` λ (coupled L2). As in torch, ϵ is added to
|g| inside the maximum (Kingma and Ba add nothing), so u never vanishes; there is no bias correction
of u. This is the lecture's "variant: AdaMax", the L2 norm of Adam's v replaced by the L∞ norm.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, lerp_by, with_weight_decay, zeros_like
from .params import BETAS, EPS, WEIGHT_DECAY, lr_param
from .spec import Spec


class AdamaxState(NamedTuple):
    step: int
    exp_avg: object
    exp_inf: object


def adamax(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0) -> Optimizer:
    beta1, beta2 = betas
    first = lerp_by(1.0 - beta1)

    def init(params):
        z = zeros_like(params)
        return AdamaxState(0, z, z)

    def update(g, state, params, lr):
        t = state.step + 1
        m = first(state.exp_avg, g)
        u = np.maximum(state.exp_inf * beta2, np.abs(g) + eps)
        clr = lr / (1 - beta1**t)
        return params + (-clr * m) / u, AdamaxState(t, m, u)

    return Optimizer(init, with_weight_decay(update, weight_decay), None, ("step", "exp_avg", "exp_inf"))


LATEX = (r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\"
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\"
         r"u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\"
         r"\theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1-\beta_1^t}\, \frac{m_t}{u_t}")

SPECS = (
    Spec("adamax", "Adamax", adamax,
         (BETAS, EPS, WEIGHT_DECAY),
         "torch.optim.Adamax", LATEX,
         "Adam's root mean square replaced by a decaying maximum of |g|; ϵ is added to |g| inside the "
         "maximum, as in torch.", lr=lr_param(0.002)),
)
