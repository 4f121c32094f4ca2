"""``from_expression``: a typed formula made into a :class:`~surfaces.base.Surface`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from numbers import Real

import numpy as np

from ..base import Domain, Point, Surface
from .latex import latex
from .parse import parse
from .tree import Node, TooComplex, compile_nodes

DEFAULT_DOMAIN: Domain = ((-3.0, 3.0), (-3.0, 3.0))
MAX_COORDINATE = 1e4  # how far from the origin a domain may reach
MIN_WIDTH = 1e-3  # the narrowest side a domain may have
CHECK_GRID = 41  # points per side of the grid a formula is checked on
MIN_FINITE = 0.5  # the share of that grid where the formula must have a finite value
MAX_DERIVATIVE_NODES = 20_000  # distinct subexpressions of the formula and its derivatives together
NEWTON_STEPS = 30


@dataclass(frozen=True, eq=False)
class ExpressionSurface(Surface):
    """A surface from a formula. Beyond :class:`Surface`: ``text``, the formula as typed (trimmed);
    ``grad_latex``, the LaTeX equations of the two partial derivatives (``\\frac{\\partial f}{\\partial x}
    = ...`` and likewise for y), computed from the same tree that runs; ``tree``, that tree."""

    text: str = ""
    grad_latex: tuple[str, str] = ("", "")
    tree: Node | None = None


def from_expression(text: str, domain=None) -> ExpressionSurface:
    """The surface ``f(x, y) = text`` on ``domain`` (``((xmin, xmax), (ymin, ymax))``, by default
    ``((-3, 3), (-3, 3))``), with its gradient and Hessian by exact symbolic differentiation.

    The formula may use ``x``, ``y``, ``pi``, ``e``, numbers, ``+ - * / **`` (``^`` is read as ``**``),
    round brackets and the functions of :data:`surfaces.expression.FUNCTIONS` (``ln``, ``asin``, ``acos``,
    ``atan`` are accepted as synonyms); see the package docstring for the limits. Anything else, and a
    formula without a finite value on at least half of a 41 by 41 grid of the domain, raises a
    ``ValueError`` whose message is meant for the student who typed it.

    ``abs`` has the derivative ``sign`` (0 at the kink) and a zero second derivative; ``sqrt``, ``log``
    and powers are differentiated where they are defined and give ``inf`` or ``nan`` elsewhere, as the
    formula does. ``start`` is the grid point nearest to the one 10% in from the top-left corner where
    the value and the derivatives are finite; ``minima`` holds the lowest grid point once refined by
    Newton's method on the exact derivatives if that converges inside the domain to a point with a
    positive definite Hessian, and is empty otherwise.
    """
    parsed = parse(text)
    box = _check_domain(domain)
    builder, f = parsed.builder, parsed.tree
    builder.max_nodes = MAX_DERIVATIVE_NODES
    try:
        gx, gy = builder.derivative(f, "x"), builder.derivative(f, "y")
        hxx, hxy = builder.derivative(gx, "x"), builder.derivative(gx, "y")
        hyy = builder.derivative(gy, "y")
        grad_latex = (r"\frac{\partial f}{\partial x} = " + latex(gx), r"\frac{\partial f}{\partial y} = " + latex(gy))
        shown = "f(x, y) = " + latex(parsed.display)
    except (TooComplex, RecursionError):
        raise ValueError("The formula is too complicated to differentiate: please simplify it.") from None
    f_program, g_program, h_program = compile_nodes((f,)), compile_nodes((gx, gy)), compile_nodes((hxx, hxy, hyy))

    def fxy(x, y):
        return f_program(x, y)[0]

    surface = ExpressionSurface(
        key="custom",
        title="Your formula",
        latex=shown,
        caption="A surface from your own formula, with its gradient and Hessian from exact symbolic "
        "differentiation of that formula.",
        fxy=fxy,
        gxy=g_program,
        hxy=h_program,
        domain=box,
        minima=(),
        start=(0.0, 0.0),
        text=parsed.text,
        grad_latex=grad_latex,
        tree=f,
    )
    start, minima = _start_and_minima(surface)
    return replace(surface, start=start, minima=minima)


def _check_domain(domain) -> Domain:
    if domain is None:
        return DEFAULT_DOMAIN
    try:
        (x0, x1), (y0, y1) = domain
    except (TypeError, ValueError):
        raise ValueError("The domain must be two ranges, ((xmin, xmax), (ymin, ymax)).") from None
    box = []
    for axis, (lo, hi) in zip("xy", ((x0, x1), (y0, y1)), strict=True):
        if not all(isinstance(v, Real) and not isinstance(v, bool) for v in (lo, hi)):
            raise ValueError(f"The {axis} range must be two numbers.")
        lo, hi = float(lo), float(hi)
        if not (abs(lo) <= MAX_COORDINATE and abs(hi) <= MAX_COORDINATE):
            raise ValueError(f"The {axis} range must lie between -{MAX_COORDINATE:.0f} and {MAX_COORDINATE:.0f}.")
        if not hi - lo >= MIN_WIDTH:
            raise ValueError(f"The {axis} range must go from a smaller to a larger number, at least "
                             f"{MIN_WIDTH:g} apart.")
        box.append((lo, hi))
    return box[0], box[1]


def _start_and_minima(s: ExpressionSurface) -> tuple[Point, tuple[Point, ...]]:
    (x0, x1), (y0, y1) = s.domain
    xs, ys = np.linspace(x0, x1, CHECK_GRID), np.linspace(y0, y1, CHECK_GRID)
    p = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        f, g, h = s.f(p), s.grad(p), s.hessian(p)
    finite_f = np.isfinite(f)
    if finite_f.mean() < MIN_FINITE:
        raise ValueError(f"The formula has no finite value on {100 * (1 - finite_f.mean()):.0f}% of the domain "
                         "(a division by zero, the logarithm or root of a negative number, or numbers too "
                         "large): choose a formula, or a domain, where it is defined almost everywhere.")
    usable = finite_f & np.isfinite(g).all(-1) & np.isfinite(h).all((-1, -2))
    if not usable.any():
        raise ValueError("The formula's slope is not finite anywhere on the domain's grid: choose another formula.")
    preferred = np.array([x0 + 0.1 * (x1 - x0), y1 - 0.1 * (y1 - y0)])
    distance = np.where(usable, np.hypot(*np.moveaxis(p - preferred, -1, 0)), np.inf)
    i, j = np.unravel_index(np.argmin(distance), distance.shape)
    start = (float(p[i, j, 0]), float(p[i, j, 1]))
    rounded = (round(start[0], 12), round(start[1], 12))  # -2.4 rather than -2.4000000000000004
    if np.isfinite(s.f(rounded)) and np.isfinite(s.grad(rounded)).all() and np.isfinite(s.hessian(rounded)).all():
        start = rounded
    i, j = np.unravel_index(np.argmin(np.where(finite_f, f, np.inf)), f.shape)
    found = _newton(s, p[i, j], f[i, j])
    return start, (() if found is None else (found,))


def _newton(s: ExpressionSurface, p: np.ndarray, f_grid: float) -> Point | None:
    """The lowest grid point refined by Newton's method, or ``None`` where that is not a minimum."""
    (x0, x1), (y0, y1) = s.domain
    x, y = np.float64(p[0]), np.float64(p[1])
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_STEPS):
            gx, gy = s.gxy(x, y)
            hxx, hxy, hyy = (np.float64(v) for v in s.hxy(x, y))
            det = hxx * hyy - hxy * hxy
            if not (np.isfinite(det) and det > 0 and hxx > 0):
                return None
            dx, dy = (hyy * gx - hxy * gy) / det, (hxx * gy - hxy * gx) / det
            x, y = x - dx, y - dy
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return None
            if abs(dx) + abs(dy) <= 1e-13 * (1.0 + abs(x) + abs(y)):
                break
        else:
            return None
        value = s.fxy(x, y)
        if not (np.isfinite(value) and value <= f_grid + 1e-12 * (1.0 + abs(f_grid))):
            return None
    return float(x), float(y)
