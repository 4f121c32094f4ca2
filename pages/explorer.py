"""The trajectory explorer: pick a surface, some optimizers and a schedule, and watch them race.

The scene (scenes.Scene) is the single source of truth: the sidebar's widgets are written from it when
a link, a preset, a file or a click brings one, read back into it on every run, and the URL carries it.
The page's head, the caption, the figure and the bar under it fit one laptop screen.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import scenes as sc
import ui
from optimizers import OPTIMIZERS, SCHEDULES
from ui import scene_form as form
from ui import story
from ui.figures import computed, map_figure, view3d_figure
from ui.inspector import glyph_choice, inspector
from ui.share import export_bar
from ui.workarounds import map_clicks

ui.run_through_navigation()
K = form.K
MAP = f".st-key-{K('map').replace('.', '-')} .js-plotly-plot"


form.open_first_visit()
locked = form.locked_scene()  # a teacher's link for the class: the scene and its animation, nothing to edit
presenting = bool(locked.presentation if locked else st.session_state.get(K("presentation")))
head = st.container(horizontal=True, vertical_alignment="center", gap="medium")
title, picker = head.container(width="content"), head.container(width=260) if presenting and not locked else None
scene, errors = (locked, []) if locked else form.scene_from_state()
surface = sc.surface_of(scene)
ui.apply_styles(scene.presentation, locked=bool(locked))
title.markdown(f"## {surface.title}")
glyphs = "none"
if not locked:
    toggles = head.container(horizontal=True, width="content", vertical_alignment="center")
    form.view_toggles(toggles)
    if st.session_state.get(K("view")) != "3-D":
        glyphs = glyph_choice(toggles)
if st.session_state.get(K("link_warnings")):
    st.warning("Some settings in the link were ignored and kept their defaults:\n\n"
               + "\n".join(f"- {ui.plain(w)}" for w in st.session_state[K("link_warnings")]))
for error in errors:
    st.error(ui.plain(error))

with st.container(gap="xsmall"):
    st.latex(surface.latex)
    if scene.surface == sc.CUSTOM:
        with st.expander("Its gradient, differentiated exactly from your formula"):
            for line in surface.grad_latex:
                st.latex(line)
    preset_key = sc.preset_of(scene)
    story.caption(surface, sc.PRESETS.get(preset_key))
    try:
        runs, bands = computed(scene)
    except ValueError as e:  # a start where the loss is not finite, or more work than one scene may ask for
        st.error(ui.plain(str(e)) + " — showing the surface's own start with one seed instead.")
        scene = replace(scene, start=None, seeds=1)
        runs, bands = computed(scene)
    story.numbers(K, preset_key, scene, (runs, bands))

if scene.view == "3d":
    st.plotly_chart(view3d_figure(scene), theme=None, key=K("view3d"), config={"displaylogo": False})
else:
    map_key = K("map")
    figure = map_figure(scene, clickable=not locked, glyphs=glyphs)
    clicked = lambda: form.start_at_click(dict(st.session_state[map_key].selection))  # noqa: E731
    st.plotly_chart(figure, key=map_key, selection_mode="box", theme=None, on_select="ignore" if locked else clicked,
                    config={"displaylogo": False, "scrollZoom": False,
                            "toImageButtonOptions": {"format": "png", "filename": f"descent-lab-{scene.surface}",
                                                     "scale": 3}})

st.query_params.from_dict(sc.to_query(scene))
if not locked:
    form.draw(scene, picker)
    export_bar(K, scene, (runs, bands), form.open_file)
    if scene.view != "3d":
        map_clicks(MAP, st.sidebar)  # a script, nothing to see: in the sidebar, it takes no room beside the figure

st.table(sc.readable(sc.summary_rows(surface, runs)), hide_index=True)
if not locked:
    with st.expander("Inside one step: the optimizer's state and its rule with this step's numbers", key=K("inside"),
                     on_change="rerun") as box:
        if box.open:  # tables and formulas below the fold: drawn when asked for, not before a link's figure
            inspector(scene, runs)

with st.expander("The update rules that ran, as torch.optim runs them", key=K("rules"), on_change="rerun") as box:
    if box.open:  # a dozen formulas: set only when asked for, not before the figure of a link just opened
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
