r"""RAdam, rectified Adam (Liu et al.): ``torch.optim.RAdam``.

.. math::
    g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}
    \text{, or } \theta_{t-1} \leftarrow (1 - \varepsilon_t\lambda)\,\theta_{t-1} \text{ (decoupled)} \\
    m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
    v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
    \rho_\infty = \frac{2}{1-\beta_2} - 1, \quad \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t} \\
    r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}} \\
    \theta_t = \theta_{t-1} - \frac{\varepsilon_t\, m_t}{1-\beta_1^t}\cdot
    \frac{r_t \sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} \text{ if } \rho_t > 5
    \text{, else } \theta_{t-1} - \frac{\varepsilon_t\, m_t}{1-\beta_1^t}

Arguments: ``betas`` (β₁, β₂), ``eps`` ϵ, ``weight_decay`` λ (coupled L2 unless
``decoupled_weight_decay``). While the variance of the adaptive rate is intractable (ρ_t ≤ 5, the
first five steps with torch's β₂ = 0.999) RAdam takes plain bias-corrected momentum steps. As in
torch, ϵ is added to sqrt(v) before the bias correction sqrt(1 - β₂^t) multiplies, unlike Adam where
ϵ comes after it; torch computes that factor as ``(1/(sqrt(v) + ϵ)) * sqrt(1-β₂^t)`` and multiplies
the factors left to right, which this module does too.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, adam_moments, with_weight_decay, zeros_like
from .params import BETAS, COUPLED_UNLESS_DECOUPLED, DECOUPLED_WEIGHT_DECAY, EPS, lr_param, weight_decay_param
from .spec import Spec

RHO_THRESHOLD = 5.0


class RAdamState(NamedTuple):
    step: int
    exp_avg: object
    exp_avg_sq: object


def radam(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False) -> Optimizer:
    beta1, beta2 = betas
    rho_inf = 2 / (1 - beta2) - 1
    moments = adam_moments(beta1, beta2)

    def init(params):
        z = zeros_like(params)
        return RAdamState(0, z, z)

    def update(g, state, params, lr):
        t = state.step + 1
        m, v = moments(state.exp_avg, state.exp_avg_sq, g)
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        corrected = m / bias_correction1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
        if rho_t > RHO_THRESHOLD:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = 1.0 / (np.sqrt(v) + eps) * bias_correction2**0.5
            step = corrected * lr * adaptive * rect
        else:
            step = corrected * lr
        return params - step, RAdamState(t, m, v)

    update = with_weight_decay(update, weight_decay, decoupled_weight_decay)
    return Optimizer(init, update, None, ("step", "exp_avg", "exp_avg_sq"))


LATEX = (r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}"
         r"\text{, or } \theta_{t-1} \leftarrow (1 - \varepsilon_t\lambda)\,\theta_{t-1} \text{ (decoupled)} \\"
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\"
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\"
         r"\rho_\infty = \frac{2}{1-\beta_2} - 1, \quad \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t} \\"
         r"r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}} \\"
         r"\theta_t = \theta_{t-1} - \frac{\varepsilon_t\, m_t}{1-\beta_1^t}\cdot"
         r" \frac{r_t \sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} \text{ if } \rho_t > 5"
         r" \text{, else } \theta_{t-1} - \frac{\varepsilon_t\, m_t}{1-\beta_1^t}")

SPECS = (
    Spec("radam", "RAdam", radam,
         (BETAS, EPS,
          weight_decay_param(help=COUPLED_UNLESS_DECOUPLED),
          DECOUPLED_WEIGHT_DECAY),
         "torch.optim.RAdam", LATEX,
         "Adam whose adaptive step is switched on, and scaled by r_t, only once the variance of v is "
         "tractable (ρ_t > 5); before that, plain momentum steps.", lr=lr_param(0.001)),
)
