r"""The activations, each forward next to its backward.

``forward(z) -> a`` and ``backward(z, a, g) -> g f'(z)``: the backward takes both the input and the
output so that each derivative uses whichever is cheaper and more exact (σ' = a(1 - a)). They match
``torch.nn.functional`` at its defaults:

- sigmoid, tanh;
- relu, with f'(0) = 0 as in torch;
- leaky_relu with negative slope 0.01 (f'(0) = 0.01, as torch's ``z > 0`` test gives);
- elu with α = 1;
- gelu in its exact form z Φ(z), Φ the standard normal CDF through erf, torch's default
  ``approximate="none"``, not the tanh approximation.

``peak`` is the largest value of f' (ReLU's 1, the sigmoid's 1/4 that makes deep sigmoid stacks lose
their gradient), used to call a unit saturated where f' falls below 1% of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .special import INV_SQRT_2PI, normal_cdf

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


class Activation(NamedTuple):
    key: str
    title: str
    forward: Callable
    backward: Callable
    peak: float
    latex: str


def sigmoid(z):
    with np.errstate(over="ignore"):  # exp(-z) = inf for z < -709 gives 1/inf = 0, the right answer
        a = np.negative(z)
        np.exp(a, out=a)
        a += 1.0
        return np.reciprocal(a, out=a)


def sigmoid_backward(z, a, g):
    d = 1.0 - a
    d *= a
    d *= g
    return d


def tanh(z):
    return np.tanh(z)


def tanh_backward(z, a, g):
    d = a * a
    np.subtract(1.0, d, out=d)
    d *= g
    return d


def relu(z):
    return np.maximum(z, 0.0)


def relu_backward(z, a, g):
    return np.where(z > 0, g, 0.0)


def leaky_relu(z):
    return np.maximum(z, LEAKY_SLOPE * z)  # the slope is below 1


def leaky_relu_backward(z, a, g):
    return np.where(z > 0, g, LEAKY_SLOPE * g)


def elu(z):
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def elu_backward(z, a, g):
    return np.where(z > 0, g, (a + ELU_ALPHA) * g)


def gelu(z):
    return z * normal_cdf(z)


def gelu_backward(z, a, g):
    # Φ(z) = a/z, rounded twice, costs two operations where computing it anew costs dozens
    cdf = np.divide(a, z, out=np.full_like(z, 0.5), where=z != 0)
    with np.errstate(over="ignore"):  # z² = inf for |z| > 1e154 gives φ = 0, the right answer
        pdf = np.exp(-0.5 * (z * z))
    pdf *= INV_SQRT_2PI * z
    pdf += cdf
    pdf *= g
    return pdf


ACTIVATIONS = {
    a.key: a
    for a in (
        Activation("sigmoid", "sigmoid", sigmoid, sigmoid_backward, 0.25, r"\sigma(z) = \frac{1}{1 + e^{-z}}"),
        Activation("tanh", "tanh", tanh, tanh_backward, 1.0, r"\tanh z"),
        Activation("relu", "ReLU", relu, relu_backward, 1.0, r"\max(z, 0)"),
        Activation("leaky_relu", "leaky ReLU", leaky_relu, leaky_relu_backward, 1.0,
                   r"\max(z, 0.01 z)"),
        Activation("elu", "ELU", elu, elu_backward, 1.0, r"z \text{ if } z > 0 \text{ else } e^z - 1"),
        Activation("gelu", "GELU", gelu, gelu_backward, 1.1289041452, r"z\,\Phi(z)"),
    )
}


def get_activation(key) -> Activation:
    if not isinstance(key, str) or key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {key!r}; valid activations are: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[key]
