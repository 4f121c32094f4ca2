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
from .explain import COUPLED
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


LINES = (r"v_t = \rho v_{t-1} + (1-\rho)\, g_t^2",
         r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t",
         r"u_t = \rho u_{t-1} + (1-\rho)\, \Delta_t^2",
         r"\theta_t = \theta_{t-1} - \varepsilon_t\, \Delta_t")
LATEX = r" \\".join((COUPLED, *LINES))


def explain_adadelta(s) -> dict:
    """Adadelta's step: Δθ = -ε_t Δ_t, Δ_t = rate g_t / ε_t with rate = ε_t √(u_{t-1} + ϵ)/√(v_t + ϵ)."""
    v = s.values
    g = s.decay()
    ratio = np.sqrt(s.before.acc_delta + v["eps"]) / np.sqrt(s.after.square_avg + v["eps"])
    rate = s.lr * ratio
    symbols = {"v_t": s.after.square_avg, "v_{t-1}": s.before.square_avg, "u_t": s.after.acc_delta,
               "u_{t-1}": s.before.acc_delta, r"\Delta_t": ratio * g, r"\rho": v["rho"], r"\epsilon": v["eps"]}
    return {"rate": rate, "ratio": ratio, "parts": s.parts(-rate), "rule": r" \\ ".join([*s.preamble(), *LINES]),
            "symbols": s.symbols(**symbols)}


SPECS = (
    Spec("adadelta", "Adadelta", adadelta,
         (Param("rho", 0.9, low=0.0, high=1.0, widget=(0.0, 0.9999), label="smoothing ρ (the lecture's γ)"),
          eps_param(1e-6),
          WEIGHT_DECAY),
         "torch.optim.Adadelta", LATEX,
         "The step is the running RMS of past steps over the running RMS of gradients, ϵ inside both "
         "roots; torch's learning rate (default 1) scales it, the lecture's form has none.",
         lr=lr_param(1.0, widget=(1e-3, 100.0)), explainer=explain_adadelta),
)
