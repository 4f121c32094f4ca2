r"""Adam, its AMSGrad variant and AdamW: ``torch.optim.Adam`` and ``torch.optim.AdamW``.

Adam, with g_t the gradient plus λθ_{t-1} (coupled L2):

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
    v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
    \theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1-\beta_1^t}\,\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}

AMSGrad divides by the running maximum of v instead:

.. math::
    \hat v_t = \max(\hat v_{t-1}, v_t) \\
    \theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1-\beta_1^t}\,\frac{m_t}{\sqrt{\hat v_t/(1-\beta_2^t)} + \epsilon}

AdamW shrinks θ before Adam's step, g_t being the bare gradient (decoupled weight decay):

.. math::
    \theta_{t-1} \leftarrow (1 - \varepsilon_t \lambda)\,\theta_{t-1}

Arguments: ``betas`` (β₁, β₂), ``eps`` ϵ, ``weight_decay`` λ, ``amsgrad``. As in torch, ϵ is added
after the square root of the bias-corrected second moment (the lecture writes the same), and the
first moment is updated by torch's ``lerp`` formula (``base.lerp_by``), the second as
``v β₂ + ((1 - β₂) g) g`` and the step as ``θ + (-ε_t/(1-β₁^t) m) / denom``, in torch's order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, adam_moments, with_weight_decay, zeros_like
from .params import BETAS, EPS, WEIGHT_DECAY, lr_param, weight_decay_param
from .spec import Spec


class AdamState(NamedTuple):
    step: int
    exp_avg: object
    exp_avg_sq: object
    max_exp_avg_sq: object  # the running maximum of v with amsgrad, else v itself


def adam(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False) -> Optimizer:
    beta1, beta2 = betas
    moments = adam_moments(beta1, beta2)

    def init(params):
        z = zeros_like(params)
        return AdamState(0, z, z, z)

    def update(g, state, params, lr):
        t = state.step + 1
        m, v = moments(state.exp_avg, state.exp_avg_sq, g)
        v_max = np.maximum(state.max_exp_avg_sq, v) if amsgrad else v
        step_size = lr / (1.0 - beta1**t)
        denom = np.sqrt(v_max) / (1.0 - beta2**t) ** 0.5 + eps
        return params + (-step_size * m) / denom, AdamState(t, m, v, v_max)

    names = ("step", "exp_avg", "exp_avg_sq", *(("max_exp_avg_sq",) if amsgrad else ()))
    return Optimizer(init, with_weight_decay(update, weight_decay, decoupled), None, names)


def _amsgrad(**kw) -> Optimizer:
    return adam(amsgrad=True, **kw)


def _adamw(**kw) -> Optimizer:
    return adam(decoupled=True, **kw)



ADAM_LATEX = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\"
              r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\"
              r"\theta_t = \theta_{t-1} - \frac{\varepsilon_t}{1-\beta_1^t}\,"
              r"\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}")
AMSGRAD_LATEX = ADAM_LATEX.replace(r"\theta_t =", r"\hat v_t = \max(\hat v_{t-1}, v_t) \\ \theta_t =").replace(
    r"\sqrt{v_t/", r"\sqrt{\hat v_t/")
ADAMW_LATEX = r"\theta_{t-1} \leftarrow (1 - \varepsilon_t \lambda)\,\theta_{t-1} \\" + ADAM_LATEX

ADAM = Spec("adam", "Adam", adam, (BETAS, EPS, WEIGHT_DECAY),
            "torch.optim.Adam", ADAM_LATEX,
            "ϵ is added after the square root, as in torch and the lecture; weight decay is coupled L2.",
            lr=lr_param(0.001))
AMSGRAD = Spec("amsgrad", "AMSGrad", _amsgrad, (BETAS, EPS, WEIGHT_DECAY),
         "torch.optim.Adam", AMSGRAD_LATEX,
         "torch.optim.Adam with amsgrad=True: the running maximum of v keeps steps from growing again.",
         lr=lr_param(0.001), torch_extra={"amsgrad": True})
DECOUPLED_WD = weight_decay_param(0.01, "decoupled: θ shrinks by ελθ before the step")
ADAMW = Spec("adamw", "AdamW", _adamw, (BETAS, EPS, DECOUPLED_WD),
         "torch.optim.AdamW", ADAMW_LATEX,
         "Decoupled weight decay (Loshchilov and Hutter): θ is multiplied by 1 - ελ, not λθ added to g.",
         lr=lr_param(0.001))

SPECS = (ADAM, AMSGRAD, ADAMW)
