"""Write tests/optimizers/data/expected_schedules.json: the learning rates torch.optim.lr_scheduler sets,
step by step, for every schedule in SCHEDULES with default and other settings (the first 300 steps),
plus two windows late in a long cosine run.

    python tests/optimizers/make_expected_schedules.py

Needs torch. ``torch_rates`` is also the reference of the live tests (test_schedules_torch.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "data" / "expected_schedules.json"
STEPS = 300

# (key, settings): each key once with its defaults, then settings that reach the corners of torch's code
CASES = [
    ("constant", {}),
    ("constant", {"lr": 0.3}),
    ("step", {}),
    ("step", {"lr": 0.05, "step_size": 7, "gamma": 0.5}),
    ("multistep", {}),
    ("multistep", {"lr": 0.1, "milestones": [150, 0, 40, 40, 90], "gamma": 0.3}),
    ("linear", {}),
    ("linear", {"lr": 0.2, "start_factor": 1.0, "end_factor": 0.0, "total_iters": 250}),
    ("linear", {"lr": 0.07, "start_factor": 0.05, "end_factor": 0.7, "total_iters": 37}),
    ("exponential", {}),
    ("exponential", {"lr": 0.5, "gamma": 0.97}),
    ("cosine", {}),
    ("cosine", {"lr": 0.1, "T_max": 40, "eta_min": 0.001}),
    ("cosine", {"lr": 0.03, "T_max": 1}),
    ("cosine_restarts", {}),
    ("cosine_restarts", {"lr": 0.1, "T_0": 10, "T_mult": 2, "eta_min": 0.002}),
    ("cosine_restarts", {"lr": 0.02, "T_0": 7, "T_mult": 3}),
    ("polynomial", {}),
    ("polynomial", {"lr": 0.1, "total_iters": 120, "power": 2.5}),
    ("polynomial", {"lr": 0.04, "total_iters": 250, "power": 0.5}),
    ("cyclic", {}),
    ("cyclic", {"base_lr": 0.002, "max_lr": 0.05, "step_size_up": 20, "step_size_down": 35, "mode": "triangular2"}),
    ("cyclic", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 15, "mode": "exp_range", "gamma": 0.995}),
    ("cyclic", {"base_lr": 0.05, "max_lr": 0.001, "step_size_up": 13, "step_size_down": 0}),
    ("onecycle", {}),
    ("onecycle", {"max_lr": 0.1, "anneal_strategy": "linear", "three_phase": True}),
    ("onecycle", {"max_lr": 0.2, "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0,
                  "three_phase": True}),
    ("onecycle", {"max_lr": 0.05, "pct_start": 0.0, "anneal_strategy": "linear"}),
]

# (key, settings, first, count): rates of steps first .. first + count - 1 only, where torch's cosine
# recursion has drifted from its closed form by more than 1e-12 relative
TAILS = [
    ("cosine", {"lr": 0.01, "T_max": 7}, 4700, 100),
    ("cosine", {"lr": 0.01, "T_max": 40, "eta_min": 0.001}, 4600, 100),
]


def torch_rates(key: str, settings: dict, steps: int) -> list[float]:
    """The rate of each of ``steps`` updates under torch's scheduler for ``SCHEDULES[key]`` with
    ``settings``: read the optimizer's lr, ``optimizer.step()``, then ``scheduler.step()`` before the
    next update (not after the last: OneCycleLR with an empty last phase, as pct_start=1, divides by
    zero there, after its cycle has ended)."""
    import torch

    from optimizers import SCHEDULES

    spec = SCHEDULES[key]
    kwargs = spec.validate(settings)
    lr = kwargs.pop("lr", 0.123)  # CyclicLR and OneCycleLR overwrite the optimizer's rate
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
    cls = getattr(torch.optim.lr_scheduler, spec.torch_class.rsplit(".", 1)[1])
    optimizer = torch.optim.SGD([torch.zeros(1, dtype=torch.float64, requires_grad=True)], lr=lr)
    scheduler = cls(optimizer, **kwargs, **spec.torch_extra)
    rates = []
    for i in range(steps):
        if i:
            scheduler.step()
        rates.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
    return rates


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import torch

    cases = [{"key": key, "settings": settings, "first": 0, "lrs": torch_rates(key, settings, STEPS)}
             for key, settings in CASES]
    cases += [{"key": key, "settings": settings, "first": first,
               "lrs": torch_rates(key, settings, first + count)[first:]}
              for key, settings, first, count in TAILS]
    OUT.parent.mkdir(exist_ok=True)
    doc = {"torch": torch.__version__, "steps": STEPS, "cases": cases}
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
