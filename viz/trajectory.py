"""The animated trajectory figure: a contour map with every run racing across it, beside a loss panel
and a learning-rate panel that follow the same slider. Played by Plotly in the browser.

Every trace is a scatter trace, the surface included (its filled contours are polygons). That is what
keeps the surface on screen: Plotly plays frames with ``redraw: false`` by re-plotting only the traces a
frame names, and in doing so its cartesian ``plotOne`` drops the SVG layer of every trace type that no
named trace has; a contour or heatmap trace (which Plotly cannot animate) vanished at the first frame.

The race unfolds: at step k each run's path on the map and its curve on the loss panel are drawn up
to step k, nothing beyond. Size is what makes such a figure slow, so the frames send little: each
path is simplified to what a screen can show (Douglas-Peucker, a fraction of a pixel), and drawn as
two traces, the *past* up to the last checkpoint (sent once per checkpoint, every ``C`` frames) and the
*recent* part from there to step k (sent with every frame). A frame that is not a checkpoint names its
checkpoint as ``baseframe``, so Plotly takes the past from there, also when the slider jumps. Arrays go
out as float32 (Plotly encodes them as base64) and the figure is assembled as plain dicts without
Plotly's per-property validation.
"""

from __future__ import annotations

import base64
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import contourpy
import numpy as np
import plotly.graph_objects as go

from optimizers import OPTIMIZERS

# Okabe and Ito's colour-blind safe set without its yellow (lost on a light map) and its pink (lost on
# the map's mid-tones for deuteranopes: Tol's wine instead), its sky blue a little lighter, and two
# darker colours of Tol's and Tableau's that stay apart from it for every kind of colour vision (tests
# measure CIEDE2000 under Machado's dichromat simulations, between runs and against the map).
PALETTE = ("#000000", "#E69F00", "#009E73", "#49C1FE", "#882255", "#0072B2", "#D55E00", "#332288", "#8C564B")
OPTIMIZER_COLORS = {
    "sgd": "#000000", "momentum": "#E69F00", "nag": "#009E73", "adagrad": "#49C1FE", "adadelta": "#882255",
    "rmsprop": "#0072B2", "adam": "#D55E00", "adamax": "#332288", "nadam": "#8C564B",
}
# Variants wear their family's colour in a dash of their own: the lecture's forms beside torch's, and
# Adam's relatives.
VARIANTS = {"momentum_lecture": ("momentum", "dash"), "nag_lecture": ("nag", "dash"),
            "rmsprop_lecture": ("rmsprop", "dash"), "amsgrad": ("adam", "dash"), "adamw": ("adam", "dot"),
            "radam": ("adam", "dashdot")}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
# Slate-blue valleys to near-white heights: lightness from 58 to 97 in CIELAB (a mid-tone floor, so the
# landscape reads on a projector), the blue tint fading towards the top. As dark as the run colours
# allow: every run stays at least 15 CIEDE2000 from every colour of the map (tests measure it).
MAP_COLORSCALE = [[0.0, "#828D99"], [0.25, "#9EA6B0"], [0.5, "#BBC0C7"], [0.75, "#D8DBDE"], [1.0, "#F6F6F6"]]
CONTOUR_LINE = "rgba(25, 35, 55, 0.5)"
MAP_LEVELS = 24
MAP_POINTS = 30_000  # vertices of the filled contours at most; finer surfaces are drawn from a coarser grid
FRAMES = 100
MAX_FRAMES = 400
MAX_FIGURE_RUNS = 24
TRAIL_POINTS = 16  # the GIF export's fading trail (viz.static)
PIXEL = 1 / 1500  # a path is simplified to this fraction of the map's width (well below a pixel)
SPEEDS = {"0.5×": 120, "2×": 30, "4×": 12}  # milliseconds per frame; Play runs at 60
HINT = "Press ▶ Play to start the race, or drag the slider to any step."
CLICK_HINT = "Press ▶ Play to start the race, drag the slider to any step, or click the map to start there."
LOSS_NOTE = "f − f*: height above the minimum f*"
LOSS_DECADES = 10.0  # the log loss panel spans at most this many decades
MODEBAR = 28  # px at the top kept free for Plotly's toolbar, so that it never covers the legend


@dataclass(frozen=True)
class Style:
    """Sizes for a laptop screen or, with ``presentation``, for a projector at the back of a room."""

    font: int = 13
    line: float = 2.2
    head: int = 11
    plot_height: int = 400  # the panels, without legend and controls
    button: int = 13

    @classmethod
    def for_mode(cls, presentation: bool) -> Style:
        return cls(font=24, line=4.0, head=18, plot_height=480, button=24) if presentation else cls()


@dataclass(frozen=True)
class RunStyle:
    color: str
    dash: str = "solid"


# ----------------------------------------------------------------------------------------- colours


def optimizer_key(label: str) -> str | None:
    """The optimizer a legend label names: the label itself, or the optimizer whose title it starts with
    (the longest such title, so "Momentum (lecture form) lr=0.01" is not plain momentum)."""
    if label in OPTIMIZERS:
        return label
    for key, spec in sorted(OPTIMIZERS.items(), key=lambda kv: -len(kv[1].title)):
        if label == spec.title or label.startswith(spec.title + " "):
            return key
    return None


def _shade(color: str, amount: float) -> str:
    """``color`` mixed towards black (amount < 0) or white (amount > 0)."""
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    target = 255.0 if amount > 0 else 0.0
    mixed = np.round(rgb + abs(amount) * (target - rgb)).astype(int)
    return "#" + "".join(f"{v:02X}" for v in mixed)


def run_styles(labels: Sequence[str], keys: Mapping[str, str] | None = None,
               colors: Mapping[str, str] | None = None) -> dict[str, RunStyle]:
    """Colour and dash of every run: fixed by its optimizer key (``keys``, else read from the label),
    the same in every scene. A second run of the same colour keeps the hue in another dash and a
    darker (third: lighter) shade, so that its line and its head both differ. ``colors`` overrides."""
    styles: dict[str, RunStyle] = {}
    used: dict[str, list[str]] = {}
    spare = iter(PALETTE * (1 + len(labels) // len(PALETTE)))
    for label in labels:
        key = (keys or {}).get(label) or optimizer_key(label)
        family, dash = VARIANTS.get(key, (key, "solid"))
        base = (colors or {}).get(label) or OPTIMIZER_COLORS.get(family) or next(spare)
        taken = used.setdefault(base, [])
        if dash in taken:
            dash = next(d for d in DASHES if d not in taken) if len(taken) < len(DASHES) else "solid"
        shade = (0.0, -0.35, 0.4, -0.6, 0.6)[min(len(taken), 4)]
        taken.append(dash)
        styles[label] = RunStyle(_shade(base, shade) if shade else base, dash)
    return styles


# ----------------------------------------------------------------------------------------- the map


@lru_cache(maxsize=64)
def surface_grid(surface, n: int = 121, domain=None):
    """``(xs, ys, Z)`` on an ``n`` by ``n`` grid over the surface's domain (or ``domain``)."""
    (x0, x1), (y0, y1) = domain or surface.domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    with np.errstate(all="ignore"):
        z = surface.f(np.stack(np.meshgrid(xs, ys), axis=-1))
    return xs, ys, z


def map_values(surface, z: np.ndarray) -> np.ndarray:
    """What the colours show: log10 of the height above the lowest point on the grid where the
    surface asks for a logarithmic scale (the floor kept a billionth of the range above zero, so the
    minimum is not minus infinity), else the value itself."""
    if not surface.log_scale:
        return z
    floor = np.nanmin(z)
    with np.errstate(all="ignore"):
        return np.log10(z - floor + 1e-9 * max(np.nanmax(z) - floor, 1e-12))


def color_at(t: float) -> str:
    """The map's colour at ``t`` in [0, 1], interpolated in sRGB between the colour scale's stops."""
    stops = np.array([s for s, _ in MAP_COLORSCALE])
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in MAP_COLORSCALE], dtype=float)
    mixed = [np.interp(t, stops, rgb[:, i]) for i in range(3)]
    return "#" + "".join(f"{round(v):02X}" for v in mixed)


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of the vertices of ``points`` (n, 2) that Douglas-Peucker keeps: every dropped point lies
    within ``tolerance`` of the segment between the kept points around it (the segment, not its line,
    so a path that overshoots and comes back keeps its turning point). The ends are always kept."""
    n = len(points)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, d = points[i], points[j] - points[i]
        rel = points[i + 1 : j] - a
        length2 = float(d @ d)
        t = np.clip(rel @ d / length2, 0.0, 1.0) if length2 > 0 else np.zeros(len(rel))
        dist = np.hypot(*(rel - t[:, None] * d).T)
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return np.flatnonzero(keep)


def _rings(points: list[np.ndarray], tolerance: float) -> tuple[np.ndarray, int]:
    """Closed outlines as one array with a NaN row between outlines, each simplified."""
    parts = []
    for ring in points:
        ring = ring[simplify(ring, tolerance)]
        parts += [ring, np.full((1, 2), np.nan)]
    out = np.concatenate(parts) if parts else np.zeros((0, 2))
    return out, len(out)


@lru_cache(maxsize=64)
def surface_layers(surface, view) -> tuple[tuple[float, str, np.ndarray], ...]:
    """The surface as filled contours for ``view`` ((x0, x1), (y0, y1)): per level ``(value, colour,
    outline)``, the outline of the region at or above that level with holes where it dips below.
    Painted lowest level first, each over the last, they make the filled contour map; their edges
    are the contour lines. Outer outlines and holes wind in opposite senses (contourpy), so SVG's
    nonzero fill rule leaves the holes open."""
    for n in (121, 91, 61, 41):
        xs, ys, z = surface_grid(surface, n, view)
        shown = np.asarray(map_values(surface, z), dtype=float)
        lo, hi = np.nanmin(shown), np.nanmax(shown)
        if not np.isfinite(lo) or hi <= lo:
            return ()
        gen = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(shown), fill_type="OuterOffset")
        levels = np.linspace(lo, hi, MAP_LEVELS + 1)[:-1]
        tolerance = PIXEL * (view[0][1] - view[0][0])
        layers, total = [], 0
        for i, level in enumerate(levels):
            outers, offsets = gen.filled(level if i else -np.inf, np.inf)
            rings = [ring[a:b] for ring, off in zip(outers, offsets, strict=True) for a, b in itertools.pairwise(off)]
            outline, count = _rings(rings, tolerance)
            total += count
            layers.append((float(level), color_at(i / max(MAP_LEVELS - 1, 1)), outline))
        if total <= MAP_POINTS:
            break
    return tuple(layers)


def view_box(surface, runs: Mapping, margin: float = 0.12, fill: float = 0.55):
    """The part of the map where the action is: the box around every path and the global minimum,
    widened by ``margin`` of its size on each side and to at least a quarter of the domain; the whole
    domain where a path leaves it, or once the box would cover more than ``fill`` of it."""
    (x0, x1), (y0, y1) = surface.domain
    pts = [np.array(surface.minima[:1], dtype=float).reshape(-1, 2)]
    for traj in runs.values():
        xy = traj.xy[:, 0]
        inside = np.isfinite(xy).all(1) & (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        if not inside.all():  # a run that leaves the map (or diverges) keeps the whole map in view
            return surface.domain
        pts.append(xy)
    pts = np.concatenate(pts)
    if len(pts) == 0:
        return surface.domain
    box = []
    for k, (lo, hi) in enumerate(((x0, x1), (y0, y1))):
        a, b = float(pts[:, k].min()), float(pts[:, k].max())
        pad = margin * max(b - a, 0.25 * (hi - lo))
        a, b = a - pad, b + pad
        if b - a < 0.25 * (hi - lo):
            mid, half = (a + b) / 2, 0.125 * (hi - lo)
            a, b = mid - half, mid + half
        shift = max(lo - a, 0.0) - max(b - hi, 0.0)
        box.append((max(a + shift, lo), min(b + shift, hi)))
    area = (box[0][1] - box[0][0]) * (box[1][1] - box[1][0]) / ((x1 - x0) * (y1 - y0))
    return surface.domain if area > fill else (tuple(box[0]), tuple(box[1]))


# ----------------------------------------------------------------------------------------- the loss


def suboptimality(surface, loss: np.ndarray):
    """The loss panel plots f − f* on a log axis where the global minimum is known, else f itself."""
    if not surface.minima:
        return loss, False
    f_star = float(surface.f(np.array(surface.minima[0])))
    return np.maximum(loss - f_star, 1e-16), True


def loss_axis_range(surface, runs: Mapping):
    """The loss panel's range, so that a run that diverges or falls without bound cannot squash the
    others: on the log axis of f − f*, from the lowest value reached (but at most ``LOSS_DECADES``
    below the top, so that one run converging to 1e-12 does not flatten the rest) to a hundred times
    the highest starting value (log10 units); on a linear axis of f, from the lowest value reached, but not below
    the lowest value on the map (a run that leaves the map leaves the panel too), to the highest
    starting value, with a margin."""
    if not runs:
        return None
    curves = [suboptimality(surface, t.loss[:, 0])[0] for t in runs.values()]
    finite = [c[np.isfinite(c)] for c in curves]
    start = max(float(c[0]) for c in finite if len(c))
    low = min(float(np.min(c)) for c in finite if len(c))
    if surface.minima:
        top = np.log10(max(start, 1e-16)) + 2.0
        return [max(np.log10(max(low, 1e-16)) - 0.3, top - LOSS_DECADES), top]
    _, _, z = surface_grid(surface)
    floor = float(np.nanmin(z))
    high = max(float(np.max(c)) for c in finite if len(c))
    high = min(high, start + abs(start - floor) + 1e-9)
    low = max(low, floor)
    span = max(high - low, 1e-9)
    return [low - 0.05 * span, high + 0.1 * span]


def exit_point(domain, path: np.ndarray) -> tuple[float, float]:
    """Where a diverging path leaves the map: its last point inside the domain, or its last finite
    point clipped to the domain's edge if it never was inside."""
    (x0, x1), (y0, y1) = domain
    inside = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
    outside = np.flatnonzero(~inside)
    k = (outside[0] - 1 if outside.size else len(path) - 1)
    p = path[max(k, 0)] if k >= 0 and inside[k] else np.clip(path[-1], (x0, y0), (x1, y1))
    return float(p[0]), float(p[1])


# ----------------------------------------------------------------------------------------- frames


def frame_steps(steps: int, frames: int = FRAMES) -> np.ndarray:
    """The steps the animation stops at: 0, evenly spaced steps, and always the last."""
    return np.unique(np.round(np.linspace(0, steps, min(frames, max(steps, 1)) + 1)).astype(int))


def trail_indices(at: np.ndarray, points: int = TRAIL_POINTS) -> np.ndarray:
    """For each frame step, the ``points`` consecutive steps ending there (clamped at step 0)."""
    return np.maximum(at[:, None] - np.arange(points - 1, -1, -1)[None, :], 0)


def checkpoint_every(frames: int) -> int:
    """Frames between checkpoints: the past is sent ``frames / C`` times, the recent part holds up to
    ``C`` frames' worth of path; ``sqrt(2 frames)`` balances the two."""
    return max(1, round(math.sqrt(2 * frames)))


def breakpoints(values: np.ndarray) -> np.ndarray:
    """Indices where a curve stops being a straight line: a constant or piecewise-linear learning
    rate needs only its corners."""
    if len(values) < 3:
        return np.arange(len(values))
    bend = np.abs(np.diff(values, 2)) > 1e-12 * max(float(np.max(np.abs(values))), 1e-300)
    keep = np.zeros(len(values), dtype=bool)
    keep[[0, -1]] = True
    keep[1:-1] |= bend
    return np.flatnonzero(keep)


class Growing:
    """Polylines drawn up to a step: ``lines`` are arrays (n_i, 2) whose row k is step k, each kept
    as its simplified vertices (``tolerance`` per coordinate); ``segment(a, b)`` is every line from
    step a to step b (its exact points at a and b, the kept vertices between), lines joined by a NaN
    row. ``log_y``: the lines hold log10 of y (simplified as the log axis shows them), sent as y."""

    def __init__(self, lines: Sequence[np.ndarray], tolerance: tuple[float, float], log_y: bool = False):
        self.lines = lines
        self.log_y = log_y
        scale = np.array(tolerance, dtype=float)
        self.kept = [simplify(line / scale, 1.0) for line in lines]

    def segment(self, a: int, b: int) -> np.ndarray:
        parts = []
        for line, kept in zip(self.lines, self.kept, strict=True):
            last = len(line) - 1
            if last < 0 or a > last:
                continue
            hi = min(b, last)
            inner = kept[(kept > a) & (kept < hi)]
            parts += [line[np.concatenate([[a], inner, [hi]]).astype(int) if hi > a else [a]],
                      np.full((1, 2), np.nan)]
        out = np.concatenate(parts[:-1]) if parts else np.zeros((0, 2))
        if self.log_y:
            out = np.stack([out[:, 0], 10.0 ** out[:, 1]], -1)
        return out


def _f32(a) -> dict:
    """A float32 typed array as Plotly's JSON carries it (base64), built without Plotly's checks.
    Values beyond float32's range (a diverging run) are clipped rather than sent as infinities."""
    a = np.clip(np.asarray(a, dtype=float), -3e38, 3e38).astype(np.float32)  # NaN stays NaN: a gap
    return {"dtype": "f4", "bdata": base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii"),
            **({"shape": ",".join(map(str, a.shape))} if a.ndim > 1 else {})}


def _xy(points: np.ndarray) -> dict:
    return dict(x=_f32(points[:, 0]), y=_f32(points[:, 1]))


def _scatter(**kw) -> dict:
    return dict(type="scatter", **kw)


def _display(xy: np.ndarray, domain) -> np.ndarray:
    """A path up to its first point that is not finite, clipped to a box five map widths around the
    domain: a diverging path still leaves the map in its direction, and no renderer sees 1e300."""
    (x0, x1), (y0, y1) = domain
    w, h = x1 - x0, y1 - y0
    bad = np.flatnonzero(~np.isfinite(xy).all(1))
    return np.clip(xy[: bad[0] if bad.size else len(xy)], (x0 - 5 * w, y0 - 5 * h), (x1 + 5 * w, y1 + 5 * h))


def _clip_curve(values: np.ndarray, limits, log: bool) -> np.ndarray:
    """A loss curve clipped far outside its panel, as the panel shows it (log10 on a log axis)."""
    lo, hi = limits
    shown = np.log10(values) if log else values
    span = hi - lo
    return np.clip(shown, lo - 10 * span, hi + 10 * span)


# ----------------------------------------------------------------------------------------- figure


def _inside(pts: np.ndarray, view) -> np.ndarray:
    (x0, x1), (y0, y1) = view
    return pts[(pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)]


def quiet_corner(view, paths: Sequence[np.ndarray]) -> tuple[float, float]:
    """The corner of the map (paper units of the map's axes, 0 or 1 each) farthest from every path,
    where the map's own legend hides the least."""
    (x0, x1), (y0, y1) = view
    pts = np.concatenate([np.zeros((0, 2)), *paths])
    unit = (pts - (x0, y0)) / (x1 - x0, y1 - y0) if len(pts) else np.zeros((0, 2))

    def room(corner):
        return float(np.min(np.hypot(*(unit - corner).T))) if len(unit) else 1.0

    return max(((0.0, 1.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0)), key=room)


def _marker_traces(surface, view, starts: np.ndarray, style: Style) -> list[dict]:
    """Start, minima and saddles on the map, each named in the map's legend."""
    minima = np.array(surface.minima, dtype=float).reshape(-1, 2)
    with np.errstate(all="ignore"):
        heights = surface.f(minima)
    is_global = np.isclose(heights, heights[:1], rtol=1e-9, atol=1e-12) if len(minima) else np.zeros(0, bool)
    marks = ((starts, "start", "circle", style.head, "white", 2.5),
             (minima[is_global], "global minimum", "star", style.head + 7, "white", 1.5),
             (minima[~is_global], "local minimum", "star-open", style.head + 3, "#222", 1.5),
             (np.array(surface.saddles, dtype=float).reshape(-1, 2), "saddle point", "x-thin-open", style.head + 2,
              "#222", 3.0))
    traces = []
    for pts, name, symbol, size, color, width in marks:
        pts = _inside(pts, view)
        if len(pts):
            traces.append(_scatter(
                x=pts[:, 0].tolist(), y=pts[:, 1].tolist(), mode="markers", name=name, legend="legend2",
                cliponaxis=True,
                marker=dict(symbol=symbol, size=size, color=color, line=dict(width=width, color="#222")),
                hovertemplate=f"{name} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>"))
    return traces


def _map_traces(surface, view) -> list[dict]:
    return [_scatter(**_xy(outline), mode="lines", fill="toself", fillcolor=color, uid=f"surface-{i}",
                     line=dict(width=0.8, color=CONTOUR_LINE), hoverinfo="skip", showlegend=False, name="surface")
            for i, (_, color, outline) in enumerate(surface_layers(surface, view))]


def controls(style: Style, at: np.ndarray, *, redraw: bool = False, speeds: Mapping[str, int] = SPEEDS,
             hint: str = HINT, title: str | None = None) -> dict:
    """The control bar above the panels and the legend above it, as layout entries: a one-line hint,
    Play, Pause and speed buttons, and the step slider (no tick labels, the step shown beside it),
    with the top margin they need. Positions are pixels above the panels in paper units."""
    frame_args = {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate", "transition": {"duration": 0}}

    def play(ms: int) -> list:
        return [None, {"frame": {"duration": ms, "redraw": redraw}, "fromcurrent": True,
                       "transition": {"duration": 0}, "mode": "immediate"}]

    em, h = style.font, style.plot_height

    def above(px: float) -> float:
        return 1 + px / h

    bar = style.button + 16  # a row of buttons, 12 px above the panels
    hint_at = bar + 24  # clear of the slider's step label, beside it on the same row
    legend_at = hint_at + em + 10
    buttons = [dict(label="▶ Play", method="animate", args=play(60 if not redraw else 120)),
               dict(label="❚❚ Pause", method="animate", args=[[None], frame_args]),
               *[dict(label=name, method="animate", args=play(ms)) for name, ms in speeds.items()]]
    return dict(
        top=legend_at + 2 * (em + 10) + MODEBAR + (em + 16 if title else 0),
        title=dict(text=title, x=0.01, y=0.995, yanchor="top", font=dict(size=em + 4)) if title else None,
        legend=dict(orientation="h", x=0.0, xanchor="left", y=above(legend_at), yanchor="bottom",
                    font=dict(size=em), tracegroupgap=0, itemwidth=40),
        annotations=[dict(text=hint, xref="paper", yref="paper", x=0.0, y=above(hint_at), xanchor="left",
                          yanchor="bottom", showarrow=False, font=dict(size=em, color="#333"))],
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=above(12), xanchor="left", yanchor="bottom",
                          pad=dict(t=0, r=4, l=0, b=0), showactive=False, bgcolor="white",
                          font=dict(size=style.button), buttons=buttons)],
        sliders=[dict(
            active=0, x=0.44, len=0.56, y=above(12), yanchor="bottom", pad=dict(t=0, b=0, l=0, r=0),
            currentvalue=dict(prefix="step ", suffix=f" of {int(at[-1])}", xanchor="right", offset=2,
                              font=dict(size=em, color="#111")),
            font=dict(size=1, color="rgba(0,0,0,0)"), ticklen=0, minorticklen=0, tickwidth=0,  # no room for labels
            transition=dict(duration=0),
            steps=[dict(label=str(int(s)), method="animate", args=[[str(int(s))], frame_args]) for s in at],
        )],
    )


LR_PANEL = 0.22  # the learning-rate panel's share of the panels' height


def lr_axis(runs: Mapping, labels: int = 3) -> dict:
    """The learning-rate panel's axis: logarithmic where the rates differ by ten times or more (a run
    at lr 0.001 beside one at 1 keeps its line off the floor), with a tick every 1, 2, 3, 5… decades
    so that at most ``labels`` tick labels share the panel's height; else linear from zero."""
    rates = np.concatenate([np.ravel(t.lr) for t in runs.values()] or [np.ones(1)])
    rates = rates[np.isfinite(rates)]
    if not (rates.size and rates.min() > 0 and rates.max() >= 10 * rates.min()):
        return dict(type="linear", rangemode="tozero", nticks=max(labels, 2))
    lo, hi = float(np.log10(rates.min())), float(np.log10(rates.max()))
    pad = 0.12 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    dtick = next(d for d in (1, 2, 3, 5, 10, 20, 50, 100) if math.floor(hi / d) - math.ceil(lo / d) + 1 <= labels)
    return dict(type="log", range=[lo, hi], dtick=dtick)


def _cursor_span(axis: dict, runs: Mapping) -> list[float]:
    """The step cursor's ends on the learning-rate panel: its whole height."""
    if axis["type"] == "log":
        return [10.0 ** axis["range"][0], 10.0 ** axis["range"][1]]
    top = max((float(np.max(t.lr, initial=0.0)) for t in runs.values()), default=1.0) or 1.0
    return [0.0, top * 1.05]


def _layout(surface, view, style: Style, loss_log: bool, loss_range, at: np.ndarray, title: str | None,
            loss_title: str, corner: tuple[float, float], rate_axis: dict, clickable: bool):
    """The map on the left, the loss and learning-rate panels on the right, under the controls; the
    legend of the map's markers sits in the map's quietest corner. ``clickable``: the hint says that a
    click on the map starts the runs there."""
    axis = dict(showgrid=False, zeroline=False, ticks="outside", mirror=True, showline=True, linecolor="#888",
                title_standoff=4)
    em = style.font
    bar = controls(style, at, title=title, hint=CLICK_HINT if clickable else HINT)
    top = bar.pop("top")
    bottom = 2 * em + 26
    return dict(
        height=style.plot_height + top + bottom,
        margin=dict(l=12 + 4 * em, r=16, t=top, b=bottom, autoexpand=True),
        font=dict(size=em),
        plot_bgcolor="white",
        hovermode="closest",
        dragmode="pan",
        clickmode="none",  # no data point is selected by a click (Streamlit would set this and draw again)
        uirevision=surface.key,
        legend2=dict(x=0.005 + 0.57 * corner[0], xanchor="right" if corner[0] else "left",
                     y=0.005 + 0.99 * corner[1], yanchor="top" if corner[1] else "bottom",
                     bgcolor="rgba(255,255,255,0.85)",
                     bordercolor="#bbb", borderwidth=1, font=dict(size=em - 1), itemclick=False,
                     itemdoubleclick=False),
        xaxis=dict(domain=[0.0, 0.58], range=list(view[0]), title=dict(text="x"), **axis),
        yaxis=dict(domain=[0.0, 1.0], range=list(view[1]), title=dict(text="y"), **axis),
        xaxis2=dict(domain=[0.68, 1.0], anchor="y2", matches="x3", title=dict(text="step"), **axis),
        yaxis2=dict(domain=[0.47, 1.0], anchor="x2", type="log" if loss_log else "linear",
                    title=dict(text=loss_title), exponentformat="power", range=loss_range, **axis),
        xaxis3=dict(domain=[0.68, 1.0], anchor="y3", title=dict(text="step"), **axis),
        yaxis3=dict(domain=[0.0, LR_PANEL], anchor="x3", title=dict(text="learning rate"), exponentformat="power",
                    **rate_axis, **axis),
        **dict(bar, annotations=[*bar["annotations"], dict(
            text=LOSS_NOTE if loss_log else "f: the loss itself (no minimum known)", xref="x2 domain",
            yref="y2 domain", x=0.98, y=0.98, xanchor="right", yanchor="top", showarrow=False,
            font=dict(size=em - 2, color="#333"), bgcolor="rgba(255,255,255,0.8)")]),
    )


def trajectory_figure(surface, runs: Mapping, *, colors: Mapping | None = None, keys: Mapping | None = None,
                      bands: Mapping | None = None, presentation: bool = False, clickable: bool = False,
                      frames: int = FRAMES, title: str | None = None, glyphs=None) -> go.Figure:
    """The animated figure for ``runs``, a mapping from legend label to Trajectory (its first start).

    Colours follow each run's optimizer (``keys`` maps a label to its optimizer key, else the label is
    read; ``colors`` maps labels to colours that override). ``bands`` maps a label to an array of
    extra paths (seeds, steps + 1, 2), drawn faint around that run and unfolding with it.
    ``clickable`` says in the hint that a click on the map starts the runs there (a page that does so:
    ui.workarounds.map_clicks). Frame k draws every path and loss curve up to its step
    and nothing after.
    ``glyphs`` (``viz.glyphs.glyph_layer``): a function ``(view, at, style, looks) -> (traces, frame)``
    whose traces are drawn over the paths and under the heads, ``frame(step)`` giving their data.
    """
    if isinstance(frames, bool) or not isinstance(frames, int) or not 1 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames must be a whole number from 1 to {MAX_FRAMES}, not {frames!r}")
    if len(runs) > MAX_FIGURE_RUNS:
        raise ValueError(f"a figure shows at most {MAX_FIGURE_RUNS} runs, not {len(runs)}")
    style = Style.for_mode(presentation)
    labels = list(runs)
    looks = run_styles(labels, keys, colors)
    steps = max((runs[k].xy.shape[0] - 1 for k in labels), default=0)
    at = frame_steps(steps, frames)
    every = checkpoint_every(len(at))
    view = view_box(surface, runs)
    loss_log = bool(surface.minima)
    loss_range = loss_axis_range(surface, runs) or [0.0, 1.0]
    width = (view[0][1] - view[0][0], view[1][1] - view[1][0])
    starts = np.unique(np.array([runs[k].xy[0, 0] for k in labels]).reshape(-1, 2), axis=0)

    data = _map_traces(surface, view)
    map_tolerance = (PIXEL * width[0], PIXEL * width[1])
    loss_tolerance = (3 * PIXEL * max(steps, 1), 3 * PIXEL * (loss_range[1] - loss_range[0]))
    growing: list[tuple[Growing, int, int]] = []  # (lines, index of the past trace, of the recent trace)
    ends = []
    for label in labels:
        traj, look = runs[label], looks[label]
        last = int(traj.diverged_at[0]) if traj.diverged[0] else traj.xy.shape[0]
        xy = _display(traj.xy[:last, 0], surface.domain)
        loss, _ = suboptimality(surface, traj.loss[:last, 0])
        curve = np.stack([np.arange(len(loss), dtype=float), _clip_curve(loss, loss_range, loss_log)], -1)
        line = dict(color=look.color, width=style.line, dash=look.dash)
        on_map = dict(xaxis="x", yaxis="y", hovertemplate=f"{label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>")
        pieces = [(Growing([xy], map_tolerance), dict(on_map, line=line, showlegend=True)),
                  (Growing([curve], loss_tolerance, log_y=loss_log),
                   dict(xaxis="x2", yaxis="y2", line=line, hoverinfo="skip"))]
        extra = [_display(b, surface.domain) for b in (bands or {}).get(label, ())]
        if extra:
            pieces.append((Growing(extra, map_tolerance),
                           dict(xaxis="x", yaxis="y", opacity=0.3, line=dict(line, width=style.line * 0.5),
                                hoverinfo="skip")))
        for lines, where in pieces:
            start = _xy(lines.segment(0, 0))
            data.append(_scatter(mode="lines", legendgroup=label, name=label, **{"showlegend": False, **where},
                                 **start))
            data.append(_scatter(mode="lines", legendgroup=label, name=label, **dict(where, showlegend=False),
                                 **start))
            growing.append((lines, len(data) - 2, len(data) - 1))
        corners = breakpoints(traj.lr)
        data.append(_scatter(x=corners.tolist(), y=_f32(traj.lr[corners]), mode="lines", xaxis="x3", yaxis="y3",
                             showlegend=False, legendgroup=label, line=line, name=label,
                             hovertemplate=f"{label}<br>step %{{x}}: lr %{{y:.4g}}<extra></extra>"))
        ends.append((traj, xy, loss, last))
    data += _marker_traces(surface, view, starts, style)
    layer, at_step = glyphs(view, at, style, looks) if glyphs else ([], lambda step: [])
    layer_indices = list(range(len(data), len(data) + len(layer)))
    data += layer

    rate_axis = lr_axis(runs, max(2, int(LR_PANEL * style.plot_height / (2.2 * style.font))))
    run_colors = [looks[k].color for k in labels]
    animated = [
        _scatter(mode="markers", showlegend=False, customdata=labels, name="heads",
                 marker=dict(color=run_colors, size=style.head, line=dict(width=1.5, color="white")),
                 hovertemplate="%{customdata}<br>(%{x:.4g}, %{y:.4g})<extra></extra>"),
        _scatter(mode="markers", xaxis="x2", yaxis="y2", showlegend=False, name="loss heads", customdata=labels,
                 marker=dict(color=run_colors, size=style.head - 2, line=dict(width=1, color="white")),
                 hovertemplate="%{customdata}<br>step %{x}: %{y:.4g}<extra></extra>"),
        _scatter(mode="lines", xaxis="x3", yaxis="y3", showlegend=False, hoverinfo="skip",
                 y=_cursor_span(rate_axis, runs), line=dict(color="#555", width=1, dash="dot"), name="step cursor"),
        _scatter(mode="markers+text", showlegend=False, hoverinfo="text", cliponaxis=False, name="diverged",
                 textposition="top center", textfont=dict(size=style.font),
                 marker=dict(symbol="x-thin", size=style.head + 8, line=dict(width=3))),
    ]

    def moving(step: int) -> list[dict]:
        heads, loss_heads, gone = [], [], []
        for label, (traj, xy, loss, last) in zip(labels, ends, strict=True):
            k = min(step, len(xy) - 1)
            heads.append(xy[k])
            loss_heads.append(loss[min(step, len(loss) - 1)])
            if traj.diverged[0] and step >= last:
                gone.append((label, exit_point(surface.domain, traj.xy[:last, 0]), last))
        heads = np.array(heads).reshape(-1, 2)
        return [dict(_xy(heads)),
                dict(x=_f32([min(step, len(e[2]) - 1) for e in ends]), y=_f32(loss_heads)),
                dict(x=[step, step]),
                dict(x=[g[1][0] for g in gone], y=[g[1][1] for g in gone],
                     text=[f"diverged at step {g[2]}" for g in gone],
                     marker=dict(color=[looks[g[0]].color for g in gone]),
                     textfont=dict(color=[looks[g[0]].color for g in gone]))]

    for trace, now in zip(animated, moving(0), strict=True):
        trace.update({k: dict(trace.get(k, {}), **v) if isinstance(v, dict) and "dtype" not in v else v
                      for k, v in now.items()})
    first = len(data)
    data += animated
    moving_indices = list(range(first, len(data)))
    recent_indices = [recent for _, _, recent in growing]
    past_indices = [past for _, past, _ in growing]
    frames_out = []
    for f, s in enumerate(at):
        checkpoint = (f // every) * every
        mark = int(at[checkpoint])
        recent = [_xy(lines.segment(mark, int(s))) for lines, _, _ in growing]
        frame = dict(name=str(int(s)), data=recent + moving(int(s)) + at_step(int(s)),
                     traces=recent_indices + moving_indices + layer_indices)
        if f == checkpoint:
            frame["data"] += [_xy(lines.segment(0, mark)) for lines, _, _ in growing]
            frame["traces"] = frame["traces"] + past_indices
        else:
            frame["baseframe"] = str(mark)
        frames_out.append(frame)
    loss_title = "f − f*" if loss_log else "f"
    corner = quiet_corner(view, [e[1] for e in ends])
    layout = _layout(surface, view, style, loss_log, loss_range, at, title, loss_title, corner, rate_axis, clickable)
    return AnimatedFigure(data, layout, frames_out)


class AnimatedFigure(go.Figure):
    """A Plotly figure whose frames stay the plain dicts they were built as. Plotly turns every frame's
    traces into validating objects (a third of a second for a hundred frames of thirty traces) and
    deep-copies them again in ``to_dict``, which Streamlit and ``plotly.io`` call; here ``to_dict``
    adds the frames as they are. ``frames`` is therefore empty: read them from ``to_dict()``."""

    def __init__(self, data: list[dict], layout: dict, frames: list[dict]):
        super().__init__(dict(data=data, layout=layout), _validate=False)
        self._plain_frames = frames

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["frames"] = [dict(f) for f in self._plain_frames]
        return out


def schedule_figure(lrs: np.ndarray) -> go.Figure:
    """The small curve of a schedule's learning rate (relative to each run's) over the steps."""
    corners = breakpoints(lrs)
    fig = go.Figure(go.Scatter(x=corners, y=lrs[corners], mode="lines", line=dict(color="#1f6feb", width=2),
                               hovertemplate="step %{x}: ×%{y:.3g}<extra></extra>"))
    fig.update_layout(height=130, margin=dict(l=40, r=10, t=10, b=30), plot_bgcolor="white",
                      xaxis=dict(title=None, showline=True, linecolor="#888"),
                      yaxis=dict(title=None, rangemode="tozero", showline=True, linecolor="#888"))
    return fig
