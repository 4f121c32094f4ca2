"""Flat places: saddle points and a plateau, where the gradient vanishes or nearly so away from any
minimum, and the size of a step says little about the distance still to go."""

from __future__ import annotations

import numpy as np

from .base import Surface, constant_hessian


def _saddle_f(x, y):
    return x * x - y * y


def _saddle_g(x, y):
    return 2.0 * x, -2.0 * y


saddle = Surface(
    key="saddle",
    title="Saddle point",
    latex=r"f(x, y) = x^2 - y^2",
    caption="Downhill along y, uphill along x: a start on the ridge line y = 0 stalls plain gradient "
    "descent, while adaptive methods break the symmetry and escape first.",
    fxy=_saddle_f,
    gxy=_saddle_g,
    hxy=constant_hessian(2.0, 0.0, -2.0),
    domain=((-1.5, 1.5), (-1.5, 1.5)),
    minima=(),
    saddles=((0.0, 0.0),),
    start=(1.0, 1e-3),
)


def _monkey_f(x, y):
    return x * (x * x - 3.0 * y * y)


def _monkey_g(x, y):
    return 3.0 * (x * x - y * y), -6.0 * x * y


def _monkey_h(x, y):
    return 6.0 * x, -6.0 * y, -6.0 * x


monkey_saddle = Surface(
    key="monkey_saddle",
    title="Monkey saddle",
    latex=r"f(x, y) = x^3 - 3xy^2",
    caption="Three valleys meet at a point where even the Hessian vanishes: the gradient fades "
    "quadratically on the way in, so descent creeps towards the centre before it escapes down one "
    "of the valleys, and a second-order test cannot tell what the point is.",
    fxy=_monkey_f,
    gxy=_monkey_g,
    hxy=_monkey_h,
    domain=((-1.5, 1.5), (-1.5, 1.5)),
    minima=(),
    saddles=((0.0, 0.0),),
    start=(1.0, 1e-3),
)


def _plateau_well(x, y):
    return np.exp(-0.5 * (x * x + y * y))


def _plateau_f(x, y):
    return 1.0 - _plateau_well(x, y)


def _plateau_g(x, y):
    e = _plateau_well(x, y)
    return x * e, y * e


def _plateau_h(x, y):
    e = _plateau_well(x, y)
    return e * (1.0 - x * x), -x * y * e, e * (1.0 - y * y)


plateau = Surface(
    key="plateau",
    title="Plateau",
    latex=r"f(x, y) = 1 - \exp\!\left(-\tfrac12\,(x^2 + y^2)\right)",
    caption="A well in a wide plateau where the gradient is hundreds of times smaller than at the rim: "
    "steps proportional to the gradient barely move, while Adam and RMSProp, which divide by its "
    "running size, walk across at the speed of the learning rate.",
    fxy=_plateau_f,
    gxy=_plateau_g,
    hxy=_plateau_h,
    domain=((-4.0, 4.0), (-4.0, 4.0)),
    minima=((0.0, 0.0),),
    start=(3.0, 2.5),
)
