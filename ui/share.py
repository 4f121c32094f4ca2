"""Share and export a scene from the page: its link, a download button per file format (the bytes made
only on click), an animation rendered with a progress bar, and a scene file to open."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

import scenes as sc
from exports import ANIMATIONS, FORMATS, ExportError, default_filename, export_bytes, unavailable

from .compute import progress_bar
from .keys import Keys
from .text import plain


def link(scene: sc.Scene) -> str:
    """The link that opens exactly ``scene`` on this server."""
    base = (st.context.url or "").split("?")[0]
    return base + "?" + urlencode(sc.to_query(scene), safe="(),=/:")


def export_bar(keys: Keys, scene: sc.Scene, computed, on_open) -> None:
    """The share link, the downloads and the scene upload (``on_open`` reads the uploaded file)."""
    st.caption("This link opens exactly this scene:")
    st.code(link(scene), language=None)
    still = [s for s in FORMATS if s not in ANIMATIONS]
    for column, suffix in zip(st.columns(len(still)), still, strict=True):
        reason = unavailable(scene, suffix)
        column.download_button(suffix[1:].upper(), lambda suffix=suffix: export_bytes(scene, suffix, computed=computed),
                               file_name=default_filename(scene, suffix), mime=FORMATS[suffix].mime,
                               help=reason or FORMATS[suffix].description, width="stretch",
                               disabled=reason is not None, on_click="ignore", key=keys("download", suffix[1:]))
    movie = st.columns([2, 2, 3], vertical_alignment="bottom")
    kind = movie[0].selectbox("Animation", ANIMATIONS, format_func=lambda s: FORMATS[s].description,
                              key=keys("movie_kind"))
    if movie[1].button("Render the animation", key=keys("button", "render"), width="stretch"):
        with progress_bar("Rendering the animation…") as report:
            try:
                st.session_state[keys("movie")] = (scene, kind, export_bytes(scene, kind, report, computed=computed))
            except ExportError as e:
                st.error(plain(str(e)))
    made = st.session_state.get(keys("movie"))
    if made and made[:2] == (scene, kind):
        movie[2].download_button(f"Download the {kind[1:].upper()}", made[2], file_name=default_filename(scene, kind),
                                 mime=FORMATS[kind].mime, type="primary", on_click="ignore",
                                 key=keys("download", "movie"))
    st.file_uploader("Open a scene saved as JSON", type=["json"], key=keys("scene_file"), on_change=on_open,
                     max_upload_size=1)
