"""Engine speed, printed (not asserted): python benchmarks/engine.py

1. The nine optimizers of the lecture (SGD through Nadam), 1000 steps each from one start on Beale:
   our runner against torch.optim doing the same trajectories (autograd on the same function,
   zero_grad / backward / step), measured in the same run. Budget: 30x faster (aim 60x).
2. A 100 x 100 grid of starts, 500 steps of Adam on Beale. Budget: at most 80 ns per start per step
   (aim 30).
3. Recording the optimizer's states (``run(..., states=True)``) against the plain run, for Adam and
   RMSProp, on 1 start x 1000 steps and on the 100 x 100 grid x 500 steps. Budget: at most 2x.
Each figure is the median of several repetitions after a warm-up; the ratios are medians of
interleaved pairs (plain, recorded), so that a load that comes and goes hits both alike. Beside them,
the ratio of the fastest recorded run to the fastest plain one (the least disturbed of each: what a
quiet machine gives) and the share of system time (page faults of the recorded arrays, reclaim under
memory pressure), which tell a loaded machine from a real cost.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time

from optimizers import OPTIMIZERS, run
from surfaces import SURFACES

LECTURE = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamax", "nadam")
STEPS = 1000
LR = {"sgd": 1e-3, "momentum": 1e-3, "nag": 1e-3, "adagrad": 0.1, "rmsprop": 1e-3, "adadelta": 1.0,
      "adam": 1e-2, "adamax": 1e-2, "nadam": 1e-2}


def ours_nine() -> None:
    beale = SURFACES["beale"]
    for key in LECTURE:
        run(OPTIMIZERS[key].factory(), beale, beale.start, STEPS, LR[key])


def torch_nine(torch) -> None:
    import importlib

    for key in LECTURE:
        spec = OPTIMIZERS[key]
        module, name = spec.torch_class.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), name)
        kwargs = {**spec.defaults(), **spec.torch_extra}
        if key == "nag":
            kwargs["nesterov"] = True
        p = torch.tensor(SURFACES["beale"].start, dtype=torch.float64, requires_grad=True)
        opt = cls([p], lr=LR[key], **kwargs)
        for _ in range(STEPS):
            opt.zero_grad()
            x, y = p[0], p[1]
            loss = (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
            loss.backward()
            opt.step()


def grid_starts() -> np.ndarray:
    (x0, x1), (y0, y1) = SURFACES["beale"].domain
    return np.stack(np.meshgrid(np.linspace(x0, x1, 100), np.linspace(y0, y1, 100)), -1).reshape(-1, 2)


def grid() -> float:
    starts = grid_starts()
    return median_time(lambda: run(OPTIMIZERS["adam"].factory(), SURFACES["beale"], starts, 500, 0.01), repeat=5)


def states_ratio(key: str, starts, steps: int, repeat: int) -> tuple[float, ...]:
    """Median seconds of the plain run; the median ratios recorded / plain of wall-clock and of CPU
    time (user + system: what the run costs, whatever else the machine is doing) over interleaved
    pairs; the ratio of the fastest CPU times; and the system share of the recorded runs' and of the
    plain runs' CPU time."""
    beale, opt = SURFACES["beale"], OPTIMIZERS[key].factory()
    pairs = []
    for _ in range(repeat + 1):  # the first pair warms up
        pair = []
        for recorded in (False, True):
            wall, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
            run(opt, beale, starts, steps, 1e-3, states=recorded)
            now = resource.getrusage(resource.RUSAGE_SELF)
            system = now.ru_stime - cpu.ru_stime
            pair.append((time.perf_counter() - wall, now.ru_utime - cpu.ru_utime + system, system))
        pairs.append(pair)
    pairs = pairs[1:]
    return (statistics.median(p[0] for p, _ in pairs), statistics.median(r[0] / p[0] for p, r in pairs),
            statistics.median(r[1] / p[1] for p, r in pairs), min(r[1] for _, r in pairs) / min(p[1] for p, _ in pairs),
            sum(r[2] for _, r in pairs) / sum(r[1] for _, r in pairs),
            sum(p[2] for p, _ in pairs) / sum(p[1] for p, _ in pairs))


def main() -> None:
    ours = median_time(ours_nine)
    print(f"nine lecture optimizers x {STEPS} steps on Beale, one start: {ours * 1e3:.1f} ms "
          f"({ours / (9 * STEPS) * 1e6:.2f} us per step)")
    try:
        import torch
    except ImportError:
        print("torch is not installed: no comparison (pip install torch==2.13.0)")
    else:
        torch.set_num_threads(1)
        theirs = median_time(lambda: torch_nine(torch), repeat=3)
        print(f"torch.optim, same trajectories: {theirs * 1e3:.1f} ms -> ours is {theirs / ours:.0f}x faster "
              f"(budget 30x, aim 60x)")
    g = grid()
    print(f"Adam on Beale, 100 x 100 starts x 500 steps: {g * 1e3:.0f} ms = {g / (10_000 * 500) * 1e9:.1f} ns "
          f"per start per step (budget 80, aim 30)")
    for key in ("adam", "rmsprop"):
        for label, starts, steps, repeat in (("1 start x 1000 steps", SURFACES["beale"].start, 1000, 15),
                                             ("100 x 100 starts x 500 steps", grid_starts(), 500, 5)):
            plain, ratio, cpu, fastest, system, plain_system = states_ratio(key, starts, steps, repeat)
            print(f"states=True, {key}, {label}: plain {plain * 1e3:.1f} ms, recording the states costs "
                  f"{ratio:.2f}x (CPU time {cpu:.2f}x, fastest runs {fastest:.2f}x, system time {system:.0%} of "
                  f"the recorded runs', {plain_system:.0%} of the plain; budget 2x)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
