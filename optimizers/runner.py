"""The trajectory runner: a Python loop over steps, vectorized over start points.

Every rule in ``optimizers`` is elementwise, so the two coordinates are integrated as two independent
parameters ``x`` and ``y``, each with its own optimizer state. For many starts they are arrays of
shape ``(N,)``; for a few, each start runs alone on ``np.float64`` scalars, which is five times faster
than NumPy on tiny arrays and gives bit-identical numbers (the same ufunc loops run either way).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

import numpy as np

from .base import Optimizer

MAX_STEPS = 20_000
MAX_STARTS = 250_000
MAX_POINTS = 20_000_000  # steps x starts: bounds the memory of xy and loss (~480 MB at the limit)
_SCALAR_BELOW = 4  # fewer starts than this run one by one on scalars
_CHUNK = 16_384  # points per block when the loss is evaluated over a whole trajectory


class Trajectory(NamedTuple):
    xy: np.ndarray  # (steps + 1, N, 2) positions, start included
    loss: np.ndarray  # (steps + 1, N)
    lr: np.ndarray  # (steps,) the learning rate of each update
    diverged: np.ndarray  # (N,) bool
    diverged_at: np.ndarray  # (N,) index of the first non-finite point, -1 where none


def lr_table(schedule, steps: int) -> np.ndarray:
    """The learning rate of each of ``steps`` updates: ``schedule`` is a number (constant) or a
    function ``step -> lr`` that accepts an integer array."""
    if isinstance(schedule, Real) and not isinstance(schedule, bool):
        lrs = np.full(steps, float(schedule))
    elif callable(schedule):
        lrs = np.broadcast_to(np.asarray(schedule(np.arange(steps)), dtype=float), (steps,)).copy()
    else:
        raise ValueError(f"schedule must be a learning rate or a function step -> lr, not {schedule!r}")
    if not (np.isfinite(lrs).all() and (lrs >= 0).all()):
        raise ValueError("the learning rate must be finite and at least 0 at every step")
    return lrs


def check_starts(starts) -> np.ndarray:
    """``starts`` as a new float array of shape (N, 2), or a ValueError saying what is wrong."""
    try:
        arr = np.array(starts, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("starts must be numbers: one point (x, y) or a list of them") from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(f"starts must have shape (N, 2) or (2,), not {np.shape(starts)}")
    if arr.shape[0] > MAX_STARTS:
        raise ValueError(f"at most {MAX_STARTS} start points, not {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise ValueError("start points must be finite numbers")
    return arr


def check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 0 to {MAX_STEPS}, not {steps!r}")
    return int(steps)


def _coordinate_functions(surface):
    """``(x, y) -> f`` and ``(x, y) -> (gx, gy)`` for a Surface, or for any object with ``f`` and
    ``grad`` on (..., 2) points."""
    if hasattr(surface, "gxy") and hasattr(surface, "fxy"):
        return surface.fxy, surface.gxy

    def fxy(x, y):
        return surface.f(np.stack((x, y), axis=-1))

    def gxy(x, y):
        g = surface.grad(np.stack((x, y), axis=-1))
        return g[..., 0], g[..., 1]

    return fxy, gxy


def _integrate(opt: Optimizer, gxy, x, y, lrs, noise, xs, ys, batches=None):
    """Write the positions after each update into ``xs`` and ``ys``, of shape (steps,) for scalars
    or (steps, N) for arrays. Scalars stop at the first non-finite position (the rest is NaN);
    arrays run to the end."""
    scalar = np.ndim(x) == 0
    sx, sy = opt.init(x), opt.init(y)
    at = opt.grad_point
    update = opt.update
    rows = []
    for t, lr in enumerate(lrs.tolist()):
        args = (at(sx, x), at(sy, y)) if at else (x, y)
        gx, gy = gxy(*args) if batches is None else gxy(*args, batches[t])
        if noise is not None:
            gx = gx + noise[t, 0]
            gy = gy + noise[t, 1]
        x, sx = update(gx, sx, x, lr)
        y, sy = update(gy, sy, y, lr)
        if scalar:
            rows.append((x, y))
            if not (math.isfinite(x) and math.isfinite(y)):
                break
        else:
            xs[t] = x
            ys[t] = y
    if scalar:
        xs[:], ys[:] = np.nan, np.nan
        if rows:
            xs[: len(rows)], ys[: len(rows)] = zip(*rows, strict=True)


def _freeze_diverged(xs: np.ndarray, ys: np.ndarray, loss: np.ndarray):
    """Freeze every point at its last finite position from its first non-finite one on (at its start,
    whose loss then stays non-finite, where the loss overflows there already)."""
    bad = ~(np.isfinite(xs) & np.isfinite(ys) & np.isfinite(loss))
    diverged = bad.any(0)
    first = np.where(diverged, bad.argmax(0), -1)
    for i in np.flatnonzero(diverged):
        k = first[i]
        for a in (xs, ys, loss):
            a[k:, i] = a[k - 1, i]  # k >= 1: run refuses starts whose loss is not finite
    return diverged, first


def run(optimizer: Optimizer, surface, starts, steps: int, schedule, *, noise: float = 0.0,
        seed: int = 0) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from every start point for ``steps`` updates.

    ``schedule`` gives the learning rate of each update (a function ``step -> lr``, or a constant).
    ``noise`` adds seeded Gaussian noise of that standard deviation to every gradient component, the
    same for a given ``seed`` however the starts are batched. On a stochastic surface (one with
    ``stochastic = True``, ``minibatches(steps, seed)`` and ``batch_gxy(x, y, batch)``) every update
    takes the gradient on a seeded minibatch: the same seed gives the same path. A point whose position or loss stops
    being finite is marked diverged and frozen at its last finite point; no NumPy warning escapes.
    """
    if not isinstance(optimizer, Optimizer):
        raise ValueError("optimizer must be built by a factory from OPTIMIZERS")
    starts = check_starts(starts)
    steps = check_steps(steps)
    n = starts.shape[0]
    if steps * n > MAX_POINTS:
        raise ValueError(f"steps x starts must stay below {MAX_POINTS:,}; asked for {steps * n:,}")
    if not (isinstance(noise, Real) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a number at least 0, not {noise!r}")
    lrs = lr_table(schedule, steps)
    fxy, gxy = _coordinate_functions(surface)
    with np.errstate(all="ignore"):
        start_loss = np.broadcast_to(np.asarray(fxy(starts[:, 0], starts[:, 1]), dtype=float), (n,))
    if not np.isfinite(start_loss).all():
        bad = starts[np.flatnonzero(~np.isfinite(start_loss))[0]]
        raise ValueError(f"the loss is not finite at the start ({bad[0]:.6g}, {bad[1]:.6g}); start where it is")
    batches = None
    if getattr(surface, "stochastic", False):
        gxy = surface.batch_gxy
        batches = surface.minibatches(steps, seed)
    draws = np.random.default_rng(seed).standard_normal((steps, 2, n)) * noise if noise else None
    xy = np.empty((steps + 1, n, 2))
    xs, ys = xy[..., 0], xy[..., 1]  # views: the loop writes straight into the result
    xy[0] = starts
    with np.errstate(all="ignore"):
        if n < _SCALAR_BELOW:
            for i in range(n):
                xi, yi = np.float64(starts[i, 0]), np.float64(starts[i, 1])
                _integrate(optimizer, gxy, xi, yi, lrs, None if draws is None else draws[:, :, i],
                           xs[1:, i], ys[1:, i], batches)
        elif steps:
            _integrate(optimizer, gxy, starts[:, 0].copy(), starts[:, 1].copy(), lrs, draws, xs[1:], ys[1:],
                       batches)
        loss = _loss(fxy, xs, ys)
        diverged, first = _freeze_diverged(xs, ys, loss)
    return Trajectory(xy, loss, lrs, diverged, first)


def _loss(fxy, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """``fxy`` over every position, a block of rows at a time: blocks that fit in the cache run
    several times faster than one pass over millions of points, whose temporaries do not."""
    loss = np.empty(xs.shape)
    rows = max(1, _CHUNK // max(xs.shape[1], 1))
    for i in range(0, xs.shape[0], rows):
        loss[i : i + rows] = fxy(xs[i : i + rows], ys[i : i + rows])
    return loss
