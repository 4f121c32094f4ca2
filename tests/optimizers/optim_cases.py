"""Shared by the optimizer tests and ``make_expected.py``: the surfaces the parity cases run on, the
torch-backed registry keys, and the error measure.

The tilted quadratic is defined here rather than taken from ``SURFACES`` so that the committed
expected paths do not depend on how the surfaces package tunes its own bowl.
"""

from __future__ import annotations

import numpy as np

from optimizers import OPTIMIZERS
from surfaces import SURFACES


class TiltedQuadratic:
    """f = 5x² + 4xy + y², an ill-conditioned bowl (Hessian eigenvalues 0.34 and 11.66) whose axes
    are not the coordinate axes, with its minimum at the origin."""

    key = "tilted_quadratic"

    @staticmethod
    def fxy(x, y):
        return 5.0 * x * x + 4.0 * x * y + y * y

    @staticmethod
    def gxy(x, y):
        return 10.0 * x + 4.0 * y, 4.0 * x + 2.0 * y

    def f(self, p):
        p = np.asarray(p, dtype=float)
        return self.fxy(p[..., 0], p[..., 1])

    def grad(self, p):
        p = np.asarray(p, dtype=float)
        return np.stack(self.gxy(p[..., 0], p[..., 1]), axis=-1)


QUADRATIC = TiltedQuadratic()
SURFACE_KEYS = ("beale", "rosenbrock", "saddle", QUADRATIC.key)
TORCH_KEYS = tuple(key for key, spec in OPTIMIZERS.items() if spec.torch_class)
LECTURE_KEYS = tuple(key for key, spec in OPTIMIZERS.items() if spec.torch_class is None)


def surface(key: str):
    return QUADRATIC if key == QUADRATIC.key else SURFACES[key]


def relative_error(path, reference) -> float:
    """max |path - reference| / max |reference| over every step and coordinate: the error relative
    to the scale of the path, which stays meaningful where a coordinate passes through zero."""
    path, reference = np.asarray(path, dtype=float), np.asarray(reference, dtype=float)
    return float(np.max(np.abs(path - reference)) / np.max(np.abs(reference)))


def amplification(optimizer, surf: str, start, steps: int, schedule, delta: float = 1e-15) -> float:
    """How much the path from ``start`` magnifies a relative perturbation ``delta`` of the start over
    ``steps`` updates: about 1 on a well-conditioned path, growing exponentially on a chaotic one,
    where rounding differences of a few units in the last place (torch's fused multiply-adds) grow
    alike."""
    from optimizers import run

    starts = np.array([start, np.array(start) * (1.0 + delta)])
    xy = run(optimizer, surface(surf), starts[:1], steps, schedule).xy[:, 0]
    perturbed = run(optimizer, surface(surf), starts[1:], steps, schedule).xy[:, 0]
    return relative_error(perturbed, xy) / delta
