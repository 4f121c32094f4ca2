"""The explorer's sidebar: the scene <-> widget-state sync and the editors of the runs and the schedule.

The scene (``scenes.Scene``) is the single source of truth: ``load`` writes it into the widgets'
session state when a link, a preset, a file or a click brings one (before the widgets are drawn), and
``read`` draws the widgets and reads them back into a scene, with a message for each setting that is
not valid (the rest of the scene still runs).
"""

from __future__ import annotations

import streamlit as st

import scenes as sc
from optimizers import OPTIMIZERS, SCHEDULES
from scenes.model import MAX_NOISE, MAX_RUNS, MAX_SCENE_STEPS, MAX_SEEDS, MAX_START
from surfaces import SURFACES
from surfaces.expression import EXAMPLE, FUNCTIONS

from .figures import schedule_chart
from .keys import Keys
from .widgets import KEEP, initial, param_widget

K = Keys("explorer")
YOUR_OWN = "custom"  # the scene picker's entry for a scene that is no preset


# ------------------------------------------------------------------------------ scene -> widgets


def load(scene: sc.Scene) -> None:
    """Write ``scene`` into the widgets' session state, replacing every run and schedule setting."""
    state = st.session_state
    for key in [k for k in state if K.owns(k, "run") or K.owns(k, "schedule")]:
        del state[key]
    state[K("run_ids")] = list(range(len(scene.runs)))
    state[K("next_run_id")] = len(scene.runs)
    for i, r in enumerate(scene.runs):
        state[K("run", i, "opt")] = r.optimizer
        state[K("run", i, "lr")] = r.lr
        for name, value in r.params:
            _set_param(K("run", i, r.optimizer, name), OPTIMIZERS[r.optimizer].param(name), value)
    state[K("surface")] = scene.surface
    state[K("formula")] = scene.formula or EXAMPLE
    state[K("start_x")], state[K("start_y")] = scene.start_point()
    state[K("schedule", "name")] = scene.schedule
    for name, value in scene.schedule_params:
        _set_param(K("schedule", scene.schedule, name), SCHEDULES[scene.schedule].param(name), value)
    state[K("steps")] = scene.steps
    state[K("noise")] = scene.noise
    state[K("seeds")] = scene.seeds
    state[K("view")] = "3-D" if scene.view == "3d" else "Map"
    state[K("presentation")] = scene.presentation
    state[K("preset")] = sc.preset_of(scene) or YOUR_OWN


def _set_param(key: str, param, value) -> None:
    if param.kind == "pair":
        st.session_state[f"{key}.0"], st.session_state[f"{key}.1"] = value
    elif param.kind == "ints":
        st.session_state[key] = "/".join(str(v) for v in value)
    else:
        st.session_state[key] = value


def open_first_visit() -> None:
    """On a session's first visit, the scene of the link it came with (defaults, warned, where a value
    is not valid). A locked link's scene is kept as it came, for the whole session."""
    if K("run_ids") not in st.session_state:
        scene, st.session_state[K("link_warnings")] = sc.from_query(st.query_params.to_dict())
        load(scene)
        if scene.locked:
            st.session_state[K("locked")] = scene


def locked_scene() -> sc.Scene | None:
    """The scene of a teacher's locked link, shown as it is: no sidebar, nothing to edit."""
    return st.session_state.get(K("locked"))


def open_file() -> None:
    upload = st.session_state.get(K("scene_file"))
    if upload is None:
        return
    try:
        scene, warnings = sc.from_json(upload.getvalue()[: 64 * 1024].decode("utf-8", errors="replace"))
    except ValueError as e:
        scene, warnings = None, [f"the file {upload.name!r} is not a scene: {e}"]
    if scene is not None:
        load(scene)
    st.session_state[K("link_warnings")] = warnings


# ---------------------------------------------------------------------------------- callbacks


def _on_preset() -> None:
    key = st.session_state[K("preset")]
    if key in sc.PRESETS:
        load(sc.PRESETS[key].scene)


def chosen_surface():
    """The surface the picker and the formula box describe; ValueError for a formula that is refused."""
    state = st.session_state
    return sc.custom_surface(state[K("formula")]) if state[K("surface")] == sc.CUSTOM else SURFACES[state[K("surface")]]


def _on_surface() -> None:
    try:
        st.session_state[K("start_x")], st.session_state[K("start_y")] = chosen_surface().start
    except ValueError:
        pass  # the formula's own message is shown where the formula is


def start_at_click(points) -> None:
    """Start where the map was clicked."""
    if points:
        st.session_state[K("start_x")] = round(float(points[-1]["x"]), 4)
        st.session_state[K("start_y")] = round(float(points[-1]["y"]), 4)


def _add_run() -> None:
    state = st.session_state
    rid = state[K("next_run_id")]
    state[K("run", rid, "opt")] = "adam"
    state[K("run", rid, "lr")] = OPTIMIZERS["adam"].lr.default
    state[K("run_ids")].append(rid)
    state[K("next_run_id")] += 1


def _remove_run(rid: int) -> None:
    if len(st.session_state[K("run_ids")]) > 1:
        st.session_state[K("run_ids")].remove(rid)


# ---------------------------------------------------------------------------------- editors


def _run_editor(rid: int, index: int, sb) -> sc.RunSpec | str:
    """The widgets of one run; its RunSpec, or a message saying which setting is not valid."""
    state = st.session_state
    key = state.get(K("run", rid, "opt"), "adam")
    spec = OPTIMIZERS[key]
    label = sc.run_label(sc.RunSpec(key, float(state.get(K("run", rid, "lr"), spec.lr.default))))
    with sb.expander(f"{index + 1}. {label}", expanded=False):
        key = st.selectbox("optimizer", list(OPTIMIZERS), key=K("run", rid, "opt"),
                           format_func=lambda k: OPTIMIZERS[k].title, persist_state=KEEP)
        spec = OPTIMIZERS[key]
        lr = param_widget(K("run", rid, "lr"), spec.lr)
        values = {p.name: param_widget(K("run", rid, key, p.name), p) for p in spec.params}
        st.button("Remove this run", key=K("button", "remove", rid), on_click=_remove_run, args=(rid,),
                  disabled=len(state[K("run_ids")]) <= 1)
    try:
        return sc.RunSpec(key, lr, tuple(values.items()))
    except ValueError as e:
        return f"Run {index + 1} ({spec.title}): {e}"


def _schedule_editor(sb, steps: int) -> tuple[str, tuple, str | None]:
    with sb.expander("Learning-rate schedule", expanded=False):
        name = st.selectbox("schedule", list(SCHEDULES), key=K("schedule", "name"),
                            format_func=lambda k: SCHEDULES[k].title, persist_state=KEEP)
        spec = SCHEDULES[name]
        values = {p.name: param_widget(K("schedule", name, p.name), p) for p in sc.schedule_params(spec)}
        try:
            name, settings = sc.make_schedule(name, values)
        except ValueError as e:
            return name, (), f"Schedule: {e}"
        st.caption("Each run's learning rate is " + ("the schedule's initial rate." if spec.run_rate == "lr"
                                                     else "the peak of the cycle."))
        st.plotly_chart(schedule_chart(name, settings, steps), theme=None, config={"displayModeBar": False})
        st.latex(spec.latex)
    return name, settings, None


def read() -> tuple[sc.Scene, list[str]]:
    """Draw the sidebar's widgets and read them into a scene, with a message for each setting that is
    not valid."""
    state, sb = st.session_state, st.sidebar
    errors: list[str] = []
    sb.selectbox("Scene", [YOUR_OWN, *sc.PRESETS], key=K("preset"), on_change=_on_preset, persist_state=KEEP,
                 format_func=lambda k: "— your own —" if k == YOUR_OWN else sc.PRESETS[k].title)
    surface = sb.selectbox("Surface", [*SURFACES, sc.CUSTOM], key=K("surface"), on_change=_on_surface,
                           persist_state=KEEP,
                           format_func=lambda k: "✎ Your own formula" if k == sc.CUSTOM else SURFACES[k].title)
    formula = ""
    if surface == sc.CUSTOM:
        formula = sb.text_input("f(x, y) =", key=K("formula"), on_change=_on_surface, max_chars=300,
                                persist_state=KEEP,
                                help="x, y, numbers, + − * / ** (or ^), pi, e and " + ", ".join(FUNCTIONS))
        try:
            sc.custom_surface(formula)
        except ValueError as e:
            errors.append(f"Your formula: {e}")
            surface, formula = "beale", ""
    sb.markdown("**Runs**")
    runs = []
    for index, rid in enumerate(list(state[K("run_ids")])):
        result = _run_editor(rid, index, sb)
        if isinstance(result, str):
            errors.append(result)
        else:
            runs.append(result)
    sb.button("Add a run", key=K("button", "add"), on_click=_add_run,
              disabled=len(state[K("run_ids")]) >= MAX_RUNS, width="stretch")
    schedule, schedule_params, error = _schedule_editor(sb, int(state.get(K("steps"), 300)))
    if error:
        errors.append(error)
    steps = sb.slider("Steps", 1, MAX_SCENE_STEPS, key=K("steps"), persist_state=KEEP)
    cols = sb.columns(2)
    start = (cols[0].number_input("start x", -MAX_START, MAX_START, key=K("start_x"), format="%.4g",
                                  persist_state=KEEP),
             cols[1].number_input("start y", -MAX_START, MAX_START, key=K("start_y"), format="%.4g",
                                  persist_state=KEEP))
    sb.caption("Or click the map to start there.")
    noise = sb.slider("Gradient noise σ", 0.0, MAX_NOISE, key=K("noise"), step=0.05, persist_state=KEEP,
                      help="Gaussian noise added to every gradient component, seeded: the same seed, the same path")
    seeds = sb.slider("Seeds drawn (noisy runs)", 1, MAX_SEEDS, key=K("seeds"), persist_state=KEEP)
    own_start = tuple(sc.custom_surface(formula).start if surface == sc.CUSTOM else SURFACES[surface].start)
    scene = sc.Scene(surface=surface, formula=formula, runs=tuple(runs) or sc.DEFAULT_RUNS, schedule=schedule,
                     schedule_params=schedule_params, steps=int(steps),
                     start=None if start == own_start else (float(start[0]), float(start[1])),
                     noise=float(noise), seeds=int(seeds), view="3d" if state.get(K("view")) == "3-D" else "map",
                     presentation=bool(state.get(K("presentation"), False)))
    return scene, errors


def view_toggles(where) -> None:
    """The map / 3-D switch and the presentation mode, beside the page's title."""
    with where:
        st.segmented_control("View", ["Map", "3-D"], key=initial(K("view"), "Map"), label_visibility="collapsed",
                             persist_state=KEEP)
        st.toggle("Presentation mode", key=initial(K("presentation"), False), persist_state=KEEP,
                  help="Larger type, thicker lines, no sidebar: for projectors")
