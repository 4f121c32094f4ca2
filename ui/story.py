"""What a scene shows, in a sentence or two above its figure, and the numbers behind every claim of a
prepared scene under "What the numbers say" (computed only while that expander is open)."""

from __future__ import annotations

import streamlit as st

import scenes as sc
from scenes.stories import claims, table

from .keys import Keys


def caption(surface, preset) -> None:
    """One glance: what to watch in a prepared scene, else what the surface teaches."""
    st.caption(f"**What to watch:** {preset.caption}" if preset else surface.caption)


def numbers(keys: Keys, key: str | None, scene: sc.Scene, computed) -> None:
    """The prepared scene's whole story and the table that measures it, the same rows the tests check."""
    if key is None:
        return
    with st.expander("What the numbers say", key=keys("numbers"), on_change="rerun", type="compact") as box:
        if box.open:
            preset = sc.PRESETS[key]
            st.markdown(" ".join(filter(None, (sc.surface_of(scene).caption, preset.detail))))
            st.table(table(claims(key, scene, *computed)), hide_index=True)
