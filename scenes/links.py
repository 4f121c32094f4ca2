"""Scenes in links, JSON files and command lines: ``from_query`` and ``to_query``, ``from_json`` and
``to_json``. Reading never raises: every value that cannot be used is listed in a warning and keeps
its default, so a malformed link still opens a scene.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from surfaces import SURFACES

from .model import (
    CUSTOM,
    MAX_NOISE,
    MAX_RUN_STEPS,
    MAX_RUNS,
    MAX_SCENE_STEPS,
    MAX_SEEDS,
    MAX_START,
    MAX_TEXT,
    VIEWS,
    Scene,
    custom_surface,
    surface_of,
)
from .presets import PRESETS
from .text import format_run, format_schedule, parse_run, parse_schedule, split_top


def _number(text: str, what: str, low: float, high: float, integer: bool = False) -> float:
    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"{what}={text[:40]!r} is not a number") from None
    if not (math.isfinite(v) and low <= v <= high) or (integer and not v.is_integer()):
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"{what}={text[:40]!r}: {what} takes {kind} from {low:g} to {high:g}")
    return int(v) if integer else v


def from_query(params: dict[str, str | list[str]]) -> tuple[Scene, list[str]]:
    """The scene a link describes, and a warning for every value that was ignored (each then keeps
    its default). Never raises."""
    warnings: list[str] = []
    values: dict[str, Any] = {}

    def text(key: str) -> str | None:
        v = params.get(key)
        if isinstance(v, (list, tuple)):
            v = v[-1] if v else None
        if v is None:
            return None
        if len(v) > MAX_TEXT:
            warnings.append(f"{key}: longer than {MAX_TEXT} characters, ignored")
            return None
        return str(v)

    preset = text("scene")
    base = PRESETS[preset].scene if preset in PRESETS else Scene()
    if preset is not None and preset not in PRESETS:
        warnings.append(f"scene={preset[:40]!r} is unknown; valid scenes are: {', '.join(PRESETS)}")

    def attempt(key: str, parse):
        raw = text(key)
        if raw is None:
            return
        try:
            values[key] = parse(raw.strip())
        except ValueError as e:
            warnings.append(str(e))

    attempt("surface", lambda t: t if t in SURFACES or t == CUSTOM else _unknown_surface(t))
    attempt("formula", lambda t: t)
    attempt("steps", lambda t: _number(t, "steps", 1, MAX_SCENE_STEPS, integer=True))
    attempt("noise", lambda t: _number(t, "noise", 0, MAX_NOISE))
    attempt("seeds", lambda t: _number(t, "seeds", 1, MAX_SEEDS, integer=True))
    attempt("view", lambda t: t if t in VIEWS else _bad(f"view={t[:20]!r}: valid views are {', '.join(VIEWS)}"))
    attempt("presentation", lambda t: _flag(t, "presentation"))
    attempt("lock", lambda t: _flag(t, "lock"))
    attempt("start", _start)

    raw = text("optimizers")
    if raw is not None:
        runs = []
        parts = split_top(raw)
        for part in parts[:MAX_RUNS]:
            try:
                runs.append(parse_run(part))
            except ValueError as e:
                warnings.append(f"optimizers: {e}")
        if len(parts) > MAX_RUNS:
            warnings.append(f"optimizers: at most {MAX_RUNS} runs; the rest were ignored")
        if runs:
            values["runs"] = tuple(runs)
    raw = text("schedule")
    if raw is not None:
        try:
            values["schedule"], values["schedule_params"] = parse_schedule(raw)
        except ValueError as e:
            warnings.append(f"schedule: {e}")
    known = {"scene", "surface", "formula", "steps", "noise", "seeds", "view", "presentation", "lock", "start",
             "optimizers", "schedule", "embed", "embed_options"}
    unknown = sorted(k for k in params if k not in known)
    if unknown:
        warnings.append(f"unknown link parameters ignored: {', '.join(k[:30] for k in unknown[:10])}")
    if "lock" in values:
        values["locked"] = values.pop("lock")
    if "surface" in values and "start" not in values:
        values["start"] = None
    if values.get("surface") == CUSTOM:
        try:
            custom_surface(values.get("formula", ""))
        except ValueError as e:
            warnings.append(f"formula: {e}")
            values.pop("surface")
    if values.get("surface", base.surface) != CUSTOM:
        values["formula"] = ""
    scene = replace(base, **values)
    if scene.start is not None:
        with np.errstate(all="ignore"):
            finite = np.isfinite(surface_of(scene).f(np.array(scene.start)))
        if tuple(scene.start) == tuple(surface_of(scene).start) or not finite:
            if not finite:
                warnings.append(f"start={scene.start[0]:g},{scene.start[1]:g}: the loss is not finite there; "
                                "the surface's own start is used")
            scene = replace(scene, start=None)
    work = len(scene.runs) * scene.seeds * scene.steps
    if work > MAX_RUN_STEPS:
        seeds = max(1, MAX_RUN_STEPS // (len(scene.runs) * scene.steps))
        warnings.append(f"seeds={scene.seeds}: {len(scene.runs)} runs x {scene.seeds} seeds x {scene.steps} steps is "
                        f"more than {MAX_RUN_STEPS:,} steps to compute; {seeds} seeds are drawn")
        scene = replace(scene, seeds=seeds)
    return scene, warnings


def _bad(message: str):
    raise ValueError(message)


def _unknown_surface(name: str):
    raise ValueError(f"surface={name[:40]!r} is unknown; valid surfaces are: {', '.join(SURFACES)}, "
                     f"or {CUSTOM} with formula=...")


def _flag(text: str, what: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{what}={text[:20]!r}: write 1 or 0")


def _start(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError(f"start={text[:40]!r}: write two numbers, as start=-1.5,2")
    x, y = (_number(p.strip(), "start", -MAX_START, MAX_START) for p in parts)
    return (x, y)


def to_query(scene: Scene) -> dict[str, str]:
    """The link's query parameters for ``scene``; ``from_query`` reads them back to the same scene."""
    q = {
        "surface": scene.surface,
        **({"formula": scene.formula} if scene.surface == CUSTOM else {}),
        "optimizers": ",".join(format_run(r) for r in scene.runs),
        "schedule": format_schedule(scene.schedule, scene.schedule_params),
        "steps": str(scene.steps),
    }
    if scene.start is not None:
        q["start"] = f"{scene.start[0]!r},{scene.start[1]!r}"
    if scene.noise:
        q["noise"] = repr(scene.noise)
    if scene.seeds != 1:
        q["seeds"] = str(scene.seeds)
    if scene.view != "map":
        q["view"] = scene.view
    if scene.presentation:
        q["presentation"] = "1"
    if scene.locked:
        q["lock"] = "1"
    return q


def to_json(scene: Scene) -> str:
    d = asdict(scene)
    d["runs"] = [format_run(r) for r in scene.runs]
    d["schedule"] = format_schedule(scene.schedule, scene.schedule_params)
    del d["schedule_params"]
    d["lock"] = d.pop("locked")  # the link's name
    return json.dumps(d, indent=2)


def from_json(text: str) -> tuple[Scene, list[str]]:
    """A scene from ``to_json``'s form; ValueError if the text is not such a JSON object."""
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e.msg} at line {e.lineno}") from None
    except RecursionError:
        raise ValueError("not a scene: the JSON is nested far too deeply") from None
    if not isinstance(d, dict):
        raise ValueError("a scene file holds one JSON object")
    q: dict[str, str] = {}
    for key, value in d.items():
        if key == "runs" and isinstance(value, list):
            q["optimizers"] = ",".join(str(v) for v in value)
        elif key == "start" and isinstance(value, (list, tuple)):
            q["start"] = ",".join(str(v) for v in value)
        elif value is not None:
            q[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return from_query(q)


