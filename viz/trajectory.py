"""The animated trajectory figure: a contour map with every run racing across it, beside a loss panel
and a learning-rate panel that follow the same slider. Played by Plotly in the browser.

Size is what makes such a figure slow, so the builder sends only what changes: the contour, the full
faint paths and the loss and learning-rate curves once, and per frame only each run's short trail and
head. Arrays go out as float32 (Plotly encodes them as base64), curves use ``x0``/``dx`` instead of a
step array, and the figure is assembled as plain dicts without Plotly's per-property validation.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

PALETTE = ("#e6194b", "#f58231", "#3cb44b", "#911eb4", "#f032e6", "#9a6324", "#00a3a3", "#bfa300",
           "#111111", "#4363d8", "#800000", "#808000")
MAP_COLORSCALE = [[0.0, "#1d3461"], [0.2, "#3f6aa3"], [0.45, "#8fb3d9"], [0.7, "#d6e4f0"], [1.0, "#fbfcfd"]]
FRAMES = 100
MAX_FRAMES = 400
CLICK_GRID = 31  # points per side of the invisible grid that turns a click into a start point
MAX_FIGURE_RUNS = 24
TRAIL_POINTS = 16
SPEEDS = {"0.5×": 120, "1×": 60, "2×": 30, "4×": 12}  # milliseconds per frame


@dataclass(frozen=True)
class Style:
    """Sizes for a laptop screen or, with ``presentation``, for a projector at the back of a room."""

    font: int = 13
    line: float = 2.0
    head: int = 11
    trail: int = 7
    height: int = 620

    @classmethod
    def for_mode(cls, presentation: bool) -> Style:
        return cls(font=20, line=4.0, head=18, trail=11, height=760) if presentation else cls()


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


def suboptimality(surface, loss: np.ndarray):
    """The loss panel plots f − f* on a log axis where the global minimum is known, else f itself."""
    if not surface.minima:
        return loss, False
    f_star = float(surface.f(np.array(surface.minima[0])))
    return np.maximum(loss - f_star, 1e-16), True


def exit_point(domain, path: np.ndarray) -> tuple[float, float]:
    """Where a diverging path leaves the map: its last point inside the domain, or its last finite
    point clipped to the domain's edge if it never was inside."""
    (x0, x1), (y0, y1) = domain
    inside = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
    outside = np.flatnonzero(~inside)
    k = (outside[0] - 1 if outside.size else len(path) - 1)
    p = path[max(k, 0)] if k >= 0 and inside[k] else np.clip(path[-1], (x0, y0), (x1, y1))
    return float(p[0]), float(p[1])


def loss_axis_range(surface, runs: Mapping):
    """The loss panel's range, so that a diverging run cannot squash the others: from the lowest
    value reached to a hundred times the highest starting value (log10 units on a log axis)."""
    if not runs:
        return None
    curves = [suboptimality(surface, t.loss[:, 0])[0] for t in runs.values()]
    start = max(float(c[0]) for c in curves)
    low = min(float(np.nanmin(c)) for c in curves)
    if surface.minima:
        return [np.log10(max(low, 1e-16)) - 0.3, np.log10(max(start, 1e-16)) + 2.0]
    span = max(start - low, 1e-9)
    return [low - 0.05 * span, start + 0.5 * span]


def frame_steps(steps: int, frames: int = FRAMES) -> np.ndarray:
    """The steps the animation stops at: 0, evenly spaced steps, and always the last."""
    return np.unique(np.round(np.linspace(0, steps, min(frames, max(steps, 1)) + 1)).astype(int))


def trail_indices(at: np.ndarray, points: int = TRAIL_POINTS) -> np.ndarray:
    """For each frame step, the ``points`` consecutive steps ending there (clamped at step 0)."""
    return np.maximum(at[:, None] - np.arange(points - 1, -1, -1)[None, :], 0)


def visible_points(xy: np.ndarray, domain, cells: int = 2000) -> np.ndarray:
    """Indices of the path points worth drawing: a point is dropped when it falls in the same cell
    of a ``cells`` x ``cells`` grid over the domain as the point before it (far below a pixel), so a
    converged run's thousands of tiny steps cost nothing while a zig-zag keeps every corner."""
    (x0, x1), (y0, y1) = domain
    with np.errstate(all="ignore"):
        cell = np.floor((xy - (x0, y0)) / ((x1 - x0) / cells, (y1 - y0) / cells))
    moved = np.ones(len(xy), dtype=bool)
    moved[1:] = np.any(cell[1:] != cell[:-1], axis=1) | ~np.isfinite(cell[1:]).all(axis=1)
    moved[-1] = True
    return np.flatnonzero(moved)


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


def _f32(a) -> dict:
    """A float32 typed array as Plotly's JSON carries it (base64), built without Plotly's checks.
    Values beyond float32's range (a diverging run) are clipped rather than sent as infinities."""
    a = np.clip(np.asarray(a, dtype=float), -3e38, 3e38).astype(np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii"),
            **({"shape": ",".join(map(str, a.shape))} if a.ndim > 1 else {})}


def _scatter(**kw) -> dict:
    return dict(type="scatter", **kw)


def _map_traces(surface, style: Style, clickable: bool):
    xs, ys, z = surface_grid(surface)
    shown = map_values(surface, z)
    contour = dict(
        type="contour", x=_f32(xs), y=_f32(ys), z=_f32(shown), colorscale=MAP_COLORSCALE, ncontours=28,
        line=dict(width=0.6, color="rgba(255,255,255,0.35)"), hoverinfo="skip", showscale=False,
    )
    traces = [contour]
    minima = np.array(surface.minima, dtype=float).reshape(-1, 2)
    with np.errstate(all="ignore"):
        heights = surface.f(minima)
    is_global = np.isclose(heights, heights[:1], rtol=1e-9, atol=1e-12) if len(minima) else np.zeros(0, bool)
    marks = ((minima[is_global], "global minimum", "star", style.head + 6, "white"),
             (minima[~is_global], "local minimum", "circle", style.head - 2, "white"),
             (np.array(surface.saddles, dtype=float).reshape(-1, 2), "saddle point", "x", style.head + 2, "#222"))
    for pts, name, symbol, size, color in marks:
        traces.append(_scatter(
            x=pts[:, 0].tolist(), y=pts[:, 1].tolist(), mode="markers", name=name, showlegend=False,
            marker=dict(symbol=symbol, size=size, color=color, line=dict(width=1.5, color="#222")),
            hovertemplate=f"{name} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>"))
    if clickable:
        gx, gy = np.meshgrid(np.linspace(*surface.domain[0], CLICK_GRID), np.linspace(*surface.domain[1], CLICK_GRID))
        traces.append(_scatter(
            x=_f32(gx.ravel()), y=_f32(gy.ravel()), mode="markers", name="start here", showlegend=False,
            marker=dict(size=14, opacity=0.0, color="white"),
            hovertemplate="click to start at (%{x:.3g}, %{y:.3g})<extra></extra>"))
    return traces


def _layout(surface, style: Style, loss_log: bool, loss_range, at: np.ndarray, title: str | None, n_runs: int):
    (x0, x1), (y0, y1) = surface.domain
    axis = dict(showgrid=False, zeroline=False, ticks="outside", mirror=True, showline=True, linecolor="#888")
    frame_args = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    speed_buttons = [
        dict(label=f"▶ {name}", method="animate",
             args=[None, {"frame": {"duration": ms, "redraw": False}, "fromcurrent": True,
                          "transition": {"duration": 0}, "mode": "immediate"}])
        for name, ms in SPEEDS.items()
    ]
    legend_rows = (n_runs + 3) // 4
    top = 30 + 24 * legend_rows + (40 if title else 0)
    return dict(
        height=style.height + 24 * legend_rows,
        margin=dict(l=60, r=20, t=top, b=110),
        title=dict(text=title, x=0.01, y=0.99, yanchor="top", font=dict(size=style.font + 4)) if title else None,
        font=dict(size=style.font),
        plot_bgcolor="white",
        hovermode="closest",
        dragmode="pan",
        uirevision=surface.key,
        legend=dict(orientation="h", x=0.0, y=1.0, yanchor="bottom", font=dict(size=style.font)),
        xaxis=dict(domain=[0.0, 0.6], range=[x0, x1], title="x", **axis),
        yaxis=dict(domain=[0.0, 1.0], range=[y0, y1], title="y", **axis),
        xaxis2=dict(domain=[0.7, 1.0], anchor="y2", title=None, matches="x3", showticklabels=False, **axis),
        yaxis2=dict(domain=[0.38, 1.0], anchor="x2", type="log" if loss_log else "linear",
                    title="f − f*" if loss_log else "f", exponentformat="power", range=loss_range, **axis),
        xaxis3=dict(domain=[0.7, 1.0], anchor="y3", title="step", **axis),
        yaxis3=dict(domain=[0.0, 0.27], anchor="x3", title="learning rate", exponentformat="power",
                    rangemode="tozero", **axis),
        updatemenus=[
            dict(type="buttons", direction="left", x=0.0, y=-0.07, xanchor="left", yanchor="top",
                 pad=dict(t=0, r=4), showactive=False, bgcolor="white", font=dict(size=style.font),
                 buttons=[speed_buttons[1],
                          dict(label="❚❚ Pause", method="animate", args=[[None], frame_args]),
                          *[b for i, b in enumerate(speed_buttons) if i != 1]]),
        ],
        sliders=[dict(
            active=0, x=0.0, len=1.0, y=-0.16, yanchor="top", pad=dict(t=0, b=0),
            currentvalue=dict(prefix="step ", xanchor="right", font=dict(size=style.font)),
            transition=dict(duration=0),
            steps=[dict(label=str(int(s)), method="animate", args=[[str(int(s))], frame_args]) for s in at],
        )],
    )


def trajectory_figure(surface, runs: Mapping, *, colors: Mapping | None = None, bands: Mapping | None = None,
                      presentation: bool = False, clickable: bool = False, frames: int = FRAMES,
                      title: str | None = None) -> go.Figure:
    """The animated figure for ``runs``, a mapping from legend label to Trajectory (its first start).

    ``colors`` maps labels to colours (default: the palette in order); ``bands`` maps a label to an
    array of extra paths (seeds, steps + 1, 2), drawn as a faint band around that run. ``clickable``
    lays an invisible grid of selectable points over the map, so a click can set the start point.
    Every frame moves four traces that hold all runs at once: the trails, the heads, the heads on
    the loss curves and the step cursor on the learning-rate panel.
    """
    if isinstance(frames, bool) or not isinstance(frames, int) or not 1 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames must be a whole number from 1 to {MAX_FRAMES}, not {frames!r}")
    if len(runs) > MAX_FIGURE_RUNS:
        raise ValueError(f"a figure shows at most {MAX_FIGURE_RUNS} runs, not {len(runs)}")
    style = Style.for_mode(presentation)
    labels = list(runs)
    colors = {label: (colors or {}).get(label, PALETTE[i % len(PALETTE)]) for i, label in enumerate(labels)}
    steps = max((runs[k].xy.shape[0] - 1 for k in labels), default=0)
    at = frame_steps(steps, frames)
    trail_at = trail_indices(at)

    data = _map_traces(surface, style, clickable)
    trails, heads, loss_heads = [], [], []
    for label in labels:
        traj, color = runs[label], colors[label]
        xy = traj.xy[:, 0]
        last = xy.shape[0] - 1
        loss, _ = suboptimality(surface, traj.loss[:, 0])
        for extra in (bands or {}).get(label, ()):
            data.append(_scatter(x=_f32(extra[:, 0]), y=_f32(extra[:, 1]), mode="lines", showlegend=False,
                                 line=dict(color=color, width=style.line * 0.5), opacity=0.2,
                                 hoverinfo="skip", legendgroup=label))
        shown = visible_points(xy, surface.domain)
        data.append(_scatter(x=_f32(xy[shown, 0]), y=_f32(xy[shown, 1]), mode="lines", name=label, legendgroup=label,
                             line=dict(color=color, width=style.line * 0.75), opacity=0.7,
                             hovertemplate=f"{label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>"))
        if traj.diverged[0]:
            k = int(traj.diverged_at[0])
            where = exit_point(surface.domain, xy[:k])
            data.append(_scatter(
                x=[where[0]], y=[where[1]], mode="markers+text", showlegend=False,
                text=[f"diverged at step {k}"], textposition="top center", legendgroup=label,
                textfont=dict(color=color, size=style.font), hoverinfo="text", cliponaxis=False,
                marker=dict(symbol="x-thin", size=style.head + 8, line=dict(width=3, color=color))))
        data.append(_scatter(y=_f32(loss), x0=0, dx=1, mode="lines", xaxis="x2", yaxis="y2", showlegend=False,
                             legendgroup=label, line=dict(color=color, width=style.line),
                             hovertemplate=f"{label}<br>step %{{x}}: %{{y:.4g}}<extra></extra>"))
        corners = breakpoints(traj.lr)
        data.append(_scatter(x=corners.tolist(), y=_f32(traj.lr[corners]), mode="lines", xaxis="x3", yaxis="y3",
                             showlegend=False, legendgroup=label, line=dict(color=color, width=style.line),
                             hovertemplate=f"{label}<br>step %{{x}}: lr %{{y:.4g}}<extra></extra>"))
        trails.append(xy[np.minimum(trail_at, last)])
        heads.append(xy[np.minimum(at, last)])
        loss_heads.append(loss[np.minimum(at, last)])
    trails = np.stack(trails, axis=1).reshape(len(at), -1, 2) if labels else np.zeros((len(at), 0, 2))
    heads = np.stack(heads, axis=1) if labels else np.zeros((len(at), 0, 2))
    loss_heads = np.stack(loss_heads, axis=1) if labels else np.zeros((len(at), 0))
    ramp = np.linspace(0.08, 1.0, TRAIL_POINTS)
    run_colors = [colors[k] for k in labels]
    lr_top = max((float(np.max(runs[k].lr, initial=0.0)) for k in labels), default=1.0) or 1.0

    animated = [
        _scatter(mode="markers", showlegend=False, hoverinfo="skip",
                 marker=dict(color=[c for c in run_colors for _ in ramp],
                             size=np.tile(ramp * style.trail, len(labels)).tolist(),
                             opacity=np.tile(ramp, len(labels)).tolist(), line=dict(width=0))),
        _scatter(mode="markers", showlegend=False, customdata=labels,
                 marker=dict(color=run_colors, size=style.head, line=dict(width=1.5, color="white")),
                 hovertemplate="%{customdata}<br>(%{x:.4g}, %{y:.4g})<extra></extra>"),
        _scatter(mode="markers", xaxis="x2", yaxis="y2", showlegend=False, hoverinfo="skip",
                 marker=dict(color=run_colors, size=style.head - 2, line=dict(width=1, color="white"))),
        _scatter(mode="lines", xaxis="x3", yaxis="y3", showlegend=False, hoverinfo="skip", y=[0, lr_top * 1.05],
                 line=dict(color="#555", width=1, dash="dot")),
    ]

    def moving(f: int) -> list[dict]:
        step = int(at[f])
        return [dict(x=_f32(trails[f, :, 0]), y=_f32(trails[f, :, 1])),
                dict(x=_f32(heads[f, :, 0]), y=_f32(heads[f, :, 1])),
                dict(x=[step] * len(labels), y=_f32(loss_heads[f])),
                dict(x=[step, step])]

    for trace, now in zip(animated, moving(0), strict=True):
        trace.update(now)
    first = len(data)
    data += animated
    indices = list(range(first, len(data)))
    frames_out = [go.Frame(dict(name=str(int(s)), traces=indices, data=moving(f)), _validate=False)
                  for f, s in enumerate(at)]
    layout = _layout(surface, style, bool(surface.minima), loss_axis_range(surface, runs), at, title, len(labels))
    return go.Figure(dict(data=data, layout=layout, frames=frames_out), _validate=False)


def schedule_figure(lrs: np.ndarray) -> go.Figure:
    """The small curve of a schedule's learning rate (relative to each run's) over the steps."""
    corners = breakpoints(lrs)
    fig = go.Figure(go.Scatter(x=corners, y=lrs[corners], mode="lines", line=dict(color="#1f6feb", width=2),
                               hovertemplate="step %{x}: ×%{y:.3g}<extra></extra>"))
    fig.update_layout(height=130, margin=dict(l=40, r=10, t=10, b=30), plot_bgcolor="white",
                      xaxis=dict(title=None, showline=True, linecolor="#888"),
                      yaxis=dict(title=None, rangemode="tozero", showline=True, linecolor="#888"))
    return fig
