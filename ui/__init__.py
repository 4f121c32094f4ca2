"""Shared Streamlit code: the only package besides pages/ that imports streamlit."""

from .compute import progress_bar
from .keys import Keys
from .styles import apply as apply_styles
from .text import plain
from .widgets import KEEP, initial, param_widget
from .workarounds import run_through_navigation

__all__ = ["KEEP", "Keys", "apply_styles", "initial", "param_widget", "plain", "progress_bar",
           "run_through_navigation"]
