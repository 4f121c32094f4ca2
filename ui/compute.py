"""Cached computation with a progress bar: the bar shows while a result is computed, never on a hit.

A page's cached function takes a ``_progress`` argument (its leading underscore keeps it out of the
cache key) and calls it with the fraction done::

    @st.cache_data(max_entries=64, show_spinner=False)
    def trained(settings, _progress): ...

    with ui.progress_bar("Training…") as report:
        result = trained(settings, _progress=report)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import streamlit as st

from .workarounds import not_replayed


@contextlib.contextmanager
def progress_bar(text: str, where=None) -> Iterator[Callable[[float], None]]:
    """A placeholder that turns into a progress bar when ``report(fraction)`` is first called, and is
    emptied when the block ends."""
    slot = (where or st).empty()

    def report(fraction: float, label: str | None = None) -> None:
        with not_replayed():
            slot.progress(min(max(float(fraction), 0.0), 1.0), text=label or text)

    try:
        yield report
    finally:
        slot.empty()
