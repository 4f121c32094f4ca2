"""The explorer's sidebar: the scene <-> widget-state sync and the editors of the runs and the schedule.

The scene (``scenes.Scene``) is the single source of truth: ``load`` writes it into the widgets'
session state when a link, a preset, a file or a click brings one (before the widgets are drawn), and
``scene_from_state`` reads the settings back into a scene, with a message for each setting that is not
valid (the rest of the scene still runs), before any widget is drawn, so that the page can send its
figure first; ``draw`` then draws the widgets, which only show and change the settings. An editor's
widgets are drawn only while it is open; the settings stay in session state (``persist_state``).
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
from .text import latex_lines
from .widgets import KEEP, initial, param_value, param_widget
from .workarounds import steady_label

K = Keys("explorer")
YOUR_OWN = "custom"  # the scene picker's entry for a scene that is no preset
CYCLE = "onecycle"  # the schedule whose cycle follows the scene's steps (total_steps), unless told otherwise
CYCLE_STEPS = SCHEDULES[CYCLE].param("total_steps").default


# ------------------------------------------------------------------------------ scene -> widgets


def load(scene: sc.Scene) -> None:
    """Write ``scene`` into the widgets' session state, replacing every run and schedule setting."""
    state = st.session_state
    for key in [k for k in state if K.owns(k, "run") or K.owns(k, "schedule") or K.owns(k, "editor")]:
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
    if scene.schedule == CYCLE:
        cycle = dict(scene.schedule_params).get("total_steps", CYCLE_STEPS)
        state[K("schedule", CYCLE, "follow")] = cycle == scene.steps
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


def start_at_click(selection) -> None:
    """Start where the map was clicked: the centre of the selection box a click makes (a point where
    one was picked instead), to six significant digits."""
    box = [b for b in selection.get("box", ()) if b.get("xref", "x") == "x" and len(b.get("x", ())) == 2]
    if box:
        x, y = (sum(box[-1]["x"]) / 2, sum(box[-1]["y"]) / 2)
    elif selection.get("points"):
        x, y = selection["points"][-1]["x"], selection["points"][-1]["y"]
    else:
        return
    st.session_state[K("start_x")], st.session_state[K("start_y")] = float(f"{x:.6g}"), float(f"{y:.6g}")


def _add_run() -> None:
    state = st.session_state
    rid = state[K("next_run_id")]
    state[K("run", rid, "opt")] = "adam"
    state[K("run", rid, "lr")] = OPTIMIZERS["adam"].lr.default
    state[K("run_ids")].append(rid)
    state[K("next_run_id")] += 1
    state[K("editor", rid)] = True  # a new run is added to be set


def _remove_run(rid: int) -> None:
    if len(st.session_state[K("run_ids")]) > 1:
        st.session_state[K("run_ids")].remove(rid)


# ---------------------------------------------------------------------------------- editors


def _run_of(rid: int, index: int) -> sc.RunSpec | str:
    """Run ``rid`` as its settings stand in session state; a message naming the setting that is not valid."""
    state = st.session_state
    spec = OPTIMIZERS[state.get(K("run", rid, "opt"), "adam")]
    lr = param_value(K("run", rid, "lr"), spec.lr)
    values = {p.name: param_value(K("run", rid, spec.key, p.name), p) for p in spec.params}
    try:
        return sc.RunSpec(spec.key, lr, tuple(values.items()))
    except ValueError as e:
        return f"Run {index + 1} ({spec.title}): {e}"


def _follows_steps(name: str) -> bool:
    return name == CYCLE and bool(st.session_state.get(K("schedule", CYCLE, "follow"), True))


def _schedule_of(steps: int) -> tuple[str, tuple, str | None]:
    """The schedule as its settings stand; the one-cycle schedule's cycle spans the scene's steps unless
    its switch is off."""
    name = st.session_state.get(K("schedule", "name"), "constant")
    params = [p for p in sc.schedule_params(SCHEDULES[name]) if not (_follows_steps(name) and p.name == "total_steps")]
    values = {p.name: param_value(K("schedule", name, p.name), p) for p in params}
    if _follows_steps(name):
        values["total_steps"] = steps
    try:
        return (*sc.make_schedule(name, values), None)
    except ValueError as e:
        return name, (), f"Schedule: {e}"


def scene_from_state() -> tuple[sc.Scene, list[str]]:
    """The scene the sidebar's settings describe, read from session state before any widget is drawn
    (so the figure can be sent first), with a message for each setting that is not valid. Picking the
    preset it is in the scene picker again resets it: the picker is set to that preset."""
    state = st.session_state
    errors: list[str] = []
    surface, formula = state.get(K("surface"), "beale"), ""
    if surface == sc.CUSTOM:
        formula = state.get(K("formula"), EXAMPLE)
        try:
            sc.custom_surface(formula)
        except ValueError as e:
            errors.append(f"Your formula: {e} — showing the last surface that was valid.")
            surface, formula = state.get(K("last_valid"), ("beale", ""))
    state[K("last_valid")] = (surface, formula)
    runs = []
    for index, rid in enumerate(state[K("run_ids")]):
        result = _run_of(rid, index)
        (errors.append if isinstance(result, str) else runs.append)(result)
    steps = int(state.get(K("steps"), 300))
    schedule, schedule_params, error = _schedule_of(steps)
    errors += [error] if error else []
    start = (float(state.get(K("start_x"), 0.0)), float(state.get(K("start_y"), 0.0)))
    own_start = tuple(sc.custom_surface(formula).start if surface == sc.CUSTOM else SURFACES[surface].start)
    scene = sc.Scene(surface=surface, formula=formula, runs=tuple(runs) or sc.DEFAULT_RUNS, schedule=schedule,
                     schedule_params=schedule_params, steps=steps, start=None if start == own_start else start,
                     noise=float(state.get(K("noise"), 0.0)), seeds=int(state.get(K("seeds"), 1)),
                     view="3d" if state.get(K("view")) == "3-D" else "map",
                     presentation=bool(state.get(K("presentation"), False)))
    state[K("preset")] = sc.preset_of(scene) or YOUR_OWN
    return scene, errors


def _run_editor(rid: int, index: int, sb) -> None:
    """One run's editor: its widgets are drawn only while it is open."""
    state = st.session_state
    key = state.get(K("run", rid, "opt"), "adam")
    label = sc.run_label(sc.RunSpec(key, float(state.get(K("run", rid, "lr"), OPTIMIZERS[key].lr.default))))
    editor = sb.expander(steady_label(K("editor", rid), f"{index + 1}. {label}"), key=K("editor", rid),
                         on_change="rerun")
    if editor.open:
        with editor:
            key = st.selectbox("optimizer", list(OPTIMIZERS), key=K("run", rid, "opt"),
                               format_func=lambda k: OPTIMIZERS[k].title, persist_state=KEEP)
            param_widget(K("run", rid, "lr"), OPTIMIZERS[key].lr)
            for p in OPTIMIZERS[key].params:
                param_widget(K("run", rid, key, p.name), p)
            st.button("Remove this run", key=K("button", "remove", rid), on_click=_remove_run, args=(rid,),
                      disabled=len(state[K("run_ids")]) <= 1)


def _schedule_editor(sb, scene: sc.Scene) -> None:
    """The schedule's editor and its curve, drawn only while it is open."""
    state = st.session_state
    name = state.get(K("schedule", "name"), "constant")
    label = steady_label(K("editor", "schedule"), f"Learning-rate schedule: {SCHEDULES[name].title}")
    editor = sb.expander(label, key=K("editor", "schedule"), on_change="rerun")
    if not editor.open:
        return
    with editor:
        name = st.selectbox("schedule", list(SCHEDULES), key=K("schedule", "name"),
                            format_func=lambda k: SCHEDULES[k].title, persist_state=KEEP)
        spec = SCHEDULES[name]
        if name == CYCLE:
            st.toggle(f"The cycle spans the scene's {scene.steps} steps", key=initial(K("schedule", CYCLE, "follow"),
                                                                                      True), persist_state=KEEP)
        for p in sc.schedule_params(spec):
            if not (_follows_steps(name) and p.name == "total_steps"):
                param_widget(K("schedule", name, p.name), p)
        if _schedule_of(scene.steps)[2]:
            return  # not valid: its message is on the page
        st.caption("Each run's learning rate is " + ("the schedule's initial rate." if spec.run_rate == "lr"
                                                     else "the peak of the cycle."))
        st.plotly_chart(schedule_chart(name, scene.schedule_params, scene.steps), theme=None,
                        config={"displayModeBar": False})
        st.latex(latex_lines(spec.latex))


def draw(scene: sc.Scene, picker=None) -> None:
    """Draw the sidebar's widgets, which show (and, when touched, change) the settings in session
    state. The scene picker goes to ``picker`` (a container of the page) where given, else to the top
    of the sidebar."""
    state, sb = st.session_state, st.sidebar
    (picker if picker is not None else sb).selectbox(
        "Scene", [YOUR_OWN, *sc.PRESETS], key=K("preset"), on_change=_on_preset, persist_state=KEEP,
        help="A prepared scene; pick it again to undo your changes to it",
        label_visibility="visible" if picker is None else "collapsed",
        format_func=lambda k: "— your own —" if k == YOUR_OWN else sc.PRESETS[k].title)
    surface = sb.selectbox("Surface", [*SURFACES, sc.CUSTOM], key=K("surface"), on_change=_on_surface,
                           persist_state=KEEP,
                           format_func=lambda k: "✎ Your own formula" if k == sc.CUSTOM else SURFACES[k].title)
    if surface == sc.CUSTOM:
        sb.text_input("f(x, y) =", key=initial(K("formula"), EXAMPLE), on_change=_on_surface, max_chars=300,
                      persist_state=KEEP, help="x, y, numbers, + − * / ** (or ^), pi, e and " + ", ".join(FUNCTIONS))
    sb.markdown("**Runs**")
    for index, rid in enumerate(list(state[K("run_ids")])):
        _run_editor(rid, index, sb)
    sb.button("Add a run", key=K("button", "add"), on_click=_add_run,
              disabled=len(state[K("run_ids")]) >= MAX_RUNS, width="stretch")
    sb.slider("Steps", 1, MAX_SCENE_STEPS, key=K("steps"), persist_state=KEEP)
    _schedule_editor(sb, scene)
    cols = sb.columns(2)
    cols[0].number_input("start x", -MAX_START, MAX_START, key=K("start_x"), format="%.4g", persist_state=KEEP)
    cols[1].number_input("start y", -MAX_START, MAX_START, key=K("start_y"), format="%.4g", persist_state=KEEP)
    sb.caption("Or click the map to start there.")
    sb.slider("Gradient noise σ", 0.0, MAX_NOISE, key=K("noise"), step=0.05, persist_state=KEEP,
              help="Gaussian noise added to every gradient component, seeded: the same seed, the same path")
    sb.slider("Seeds drawn (noisy runs)", 1, MAX_SEEDS, key=K("seeds"), persist_state=KEEP)


def view_toggles(where) -> None:
    """The map / 3-D switch and the presentation mode, side by side beside the page's title."""
    with where:
        st.segmented_control("View", ["Map", "3-D"], key=initial(K("view"), "Map"), label_visibility="collapsed",
                             persist_state=KEEP)
        st.toggle("Presentation", key=initial(K("presentation"), False), persist_state=KEEP,
                  help="Larger type, thicker lines, no sidebar: for projectors. The scene picker moves up here.")
