"""Shared test set-up: the repository root on sys.path, so tests import the packages as the app does."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import settings  # noqa: E402

# The property tests count how many drawn examples got past validation and assert shares of them: with
# examples drawn afresh on every run (and replayed from a local database) those shares wander, so every
# run draws the same examples (derandomized, no database): a red run is a real failure, reproducible.
settings.register_profile("descent-lab", derandomize=True, database=None)
settings.load_profile("descent-lab")
