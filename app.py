"""Descent Lab: the entry point. Page config and navigation over pages/, nothing else of weight."""

import streamlit as st

import ui  # noqa: F401  (first: its workarounds must be in place before any page runs)

st.set_page_config(page_title="Descent Lab", page_icon=":material/landscape:", layout="wide",
                   initial_sidebar_state="expanded")

navigation = st.navigation(
    [
        st.Page("pages/explorer.py", title="Trajectory explorer", icon=":material/explore:", default=True),
        st.Page("pages/vanishing.py", title="Vanishing gradients", icon=":material/trending_down:"),
    ]
)
navigation.run()
