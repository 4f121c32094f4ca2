"""The app's styles: a compact top margin, the presentation mode for projectors, and a locked scene."""

from __future__ import annotations

import streamlit as st

COMPACT_CSS = """<style>
.block-container { padding-top: 2.2rem; }
</style>"""
NO_SIDEBAR_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
</style>"""
PRESENTATION_CSS = """<style>
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.35rem !important; }
h2 { font-size: 2.8rem !important; }
.katex { font-size: 1.6em !important; }
</style>"""


def apply(presentation: bool = False, locked: bool = False) -> None:
    """The styles of the page: larger type without the sidebar for a projector, no sidebar (nothing to
    edit) for a locked scene."""
    st.html(COMPACT_CSS + (PRESENTATION_CSS if presentation else "")
            + (NO_SIDEBAR_CSS if presentation or locked else ""))
