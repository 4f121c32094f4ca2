"""The optimizer type: a pair of pure functions, as in optax.

``init(params) -> state`` and ``update(grads, state, params, lr) -> (new_params, new_state)``.
``state`` is an immutable NamedTuple whose arrays have the shape of ``params``, plus a step count;
its fields carry the names torch.optim gives them in ``optimizer.state[p]``, and ``state_names`` lists
the ones torch keeps under the optimizer's settings (torch's SGD keeps no step, Adam keeps
``max_exp_avg_sq`` only with ``amsgrad``, ...). Every rule here is elementwise, so ``params`` may be an
array of any shape or an ``np.float64`` scalar; write rules with arithmetic operators and NumPy ufuncs
only, never with in-place updates.

``grad_point(state, params)``, when given, says where the gradient of the next update is taken; the
default is ``params``. Only the lecture's form of Nesterov momentum needs it (the look-ahead point).

Each rule follows the order of operations of torch.optim's single-tensor code path (``foreach=False``,
torch's default on CPU): ``p.addcdiv_(a, d, value=c)`` is ``p + (c * a) / d``, ``s.addcmul_(a, b,
value=c)`` is ``s + (c * a) * b``, ``g.add(p, alpha=c)`` is ``g + c * p``, ``lerp`` as below, scalar
coefficients computed in Python floats as torch computes them. torch's CPU kernels fuse the
multiply-adds (one rounding instead of two) and take square roots through MKL, which is not always
correctly rounded; NumPy cannot do either, so paths agree with torch to a few units in the last place
per step, not bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Optimizer(NamedTuple):
    init: Callable
    update: Callable
    grad_point: Callable | None = None
    state_names: tuple[str, ...] = ()  # the state fields torch keeps in optimizer.state[p], in its order


def zeros_like(params):
    """A zero of the shape of ``params`` that stays an ``np.float64`` for scalars."""
    return np.zeros_like(params)[()]


def lerp_by(weight: float) -> Callable:
    """``(start, end) -> torch.lerp(start, end, weight)``: ``start + w (end - start)`` for ``|w| < 0.5``,
    else ``end - (end - start)(1 - w)``, which rounds better near ``w = 1``. torch uses it for the
    first moment of every Adam-like rule, with ``w = 1 - β₁``; torch's kernel fuses the multiply-add.
    The branch is chosen once, here, not at every step."""
    if abs(weight) < 0.5:
        return lambda start, end: start + weight * (end - start)
    rest = 1.0 - weight
    return lambda start, end: end - (end - start) * rest


def square_average(beta: float) -> Callable:
    """``(avg, x) -> β avg + (1 - β) x²`` in torch's order, ``avg.mul_(β).addcmul_(x, x, value=1 - β)``:
    the second moment of Adam and RMSProp, and both of Adadelta's accumulators."""
    c = 1.0 - beta
    return lambda avg, x: avg * beta + (c * x) * x


def adam_moments(beta1: float, beta2: float) -> Callable:
    r"""``(m, v, g) -> (m_t, v_t)``, the two moments of the Adam family (Adam, AMSGrad, AdamW, NAdam,
    RAdam) in torch's order: :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t` by ``lerp``,
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2` by ``square_average``."""
    first, second = lerp_by(1.0 - beta1), square_average(beta2)
    return lambda m, v, g: (first(m, g), second(v, g))


def with_weight_decay(update: Callable, weight_decay: float, decoupled: bool = False,
                      at: Callable | None = None) -> Callable:
    r"""``update`` preceded by torch's weight-decay preamble, written once for every optimizer.

    Coupled L2 (torch's ``grad.add(param, alpha=λ)``): :math:`g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}`,
    the decay taken at ``at(state, params)`` where the gradient is (the lecture's Nesterov), else at θ.
    Decoupled (AdamW, and NAdam's and RAdam's ``decoupled_weight_decay``, torch's
    ``param.mul_(1 - lr * λ)``): :math:`\theta_{t-1} \leftarrow (1 - \varepsilon_t\lambda)\,\theta_{t-1}`
    before the step, the gradient left bare. With λ = 0 this returns ``update`` itself, at no cost.
    """
    if not weight_decay:
        return update
    if decoupled:
        def decayed(grads, state, params, lr):
            return update(grads, state, params * (1.0 - lr * weight_decay), lr)
    elif at is not None:
        def decayed(grads, state, params, lr):
            return update(grads + weight_decay * at(state, params), state, params, lr)
    else:
        def decayed(grads, state, params, lr):
            return update(grads + weight_decay * params, state, params, lr)
    return decayed
