"""The explorer's computation and figures, cached once per scene for every session.

A class opening one shared link pays for one computation and one figure: ``computed`` is cached data
(each session gets its own copy of the trajectories), the figures are cached resources (one object,
shared read-only: nothing mutates a figure after it is built).
"""

from __future__ import annotations

import streamlit as st

import scenes as sc
from viz import surface_3d_figure, trajectory_figure
from viz.glyphs import glyph_layer
from viz.trajectory import frame_steps, schedule_figure


@st.cache_data(max_entries=64, show_spinner="Running the optimizers…")
def computed(scene: sc.Scene):
    return sc.compute(scene, states=True)  # the glyphs and the step inspector read the states


def shared(figure):
    """``figure``, read-only, for every session at once. st.plotly_chart turns a figure into a dict
    (``to_dict``, a deep copy) on every run, a quarter of the server's time per student; this one hands
    out the dict made here, once."""
    frozen = figure.to_dict()
    figure.to_dict = lambda: frozen
    return figure


@st.cache_resource(max_entries=64, show_spinner=False)
def map_figure(scene: sc.Scene, clickable: bool, glyphs: str = "none"):
    runs, bands = computed(scene)
    layer = None if glyphs == "none" else glyph_layer(sc.surface_of(scene), runs,
                                                      sc.glyph_paths(scene, runs, frame_steps(scene.steps)), glyphs)
    return shared(trajectory_figure(sc.surface_of(scene), runs, bands=bands, presentation=scene.presentation,
                                    clickable=clickable, glyphs=layer))


@st.cache_resource(max_entries=64, show_spinner=False)
def view3d_figure(scene: sc.Scene):
    return shared(surface_3d_figure(sc.surface_of(scene), computed(scene)[0], presentation=scene.presentation))


@st.cache_resource(max_entries=64, show_spinner=False)
def schedule_chart(name: str, settings: tuple, steps: int):
    return shared(schedule_figure(sc.schedule_rates(name, settings, steps)))
