"""Bowls and valleys: one minimum each, and the question is how fast an optimizer gets there.

Conditioning is the lesson: the learning rate must suit the steepest direction, so the shallow one
is slow; per-coordinate scaling helps where the valley runs along an axis and not where it is turned.
"""

from __future__ import annotations

import numpy as np

from .base import Surface, constant_hessian

_SQRT3_6 = 6.0 * np.sqrt(3.0)


def _quadratic_f(x, y):
    return 3.5 * x * x - _SQRT3_6 * x * y + 9.5 * y * y


def _quadratic_g(x, y):
    return 7.0 * x - _SQRT3_6 * y, 19.0 * y - _SQRT3_6 * x


# (u^2 + 25 v^2) / 2 in coordinates (u, v) turned by 30 degrees: Hessian eigenvalues 1 and 25.
quadratic = Surface(
    key="quadratic",
    title="Ill-conditioned bowl",
    latex=r"f(x, y) = \tfrac12\left(u^2 + 25\,v^2\right) = 3.5\,x^2 - 6\sqrt{3}\,xy + 9.5\,y^2,"
    r"\quad u = x\cos 30^\circ + y\sin 30^\circ,\; v = y\cos 30^\circ - x\sin 30^\circ",
    caption="A convex bowl 25 times steeper across than along, turned by 30°: the steep direction caps "
    "the learning rate, the shallow one then takes 25 times longer, and per-coordinate scaling "
    "cannot undo the turn.",
    fxy=_quadratic_f,
    gxy=_quadratic_g,
    hxy=constant_hessian(7.0, -_SQRT3_6, 19.0),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((0.0, 0.0),),
    start=(-4.0, 1.0),
)


def _booth_terms(x, y):
    return x + 2.0 * y - 7.0, 2.0 * x + y - 5.0


def _booth_f(x, y):
    a, b = _booth_terms(x, y)
    return a * a + b * b


def _booth_g(x, y):
    a, b = _booth_terms(x, y)
    return 2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b


booth = Surface(
    key="booth",
    title="Booth's function",
    latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
    caption="A mildly stretched bowl (curvatures 18 and 2 along the diagonals): the easy baseline "
    "that every method should solve, and the place to see what too large a learning rate does.",
    fxy=_booth_f,
    gxy=_booth_g,
    hxy=constant_hessian(10.0, 8.0, 10.0),
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((1.0, 3.0),),
    start=(-8.0, -6.0),
    log_scale=True,
)


def _matyas_f(x, y):
    return 0.26 * (x * x + y * y) - 0.48 * x * y


def _matyas_g(x, y):
    return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


matyas = Surface(
    key="matyas",
    title="Matyas function",
    latex=r"f(x, y) = 0.26\,(x^2 + y^2) - 0.48\,xy",
    caption="A nearly flat trough along the diagonal (curvature 0.04 against 1 across): small "
    "gradients mean small steps, so plain gradient descent stalls long before the minimum.",
    fxy=_matyas_f,
    gxy=_matyas_g,
    hxy=constant_hessian(0.52, -0.48, 0.52),
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((0.0, 0.0),),
    start=(-8.0, -5.0),
)


def _ravine_f(x, y):
    return 0.5 * (np.sqrt(1.0 + x * x) - 1.0) + 18.0 * y * y


def _ravine_g(x, y):
    return 0.5 * x / np.sqrt(1.0 + x * x), 36.0 * y


def _ravine_h(x, y):
    q = 1.0 + x * x
    return 0.5 / (q * np.sqrt(q)), 0.0, 36.0


# The floor falls with a constant slope of 0.5 (a smoothed |x|/2, curvature 0.5 at the bottom) and the
# walls have curvature 36. SGD multiplies the distance from the floor by 1 - 36 lr per step: at the
# default lr = 0.01 it drops onto the floor and crawls along it at 0.005 per step; above lr = 1/36 it
# zig-zags across (visibly from 0.04) and above 2/36 it diverges. Momentum 0.9 oscillates across the
# walls for any lr above 1e-4 (complex roots once 36 lr > (1 - sqrt(0.9))^2), runs along the floor ten
# times faster than SGD and overshoots the bottom; it diverges above lr = 3.8/36. A smoothed |x| rather
# than a quadratic keeps the pull along the floor constant, so the crawl is steady, not ever slower.
ravine = Surface(
    key="ravine",
    title="Ravine",
    latex=r"f(x, y) = \tfrac12\left(\sqrt{1 + x^2} - 1\right) + 18\,y^2",
    caption="A long valley whose floor falls gently between walls 72 times more curved: SGD crawls "
    "along the floor or, at a larger rate, zig-zags across it, while momentum swings from wall to "
    "wall but builds up speed along the floor.",
    fxy=_ravine_f,
    gxy=_ravine_g,
    hxy=_ravine_h,
    domain=((-9.0, 3.0), (-2.0, 2.0)),
    minima=((0.0, 0.0),),
    start=(-8.0, 1.5),
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


def _beale_f(x, y):
    t1 = x * (y - 1.0) + 1.5
    t2 = x * (y * y - 1.0) + 2.25
    t3 = x * (y * y * y - 1.0) + 2.625
    return t1 * t1 + t2 * t2 + t3 * t3


def _beale_terms(x, y):
    """y^2, the factors a = y - 1, b = y^2 - 1, c = y^3 - 1, and the terms t_i = x * factor_i + constant_i."""
    y2 = y * y
    a, b, c = y - 1.0, y2 - 1.0, y2 * y - 1.0
    return y2, a, b, c, x * a + 1.5, x * b + 2.25, x * c + 2.625


def _beale_g(x, y):
    y2, a, b, c, t1, t2, t3 = _beale_terms(x, y)
    gx = 2.0 * (t1 * a + t2 * b + t3 * c)
    gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
    return gx, gy


def _beale_h(x, y):
    y2, a, b, c, t1, t2, t3 = _beale_terms(x, y)
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
    # (0, 1) is exact; the other was refined by Newton's method in 40-digit arithmetic.
    saddles=((0.0, 1.0), (0.10053793732415836, -2.644513585023125)),
    start=(1.0, 1.5),
    log_scale=True,
)
