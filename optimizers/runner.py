"""The trajectory runner: a Python loop over steps, vectorized over start points.

Every rule in ``optimizers`` is elementwise, so the two coordinates are integrated as two independent
parameters ``x`` and ``y``, each with its own optimizer state. For many starts they are arrays of
shape ``(N,)``; for a few, each start runs alone on ``np.float64`` scalars, which is five times faster
than NumPy on tiny arrays and gives bit-identical numbers (the same ufunc loops run either way).

With ``states=True`` the runner also keeps the optimizer's state after every update, under the names
torch.optim gives it in ``optimizer.state[p]``, and the gradient each update was given. With
``keep="final"`` it keeps only the start and the end of every path, integrating in blocks of steps so
that memory stays O(N) however many steps run.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from .base import Optimizer

MAX_STEPS = 20_000
MAX_STARTS = 250_000
MAX_POINTS = 20_000_000  # steps x starts x (1 + state fields with states=True): bounds the memory (~480 MB)
MAX_FINAL_POINTS = 100_000_000  # steps x starts with keep="final": memory is O(N), this bounds the time (~5 s)
KEEP = ("all", "final")
_ROUNDING = 8 * np.finfo(float).eps  # a schedule's rate this far below 0, relative to its largest, is rounding
_SCALAR_BELOW = 4  # fewer starts than this run one by one on scalars
_CHUNK = 16_384  # points per block when the loss is evaluated over a whole trajectory
_BLOCK = 1 << 17  # with keep="final", positions kept per block of steps (steps per block x starts)


class Trajectory(NamedTuple):
    """A run's paths. With ``keep="final"`` the step axis of ``xy``, ``loss`` and ``states`` holds two
    rows, the start and the end, and that of ``grads`` one, the last update's.

    ``states`` (with ``states=True``, else None): the optimizer's state after every update, one
    (steps + 1, N, 2) array per field torch.optim keeps in ``optimizer.state[p]`` under these
    settings, with torch's name (``momentum_buffer``, ``sum``, ``square_avg``, ``grad_avg``,
    ``acc_delta``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``, ``exp_inf``, ``mu_product``,
    ``step``; the lecture's forms: ``velocity``, ``square_avg``); scalars (``step``, NAdam's
    ``mu_product``) are broadcast. Row t is the state after update t. torch has no state before its
    first step (but Adagrad's), so row 0 is the state ``init`` gives: zeros, Adagrad's ``sum`` at
    ``initial_accumulator_value``, NAdam's ``mu_product`` at 1, ``step`` at 0.
    ``grads`` (with ``states=True``): (steps, N, 2), the gradient update t + 1 was given (noise and
    minibatch included, weight decay not), at the point the optimizer asked for (the lecture's
    Nesterov: its look-ahead point).

    A diverged point is frozen from its first non-finite position k on: ``xy``, ``loss`` and
    ``states`` rows from k repeat row k - 1, and ``grads`` from row k - 1 on (the updates not taken)
    are NaN.
    """

    xy: np.ndarray  # (steps + 1, N, 2) positions, start included
    loss: np.ndarray  # (steps + 1, N)
    lr: np.ndarray  # (steps,) the learning rate of each update
    diverged: np.ndarray  # (N,) bool
    diverged_at: np.ndarray  # (N,) index of the first non-finite point, -1 where none
    states: dict[str, np.ndarray] | None = None  # torch's name -> (steps + 1, N, 2), with states=True
    grads: np.ndarray | None = None  # (steps, N, 2), with states=True


@runtime_checkable
class StochasticSurface(Protocol):
    """What the runner expects of a surface whose gradient is taken on minibatches (the noisy moons):
    ``minibatches(steps, seed)`` gives one batch per update, the same for the same seed, and
    ``batch_gxy(x, y, batch)`` the gradient ``(gx, gy)`` on one of them. ``isinstance(surface,
    StochasticSurface)`` says whether a surface is one."""

    def minibatches(self, steps: int, seed: int) -> np.ndarray: ...

    def batch_gxy(self, x, y, batch) -> tuple: ...


def lr_table(schedule, steps: int) -> np.ndarray:
    """The learning rate of each of ``steps`` updates: ``schedule`` is a number (constant) or a
    function ``step -> lr`` that accepts an integer array.

    A rate below 0 is refused, except a rounding residue of a rate decayed to 0: torch's chained
    LinearLR, as ours, ends at -7.4e-24 rather than 0 from 1e-7 (start_factor 0.01, end_factor 0,
    6 steps), and torch steps with it; so does the runner, for rates above -_ROUNDING times the largest."""
    if isinstance(schedule, Real) and not isinstance(schedule, bool):
        lrs = np.full(steps, float(schedule))
    elif callable(schedule):
        lrs = np.broadcast_to(np.asarray(schedule(np.arange(steps)), dtype=float), (steps,)).copy()
    else:
        raise ValueError(f"schedule must be a learning rate or a function step -> lr, not {schedule!r}")
    if not (np.isfinite(lrs).all() and (lrs >= -_ROUNDING * np.abs(lrs).max(initial=0.0)).all()):
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


def _per_point(rows: int, n: int) -> np.ndarray:
    """An empty (rows, n, 2) array laid out as (rows, 2, n), so that the loop writes each coordinate of
    a row contiguously: a strided write of thousands of values costs several times more."""
    return np.empty((rows, 2, n)).transpose(0, 2, 1)


class _Record:
    """Where the loop writes the state after each update and the gradient it was given, for a run of
    ``n`` starts over ``rows`` updates: ``states[name]`` of shape (rows, n, 2), or (rows,) for a field
    that is one number for every start and coordinate (the step count, NAdam's product), and
    ``grads`` of shape (rows, n, 2)."""

    def __init__(self, fields: tuple[int, ...], states: list[np.ndarray], grads: np.ndarray):
        self.fields, self.states, self.grads = fields, states, grads

    def arrays(self, t: int, sx, sy, gx, gy) -> None:
        for i, out in zip(self.fields, self.states, strict=True):
            if out.ndim == 1:
                out[t] = sx[i]
            else:
                out[t, :, 0] = sx[i]
                out[t, :, 1] = sy[i]
        self.grads[t, :, 0] = gx
        self.grads[t, :, 1] = gy

    def scalars(self, start: int, seen: list) -> None:
        """The steps ``seen`` of the start ``start`` run alone: (sx, sy, gx, gy) after each update."""
        rows = len(seen)
        for i, out in zip(self.fields, self.states, strict=True):
            out[:, start] = np.nan
            if rows:
                out[:rows, start] = [(sx[i], sy[i]) for sx, sy, _, _ in seen]
        self.grads[:, start] = np.nan
        if rows:
            self.grads[:rows, start] = [(gx, gy) for _, _, gx, gy in seen]


def _integrate(opt: Optimizer, gxy, x, y, sx, sy, lrs, noise, xs, ys, batches=None, record=None):
    """Write the positions after each update into ``xs`` and ``ys``, of shape (steps,) for scalars
    or (steps, N) for arrays, from the point (x, y) and the states (sx, sy), and return where the
    integration ends ``(x, y, sx, sy)``. Scalars stop at the first non-finite position (the rest is
    NaN); arrays run to the end. ``record`` (a ``_Record``) receives the states and gradients."""
    scalar = np.ndim(x) == 0
    at = opt.grad_point
    update = opt.update
    rows = []
    seen = [] if record is not None and scalar else None
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
            if seen is not None:
                seen.append((sx, sy, gx, gy))
            if not (math.isfinite(x) and math.isfinite(y)):
                break
        else:
            xs[t] = x
            ys[t] = y
            if record is not None:
                record.arrays(t, sx, sy, gx, gy)
    if scalar:
        xs[:], ys[:] = np.nan, np.nan
        if rows:
            xs[: len(rows)], ys[: len(rows)] = zip(*rows, strict=True)
    return x, y, sx, sy, seen


def _freeze_diverged(xs: np.ndarray, ys: np.ndarray, loss: np.ndarray):
    """Freeze every point at its last finite position from its first non-finite one on (at its start,
    whose loss then stays non-finite, where the loss overflows there already)."""
    bad = ~(np.isfinite(xs) & np.isfinite(ys) & np.isfinite(loss))
    diverged = bad.any(0)
    first = np.where(diverged, bad.argmax(0), -1)
    _freeze((xs, ys, loss), first)
    return diverged, first


def _freeze(arrays, first: np.ndarray, grads=None) -> None:
    """Rows from ``first[i]`` on of start i repeat the row before (k >= 1: run refuses starts whose
    loss is not finite); the gradients of the updates not taken become NaN."""
    for i in np.flatnonzero(first >= 0):
        k = first[i]
        for a in arrays:
            a[k:, i] = a[k - 1, i]
        if grads is not None:
            grads[k - 1:, i] = np.nan


def _per_start(shared: np.ndarray, n: int, writable: bool) -> np.ndarray:
    """A field kept as one number per row, as (rows, n, 2): a read-only view, or a copy to freeze."""
    view = np.broadcast_to(shared[:, None, None], (len(shared), n, 2))
    return view.copy() if writable else view


def _check_run(optimizer, starts, steps, noise, keep, states):
    if not isinstance(optimizer, Optimizer):
        raise ValueError("optimizer must be built by a factory from OPTIMIZERS")
    starts = check_starts(starts)
    steps = check_steps(steps)
    if keep not in KEEP:
        raise ValueError(f"keep must be one of {', '.join(map(repr, KEEP))}, not {keep!r}")
    if states not in (True, False):
        raise ValueError(f"states must be True or False, not {states!r}")
    n = starts.shape[0]
    if keep == "final" and steps * n > MAX_FINAL_POINTS:
        raise ValueError(f"steps x starts must stay below {MAX_FINAL_POINTS:,} with keep='final'; "
                         f"asked for {steps * n:,}")
    per_point = 1 + len(optimizer.state_names) if states else 1
    if keep == "all" and steps * n * per_point > MAX_POINTS:
        limit = f"{MAX_POINTS // per_point:,}" + (f" when {per_point - 1} state fields are kept" if states else "")
        raise ValueError(f"steps x starts must stay below {limit}; asked for {steps * n:,} "
                         "(keep='final' keeps only the ends, for more)")
    if not (isinstance(noise, Real) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a number at least 0, not {noise!r}")
    return starts, steps


def run(optimizer: Optimizer, surface, starts, steps: int, schedule, *, noise: float = 0.0,
        seed: int = 0, states: bool = False, keep: str = "all") -> Trajectory:
    """Run ``optimizer`` on ``surface`` from every start point for ``steps`` updates.

    ``schedule`` gives the learning rate of each update (a function ``step -> lr``, or a constant).
    ``noise`` adds seeded Gaussian noise of that standard deviation to every gradient component, the
    same for a given ``seed`` however the starts are batched. On a ``StochasticSurface`` (one with
    ``minibatches(steps, seed)`` and ``batch_gxy(x, y, batch)``) every update takes the gradient on a
    seeded minibatch: the same seed gives the same path. A point whose position or loss stops
    being finite is marked diverged and frozen at its last finite point; no NumPy warning escapes.

    ``states=True`` keeps the optimizer's state after every update and the gradients
    (``Trajectory.states``, ``Trajectory.grads``). ``keep="final"`` keeps the start and the last
    step only: ``xy`` (2, N, 2), ``loss`` (2, N), ``states`` (2, N, 2) each, ``grads`` (1, N, 2),
    with memory O(N), for maps of many thousands of starts; the numbers equal those rows of a full run.
    """
    starts, steps = _check_run(optimizer, starts, steps, noise, keep, states)
    n = starts.shape[0]
    lrs = lr_table(schedule, steps)
    fxy, gxy = _coordinate_functions(surface)
    with np.errstate(all="ignore"):
        start_loss = np.broadcast_to(np.asarray(fxy(starts[:, 0], starts[:, 1]), dtype=float), (n,))
    if not np.isfinite(start_loss).all():
        bad = starts[np.flatnonzero(~np.isfinite(start_loss))[0]]
        raise ValueError(f"the loss is not finite at the start ({bad[0]:.6g}, {bad[1]:.6g}); start where it is")
    batches = None
    if isinstance(surface, StochasticSurface):
        gxy = surface.batch_gxy
        batches = surface.minibatches(steps, seed)
    rng = np.random.default_rng(seed) if noise else None
    with np.errstate(all="ignore"):
        if keep == "final" and n >= _SCALAR_BELOW:
            return _run_final(optimizer, fxy, gxy, starts, start_loss, lrs, (rng, noise), batches, states)
        draws = rng.standard_normal((steps, 2, n)) * noise if noise else None
        traj = _run_all(optimizer, fxy, gxy, starts, lrs, draws, batches, states)
    if keep == "final":
        return _ends(traj)
    return traj


def _initial_states(optimizer: Optimizer, x, y) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """The indices of the state fields torch keeps and their values before the first update, (N, 2)."""
    sx, sy = optimizer.init(x), optimizer.init(y)
    fields = tuple(type(sx)._fields.index(name) for name in optimizer.state_names)
    shape = np.shape(x)
    return fields, [np.stack((np.broadcast_to(sx[i], shape), np.broadcast_to(sy[i], shape)), -1).astype(float)
                    for i in fields]


def _run_all(optimizer, fxy, gxy, starts, lrs, draws, batches, states) -> Trajectory:
    steps, n = len(lrs), starts.shape[0]
    xy = np.empty((steps + 1, n, 2))
    xs, ys = xy[..., 0], xy[..., 1]  # views: the loop writes straight into the result
    xy[0] = starts
    record = kept = None
    if states:
        fields, initial = _initial_states(optimizer, starts[:, 0], starts[:, 1])
        shared = [n >= _SCALAR_BELOW and not isinstance(optimizer.init(starts[:, 0])[i], np.ndarray) for i in fields]
        kept = [np.empty(steps + 1) if one else _per_point(steps + 1, n) for one in shared]
        for out, row in zip(kept, initial, strict=True):
            out[0] = row[0, 0] if out.ndim == 1 else row
        grads = _per_point(steps, n)
        record = _Record(fields, [out[1:] for out in kept], grads)
    if n < _SCALAR_BELOW:
        for i in range(n):
            xi, yi = np.float64(starts[i, 0]), np.float64(starts[i, 1])
            *_, seen = _integrate(optimizer, gxy, xi, yi, optimizer.init(xi), optimizer.init(yi), lrs,
                                  None if draws is None else draws[:, :, i], xs[1:, i], ys[1:, i], batches, record)
            if record is not None:
                record.scalars(i, seen)
    elif steps:
        x, y = starts[:, 0].copy(), starts[:, 1].copy()
        _integrate(optimizer, gxy, x, y, optimizer.init(x), optimizer.init(y), lrs, draws, xs[1:], ys[1:],
                   batches, record)
    loss = _loss(fxy, xs, ys)
    diverged, first = _freeze_diverged(xs, ys, loss)
    named = None
    if kept is not None:
        kept = [_per_start(out, n, diverged.any()) if out.ndim == 1 else out for out in kept]
        _freeze(kept, first, record.grads)
        named = dict(zip(optimizer.state_names, kept, strict=True))
    return Trajectory(xy, loss, lrs, diverged, first, named, record.grads if record else None)


def _ends(traj: Trajectory) -> Trajectory:
    """The start and the last row of a full run (the last update's gradient)."""
    ends = [0, -1]
    return traj._replace(xy=traj.xy[ends], loss=traj.loss[ends],
                         states=None if traj.states is None else {k: v[ends] for k, v in traj.states.items()},
                         grads=None if traj.grads is None else _last_grad(traj.grads, traj.xy.shape[1]))


def _last_grad(grads: np.ndarray, n: int) -> np.ndarray:
    return grads[-1:].copy() if len(grads) else np.full((1, n, 2), np.nan)


def _run_final(optimizer, fxy, gxy, starts, start_loss, lrs, noise, batches, states) -> Trajectory:
    """``keep="final"`` for arrays of starts: blocks of steps integrated in turn, each block's losses
    checked for divergence, and only each point's last finite row kept (with its state). ``noise`` is
    (generator, scale): each block draws its rows of the gradient noise in turn, the same numbers as
    one draw of all the steps."""
    rng, scale = noise
    steps, n = len(lrs), starts.shape[0]
    block = max(1, min(steps, _BLOCK // n))
    xs, ys = np.empty((block, n)), np.empty((block, n))
    x, y = starts[:, 0].copy(), starts[:, 1].copy()
    sx, sy = optimizer.init(x), optimizer.init(y)
    end = np.stack((x, y), -1), start_loss.copy()  # each point's last finite position and its loss
    record = None
    if states:
        fields, initial = _initial_states(optimizer, x, y)
        record = _Record(fields, [_per_point(block, n) for _ in fields], _per_point(block, n))
        end_states = [row.copy() for row in initial]
        end_grads = np.full((n, 2), np.nan)
    alive = np.ones(n, dtype=bool)
    first = np.full(n, -1)
    for t0 in range(0, steps, block):
        m = min(block, steps - t0)
        x, y, sx, sy, _ = _integrate(optimizer, gxy, x, y, sx, sy, lrs[t0:t0 + m],
                                     None if rng is None else rng.standard_normal((m, 2, n)) * scale, xs[:m], ys[:m],
                                     None if batches is None else batches[t0:t0 + m], record)
        loss = _loss(fxy, xs[:m], ys[:m])
        bad = ~(np.isfinite(xs[:m]) & np.isfinite(ys[:m]) & np.isfinite(loss))
        fails = alive & bad.any(0)
        k = bad.argmax(0)
        row = np.where(alive & ~fails, m - 1, k - 1)  # the last finite row in this block, -1 if none
        take = alive & (row >= 0)
        rows, cols = row[take], np.flatnonzero(take)
        end[0][take] = np.stack((xs[rows, cols], ys[rows, cols]), -1)
        end[1][take] = loss[rows, cols]
        if record is not None:
            for kept, out in zip(end_states, record.states, strict=True):
                kept[take] = out[rows, cols]
            end_grads[alive & ~fails] = record.grads[m - 1, alive & ~fails]
            end_grads[fails] = np.nan
        first[fails] = t0 + 1 + k[fails]
        alive &= ~fails
    xy = np.stack((starts, end[0]))
    named = grads = None
    if record is not None:
        named = {name: np.stack((start, last)) for name, start, last in
                 zip(optimizer.state_names, initial, end_states, strict=True)}
        grads = end_grads[None]
    return Trajectory(xy, np.stack((start_loss, end[1])), lrs, first >= 0, first, named, grads)


def _loss(fxy, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """``fxy`` over every position, a block of rows at a time: blocks that fit in the cache run
    several times faster than one pass over millions of points, whose temporaries do not."""
    loss = np.empty(xs.shape)
    rows = max(1, _CHUNK // max(xs.shape[1], 1))
    for i in range(0, xs.shape[0], rows):
        loss[i : i + rows] = fxy(xs[i : i + rows], ys[i : i + rows])
    return loss
