"""The learning-rate page's sidebar: its settings (``scenes.lr_lab.LrLab``) <-> the widgets' state.

``open_first_visit`` writes a link's settings into the widgets before they are drawn, once a session;
``read`` draws the widgets (each built from its ``Param`` by ``param_widget``) and reads them back into
settings, or into the messages that say which value is not valid and what is.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from optimizers import OPTIMIZERS
from scenes.lr_lab import GROUPS, NETWORKS, PARAMS, PROBLEMS, LrLab, from_query, snap
from surfaces import SURFACES

from .keys import Keys
from .widgets import KEEP, param_widget

K = Keys("lr")


def load(lab: LrLab) -> None:
    """Write ``lab`` into the widgets' session state."""
    state = st.session_state
    for key in [k for k in state if K.owns(k, "opt")]:
        del state[key]
    state[K("problem")], state[K("optimizer")] = lab.problem, lab.optimizer
    for name, value in lab.params:
        state[K("opt", lab.optimizer, name)] = value
    for name in PARAMS:
        state[K(name)] = getattr(lab, name)
    if lab.rate is not None:
        state[K("rate")], state[K("rate", "for")] = lab.rate, lab.test_settings()


def open_first_visit() -> None:
    """On a session's first visit, the settings of the link it came with (defaults, warned, where a
    value is not valid)."""
    if K("visited") not in st.session_state:
        lab, st.session_state[K("link_warnings")] = from_query(st.query_params.to_dict())
        load(lab)
        st.session_state[K("visited")] = True


def problem_title(key: str) -> str:
    return NETWORKS[key] if key in NETWORKS else f"Surface: {SURFACES[key].title}"


def read() -> tuple[LrLab | None, list[str]]:
    """Draw the sidebar and read it: the settings, or None and a message for what is not valid."""
    sb = st.sidebar
    problem = sb.selectbox("Problem", PROBLEMS, key=K("problem"), format_func=problem_title, persist_state=KEEP,
                           help="A small network trained on minibatches, or any surface of the explorer with a "
                                "minimum (the saddles have none: their loss falls without bound).")
    optimizer = sb.selectbox("Optimizer", list(OPTIMIZERS), key=K("optimizer"), persist_state=KEEP,
                             format_func=lambda k: OPTIMIZERS[k].title)
    spec = OPTIMIZERS[optimizer]
    with sb.expander(f"{spec.title} settings", expanded=False):
        params = {p.name: param_widget(K("opt", optimizer, p.name), p) for p in spec.params}
    values = {"problem": problem, "optimizer": optimizer,
              "presentation": bool(st.session_state.get(K("presentation"), False))}
    for title in ("Range test", "Grid search", *(("Network",) if problem in NETWORKS else ())):
        with sb.expander(title, expanded=title == "Range test"):
            values.update({n: param_widget(K(n), PARAMS[n]) for n in GROUPS[title]})
    try:
        return LrLab(**values, params=tuple(params.items())), []
    except ValueError as e:
        return None, [str(e.args[0]) if isinstance(e, KeyError) else str(e)]


def presentation_toggle(where) -> None:
    """The presentation mode's switch, beside the page's title (the sidebar hides in that mode)."""
    where.toggle(PARAMS["presentation"].label, key=K("presentation"), help=PARAMS["presentation"].help,
                 persist_state=KEEP)


def rate_choice(where, options: list[float], default: float, owner: LrLab) -> float:
    """The chosen rate, one of ``options`` (the tested rates): the default for new ``owner`` settings,
    else the one chosen before (snapped to the nearest option)."""
    state, key = st.session_state, K("rate")
    if state.get(K("rate", "for")) != owner or key not in state:
        state[key], state[K("rate", "for")] = default, owner
    elif state[key] not in options:
        state[key] = snap(state[key], np.array(options))
    return where.select_slider("Chosen rate (or click the curve)", options, key=key, format_func=lambda v: f"{v:.3g}",
                               persist_state=KEEP, help="one of the rates the test tried")


def choose_clicked(chart_key: str, options: list[float]) -> None:
    """Callback of the range-test chart: the tested rate nearest the clicked point becomes the chosen rate."""
    points = st.session_state[chart_key].selection.points
    if points:
        st.session_state[K("rate")] = snap(float(points[-1]["x"]), np.array(options))
