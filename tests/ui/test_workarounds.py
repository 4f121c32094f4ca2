"""The Streamlit behaviours that ui.workarounds answers. Each test fails when its behaviour changes in
a new Streamlit, so that the workaround can be removed."""

from __future__ import annotations

import inspect
from pathlib import Path

from streamlit.runtime import pages_manager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


def test_a_pages_folder_still_turns_on_the_old_multipage_mode_until_navigation(monkeypatch):
    """ui.run_through_navigation exists because of this: with pages/ beside app.py, a fresh server's
    first run executes the old (v1) multipage runner, which runs a deep link's page file on its own."""
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(APP))
    assert PagesManager.uses_pages_directory is True, "Streamlit no longer sniffs pages/: the guard can go"
    assert "_mpa_v1" in inspect.getsource(script_runner), "the v1 runner is gone: the guard can go"
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(
        __import__("streamlit.commands.navigation", fromlist=["x"])), "st.navigation no longer switches it off"
    assert pages_manager.PagesManager is PagesManager


def _page_with_progress():
    import streamlit as st

    import ui

    @st.cache_data(show_spinner=False)
    def slow(n, _progress):
        for i in range(n):
            _progress((i + 1) / n)
        return n * 2

    with ui.progress_bar("working…") as report:
        st.session_state.result = slow(5, _progress=report)
    st.session_state.runs = st.session_state.get("runs", 0) + 1


def test_a_progress_bar_inside_a_cached_function_is_not_replayed_on_a_hit():
    """ui.workarounds.not_replayed exists because st.cache_data records every element drawn inside a
    cached function and draws it again on each cache hit."""
    at = AppTest.from_function(_page_with_progress).run()
    assert not at.exception and at.session_state.result == 10
    at.run()  # a cache hit: nothing of the bar is drawn again
    assert not at.exception and at.session_state.runs == 2
    assert len(at.get("progress")) == 0


def test_without_the_workaround_streamlit_refuses_the_bar():
    """The behaviour itself: a cached function that draws into a placeholder made outside it breaks the
    page on the next hit, as Streamlit records the element and replays it there."""

    def page():
        import streamlit as st

        slot = st.empty()

        @st.cache_data(show_spinner=False)
        def slow(n):
            slot.progress(0.5, text="half")
            return n

        slow(3)
        st.session_state.drawn = True

    at = AppTest.from_function(page).run()
    assert not at.exception
    at.run()  # the cache hit replays the bar into a placeholder of the previous run
    assert at.exception, \
        "Streamlit no longer records elements drawn in cached functions: ui.workarounds.not_replayed can go"
