"""Figure builders only: ``(surface, runs, ...) -> figure``; Plotly for the pages, matplotlib for files."""

from .surface3d import surface_3d_figure
from .trajectory import trajectory_figure

__all__ = ["surface_3d_figure", "trajectory_figure"]
