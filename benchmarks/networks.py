"""Network engine speed, printed (not asserted): python benchmarks/networks.py

1. Forward plus backward (``loss_and_grads``) for 50 hidden layers of width 256 on a batch of 256,
   for every activation, with batch normalization off and on. Budget: at most 150 ms.
2. The vanishing-gradient page's default training run (``networks.DEFAULTS``: spirals, 20 hidden
   layers of 64, batch 128, 300 steps of SGD with momentum 0.9), for both stacks, sigmoid with
   Xavier and ReLU with He, batch normalization off and on. Budget: at most 3 s for both stacks.
3. The same run against torch, where torch is installed: the same network, float64, one thread,
   zero_grad / backward / step, for scale only.
Each figure is the median of several repetitions after a warm-up. The machine's load changes the
figures a lot (two cores shared with other work can make them several times slower): the load
average is printed first.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time, times_of

from networks import ACTIVATIONS, DEFAULTS, init_batchnorm, init_mlp, loss_and_grads, make_data, train

FB_DEPTH, FB_WIDTH, FB_BATCH, FB_BUDGET = 50, 256, 256, 0.150
TRAIN_BUDGET = 3.0


def _ms(times: list[float]) -> str:
    m = statistics.median(times)
    return f"{m * 1e3:6.1f} ms (min {min(times) * 1e3:5.1f}){'' if m <= FB_BUDGET else ' over':<5}"


def forward_backward() -> None:
    print(f"forward + backward, {FB_DEPTH} hidden layers of {FB_WIDTH}, batch {FB_BATCH} "
          f"(budget {FB_BUDGET * 1e3:.0f} ms; median of 7, and the fastest)")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((FB_BATCH, 2)), rng.integers(0, 2, FB_BATCH)
    sizes = [2, *[FB_WIDTH] * FB_DEPTH, 2]
    for act in ACTIVATIONS:
        params, bn = init_mlp(sizes, act, "xavier"), init_batchnorm(sizes)
        plain, _ = times_of(lambda p=params, a=act: loss_and_grads(p, x, y, a))
        normed, _ = times_of(lambda p=params, a=act, b=bn: loss_and_grads(p, x, y, a, batchnorm=b))
        print(f"  {act:<11} {_ms(plain)}   with batch norm {_ms(normed)}")


def default_run() -> None:
    x, y = make_data(DEFAULTS["data"], n=DEFAULTS["n"], seed=DEFAULTS["seed"])
    kw = {k: v for k, v in DEFAULTS.items() if k not in ("data", "n")}
    print(f"default training run {kw} (budget {TRAIN_BUDGET:.0f} s for both stacks; median of 3)")
    for bn in (False, True):
        times, finals = [], []
        for act, init in (("sigmoid", "xavier"), ("relu", "he")):
            r = train(x, y, activation=act, init=init, batchnorm=bn, **kw)
            times.append(median_time(lambda a=act, i=init, b=bn: train(x, y, activation=a, init=i, batchnorm=b, **kw),
                                     repeat=3))
            finals.append(f"{act} loss {r.loss[:10].mean():.3f} -> {r.loss[-20:].mean():.3f}")
        total = sum(times)
        print(f"  batch norm {'on ' if bn else 'off'}: sigmoid {times[0]:.2f} s + relu {times[1]:.2f} s = {total:.2f} s"
              f"{'' if total <= TRAIN_BUDGET else '  over budget'}   ({'; '.join(finals)})")


def torch_run() -> None:
    try:
        import torch
    except ImportError:
        print("torch not installed: no comparison")
        return
    torch.set_num_threads(1)
    x, y = make_data(DEFAULTS["data"], n=DEFAULTS["n"], seed=DEFAULTS["seed"])
    depth, width, batch, steps = DEFAULTS["depth"], DEFAULTS["width"], DEFAULTS["batch_size"], DEFAULTS["steps"]
    xt, yt = torch.tensor(x), torch.tensor(y)
    batches = np.random.default_rng(0).integers(0, len(y), (steps, batch))

    def run(act):
        layers = []
        for i, o in zip([2, *[width] * depth], [*[width] * depth, 2], strict=True):
            layers += [torch.nn.Linear(i, o, dtype=torch.float64), act()]
        model = torch.nn.Sequential(*layers[:-1])
        opt = torch.optim.SGD(model.parameters(), lr=DEFAULTS["lr"], momentum=0.9)
        for idx in batches:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()

    t = median_time(lambda: (run(torch.nn.Sigmoid), run(torch.nn.ReLU)), repeat=3)
    print(f"torch {torch.__version__}, the same two stacks, one thread: {t:.2f} s for both")


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; numpy {np.__version__}")
    forward_backward()
    default_run()
    torch_run()
