"""The 3-D view: the surface as a shaded sheet with every run's path lying on it, unfolding on a step
slider as the map does. A 3-D scene cannot be animated without a full redraw, so its frames redraw
(``redraw: true``) and there are fewer of them than the map has."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .trajectory import (
    HINT,
    MAP_COLORSCALE,
    PIXEL,
    AnimatedFigure,
    Growing,
    Style,
    _display,
    _f32,
    controls,
    frame_steps,
    map_values,
    run_styles,
    surface_grid,
)

FRAMES_3D = 50


def _heights(surface, z_grid: np.ndarray, xy: np.ndarray, lift: float) -> np.ndarray:
    """Heights of the points ``xy`` on the sheet (the map's scale, computed with the grid so that the
    log scale has the same floor), lifted a little so that a path lies on the sheet, not in it."""
    with np.errstate(all="ignore"):
        return np.asarray(map_values(surface, np.concatenate([z_grid.ravel(), surface.f(xy)]))[z_grid.size:]) + lift


def surface_3d_figure(surface, runs: Mapping, *, colors: Mapping | None = None, keys: Mapping | None = None,
                      presentation: bool = False, title: str | None = None, frames: int = FRAMES_3D) -> AnimatedFigure:
    """A rotatable surface with the paths of ``runs`` (label -> Trajectory) on it, drawn up to the
    slider's step. Heights are shown on the log scale the surface asks for, so the valley floor
    stays visible; the parts of a path beyond the map are left out."""
    style = Style.for_mode(presentation)
    labels = list(runs)
    looks = run_styles(labels, keys, colors)
    xs, ys, z = surface_grid(surface, 81)
    height = np.asarray(map_values(surface, z), dtype=float)
    lift = 0.01 * (np.nanmax(height) - np.nanmin(height))
    (x0, x1), (y0, y1) = surface.domain
    data = [dict(type="surface", x=_f32(xs), y=_f32(ys), z=_f32(height), colorscale=MAP_COLORSCALE, showscale=False,
                 opacity=0.92, hoverinfo="skip", contours=dict(z=dict(show=True, usecolormap=False,
                                                                      color="rgba(40,55,80,0.35)")))]
    lines = []
    for label in labels:
        xy = _display(runs[label].xy[:, 0], surface.domain)
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        xyz = np.column_stack([xy, _heights(surface, z, xy, lift)])
        xyz[~inside] = np.nan
        keep = Growing([xy], (PIXEL * (x1 - x0), PIXEL * (y1 - y0)))
        lines.append((keep, xyz))
        look = looks[label]
        data.append(dict(type="scatter3d", mode="lines", name=label, legendgroup=label, x=[], y=[], z=[],
                         line=dict(color=look.color, width=style.line * 2.5, dash=look.dash),
                         hovertemplate=f"{label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>"))
    data.append(dict(type="scatter3d", mode="markers", name="heads", showlegend=False, customdata=labels,
                     marker=dict(color=[looks[k].color for k in labels], size=style.head * 0.55,
                                 line=dict(color="white", width=1)),
                     hovertemplate="%{customdata}<extra></extra>"))
    steps = max((runs[k].xy.shape[0] - 1 for k in labels), default=0)
    at = frame_steps(steps, frames)

    def shown(step: int) -> list[dict]:
        out, heads = [], []
        for keep, xyz in lines:
            k = min(step, len(xyz) - 1)
            kept = keep.kept[0]
            idx = np.concatenate([kept[kept < k], [k]]).astype(int)
            out.append(dict(x=_f32(xyz[idx, 0]), y=_f32(xyz[idx, 1]), z=_f32(xyz[idx, 2])))
            heads.append(xyz[k])
        heads = np.array(heads).reshape(-1, 3)
        return [*out, dict(x=_f32(heads[:, 0]), y=_f32(heads[:, 1]), z=_f32(heads[:, 2]))]

    moving = list(range(1, len(data)))
    for trace, now in zip(data[1:], shown(0), strict=True):
        trace.update(now)
    frame_list = [dict(name=str(int(s)), data=shown(int(s)), traces=moving) for s in at]
    bar = controls(style, at, redraw=True, speeds={}, hint=HINT.replace("the race", "the paths"), title=title)
    top = bar.pop("top")
    # Seen from the corner between +x and +y: the z and y tick labels do not run into each other; from
    # farther away with a projector's larger labels, so that none is cut at the scene's edge.
    distance = 1.17 if presentation else 1.0
    layout = dict(
        height=style.plot_height + top + 10, font=dict(size=style.font),
        margin=dict(l=8, r=2 * style.font, t=top, b=10),
        uirevision=surface.key,
        scene=dict(xaxis=dict(title=dict(text="x"), nticks=4), yaxis=dict(title=dict(text="y"), nticks=4),
                   zaxis=dict(title=dict(text="log₁₀(f − min)" if surface.log_scale else "f"), nticks=3),
                   camera=dict(eye=dict(x=1.2 * distance, y=0.9 * distance, z=0.68 * distance),
                               center=dict(x=0, y=0, z=-0.2)),
                   aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.6)),
        **bar,
    )
    return AnimatedFigure(data, layout, frame_list)
