"""The trajectory explorer: pick a surface, some optimizers and a schedule, and watch them race.

The scene (viz.scene.Scene) is the single source of truth: widgets are written from it when a link,
a preset or a click loads one, read back into it on every run, and the URL always carries it.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from optimizers import OPTIMIZERS, SCHEDULES
from surfaces import SURFACES
from surfaces.expression import EXAMPLE, FUNCTIONS
from viz import scene as sc
from viz import summary_rows, surface_3d_figure, trajectory_figure
from viz.export import ANIMATIONS, FORMATS, ExportError, default_filename, export_bytes, unavailable
from viz.summary import readable
from viz.text import plain
from viz.trajectory import schedule_figure

if PagesManager.uses_pages_directory:
    # A fresh server's first visit through a deep link runs this page on its own, as Streamlit's old
    # pages/ folder feature did, bypassing app.py. Rerun: the rerun goes through app.py's navigation.
    PagesManager.uses_pages_directory = False
    st.rerun()

LR_CHOICES = sorted({round(m * 10.0**e, 12) for e in range(-5, 3) for m in (1, 2, 5)})
COMPACT_CSS = """<style>
.block-container { padding-top: 2.2rem; }
</style>"""
PRESENTATION_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.35rem !important; }
h2 { font-size: 2.8rem !important; }
.katex { font-size: 1.6em !important; }
</style>"""


# ------------------------------------------------------------------------ scene <-> widget state


def load_scene(scene: sc.Scene) -> None:
    """Write ``scene`` into the widgets' session state (before they are drawn)."""
    state = st.session_state
    for key in [k for k in state if isinstance(k, str) and k.startswith(("run", "sched_"))]:
        del state[key]
    state.run_ids = list(range(len(scene.runs)))
    state.next_run_id = len(scene.runs)
    for i, r in enumerate(scene.runs):
        state[f"run{i}_opt"] = r.optimizer
        state[f"run{i}_lr"] = r.lr
        for name, value in r.params:
            _set_param(f"run{i}_{r.optimizer}", OPTIMIZERS[r.optimizer].param(name), value)
    state.surface = scene.surface
    state.formula = scene.formula or EXAMPLE
    state.start_x, state.start_y = scene.start_point()
    state.schedule = scene.schedule
    for name, value in scene.schedule_params:
        _set_param(f"sched_{scene.schedule}", SCHEDULES[scene.schedule].param(name), value)
    state.steps = scene.steps
    state.noise = scene.noise
    state.seeds = scene.seeds
    state.view = "3-D" if scene.view == "3d" else "Map"
    state.presentation = scene.presentation


def _set_param(prefix: str, param, value) -> None:
    if param.kind == "pair":
        st.session_state[f"{prefix}_{param.name}_0"], st.session_state[f"{prefix}_{param.name}_1"] = value
    elif param.kind == "ints":
        st.session_state[f"{prefix}_{param.name}"] = "/".join(str(v) for v in value)
    else:
        st.session_state[f"{prefix}_{param.name}"] = value


def on_preset() -> None:
    key = st.session_state.preset
    if key in sc.PRESETS:
        load_scene(sc.PRESETS[key].scene)


def chosen_surface():
    """The surface the picker and the formula box describe; ValueError for a formula that is refused."""
    state = st.session_state
    return sc.custom_surface(state.formula) if state.surface == sc.CUSTOM else SURFACES[state.surface]


def on_surface() -> None:
    try:
        st.session_state.start_x, st.session_state.start_y = chosen_surface().start
    except ValueError:
        pass  # the formula's own message is shown where the formula is


def on_map_select() -> None:
    points = st.session_state.map.selection.points if "map" in st.session_state else []
    if points:
        st.session_state.start_x = round(float(points[-1]["x"]), 4)
        st.session_state.start_y = round(float(points[-1]["y"]), 4)


def on_upload() -> None:
    upload = st.session_state.get("scene_file")
    if upload is None:
        return
    try:
        scene, warnings = sc.from_json(upload.getvalue()[: 64 * 1024].decode("utf-8", errors="replace"))
    except ValueError as e:
        scene, warnings = None, [f"the file {upload.name!r} is not a scene: {e}"]
    if scene is not None:
        load_scene(scene)
        st.session_state.preset = "custom"
    st.session_state.link_warnings = warnings


def add_run() -> None:
    rid = st.session_state.next_run_id
    st.session_state[f"run{rid}_opt"] = "adam"
    st.session_state[f"run{rid}_lr"] = OPTIMIZERS["adam"].lr.default
    st.session_state.run_ids.append(rid)
    st.session_state.next_run_id += 1


def remove_run(rid: int) -> None:
    if len(st.session_state.run_ids) > 1:
        st.session_state.run_ids.remove(rid)


# ----------------------------------------------------------------------------------- widgets


def _initial(key: str, value) -> str:
    """Give widget ``key`` its initial value through session state (never also as ``value=``)."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def param_widget(prefix: str, param, where) -> object:
    """One hyperparameter's widget, built from its spec; returns its value."""
    key = f"{prefix}_{param.name}"
    label = param.label or param.name
    tip = param.help or None
    if param.kind == "bool":
        return where.checkbox(label, key=_initial(key, param.default), help=tip)
    if param.kind == "choice":
        return where.selectbox(label, param.choices, key=_initial(key, param.default), help=tip)
    lo, hi = param.low, param.high  # the valid range: a link may carry any valid value
    if param.kind == "pair":
        cols = where.columns(2)
        return tuple(cols[j].number_input(f"{label} [{j + 1}]", min_value=lo, max_value=hi,
                                          key=_initial(f"{key}_{j}", float(param.default[j])), format="%.4g")
                     for j in range(2))
    if param.kind == "ints":
        text = where.text_input(label + " (a/b/c)", key=_initial(key, "/".join(map(str, param.default))), help=tip)
        return [v for v in text.split("/") if v.strip()]
    if param.kind == "int":
        initial = None if param.default is None else int(param.default)  # None: torch's "not given"
        return where.number_input(label, min_value=None if lo is None else int(lo),
                                  max_value=None if hi is None else int(hi), key=_initial(key, initial),
                                  help=tip, placeholder="default")
    return where.number_input(label, min_value=lo, max_value=hi, key=_initial(key, float(param.default)),
                              format="%.4g", help=tip)


def lr_widget(key: str, spec, where) -> float:
    current = float(st.session_state.get(key, spec.lr.default))
    options = sorted(set(LR_CHOICES) | {current})
    if key not in st.session_state:
        st.session_state[key] = current
    return where.select_slider("learning rate ε", options=options, key=key, format_func=lambda v: f"{v:g}")


def run_editor(rid: int, index: int) -> sc.RunSpec | str:
    """The widgets of one run; returns its RunSpec, or an error message if its settings are invalid."""
    state = st.session_state
    key = state.get(f"run{rid}_opt", "adam")
    spec = OPTIMIZERS[key]
    label = sc.run_label(sc.RunSpec(key, float(state.get(f"run{rid}_lr", spec.lr.default))))
    with st.sidebar.expander(f"{index + 1}. {label}", expanded=False):
        key = st.selectbox("optimizer", list(OPTIMIZERS), key=f"run{rid}_opt",
                           format_func=lambda k: OPTIMIZERS[k].title)
        spec = OPTIMIZERS[key]
        lr = lr_widget(f"run{rid}_lr", spec, st)
        values = {p.name: param_widget(f"run{rid}_{key}", p, st) for p in spec.params}
        st.button("Remove this run", key=f"run{rid}_remove", on_click=remove_run, args=(rid,),
                  disabled=len(state.run_ids) <= 1)
    try:
        return sc.make_run(key, lr, values)
    except ValueError as e:
        return f"Run {index + 1} ({spec.title}): {e}"


def schedule_editor() -> tuple[str, tuple, str | None]:
    with st.sidebar.expander("Learning-rate schedule", expanded=False):
        name = st.selectbox("schedule", list(SCHEDULES), key="schedule", format_func=lambda k: SCHEDULES[k].title)
        spec = SCHEDULES[name]
        params = sc.schedule_params(spec)
        values = {p.name: param_widget(f"sched_{name}", p, st) for p in params}
        try:
            name, settings = sc.make_schedule(name, values)
        except ValueError as e:
            return name, (), f"Schedule: {e}"
        st.caption("Each run's learning rate is " + ("the peak of the cycle." if spec.lr is None
                                                     else "the schedule's initial rate."))
        st.plotly_chart(schedule_chart(name, settings, int(st.session_state.get("steps", 300))), theme=None,
                        config={"displayModeBar": False})
        st.latex(spec.latex)
    return name, settings, None


def read_scene() -> tuple[sc.Scene, list[str]]:
    """The scene the widgets describe, with a message for each setting that is not valid."""
    state = st.session_state
    errors: list[str] = []
    sb = st.sidebar
    sb.selectbox("Scene", ["custom", *sc.PRESETS], key="preset", on_change=on_preset,
                 format_func=lambda k: "— your own —" if k == "custom" else sc.PRESETS[k].title)
    surface = sb.selectbox("Surface", [*SURFACES, sc.CUSTOM], key="surface", on_change=on_surface,
                           format_func=lambda k: "✎ Your own formula" if k == sc.CUSTOM else SURFACES[k].title)
    formula = ""
    if surface == sc.CUSTOM:
        formula = sb.text_input("f(x, y) =", key="formula", on_change=on_surface, max_chars=300,
                                help="x, y, numbers, + − * / ** (or ^), pi, e and " + ", ".join(FUNCTIONS))
        try:
            sc.custom_surface(formula)
        except ValueError as e:
            errors.append(f"Your formula: {e}")
            surface, formula = "beale", ""
    sb.markdown("**Runs**")
    runs = []
    for index, rid in enumerate(list(state.run_ids)):
        result = run_editor(rid, index)
        if isinstance(result, str):
            errors.append(result)
        else:
            runs.append(result)
    sb.button("Add a run", on_click=add_run, disabled=len(state.run_ids) >= sc.MAX_RUNS, width="stretch")
    schedule, schedule_params, error = schedule_editor()
    if error:
        errors.append(error)
    steps = sb.slider("Steps", 1, sc.MAX_SCENE_STEPS, key="steps")
    cols = sb.columns(2)
    start = (cols[0].number_input("start x", -sc.MAX_START, sc.MAX_START, key="start_x", format="%.4g"),
             cols[1].number_input("start y", -sc.MAX_START, sc.MAX_START, key="start_y", format="%.4g"))
    sb.caption("Or click the map to start there.")
    noise = sb.slider("Gradient noise σ", 0.0, sc.MAX_NOISE, key="noise", step=0.05,
                      help="Gaussian noise added to every gradient component, seeded: the same seed, the same path")
    seeds = sb.slider("Seeds drawn (noisy runs)", 1, sc.MAX_SEEDS, key="seeds")
    default_start = tuple(sc.custom_surface(formula).start if surface == sc.CUSTOM else SURFACES[surface].start)
    scene = sc.Scene(surface=surface, formula=formula, runs=tuple(runs) or sc.DEFAULT_RUNS, schedule=schedule,
                     schedule_params=schedule_params, steps=int(steps),
                     start=None if start == default_start else (float(start[0]), float(start[1])),
                     noise=float(noise), seeds=int(seeds), view="3d" if state.get("view") == "3-D" else "map",
                     presentation=bool(state.get("presentation", False)))
    return scene, errors


@st.cache_data(max_entries=64, show_spinner="Running the optimizers…")
def computed(scene: sc.Scene):
    return sc.compute(scene)


def shared(figure):
    """``figure``, read-only, for every session at once. st.plotly_chart deep-copies a figure into a dict
    (``to_dict``) on every run, a quarter of the server's time per student; this one hands out the
    dict made here."""
    frozen = figure.to_dict()
    figure.to_dict = lambda: frozen
    return figure


# Figures are built once per scene and shared by every session that shows it (cache_resource: the same
# object, not a copy; nothing mutates a figure after it is built). A class on one link pays for one.
@st.cache_resource(max_entries=64, show_spinner=False)
def map_figure(scene: sc.Scene):
    runs, bands = computed(scene)
    return shared(trajectory_figure(sc.surface_of(scene), runs, bands=bands, presentation=scene.presentation,
                                    clickable=True))


@st.cache_resource(max_entries=64, show_spinner=False)
def view3d_figure(scene: sc.Scene):
    return shared(surface_3d_figure(sc.surface_of(scene), computed(scene)[0], presentation=scene.presentation))


@st.cache_resource(max_entries=64, show_spinner=False)
def schedule_chart(name: str, settings: tuple, steps: int):
    return shared(schedule_figure(sc.schedule_rates(name, settings, steps)))


# --------------------------------------------------------------------------------------- page

restore = None
if "run_ids" not in st.session_state:
    restore, st.session_state.link_warnings = sc.from_query(st.query_params.to_dict())
elif "surface" not in st.session_state and "scene" in st.session_state:
    restore = st.session_state.scene  # back from another page, which dropped this page's widget state
if restore is not None:
    load_scene(restore)
    st.session_state.preset = next((k for k, p in sc.PRESETS.items() if sc.same_story(p.scene, restore)), "custom")

scene, errors = read_scene()
st.session_state.scene = scene
surface = sc.surface_of(scene)
if scene.presentation:
    st.html(PRESENTATION_CSS)

st.html(COMPACT_CSS)
head, toggles = st.columns([5, 2], vertical_alignment="center")
head.markdown(f"## {surface.title}")
with toggles:
    st.segmented_control("View", ["Map", "3-D"], key="view", label_visibility="collapsed")
    st.toggle("Presentation mode", key="presentation", help="Larger type, thicker lines, no sidebar: for projectors")

if st.session_state.get("link_warnings"):
    st.warning("Some settings in the link were ignored and kept their defaults:\n\n"
               + "\n".join(f"- {plain(w)}" for w in st.session_state.link_warnings))
for error in errors:
    st.error(plain(error))

preset = sc.PRESETS.get(st.session_state.get("preset"))
st.latex(surface.latex)
if scene.surface == sc.CUSTOM:
    with st.expander("Its gradient, differentiated exactly from your formula"):
        for line in surface.grad_latex:
            st.latex(line)
story = preset and sc.same_story(preset.scene, scene)
st.caption(surface.caption + (f"  \n**What to watch:** {preset.caption}" if story else ""))

try:
    runs, bands = computed(scene)
except ValueError as e:  # a start where the loss is not finite, or more work than one scene may ask for
    st.error(plain(str(e)) + " — showing the surface's own start with one seed instead.")
    scene = replace(scene, start=None, seeds=1)
    runs, bands = computed(scene)
if scene.view == "3d":
    st.plotly_chart(view3d_figure(scene), theme=None, key="view3d", config={"displaylogo": False})
else:
    st.plotly_chart(map_figure(scene), key="map", on_select=on_map_select, selection_mode="points", theme=None,
                    config={"displaylogo": False, "scrollZoom": False,
                            "toImageButtonOptions": {"format": "png", "filename": f"descent-lab-{scene.surface}",
                                                     "scale": 3}})

st.table(readable(summary_rows(surface, runs)), hide_index=True)

st.markdown("#### The update rules that ran")
rules = list(dict.fromkeys((r.optimizer, OPTIMIZERS[r.optimizer].rule(r.kwargs())) for r in scene.runs))
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
base = (st.context.url or "").split("?")[0]
st.markdown("#### Share and export")
st.caption("This link opens exactly this scene:")
st.code(base + "?" + urlencode(sc.to_query(scene), safe="(),=/:"), language=None)


def deferred(suffix: str):
    """The file's bytes, made only when its button is clicked."""
    return lambda: export_bytes(scene, suffix, computed=(runs, bands))


still = [s for s in FORMATS if s not in ANIMATIONS]
for column, suffix in zip(st.columns(len(still)), still, strict=True):
    reason = unavailable(scene, suffix)
    column.download_button(suffix[1:].upper(), deferred(suffix), file_name=default_filename(scene, suffix),
                           mime=FORMATS[suffix].mime, help=reason or FORMATS[suffix].description, width="stretch",
                           disabled=reason is not None,
                           on_click="ignore", key=f"download_{suffix[1:]}")
movie = st.columns([2, 2, 3], vertical_alignment="bottom")
kind = movie[0].selectbox("Animation", ANIMATIONS, format_func=lambda s: FORMATS[s].description, key="movie_kind")
if movie[1].button("Render the animation", width="stretch"):
    bar = st.progress(0.0, text="Rendering the animation…")
    try:
        st.session_state.movie = (scene, kind, export_bytes(scene, kind, computed=(runs, bands),
                                                            progress=lambda f: bar.progress(min(f, 1.0))))
    except ExportError as e:
        st.error(plain(str(e)))
    bar.empty()
if st.session_state.get("movie") and st.session_state.movie[:2] == (scene, kind):
    movie[2].download_button(f"Download the {kind[1:].upper()}", st.session_state.movie[2],
                             file_name=default_filename(scene, kind), mime=FORMATS[kind].mime, type="primary",
                             on_click="ignore", key="download_movie")
st.file_uploader("Open a scene saved as JSON", type=["json"], key="scene_file", on_change=on_upload,
                 max_upload_size=1)
