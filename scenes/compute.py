"""From a scene to what the explorer draws: a trajectory per run, and the other seeds' paths."""

from __future__ import annotations

import numpy as np

from optimizers import run
from optimizers.runner import StochasticSurface

from .model import MAX_RUN_STEPS, Scene, surface_of
from .text import build_schedule, run_labels


def schedule_for(scene: Scene, lr: float):
    return build_schedule(scene.schedule, scene.schedule_params, lr)


def compute(scene: Scene, states: bool = False) -> tuple[dict, dict]:
    """``(runs, bands)``: a Trajectory per run label, and for noisy scenes with several seeds, the
    other seeds' paths of every run as an array (seeds - 1, steps + 1, 2). ``states=True``: each
    Trajectory also keeps the optimizer's state after every update and the gradients
    (``run(..., states=True)``; the paths are the same numbers), for the glyphs and the inspector."""
    if len(scene.runs) * scene.seeds * scene.steps > MAX_RUN_STEPS:
        raise ValueError(f"{len(scene.runs)} runs x {scene.seeds} seeds x {scene.steps} steps is more than "
                         f"{MAX_RUN_STEPS:,} steps to compute: fewer seeds, runs or steps")
    surface = surface_of(scene)
    start = np.array(scene.start_point(), dtype=float)
    runs, bands = {}, {}
    noisy = scene.noise > 0 or isinstance(surface, StochasticSurface)
    for label, r in zip(run_labels(scene.runs), scene.runs, strict=True):
        opt = r.optimizer_object()
        sched = schedule_for(scene, r.lr)
        runs[label] = run(opt, surface, start, scene.steps, sched, noise=scene.noise, seed=0, states=states)
        if noisy and scene.seeds > 1:
            bands[label] = np.stack([run(opt, surface, start, scene.steps, sched, noise=scene.noise, seed=s).xy[:, 0]
                                     for s in range(1, scene.seeds)])
    return runs, bands
