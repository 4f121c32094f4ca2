"""The table under the figure, on small cases whose every number is known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import Trajectory
from scenes import readable, summary_rows
from surfaces import SURFACES

BOOTH = SURFACES["booth"]  # f = (x + 2y - 7)² + (2x + y - 5)², minimum 0 at (1, 3)


def _trajectory(points, diverged_at: int = -1) -> Trajectory:
    xy = np.asarray(points, dtype=float)[:, None, :]
    loss = BOOTH.f(xy)
    return Trajectory(xy, loss, np.full(len(points) - 1, 0.1), np.array([diverged_at >= 0]), np.array([diverged_at]))


def test_a_zigzag_has_the_length_of_its_legs_not_the_distance_between_its_ends():
    # five legs of 3-4-5 triangles, each 5 long, from (1, 3) to (16, 7): 15.52 apart in a straight line
    legs = [(1.0, 3.0), (4.0, 7.0), (7.0, 3.0), (10.0, 7.0), (13.0, 3.0), (16.0, 7.0)]
    row = summary_rows(BOOTH, {"zigzag": _trajectory(legs)})[0]
    assert row["path length"] == pytest.approx(25.0, rel=1e-12)  # the straight line would be 15.52
    assert row["final loss"] == pytest.approx((16 + 14 - 7) ** 2 + (32 + 7 - 5) ** 2, rel=1e-12)
    assert row["distance to nearest minimum"] == pytest.approx(np.hypot(15.0, 4.0), rel=1e-12)
    assert row["steps to f − f* ≤ 0.001"] == 0  # it starts at the minimum
    assert row["diverged at step"] is None


def test_steps_to_reach_the_threshold_is_the_first_step_at_or_below_it():
    # losses along the line towards (1, 3): f = 5 d² for a point d from the minimum along (1, 0)
    points = [(1.0 + d, 3.0) for d in (1.0, 0.1, 0.02, 0.014, 0.01, 0.0)]
    rows = summary_rows(BOOTH, {"run": _trajectory(points)}, threshold=1e-3)
    # f at d = 0.014 is 5 * 0.014² = 9.8e-4 <= 1e-3, at d = 0.02 it is 2e-3 > 1e-3
    assert rows[0]["steps to f − f* ≤ 0.001"] == 3
    assert summary_rows(BOOTH, {"run": _trajectory(points[:3])}, threshold=1e-3)[0]["steps to f − f* ≤ 0.001"] is None


def test_a_diverged_run_says_when_and_a_surface_without_minima_shows_dashes():
    row = summary_rows(BOOTH, {"run": _trajectory([(0.0, 0.0), (3.0, 4.0), (3.0, 4.0)], diverged_at=2)})[0]
    assert row["diverged at step"] == 2 and row["path length"] == pytest.approx(5.0)
    formula = SURFACES["monkey_saddle"]
    assert not formula.minima
    t = Trajectory(np.array([[[0.5, 0.0]], [[0.4, 0.0]]]), formula.f(np.array([[[0.5, 0.0]], [[0.4, 0.0]]])),
                   np.array([0.1]), np.array([False]), np.array([-1]))
    shown = readable(summary_rows(formula, {"run": t}))[0]
    assert shown["distance to nearest minimum"] == "—" and shown["steps to f − f* ≤ 0.001"] == "—"
    assert shown["path length"] == "0.1" and shown["final loss"] == f"{0.4 ** 3:.4g}"
