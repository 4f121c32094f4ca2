"""Write data/expected_training.json: torch's minibatch losses, rates and test loss when it trains the
cases of net_training_cases.py (an MLP on the digits, torch.optim.SGD and a torch scheduler, float64).
Run from the repository root with torch installed:

    python tests/networks/make_expected_training.py

test_net_schedule_literal.py checks that networks.train reproduces them, without torch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import torch  # noqa: E402
from net_training_cases import CASES, STEPS  # noqa: E402
from net_training_torch import torch_training  # noqa: E402

OUT = HERE / "data" / "expected_training.json"


def main() -> None:
    cases = {}
    for case_id in CASES:
        losses, rates, _, test = torch_training(case_id)
        cases[case_id] = {"loss": losses.tolist(), "lr": rates.tolist(), "test_loss": test}
    OUT.write_text(json.dumps({"torch": torch.__version__, "steps": STEPS, "cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases, torch {torch.__version__})")


if __name__ == "__main__":
    main()
