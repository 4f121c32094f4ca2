"""The trajectory explorer: pick a surface, some optimizers and a schedule, and watch them race.

The scene (scenes.Scene) is the single source of truth: the sidebar's widgets are written from it when
a link, a preset, a file or a click brings one, read back into it on every run, and the URL carries it.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import scenes as sc
import ui
from optimizers import OPTIMIZERS, SCHEDULES
from ui import scene_form as form
from ui.figures import computed, map_figure, view3d_figure
from ui.inspector import glyph_choice, inspector
from ui.share import export_bar

ui.run_through_navigation()
K = form.K


form.open_first_visit()
locked = form.locked_scene()  # a teacher's link for the class: the scene and its animation, nothing to edit
scene, errors = (locked, []) if locked else form.read()
surface = sc.surface_of(scene)
ui.apply_styles(scene.presentation, locked=bool(locked))

head, toggles = st.columns([5, 2], vertical_alignment="center")
head.markdown(f"## {surface.title}")
if not locked:
    form.view_toggles(toggles)
if st.session_state.get(K("link_warnings")):
    st.warning("Some settings in the link were ignored and kept their defaults:\n\n"
               + "\n".join(f"- {ui.plain(w)}" for w in st.session_state[K("link_warnings")]))
for error in errors:
    st.error(ui.plain(error))

st.latex(surface.latex)
if scene.surface == sc.CUSTOM:
    with st.expander("Its gradient, differentiated exactly from your formula"):
        for line in surface.grad_latex:
            st.latex(line)
preset = sc.PRESETS.get(sc.preset_of(scene))
st.caption(surface.caption + (f"  \n**What to watch:** {preset.caption}" if preset else ""))

try:
    runs, bands = computed(scene)
except ValueError as e:  # a start where the loss is not finite, or more work than one scene may ask for
    st.error(ui.plain(str(e)) + " — showing the surface's own start with one seed instead.")
    scene = replace(scene, start=None, seeds=1)
    runs, bands = computed(scene)
if scene.view == "3d":
    st.plotly_chart(view3d_figure(scene), theme=None, key=K("view3d"), config={"displaylogo": False})
else:
    map_key = K("map")
    figure = map_figure(scene, clickable=not locked, glyphs=glyph_choice())
    clicked = lambda: form.start_at_click(st.session_state[map_key].selection.points)  # noqa: E731
    st.plotly_chart(figure, key=map_key, selection_mode="points", theme=None, on_select="ignore" if locked else clicked,
                    config={"displaylogo": False, "scrollZoom": False,
                            "toImageButtonOptions": {"format": "png", "filename": f"descent-lab-{scene.surface}",
                                                     "scale": 3}})

st.table(sc.readable(sc.summary_rows(surface, runs)), hide_index=True)
inspector(scene, runs)

st.markdown("#### The update rules that ran")
rules = list(dict.fromkeys((r.optimizer, r.rule()) for r in scene.runs))
for row in range(0, len(rules), 3):
    for column, (key, rule) in zip(st.columns(3), rules[row : row + 3], strict=False):
        spec = OPTIMIZERS[key]
        origin = f"`{spec.torch_class}`" if spec.torch_class else "the lecture's form"
        column.markdown(f"**{spec.title}** — {origin}")
        column.latex(rule)
        column.caption(spec.note)
schedule_spec = SCHEDULES[scene.schedule]
st.markdown(f"**Schedule: {schedule_spec.title}** — `{schedule_spec.torch_class}`")
st.latex(schedule_spec.latex)

st.query_params.from_dict(sc.to_query(scene))
if not locked:
    st.markdown("#### Share and export")
    export_bar(K, scene, (runs, bands), form.open_file)
