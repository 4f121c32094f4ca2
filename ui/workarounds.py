"""Every Streamlit workaround of the app, each with the behaviour it answers (streamlit 1.67).

tests/ui/test_workarounds.py fails when a behaviour changes, so that its workaround can go.
"""

from __future__ import annotations

import contextlib

# pandas before any page: Plotly peeks into sys.modules for it, and when the first sessions of a fresh
# server ran at once, one of them found pandas half-imported by another's thread and failed
# (AttributeError in st.plotly_chart). app.py imports ui first, so pandas is whole before any page runs.
import pandas  # noqa: F401
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function


def run_through_navigation() -> None:
    """Rerun through app.py when this page was run without it.

    A ``pages/`` folder beside the entry point turns on Streamlit's old multipage mode until the first
    ``st.navigation`` call of the server's life switches it off (``PagesManager.uses_pages_directory``).
    So a fresh server whose first visit is a deep link (``/vanishing``) runs that page's file on its
    own, as the old mode did, without app.py's page config and navigation. Switching the flag off and
    rerunning sends that visit through app.py like every other."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@contextlib.contextmanager
def not_replayed():
    """Streamlit calls in this block are not recorded for a cached function's replay.

    ``st.cache_data`` records every element a cached function draws and draws it again on every cache
    hit; a progress bar updated from inside the computation would be replayed, every step of it, each
    time the cached result is used."""
    token = in_cached_function.set(False)
    try:
        yield
    finally:
        in_cached_function.reset(token)
