r"""Stochastic gradient descent, with heavy-ball or Nesterov momentum: ``torch.optim.SGD``.

With g_t the gradient plus λθ_{t-1} (coupled L2), SGD:

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
MOMENTUM_LATEX = (r"b_t = \mu b_{t-1} + (1 - \tau)\, g_t \quad (b_1 = g_1) \\"
                  r"\theta_t = \theta_{t-1} - \varepsilon_t\, b_t")
NAG_LATEX = (r"b_t = \mu b_{t-1} + g_t \quad (b_1 = g_1) \\"
             r"\theta_t = \theta_{t-1} - \varepsilon_t\,(g_t + \mu b_t)")

SPECS = (
    Spec("sgd", "SGD", sgd, (momentum_param(0.0), DAMPENING, WEIGHT_DECAY, Param("nesterov", False, kind="bool")),
         "torch.optim.SGD", SGD_LATEX,
         "g_t is the gradient plus λθ (coupled weight decay). With momentum > 0 this is torch's SGD "
         "with momentum, as the Momentum entry.", lr=lr_param(0.001),
         latex_for=lambda v: NAG_LATEX if v["nesterov"] else MOMENTUM_LATEX if v["momentum"] else SGD_LATEX,
         check=check_nesterov),
    Spec("momentum", "Momentum", _momentum, (MOMENTUM, DAMPENING, WEIGHT_DECAY),
         "torch.optim.SGD", MOMENTUM_LATEX,
         "torch's form: the learning rate multiplies the buffer b, not the velocity; at a constant rate "
         "this is the lecture's v_t = μv_{t-1} - εg_t with v = -εb.", lr=lr_param(0.001)),
    Spec("nag", "Nesterov (NAG)", _nag, (MOMENTUM, WEIGHT_DECAY), "torch.optim.SGD", NAG_LATEX,
         "torch's form (nesterov=True): the gradient is taken at θ, and the step looks ahead by μb; "
         "θ here is the lecture's look-ahead point w + μv.", lr=lr_param(0.001), torch_extra={"nesterov": True},
         check=lambda v: check_nesterov({**v, "nesterov": True})),
)
