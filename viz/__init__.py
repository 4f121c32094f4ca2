"""Pure figure builders: Plotly for the app, matplotlib for static and animated export."""

from .summary import summary_rows
from .surface3d import surface_3d_figure
from .trajectory import trajectory_figure

__all__ = ["summary_rows", "surface_3d_figure", "trajectory_figure"]
