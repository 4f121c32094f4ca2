r"""The lecture's forms of three rules that torch writes differently: ``momentum_lecture``,
``nag_lecture`` and ``rmsprop_lecture``.

.. math::
    v_t = \mu v_{t-1} - \varepsilon_t g_t \\
    w_t = w_{t-1} + v_t

.. math::
    v_t = \mu v_{t-1} - \varepsilon_t \nabla E(w_{t-1} + \mu v_{t-1}) \\
    w_t = w_{t-1} + v_t

.. math::
    \langle g^2 \rangle_t = \gamma \langle g^2 \rangle_{t-1} + (1-\gamma)\, g_t^2 \\
    w_t = w_{t-1} - \frac{\varepsilon_t}{\sqrt{\langle g^2 \rangle_t + \epsilon}}\, g_t

Momentum (v₀ = 0): the velocity carries the learning rate. At a constant rate ε this is torch's
``SGD(momentum=μ)`` with v = -εb, the same path up to rounding; when a schedule changes the rate, the
lecture's velocity keeps the old rates of past steps while torch rescales the whole buffer at once, so
the paths split.

Nesterov (v₀ = 0): the gradient is taken at the look-ahead point w + μv (the optimizer's
``grad_point``). torch's ``SGD(nesterov=True)`` tracks θ = w + μv instead, the look-ahead point itself;
at a constant rate the two paths are the same sequence of look-ahead points, so they differ by μv at
every step and converge together.

RMSProp: ϵ inside the square root, with γ = ``alpha``. With ϵ = 0 this is torch's ``RMSprop(eps=0)``;
with a large ϵ the two split (sqrt(v + ϵ) against sqrt(v) + ϵ).

``weight_decay`` λ adds λw to the gradient (coupled L2), at the point where the gradient is taken:

.. math::
    g_t = \nabla f(w_{t-1}) + \lambda w_{t-1} \\
    \nabla E(w_{t-1} + \mu v_{t-1}) = \nabla f(w_{t-1} + \mu v_{t-1}) + \lambda (w_{t-1} + \mu v_{t-1})
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, square_average, with_weight_decay, zeros_like
from .params import EPS, MOMENTUM, WEIGHT_DECAY, lr_param, smoothing_param
from .spec import Spec


class VelocityState(NamedTuple):
    step: int
    velocity: object


class SquareAvgState(NamedTuple):
    step: int
    square_avg: object


def _velocity_update(momentum):
    def update(g, state, params, lr):
        v = momentum * state.velocity - lr * g
        return params + v, VelocityState(state.step + 1, v)

    return update


def _zero_velocity(params):
    return VelocityState(0, zeros_like(params))


def momentum_lecture(momentum=0.9, weight_decay=0.0) -> Optimizer:
    return Optimizer(_zero_velocity, with_weight_decay(_velocity_update(momentum), weight_decay), None, ("velocity",))


def nag_lecture(momentum=0.9, weight_decay=0.0) -> Optimizer:
    def look_ahead(state, params):
        return params + momentum * state.velocity

    update = with_weight_decay(_velocity_update(momentum), weight_decay, at=look_ahead)
    return Optimizer(_zero_velocity, update, look_ahead, ("velocity",))


def rmsprop_lecture(alpha=0.99, eps=1e-8, weight_decay=0.0) -> Optimizer:
    average = square_average(alpha)

    def init(params):
        return SquareAvgState(0, zeros_like(params))

    def update(g, state, params, lr):
        square_avg = average(state.square_avg, g)
        return params + (-lr * g) / np.sqrt(square_avg + eps), SquareAvgState(state.step + 1, square_avg)

    return Optimizer(init, with_weight_decay(update, weight_decay), None, ("square_avg",))


VELOCITY = r"v_t = \mu v_{t-1} - \varepsilon_t g_t"
LOOK_AHEAD_VELOCITY = r"v_t = \mu v_{t-1} - \varepsilon_t \nabla E(w_{t-1} + \mu v_{t-1})"
POSITION = r"w_t = w_{t-1} + v_t"
SQUARES = r"\langle g^2 \rangle_t = \gamma \langle g^2 \rangle_{t-1} + (1-\gamma)\, g_t^2"
RMSPROP_STEP = r"w_t = w_{t-1} - \frac{\varepsilon_t}{\sqrt{\langle g^2 \rangle_t + \epsilon}}\, g_t"
MOMENTUM_LATEX = VELOCITY + r" \\" + POSITION
NAG_LATEX = LOOK_AHEAD_VELOCITY + r" \\" + POSITION
RMSPROP_LATEX = SQUARES + r" \\" + RMSPROP_STEP
DECAY = r"g_t = \nabla f(w_{t-1}) + \lambda w_{t-1}"
LOOK_AHEAD_DECAY = (r"\nabla E(w_{t-1} + \mu v_{t-1}) = \nabla f(w_{t-1} + \mu v_{t-1})"
                    r" + \lambda (w_{t-1} + \mu v_{t-1})")
_LOOK_AHEAD_GRAD = r"\nabla f(w_{t-1} + \mu v_{t-1})"


def _positions(s) -> dict:
    return {"w_{t-1}": s.params, "w_t": s.new_params, r"\nabla f(w_{t-1})": s.grad}


def explain_velocity(s, nesterov: bool = False) -> dict:
    """The lecture's momentum: Δw = v_t = μ v_{t-1} - ε_t g_t, the gradient's share -ε_t ∇f, the
    past's μ v_{t-1}; Nesterov's g_t is taken (with its decay) at the look-ahead point w + μv."""
    mu, previous = s.values["momentum"], s.before.velocity
    look_ahead = s.params + mu * previous
    g = s.decay(at=look_ahead if nesterov else None)
    symbols = {**_positions(s), "v_t": s.after.velocity, "v_{t-1}": previous, r"\mu": mu}
    if nesterov:
        symbols.update({r"\nabla E(w_{t-1} + \mu v_{t-1})": g, _LOOK_AHEAD_GRAD: s.grad})
        rule = [LOOK_AHEAD_DECAY] if s.lam else []
        rule += [LOOK_AHEAD_VELOCITY, POSITION]
    else:
        rule = [DECAY] if s.lam else []
        rule += [VELOCITY, POSITION]
    return {"rate": np.broadcast_to(s.lr, np.shape(s.params)).astype(float), "look_ahead": look_ahead,
            "parts": s.parts(-s.lr, mu * previous), "rule": r" \\ ".join(rule), "symbols": s.symbols(**symbols)}


def explain_rmsprop_lecture(s) -> dict:
    """The lecture's RMSProp: Δw = -rate g_t, rate = ε_t/√(⟨g²⟩_t + ϵ)."""
    s.decay()
    rate = s.lr / np.sqrt(s.after.square_avg + s.values["eps"])
    symbols = {**_positions(s), r"\langle g^2 \rangle_t": s.after.square_avg,
               r"\langle g^2 \rangle_{t-1}": s.before.square_avg, r"\gamma": s.values["alpha"],
               r"\epsilon": s.values["eps"]}
    rule = ([DECAY] if s.lam else []) + [SQUARES, RMSPROP_STEP]
    return {"rate": rate, "parts": s.parts(-rate), "rule": r" \\ ".join(rule), "symbols": s.symbols(**symbols)}


SPECS = (
    Spec("momentum_lecture", "Momentum (lecture form)", momentum_lecture, (MOMENTUM, WEIGHT_DECAY), None,
         MOMENTUM_LATEX,
         "The learning rate sits inside the velocity. Coincides with torch.optim.SGD(momentum=μ), the "
         "Momentum entry, at a constant rate; splits from it when a schedule changes the rate.",
         lr=lr_param(0.01), explainer=explain_velocity),
    Spec("nag_lecture", "Nesterov (lecture form)", nag_lecture, (MOMENTUM, WEIGHT_DECAY), None, NAG_LATEX,
         "The gradient is taken at the look-ahead point w + μv. torch.optim.SGD(nesterov=True), the "
         "Nesterov entry, follows the look-ahead point itself: at a constant rate its path is this one "
         "shifted by μv.", lr=lr_param(0.01), explainer=lambda s: explain_velocity(s, nesterov=True)),
    Spec("rmsprop_lecture", "RMSProp (lecture form)", rmsprop_lecture,
         (smoothing_param("smoothing γ (torch's α)"), EPS, WEIGHT_DECAY),
         None, RMSPROP_LATEX,
         "ϵ inside the square root. Coincides with torch.optim.RMSprop(eps=0); with ϵ ≥ 1 its divisor "
         "√(v + ϵ) is smaller than torch's √v + ϵ for every v > 0, so its steps are longer (with ϵ < 1, only where "
         "√v > (1 − ϵ)/2).", lr=lr_param(0.01),
         explainer=explain_rmsprop_lecture),
)
