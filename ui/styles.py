"""The app's styles: a compact top margin, and the presentation mode for projectors."""

from __future__ import annotations

import streamlit as st

COMPACT_CSS = """<style>
.block-container { padding-top: 2.2rem; }
</style>"""
PRESENTATION_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.35rem !important; }
h2 { font-size: 2.8rem !important; }
.katex { font-size: 1.6em !important; }
</style>"""


def apply(presentation: bool = False) -> None:
    st.html(COMPACT_CSS + (PRESENTATION_CSS if presentation else ""))
