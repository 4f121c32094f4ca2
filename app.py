"""Descent Lab: the entry point. Page config and navigation over pages/, nothing else of weight."""

# pandas before any page: Plotly peeks into sys.modules for it, and when the first sessions of a fresh server
# ran at once, one of them found pandas half-imported by another and failed (AttributeError).
import pandas  # noqa: F401
import streamlit as st

st.set_page_config(page_title="Descent Lab", page_icon=":material/landscape:", layout="wide",
                   initial_sidebar_state="expanded")

navigation = st.navigation(
    [
        st.Page("pages/explorer.py", title="Trajectory explorer", icon=":material/explore:", default=True),
        st.Page("pages/vanishing.py", title="Vanishing gradients", icon=":material/trending_down:"),
    ]
)
navigation.run()
