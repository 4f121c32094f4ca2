"""The one table of optimizer cases: a row per registry key, holding everything the tests of
``optimizers`` need of it (the live torch parity tests, the committed literal paths and states, the
lecture forms' tests, the state tests), plus the surfaces the cases run on and the error measure.
Adding an optimizer is one file, one registry line and one row in ``CASES``
(``test_every_registered_optimizer_has_a_row`` fails until it has one).

The tilted quadratic is defined here rather than taken from ``SURFACES`` so that the committed
expected paths do not depend on how the surfaces package tunes its own bowl.
"""

from __future__ import annotations

from dataclasses import dataclass

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
# Three starts per surface for the live comparisons; the committed literal cases use the first two.
STARTS = {
    "beale": ((1.0, 1.5), (2.0, -0.5), (0.5, 0.5)),
    "rosenbrock": ((-1.5, 2.0), (0.5, -0.5), (1.5, 1.5)),
    "saddle": ((1.0, 1e-3), (-0.5, 0.3), (0.2, -1.0)),
    "tilted_quadratic": ((1.0, -2.0), (-1.5, 1.0), (2.0, 2.0)),
}
LITERAL_STARTS = {surf: points[:2] for surf, points in STARTS.items()}


@dataclass(frozen=True)
class Case:
    """What the tests need of one registered optimizer.

    ``lr``: a constant rate per surface of ``SURFACE_KEYS`` whose 100-step paths are well-conditioned.
    ``settings``: non-default hyperparameters, each compared live with torch on every surface (the
    last one also under a rate that changes at every step), states included.
    ``literal``: (hyperparameters, surface, rate) whose torch paths and states ``make_expected.py``
    commits, so that they are checked where torch is missing.
    ``twin``: for a lecture form, the torch-form entry it is compared with, and ``coincides``: the
    hyperparameters under which the two take the same path at a constant rate (None: they never do).
    """

    lr: dict[str, float]
    settings: tuple[dict, ...]
    literal: tuple[tuple[dict, str, float], ...]
    twin: str | None = None
    coincides: dict | None = None


def _same(rate: float) -> dict[str, float]:
    return {s: rate for s in SURFACE_KEYS}


_PLAIN = {"beale": 1e-3, "rosenbrock": 2e-4, "saddle": 0.02, "tilted_quadratic": 0.02}
_ADAPTIVE = _same(0.01)

CASES: dict[str, Case] = {
    "sgd": Case(_PLAIN,
                ({"momentum": 0.5, "dampening": 0.5, "weight_decay": 0.2}, {"momentum": 0.7, "nesterov": True}),
                (({}, "beale", 2e-3), ({"weight_decay": 0.1}, "rosenbrock", 2e-4),
                 ({"momentum": 0.8, "dampening": 0.3}, "tilted_quadratic", 0.02),
                 ({"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, "saddle", 0.01))),
    "momentum": Case(_PLAIN, ({"momentum": 0.95}, {"momentum": 0.6, "dampening": 0.9, "weight_decay": 1e-3}),
                     (({}, "beale", 1e-3), ({"dampening": 0.5, "weight_decay": 0.05}, "rosenbrock", 2e-4))),
    "nag": Case(_PLAIN, ({"momentum": 0.3}, {"momentum": 0.95, "weight_decay": 0.3}),
                (({}, "tilted_quadratic", 0.02), ({"momentum": 0.5, "weight_decay": 0.1}, "beale", 5e-3))),
    "adagrad": Case(_same(0.1),
                    ({"lr_decay": 0.1}, {"initial_accumulator_value": 2.0, "eps": 1e-3, "weight_decay": 0.2}),
                    (({}, "beale", 0.1),
                     ({"lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.5, "eps": 1e-6},
                      "rosenbrock", 0.3))),
    "rmsprop": Case(_ADAPTIVE,
                    ({"centered": True}, {"momentum": 0.8, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.05},
                     {"centered": True, "momentum": 0.3, "eps": 1e-3}),
                    (({}, "beale", 0.01), ({"momentum": 0.9, "weight_decay": 0.01}, "rosenbrock", 1e-3),
                     ({"centered": True, "alpha": 0.9, "eps": 1e-4}, "saddle", 0.01),
                     ({"centered": True, "momentum": 0.5, "alpha": 0.9}, "tilted_quadratic", 2e-3))),
    "adadelta": Case(_same(1.0), ({"rho": 0.99}, {"rho": 0.3, "eps": 1e-3, "weight_decay": 0.05}),
                     (({}, "beale", 1.0), ({"rho": 0.5, "eps": 1e-3, "weight_decay": 0.1}, "rosenbrock", 0.5))),
    "adam": Case(_ADAPTIVE, ({"betas": (0.5, 0.99)}, {"betas": (0.95, 0.9), "eps": 1e-4, "weight_decay": 0.3}),
                 (({}, "beale", 0.01), ({"betas": (0.3, 0.99), "eps": 1e-3, "weight_decay": 0.1}, "rosenbrock", 0.02))),
    "adamax": Case(_same(0.02), ({"betas": (0.3, 0.99)}, {"betas": (0.99, 0.99), "eps": 1e-3, "weight_decay": 0.1}),
                   (({}, "beale", 0.02), ({"betas": (0.2, 0.5), "weight_decay": 0.05}, "tilted_quadratic", 0.02))),
    "nadam": Case(_same(0.02),
                  ({"momentum_decay": 0.0}, {"betas": (0.6, 0.99), "weight_decay": 0.2},
                   {"weight_decay": 0.3, "decoupled_weight_decay": True, "momentum_decay": 0.02}),
                  (({}, "beale", 0.02),
                   ({"momentum_decay": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, "rosenbrock", 0.01),
                   ({"betas": (0.4, 0.99), "weight_decay": 0.05}, "saddle", 0.01))),
    "amsgrad": Case(_ADAPTIVE, ({"betas": (0.5, 0.9)}, {"eps": 1e-3, "weight_decay": 0.1}),
                    (({}, "rosenbrock", 0.01), ({"betas": (0.8, 0.9), "weight_decay": 0.01}, "beale", 0.02))),
    "adamw": Case(_ADAPTIVE, ({"weight_decay": 0.0}, {"weight_decay": 0.8, "betas": (0.8, 0.95), "eps": 1e-5}),
                  (({}, "beale", 0.01), ({"weight_decay": 0.5, "betas": (0.5, 0.99)}, "tilted_quadratic", 0.05))),
    # RAdam's first steps are plain momentum steps, unnormalized: as small as SGD's on steep surfaces
    "radam": Case({"beale": 2e-3, "rosenbrock": 1e-3, "saddle": 0.01, "tilted_quadratic": 0.01},
                  ({"betas": (0.8, 0.7)}, {"weight_decay": 0.2, "decoupled_weight_decay": True},
                   {"betas": (0.45, 0.9), "eps": 1e-3, "weight_decay": 0.1}),
                  (({}, "beale", 0.01),
                   ({"betas": (0.9, 0.8), "weight_decay": 0.1, "decoupled_weight_decay": True},
                    "tilted_quadratic", 0.02),
                   ({"eps": 1e-4}, "rosenbrock", 1e-3), ({"weight_decay": 0.05}, "saddle", 0.02))),
    "momentum_lecture": Case(_PLAIN, ({"momentum": 0.99}, {"momentum": 0.5, "weight_decay": 0.1}),
                             (({}, "beale", 1e-3), ({"momentum": 0.5, "weight_decay": 0.1}, "rosenbrock", 2e-4)),
                             twin="momentum", coincides={}),
    "nag_lecture": Case(_PLAIN, ({"momentum": 0.3}, {"momentum": 0.95, "weight_decay": 0.3}),
                        (({}, "tilted_quadratic", 0.02), ({"momentum": 0.7, "weight_decay": 0.05}, "saddle", 0.01)),
                        twin="nag"),
    "rmsprop_lecture": Case(_ADAPTIVE, ({"alpha": 0.999, "eps": 1e-3}, {"eps": 1.0, "weight_decay": 0.05}),
                            (({}, "beale", 0.01),
                             ({"alpha": 0.9, "eps": 1e-3, "weight_decay": 0.01}, "rosenbrock", 1e-3)),
                            twin="rmsprop", coincides={"eps": 0.0}),
}

KEYS = tuple(CASES)
TORCH_OPTIM_KEYS = tuple(key for key in KEYS if OPTIMIZERS[key].torch_class)  # backed by a torch.optim class
LECTURE_KEYS = tuple(key for key in KEYS if CASES[key].twin)
SETTINGS = [(key, kwargs) for key in KEYS for kwargs in CASES[key].settings]
LITERAL = [(key, kwargs, surf, lr) for key in KEYS for kwargs, surf, lr in CASES[key].literal]


def surface(key: str):
    return QUADRATIC if key == QUADRATIC.key else SURFACES[key]


def relative_error(path, reference) -> float:
    """The largest error of a path, (steps, ..., 2), each start's each coordinate measured against its
    own scale over the path, max_t |path - reference| / max_t |reference|: meaningful where a coordinate
    passes through zero, and a start near the origin is not judged on the scale of one far from it
    (one number for every start and coordinate would be); the absolute error where a coordinate stays 0."""
    path, reference = np.asarray(path, dtype=float), np.asarray(reference, dtype=float)
    scale = np.abs(reference).max(axis=0)
    err = np.abs(path - reference).max(axis=0)
    return float(np.max(np.where(scale > 0, err / np.where(scale > 0, scale, 1.0), err)))


def state_error(ours, reference) -> float:
    """The relative error of a state field, (steps, ..., 2), each coordinate measured against its own
    scale (the x and y components of a moment can differ by orders of magnitude); 0 where both are 0."""
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    scale = np.abs(reference).reshape(-1, 2).max(axis=0)
    err = np.abs(ours - reference).reshape(-1, 2).max(axis=0)
    return float(np.max(np.where(scale > 0, err / np.where(scale > 0, scale, 1.0), err)))


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
