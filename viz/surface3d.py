"""The 3-D view: the surface as a shaded sheet with every run's path lying on it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from .trajectory import MAP_COLORSCALE, PALETTE, Style, map_values, surface_grid


def surface_3d_figure(surface, runs: Mapping, *, colors: Mapping | None = None, presentation: bool = False,
                      title: str | None = None) -> go.Figure:
    """A rotatable surface with the paths of ``runs`` (label -> Trajectory) drawn on it. Heights are
    shown on the log scale the surface asks for, so the valley floor stays visible."""
    style = Style.for_mode(presentation)
    xs, ys, z = surface_grid(surface, 81)
    height = np.asarray(map_values(surface, z), dtype=float)
    lift = 0.01 * (np.nanmax(height) - np.nanmin(height))
    data = [go.Surface(x=xs, y=ys, z=height, colorscale=MAP_COLORSCALE, showscale=False, opacity=0.9,
                       hoverinfo="skip", contours=dict(z=dict(show=True, usecolormap=True, project_z=False)))]
    (x0, x1), (y0, y1) = surface.domain
    for i, (label, traj) in enumerate(runs.items()):
        color = (colors or {}).get(label, PALETTE[i % len(PALETTE)])
        xy = traj.xy[:, 0]
        keep = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        xy = np.where(keep[:, None], xy, np.nan)
        with np.errstate(all="ignore"):
            zpath = np.asarray(map_values(surface, np.concatenate([z.ravel(), surface.f(xy)]))[z.size:]) + lift
        data.append(go.Scatter3d(x=xy[:, 0], y=xy[:, 1], z=zpath, mode="lines", name=label,
                                 line=dict(color=color, width=style.line * 3)))
        data.append(go.Scatter3d(x=xy[-1:, 0], y=xy[-1:, 1], z=zpath[-1:], mode="markers", showlegend=False,
                                 marker=dict(color=color, size=style.head * 0.6)))
    fig = go.Figure(data)
    fig.update_layout(
        height=style.height, font=dict(size=style.font), margin=dict(l=0, r=0, t=40 if title else 10, b=0),
        title=title, legend=dict(orientation="h", y=1.0, yanchor="bottom"),
        scene=dict(xaxis_title="x", yaxis_title="y", zaxis_title="log₁₀(f − min)" if surface.log_scale else "f",
                   camera=dict(eye=dict(x=0.65, y=1.45, z=0.85)), aspectmode="manual",
                   aspectratio=dict(x=1, y=1, z=0.6)),
    )
    return fig
