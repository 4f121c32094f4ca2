"""Learning-rate lab speed, printed (not asserted): python benchmarks/lr_range.py

1. A 100-iteration range test (1e-7 to 10, SGD) on every surface with a minimum. Budget: 50 ms each.
2. The same on the default network (``NetworkProblem()``: digits, one hidden layer of 64 tanh units,
   minibatches of 32), plain SGD and SGD with momentum 0.9. Budget: 1 s (aim 0.3 s).
3. The grid search on the default network: 20 log-spaced rates x the first 100 minibatches.
   Budget: 3 s (aim 1 s).
4. For scale: the six schedules side by side on the default network for 10 epochs, and suggest_lr on
   a 1000-point curve.
Then, for the record, which suggestion lands nearest the grid's best rate on each problem.

Figures are medians of several repeats after a warm-up (the first network call also imports
scikit-learn for the digits). The machine's load changes them a lot: the load average is printed.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time, times_of

from networks.problem import NetworkProblem
from scenes.lr_grid import grid_rates, grid_search, judge, nearest, suggested_rates
from scenes.lr_range import lr_range_test, suggest_lr
from scenes.lr_schedules import compare_schedules, schedule_set
from surfaces import SURFACES

SURFACE_BUDGET, NETWORK_BUDGET, GRID_BUDGET = 0.050, 1.0, 3.0


def _verdict(t: float, budget: float) -> str:
    return "" if t <= budget else "  OVER BUDGET"


def surfaces() -> None:
    print(f"range test, 100 iterations, SGD, on each surface (budget {SURFACE_BUDGET * 1e3:.0f} ms; median of 7)")
    worst = 0.0
    for key, s in SURFACES.items():
        if not s.minima:
            continue
        t = median_time(lambda k=key: lr_range_test(k))
        worst = max(worst, t)
        print(f"  {key:<16} {t * 1e3:6.2f} ms{_verdict(t, SURFACE_BUDGET)}")
    print(f"  worst {worst * 1e3:.2f} ms{_verdict(worst, SURFACE_BUDGET)}")


def network() -> None:
    p = NetworkProblem()
    print(f"range test, 100 iterations, on the default network {p} (budget {NETWORK_BUDGET:.0f} s; median of 7)")
    for label, settings in (("SGD", {}), ("SGD, momentum 0.9", {"momentum": 0.9})):
        times, _ = times_of(lambda s=settings: lr_range_test(p, **s))
        m = statistics.median(times)
        print(f"  {label:<18} {m * 1e3:7.1f} ms (fastest {min(times) * 1e3:.1f}){_verdict(m, NETWORK_BUDGET)}")
    lrs = grid_rates(1e-5, 10.0, 20)
    print(f"grid search, 20 rates x 100 minibatches on the default network (budget {GRID_BUDGET:.0f} s; median of 3)")
    for label, settings in (("SGD", {}), ("SGD, momentum 0.9", {"momentum": 0.9})):
        times, _ = times_of(lambda s=settings: grid_search(p, lrs, steps=100, **s), repeat=3)
        m = statistics.median(times)
        print(f"  {label:<18} {m:7.2f} s (fastest {min(times):.2f}){_verdict(m, GRID_BUDGET)}")
    steps = 10 * p.steps_per_epoch
    schedules = schedule_set(0.25, 1.0, steps, p.steps_per_epoch)
    t = median_time(lambda: compare_schedules(p, schedules, steps), repeat=3)
    print(f"six schedules x {steps} minibatches (10 epochs) on the default network: {t:.2f} s (median of 3)")
    rng = np.random.default_rng(0)
    curve = np.cumsum(rng.standard_normal(1000)) * 0.01 + 2.0
    t = median_time(lambda: suggest_lr(10.0 ** np.linspace(-7, 1, 1000), curve))
    print(f"suggest_lr on a 1000-point curve: {t * 1e3:.1f} ms")


def nearest_suggestions() -> None:
    print("which suggestion lands nearest the best grid rate (range test 1e-5..10, 100 iterations; grid 20 rates "
          "x 100 steps on the same axis; 'loss' is the loss after 100 steps at the suggested rate)")
    problems = [(k, {}) for k in ("beale", "quadratic", "rosenbrock", "booth", "himmelblau", "noisy_moons")]
    problems += [(NetworkProblem(), {}), (NetworkProblem(), {"momentum": 0.9})]
    for problem, settings in problems:
        name = problem if isinstance(problem, str) else "network" + (" + momentum" if settings else "")
        test = lr_range_test(problem, start_lr=1e-5, end_lr=10.0, num_iter=100, **settings)
        grid = grid_search(problem, grid_rates(1e-5, 10.0, 20), steps=100, **settings)
        sugg = test.suggestions()
        verdicts = judge(sugg, grid, grid_search(problem, suggested_rates(sugg), steps=100, **settings))
        near = nearest(verdicts)
        lowest = min((v for v in verdicts if np.isfinite(v.final)), key=lambda v: v.final)
        print(f"  {name:<20} best grid rate {grid.best_lr:8.3g} (loss {grid.final[grid.best]:.3g}); nearest "
              f"{near.key} {near.lr:.3g} ({near.decades:+.2f} decades); lowest loss at a suggestion: "
              f"{lowest.key} ({lowest.final:.3g})")
        print("      " + "  ".join(f"{v.key} {v.decades:+.2f}" for v in verdicts))


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; numpy {np.__version__}")
    surfaces()
    network()
    nearest_suggestions()
