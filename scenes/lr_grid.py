"""Ground truth for the range test: the lecture's grid search, the run at one chosen rate, which suggestion
lands nearest the rate that trains best, and cyclical bounds read off the test.

The lecture: "Grid search: try many values systematically on the first few epochs". Here every rate of a
log-spaced row trains the same problem from the same start (on a network: the same initialization
and minibatch order) for ``steps`` updates at a constant rate, and two numbers are kept: the loss
after the first ``early_steps`` and after all ``steps``. On a surface the loss is f at the point; on
a network it is the loss on the whole training split (and the test split beside it). A run that
diverges scores ``inf``. The rate that trains best is the one with the lowest loss after all steps.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from networks.problem import NetworkProblem
from optimizers import run

from .lr_range import (
    KEYS,
    MAX_LR,
    RangeTest,
    _number,
    _whole,
    check_optimizer,
    check_problem,
    range_rates,
)

MAX_RATES = 40
MAX_STEPS = 2000
SMITH_DIVISORS = (3.0, 4.0)  # Smith: base_lr 1/3 or 1/4 of max_lr


class RateRun(NamedTuple):
    """One constant-rate run of a problem."""

    lr: float
    eval_steps: np.ndarray  # (k,) update counts at which the losses below were taken
    train_loss: np.ndarray  # (k,) f on a surface, the training split's loss on a network; inf once diverged
    test_loss: np.ndarray | None  # (k,) the test split's loss on a network; None on a surface
    path: np.ndarray | None  # (steps + 1, 2) on a surface, frozen where it diverged; None on a network
    minibatch_loss: np.ndarray | None  # (steps,) on a network: the loss of each minibatch before its update
    diverged_at: int | None  # the update count at which the run stopped being finite, or None


class GridSearch(NamedTuple):
    lrs: np.ndarray  # (m,) the rates, log-spaced
    steps: int
    early_steps: int
    early: np.ndarray  # (m,) loss after early_steps updates (inf: diverged)
    final: np.ndarray  # (m,) loss after all steps
    test_final: np.ndarray | None  # (m,) on a network: the test split's loss after all steps
    best: int  # index of the lowest final loss (the first, if tied)

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best])


class Verdict(NamedTuple):
    """How one suggestion fares against the grid."""

    key: str
    lr: float  # the suggested rate (NaN: the rule had too few points)
    decades: float  # log10(lr / best grid rate): negative below it
    final: float  # the loss after the grid's steps when trained at lr itself
    test_final: float  # likewise on the test split (NaN on a surface)


def _check_steps(steps, early_steps) -> tuple[int, int]:
    steps = _whole(steps, "steps", 1, MAX_STEPS)
    early_steps = max(1, steps // 5) if early_steps is None else _whole(early_steps, "early_steps", 1, steps)
    return steps, early_steps


def train_rate(problem, lr: float, optimizer: str = "sgd", start=None, steps: int = 100, eval_at=None,
               seed: int = 0, **settings) -> RateRun:
    """``problem`` trained for ``steps`` updates at the constant rate ``lr`` (0 < lr <= MAX_LR).

    On a surface the path and f along it (at every count, ``eval_at`` ignored); on a network the
    minibatch losses and the training and test losses after each count of ``eval_at`` (default: every
    epoch and the end). ``seed`` as in ``lr_range_test``.
    """
    problem = check_problem(problem)
    opt = check_optimizer(optimizer, settings)
    lr = _number(lr, "lr", 0.0, MAX_LR)
    steps = _whole(steps, "steps", 1, MAX_STEPS)
    seed = _whole(seed, "seed", 0, 2**32 - 1)
    if isinstance(problem, NetworkProblem):
        if start is not None:
            raise ValueError("start is a point (x, y) on a surface; a network starts from its seeded initialization")
        problem.check_work(steps, "a run")
        if eval_at is None:
            eval_at = sorted({*range(0, steps + 1, problem.steps_per_epoch), steps})
        r = problem.fit(lr, steps, optimizer=opt, seed=seed, eval_at=eval_at)
        diverged = None if r.diverged_at < 0 else r.diverged_at
        return RateRun(lr, r.eval_steps, _inf_where_nan(r.train_curve), _inf_where_nan(r.test_curve), None,
                       r.loss, diverged)
    traj = run(opt, problem, problem.start if start is None else start, steps, lr, seed=seed)
    loss = traj.loss[:, 0].copy()
    diverged = int(traj.diverged_at[0]) if traj.diverged[0] else None
    if diverged is not None:
        loss[diverged:] = np.inf
    return RateRun(lr, np.arange(steps + 1), loss, None, traj.xy[:, 0], None, diverged)


def _inf_where_nan(a: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a), np.inf, a)


def _at(r: RateRun, count: int, test: bool = False) -> float:
    values = r.test_loss if test else r.train_loss
    return float(values[int(np.searchsorted(r.eval_steps, count))])


def grid_search(problem, lrs, optimizer: str = "sgd", start=None, steps: int = 100, early_steps: int | None = None,
                seed: int = 0, progress=None, **settings) -> GridSearch:
    """Train ``problem`` at each rate of ``lrs`` (1 to MAX_RATES rates, each in (0, MAX_LR]) for ``steps``
    updates and keep the loss after ``early_steps`` (default steps // 5) and after ``steps``.
    ``progress(done, total)`` is called after each rate. ``grid_rates`` makes the lecture's log-spaced row."""
    lrs = np.asarray(lrs, dtype=float).ravel()
    if not 1 <= lrs.size <= MAX_RATES:
        raise ValueError(f"a grid search takes 1 to {MAX_RATES} rates, not {lrs.size}")
    for lr in lrs.tolist():
        _number(lr, "every rate of the grid", 0.0, MAX_LR)
    steps, early_steps = _check_steps(steps, early_steps)
    problem = check_problem(problem)
    if isinstance(problem, NetworkProblem):
        problem.check_work(lrs.size * steps, f"a grid search of {lrs.size} rates")
    early, final, test_final = (np.empty(lrs.size) for _ in range(3))
    for i, lr in enumerate(lrs.tolist()):
        r = train_rate(problem, lr, optimizer, start, steps, (early_steps, steps), seed, **settings)
        early[i], final[i] = _at(r, early_steps), _at(r, steps)
        test_final[i] = np.nan if r.test_loss is None else _at(r, steps, test=True)
        if progress is not None:
            progress(i + 1, lrs.size)
    network = isinstance(problem, NetworkProblem)
    return GridSearch(lrs, steps, early_steps, early, final, test_final if network else None, int(np.argmin(final)))


def grid_rates(low: float = 1e-4, high: float = 10.0, count: int = 20) -> np.ndarray:
    """``count`` log-spaced rates from ``low`` to ``high``, both included (the range test's rule)."""
    high = _number(high, "high", 0.0, MAX_LR)
    low = _number(low, "low", 0.0, high)
    count = _whole(count, "count", 2, MAX_RATES)
    if low == high:
        raise ValueError(f"low must lie below high ({high:g})")
    return range_rates(low, high, count)


def judge(suggestions: dict[str, float], grid: GridSearch, trained: GridSearch | None = None) -> list[Verdict]:
    """One Verdict per suggestion, in KEYS order: how many decades it lies from the grid's best rate
    and, from ``trained`` (``grid_search`` run on the suggested rates themselves, in the same order,
    NaNs left out), the loss it reaches."""
    finals = {}
    if trained is not None:
        for lr, final, test in zip(trained.lrs.tolist(), trained.final.tolist(),
                                   (trained.test_final if trained.test_final is not None
                                    else np.full(trained.lrs.size, np.nan)).tolist(), strict=True):
            finals[lr] = (final, test)
    out = []
    for key in KEYS:
        lr = suggestions[key]
        decades = math.log10(lr / grid.best_lr) if math.isfinite(lr) else math.nan
        final, test = finals.get(lr, (math.nan, math.nan))
        out.append(Verdict(key, lr, decades, final, test))
    return out


def suggested_rates(suggestions: dict[str, float]) -> np.ndarray:
    """The distinct finite suggested rates, to train with ``grid_search`` for ``judge``."""
    return np.array(sorted({v for v in suggestions.values() if math.isfinite(v) and 0 < v <= MAX_LR}))


def nearest(verdicts: list[Verdict]) -> Verdict | None:
    """The suggestion closest to the grid's best rate in decades (the first in KEYS order, if tied)."""
    found = [v for v in verdicts if math.isfinite(v.decades)]
    return min(found, key=lambda v: abs(v.decades)) if found else None


BOUND_RULES = ("minimum", "steep")


def cyclic_bounds(test: RangeTest, divisor: float = 4.0, rule: str = "minimum") -> dict[str, dict[str, float]]:
    """Bounds for SCHEDULES["cyclic"] and ["onecycle"] from a range test, after Smith.

    Smith (Cyclical learning rates, arXiv:1506.01186, sec. 3.3): the optimum rate is usually within a
    factor of two of the largest one that converges, so set the lower bound to 1/3 or 1/4 of the upper
    one. The upper bound ``max_lr``:

    - ``rule="minimum"`` (default): the rate at the minimum of the smoothed loss (the first, if tied;
      finite points only), the largest rate at which the loss was still falling, past which it turns
      up: Smith's "largest one that converges" as the curve shows it. The smoothed curve lags the raw
      loss by about 1/(1 - β) iterations, so on a fast blow-up (momentum) this rate may already be too
      high; the grid search beside the test shows whether it is.
    - ``rule="steep"``: the rate where the loss falls fastest, fastai's ``steep`` suggestion.

    ``divisor`` is 3 or 4 (anything between is accepted). OneCycle's ``div_factor`` is the same divisor,
    so its cycle starts at the same lower bound. NaN bounds where the rule finds no rate.
    """
    if isinstance(divisor, bool) or not isinstance(divisor, (int, float)) or not (
            SMITH_DIVISORS[0] <= divisor <= SMITH_DIVISORS[1]):
        raise ValueError(f"divisor must be a number from {SMITH_DIVISORS[0]:g} to {SMITH_DIVISORS[1]:g} (Smith: base "
                         f"a third to a quarter of the max), not {divisor!r}")
    if rule not in BOUND_RULES:
        raise ValueError(f"rule must be one of {', '.join(BOUND_RULES)}, not {rule!r}")
    if rule == "steep":
        top = test.suggestions()["fastai_steep"]
    else:
        finite = np.flatnonzero(np.isfinite(test.smoothed))
        top = float(test.lrs[finite[np.argmin(test.smoothed[finite])]]) if finite.size else math.nan
    divisor = float(divisor)
    return {"cyclic": {"base_lr": top / divisor, "max_lr": top}, "onecycle": {"max_lr": top, "div_factor": divisor}}
