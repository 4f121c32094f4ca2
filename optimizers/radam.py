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
from .explain import COUPLED, DECOUPLED, FIRST_MOMENT, SECOND_MOMENT
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


RHO_INF = r"\rho_\infty = \frac{2}{1-\beta_2} - 1"
RHO = r"\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}"
RECTIFICATION = r"r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}}"
MOMENTUM_STEP = r"\theta_{t-1} - \frac{\varepsilon_t\, m_t}{1-\beta_1^t}"
ADAPTIVE_STEP = r"\theta_t = " + MOMENTUM_STEP + r"\cdot \frac{r_t \sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}"
LATEX = (COUPLED + r"\text{, or } " + DECOUPLED + r" \text{ (decoupled)} \\" + FIRST_MOMENT + r" \\" + SECOND_MOMENT
         + r" \\" + RHO_INF + r", \quad " + RHO + r" \\" + RECTIFICATION + r" \\" + ADAPTIVE_STEP
         + r" \text{ if } \rho_t > 5 \text{, else } " + MOMENTUM_STEP)


def explain_radam(s) -> dict:
    """RAdam's step: Δθ = -rate m̂_t, m̂_t = m_t/(1-β₁^t), rate = ε_t r_t √(1-β₂^t)/(√v_t + ϵ) once
    ρ_t > 5 (``rectified``), else ε_t; split as Adam's."""
    v = s.values
    beta1, beta2 = v["betas"]
    s.decay(v["decoupled_weight_decay"])
    t = s.t
    bias1, bias2 = 1 - beta1**t, 1 - beta2**t
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * (beta2**t) / bias2
    rectified = rho_t > RHO_THRESHOLD
    symbols = {"m_t": s.after.exp_avg, "m_{t-1}": s.before.exp_avg, "v_t": s.after.exp_avg_sq,
               "v_{t-1}": s.before.exp_avg_sq, r"\beta_1": beta1, r"\beta_2": beta2, r"\epsilon": v["eps"],
               r"\rho_\infty": rho_inf, r"\rho_t": rho_t}
    rule = [*s.preamble(), FIRST_MOMENT, SECOND_MOMENT, RHO_INF, RHO]
    if rectified:
        r_t = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        rate = s.lr * (1.0 / (np.sqrt(s.after.exp_avg_sq) + v["eps"]) * bias2**0.5) * r_t
        symbols["r_t"] = r_t
        rule += [RECTIFICATION, ADAPTIVE_STEP]
    else:
        r_t, rate = None, np.broadcast_to(s.lr, np.shape(s.params)).astype(float)
        rule.append(r"\theta_t = " + MOMENTUM_STEP)
    return {"rate": rate, "m_hat": s.after.exp_avg / bias1, "v_hat": s.after.exp_avg_sq / bias2, "rho_t": rho_t,
            "rho_inf": rho_inf, "r_t": r_t, "rectified": rectified,
            "parts": s.parts(-rate * (1.0 - beta1) / bias1, -rate * beta1 * s.before.exp_avg / bias1),
            "rule": r" \\ ".join(rule), "symbols": s.symbols(**symbols)}


SPECS = (
    Spec("radam", "RAdam", radam,
         (BETAS, EPS,
          weight_decay_param(help=COUPLED_UNLESS_DECOUPLED),
          DECOUPLED_WEIGHT_DECAY),
         "torch.optim.RAdam", LATEX,
         "Adam whose adaptive step is switched on, and scaled by r_t, only once the variance of v is "
         "tractable (ρ_t > 5); before that, plain momentum steps.", lr=lr_param(0.001), explainer=explain_radam),
)
