"""Inside the optimizer on the explorer page: the switch of the map's glyphs, and the step inspector.

The maths is ``optimizers.explain``'s, gathered by ``scenes.inside``; here are only the widgets and
what they show. The figure's slider lives in the browser, so the inspector has its own step control.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import scenes as sc
from viz.glyphs import KINDS

from .keys import Keys
from .widgets import KEEP, initial

K = Keys("explorer")
NUMBER = st.column_config.NumberColumn(format="%.6g")


def glyph_choice(where=st) -> str:
    """The switch of the map's glyphs: a key of ``viz.glyphs.KINDS``."""
    kind = where.segmented_control("At each head", list(KINDS), format_func=KINDS.get,
                                   key=initial(K("glyphs"), "none"), persist_state=KEEP,
                                   help="Drawn at every head, moving with it: the gradient of the step that "
                                        "brought it there, the velocity or first moment it carries, its "
                                        "effective per-coordinate rate (a box), or its step split into parts")
    return kind or "none"


def _height(rows: list) -> int:
    """Pixels that show every row without a scroll bar (Streamlit's rows are 35 px high)."""
    return 35 * (len(rows) + 1) + 3


def _shift(key: str, by: int, last: int) -> None:
    st.session_state[key] = min(max(int(st.session_state[key]) + by, 1), last)


def inspector(scene: sc.Scene, runs: dict) -> None:
    """One update of one run, every number that made it, and the rule it ran with those numbers."""
    state, labels = st.session_state, list(runs)
    run_key, step_key = K("inspect", "run"), K("inspect", "step")
    if state.get(run_key) not in labels:
        state[run_key] = labels[0]
    left, middle, back, forward = st.columns([3, 2, 1, 1], vertical_alignment="bottom")
    label = left.selectbox("Run", labels, key=run_key, persist_state=KEEP)
    last = sc.last_update(runs[label])
    if last < 1:
        st.info(f"{label} diverged at its first update: there is no step to look inside.")
        return
    if not 1 <= int(state.get(step_key, last)) <= last:
        state[step_key] = min(max(int(state[step_key]), 1), last)
    step = middle.number_input(f"Step (1 to {last})", 1, last, key=initial(step_key, last), persist_state=KEEP,
                               help="Update t moves the point from step t − 1 to step t of the figure's slider")
    back.button("◀ Step back", key=K("inspect", "back"), on_click=_shift, args=(step_key, -1, last),
                disabled=step <= 1, width="stretch")
    forward.button("Step forward ▶", key=K("inspect", "forward"), on_click=_shift, args=(step_key, 1, last),
                   disabled=step >= last, width="stretch")
    seen = sc.inspect(scene, runs, label, int(step))
    st.markdown(f"**{seen.title}** ({seen.origin}), update t = {seen.step}: from step {seen.step - 1} to step "
                f"{seen.step} of the slider")
    table, scalars = st.columns([5, 2])
    table.dataframe(pd.DataFrame(seen.rows), hide_index=True, width="stretch", height=_height(seen.rows),
                    column_config={"x": NUMBER, "y": NUMBER})
    scalars.dataframe(pd.DataFrame(seen.scalars), hide_index=True, width="stretch", height=_height(seen.scalars),
                      column_config={"value": NUMBER})
    for note in seen.notes:
        st.caption(note)
    st.markdown("The rule that ran, with this step's numbers, in x and in y:")
    for coordinate, latex in zip("xy", seen.latex, strict=True):
        st.caption(f"{coordinate}:")
        st.latex(latex)
