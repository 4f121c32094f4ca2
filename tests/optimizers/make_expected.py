"""Write data/expected_paths.json: literal paths of torch.optim's optimizers, 100 steps in float64,
for every torch-backed entry of OPTIMIZERS, with default and non-default hyperparameters.

Gradients are the surfaces' formulas written again in torch (see optim_torch.py). Every case must be
well-conditioned (a perturbation of the start is not magnified chaotically). Run from the repository
root with torch installed:

    python tests/optimizers/make_expected.py

test_parity_literal.py checks that the NumPy optimizers reproduce every path, without torch. A new
torch-backed optimizer needs one row in CASES (the literal test fails until it has one).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from optim_cases import TORCH_KEYS, amplification, relative_error, surface  # noqa: E402
from optim_torch import torch_path  # noqa: E402

from optimizers import OPTIMIZERS, run  # noqa: E402

OUT = HERE / "data" / "expected_paths.json"
STEPS = 100
WELL_CONDITIONED = 1e4  # see test_parity_torch.py: chaotic paths cannot be matched to 1e-9
STARTS = {
    "beale": ((1.0, 1.5), (2.0, -0.5)),
    "rosenbrock": ((-1.5, 2.0), (0.5, -0.5)),
    "saddle": ((1.0, 1e-3), (-0.5, 0.3)),
    "tilted_quadratic": ((1.0, -2.0), (-1.5, 1.0)),
}

# (key, hyperparameters, surface, constant learning rate)
CASES = [
    ("sgd", {}, "beale", 2e-3),
    ("sgd", {"weight_decay": 0.1}, "rosenbrock", 2e-4),
    ("sgd", {"momentum": 0.8, "dampening": 0.3}, "tilted_quadratic", 0.02),
    ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, "saddle", 0.01),
    ("momentum", {}, "beale", 1e-3),
    ("momentum", {"dampening": 0.5, "weight_decay": 0.05}, "rosenbrock", 2e-4),
    ("nag", {}, "tilted_quadratic", 0.02),
    ("nag", {"momentum": 0.5, "weight_decay": 0.1}, "beale", 5e-3),
    ("adagrad", {}, "beale", 0.1),
    ("adagrad", {"lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.5, "eps": 1e-6},
     "rosenbrock", 0.3),
    ("rmsprop", {}, "beale", 0.01),
    ("rmsprop", {"momentum": 0.9, "weight_decay": 0.01}, "rosenbrock", 1e-3),
    ("rmsprop", {"centered": True, "alpha": 0.9, "eps": 1e-4}, "saddle", 0.01),
    ("rmsprop", {"centered": True, "momentum": 0.5, "alpha": 0.9}, "tilted_quadratic", 2e-3),
    ("adadelta", {}, "beale", 1.0),
    ("adadelta", {"rho": 0.5, "eps": 1e-3, "weight_decay": 0.1}, "rosenbrock", 0.5),
    ("adam", {}, "beale", 0.01),
    ("adam", {"betas": (0.3, 0.99), "eps": 1e-3, "weight_decay": 0.1}, "rosenbrock", 0.02),
    ("adamax", {}, "beale", 0.02),
    ("adamax", {"betas": (0.2, 0.5), "weight_decay": 0.05}, "tilted_quadratic", 0.02),
    ("nadam", {}, "beale", 0.02),
    ("nadam", {"momentum_decay": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, "rosenbrock", 0.01),
    ("nadam", {"betas": (0.4, 0.99), "weight_decay": 0.05}, "saddle", 0.01),
    ("amsgrad", {}, "rosenbrock", 0.01),
    ("amsgrad", {"betas": (0.8, 0.9), "weight_decay": 0.01}, "beale", 0.02),
    ("adamw", {}, "beale", 0.01),
    ("adamw", {"weight_decay": 0.5, "betas": (0.5, 0.99)}, "tilted_quadratic", 0.05),
    ("radam", {}, "beale", 0.01),
    ("radam", {"betas": (0.9, 0.8), "weight_decay": 0.1, "decoupled_weight_decay": True}, "tilted_quadratic", 0.02),
    ("radam", {"eps": 1e-4}, "rosenbrock", 1e-3),
    ("radam", {"weight_decay": 0.05}, "saddle", 0.02),
]


def main() -> None:
    missing = set(TORCH_KEYS) - {key for key, *_ in CASES}
    if missing:
        raise SystemExit(f"no case for {sorted(missing)}: add a row to CASES")
    cases = []
    for key, kwargs, surf, lr in CASES:
        starts = STARTS[surf]
        xy = np.stack([torch_path(key, kwargs, surf, start, [lr] * STEPS) for start in starts], axis=1)
        if not np.isfinite(xy).all():
            raise SystemExit(f"{key} {kwargs} on {surf} left the finite numbers: choose a smaller rate")
        optimizer = OPTIMIZERS[key].factory(**kwargs)
        worst = max(amplification(optimizer, surf, start, STEPS, lr) for start in starts)
        if worst >= WELL_CONDITIONED:
            raise SystemExit(f"{key} {kwargs} on {surf}: chaotic path (amplification {worst:.0e})")
        ours = run(optimizer, surface(surf), np.array(starts), STEPS, lr)
        print(f"{key:9s} {surf:17s} {kwargs!s:70.70s} rel. error of the NumPy run {relative_error(ours.xy, xy):.1e}")
        cases.append({"key": key, "kwargs": kwargs, "surface": surf, "lr": lr, "starts": starts,
                      "xy": xy.tolist()})
    doc = {"generator": "tests/optimizers/make_expected.py", "torch": torch.__version__,
           "default_dtype": str(torch.get_default_dtype()), "steps": STEPS,
           "layout": "xy[step][start] = [x, y], step 0 the start; float64", "cases": cases}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB, {len(cases)} cases)")


if __name__ == "__main__":
    main()
