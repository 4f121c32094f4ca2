"""Figure size and speed, printed (not asserted): python benchmarks/figure.py

viz.trajectory_figure for nine runs of 1000 steps on Beale: the JSON the browser receives (the same
plotly.io.to_json Streamlit sends) must stay under 1.5 MB and build plus serialize within 300 ms
(aim 0.5 MB and 100 ms), with at least 60 frames and the last frame showing every run at its final
point. Medians of several repetitions after a warm-up.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import numpy as np
import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import times_of

import scenes as sc
from surfaces import SURFACES
from viz import trajectory_figure

RUNS = ("sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adagrad(lr=0.3),rmsprop(lr=0.01),adadelta(lr=1),"
        "adam(lr=0.03),adamax(lr=0.03),nadam(lr=0.03)")


def main() -> None:
    scene, warnings = sc.from_query({"surface": "beale", "optimizers": RUNS, "steps": "1000"})
    assert not warnings, warnings
    runs, _ = sc.compute(scene)
    surface = SURFACES["beale"]

    def build() -> str:
        return pio.to_json(trajectory_figure(surface, runs), validate=False)

    times, text = times_of(build, 9)
    fig = json.loads(text)
    last = fig["frames"][-1]
    heads = next(d for d in last["data"] if len(d.get("x", [])) == len(runs) or isinstance(d.get("x"), dict))
    print(f"nine runs x 1000 steps: {len(text) / 1e6:.3f} MB of JSON (budget 1.5, aim 0.5), "
          f"build + serialize {statistics.median(times) * 1e3:.0f} ms median (budget 300, aim 100), "
          f"{len(fig['frames'])} frames (at least 60); last frame at step {last['name']}")
    finals = np.array([t.xy[-1, 0] for t in runs.values()])
    print(f"last frame is the final step: {last['name'] == '1000'}; runs: {len(finals)}; heads trace present: "
          f"{heads is not None}")
    sizes = {k: len(json.dumps(v)) / 1e3 for k, v in fig.items()}
    print("kB by part: " + ", ".join(f"{k} {v:.0f}" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
