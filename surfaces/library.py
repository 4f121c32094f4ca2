"""The built-in surfaces. Each is one ``Surface(...)`` with its value, gradient and Hessian written
out by hand (checked against finite differences in tests/surfaces)."""

from __future__ import annotations

from .base import Surface


def _saddle_f(x, y):
    return x * x - y * y


def _saddle_g(x, y):
    return 2.0 * x, -2.0 * y


def _saddle_h(x, y):
    return 2.0, 0.0, -2.0


saddle = Surface(
    key="saddle",
    title="Saddle point",
    latex=r"f(x, y) = x^2 - y^2",
    caption="Downhill along y, uphill along x: a start on the ridge line y = 0 stalls plain gradient "
    "descent, while adaptive methods break the symmetry and escape first.",
    fxy=_saddle_f,
    gxy=_saddle_g,
    hxy=_saddle_h,
    domain=((-1.5, 1.5), (-1.5, 1.5)),
    minima=(),
    saddles=((0.0, 0.0),),
    start=(1.0, 1e-3),
)


_BEALE_C = (1.5, 2.25, 2.625)


def _beale_f(x, y):
    t1 = x * (y - 1.0) + 1.5
    t2 = x * (y * y - 1.0) + 2.25
    t3 = x * (y * y * y - 1.0) + 2.625
    return t1 * t1 + t2 * t2 + t3 * t3


def _beale_g(x, y):
    y2 = y * y
    a, b, c = y - 1.0, y2 - 1.0, y2 * y - 1.0
    t1, t2, t3 = x * a + 1.5, x * b + 2.25, x * c + 2.625
    gx = 2.0 * (t1 * a + t2 * b + t3 * c)
    gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
    return gx, gy


def _beale_h(x, y):
    y2 = y * y
    a, b, c = y - 1.0, y2 - 1.0, y2 * y - 1.0
    t1, t2, t3 = x * a + 1.5, x * b + 2.25, x * c + 2.625
    hxx = 2.0 * (a * a + b * b + c * c)
    # d/dy of gx = 2 (t1 a + t2 b + t3 c), with dt_i/dy = x * i y^(i-1) and da/dy = 1, db/dy = 2y, dc/dy = 3y^2
    hxy = 2.0 * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3) + 2.0 * x * (a + 2.0 * y * b + 3.0 * y2 * c)
    hyy = 2.0 * x * (x + 2.0 * t2 + 4.0 * y2 * x + 6.0 * y * t3 + 9.0 * y2 * y2 * x)
    return hxx, hxy, hyy


beale = Surface(
    key="beale",
    title="Beale's function",
    latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    caption="Flat plateaus and steep curved walls around a minimum at (3, 0.5): the scene of the "
    "classic optimizer animation, where adaptive methods find the valley and SGD lags behind.",
    fxy=_beale_f,
    gxy=_beale_g,
    hxy=_beale_h,
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    minima=((3.0, 0.5),),
    start=(1.0, 1.5),
    log_scale=True,
)


def _rosenbrock_f(x, y):
    u = 1.0 - x
    v = y - x * x
    return u * u + 100.0 * v * v


def _rosenbrock_g(x, y):
    v = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * v, 200.0 * v


def _rosenbrock_h(x, y):
    return 2.0 - 400.0 * (y - 3.0 * x * x), -400.0 * x, 200.0


rosenbrock = Surface(
    key="rosenbrock",
    title="Rosenbrock's banana",
    latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    caption="A narrow curved valley: finding it is easy, following its gentle floor to (1, 1) is hard, "
    "and momentum must turn with the bend.",
    fxy=_rosenbrock_f,
    gxy=_rosenbrock_g,
    hxy=_rosenbrock_h,
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    minima=((1.0, 1.0),),
    start=(-1.5, 2.0),
    log_scale=True,
)


SURFACES: dict[str, Surface] = {s.key: s for s in (saddle, beale, rosenbrock)}
