r"""Stochastic gradient descent, with heavy-ball or Nesterov momentum: ``torch.optim.SGD``.

With g_t the gradient plus λθ_{t-1} (coupled L2),

.. math::
    g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}

SGD:

.. math::
    \theta_t = \theta_{t-1} - \varepsilon_t\, g_t

Heavy-ball momentum (``momentum`` μ > 0):

.. math::
    b_t = \mu b_{t-1} + (1 - \tau)\, g_t \quad (b_1 = g_1) \\
    \theta_t = \theta_{t-1} - \varepsilon_t\, b_t

Nesterov momentum (``nesterov=True``, no dampening):

.. math::
    b_t = \mu b_{t-1} + g_t \quad (b_1 = g_1) \\
    \theta_t = \theta_{t-1} - \varepsilon_t\,(g_t + \mu b_t)

Arguments: ``momentum`` μ, ``dampening`` τ, ``weight_decay`` λ (coupled L2, added to the gradient),
``nesterov``. As in torch, the first step sets the buffer to the gradient without dampening, and the
learning rate multiplies the buffer, not the velocity (see ``lecture.py`` for the lecture's form).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, with_weight_decay, zeros_like
from .params import DAMPENING, MOMENTUM, WEIGHT_DECAY, lr_param, momentum_param
from .spec import Param, Spec


class SGDState(NamedTuple):
    step: int
    momentum_buffer: object


def check_nesterov(values: dict) -> None:
    """torch's rule: Nesterov momentum needs momentum > 0 and no dampening."""
    if values.get("nesterov") and (values["momentum"] <= 0 or values.get("dampening", 0.0) != 0):
        raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")


def sgd(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False) -> Optimizer:
    check_nesterov({"momentum": momentum, "dampening": dampening, "nesterov": nesterov})

    def init(params):
        return SGDState(0, zeros_like(params))

    def plain(g, state, params, lr):
        return params - lr * g, SGDState(state.step + 1, state.momentum_buffer)

    def heavy_ball(g, state, params, lr):
        buf = g if state.step == 0 else momentum * state.momentum_buffer + (1.0 - dampening) * g
        direction = g + momentum * buf if nesterov else buf
        return params - lr * direction, SGDState(state.step + 1, buf)

    update = heavy_ball if momentum else plain
    return Optimizer(init, with_weight_decay(update, weight_decay), None, ("momentum_buffer",) if momentum else ())


def _momentum(**kw) -> Optimizer:
    return sgd(nesterov=False, **kw)


def _nag(**kw) -> Optimizer:
    return sgd(nesterov=True, dampening=0.0, **kw)


SGD_LATEX = r"\theta_t = \theta_{t-1} - \varepsilon_t\, g_t"
FIRST_BUFFER = r"b_1 = g_1"
HEAVY_BALL = r"b_t = \mu b_{t-1} + (1 - \tau)\, g_t"
NESTEROV_BUFFER = r"b_t = \mu b_{t-1} + g_t"
BUFFER_STEP = r"\theta_t = \theta_{t-1} - \varepsilon_t\, b_t"
NESTEROV_STEP = r"\theta_t = \theta_{t-1} - \varepsilon_t\,(g_t + \mu b_t)"
MOMENTUM_LATEX = HEAVY_BALL + r" \quad (" + FIRST_BUFFER + r") \\" + BUFFER_STEP
NAG_LATEX = NESTEROV_BUFFER + r" \quad (" + FIRST_BUFFER + r") \\" + NESTEROV_STEP


def explain_sgd(s, nesterov: bool | None = None) -> dict:
    """SGD's step: Δθ = -ε b_t, or -ε(g_t + μ b_t) with Nesterov, b_t = μ b_{t-1} + (1 - τ) g_t after
    the first step (b_1 = g_1): the gradient's share -ε(1 - τ) g (Nesterov: -ε(1 + μ) g), the past's
    -ε μ b_{t-1} (Nesterov: -ε μ² b_{t-1})."""
    v = s.values
    mu, tau = v["momentum"], v.get("dampening", 0.0)
    nesterov = v.get("nesterov", False) if nesterov is None else nesterov
    g = s.decay()
    rate = np.broadcast_to(s.lr, np.shape(s.params)).astype(float)
    if not mu:
        return {"rate": rate, "parts": s.parts(-s.lr), "rule": r" \\ ".join([*s.preamble(), SGD_LATEX]),
                "symbols": s.symbols()}
    first = s.t == 1
    k_g, k_b = (1.0, 0.0) if first else (1.0 - tau, mu)
    previous, buffer = s.before.momentum_buffer, s.after.momentum_buffer
    if nesterov:
        k, past = -s.lr * (1.0 + mu * k_g), -s.lr * mu * k_b * previous
    else:
        k, past = -s.lr * k_g, -s.lr * k_b * previous
    update = FIRST_BUFFER if first else NESTEROV_BUFFER if nesterov else HEAVY_BALL
    rule = [*s.preamble(), update, NESTEROV_STEP if nesterov else BUFFER_STEP]
    extra = {"b_1": buffer, "g_1": g} if first else {}
    return {"rate": rate, "parts": s.parts(k, past), "rule": r" \\ ".join(rule),
            "symbols": s.symbols(b_t=buffer, **{"b_{t-1}": previous, r"\mu": mu, r"\tau": tau}, **extra)}


SPECS = (
    Spec("sgd", "SGD", sgd, (momentum_param(0.0), DAMPENING, WEIGHT_DECAY, Param("nesterov", False, kind="bool")),
         "torch.optim.SGD", SGD_LATEX,
         "g_t is the gradient plus λθ (coupled weight decay). With momentum > 0 this is torch's SGD "
         "with momentum, as the Momentum entry.", lr=lr_param(0.001),
         latex_for=lambda v: NAG_LATEX if v["nesterov"] else MOMENTUM_LATEX if v["momentum"] else SGD_LATEX,
         check=check_nesterov, explainer=explain_sgd),
    Spec("momentum", "Momentum", _momentum, (MOMENTUM, DAMPENING, WEIGHT_DECAY),
         "torch.optim.SGD", MOMENTUM_LATEX,
         "torch's form: the learning rate multiplies the buffer b, not the velocity; at a constant rate "
         "this is the lecture's v_t = μv_{t-1} - εg_t with v = -εb.", lr=lr_param(0.001), explainer=explain_sgd),
    Spec("nag", "Nesterov (NAG)", _nag, (MOMENTUM, WEIGHT_DECAY), "torch.optim.SGD", NAG_LATEX,
         "torch's form (nesterov=True): the gradient is taken at θ, and the step looks ahead by μb; "
         "θ here is the lecture's look-ahead point w + μv.", lr=lr_param(0.001), torch_extra={"nesterov": True},
         check=lambda v: check_nesterov({**v, "nesterov": True}), explainer=lambda s: explain_sgd(s, nesterov=True)),
)
