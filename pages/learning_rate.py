"""The learning-rate lab: the range test with every tool's suggestion, the grid search that says which
rate really trains best, what a chosen rate does, and the schedules that change it during training."""

from __future__ import annotations

import math
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

import scenes as sc
import ui
from scenes import lr_lab as L
from surfaces import SURFACES
from ui import lr_form as form
from viz.learning_rate import range_test_figure, rate_curves_figure, rate_path_figure, schedules_figure

ui.run_through_navigation()
K = form.K
CHART = {"displaylogo": False, "toImageButtonOptions": {"format": "svg", "filename": "descent-lab-learning-rate"}}


@st.cache_data(max_entries=32, show_spinner=False)
def computed(lab: L.LrLab, _progress) -> L.LabResult:
    return L.compute(lab, _progress)


@st.cache_data(max_entries=64, show_spinner="Training at the chosen rate…")
def at_rate(lab: L.LrLab, rate: float):
    return L.rate_run(lab, rate)


@st.cache_data(max_entries=32, show_spinner=False)
def scheduled(lab: L.LrLab, rate: float, max_lr: float, _progress):
    return L.schedules(lab, rate, max_lr, progress=lambda done, total: _progress(done / total))


def explorer_link(scene: sc.Scene) -> str:
    """A link to the explorer, the app's default page (so ``./``, beside this one), that opens ``scene``."""
    return "./?" + urlencode(sc.to_query(scene), safe="(),=/:")


form.open_first_visit()
head, toggle = st.columns([5, 2], vertical_alignment="center")
head.markdown("## Learning rate")
form.presentation_toggle(toggle)
st.caption("The lecture calls it the most important hyper-parameter. The **range test** (Smith; Gugger) trains once "
           "while the rate grows, every tool reads a rate off the curve, and the **grid search** below it trains "
           "each rate on its own: which suggestion lands near the rate that really trains best?")
for warning in st.session_state.pop(K("link_warnings"), []):
    st.warning("Ignored in the link, kept at its default: " + ui.plain(warning, 1000))
lab, errors = form.read()
for error in errors:
    st.error(ui.plain(error, 1000) + " — showing the last valid settings.")
lab = lab or st.session_state.get(K("valid"), L.LrLab())
ui.apply_styles(lab.presentation)
show = lab.presentation
try:
    with ui.progress_bar("Running the range tests…") as report:
        result = computed(lab.test_settings(), _progress=report)
except ValueError as e:
    st.error(ui.plain(str(e), 1000) + " — showing the last valid settings.")
    lab = st.session_state.get(K("valid"), L.LrLab())
    result = computed(lab.test_settings(), _progress=lambda *_: None)
st.session_state[K("valid")] = replace(lab, rate=None)
test = result.tests[0]
if test.message:
    st.warning(ui.plain(test.message, 1000) + " The curve shows what it recorded.")
st.markdown(L.nearest_sentence(result.verdicts, result.grid, lab.unit, test.losses[0]))

left, right = st.columns([3, 2], gap="medium")
options = test.lrs.tolist()
default = L.chosen(replace(lab, rate=None), test)
rate = form.rate_choice(right, options, L.snap(lab.rate, test.lrs) if lab.rate else default, lab.test_settings())
lab = replace(lab, rate=None if rate == default else rate)
curve = range_test_figure(result.tests, result.grid, rate, network=lab.network, presentation=show)
left.plotly_chart(curve, key=K("curve"), on_select=lambda: form.choose_clicked(K("curve"), options),
                  selection_mode="points", theme=None, config=CHART)
run = at_rate(lab.test_settings(), rate)
if lab.network:
    right.plotly_chart(rate_curves_figure(run, lab.network_problem().steps_per_epoch, show), theme=None, config=CHART)
    right.caption("This rate is ε₀ of the schedules below; the test's cyclical bounds set theirs.")
else:
    right.plotly_chart(rate_path_figure(SURFACES[lab.problem], run, show), theme=None, config=CHART)
    links = right.container(horizontal=True)
    links.link_button("Use this rate in the explorer", explorer_link(L.explorer_scene(lab, rate)), type="primary",
                      icon=":material/open_in_new:")
    for schedule, title in (("cyclic", "Cyclical"), ("onecycle", "One cycle")):
        if all(map(math.isfinite, result.bounds[schedule].values())):
            links.link_button(f"{title}, Smith's bounds", explorer_link(L.explorer_scene(lab, rate, schedule,
                                                                                          result.bounds)))
right.caption(ui.plain(L.bounds_note(lab, result.bounds, result.grid), 1000))

st.markdown("#### Every tool's suggestion")
st.caption(f"Read off the smoothed curve of seed 0 as each tool reads it (fastai 2.7's four rules on the recorded "
           f"rates without the first tenth and the last five points; Lightning's and Gugger's on their own windows), "
           f"then trained at that rate for {lab.steps} {lab.unit}. "
           + ("Other seeds draw other minibatches (and, on a network, initializations): their suggestions scatter."
              if lab.random else
              "This surface has no randomness: every seed draws the same curve (choose noisy moons or a network)."))
st.table(L.suggestion_rows(result, lab), hide_index=True)

if lab.network:
    st.markdown("#### Changing the rate during training")
    top = result.bounds["cyclic"]["max_lr"]
    max_lr = top if math.isfinite(top) else rate
    problem = lab.network_problem()
    st.caption(f"The same network from the same initialization and minibatch order, {lab.epochs} epochs "
               f"({lab.schedule_steps} minibatches) under each schedule (the project's, matching torch's): "
               f"ε₀ = {rate:.3g} (the chosen rate) for the first four; the cyclical ones between "
               f"{max_lr / L.DIVISOR:.3g} and max_lr = {max_lr:.3g}. ×1/10 steps at the epochs nearest ½ and ¾ of "
               "the run.")
    with ui.progress_bar("Training under six schedules…") as report:
        results = scheduled(lab.test_settings(), rate, max_lr, _progress=report)
    st.plotly_chart(schedules_figure(results, problem.steps_per_epoch, show), theme=None, config=CHART)
    st.table(L.schedule_rows(results), hide_index=True)

st.query_params.from_dict(L.to_query(lab))
