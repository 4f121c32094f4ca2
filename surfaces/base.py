"""The Surface type: a 2-D loss with analytic first and second derivatives.

A surface is written once as three functions of the coordinates ``(x, y)``:

- ``fxy(x, y) -> f``
- ``gxy(x, y) -> (df/dx, df/dy)``
- ``hxy(x, y) -> (d2f/dx2, d2f/dxdy, d2f/dy2)``

They use only arithmetic operators and NumPy ufuncs, so the same code runs on arrays of any shape
and on ``np.float64`` scalars. The trajectory runner uses the scalar form for a single start point,
where NumPy's per-call overhead on tiny arrays would dominate, and the array form for many; both give
bit-identical results. The public methods ``f``, ``grad`` and ``hessian`` take points of shape
``(..., 2)`` as the design card fixes.

So that one function serves both: no in-place operations, no Python ``if`` or ``np.where`` on values,
no ``math`` module, and no ``**`` with a fractional exponent (``np.float64.__pow__`` rounds differently
from the array loop; write ``q * np.sqrt(q)``); ``x * x`` is faster than ``x**2``. Constant Hessian
entries may be plain floats (``hessian`` broadcasts them).

Metadata: ``minima`` lists every global minimum first, then any local minima worth marking;
``saddles`` the saddle points known in closed form or refined by Newton's method to double precision
(both may be partial where there are dozens, as on Rastrigin's grid). ``kinks`` are points where the
formula is smoothed or not twice differentiable at double precision; finite-difference checks keep
away from them. ``log_scale`` asks for a logarithmic colour scale where the values span decades.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .torch_form import is_module_function, torch_source

Point = tuple[float, float]
Domain = tuple[tuple[float, float], tuple[float, float]]


def constant_hessian(hxx: float, hxy: float, hyy: float) -> Callable:
    """``hxy`` for a quadratic surface, whose Hessian is the same everywhere (``hessian`` broadcasts it)."""

    def hessian_entries(x, y):
        return hxx, hxy, hyy

    return hessian_entries


@dataclass(frozen=True, eq=False)
class Surface:
    key: str
    title: str
    latex: str
    caption: str
    fxy: Callable = field(repr=False)
    gxy: Callable = field(repr=False)
    hxy: Callable = field(repr=False)
    domain: Domain
    minima: tuple[Point, ...]
    start: Point
    saddles: tuple[Point, ...] = ()
    log_scale: bool = False
    kinks: tuple[Point, ...] = ()

    def f(self, p) -> np.ndarray:
        """Loss at points ``p`` of shape ``(..., 2)``; returns shape ``(...)``."""
        p = np.asarray(p, dtype=float)
        return np.broadcast_to(self.fxy(p[..., 0], p[..., 1]), p.shape[:-1]).astype(float)

    def grad(self, p) -> np.ndarray:
        """Analytic gradient at ``p`` of shape ``(..., 2)``; returns shape ``(..., 2)``."""
        p = np.asarray(p, dtype=float)
        gx, gy = np.broadcast_arrays(*self.gxy(p[..., 0], p[..., 1]), p[..., 0])[:2]
        return np.stack((gx, gy), axis=-1).astype(float)

    def hessian(self, p) -> np.ndarray:
        """Analytic Hessian at ``p`` of shape ``(..., 2)``; returns shape ``(..., 2, 2)``."""
        p = np.asarray(p, dtype=float)
        hxx, hxy, hyy = np.broadcast_arrays(*self.hxy(p[..., 0], p[..., 1]), p[..., 0])[:3]
        return np.stack((np.stack((hxx, hxy), -1), np.stack((hxy, hyy), -1)), -2).astype(float)

    @property
    def torch_source(self) -> str | None:
        """Torch source defining ``loss_fn(x, y)`` and ``grad_fn(x, y)`` on float64 tensors: the text of
        ``fxy`` and ``gxy`` read as torch (``surfaces.torch_form``), so that the exported script and the
        parity tests run the formula the app runs. None where they are not module-level functions
        (a typed formula)."""
        if not (is_module_function(self.fxy) and is_module_function(self.gxy)):
            return None
        return torch_source({"loss_fn": self.fxy, "grad_fn": self.gxy})

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, Surface) and other.key == self.key and other.latex == self.latex
