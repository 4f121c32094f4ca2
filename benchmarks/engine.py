"""Engine speed, printed (not asserted): python benchmarks/engine.py

1. The nine optimizers of the lecture (SGD through Nadam), 1000 steps each from one start on Beale:
   our runner against torch.optim doing the same trajectories (autograd on the same function,
   zero_grad / backward / step), measured in the same run. Budget: 30x faster (aim 60x).
2. A 100 x 100 grid of starts, 500 steps of Adam on Beale. Budget: at most 80 ns per start per step
   (aim 30).
3. Recording the optimizer's states (``run(..., states=True)``) against the plain run, for Adam and
   RMSProp, on 1 start x 1000 steps and on the 100 x 100 grid x 500 steps. Budget: at most 2x.
Each figure is the median of several repetitions after a warm-up; the ratios are medians of
interleaved pairs (plain, recorded), so that a load that comes and goes hits both alike.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time, times_of

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


def states_ratio(key: str, starts, steps: int, repeat: int) -> tuple[float, float]:
    """Median seconds of the plain run and the median ratio recorded / plain over interleaved pairs."""
    beale, opt = SURFACES["beale"], OPTIMIZERS[key].factory()
    pairs = [[times_of(lambda s=s: run(opt, beale, starts, steps, 1e-3, states=s), repeat=1)[0][0]
              for s in (False, True)] for _ in range(repeat)]
    return statistics.median(p for p, _ in pairs), statistics.median(r / p for p, r in pairs)


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
            plain, ratio = states_ratio(key, starts, steps, repeat)
            print(f"states=True, {key}, {label}: plain {plain * 1e3:.1f} ms, recording the states costs "
                  f"{ratio:.2f}x (budget 2x)")


if __name__ == "__main__":
    main()
