"""Changing the rate during training, on a network: the lecture's remedies side by side.

"Starting from a value, scale it by 1/10 at appropriate timing, or an automatic schedule, e.g.
ε_t = ε₀ − αt; cyclical control (Smith)". Each schedule of ``schedule_set`` is one of the project's
SCHEDULES (the rates torch.optim.lr_scheduler sets, bit for bit), and ``compare_schedules`` trains
the same network from the same initialization with the same minibatch order under each, recording the
minibatch loss and the rate of every update and the training and test losses after every epoch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from networks import TrainResult
from networks.problem import NetworkProblem
from optimizers import SCHEDULES

from .lr_grid import MAX_STEPS, SMITH_DIVISORS
from .lr_range import MAX_LR, _number, _whole, check_optimizer

LABELS = {
    "constant": "constant",
    "multistep": "×1/10 at chosen epochs",
    "polynomial": "linear decay ε₀ − αt",
    "cosine": "cosine",
    "cyclic": "cyclical (triangular)",
    "onecycle": "one cycle",
}


class ScheduleRow(NamedTuple):
    """The final figures of one schedule's run, for a table."""

    label: str
    final_lr: float  # the rate of the last update
    train_loss: float  # on the whole training split after training
    test_loss: float
    test_accuracy: float
    diverged_at: int | None


def schedule_set(lr: float, max_lr: float, steps: int, steps_per_epoch: int, milestones=(0.5, 0.75),
                 divisor: float = 4.0) -> dict[str, object]:
    """The six schedules, keyed as LABELS, for a run of ``steps`` updates.

    constant ε₀ = ``lr``; multistep ×0.1 at the epochs nearest to the fractions ``milestones`` of the
    run (the common ½ and ¾); polynomial with power 1 reaching 0 at the last step, the lecture's
    ε₀ − αt with α = ε₀ / steps; cosine with T_max = steps; cyclic triangular between ``max_lr`` /
    ``divisor`` and ``max_lr`` (Smith's bounds, see ``cyclic_bounds``), two cycles over the run; one
    cycle from ``max_lr`` / ``divisor`` to ``max_lr`` and down, over the run (torch's pct_start 0.3).
    """
    lr = _number(lr, "lr", 0.0, MAX_LR)
    max_lr = _number(max_lr, "max_lr", 0.0, MAX_LR)
    steps = _whole(steps, "steps", 8, MAX_STEPS)
    steps_per_epoch = _whole(steps_per_epoch, "steps_per_epoch", 1, steps)
    if isinstance(divisor, bool) or not isinstance(divisor, (int, float)) or not (
            SMITH_DIVISORS[0] <= divisor <= SMITH_DIVISORS[1]):
        raise ValueError(f"divisor must be a number from {SMITH_DIVISORS[0]:g} to {SMITH_DIVISORS[1]:g}")
    fractions = tuple(milestones)
    if not fractions or not all(isinstance(f, (int, float)) and 0 < f < 1 for f in fractions):
        raise ValueError(f"milestones must be fractions of the run between 0 and 1, not {milestones!r}")
    epochs = steps / steps_per_epoch
    at = tuple(sorted({max(1, round(f * epochs)) * steps_per_epoch for f in fractions}))
    return {
        "constant": SCHEDULES["constant"].factory(lr=lr),
        "multistep": SCHEDULES["multistep"].factory(lr=lr, milestones=at, gamma=0.1),
        "polynomial": SCHEDULES["polynomial"].factory(lr=lr, total_iters=steps, power=1.0),
        "cosine": SCHEDULES["cosine"].factory(lr=lr, T_max=steps),
        "cyclic": SCHEDULES["cyclic"].factory(base_lr=max_lr / divisor, max_lr=max_lr,
                                              step_size_up=max(1, steps // 4)),
        "onecycle": SCHEDULES["onecycle"].factory(max_lr=max_lr, total_steps=steps, div_factor=float(divisor)),
    }


def compare_schedules(problem: NetworkProblem, schedules: dict[str, object], steps: int, optimizer: str = "sgd",
                      seed: int = 0, progress=None, **settings) -> dict[str, TrainResult]:
    """Train ``problem`` for ``steps`` updates under each schedule (a function step -> lr), all from the
    initialization and minibatch order of ``seed``; the training and test losses are taken after
    every epoch and at the end. ``progress(done, total)`` is called after each schedule."""
    if not isinstance(problem, NetworkProblem):
        raise ValueError("schedules are compared on a networks.NetworkProblem")
    opt = check_optimizer(optimizer, settings)
    steps = _whole(steps, "steps", 1, MAX_STEPS)
    seed = _whole(seed, "seed", 0, 2**32 - 1)
    problem.check_work(len(schedules) * steps, f"training under {len(schedules)} schedules")
    marks = sorted({*range(0, steps + 1, problem.steps_per_epoch), steps})
    out = {}
    for i, (key, schedule) in enumerate(schedules.items()):
        out[key] = problem.fit(schedule, steps, optimizer=opt, seed=seed, eval_at=marks)
        if progress is not None:
            progress(i + 1, len(schedules))
    return out


def schedule_table(results: dict[str, TrainResult]) -> list[ScheduleRow]:
    """The final figures of each run, in the order of ``results``."""
    return [ScheduleRow(LABELS.get(key, key), float(r.lr[-1]), r.final_loss, r.test_loss, r.test_accuracy,
                        None if r.diverged_at < 0 else r.diverged_at)
            for key, r in results.items()]


def epochs_axis(result: TrainResult, problem: NetworkProblem) -> np.ndarray:
    """The epoch (a float) of each point of ``result``'s training and test curves."""
    return result.eval_steps / problem.steps_per_epoch
