r"""Glyphs on the map: what each optimizer carries, drawn at every head and animated with the race.

At a head at step k the glyphs show update k, the one that brought the run there (``scenes.inside``):

- ``gradient``: the arrow of -∇f, downhill, the gradient update k was given;
- ``velocity``: the momentum buffer or first moment after it, -b or -m (gradients, so drawn downhill
  on the gradient's kind of scale), or the lecture's velocity v (a step, drawn on a step's scale);
- ``rate``: a box around the head whose half-sides are the effective rate in x and in y
  (ε_t for SGD, ε_t/(√v̂_t + ϵ) for Adam, ...): an adaptive method's box stretches along a flat
  direction, where its steps grow;
- ``parts``: the step θ_k - θ_{k-1} split into the gradient's share, the momentum's and weight
  decay's, drawn tip to tail from the head, so that they add up to the step.

One scale per unit and scene, never per frame, so that lengths compare across runs and steps: a
nice number (1, 2 or 5 times a power of ten) that draws the median of the lengths (every run,
every frame; measured as the eye sees them, in fractions of the map's width and height) at ``TARGET``
of the map. A glyph longer than ``CAP`` of the map is cut to it, its direction kept (a head's parts
together), and the legend says so. The legend beside the map's markers states every
scale. Glyphs are thin and semi-transparent, over the paths and under the heads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .trajectory import _display, _f32, _scatter

KINDS = {"none": "none", "gradient": "gradient", "velocity": "velocity / first moment", "rate": "step scale",
         "parts": "update parts"}
TARGET = 0.1  # of the map (its width and height as units): the length of a typical glyph
CAP = 0.3  # of the map: a longer glyph is cut to this
PERCENTILE = 50
OPACITY = 0.8
PART_DASH = {"gradient": "solid", "momentum": "dot", "weight_decay": "dash"}
PART_NAMES = {"gradient": "step: gradient's share", "momentum": "step: momentum's share",
              "weight_decay": "step: weight decay's share"}
LEGEND_COLOR = "#444"


def nice_scale(lengths) -> float:
    """The largest of 1, 2, 5 times a power of ten that draws the ``PERCENTILE``-th percentile of
    ``lengths`` (fractions of the map; the finite positive ones) at most ``TARGET`` long; 1 where there
    are none."""
    lengths = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in lengths]) if len(lengths) else np.zeros(0)
    lengths = lengths[np.isfinite(lengths) & (lengths > 0)]
    if not lengths.size:
        return 1.0
    raw = TARGET / float(np.percentile(lengths, PERCENTILE))
    power = 10.0 ** math.floor(math.log10(raw))
    return max(m for m in (1.0, 2.0, 5.0, 10.0) if m * power <= raw * (1 + 1e-12)) * power


def number(value: float) -> str:
    """A scale as the legend writes it."""
    return f"{value:g}"


def on_map(vectors: np.ndarray, size: np.ndarray) -> np.ndarray:
    """The lengths of ``vectors`` (..., 2) as fractions of the map, whose width and height are ``size``:
    what the eye sees, whatever the axes' units."""
    return np.hypot(vectors[..., 0] / size[0], vectors[..., 1] / size[1])


def _cut(vectors: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, bool]:
    """``vectors`` (..., k, 2), each group of k (a head's parts) shrunk by one factor so that none is
    longer than ``CAP`` of the map; and whether any was."""
    longest = np.max(on_map(vectors, size), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(longest > CAP, CAP / longest, 1.0)
    return vectors * factor[..., None], bool(np.any(longest > CAP))


class _Arrow:
    """One run's arrows (a trace): at each frame, from its anchors to anchor + vector; an arrowhead at
    the tip, turned along the arrow by Plotly (``angleref="previous"``)."""

    def __init__(self, name: str, meta: dict, color: str, dash: str, width: float, head: int):
        self.trace = _scatter(mode="lines+markers", xaxis="x", yaxis="y", showlegend=False, hoverinfo="skip",
                              name=name, meta=meta, opacity=OPACITY, line=dict(color=color, width=width, dash=dash),
                              marker=dict(symbol="arrow", size=[0, head], angleref="previous", color=color,
                                          line=dict(width=0)), x=[], y=[])

    @staticmethod
    def frame(anchor: np.ndarray, vector: np.ndarray) -> dict:
        points = np.stack([anchor, anchor + vector])
        if not np.isfinite(points).all() or not np.any(vector):
            points = np.full((2, 2), np.nan)
        return dict(x=_f32(points[:, 0]), y=_f32(points[:, 1]))


def _box(anchor: np.ndarray, half: np.ndarray) -> dict:
    corners = anchor + half * np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float)
    if not np.isfinite(corners).all():
        corners = np.full((5, 2), np.nan)
    return dict(x=_f32(corners[:, 0]), y=_f32(corners[:, 1]))


def _legend(name: str, dash: str = "solid") -> dict:
    return _scatter(x=[None], y=[None], mode="lines", name=name, legend="legend2", hoverinfo="skip",
                    line=dict(color=LEGEND_COLOR, width=2, dash=dash))


def glyph_layer(surface, runs: Mapping, paths: Mapping, kind: str):
    """The glyphs of ``kind`` (a key of ``KINDS``) for ``runs`` (label -> Trajectory, as given to
    ``trajectory_figure``) from ``paths`` (``scenes.glyph_paths``: label -> what to draw at each step),
    as the ``glyphs`` argument of ``trajectory_figure``; None for "none". Every step the figure's
    frames show must have been explained (ValueError otherwise)."""
    if kind not in KINDS:
        raise ValueError(f"glyphs must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "none":
        return None

    def build(view, at: np.ndarray, style, looks):
        return _build(surface, runs, paths, kind, view, at, style, looks)

    return build


def heads(surface, traj, at: np.ndarray) -> np.ndarray:
    """Where the figure draws the head of ``traj`` at each of the steps ``at`` (len(at), 2)."""
    last = int(traj.diverged_at[0]) if traj.diverged[0] else traj.xy.shape[0]
    xy = _display(traj.xy[:last, 0], surface.domain)
    return xy[np.minimum(at, len(xy) - 1)]


def _check_explained(paths: Mapping, at: np.ndarray, runs: Mapping) -> None:
    for label, p in paths.items():
        traj = runs[label]
        alive = at[(at >= 1) & (at < (traj.diverged_at[0] if traj.diverged[0] else traj.xy.shape[0]))]
        if np.isnan(p["rate"][alive]).any():
            raise ValueError(f"the glyphs of {label} were not explained at every frame's step: "
                             "scenes.glyph_paths(scene, runs, steps) with the figure's frame steps")


def _build(surface, runs, paths, kind, view, at, style, looks):
    _check_explained(paths, at, runs)
    labels = [label for label in runs if label in paths]
    size = np.array([view[0][1] - view[0][0], view[1][1] - view[1][0]])
    anchors = {label: heads(surface, runs[label], at) for label in labels}
    width, head = style.line * 0.55, max(7, int(style.head * 0.75))
    traces, frames, legend = [], [], []  # frames: per trace, (len(at),) frame data dicts

    def arrows(label: str, name: str, meta: dict, tails: np.ndarray, vectors: np.ndarray, dash: str = "solid"):
        arrow = _Arrow(f"{label} {name}", meta, looks[label].color, dash, width, head)
        traces.append(arrow.trace)
        frames.append([arrow.frame(a, v) for a, v in zip(tails, vectors, strict=True)])

    if kind in ("gradient", "velocity"):
        groups: dict[str, list] = {}  # unit -> [(label, vectors (len(at), 2))]
        for label in labels:
            p = paths[label]
            if kind == "gradient":
                groups.setdefault("gradient", []).append((label, -p["grad"][at]))
            elif p["moment"] is not None:
                sign = -1.0 if p["moment_unit"] == "gradient" else 1.0
                groups.setdefault(p["moment_unit"], []).append((label, sign * p["moment"][at]))
        for unit, members in groups.items():
            scale = nice_scale([on_map(v, size) for _, v in members])
            cut = False
            for label, vectors in members:
                drawn, was_cut = _cut(vectors[:, None, :] * scale, size)
                cut |= was_cut
                arrows(label, kind, dict(glyph=kind, run=label), anchors[label], drawn[:, 0])
            legend.append(_legend(_arrow_legend(kind, unit, scale) + _cut_note(cut)))
    elif kind == "rate":
        rates = [paths[label]["rate"][at] for label in labels]
        scale = nice_scale([r / size for r in rates])
        cut = False
        for label, rate in zip(labels, rates, strict=True):
            half = rate * scale
            cut |= bool(np.any(half > CAP * size))
            traces.append(_scatter(mode="lines", xaxis="x", yaxis="y", showlegend=False, hoverinfo="skip",
                                   name=f"{label} rate", meta=dict(glyph=kind, run=label), opacity=OPACITY, x=[], y=[],
                                   line=dict(color=looks[label].color, width=width)))
            frames.append([_box(a, h) for a, h in zip(anchors[label], np.minimum(half, CAP * size), strict=True)])
        legend.append(_legend(f"box: half-side = rate × {number(scale)}" + _cut_note(cut)))
    else:
        shown = [name for name in PART_DASH
                 if any(np.any(np.nan_to_num(paths[label]["parts"][name][at]) != 0) for label in labels)]
        parts = {label: np.stack([paths[label]["parts"][name][at] for name in shown], axis=1) for label in labels}
        scale = nice_scale([on_map(v, size) for v in parts.values()])
        cut = False
        for label in labels:
            drawn, was_cut = _cut(parts[label] * scale, size)
            cut |= was_cut
            tails = anchors[label][:, None, :] + np.concatenate(
                [np.zeros_like(drawn[:, :1]), np.cumsum(np.nan_to_num(drawn), axis=1)[:, :-1]], axis=1)
            for j, name in enumerate(shown):
                if np.any(np.nan_to_num(parts[label][:, j]) != 0):
                    arrows(label, name, dict(glyph=kind, run=label, part=name), tails[:, j], drawn[:, j],
                           PART_DASH[name])
        for name in shown:
            legend.append(_legend(f"{PART_NAMES[name]} ×{number(scale)}" + _cut_note(cut and name == shown[-1]),
                                  PART_DASH[name]))

    for trace, per_frame in zip(traces, frames, strict=True):
        trace.update(per_frame[0])

    def at_step(step: int) -> list[dict]:
        f = int(np.searchsorted(at, step))
        return [per_frame[f] for per_frame in frames] + [{} for _ in legend]

    return traces + legend, at_step


def _cut_note(cut: bool) -> str:
    return f", cut at {CAP:.0%} of the map" if cut else ""


def _arrow_legend(kind: str, unit: str, scale: float) -> str:
    if unit == "step":
        return f"v (lecture's velocity) ×{number(scale)}"
    return ("−∇f: gradient" if kind == "gradient" else "−b, −m:") + f" 1 = {number(scale)} on the map"
