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

from .adam import BETAS, EPS
from .base import Optimizer, lerp, lr_param, weight_decay_param, zeros_like
from .spec import Spec


class AdamaxState(NamedTuple):
    step: int
    m: object
    u: object


def adamax(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0) -> Optimizer:
    beta1, beta2 = betas

    def init(params):
        z = zeros_like(params)
        return AdamaxState(0, z, z)

    def update(grads, state, params, lr):
        t = state.step + 1
        g = grads + weight_decay * params if weight_decay else grads
        m = lerp(state.m, g, 1.0 - beta1)
        u = np.maximum(state.u * beta2, np.abs(g) + eps)
        clr = lr / (1 - beta1**t)
        return params + (-clr * m) / u, AdamaxState(t, m, u)

    return Optimizer(init, update)


LATEX = (r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\"
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\"
         r"u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\"
         r"\theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1-\beta_1^t}\, \frac{m_t}{u_t}")

SPECS = (
    Spec("adamax", "Adamax", adamax,
         (BETAS, EPS, weight_decay_param()),
         "torch.optim.Adamax", LATEX,
         "Adam's root mean square replaced by a decaying maximum of |g|; ϵ is added to |g| inside the "
         "maximum, as in torch.", lr=lr_param(0.002)),
)
