"""The readable form of runs and schedules, shared by links, JSON, the command line and the widgets::

    optimizers=sgd(lr=0.1),momentum(lr=0.01,momentum=0.9),adam(lr=0.05,betas=0.8/0.99)
    schedule=step(step_size=30,gamma=0.5)

A name alone takes every default; pairs and lists are written with ``/``. Each parser raises a
ValueError that says what is wrong and what is valid.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from optimizers import OPTIMIZERS, SCHEDULES
from optimizers.runner import StochasticSurface, lr_table

from .model import RunSpec, non_defaults, surface_of

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_CALL = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?\Z", re.S)


def split_top(text: str) -> list[str]:
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
    for item in split_top(inner or ""):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _NAME.match(key) or not value:
            raise ValueError(f"{item[:40]!r} in {name}(...) is not of the form key=value")
        args[key] = value
    return name, args


def _value_of(param, text: str):
    """A hyperparameter from its readable text form, for its Param to validate."""
    if text.lower() == "none" and param.default is None:
        return None
    if param.kind in ("pair", "ints"):
        return [v for v in text.split("/") if v]
    return text


def format_value(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "/".join(format_value(v) for v in value)
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back to the same float
    return str(value)


def _typed_args(spec, args: dict[str, str]) -> dict[str, Any]:
    """Keys matched without regard to case (torch writes ``T_max``; links are often lower-cased),
    values read from text where the spec knows the key (an unknown key is refused when validated)."""
    names = {p.name.lower(): p.name for p in spec.params}
    known = {p.name: p for p in spec.params}
    typed = {}
    for key, value in args.items():
        key = names.get(key.lower(), key)
        typed[key] = _value_of(known[key], value) if key in known else value
    return typed


# ---------------------------------------------------------------------------------------------- runs


def parse_run(text: str) -> RunSpec:
    """One run from its readable form."""
    name, args = parse_call(text)
    spec = OPTIMIZERS[name]
    values = _typed_args(spec, args)
    return RunSpec(name, values.pop("lr", spec.lr.default), tuple(values.items()))


def parse_runs(text: str) -> tuple[RunSpec, ...]:
    return tuple(parse_run(p) for p in split_top(text))


def format_run(r: RunSpec) -> str:
    inner = ",".join([f"lr={format_value(r.lr)}"] + [f"{k}={format_value(v)}" for k, v in r.params])
    return f"{r.optimizer}({inner})"


def run_label(r: RunSpec) -> str:
    """The legend label: the optimizer's title, its learning rate and every non-default setting."""
    extras = " ".join(f"{k}={format_value(v)}" for k, v in r.params)
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


# ----------------------------------------------------------------------------------------- schedules


def schedule_params(spec) -> tuple:
    """The schedule's own parameters: all but the rate, which each run brings."""
    return tuple(p for p in spec.params if p.name != spec.run_rate)


def build_schedule(name: str, params, lr: float):
    """The schedule ``name`` with ``params`` for a run whose learning rate is ``lr``, set where the
    schedule's spec says a run's rate goes (``Spec.run_rate``)."""
    spec = SCHEDULES[name]
    return spec.factory(**{**dict(params), spec.run_rate: lr})


def make_schedule(name: str, values: dict[str, Any]) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """A schedule's own settings from typed values, checked; only those that differ from the defaults."""
    spec = SCHEDULES[name]
    if spec.run_rate in values:
        raise ValueError(f"{spec.run_rate} comes from each run's lr; write it in optimizers=..., not in the schedule")
    values = {k: spec.param(k).validate(v, spec.title) for k, v in values.items()}
    build_schedule(name, values, 1.0)  # the rules that tie the settings together (OneCycle's phases, ...)
    return name, non_defaults(spec, values)


def schedule_rates(name: str, params, steps: int) -> np.ndarray:
    """The learning rate of each of ``steps`` updates relative to a run's own rate (its rate = 1)."""
    return lr_table(build_schedule(name, params, 1.0), steps)


def parse_schedule(text: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
    name, args = parse_call(text)
    return make_schedule(name, _typed_args(SCHEDULES[name], args))


def format_schedule(name: str, params) -> str:
    if not params:
        return name
    return f"{name}({','.join(f'{k}={format_value(v)}' for k, v in params)})"


def scene_note(scene) -> str:
    """A figure's note on how its scene ran: steps and start, then the schedule and the noise where
    there are any."""
    x, y = scene.start_point()
    parts = [f"{scene.steps} steps from ({x:.4g}, {y:.4g})"]
    if scene.schedule != "constant":
        parts.append("schedule " + format_schedule(scene.schedule, scene.schedule_params))
    noisy = []
    if scene.noise:
        noisy.append(f"gradient noise σ={scene.noise:g}")
    if scene.seeds > 1 and (scene.noise or isinstance(surface_of(scene), StochasticSurface)):
        noisy.append(f"{scene.seeds} seeds (faint)")
    return "\n".join(parts + ([", ".join(noisy)] if noisy else []))
