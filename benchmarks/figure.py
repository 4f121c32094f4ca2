"""Figure size and speed, printed (not asserted): python benchmarks/figure.py

viz.trajectory_figure for nine runs of 1000 steps on Beale: the JSON the browser receives (the same
plotly.io.to_json Streamlit sends) must stay under 1.5 MB and build plus serialize within 300 ms
(aim 0.6 MB and 100 ms), with at least 60 frames and the last frame showing every run at its final
point. With glyphs on (viz.glyphs, each kind in turn) the JSON must stay under 1.5 MB too; the time to
compute the states and explain the frames' steps (scenes.glyph_paths) is printed beside it. Medians of
several repetitions after a warm-up; the load average is printed beside them.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import times_of

import scenes as sc
from surfaces import SURFACES
from viz import trajectory_figure
from viz.glyphs import KINDS, glyph_layer
from viz.trajectory import frame_steps

RUNS = ("sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adagrad(lr=0.3),rmsprop(lr=0.01),adadelta(lr=1),"
        "adam(lr=0.03),adamax(lr=0.03),nadam(lr=0.03)")


def main() -> None:
    scene, warnings = sc.from_query({"surface": "beale", "optimizers": RUNS, "steps": "1000"})
    assert not warnings, warnings
    runs, _ = sc.compute(scene)
    surface = SURFACES["beale"]

    def build() -> str:
        return pio.to_json(trajectory_figure(surface, runs), validate=False)

    cpu = []

    def timed() -> str:
        t = time.process_time()
        out = build()
        cpu.append(time.process_time() - t)
        return out

    times, text = times_of(timed, 9)
    fig = json.loads(text)
    last = fig["frames"][-1]
    heads_index = next(i for i, d in enumerate(fig["data"]) if d.get("name") == "heads")
    heads = last["data"][last["traces"].index(heads_index)]
    print(f"nine runs x 1000 steps: {len(text) / 1e6:.3f} MB of JSON (budget 1.5, aim 0.6), "
          f"build + serialize {statistics.median(times) * 1e3:.0f} ms median (budget 300, aim 100), "
          f"{len(fig['frames'])} frames (at least 60); last frame at step {last['name']}")
    finals = np.array([t.xy[-1, 0] for t in runs.values()], dtype=np.float32)
    shown = np.frombuffer(base64.b64decode(heads["x"]["bdata"]), dtype=np.float32)
    print(f"last frame is the final step: {last['name'] == '1000'}; its heads are the runs' final points: "
          f"{np.array_equal(shown, finals[:, 0])}")
    sizes = {k: len(json.dumps(v)) / 1e3 for k, v in fig.items()}
    print("kB by part: " + ", ".join(f"{k} {v:.0f}" for k, v in sizes.items()))
    print(f"CPU time of this process {statistics.median(cpu[1:]) * 1e3:.0f} ms median (what a quiet machine "
          f"would take); wall time slowest {max(times) * 1e3:.0f} ms, fastest {min(times) * 1e3:.0f} ms; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    glyphs(scene, surface)


def glyphs(scene, surface) -> None:
    """The payload with each kind of glyph on, and what the glyphs' data cost to compute."""
    at = frame_steps(scene.steps)
    times, (runs, _) = times_of(lambda: sc.compute(scene, states=True), 5)
    explain_times, paths = times_of(lambda: sc.glyph_paths(scene, runs, at), 5)
    sizes = []
    for kind in KINDS:
        if kind != "none":
            build_times, text = times_of(lambda kind=kind: pio.to_json(
                trajectory_figure(surface, runs, glyphs=glyph_layer(surface, runs, paths, kind)), validate=False), 3)
            sizes.append(f"{kind} {len(text) / 1e6:.3f} MB ({statistics.median(build_times) * 1e3:.0f} ms)")
    print("with glyphs on, nine runs x 1000 steps (budget 1.5 MB): " + ", ".join(sizes))
    print(f"computing the runs with their states {statistics.median(times) * 1e3:.0f} ms, explaining the "
          f"{len(at) - 1} frames' updates of every run {statistics.median(explain_times) * 1e3:.0f} ms (medians)")


if __name__ == "__main__":
    main()
