"""The ``SURFACES`` registry: every built-in surface by key, in the order the app lists them.

Each is one ``Surface(...)`` with its value, gradient and Hessian written out by hand (checked against
finite differences in tests/surfaces); they live in three modules by theme: ``valleys`` (one minimum,
conditioning), ``flat`` (saddles and plateaus) and ``multimodal`` (several minima).
"""

from __future__ import annotations

from .base import Surface
from .flat import monkey_saddle, plateau, saddle
from .multimodal import ackley, goldstein_price, himmelblau, rastrigin, six_hump_camel, styblinski_tang
from .valleys import beale, booth, matyas, quadratic, ravine, rosenbrock

SURFACES: dict[str, Surface] = {
    s.key: s
    for s in (
        saddle,
        beale,
        rosenbrock,
        quadratic,
        ravine,
        booth,
        matyas,
        monkey_saddle,
        plateau,
        himmelblau,
        six_hump_camel,
        styblinski_tang,
        goldstein_price,
        rastrigin,
        ackley,
    )
}
