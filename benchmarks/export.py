"""Export speed and size, printed (not asserted): python benchmarks/export.py

1. The animations: three runs of 300 steps on Beale (SGD, Momentum, Adam) as GIF and MP4, from the
   scene to the bytes (computation, drawing, encoding). Budget: 15 s each (101 pictures, 960 x 600).
2. Every format of the same scene: time and size. The PNG is 1600 x 1000 by default.
3. The torch script of that scene, run under torch where it is installed: its time and the largest
   difference from the app's CSV, relative to the scale of each path.
Animation times are the median of three runs; the others of five, after a warm-up.
"""

from __future__ import annotations

import csv
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import times_of

import scenes as sc
from exports.formats import FORMATS, export_bytes

BUDGET = 15.0
QUERY = {"surface": "beale", "optimizers": "sgd(lr=0.001),momentum(lr=0.001),adam(lr=0.03)", "steps": "300"}


def timed(fn, repeat: int):
    times, out = times_of(fn, repeat)
    return statistics.median(times), out


def size(n: int) -> str:
    return f"{n / 1e6:7.2f} MB" if n >= 1e6 else f"{n / 1e3:7.1f} kB"


def torch_parity(scene) -> tuple[float, float] | None:
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scene.py"
        path.write_bytes(export_bytes(scene, ".py"))
        t = time.perf_counter()
        out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True).stdout
        seconds = time.perf_counter() - t
    want = list(csv.DictReader(io.StringIO(export_bytes(scene, ".csv").decode())))
    got = list(csv.DictReader(io.StringIO(out)))
    worst = 0.0
    for label in dict.fromkeys(r["label"] for r in want):
        a = np.array([[float(r["x"]), float(r["y"])] for r in want if r["label"] == label])
        b = np.array([[float(r["x"]), float(r["y"])] for r in got if r["label"] == label])
        worst = max(worst, float(np.abs(a - b).max() / np.abs(a).max()))
    return seconds, worst


def main() -> None:
    scene, warnings = sc.from_query(QUERY)
    assert not warnings, warnings
    print("Three runs of 300 steps on Beale (SGD, Momentum, Adam), from the scene to the file:")
    for suffix in (".gif", ".mp4"):
        seconds, data = timed(lambda s=suffix: export_bytes(scene, s), repeat=3)
        verdict = "within" if seconds <= BUDGET else "OVER"
        print(f"  {suffix:5s} {seconds:6.2f} s  ({verdict} the {BUDGET:.0f} s budget)  {size(len(data))}")
    print("Every format of the same scene (computation included):")
    for suffix in FORMATS:
        repeat = 3 if suffix in (".gif", ".mp4") else 5
        seconds, data = timed(lambda s=suffix: export_bytes(scene, s), repeat=repeat)
        print(f"  {suffix:5s} {seconds * 1e3:8.0f} ms  {size(len(data))}")
    parity = torch_parity(scene)
    if parity is None:
        print("torch is not installed: the .py script was not run")
    else:
        seconds, worst = parity
        print(f"The .py script under torch: {seconds:.1f} s (mostly importing torch); largest difference from the "
              f"app's CSV: {worst:.1e} of the path's scale")


if __name__ == "__main__":
    main()
