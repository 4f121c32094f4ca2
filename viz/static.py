"""Matplotlib figures for files: the classic static picture of a race (PNG, SVG, PDF) and the figure of its
animation (GIF, MP4; encoded by ``exports.images``), drawn from the same grid, colours, labels and frame
steps as the Plotly figure.

Figures are built as ``matplotlib.figure.Figure`` on an Agg canvas, never through pyplot: no display,
no global state, safe in Streamlit's threads.

The animation is fast because nothing static is drawn twice: the contour map, the axes, the minima
and the legend are rendered once, and every frame restores that picture and draws only the artists
that move (growing paths, trails, heads, loss curves, the step counter) onto it — matplotlib's
blitting, used for writing files instead of a screen. ``Movie.draw`` returns each picture as the
canvas's raw RGBA buffer, which the encoders take as it is.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.mathtext import MathTextParser

from .trajectory import (
    FRAMES,
    MAP_COLORSCALE,
    exit_point,
    frame_steps,
    loss_axis_range,
    map_values,
    run_styles,
    suboptimality,
    surface_grid,
    trail_indices,
)

STATIC_SIZE = (10.0, 6.25)  # inches: 1600 x 1000 px at the default dpi
STATIC_DPI = 160
ANIMATION_SIZE = (9.6, 6.0)  # inches: 960 x 600 px at the default dpi
ANIMATION_DPI = 100
ANIMATION_FRAMES = FRAMES  # frames after the first: 101 pictures, as the app's 100 frame steps
TRAIL = 16
CMAP = LinearSegmentedColormap.from_list("descent_lab", [(pos, color) for pos, color in MAP_COLORSCALE])


# ------------------------------------------------------------------------------------------ text


def mathtext_formula(latex: str) -> str | None:
    """``latex`` as matplotlib's mathtext between dollars, or None where mathtext cannot parse it.
    mathtext lacks \\tfrac, \\bigl and \\!, which the surfaces use; they are rewritten first."""
    text = re.sub(r"\\[td]frac\s*(\d)\s*(\d)", r"\\frac{\1}{\2}", latex)
    text = re.sub(r"\\[td]frac", r"\\frac", text)
    text = re.sub(r"\\[bB]igg?[lr]?(?![a-zA-Z])", "", text)
    text = "$" + text.replace(r"\!", "") + "$"
    try:
        MathTextParser("path").parse(text)
    except (ValueError, RuntimeError):
        return None
    return text


# --------------------------------------------------------------------------------------- drawing


def colors_of(labels) -> dict:
    """Each run's colour as the app draws it: fixed by its optimizer (viz.trajectory.run_styles)."""
    return {label: style.color for label, style in run_styles(list(labels)).items()}


def _display(xy: np.ndarray, domain) -> np.ndarray:
    """Positions clipped to a box five map widths around the domain: a diverging path still leaves
    the map in its direction, and no renderer sees 1e300."""
    (x0, x1), (y0, y1) = domain
    w, h = x1 - x0, y1 - y0
    return np.clip(xy, (x0 - 5 * w, y0 - 5 * h), (x1 + 5 * w, y1 + 5 * h))


def _loss_limits(surface, runs):
    """The loss panel's y-range in data units (None without runs) and whether the axis is
    logarithmic (f − f* where the minimum is known, as in the app)."""
    log = bool(surface.minima)
    rng = loss_axis_range(surface, runs)
    if rng is None:
        return None, log
    lo, hi = rng
    return ((10.0**lo, 10.0**hi) if log else (lo, hi)), log


def _layout(fig: Figure, loss_panel: bool):
    """The map on the left; on the right the loss panel (optional) above the legend."""
    if loss_panel:
        gs = fig.add_gridspec(2, 2, width_ratios=(1.6, 1.0), height_ratios=(1.0, 1.0))
        ax_map = fig.add_subplot(gs[:, 0])
        ax_loss = fig.add_subplot(gs[0, 1])
        ax_legend = fig.add_subplot(gs[1, 1])
    else:
        gs = fig.add_gridspec(1, 2, width_ratios=(2.3, 1.0))
        ax_map, ax_loss, ax_legend = fig.add_subplot(gs[0, 0]), None, fig.add_subplot(gs[0, 1])
    ax_legend.axis("off")
    return ax_map, ax_loss, ax_legend


def _title(fig: Figure, surface, fontsize: float):
    """The surface's title and, where mathtext can parse it, its formula, shrunk to the width."""
    formula = mathtext_formula(surface.latex)
    text = surface.title if formula is None else f"{surface.title}\n{formula}"
    title = fig.suptitle(text, fontsize=fontsize, x=0.02, ha="left")
    renderer = fig.canvas.get_renderer()
    limit = 0.96 * fig.bbox.width
    while title.get_fontsize() > 7 and title.get_window_extent(renderer).width > limit:
        title.set_fontsize(title.get_fontsize() - 0.5)
    return title


def _draw_map(ax, surface, fontsize: float):
    xs, ys, z = surface_grid(surface)
    shown = np.ma.masked_invalid(map_values(surface, z))
    levels = 28
    ax.contourf(xs, ys, shown, levels=levels, cmap=CMAP)
    ax.contour(xs, ys, shown, levels=levels, colors="white", linewidths=0.5, alpha=0.45, linestyles="solid")
    (x0, x1), (y0, y1) = surface.domain
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x", fontsize=fontsize)
    ax.set_ylabel("y", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize * 0.85)
    handles = []
    if surface.saddles:
        pts = np.array(surface.saddles, dtype=float).reshape(-1, 2)
        ax.plot(pts[:, 0], pts[:, 1], ls="", marker="x", ms=9, mew=2, color="#222", zorder=4)
        handles.append(Line2D([], [], ls="", marker="x", ms=9, mew=2, color="#222", label="saddle point"))
    if surface.minima:
        pts = np.array(surface.minima, dtype=float).reshape(-1, 2)
        ax.plot(pts[:, 0], pts[:, 1], ls="", marker="*", ms=17, mfc="white", mec="#222", mew=1.2, zorder=4)
        handles.append(Line2D([], [], ls="", marker="*", ms=15, mfc="white", mec="#222", mew=1.2, label="minimum"))
    return handles


def _start_marker(ax, start, size: float = 11):
    ax.plot([start[0]], [start[1]], ls="", marker="o", ms=size, mfc="white", mec="#111", mew=2, zorder=6)
    return Line2D([], [], ls="", marker="o", ms=size - 2, mfc="white", mec="#111", mew=2, label="start")


def _legend(fig: Figure, ax_legend, handles, note: str, fontsize: float):
    """The legend in the lower right, out of the layout, its type shrunk (and, for many long labels,
    set in two columns) until it fits between the top of its panel and the bottom of the figure."""
    fig.draw_without_rendering()  # settle the layout first: the legend then only has to fit in it
    renderer = fig.canvas.get_renderer()
    top_left = ax_legend.get_window_extent(renderer)
    room_w = fig.bbox.width - top_left.x0 - 0.01 * fig.bbox.width
    room_h = top_left.y1 - 0.01 * fig.bbox.height
    labels = [textwrap.fill(h.get_label(), 36, subsequent_indent="  ") for h in handles]
    size, ncols = fontsize, 1
    while True:
        legend = ax_legend.legend(handles=handles, labels=labels, loc="upper left", frameon=False, fontsize=size,
                                  ncols=ncols, title=note or None, title_fontsize=size * 0.9,
                                  alignment="left", borderaxespad=0.0, handlelength=2.0, columnspacing=1.0,
                                  markerscale=size / fontsize, labelspacing=0.4)
        legend.set_in_layout(False)
        box = legend.get_window_extent(renderer)
        if (box.width <= room_w and box.height <= room_h) or size <= 5:
            return legend
        if ncols == 1 and size <= 0.7 * fontsize:
            size, ncols = 0.8 * fontsize, 2
        else:
            size -= 0.5


def _loss_axes(ax, surface, runs, fontsize: float):
    limits, log = _loss_limits(surface, runs)
    if log:
        ax.set_yscale("log")
    if limits is not None:
        ax.set_ylim(*limits)
    steps = max((t.xy.shape[0] - 1 for t in runs.values()), default=1)
    ax.set_xlim(0, max(steps, 1))
    ax.set_xlabel("step", fontsize=fontsize * 0.9)
    ax.set_ylabel("f − f*" if log else "f", fontsize=fontsize * 0.9)
    ax.set_title("loss", fontsize=fontsize, loc="left")
    ax.tick_params(labelsize=fontsize * 0.8)
    ax.grid(alpha=0.3, lw=0.6)
    return limits


def _loss_curve(surface, traj, limits) -> np.ndarray:
    """The curve the loss panel draws, clipped far outside its range: a diverging run's 1e300 never
    reaches the renderer."""
    loss, log = suboptimality(surface, traj.loss[:, 0])
    if limits is None:
        return loss
    lo, hi = limits
    if log:
        return np.clip(loss, 1e-300, hi * 1e6)
    span = max(hi - lo, 1e-12)
    return np.clip(loss, lo - 1e3 * span, hi + 1e3 * span)


def static_figure(surface, runs: Mapping, bands: Mapping | None = None, *, start=None, note: str = "",
                  loss_panel: bool = True, dpi: float = STATIC_DPI, size=STATIC_SIZE,
                  fontsize: float = 13.0) -> Figure:
    """The classic picture of a race on ``surface``: its contour map (log colours where the surface
    asks), every run's path in its colour from the start marker to an end marker (a cross where it
    diverged), other seeds as faint lines, minima and saddles, a legend naming every run's settings
    under ``note``, the title and formula above, and (``loss_panel``) the loss against the step.
    ``runs`` maps a label to a Trajectory, ``bands`` a label to other seeds' paths (seeds, steps + 1,
    2); ``start`` marks the start where there are no runs (default: the surface's)."""
    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax_map, ax_loss, ax_legend = _layout(fig, loss_panel)
    _title(fig, surface, fontsize * 1.2)
    marks = _draw_map(ax_map, surface, fontsize)
    colors = colors_of(runs)
    limits = _loss_axes(ax_loss, surface, runs, fontsize) if ax_loss is not None else None
    handles = []
    for label, traj in runs.items():
        color = colors[label]
        xy = traj.xy[:, 0]
        for extra in (bands or {}).get(label, ()):
            extra = _display(extra, surface.domain)
            ax_map.plot(extra[:, 0], extra[:, 1], color=color, lw=0.9, alpha=0.25, zorder=2)
        shown = _display(xy, surface.domain)
        ax_map.plot(shown[:, 0], shown[:, 1], color=color, lw=2.2, alpha=0.95, zorder=3,
                    solid_capstyle="round", solid_joinstyle="round")
        if traj.diverged[0]:
            k = int(traj.diverged_at[0])
            ex, ey = exit_point(surface.domain, xy[:k])
            ax_map.plot([ex], [ey], ls="", marker="X", ms=13, mfc=color, mec="white", mew=1.5, zorder=7)
            ax_map.annotate(f"diverged at step {k}", (ex, ey), xytext=(6, 6), textcoords="offset points",
                            color=color, fontsize=fontsize * 0.8, fontweight="bold", zorder=8, clip_on=True)
        else:
            ax_map.plot([xy[-1, 0]], [xy[-1, 1]], ls="", marker="o", ms=10, mfc=color, mec="white", mew=1.5,
                        zorder=7)
        if ax_loss is not None:
            ax_loss.plot(np.arange(len(xy)), _loss_curve(surface, traj, limits), color=color, lw=2.0)
        handles.append(Line2D([], [], color=color, lw=3, marker="o", ms=8, mfc=color, mec="white", label=label))
    handles += [_start_marker(ax_map, _start(surface, runs, start)), *marks]
    _legend(fig, ax_legend, handles, note, fontsize)
    return fig


def _start(surface, runs: Mapping, start):
    if runs:
        return next(iter(runs.values())).xy[0, 0]
    return surface.start if start is None else start


# ------------------------------------------------------------------------------------- animation


def frame_times(steps: int, frames: int = ANIMATION_FRAMES) -> np.ndarray:
    """The step each picture shows: ``frames + 1`` times from 0 to ``steps``. With at least as many
    steps as frames they are the app's frame steps (whole steps, the last always included); with
    fewer, the heads glide between steps, so that every picture differs."""
    if steps >= frames:
        return frame_steps(steps, frames).astype(float)
    return np.linspace(0.0, steps, frames + 1)


def _position(xy: np.ndarray, t: float) -> np.ndarray:
    i = min(int(np.floor(t)), len(xy) - 1)
    j = min(i + 1, len(xy) - 1)
    return xy[i] + (t - i) * (xy[j] - xy[i])


class Movie:
    """The animation's figure: a static picture drawn once and the artists that move over it, for the
    same ``surface``, ``runs``, ``bands``, ``start`` and ``note`` as ``static_figure``."""

    def __init__(self, surface, runs: Mapping, bands: Mapping | None = None, *, start=None, note: str = "",
                 dpi: float = ANIMATION_DPI, size=ANIMATION_SIZE, fontsize: float = 11.0):
        self.surface = surface
        self.runs = runs
        fig = self.fig = Figure(figsize=size, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(fig)
        ax_map, ax_loss, ax_legend = _layout(fig, True)
        _title(fig, surface, fontsize * 1.15)
        marks = _draw_map(ax_map, surface, fontsize)
        colors = colors_of(runs)
        self.limits = _loss_axes(ax_loss, surface, runs, fontsize)
        handles, self.moving = [], []
        ramp = np.linspace(0.1, 1.0, TRAIL)
        for label, traj in runs.items():
            color = colors[label]
            xy = _display(traj.xy[:, 0], surface.domain)
            for extra in (bands or {}).get(label, ()):
                extra = _display(extra, surface.domain)
                ax_map.plot(extra[:, 0], extra[:, 1], color=color, lw=0.8, alpha=0.2, zorder=2)
            rgba = np.tile(np.array(to_rgba(color)), (TRAIL, 1))
            rgba[:, 3] = ramp
            artists = dict(
                xy=xy, loss=_loss_curve(surface, traj, self.limits),
                path=ax_map.plot([], [], color=color, lw=1.6, alpha=0.75, zorder=3, animated=True)[0],
                trail=ax_map.scatter(np.zeros(TRAIL), np.zeros(TRAIL), s=(ramp * 7.0) ** 2, c=rgba, lw=0,
                                     zorder=4, animated=True),
                # two colours for one point: a one-colour scatter is drawn by Agg's marker routine, which
                # rounds positions to whole pixels, and a slow head would stand still for frames
                head=ax_map.scatter([np.nan, np.nan], [np.nan, np.nan], s=10.0**2, c=[color, color],
                                    edgecolors="white", linewidths=1.5, zorder=7, animated=True),
                curve=ax_loss.plot([], [], color=color, lw=2.0, animated=True)[0],
                dot=ax_loss.plot([], [], ls="", marker="o", ms=7, mfc=color, mec="white", mew=1.0,
                                 animated=True)[0],
                diverged_at=int(traj.diverged_at[0]) if traj.diverged[0] else None,
            )
            for name in ("path", "trail", "head", "dot"):
                artists[name].set_snap(False)  # sub-pixel motion shows: heads glide instead of jumping
            if artists["diverged_at"] is not None:
                ex, ey = exit_point(surface.domain, traj.xy[: artists["diverged_at"], 0])
                artists["cross"] = ax_map.plot([ex], [ey], ls="", marker="X", ms=13, mfc=color, mec="white",
                                               mew=1.5, zorder=8, animated=True)[0]
            self.moving.append(artists)
            handles.append(Line2D([], [], color=color, lw=3, marker="o", ms=8, mfc=color, mec="white", label=label))
        handles += [_start_marker(ax_map, _start(surface, runs, start), 10), *marks]
        _legend(fig, ax_legend, handles, note, fontsize * 0.9)
        self.counter = ax_map.text(0.02, 0.97, "", transform=ax_map.transAxes, ha="left", va="top",
                                   fontsize=fontsize * 1.1, family="monospace", zorder=9, animated=True,
                                   bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#888", alpha=0.9))
        self.ax_map, self.ax_loss = ax_map, ax_loss
        self.steps = max((t.xy.shape[0] - 1 for t in runs.values()), default=0)
        self.canvas.draw()
        # later draws must not move anything: the layout is fixed from here on
        fig.set_layout_engine("none")
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    def draw(self, t: float) -> memoryview:
        """The picture at step ``t`` (fractional between steps), as the canvas's RGBA buffer."""
        step = int(np.floor(t + 1e-9))
        trail_steps = trail_indices(np.array([step]), TRAIL)[0]
        self.canvas.restore_region(self.background)
        for a in self.moving:
            xy, last = a["xy"], len(a["xy"]) - 1
            head = _position(xy, t)
            done = xy[: min(step, last) + 1]
            a["path"].set_data(np.append(done[:, 0], head[0]), np.append(done[:, 1], head[1]))
            trail = xy[np.minimum(trail_steps, last)]
            trail = np.vstack((trail[1:], head)) if t > step else trail
            a["trail"].set_offsets(trail)
            a["head"].set_offsets([head, (np.nan, np.nan)])
            upto = min(step, last)
            a["curve"].set_data(np.arange(upto + 1), a["loss"][: upto + 1])
            a["dot"].set_data([upto], [a["loss"][upto]])
            for name in ("path", "trail", "head"):
                self.ax_map.draw_artist(a[name])
            if a["diverged_at"] is not None and step >= a["diverged_at"]:
                self.ax_map.draw_artist(a["cross"])
            self.ax_loss.draw_artist(a["curve"])
            self.ax_loss.draw_artist(a["dot"])
        self.counter.set_text(f"step {step:>{len(str(self.steps))}d} / {self.steps}")
        self.ax_map.draw_artist(self.counter)
        return self.canvas.buffer_rgba()


