"""A scene: everything the explorer shows, as one immutable, hashable value.

The same value is read from a shared link's query parameters, from the command line, from a JSON
file, and from the page's widgets, and written back to each; ``compute`` turns it into trajectories.

The readable form of runs and schedules, used in links and on the command line::

    optimizers=sgd(lr=0.1),momentum(lr=0.01,momentum=0.9),adam(lr=0.05,betas=0.8/0.99)
    schedule=step(step_size=30,gamma=0.5)

A name alone takes every default; pairs and lists are written with ``/``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from optimizers import OPTIMIZERS, SCHEDULES, run
from optimizers.runner import lr_table
from surfaces import SURFACES, from_expression

CUSTOM = "custom"  # the surface key of a formula the user typed
MAX_RUNS = 12
MAX_NOISE = 5.0
MAX_START = 1e6
MAX_RUN_STEPS = 200_000  # runs x seeds x steps of one scene: what one uncached link may ask to compute
MAX_SCENE_STEPS = 5000
MAX_SEEDS = 8
MAX_TEXT = 2000  # characters of any one query parameter or command-line value
VIEWS = ("map", "3d")

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_CALL = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?\Z", re.S)


@dataclass(frozen=True)
class RunSpec:
    """One run: an optimizer, its learning rate, and the hyperparameters that differ from torch's
    defaults, as sorted (name, value) pairs so that equal runs compare and hash equal."""

    optimizer: str
    lr: float
    params: tuple[tuple[str, Any], ...] = ()

    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class Scene:
    surface: str = "beale"
    runs: tuple[RunSpec, ...] = field(default_factory=lambda: DEFAULT_RUNS)
    schedule: str = "constant"
    schedule_params: tuple[tuple[str, Any], ...] = ()
    steps: int = 300
    start: tuple[float, float] | None = None  # None: the surface's own start
    noise: float = 0.0
    seeds: int = 1
    view: str = "map"
    presentation: bool = False
    formula: str = ""  # the user's own surface, when surface == CUSTOM

    def start_point(self) -> tuple[float, float]:
        return self.start if self.start is not None else tuple(surface_of(self).start)


@lru_cache(maxsize=64)
def custom_surface(formula: str):
    """The Surface of a typed formula (surfaces.from_expression; ValueError says what is wrong)."""
    return from_expression(formula)


def same_story(a: Scene, b: Scene) -> bool:
    """The same scene but for how it is shown (the view and the presentation mode)."""
    return replace(a, view=b.view, presentation=b.presentation) == b


def surface_of(scene: Scene):
    return custom_surface(scene.formula) if scene.surface == CUSTOM else SURFACES[scene.surface]


DEFAULT_RUNS = (RunSpec("sgd", 0.001), RunSpec("momentum", 0.001), RunSpec("adam", 0.05))


# ---------------------------------------------------------------------------------------------- text


def _split_top(text: str) -> list[str]:
    """Split at commas that are not inside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_call(text: str) -> tuple[str, dict[str, str]]:
    """``"adam(lr=0.01,betas=0.9/0.999)"`` -> ``("adam", {"lr": "0.01", "betas": "0.9/0.999"})``."""
    m = _CALL.match(text.strip())
    if not m:
        raise ValueError(f"{text[:40]!r} is not of the form name or name(key=value,...)")
    name, inner = m.group(1).lower(), m.group(2)
    args: dict[str, str] = {}
    for item in _split_top(inner or ""):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _NAME.match(key) or not value:
            raise ValueError(f"{item[:40]!r} in {name}(...) is not of the form key=value")
        args[key] = value
    return name, args


def _value_of(param, text: str):
    """A hyperparameter from its readable text form, validated by its Param."""
    if text.lower() == "none" and param.default is None:
        return None
    if param.kind in ("pair", "ints"):
        return [v for v in text.split("/") if v]
    return text


def _format_value(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "/".join(_format_value(v) for v in value)
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back to the same float
    return str(value)


def _non_defaults(spec, values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    defaults = spec.defaults()
    return tuple(sorted((k, v) for k, v in values.items() if k != "lr" and v != defaults.get(k)))


def _canonical_keys(spec, args: dict[str, str]) -> dict[str, str]:
    """Keys matched without regard to case (torch writes ``T_max``; links are often lower-cased)."""
    names = {p.name.lower(): p.name for p in spec.params}
    return {names.get(k.lower(), k): v for k, v in args.items()}


def parse_run(text: str) -> RunSpec:
    """One run from its readable form; ValueError says what is wrong and what is valid."""
    name, args = parse_call(text)
    spec = OPTIMIZERS[name]
    args = _canonical_keys(spec, args)
    lr = args.pop("lr", spec.lr.default)
    return make_run(name, lr, {k: _value_of(spec.param(k), v) for k, v in args.items()})


def make_run(optimizer: str, lr, values: dict[str, Any]) -> RunSpec:
    """A run from typed values (widgets, files): every value checked; ValueError says what is valid."""
    spec = OPTIMIZERS[optimizer]
    lr = spec.lr.validate(lr, spec.title)
    values = spec.validate(values)
    spec.make(**values)  # rules that tie hyperparameters together (nesterov needs momentum, ...)
    return RunSpec(optimizer, float(lr), _non_defaults(spec, values))


def format_run(r: RunSpec) -> str:
    inner = ",".join([f"lr={_format_value(r.lr)}"] + [f"{k}={_format_value(v)}" for k, v in r.params])
    return f"{r.optimizer}({inner})"


RUN_RATES = ("lr", "max_lr")  # schedule parameters that each run's learning rate sets


def schedule_params(spec) -> tuple:
    """The schedule's own parameters: all but the rate, which each run brings."""
    return tuple(p for p in spec.params if p.name not in RUN_RATES)


def build_schedule(name: str, params, lr: float):
    """The schedule ``name`` with ``params`` for a run whose learning rate is ``lr``: the initial rate
    of the schedules that scale it, the peak (``max_lr``) of CyclicLR and OneCycleLR."""
    spec = SCHEDULES[name]
    kwargs = dict(params)
    kwargs["lr" if spec.lr is not None else "max_lr"] = lr
    return spec.factory(**kwargs)


def make_schedule(name: str, values: dict[str, Any]) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """A schedule's own settings from typed values, checked; only those that differ from the defaults."""
    spec = SCHEDULES[name]
    for rate in RUN_RATES:
        if rate in values:
            raise ValueError(f"{rate} comes from each run's lr; write it in optimizers=..., not in the schedule")
    values = {k: spec.param(k).validate(v, spec.title) for k, v in values.items()}
    build_schedule(name, values, 1.0)
    return name, _non_defaults(spec, values)


def schedule_rates(name: str, params, steps: int) -> np.ndarray:
    """The learning rate of each of ``steps`` updates relative to a run's own rate (its rate = 1)."""
    return lr_table(build_schedule(name, params, 1.0), steps)


def parse_schedule(text: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
    name, args = parse_call(text)
    spec = SCHEDULES[name]
    args = _canonical_keys(spec, args)
    return make_schedule(name, {k: _value_of(spec.param(k), v) if k in spec.defaults() else v
                                for k, v in args.items()})


def format_schedule(name: str, params) -> str:
    if not params:
        return name
    return f"{name}({','.join(f'{k}={_format_value(v)}' for k, v in params)})"


def run_label(r: RunSpec) -> str:
    """The legend label: the optimizer's title, its learning rate and every non-default setting."""
    extras = " ".join(f"{k}={_format_value(v)}" for k, v in r.params)
    return f"{OPTIMIZERS[r.optimizer].title} lr={r.lr:.3g}" + (f" {extras}" if extras else "")


def run_labels(runs) -> list[str]:
    """Labels for every run, numbered where two runs would otherwise share one."""
    labels = [run_label(r) for r in runs]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if labels.count(label) == 1 else f"{label} #{seen[label]}")
    return out


# ----------------------------------------------------------------------------------------- links


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
    attempt("start", _start)

    raw = text("optimizers")
    if raw is not None:
        runs = []
        parts = _split_top(raw)
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
    known = {"scene", "surface", "formula", "steps", "noise", "seeds", "view", "presentation", "start", "optimizers",
             "schedule", "embed", "embed_options"}
    unknown = sorted(k for k in params if k not in known)
    if unknown:
        warnings.append(f"unknown link parameters ignored: {', '.join(k[:30] for k in unknown[:10])}")
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
    return q


def to_json(scene: Scene) -> str:
    d = asdict(scene)
    d["runs"] = [format_run(r) for r in scene.runs]
    d["schedule"] = format_schedule(scene.schedule, scene.schedule_params)
    del d["schedule_params"]
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


# -------------------------------------------------------------------------------------- compute


def schedule_for(scene: Scene, lr: float):
    return build_schedule(scene.schedule, scene.schedule_params, lr)


def compute(scene: Scene) -> tuple[dict, dict]:
    """``(runs, bands)``: a Trajectory per run label, and for noisy scenes with several seeds, the
    other seeds' paths of every run as an array (seeds - 1, steps + 1, 2)."""
    if len(scene.runs) * scene.seeds * scene.steps > MAX_RUN_STEPS:
        raise ValueError(f"{len(scene.runs)} runs x {scene.seeds} seeds x {scene.steps} steps is more than "
                         f"{MAX_RUN_STEPS:,} steps to compute: fewer seeds, runs or steps")
    surface = surface_of(scene)
    start = np.array(scene.start_point(), dtype=float)
    runs, bands = {}, {}
    noisy = scene.noise > 0 or getattr(surface, "stochastic", False)
    for label, r in zip(run_labels(scene.runs), scene.runs, strict=True):
        spec = OPTIMIZERS[r.optimizer]
        opt = spec.factory(**r.kwargs())
        sched = schedule_for(scene, r.lr)
        runs[label] = run(opt, surface, start, scene.steps, sched, noise=scene.noise, seed=0)
        if noisy and scene.seeds > 1:
            bands[label] = np.stack([run(opt, surface, start, scene.steps, sched, noise=scene.noise, seed=s).xy[:, 0]
                                     for s in range(1, scene.seeds)])
    return runs, bands


# -------------------------------------------------------------------------------------- presets


@dataclass(frozen=True)
class Preset:
    title: str
    caption: str
    scene: Scene


def _runs(text: str) -> tuple[RunSpec, ...]:
    return tuple(parse_run(p) for p in _split_top(text))


PRESETS: dict[str, Preset] = {}


def register_presets():
    """Fill PRESETS; called at import, after the registries are complete."""
    PRESETS.clear()
    for key, title, caption, scene in _PRESET_TABLE():
        PRESETS[key] = Preset(title, caption, scene)


def _PRESET_TABLE():
    return [
        ("beale", "Beale's function",
         "Radford's classic: from (1, 1.5) the adaptive methods turn into the curved valley towards (3, 0.5) "
         "while SGD inches along; momentum overshoots and NAG corrects it.",
         Scene("beale", _runs("sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adagrad(lr=0.3),"
                              "adadelta(lr=1),rmsprop(lr=0.01),adam(lr=0.03)"), steps=500)),
        ("long_valley", "The long valley",
         "A ravine with steep walls and a gentle floor: SGD bounces from wall to wall and barely moves along "
         "the floor; momentum swings across but builds up speed along it; RMSProp and Adam rescale the two "
         "directions and head straight down the valley.",
         Scene("ravine", _runs("sgd(lr=0.05),momentum(lr=0.01),nag(lr=0.01),rmsprop(lr=0.03),adam(lr=0.1)"),
               steps=300)),
        ("saddle", "The saddle point",
         "Starting almost on the ridge of x² − y²: plain SGD stays stuck where the gradient across the ridge is "
         "tiny; momentum escapes slowly; the adaptive methods rescale that tiny gradient and break the "
         "symmetry first, Adadelta fastest.",
         Scene("saddle", _runs("sgd(lr=0.01),momentum(lr=0.002),nag(lr=0.002),adagrad(lr=0.05),"
                               "adadelta(lr=1),rmsprop(lr=0.005),adam(lr=0.005)"),
               steps=200, view="3d")),
        ("noisy_moons", "The noisy moons",
         "A two-weight logistic regression on a small moons data set, trained on minibatches of 16: the gradient "
         "is noisy, so every run jitters around the minimum instead of settling; the faint lines are other "
         "seeds of the same run.",
         Scene("noisy_moons", _runs("sgd(lr=0.3),momentum(lr=0.03),adam(lr=0.1)"), steps=300, seeds=5)),
        ("banana", "The banana valley",
         "Rosenbrock's curved valley: every method finds the valley quickly; following its floor to (1, 1) "
         "separates them.",
         Scene("rosenbrock", _runs("sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adam(lr=0.1),"
                                   "rmsprop(lr=0.01)"), steps=1000)),
    ]


register_presets()
