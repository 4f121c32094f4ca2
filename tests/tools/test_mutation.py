"""The mutation runner's sampling: a seeded draw, and the score's 95% interval as an estimate of the whole."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[2] / "tools"))
import mutation  # tools/mutation.py


@pytest.mark.parametrize(("killed", "total"), [(90, 100), (1, 7), (200, 200), (0, 50), (173, 200)])
def test_the_interval_is_wilsons(killed, total):
    """Wilson's bounds are the shares p at which the sample's share is exactly z standard errors of p away:
    (k/n − p)² = z² p (1 − p) / n, checked here as a residual of that equation, not by the formula."""
    low, high = mutation.wilson(killed, total)
    share, z = killed / total, 1.96
    for p in (low, high):
        assert (share - p) ** 2 == pytest.approx(z * z * p * (1 - p) / total, abs=1e-12)
    assert low <= share <= high
    assert (low == 0.0) == (killed == 0) and (high == 1.0) == (killed == total)
    if 0 < killed < total:  # a normal approximation's half-width is the nearest wrong answer: not this one
        assert not math.isclose(high - low, 2 * z * math.sqrt(share * (1 - share) / total), rel_tol=1e-3)


def test_the_interval_narrows_with_the_sample():
    assert mutation.wilson(180, 200)[1] - mutation.wilson(180, 200)[0] < mutation.wilson(18, 20)[1] - \
        mutation.wilson(18, 20)[0]
    assert mutation.wilson(0, 0) == (0.0, 1.0)


def test_the_sample_is_seeded_and_without_repeats():
    names = [f"scenes.x_f__mutmut_{i}" for i in range(1000)]
    a, b = mutation.sample(names, 100, 3), mutation.sample(list(reversed(names)), 100, 3)
    assert len(set(a)) == 100 and set(a) <= set(names)
    assert mutation.sample(names, 100, 3) == a and mutation.sample(names, 100, 4) != a
    assert a == sorted(a) and len(b) == 100
    assert mutation.sample(names[:5], 100, 0) == sorted(names[:5])


def test_a_bad_sample_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        mutation.main(["scenes", "--sample", "0"])
    assert stop.value.code == 2 and "--sample must be at least 1" in capsys.readouterr().err
