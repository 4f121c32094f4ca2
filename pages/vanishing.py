"""The vanishing-gradient lab: a deep sigmoid stack against a ReLU stack, measured layer by layer."""

from __future__ import annotations

from functools import partial

import streamlit as st

import networks
import ui
from exports.images import lab_figure_bytes
from scenes import vanishing as V
from viz.vanishing import activation_figure, gradient_profile_figure, training_figure

ui.run_through_navigation()
ui.apply_styles()
K = ui.Keys("vanishing")
D = networks.DEFAULTS
MIME = {"png": "image/png", "svg": "image/svg+xml"}
CHART = {"displaylogo": False, "toImageButtonOptions": {"format": "svg", "filename": "descent-lab-vanishing"}}

bar = st.sidebar
bar.markdown("**Both stacks**")
depth = bar.slider("Hidden layers", 2, networks.MAX_DEPTH, key=ui.initial(K("depth"), D["depth"]),
                   persist_state=ui.KEEP)
width = bar.select_slider("Width", [8, 16, 32, 64, 128, 256], key=ui.initial(K("width"), D["width"]),
                          persist_state=ui.KEEP)
batch = bar.select_slider("Batch size", [16, 32, 64, 128, 256, 512], persist_state=ui.KEEP,
                          key=ui.initial(K("batch"), D["batch_size"]))
steps = bar.slider("Training steps", 50, 1000, step=50, key=ui.initial(K("steps"), D["steps"]), persist_state=ui.KEEP)
configs = {}
for name, act, ini in V.STACKS:
    box = bar.container(border=True)
    box.markdown(f"**Stack {name}**")
    cols = box.columns(2)
    act = cols[0].selectbox("activation", list(networks.ACTIVATIONS), key=ui.initial(K(name, "act"), act),
                            persist_state=ui.KEEP)
    ini = cols[1].selectbox("initialization", list(networks.INITS), key=ui.initial(K(name, "init"), ini),
                            help="normal: N(0, 1)", persist_state=ui.KEEP)
    bn = box.toggle("batch norm", key=ui.initial(K(name, "bn"), False), persist_state=ui.KEEP,
                    help="normalize each hidden layer over the minibatch, then scale by γ and shift by β, "
                         "as the lecture writes it")
    configs[f"{name}: {act}, {ini}" + (", BN" if bn else "")] = (act, ini, bn)

at_initialization = st.cache_data(max_entries=64, show_spinner="Measuring the stacks at initialization…")(
    V.at_initialization)


@st.cache_data(max_entries=32, show_spinner=False)
def trained(depth: int, width: int, batch: int, steps: int, act: str, init: str, bn: bool, _progress):
    return V.trained(depth, width, batch, steps, act, init, bn, lambda done, total: _progress(done / total))


def downloads(where, kind: str, *data) -> None:
    """PNG and SVG of one figure for slides, drawn only when a button is clicked."""
    row = where.container(horizontal=True)
    for fmt, tip in (("png", "1600 × 1000 pixels"), ("svg", "vector, text editable")):
        row.download_button(fmt.upper(), partial(lab_figure_bytes, kind, fmt, *data), help=tip,
                            file_name=f"descent-lab-vanishing-{kind}-{depth}layers.{fmt}", mime=MIME[fmt],
                            on_click="ignore", icon=":material/download:", key=K("download", kind, fmt))


st.markdown("## Vanishing gradients")
st.caption("Two stacks of the same depth meet the same data: how much gradient reaches each layer? "
           "Change them in the sidebar.")
stats = {label: at_initialization(depth, width, batch, *cfg) for label, cfg in configs.items()}
left, right = st.columns([3, 2], gap="medium")
norms = {k: s.grad_norms for k, s in stats.items()}
left.plotly_chart(gradient_profile_figure(norms), config=CHART, theme=None)
with right.container(key="vanishing-tries"):
    st.markdown("**What to try** (from the default settings)\n" + "".join(f"\n- {t}" for t in V.TRIES))
    st.caption("; ".join(f"**{k}**: the first layer gets {networks.first_last_ratio(s.grad_norms):.1e} of the last "
                         "layer's gradient" for k, s in stats.items()) + " (W₂ against W_H).")
    downloads(st, "gradients", norms)

acts, health = {k: s.act for k, s in stats.items()}, {k: s.health for k, s in stats.items()}
st.plotly_chart(activation_figure(acts, health), config=CHART, theme=None)
downloads(st, "activations", acts, health)
st.caption("A sigmoid unit pinned near 0 or 1 passes almost no gradient back (σ′ ≈ 0 there). A ReLU unit is 0 on "
           "about half the examples, which is normal; it is dead when it is 0 on every example of the batch.")

st.markdown("### During training")
st.caption(f"{steps} steps of SGD with momentum 0.9 (lr {D['lr']}) on {D['n']} points of two interleaved spirals, "
           f"minibatches of {batch}; both stacks see the same minibatches. Chance is a loss of ln 2 ≈ 0.69.")
results = {}
for label, cfg in configs.items():
    with ui.progress_bar(f"Training {label}…") as report:
        results[label] = trained(depth, width, batch, steps, *cfg, _progress=report)
diverged = {k: (r.diverged_at, r.diverged_layer) for k, r in results.items() if r.diverged_at >= 0}
training = {k: r.grad_norms for k, r in results.items()}, {k: r.loss for k, r in results.items()}, diverged
st.plotly_chart(training_figure(*training), config=CHART, theme=None)
downloads(st, "training", *training)
cols = st.columns(len(results))
for col, (label, r) in zip(cols, results.items(), strict=True):
    col.metric(f"{label}: training accuracy", f"{100 * r.accuracy:.0f}%")
    col.caption(f"final loss {r.final_loss:.3g} on the whole data set")
    if r.diverged_at >= 0:
        col.warning(f"Training diverged at step {r.diverged_at}: the loss or a gradient stopped being finite.")

with st.expander("Why gradients vanish", expanded=False):
    st.markdown(
        "Backpropagation multiplies the error signal by every layer's weights **and by the derivative of "
        "its activation**. The forward pass is bounded (a sigmoid never leaves 0…1), but the backward pass is "
        "plain linear algebra with no bound: the deltas can shrink towards zero, or blow up, layer after layer. "
        "The sigmoid's derivative is at most **1/4**, and only in a narrow range of inputs around 0; ReLU's is "
        "exactly **1** wherever the unit is active: the dashed line in the first figure falls by 4 per layer.")
