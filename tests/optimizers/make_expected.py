"""Write data/expected_paths.json and data/expected_states.json: literal paths of every optimizer's
torch class (torch.optim's, or the lecture form's from ``optimizers/lecture_torch.py``), 100 steps in
float64, with default and non-default hyperparameters (the ``literal`` column of ``optim_cases.CASES``),
and torch's ``optimizer.state[p]`` after every one of those steps.

Gradients are the surfaces' formulas written again in torch (see optim_torch.py). Every case must be
well-conditioned (a perturbation of the start is not magnified chaotically). Run from the repository
root with torch installed:

    python tests/optimizers/make_expected.py

test_parity_literal.py checks that the NumPy optimizers reproduce every path, and test_states.py every
state, without torch. A new optimizer needs literal cases in its row of CASES (the literal test fails
until it has them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from optim_cases import KEYS, LITERAL, LITERAL_STARTS, amplification, relative_error, surface  # noqa: E402
from optim_torch import torch_run  # noqa: E402

from optimizers import OPTIMIZERS, run  # noqa: E402

PATHS = HERE / "data" / "expected_paths.json"
STATES = HERE / "data" / "expected_states.json"
STEPS = 100
WELL_CONDITIONED = 1e4  # see test_parity_torch.py: chaotic paths cannot be matched to 1e-9


def main() -> None:
    missing = set(KEYS) - {key for key, *_ in LITERAL}
    if missing:
        raise SystemExit(f"no literal case for {sorted(missing)}: add them to the rows of CASES")
    cases, state_cases = [], []
    for key, kwargs, surf, lr in LITERAL:
        starts = LITERAL_STARTS[surf]
        runs = [torch_run(key, kwargs, surf, start, [lr] * STEPS) for start in starts]
        xy = np.stack([path for path, _ in runs], axis=1)
        if not np.isfinite(xy).all():
            raise SystemExit(f"{key} {kwargs} on {surf} left the finite numbers: choose a smaller rate")
        optimizer = OPTIMIZERS[key].factory(**kwargs)
        worst = max(amplification(optimizer, surf, start, STEPS, lr) for start in starts)
        if worst >= WELL_CONDITIONED:
            raise SystemExit(f"{key} {kwargs} on {surf}: chaotic path (amplification {worst:.0e})")
        ours = run(optimizer, surface(surf), np.array(starts), STEPS, lr)
        print(f"{key:16s} {surf:17s} {kwargs!s:70.70s} rel. error of the NumPy run {relative_error(ours.xy, xy):.1e}")
        case = {"key": key, "kwargs": kwargs, "surface": surf, "lr": lr, "starts": starts}
        cases.append({**case, "xy": xy.tolist()})
        names = list(runs[0][1])
        after = {name: np.stack([states[name][1:] for _, states in runs], axis=1).tolist() for name in names}
        before = {name: np.stack([states[name][0] for _, states in runs]).tolist() for name in names
                  if not np.isnan(runs[0][1][name][0]).any()}
        state_cases.append({**case, "states": after, "initial": before})
    meta = {"generator": "tests/optimizers/make_expected.py", "torch": torch.__version__,
            "default_dtype": str(torch.get_default_dtype()), "steps": STEPS}
    write(PATHS, {**meta, "layout": "xy[step][start] = [x, y], step 0 the start; float64", "cases": cases})
    write(STATES, {**meta, "layout": "states[name][step - 1][start] = [x, y], torch's optimizer.state[p][name] "
                   "after step 1 ... steps, scalars (step, mu_product) broadcast; initial[name][start]: what "
                   "torch holds before the first step, where it holds anything; float64", "cases": state_cases})


def write(path: Path, doc: dict) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB, {len(doc['cases'])} cases)")


if __name__ == "__main__":
    main()
