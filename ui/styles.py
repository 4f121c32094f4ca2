"""The app's styles: a compact page head, the presentation mode for projectors, and a locked scene."""

from __future__ import annotations

import streamlit as st

# The page starts just under Streamlit's toolbar and its head sits tight, so that the figure under it is
# whole on a laptop's screen; a formula in the sidebar is set a little smaller, to fit its width.
COMPACT_CSS = """<style>
.block-container { padding-top: 1.6rem; padding-bottom: 2rem; }
[data-testid="stMain"] h2 { padding: 0; line-height: 1.2; }
[data-testid="stSidebar"] .katex-display { font-size: 0.92em; margin: 0.25em 0; }
</style>"""
NO_SIDEBAR_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
</style>"""
# For the back of a room: larger type, and captions as dark as the text (Streamlit greys them).
PRESENTATION_CSS = """<style>
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.35rem !important; }
[data-testid="stCaptionContainer"] { color: rgb(17, 17, 17) !important; opacity: 1 !important; }
button.dl-copy { font-size: 1.35rem !important; }
h2 { font-size: 2.6rem !important; }
.katex { font-size: 1.5em !important; }
</style>"""


def apply(presentation: bool = False, locked: bool = False) -> None:
    """The styles of the page: larger type without the sidebar for a projector, no sidebar (nothing to
    edit) for a locked scene."""
    st.html(COMPACT_CSS + (PRESENTATION_CSS if presentation else "")
            + (NO_SIDEBAR_CSS if presentation or locked else ""))
