r"""NAdam, Adam with Nesterov momentum (Dozat): ``torch.optim.NAdam``.

.. math::
    g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}
    \text{, or } \theta_{t-1} \leftarrow (1 - \varepsilon_t\lambda)\,\theta_{t-1} \text{ (decoupled)} \\
    \mu_t = \beta_1 \bigl(1 - \tfrac{1}{2}\, 0.96^{t\psi}\bigr), \quad \Pi_t = \mu_1 \cdots \mu_t \\
    m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
    v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
    \theta_t = \theta_{t-1} - \varepsilon_t \Bigl(\frac{1-\mu_t}{1-\Pi_t}\, g_t
    + \frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\, m_t\Bigr) \Big/ \Bigl(\sqrt{v_t / (1-\beta_2^t)} + \epsilon\Bigr)

Arguments: ``betas`` (β₁, β₂), ``eps`` ϵ, ``weight_decay`` λ (coupled L2 unless
``decoupled_weight_decay``, then AdamW's), ``momentum_decay`` ψ (torch's default 4e-3). This is the
lecture's "Nadam": Adam's first moment used with Nesterov's look-ahead, the momentum coefficient μ_t
warming up with t as Dozat proposed. As in torch, the bias correction divides v inside the square root
and ϵ is added after it.

torch keeps the running product Π_t in a scalar tensor of its *default* dtype, float32 unless
``torch.set_default_dtype(torch.float64)`` was called, even when the parameters are float64. Π_t then
carries a relative rounding of 1e-7, which moves a 100-step path by 1e-10 (rate 2e-3) to 1e-8 (rate
0.2) relative. ``nadam`` follows torch's default (``mu_product_dtype=np.float32``); pass ``np.float64``
to match torch under a float64 default dtype.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .base import Optimizer, adam_moments, with_weight_decay, zeros_like
from .params import BETAS, COUPLED_UNLESS_DECOUPLED, DECOUPLED_WEIGHT_DECAY, EPS, lr_param, weight_decay_param
from .spec import Param, Spec


class NAdamState(NamedTuple):
    step: int
    mu_product: float
    exp_avg: object
    exp_avg_sq: object


def _ratio(a: float, b: float) -> float:
    """``a / b``, NaN where ``b`` is 0: a float32 Π that rounds to 1 (β₁ within 3e-8 of 1) ends the path
    as diverged instead of raising ZeroDivisionError as torch does."""
    return a / b if b else math.nan


def nadam(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False,
          *, mu_product_dtype=np.float32) -> Optimizer:
    beta1, beta2 = betas
    as_stored = np.dtype(mu_product_dtype).type
    moments = adam_moments(beta1, beta2)

    def init(params):
        z = zeros_like(params)
        return NAdamState(0, 1.0, z, z)

    def update(g, state, params, lr):
        t = state.step + 1
        bias_correction2 = 1 - beta2**t
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
        mu_product = float(as_stored(state.mu_product) * as_stored(mu))
        mu_product_next = mu_product * mu_next
        m, v = moments(state.exp_avg, state.exp_avg_sq, g)
        denom = np.sqrt(v / bias_correction2) + eps
        params = params + (_ratio(-lr * (1.0 - mu), 1.0 - mu_product) * g) / denom
        params = params + (_ratio(-lr * mu_next, 1.0 - mu_product_next) * m) / denom
        return params, NAdamState(t, mu_product, m, v)

    update = with_weight_decay(update, weight_decay, decoupled_weight_decay)
    return Optimizer(init, update, None, ("step", "mu_product", "exp_avg", "exp_avg_sq"))


LATEX = (r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}"
         r"\text{, or } \theta_{t-1} \leftarrow (1 - \varepsilon_t\lambda)\,\theta_{t-1} \text{ (decoupled)} \\"
         r"\mu_t = \beta_1 \bigl(1 - \tfrac{1}{2}\, 0.96^{t\psi}\bigr), \quad \Pi_t = \mu_1 \cdots \mu_t \\"
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\"
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\"
         r"\theta_t = \theta_{t-1} - \varepsilon_t \Bigl(\frac{1-\mu_t}{1-\Pi_t}\, g_t"
         r" + \frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\, m_t\Bigr) \Big/ \Bigl(\sqrt{v_t / (1-\beta_2^t)} + \epsilon\Bigr)")

SPECS = (
    Spec("nadam", "NAdam", nadam,
         (BETAS, EPS,
          weight_decay_param(help=COUPLED_UNLESS_DECOUPLED),
          Param("momentum_decay", 4e-3, low=0.0, widget=(0.0, 0.1), label="momentum decay ψ",
                help="how fast the momentum coefficient μ_t warms up to β₁/2 ... β₁"),
          DECOUPLED_WEIGHT_DECAY),
         "torch.optim.NAdam", LATEX,
         "Adam with a Nesterov look-ahead on the first moment; the momentum coefficient μ_t warms up "
         "with t (ψ = momentum_decay).", lr=lr_param(0.002)),
)
