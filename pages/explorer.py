"""The trajectory explorer (filled in by the explorer issue)."""

import streamlit as st

from surfaces import SURFACES

st.title("Trajectory explorer")
key = st.selectbox("Surface", list(SURFACES), format_func=lambda k: SURFACES[k].title, key="surface")
st.latex(SURFACES[key].latex)
st.caption(SURFACES[key].caption)
