r"""RMSProp, with optional momentum and centering: ``torch.optim.RMSprop``.

.. math::
    g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    v_t = \alpha v_{t-1} + (1-\alpha)\, g_t^2 \\
    \bar g_t = \alpha \bar g_{t-1} + (1-\alpha)\, g_t, \quad
    \tilde v_t = v_t - \bar g_t^2 \text{ (centered) or } v_t \\
    b_t = \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon} \quad (b_0 = 0) \\
    \theta_t = \theta_{t-1} - \varepsilon_t\, b_t

Arguments: ``alpha`` α (the lecture's γ), ``eps`` ϵ, ``weight_decay`` λ (coupled L2), ``momentum`` μ,
``centered``. torch adds ϵ after the square root; the lecture writes it inside,
``-ε g / sqrt(<g²> + ϵ)``, which is the separate entry ``rmsprop_lecture`` (``lecture.py``). Without
momentum torch steps by ``-ε g / (sqrt(v) + ϵ)`` directly, which is the rule above with μ = 0. Unlike
SGD's, the momentum buffer starts at zero and the learning rate multiplies it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, lerp_by, square_average, with_weight_decay, zeros_like
from .params import EPS, WEIGHT_DECAY, lr_param, momentum_param, smoothing_param
from .spec import Param, Spec


class RMSpropState(NamedTuple):
    step: int
    square_avg: object
    grad_avg: object
    momentum_buffer: object


def rmsprop(alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False) -> Optimizer:
    average, mean = square_average(alpha), lerp_by(1.0 - alpha)

    def init(params):
        z = zeros_like(params)
        return RMSpropState(0, z, z, z)

    def update(g, state, params, lr):
        square_avg = average(state.square_avg, g)
        grad_avg = state.grad_avg
        if centered:
            grad_avg = mean(grad_avg, g)
            avg = np.sqrt(square_avg + (-grad_avg) * grad_avg) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        buf = state.momentum_buffer
        if momentum > 0:
            buf = buf * momentum + g / avg
            new_params = params + -lr * buf
        else:
            new_params = params + (-lr * g) / avg
        return new_params, RMSpropState(state.step + 1, square_avg, grad_avg, buf)

    names = ("step", "square_avg", *(("momentum_buffer",) if momentum > 0 else ()),
             *(("grad_avg",) if centered else ()))
    return Optimizer(init, with_weight_decay(update, weight_decay), None, names)


LATEX = (r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\"
         r"v_t = \alpha v_{t-1} + (1-\alpha)\, g_t^2 \\"
         r"\bar g_t = \alpha \bar g_{t-1} + (1-\alpha)\, g_t, \quad"
         r" \tilde v_t = v_t - \bar g_t^2 \text{ (centered) or } v_t \\"
         r"b_t = \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon} \quad (b_0 = 0) \\"
         r"\theta_t = \theta_{t-1} - \varepsilon_t\, b_t")

SPECS = (
    Spec("rmsprop", "RMSProp", rmsprop,
         (smoothing_param("smoothing α (the lecture's γ)"), EPS, WEIGHT_DECAY, momentum_param(0.0),
          Param("centered", False, kind="bool", label="centered",
                help="divide by the running variance of g instead of its running second moment")),
         "torch.optim.RMSprop", LATEX,
         "torch's form: ϵ is added after the square root (the lecture puts it inside: see RMSProp, "
         "lecture form). Centered subtracts the square of the running mean of g.", lr=lr_param(0.01)),
)
