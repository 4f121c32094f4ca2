"""The numbers under the figure: one row per run."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def steps_to_reach(values: np.ndarray, threshold: float) -> int | None:
    """The first step at which ``values`` is at or below ``threshold``, or None if never."""
    hit = np.flatnonzero(values <= threshold)
    return int(hit[0]) if hit.size else None


def summary_rows(surface, runs: Mapping, threshold: float = 1e-3) -> list[dict]:
    """Per run: final loss, distance from the last point to the nearest known minimum, the first step
    where f - f* falls to ``threshold`` (f* the global minimum; None where no minimum is known or it
    is never reached), the length of the path, and the step at which it diverged."""
    minima = np.array(surface.minima, dtype=float).reshape(-1, 2)
    f_star = float(surface.f(minima[0])) if len(minima) else None
    reach = f"steps to f − f* ≤ {threshold:g}"
    rows = []
    for label, traj in runs.items():
        xy, loss = traj.xy[:, 0], traj.loss[:, 0]
        end = xy[-1]
        rows.append({
            "run": label,
            "final loss": float(loss[-1]),
            "distance to nearest minimum": float(np.min(np.hypot(*(minima - end).T))) if len(minima) else None,
            reach: None if f_star is None else steps_to_reach(loss - f_star, threshold),
            "path length": float(np.sum(np.hypot(*np.diff(xy, axis=0).T))),
            "diverged at step": int(traj.diverged_at[0]) if traj.diverged[0] else None,
        })
    return rows


def readable(rows: list[dict]) -> list[dict]:
    """The rows as text for a table: four significant digits, a dash where there is no value."""
    def show(v):
        if v is None:
            return "—"
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)

    return [{k: show(v) for k, v in row.items()} for row in rows]
