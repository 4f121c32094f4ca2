"""Share and export a scene, in one compact bar right under its figure: copy the link, download the PNG
or the GIF (their bytes made only on click), and every other format, the link itself and a scene file to
open in a popover that is drawn only while it is open."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

import scenes as sc
from exports import ANIMATIONS, FORMATS, ExportError, default_filename, export_bytes, unavailable

from .compute import progress_bar
from .keys import Keys
from .text import plain
from .workarounds import copy_button

BAR = (".png", ".gif")  # in the bar itself; the other formats are one click further, under "More"


def link(scene: sc.Scene) -> str:
    """The link that opens exactly ``scene`` on this server."""
    base = (st.context.url or "").split("?")[0]
    return base + "?" + urlencode(sc.to_query(scene), safe="(),=/:")


def _download(keys: Keys, scene: sc.Scene, suffix: str, computed, label: str | None = None) -> None:
    reason = unavailable(scene, suffix)
    st.download_button(label or suffix[1:].upper(), lambda: export_bytes(scene, suffix, computed=computed),
                       file_name=default_filename(scene, suffix), mime=FORMATS[suffix].mime,
                       help=reason or FORMATS[suffix].description + ", made when you click",
                       disabled=reason is not None,
                       on_click="ignore", icon=":material/download:", key=keys("download", suffix[1:]))


def export_bar(keys: Keys, scene: sc.Scene, computed, on_open) -> None:
    """The bar under the figure (``on_open`` reads an uploaded scene file)."""
    here = link(scene)
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key=keys("bar")):
        copy_button(here, "Copy the link", "Copied: this link opens exactly this scene")
        for suffix in BAR:
            _download(keys, scene, suffix, computed)
        with st.popover("More", icon=":material/more_horiz:", key=keys("more"), on_change="rerun") as more:
            if more.open:
                _more(keys, scene, computed, on_open, here)


def _more(keys: Keys, scene: sc.Scene, computed, on_open, here: str) -> None:
    st.caption("This link opens exactly this scene:")
    st.code(here, language=None, wrap_lines=True)
    rest = [s for s in FORMATS if s not in BAR and s not in ANIMATIONS]
    with st.container(horizontal=True, gap="small"):
        for suffix in rest:
            _download(keys, scene, suffix, computed)
    for kind in (s for s in ANIMATIONS if s not in BAR):
        made = st.session_state.get(keys("movie"))
        if made and made[:2] == (scene, kind):
            st.download_button(f"Download the {kind[1:].upper()}", made[2], file_name=default_filename(scene, kind),
                               mime=FORMATS[kind].mime, type="primary", on_click="ignore",
                               key=keys("download", "movie"))
        elif st.button(f"Render the {FORMATS[kind].description}", key=keys("button", "render", kind[1:])):
            with progress_bar("Rendering the animation…") as report:
                try:
                    st.session_state[keys("movie")] = (scene, kind, export_bytes(scene, kind, report,
                                                                                 computed=computed))
                    st.rerun(scope="app")
                except ExportError as e:
                    st.error(plain(str(e)))
    st.file_uploader("Open a scene saved as JSON", type=["json"], key=keys("scene_file"), on_change=on_open,
                     max_upload_size=1)
