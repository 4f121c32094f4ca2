"""Figures of the learning-rate page: the range test with every tool's suggestion named on the curve and
the grid search on the same rate axis, what the chosen rate does (its path on a surface, its training
and test loss on a network), and the six schedules side by side. Each takes the data it draws
(``scenes.lr_range``, ``scenes.lr_grid``, ``networks.TrainResult``), never a page's settings."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scenes.lr_grid import GridSearch, RateRun
from scenes.lr_lab import NAMES, suggestion_groups
from scenes.lr_range import RULES, RangeTest
from scenes.lr_schedules import LABELS

from .trajectory import CONTOUR_LINE, surface_layers

TOOL_COLORS = {"fastai_valley": "#1f5fbf", "fastai_slide": "#008c95", "fastai_minimum": "#2a9d2a",
               "fastai_steep": "#8e44ad", "lightning": "#d62728", "gugger": "#c96a00"}
SCHEDULE_COLORS = dict(zip(LABELS, ("#222222", "#d62728", "#1f5fbf", "#2a9d2a", "#8e44ad", "#c96a00"), strict=True))
TINY = 1e-16  # f − f* is drawn from here up on a log axis: a surface's minimum is reached exactly
TOP_SHARE, SPACING = 0.58, 0.1  # the range test's share of the plot height; the gap between the panels
CHAR_EM = 0.62  # a character's width in ems, a wide estimate (digits and lower case are narrower)
X_PAD = 0.15  # decades of air at either end of the rate axis
LEGEND_ROW = 1.9  # a legend row's height in font sizes
SIDE_PX = 330  # the narrowest plot beside the range test


@dataclass(frozen=True)
class Look:
    """Sizes for a laptop screen or, with ``presentation``, for a projector. ``plot_px``: the narrowest
    plot area the page gives the range test (1440 px wide, beside the chosen rate's figure; the sidebar
    hides in presentation mode)."""

    font: int = 13
    title: int = 14
    label: int = 12
    plot_px: int = 480
    height: int = 580
    bottom: int = 70  # the axis title; the legend's rows come on top (``legend_rows``)
    side: int = 500

    @classmethod
    def of(cls, presentation: bool) -> Look:
        return cls(font=18, title=19, label=16, plot_px=680, height=700, bottom=90, side=600) if presentation \
            else cls()


# ---------------------------------------------------------------------------- data the figures draw


def shown(values: np.ndarray, floor: float, log: bool) -> np.ndarray:
    """What a loss axis shows: the loss above ``floor`` (at least TINY) on a log axis, else the loss;
    NaN where it is not finite (not drawn)."""
    v = np.asarray(values, dtype=float)
    out = np.maximum(v - floor, TINY) if log else v.copy()
    return np.where(np.isfinite(v), out, np.nan)


def on_curve(rate: float, lrs: np.ndarray, values: np.ndarray) -> float:
    """The curve's height at ``rate``, interpolated in log(rate) between its finite points."""
    ok = np.isfinite(values)
    return float(np.interp(math.log(rate), np.log(lrs[ok]), values[ok])) if ok.any() else math.nan


def label_text(rate: float, keys: Sequence[str]) -> str:
    return " = ".join(NAMES[k] for k in keys) + f" {rate:.2g}"


def label_rows(anchors: Sequence[float], widths: Sequence[float]) -> list[int]:
    """Rows (0 at the top) for labels that start at ``anchors`` (increasing) and extend ``widths`` to the
    right, each joined by a vertical line from its left end down to its mark: a label goes one row
    below the lowest earlier label that reaches over its anchor. So no two labels of a row overlap and
    no line crosses a label (a later label never reaches back over an earlier anchor)."""
    rows: list[int] = []
    for i, a in enumerate(anchors):
        rows.append(1 + max([rows[j] for j in range(i) if anchors[j] + widths[j] > a], default=-1))
    return rows


def fit_right(anchors: Sequence[float], shares: Sequence[float], low: float, high: float) -> float:
    """The right end of an axis from ``low`` that holds ``high`` and every label starting at an anchor
    and taking its share of the axis's length: ``a + s (right - low) <= right`` for each."""
    return max([high] + [(a - s * low) / (1 - s) for a, s in zip(anchors, shares, strict=True) if s < 1])


def grid_points(grid: GridSearch, floor: float, log: bool) -> dict[str, np.ndarray]:
    """The grid panel's curves: loss after the first steps and after all, the test split's, as drawn."""
    out = {"early": shown(grid.early, floor, log), "final": shown(grid.final, floor, log)}
    if grid.test_final is not None:
        out["test"] = shown(grid.test_final, floor, log)
    return out


# ---------------------------------------------------------------------------------------- helpers


def _style(fig: go.Figure, height: int, look: Look, margin: dict) -> go.Figure:
    """Shared styling; the legend in one row above the plot, under the title (``_below`` moves it)."""
    fig.update_layout(height=height, margin=margin, plot_bgcolor="white", font=dict(size=look.font),
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"), hovermode="closest")
    fig.update_annotations(font_size=look.title)
    fig.update_xaxes(showline=True, linecolor="#888", mirror=True, ticks="outside", gridcolor="#eee")
    fig.update_yaxes(showline=True, linecolor="#888", mirror=True, ticks="outside", gridcolor="#eee")
    return fig


def _log_range(values: list[np.ndarray], pad: float = 0.15) -> tuple[float, float]:
    finite = np.concatenate([v[np.isfinite(v)] for v in values] or [np.ones(1)])
    finite = finite[finite > 0] if finite.size else finite
    lo, hi = (math.log10(finite.min()), math.log10(finite.max())) if finite.size else (0.0, 1.0)
    return lo - pad, hi + pad + (1.0 if hi - lo < 1e-9 else 0.0)


def _unselected() -> dict:
    return dict(marker=dict(opacity=1.0))  # a click picks a rate; the other points stay as they were


# ------------------------------------------------------------------------------------ the range test


def range_test_figure(tests: Sequence[RangeTest], grid: GridSearch, rate: float | None, *, network: bool,
                      presentation: bool = False) -> go.Figure:
    """Upper panel: the range test of seed 0, raw and smoothed loss against the rate (log axis), the
    other seeds' smoothed curves in grey, and every tool's suggestion marked on each curve, named by tool
    and rule above seed 0's (suggestions of one rate share a mark and a label). Lower panel: the grid
    search on the same axis, the loss after the first steps and after all of them, its best rate
    starred, diverged rates crossed at the top. The chosen ``rate`` is a dashed line through both.

    On a network the losses are drawn as they are (the range test's on a linear axis); on a surface
    the loss above the minimum, f − f*, on log axes."""
    main = tests[0]
    log = not network
    unit = "minibatch" if network else "step"
    look = Look.of(presentation)
    margin = dict(l=20 + 3.6 * look.font, r=16, t=40, b=look.bottom, autoexpand=False)
    plot_px = look.height - margin["t"] - margin["b"]  # exact: the margins do not grow
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[TOP_SHARE, 1 - TOP_SHARE],
                        vertical_spacing=SPACING,
                        subplot_titles=(f"Range test: the rate grows every {unit}",
                                        f"Grid search: each rate trained on its own for {grid.steps} "
                                        f"{'minibatches' if network else 'steps'}"))
    fig.update_annotations(x=0, xanchor="left")  # the two subplot titles

    smooth = [shown(t.smoothed, t.floor, log) for t in tests]
    raw = shown(main.losses, main.floor, log)
    groups = suggestion_groups(main.suggestions())
    font = look.label
    anchors = [math.log10(r) for r, _ in groups]
    shares = [(len(label_text(r, k)) * font * CHAR_EM + 8) / look.plot_px for r, k in groups]
    rates = np.concatenate([main.lrs, grid.lrs, [r for r, _ in groups]])
    x0, x1 = math.log10(rates.min()) - X_PAD, math.log10(rates.max()) + X_PAD
    x1 = fit_right(anchors, shares, x0, x1)
    rows = label_rows(anchors, [s * (x1 - x0) for s in shares])
    row_px, panel_px = 1.6 * font, plot_px * TOP_SHARE * (1 - SPACING)
    band = (max(rows, default=-1) + 1) * row_px / panel_px
    lo, hi = _top_range(smooth, raw, log)
    top = hi + (hi - lo) * (band + 0.03) / max(1 - band - 0.03, 0.3)

    for seed, (t, s) in enumerate(zip(tests[1:], smooth[1:], strict=True), start=1):
        fig.add_scatter(x=t.lrs, y=_out(s, log), mode="lines", line=dict(color="#9a9a9a", width=1.3), row=1, col=1,
                        name=f"seeds 1–{len(tests) - 1}" if len(tests) > 2 else "seed 1",
                        legendgroup="seeds", showlegend=seed == 1,
                        hovertemplate=f"seed {seed}: %{{x:.3g}}<extra></extra>")
        for r, keys in suggestion_groups(t.suggestions()):
            fig.add_scatter(x=[r], y=_out([on_curve(r, t.lrs, s)], log), mode="markers", showlegend=False, row=1, col=1,
                            marker=dict(size=8, color=TOOL_COLORS[keys[0]], line=dict(width=1, color="white")),
                            name=f"seed {seed}: {label_text(r, keys)}", legendgroup="seeds",
                            hovertemplate=f"seed {seed}: {label_text(r, keys)}<extra></extra>")
    fig.add_scatter(x=main.lrs, y=_out(raw, log), mode="markers", name="raw loss", row=1, col=1,
                    marker=dict(size=4, color="#8fb3d9"), unselected=_unselected(),
                    hovertemplate="rate %{x:.3g}<br>loss %{y:.3g}<extra>raw</extra>")
    fig.add_scatter(x=main.lrs, y=_out(smooth[0], log), mode="lines+markers", name="smoothed (β = 0.98)",
                    line=dict(color="#1d3461", width=3), marker=dict(size=5, color="#1d3461"), row=1, col=1,
                    unselected=_unselected(), hovertemplate="click to choose %{x:.3g}<extra>smoothed</extra>")
    for (r, keys), row in zip(groups, rows, strict=True):
        color, y_mark = TOOL_COLORS[keys[0]], on_curve(r, main.lrs, smooth[0])
        label_frac = 1 - ((row + 0.5) * row_px + 4) / panel_px
        fig.add_scatter(x=[r, r], y=_out([lo + label_frac * (top - lo), math.log10(y_mark) if log else y_mark], log,
                                         axis=True),
                        mode="lines", line=dict(color=color, width=1.2, dash="dot"), hoverinfo="skip", showlegend=False,
                        row=1, col=1)
        fig.add_scatter(x=[r], y=[y_mark], mode="markers", showlegend=False, row=1, col=1, name=label_text(r, keys),
                        marker=dict(size=12, color=color, symbol="diamond", line=dict(width=1.5, color="white")),
                        hovertemplate=f"{r:.3g}: " + "<br>".join(RULES[k] for k in keys) + "<extra></extra>")
        fig.add_annotation(x=math.log10(r), y=label_frac, xref="x", yref="y domain", xanchor="left", yanchor="middle",
                           xshift=-3, text=label_text(r, keys), showarrow=False, font=dict(color=color, size=font),
                           bgcolor="rgba(255,255,255,0.9)", borderpad=1, name="suggestion")
    _grid_panel(fig, grid, main.floor, log, groups)
    if rate is not None:
        for row, (a, b) in ((1, (lo, top)), (2, fig.layout.yaxis2.range)):
            fig.add_scatter(x=[rate, rate], y=_out([a, b], log or row == 2, axis=True), mode="lines", row=row, col=1,
                            line=dict(color="black", width=1.5, dash="dash"), name=f"chosen {rate:.3g}",
                            legendgroup="chosen", showlegend=row == 1, hoverinfo="skip")
    fig.update_yaxes(range=[lo, top], type="log" if log else "linear", row=1, col=1, dtick=1 if log else None,
                     title_text="f − f*" if log else "minibatch loss", exponentformat="power")
    fig.update_xaxes(type="log", range=[x0, x1], exponentformat="power", row=1, col=1)
    fig.update_xaxes(type="log", range=[x0, x1], exponentformat="power", title_text="learning rate (log scale)",
                     row=2, col=1)
    fig.update_layout(clickmode="event+select", dragmode=False)
    _style(fig, look.height, look, margin)
    rows = legend_rows(fig, look.plot_px, look)
    fig.update_layout(height=look.height + rows * LEGEND_ROW * look.font,  # the plot keeps its height
                      margin_b=look.bottom + rows * LEGEND_ROW * look.font,
                      legend=dict(y=-4.2 * look.font / plot_px, yanchor="top"))  # under the axis title
    return fig


def legend_rows(fig: go.Figure, width: float, look: Look) -> int:
    """Rows a horizontal legend of ``fig``'s named traces needs in ``width`` pixels, a wide estimate."""
    rows, used = 1, 0.0
    for name in [t.name for t in fig.data if t.showlegend is not False and t.name]:
        item = 46 + len(name) * CHAR_EM * look.font
        if used and used + item > width:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _top_range(smooth: list[np.ndarray], raw: np.ndarray, log: bool) -> tuple[float, float]:
    """The upper panel's data range (log10 on a log axis): from the lowest loss up to a little above
    the highest smoothed loss before its minimum (×1.3 on a linear axis, half a decade on a log one),
    so the blow-up leaves through the top as the tools draw it, and the fall fills the panel."""
    curves = [s for s in smooth if np.isfinite(s).any()]
    finite = np.concatenate([s[np.isfinite(s)] for s in curves] + [raw[np.isfinite(raw)]])
    if not finite.size:
        return (0.0, 1.0)
    falls = max(float(np.nanmax(s[: int(np.nanargmin(s)) + 1])) for s in curves)
    highest = max(float(np.nanmax(s)) for s in curves)
    if log:
        lo, hi = math.log10(finite.min()), min(math.log10(falls) + 0.5, math.log10(highest))
        return lo - 0.15, hi + 0.15
    hi = min(1.3 * falls, highest)
    lo = float(finite.min())
    return max(0.0, lo - 0.05 * (hi - lo)), hi


def _out(values, log: bool, axis: bool = False) -> list:
    """Values for a trace: axis values (log10 on a log axis) turned back into data where ``axis``."""
    v = np.asarray(values, dtype=float)
    if axis and log:
        v = 10.0**v
    return [None if not math.isfinite(x) else float(x) for x in v]


def _grid_panel(fig: go.Figure, grid: GridSearch, floor: float, log: bool, groups) -> None:
    points = grid_points(grid, floor, True)
    lo, hi = _log_range(list(points.values()))
    unit = "minibatches" if grid.test_final is not None else "steps"
    names = {"early": f"after {grid.early_steps} {unit}", "final": f"after {grid.steps} {unit}",
             "test": "test split"}
    styles = {"early": dict(color="#8fb3d9", width=2), "final": dict(color="#1d3461", width=3),
              "test": dict(color="#2a9d2a", width=2, dash="dash")}
    for key, values in points.items():
        fig.add_scatter(x=grid.lrs, y=_out(values, False), mode="lines+markers", name=names[key], line=styles[key],
                        marker=dict(size=6, color=styles[key]["color"]), row=2, col=1, unselected=_unselected(),
                        hovertemplate=f"rate %{{x:.3g}}<br>{names[key]}: %{{y:.3g}}<extra></extra>")
    gone = ~np.isfinite(grid.final)
    if gone.any():
        fig.add_scatter(x=grid.lrs[gone], y=[10.0**hi] * int(gone.sum()), mode="markers", name="diverged", row=2, col=1,
                        marker=dict(symbol="x", size=9, color="#d62728"), cliponaxis=False,
                        hovertemplate="rate %{x:.3g} diverged<extra></extra>")
    if np.isfinite(grid.final[grid.best]):
        fig.add_scatter(x=[grid.best_lr], y=[points["final"][grid.best]], mode="markers", row=2, col=1,
                        name=f"best {grid.best_lr:.3g}",
                        marker=dict(symbol="star", size=17, color="#ffd400", line=dict(width=1.5, color="#222")))
    for r, keys in groups:
        fig.add_scatter(x=[r, r], y=[10.0**lo, 10.0**hi], mode="lines", showlegend=False, hoverinfo="skip", row=2,
                        col=1, line=dict(color=TOOL_COLORS[keys[0]], width=1.2, dash="dot"))
    fig.update_yaxes(type="log", range=[lo, hi], exponentformat="power", dtick=1, row=2, col=1,
                     title_text="f − f*" if log else "training loss")


# ---------------------------------------------------------------------------- what the rate does


def rate_path_figure(surface, run: RateRun, presentation: bool = False) -> go.Figure:
    """The path of ``run`` (a constant rate on a surface) over the surface's contour map, from its start
    (circle) to its last point (square), the global minimum starred."""
    fig = go.Figure()
    for level, color, outline in surface_layers(surface, surface.domain):  # the explorer's filled contours
        fig.add_scatter(x=outline[:, 0], y=outline[:, 1], mode="lines", fill="toself", fillcolor=color,
                        line=dict(width=0.8, color=CONTOUR_LINE), hoverinfo="skip", showlegend=False,
                        name=f"f ≥ {level:.3g}")
    path = run.path[: (run.diverged_at or len(run.path) - 1) + 1]
    fig.add_scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=f"rate {run.lr:.3g}",
                    line=dict(color="#e6194b", width=2.5), marker=dict(size=4, color="#e6194b"),
                    hovertemplate="step %{pointNumber}: (%{x:.3g}, %{y:.3g})<extra></extra>")
    fig.add_scatter(x=path[:1, 0], y=path[:1, 1], mode="markers", name="start",
                    marker=dict(size=12, color="white", line=dict(width=2, color="#e6194b")))
    fig.add_scatter(x=path[-1:, 0], y=path[-1:, 1], mode="markers", name=f"after {len(path) - 1} steps",
                    marker=dict(size=12, symbol="square", color="#e6194b", line=dict(width=1.5, color="white")))
    minimum = np.array(surface.minima[:1], dtype=float)
    fig.add_scatter(x=minimum[:, 0], y=minimum[:, 1], mode="markers", name="global minimum",
                    marker=dict(symbol="star", size=16, color="white", line=dict(width=1.5, color="#222")))
    (x0, x1), (y0, y1) = surface.domain
    fig.update_xaxes(range=[x0, x1], title_text="x", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[y0, y1], title_text="y", showgrid=False, zeroline=False, scaleanchor="x")
    return _side(fig, *rate_title(run, "steps"), Look.of(presentation))


def rate_title(run: RateRun, unit: str) -> tuple[str, str]:
    """The title and subtitle of what the chosen rate reached, in numbers."""
    title = f"rate {run.lr:.3g}, {int(run.eval_steps[-1])} {unit}"
    if run.diverged_at is not None:
        return title, f"diverged after {run.diverged_at} {unit}"
    if run.test_loss is not None:
        return title, f"loss: test {run.test_loss[-1]:.3g}, training {run.train_loss[-1]:.3g}"
    return title, f"f = {run.train_loss[-1]:.4g} at ({run.path[-1, 0]:.3g}, {run.path[-1, 1]:.3g})"


def rate_curves_figure(run: RateRun, steps_per_epoch: int, presentation: bool = False) -> go.Figure:
    """A network trained at ``run``'s constant rate: each minibatch's loss (faint) and the loss on the
    whole training and test splits, against the update count."""
    fig = go.Figure()
    fig.add_scatter(x=np.arange(len(run.minibatch_loss)), y=_out(run.minibatch_loss, False), mode="lines",
                    name="minibatch loss", line=dict(color="#b9cde5", width=1.2))
    fig.add_scatter(x=run.eval_steps, y=_out(run.train_loss, False), mode="lines+markers", name="training split",
                    line=dict(color="#1d3461", width=3))
    fig.add_scatter(x=run.eval_steps, y=_out(run.test_loss, False), mode="lines+markers", name="test split",
                    line=dict(color="#2a9d2a", width=3, dash="dash"))
    fig.update_xaxes(title_text=f"minibatch updates ({steps_per_epoch} per epoch)", zeroline=False)
    fig.update_yaxes(title_text="loss", rangemode="tozero")
    return _side(fig, *rate_title(run, "minibatches"), Look.of(presentation))


def _side(fig: go.Figure, title: str, subtitle: str, look: Look) -> go.Figure:
    """A figure beside the range test: a title and its subtitle, the plot, the legend under its axis title."""
    fig.update_layout(title=dict(text=title, subtitle=dict(text=subtitle, font_size=look.font), font_size=look.title,
                                 x=0, xanchor="left"))
    legend = legend_rows(fig, SIDE_PX * look.plot_px / Look().plot_px, look) * LEGEND_ROW * look.font
    margin = dict(l=20 + 3.2 * look.font, r=10, t=4 * look.font + 16, b=4.4 * look.font + legend, autoexpand=False)
    _style(fig, look.side, look, margin)
    plot_px = look.side - margin["t"] - margin["b"]
    return fig.update_layout(legend=dict(y=-4.2 * look.font / plot_px, yanchor="top"))


# ------------------------------------------------------------------------------------- the schedules


def schedules_figure(results: Mapping, steps_per_epoch: int, presentation: bool = False) -> go.Figure:
    """The schedules side by side: the training (solid) and test (dashed) loss after every epoch, and
    under them the rate of every update, against the epoch."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.64, 0.36], vertical_spacing=0.08,
                        subplot_titles=("loss on the training split (solid) and the test split (dashed)",
                                        "learning rate of every update"))
    fig.update_annotations(x=0, xanchor="left")
    for key, r in results.items():
        color, label = SCHEDULE_COLORS.get(key, "#555"), LABELS.get(key, key)
        epochs = r.eval_steps / steps_per_epoch
        fig.add_scatter(x=epochs, y=_out(r.train_curve, False), mode="lines", name=label, legendgroup=key, row=1, col=1,
                        line=dict(color=color, width=2.5))
        fig.add_scatter(x=epochs, y=_out(r.test_curve, False), mode="lines", name=f"{label} (test)", legendgroup=key,
                        showlegend=False, line=dict(color=color, width=2, dash="dash"), row=1, col=1)
        fig.add_scatter(x=np.arange(len(r.lr)) / steps_per_epoch, y=r.lr, mode="lines", name=f"{label} (rate)",
                        legendgroup=key, showlegend=False, line=dict(color=color, width=2), row=2, col=1)
    fig.update_yaxes(title_text="loss", type="log", dtick=1, row=1, col=1)
    fig.update_yaxes(title_text="rate", row=2, col=1)
    fig.update_xaxes(title_text="epoch", row=2, col=1)
    look = Look.of(presentation)
    return _style(fig, look.height, look, dict(l=20 + 3.6 * look.font, r=16, t=6 * look.font + 10, b=3.5 * look.font))
