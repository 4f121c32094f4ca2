"""Surfaces with more than one minimum: where an optimizer ends depends on where it starts and how it
moves, not only on the landscape.

Stationary points that are not exact decimals were found by Newton's method from a dense grid of
starts and refined in 40-digit arithmetic (mpmath), then rounded to the nearest double.
"""

from __future__ import annotations

import numpy as np

from .base import Surface

_TWO_PI = 2.0 * np.pi


def _himmelblau_terms(x, y):
    return x * x + y - 11.0, x + y * y - 7.0


def _himmelblau_f(x, y):
    a, b = _himmelblau_terms(x, y)
    return a * a + b * b


def _himmelblau_g(x, y):
    a, b = _himmelblau_terms(x, y)
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def _himmelblau_h(x, y):
    return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 4.0 * x + 12.0 * y * y - 26.0


himmelblau = Surface(
    key="himmelblau",
    title="Himmelblau's function",
    latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    caption="Four equally deep minima around a central hill: from the default start beside the hilltop, "
    "SGD and momentum end in one of them and Adam and RMSProp in another.",
    fxy=_himmelblau_f,
    gxy=_himmelblau_g,
    hxy=_himmelblau_h,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=(
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.2831859912861696),
        (3.5844283403304917, -1.8481265269644036),
    ),
    saddles=(
        (3.385154183607021, 0.07385187983774928),
        (0.08667750455539636, 2.884254701174776),
        (-3.0730257507643897, -0.08135304428796751),
        (-0.12796134673068008, -1.9537149802445763),
    ),
    start=(-0.3, -0.9),
    log_scale=True,
)


def _camel_f(x, y):
    x2, y2 = x * x, y * y
    return x2 * (4.0 - 2.1 * x2 + x2 * x2 / 3.0) + x * y + 4.0 * y2 * (y2 - 1.0)


def _camel_g(x, y):
    x2 = x * x
    return x * (8.0 - 8.4 * x2 + 2.0 * x2 * x2) + y, x + y * (16.0 * y * y - 8.0)


def _camel_h(x, y):
    x2 = x * x
    return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, 48.0 * y * y - 8.0


six_hump_camel = Surface(
    key="six_hump_camel",
    title="Six-hump camel",
    latex=r"f(x, y) = \left(4 - 2.1\,x^2 + \tfrac{x^4}{3}\right)x^2 + xy + \left(4y^2 - 4\right)y^2",
    caption="Six minima of three depths, two of them global mirror images, and seven saddles between "
    "them: from the default start SGD, momentum and Adam end in three different minima.",
    fxy=_camel_f,
    gxy=_camel_g,
    hxy=_camel_h,
    domain=((-2.0, 2.0), (-1.2, 1.2)),
    minima=(
        (0.08984201310031806, -0.7126564030207396),
        (-0.08984201310031806, 0.7126564030207396),
        (1.703606714969981, -0.7960835686726251),
        (-1.703606714969981, 0.7960835686726251),
        (1.6071047529201972, 0.5686514548841314),
        (-1.6071047529201972, -0.5686514548841314),
    ),
    saddles=(
        (0.0, 0.0),
        (1.1092053368047865, -0.7682680925095399),
        (-1.1092053368047865, 0.7682680925095399),
        (1.6380679841897785, 0.22867406904439408),
        (-1.6380679841897785, -0.22867406904439408),
        (1.2960702671671092, 0.6050843880386585),
        (-1.2960702671671092, -0.6050843880386585),
    ),
    start=(-1.35, -0.95),
)


# The roots of 2t^3 - 16t + 2.5 (the derivative of each coordinate's term), to double precision.
_ST_LOW, _ST_TOP, _ST_HIGH = -2.903534027771177, 0.1567312567803401, 2.746802770990837


def _styblinski_f(x, y):
    x2, y2 = x * x, y * y
    return 0.5 * (x2 * (x2 - 16.0) + 5.0 * x + y2 * (y2 - 16.0) + 5.0 * y)


def _styblinski_g(x, y):
    return x * (2.0 * x * x - 16.0) + 2.5, y * (2.0 * y * y - 16.0) + 2.5


def _styblinski_h(x, y):
    return 6.0 * x * x - 16.0, 0.0, 6.0 * y * y - 16.0


styblinski_tang = Surface(
    key="styblinski_tang",
    title="Styblinski–Tang function",
    latex=r"f(x, y) = \tfrac12\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
    caption="Four basins of different depths (−78.3, −64.2 twice, −50.1): from the steep rim, small "
    "steps stop in the nearest and shallowest, while momentum or one large step carries over the "
    "ridge into the deepest.",
    fxy=_styblinski_f,
    gxy=_styblinski_g,
    hxy=_styblinski_h,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((_ST_LOW, _ST_LOW), (_ST_LOW, _ST_HIGH), (_ST_HIGH, _ST_LOW), (_ST_HIGH, _ST_HIGH)),
    saddles=((_ST_LOW, _ST_TOP), (_ST_TOP, _ST_LOW), (_ST_HIGH, _ST_TOP), (_ST_TOP, _ST_HIGH)),
    start=(4.4, 4.2),
)


# f = A(u) B(t) with u = x + y and t = 2x - 3y: the second factors of both brackets are
# 19 - 14u + 3u^2 and 18 - 16t + 3t^2, so A and B are quartics in one variable each, with
# A' = 12 (u + 1)(u - 1)(u - 2) and B' = 12 t (t - 1)(t - 3). Stationary points are where both vanish.
def _gp_factors(x, y):
    u = x + y
    t = 2.0 * x - 3.0 * y
    u2, t2 = u * u, t * t
    a = u2 * (3.0 * u2 - 8.0 * u - 6.0) + 24.0 * u + 20.0
    b = t2 * (3.0 * t2 - 16.0 * t + 18.0) + 30.0
    return u, t, u2, t2, a, b


def _goldstein_price_f(x, y):
    _, _, _, _, a, b = _gp_factors(x, y)
    return a * b


def _gp_slopes(u, t, u2, t2):
    """A'(u) and B'(t)."""
    return 12.0 * (u * (u2 - 2.0 * u - 1.0) + 2.0), 12.0 * t * (t2 - 4.0 * t + 3.0)


def _goldstein_price_g(x, y):
    u, t, u2, t2, a, b = _gp_factors(x, y)
    da, db = _gp_slopes(u, t, u2, t2)
    p, q = da * b, a * db
    return p + 2.0 * q, p - 3.0 * q


def _goldstein_price_h(x, y):
    u, t, u2, t2, a, b = _gp_factors(x, y)
    da, db = _gp_slopes(u, t, u2, t2)
    dda = 36.0 * u2 - 48.0 * u - 12.0
    ddb = 36.0 * t2 - 96.0 * t + 36.0
    p, q, r = dda * b, da * db, a * ddb
    return p + 4.0 * q + 4.0 * r, p - q - 6.0 * r, p - 6.0 * q + 9.0 * r


goldstein_price = Surface(
    key="goldstein_price",
    title="Goldstein–Price function",
    latex=r"f(x, y) = \bigl[1 + (x + y + 1)^2\,(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\bigr]"
    r"\,\bigl[30 + (2x - 3y)^2\,(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\bigr]",
    caption="Values from 3 to a million and four minima (3, 30, 84, 840): fixed-step descent survives "
    "the walls only with a learning rate near 1e-4, and from the default start small and large "
    "steps end in different minima.",
    fxy=_goldstein_price_f,
    gxy=_goldstein_price_g,
    hxy=_goldstein_price_h,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    # (u, t) = (-1, 3), (-1, 0), (2, 3), (2, 0); x = (3u + t)/5, y = (2u - t)/5
    minima=((0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)),
    # (u, t) = (1, 0), (1, 3), (-1, 1), (2, 1)
    saddles=((0.6, 0.4), (1.2, -0.2), (-0.4, -0.6), (1.4, 0.6)),
    start=(0.4, 0.25),
    log_scale=True,
)


def _rastrigin_f(x, y):
    return 20.0 + x * x + y * y - 10.0 * (np.cos(_TWO_PI * x) + np.cos(_TWO_PI * y))


def _rastrigin_g(x, y):
    return 2.0 * x + 20.0 * np.pi * np.sin(_TWO_PI * x), 2.0 * y + 20.0 * np.pi * np.sin(_TWO_PI * y)


_RASTRIGIN_K = 40.0 * np.pi * np.pi


def _rastrigin_h(x, y):
    return 2.0 + _RASTRIGIN_K * np.cos(_TWO_PI * x), 0.0, 2.0 + _RASTRIGIN_K * np.cos(_TWO_PI * y)


rastrigin = Surface(
    key="rastrigin",
    title="Rastrigin function",
    latex=r"f(x, y) = 20 + x^2 - 10\cos(2\pi x) + y^2 - 10\cos(2\pi y)",
    caption="A bowl under an egg-box of about a hundred dimples: small steps stop in the nearest one, "
    "and steps too large for the dimples (SGD above lr ≈ 0.005) bounce between them chaotically "
    "instead of finding the bowl.",
    fxy=_rastrigin_f,
    gxy=_rastrigin_g,
    hxy=_rastrigin_h,
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    # Only the global minimum: the local ones sit near every integer point of the grid.
    minima=((0.0, 0.0),),
    start=(3.2, -2.3),
)


# sqrt(x^2 + y^2) has a cone point at the origin, where its gradient is undefined and its Hessian
# infinite. A tiny constant under the root rounds the tip off at r ~ 1e-10, so the gradient is exactly
# zero at the origin and finite everywhere; f(0, 0) is 4e-10 instead of 0, and the curvature at the
# tip is ~1e10, which gradient methods treat like the cone it replaces.
_ACKLEY_TINY = 1e-20
_ACKLEY_TOP = 20.0 + np.e


def _ackley_f(x, y):
    r = np.sqrt(0.5 * (x * x + y * y) + _ACKLEY_TINY)
    return _ACKLEY_TOP - 20.0 * np.exp(-0.2 * r) - np.exp(0.5 * (np.cos(_TWO_PI * x) + np.cos(_TWO_PI * y)))


def _ackley_g(x, y):
    ax, ay = _TWO_PI * x, _TWO_PI * y
    r = np.sqrt(0.5 * (x * x + y * y) + _ACKLEY_TINY)
    k = 2.0 * np.exp(-0.2 * r) / r
    pe = np.pi * np.exp(0.5 * (np.cos(ax) + np.cos(ay)))
    return k * x + pe * np.sin(ax), k * y + pe * np.sin(ay)


def _ackley_h(x, y):
    ax, ay = _TWO_PI * x, _TWO_PI * y
    r = np.sqrt(0.5 * (x * x + y * y) + _ACKLEY_TINY)
    e1 = np.exp(-0.2 * r)
    cx, cy, sx, sy = np.cos(ax), np.cos(ay), np.sin(ax), np.sin(ay)
    e2 = np.exp(0.5 * (cx + cy))
    k = 2.0 * e1 / r
    m = e1 * (0.2 + 1.0 / r) / (r * r)
    p = np.pi * np.pi * e2
    return (k - m * x * x + p * (2.0 * cx - sx * sx), -m * x * y - p * sx * sy,
            k - m * y * y + p * (2.0 * cy - sy * sy))


ackley = Surface(
    key="ackley",
    title="Ackley function",
    latex=r"f(x, y) = -20\exp\!\left(-0.2\sqrt{\tfrac12\,(x^2 + y^2)}\right)"
    r" - \exp\!\left(\tfrac12\left(\cos 2\pi x + \cos 2\pi y\right)\right) + e + 20",
    caption="A nearly flat, bumpy outer region around one deep funnel: the local gradient points to "
    "the nearest bump, not to the funnel, so descent gets stuck far out while the funnel's sharp tip "
    "makes fixed-step methods rattle around the minimum.",
    fxy=_ackley_f,
    gxy=_ackley_g,
    hxy=_ackley_h,
    domain=((-4.0, 4.0), (-4.0, 4.0)),
    minima=((0.0, 0.0),),
    start=(2.7, -3.3),
    kinks=((0.0, 0.0),),
)
