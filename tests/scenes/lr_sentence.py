"""Reading the page's nearest-suggestion sentence back into numbers, and checking them against a grid and
suggestions computed without the page's helpers (used by the scenes and the figure tests)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from scenes import lr_lab as L
from scenes.lr_range import KEYS

NUMBER = r"([0-9.e+-]+)"


def read_sentence(text: str) -> dict:
    """The numbers and names the nearest-suggestion sentence states."""
    m = re.match(rf"In the grid, \*\*{NUMBER}\*\* trains best \(loss {NUMBER} after (\d+) (\w+)\)\. Nearest to it: "
                 rf"\*\*(.+?)\*\* at {NUMBER}, (?:{NUMBER} decades (above|below) it|on it)", text)
    assert m, text
    best, loss, steps, _unit, names, near, decades, side = m.groups()
    out = {"best": float(best), "loss": float(loss), "steps": int(steps), "near_names": names.split(" and "),
           "near": float(near), "decades": 0.0 if decades is None else float(decades) * (1 if side == "above" else -1)}
    far = re.search(rf"farthest: \*\*(.+?)\*\* at {NUMBER}, {NUMBER} decades (above|below) it\.$", text)
    if far:
        out["far_names"], out["far"] = far.group(1).split(" and "), float(far.group(2))
        out["far_decades"] = float(far.group(3)) * (1 if far.group(4) == "above" else -1)
    return out


def check_sentence(text: str, grid, suggestions: dict):
    """The sentence against the grid and the suggestions, computed here without the page's helpers."""
    said = read_sentence(text)
    best = int(np.argmin(grid.final))
    assert said["best"] == float(f"{grid.lrs[best]:.3g}") and said["loss"] == float(f"{grid.final[best]:.3g}")
    distance = {k: abs(math.log10(v / grid.lrs[best])) for k, v in suggestions.items() if math.isfinite(v)}
    closest = min(distance.values())
    winners = [k for k in KEYS if k in distance and distance[k] == closest]
    assert said["near_names"] == [L.NAMES[k] for k in winners]
    assert said["near"] == float(f"{suggestions[winners[0]]:.3g}")
    assert said["decades"] == pytest.approx(math.log10(suggestions[winners[0]] / grid.lrs[best]), abs=0.005)
    farthest = max(distance.values())
    if farthest > closest:
        losers = [k for k in KEYS if k in distance and distance[k] == farthest]
        assert said["far_names"] == [L.NAMES[k] for k in losers]
        assert abs(said["far_decades"]) == pytest.approx(farthest, abs=0.005)
    return said
