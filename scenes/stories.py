"""What every prepared scene claims, measured on its trajectories: one table per preset, a row per claim
(the words of the caption it proves, the quantity measured, its value, the criterion, whether it holds).

The page prints the table under "What the numbers say"; tests/scenes/test_preset_stories.py checks that
every row holds and that its words are in the preset's text, so what a student reads stays true.

Definitions (f* the global minimum's value, "gap" = f − f*):
- arrives: the gap falls to 0.01 or below; its step is "steps to arrive".
- overshoot (climb): the largest rise of log10 of the gap (floored at 1e-6) above the lowest value it
  had reached before, in decades: a loss that goes down, then back up by a factor ten, climbs 1.
- escapes (saddle): |y| reaches 1, two thirds of the way from the ridge line to the map's edge.
- crossings (valley): sign changes of y, counting only points at least ``amp`` away from the floor.
- progress along the floor: how much of the way from the start's x to the minimum's x is covered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from optimizers import OPTIMIZERS, run

from .model import Scene, surface_of
from .text import run_labels

ARRIVED = 0.01  # the gap f − f* at which a run has arrived


class Claim(NamedTuple):
    words: str  # the words of the preset's text that this row proves
    quantity: str
    value: Any
    criterion: str
    holds: bool


# ------------------------------------------------------------------------------------- measures


def gap(scene: Scene, traj) -> np.ndarray:
    surface = surface_of(scene)
    return traj.loss[:, 0] - float(surface.f(np.array(surface.minima[0])))


def climb(g: np.ndarray, floor: float = 1e-6) -> float:
    level = np.log10(np.maximum(g, floor))
    return float(np.max(level - np.minimum.accumulate(level)))


def first(mask: np.ndarray) -> float:
    hit = np.flatnonzero(mask)
    return float(hit[0]) if hit.size else math.inf


def arrives(scene: Scene, traj) -> float:
    return first(gap(scene, traj) <= ARRIVED)


def escapes(traj) -> float:
    return first(np.abs(traj.xy[:, 0, 1]) >= 1.0)


def crossings(y: np.ndarray, amp: float) -> int:
    side = np.sign(y[np.abs(y) >= amp])
    return int(np.sum(side[1:] != side[:-1]))


def progress(scene: Scene, traj) -> float:
    surface = surface_of(scene)
    x0, target = traj.xy[0, 0, 0], surface.minima[0][0]
    return float((traj.xy[-1, 0, 0] - x0) / (target - x0))


def by_key(scene: Scene, runs: Mapping) -> dict:
    return {r.optimizer: runs[label] for r, label in zip(scene.runs, run_labels(scene.runs), strict=True)}


# --------------------------------------------------------------------------------- the stories


def beale(scene: Scene, runs: Mapping, bands: Mapping) -> list[Claim]:
    t = by_key(scene, runs)
    a = {k: arrives(scene, v) for k, v in t.items()}
    c = {k: climb(gap(scene, v)) for k, v in t.items()}
    far = {k: float(np.max(np.hypot(*(v.xy[:, 0] - (3.0, 0.5)).T))) for k, v in t.items()}
    trio = ("adagrad", "adadelta", "rmsprop")
    fastest, slowest = min(a[k] for k in trio), max(a[k] for k in trio)
    defaults = run(OPTIMIZERS["adadelta"].factory(), surface_of(scene), np.array(scene.start_point()),
                   scene.steps, 1.0)
    first_step = np.abs(defaults.xy[1, 0] - defaults.xy[0, 0])
    momentum_end, momentum_best = float(t["momentum"].xy[-1, 0, 0]), float(gap(scene, t["momentum"]).min())
    sgd_end = float(gap(scene, t["sgd"])[-1])
    return [
        Claim("Momentum overshoots", "momentum's climb of log₁₀(f − f*), decades", c["momentum"], "≥ 1",
              c["momentum"] >= 1.0),
        Claim("onto the far plateau", "momentum's final x; its smallest f − f*", (momentum_end, momentum_best),
              "x < 0 and f − f* never ≤ 0.01", momentum_end < 0 and momentum_best > ARRIVED),
        Claim("does not come back", "momentum's steps to arrive", a["momentum"], f"not within {scene.steps}",
              a["momentum"] == math.inf),
        Claim("Nesterov's look-ahead corrects it", "NAG's farthest distance from the minimum / momentum's; "
              "NAG's climb, decades", (far["nag"] / far["momentum"], c["nag"]), "≤ 0.5; below momentum's",
              far["nag"] <= 0.5 * far["momentum"] and c["nag"] < c["momentum"]),
        Claim("arrives first", "steps to arrive: NAG; the fastest other run", (a["nag"], min(v for k, v in a.items()
                                                                                          if k != "nag")),
              "NAG's fewer", all(a["nag"] < v for k, v in a.items() if k != "nag")),
        Claim("Adagrad, Adadelta and RMSProp arrive about equally well", "steps to arrive: Adagrad, Adadelta, "
              "RMSProp", tuple(a[k] for k in trio), "slowest ≤ 2 × fastest", slowest <= 2 * fastest),
        Claim("without overshooting", "their climbs, decades", tuple(c[k] for k in trio), "each ≤ 0.05",
              all(c[k] <= 0.05 for k in trio)),
        Claim("Adam arrives with them", "Adam's steps to arrive / the three's fastest", a["adam"] / fastest, "≤ 2",
              a["adam"] <= 2 * fastest),
        Claim("SGD is slow", "SGD's final f − f*; the three's slowest arrival", (sgd_end, slowest),
              f"> 0.01; ≤ {scene.steps // 2} steps", sgd_end > ARRIVED and slowest <= 0.5 * scene.steps),
        Claim("with torch's defaults (eps=1e-6, rho=0.9) its first steps move each coordinate by only "
              "√(eps/(1 − rho)) ≈ 0.003 and it needs more than 400 steps to arrive",
              "Adadelta at torch's defaults: first step per coordinate; steps to arrive",
              (tuple(first_step), arrives(scene, defaults)), "0.002 to 0.004; > 400",
              bool(np.all((0.002 < first_step) & (first_step < 0.004))) and arrives(scene, defaults) > 400),
    ]


def saddle(scene: Scene, runs: Mapping, bands: Mapping) -> list[Claim]:
    t = by_key(scene, runs)
    e = {k: escapes(v) for k, v in t.items()}
    next_fastest = min(v for k, v in e.items() if k != "adadelta")
    pair = max(e["adagrad"], e["rmsprop"])
    sgd_far = float(np.abs(t["sgd"].xy[:, 0, 1]).max())
    return [
        Claim("Adadelta escapes fastest", "Adadelta's escape step / the next fastest", e["adadelta"] / next_fastest,
              "≤ 0.75", e["adadelta"] <= 0.75 * next_fastest),
        Claim("Adagrad and RMSProp escape alike", "escape steps: Adagrad, RMSProp", (e["adagrad"], e["rmsprop"]),
              "within 15% of each other",
              abs(e["adagrad"] - e["rmsprop"]) <= 0.15 * min(e["adagrad"], e["rmsprop"])),
        Claim("Adam follows", "Adam's escape step", e["adam"], "after Adagrad and RMSProp, before momentum and NAG",
              pair < e["adam"] < min(e["momentum"], e["nag"])),
        Claim("momentum and NAG are slow", "escape steps: momentum, NAG", (e["momentum"], e["nag"]),
              f"over 100, within {scene.steps}, ≥ 2.5 × Adagrad's and RMSProp's",
              all(100 < e[k] <= scene.steps and e[k] >= 2.5 * pair for k in ("momentum", "nag"))),
        Claim("SGD stays trapped", "SGD's largest |y|", sgd_far, "< 0.1 for the whole scene", sgd_far < 0.1),
    ]


def long_valley(scene: Scene, runs: Mapping, bands: Mapping) -> list[Claim]:
    t = by_key(scene, runs)
    p = {k: progress(scene, v) for k, v in t.items()}
    y = {k: v.xy[:, 0, 1] for k, v in t.items()}
    swings = {k: crossings(y[k], 0.1) for k in ("momentum", "nag")}
    settle = tuple((p[k], crossings(y[k], 0.05)) for k in ("rmsprop", "adam"))
    return [
        Claim("SGD gets almost nowhere along the floor", "SGD's share of the way to the minimum", p["sgd"],
              "between 0 and 0.1", 0 < p["sgd"] < 0.1),
        Claim("oscillate across it from wall to wall", "crossings of the floor beyond ±0.1: momentum, NAG",
              tuple(swings.values()), "each ≥ 4", min(swings.values()) >= 4),
        Claim("more than five times as far as SGD", "their progress / SGD's: momentum, NAG",
              (p["momentum"] / p["sgd"], p["nag"] / p["sgd"]), "each > 5", min(p["momentum"], p["nag"]) > 5 * p["sgd"]),
        Claim("reach the bottom with at most a swing or two", "share of the way; crossings beyond ±0.05: RMSProp, "
              "Adam", settle, "share > 0.99, at most 2 crossings", all(s > 0.99 and n <= 2 for s, n in settle)),
    ]


def noisy_moons(scene: Scene, runs: Mapping, bands: Mapping) -> list[Claim]:
    surface = surface_of(scene)
    rows = []
    for label, traj in runs.items():
        xy = traj.xy[:, 0]
        last = xy[-100:]
        near = float(np.mean(np.hypot(*(last - surface.minima[0]).T)))
        jitter = float(np.sum(np.hypot(*np.diff(last, axis=0).T)) / max(np.hypot(*(last[-1] - last[0])), 1e-12))
        seeds = bands[label]
        apart = float(np.min(np.hypot(*(seeds[:, -1] - xy[-1]).T))) if len(seeds) else 0.0
        rows += [
            Claim("every run jitters around the minimum", f"{label}: mean distance to the minimum, last 100 steps",
                  near, "< 0.1", near < 0.1),
            Claim("instead of settling", f"{label}: path length / net displacement, last 100 steps", jitter, "> 5",
                  jitter > 5),
            Claim("the faint lines are other seeds of the same run", f"{label}: other seeds; smallest distance "
                  "between their ends and the run's", (len(seeds), apart), f"{scene.seeds - 1}; > 0",
                  len(seeds) == scene.seeds - 1 and apart > 0),
        ]
    return rows


def banana(scene: Scene, runs: Mapping, bands: Mapping) -> list[Claim]:
    on_floor = {k: first(np.abs(v.xy[:, 0, 1] - v.xy[:, 0, 0] ** 2) <= 0.03) for k, v in runs.items()}
    end = {k: float(np.hypot(*(v.xy[-1, 0] - (1.0, 1.0)))) for k, v in runs.items()}
    return [
        Claim("every method finds the valley quickly", "slowest run's steps to |y − x²| ≤ 0.03",
              max(on_floor.values()), f"≤ {0.05 * scene.steps:g} (5% of the scene)",
              all(s <= 0.05 * scene.steps for s in on_floor.values())),
        Claim("following its floor to (1, 1) separates them", "largest / smallest final distance to (1, 1)",
              max(end.values()) / min(end.values()), "≥ 100", max(end.values()) >= 100 * min(end.values())),
    ]


def torch_vs_lecture(scene: Scene, runs: Mapping, bands: Mapping) -> list[Claim]:
    """Torch's forms against the lecture's: momentum split by the rate drop, RMSProp by where ϵ sits."""
    t = by_key(scene, runs)
    drop = dict(scene.schedule_params)["step_size"]
    xy = {k: v.xy[:, 0] for k, v in t.items()}
    step = {k: np.hypot(*np.diff(v, axis=0).T) for k, v in xy.items()}
    near = {k: float(np.hypot(*v[-1])) for k, v in xy.items()}  # the ravine's minimum is at the origin
    torch_, lecture = "momentum", "momentum_lecture"
    apart = float(np.abs(xy[torch_][: drop + 1] - xy[lecture][: drop + 1]).max())
    split = float(np.hypot(*(xy[torch_][-1] - xy[lecture][-1])))
    rates = (float(t[torch_].lr[drop - 1]), float(t[torch_].lr[drop]))
    slows = float(step[torch_][drop] / step[torch_][drop - 1])
    coasts = float(step[lecture][drop] / step[lecture][drop - 1])
    after = float(step[lecture][drop:].sum() / step[torch_][drop:].sum())
    longer = float(step["rmsprop_lecture"][0] / step["rmsprop"][0])
    eps = [dict(r.params)["eps"] for r in scene.runs if r.optimizer.startswith("rmsprop")]
    return [
        Claim("run the same path to rounding for the first 150 steps",
              "largest distance up to the drop; the drop's step; distance apart at the end", (apart, drop, split),
              "< 1e-12; 150; > 0.5", apart < 1e-12 and drop == 150 and split > 0.5),
        Claim("When the rate drops tenfold at step 150", "the rate before and after the drop", rates,
              "after = before / 10", bool(np.isclose(rates[1], 0.1 * rates[0]))),
        Claim("next step is a tenth as long", "torch's step after the drop / before", slows, "0.08 to 0.12",
              0.08 < slows < 0.12),
        Claim("the lecture's coasts on", "the lecture's step after the drop / before",
              coasts, "> 0.9", coasts > 0.9),
        Claim("covering more than twice the distance after the drop", "the lecture's path after the drop / torch's",
              after, "> 2", after > 2),
        Claim("and ends nearer the minimum", "final distances to the minimum (torch's, the lecture's)",
              (near[torch_], near[lecture]), "lecture's < torch's", near[lecture] < near[torch_]),
        Claim("√v + ϵ, the lecture inside it, √(v + ϵ), a smaller divisor", "ϵ of both RMSProp runs", eps,
              "equal, ≥ 1 (√(v + ϵ) < √v + ϵ for every v > 0)", eps[0] == eps[1] >= 1),
        Claim("the lecture's first step is about a third longer", "first steps, lecture's / torch's", longer,
              "1.25 to 1.45", 1.25 < longer < 1.45),
        Claim("it ends more than twice as near the minimum", "final distances (torch's RMSProp, the lecture's)",
              (near["rmsprop"], near["rmsprop_lecture"]), "torch's > 2 × lecture's",
              2 * near["rmsprop_lecture"] < near["rmsprop"]),
    ]


STORIES = {"beale": beale, "saddle": saddle, "long_valley": long_valley, "noisy_moons": noisy_moons,
           "banana": banana, "torch_vs_lecture": torch_vs_lecture}


def claims(key: str, scene: Scene, runs: Mapping, bands: Mapping) -> list[Claim]:
    """The claims of preset ``key`` measured on ``scene``'s computed ``runs`` and ``bands``."""
    return STORIES[key](scene, runs, bands)


def shown(value) -> str:
    """A measured value as the table prints it: three significant digits, "never" for infinity."""
    if isinstance(value, (tuple, list)):
        return "; ".join(shown(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if math.isinf(value):
        return "never"
    return f"{value:.0f}" if value.is_integer() and abs(value) < 1e6 else f"{value:.3g}"


def table(rows: list[Claim]) -> list[dict]:
    """The claims as rows of text for the page."""
    return [{"the text says": c.words, "measured": c.quantity, "value": shown(c.value), "criterion": c.criterion,
             "holds": "✓" if c.holds else "✗"} for c in rows]
