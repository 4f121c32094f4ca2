"""The vanishing-gradient lab: a deep sigmoid stack against a ReLU stack, measured layer by layer."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import partial

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

import networks
from viz.vanishing import activation_figure, gradient_profile_figure, training_figure
from viz.vanishing_static import lab_figure_bytes

if PagesManager.uses_pages_directory:
    # A fresh server's first visit through a deep link runs this page on its own, as Streamlit's old
    # pages/ folder feature did, bypassing app.py. Rerun: the rerun goes through app.py's navigation.
    PagesManager.uses_pages_directory = False
    st.rerun()

D = networks.DEFAULTS
STACKS = (("A", "sigmoid", "xavier"), ("B", "relu", "he"))
CACHED_RUNS = 32
MIME = {"png": "image/png", "svg": "image/svg+xml"}
CHART = {"displaylogo": False, "toImageButtonOptions": {"format": "svg", "filename": "descent-lab-vanishing"}}

st.markdown("## Vanishing gradients")
st.markdown(
    "Backpropagation multiplies the error signal by every layer's weights **and by the derivative of "
    "its activation**. The forward pass is bounded (a sigmoid never leaves 0…1), but the backward pass is "
    "plain linear algebra with no bound: the deltas can shrink towards zero, or blow up, layer after layer. "
    "The sigmoid's derivative is at most **1/4**, and only in a narrow range of inputs around 0; ReLU's is "
    "exactly **1** wherever the unit is active. Below, two stacks of the same depth meet the same data."
)

# The lab's settings: initial values, and kept aside so that a visit to another page (which drops
# this page's widget state) does not reset them.
SETTINGS = {"depth": D["depth"], "width": D["width"], "batch": D["batch_size"], "steps_nn": D["steps"],
            **{f"{key}{name}": value for name, act, ini in STACKS
               for key, value in (("act", act), ("init", ini), ("bn", False))}}
kept = st.session_state.setdefault("lab_settings", dict(SETTINGS))
for key, value in kept.items():
    st.session_state.setdefault(key, value)

shared = st.columns(4)
depth = shared[0].slider("Hidden layers", 2, networks.MAX_DEPTH, key="depth")
width = shared[1].select_slider("Width", [8, 16, 32, 64, 128, 256], key="width")
batch = shared[2].select_slider("Batch size", [16, 32, 64, 128, 256, 512], key="batch")
steps = shared[3].slider("Training steps", 50, 1000, step=50, key="steps_nn")

configs = {}
for column, (name, _, _) in zip(st.columns(2), STACKS, strict=True):
    with column.container(border=True):
        st.markdown(f"**Stack {name}**")
        cols = st.columns(3)
        act = cols[0].selectbox("activation", list(networks.ACTIVATIONS), key=f"act{name}")
        ini = cols[1].selectbox("initialization", list(networks.INITS), key=f"init{name}", help="normal: N(0, 1)")
        bn = cols[2].toggle("batch norm", key=f"bn{name}", help="normalize each hidden layer over the minibatch, "
                            "then scale by γ and shift by β, as the lecture writes it")
        configs[f"{name}: {act}, {ini}" + (", BN" if bn else "")] = (act, ini, bn)
st.session_state.lab_settings = {key: st.session_state[key] for key in SETTINGS}


@st.cache_data(max_entries=64, show_spinner="Measuring the stacks at initialization…")
def at_initialization(depth: int, width: int, batch: int, act: str, init: str, bn: bool):
    x, y = networks.make_data(D["data"], n=D["n"], seed=D["seed"])
    sizes = [x.shape[1], *[width] * depth, 2]
    params = networks.init_mlp(sizes, act, init, seed=D["seed"])
    norm = networks.init_batchnorm(sizes) if bn else None
    return networks.layer_stats(params, x[:batch], y[:batch], act, batchnorm=norm)


@st.cache_resource
def trained_runs() -> tuple[OrderedDict, threading.Lock]:
    """Training results shared by every session, the most recent CACHED_RUNS kept, and their lock."""
    return OrderedDict(), threading.Lock()


def downloads(where, kind: str, *data) -> None:
    """PNG and SVG of one figure for slides, drawn only when a button is clicked."""
    row = where.container(horizontal=True)
    for fmt, tip in (("png", "1600 × 1000 pixels"), ("svg", "vector, text editable")):
        row.download_button(fmt.upper(), partial(lab_figure_bytes, kind, fmt, *data), help=tip,
                            file_name=f"descent-lab-vanishing-{kind}-{depth}layers.{fmt}", mime=MIME[fmt],
                            on_click="ignore", icon=":material/download:", key=f"download-{kind}-{fmt}")


def trained(key: tuple, label: str):
    store, lock = trained_runs()
    with lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    bar = st.progress(0.0, text=f"Training {label}…")
    x, y = networks.make_data(D["data"], n=D["n"], seed=D["seed"])
    depth, width, batch, steps, act, init, bn = key
    result = networks.train(x, y, depth=depth, width=width, activation=act, init=init, batchnorm=bn,
                            batch_size=batch, steps=steps, optimizer=D["optimizer"], lr=D["lr"], seed=D["seed"],
                            progress=lambda done, total: bar.progress(done / total, text=f"Training {label}…"))
    bar.empty()
    with lock:
        store[key] = result
        while len(store) > CACHED_RUNS:
            store.popitem(last=False)
    return result


stats = {label: at_initialization(depth, width, batch, *cfg) for label, cfg in configs.items()}
st.markdown("### At initialization")
left, right = st.columns([1, 1])
norms = {k: s.grad_norms for k, s in stats.items()}
left.plotly_chart(gradient_profile_figure(norms), config=CHART, theme=None)
downloads(left, "gradients", norms)
ratios = "; ".join(f"**{k}**: the first layer gets {networks.first_last_ratio(s.grad_norms):.1e} of the last "
                   "layer's gradient" for k, s in stats.items())
left.caption(ratios)
acts, saturated = {k: s.act for k, s in stats.items()}, {k: s.saturated for k, s in stats.items()}
right.plotly_chart(activation_figure(acts, saturated), config=CHART, theme=None)
downloads(right, "activations", acts, saturated)
right.caption("A sigmoid unit pinned near 0 or 1 passes almost no gradient back (σ′ ≈ 0 there); a ReLU unit "
              "below 0 passes none at all, but an active one passes it unchanged.")

st.markdown("### During training")
st.caption(f"{steps} steps of SGD with momentum 0.9 (lr {D['lr']}) on {D['n']} points of two interleaved spirals, "
           f"minibatches of {batch}; both stacks see the same minibatches. Chance is a loss of ln 2 ≈ 0.69.")
results = {label: trained((depth, width, batch, steps, *cfg), label) for label, cfg in configs.items()}
training = {k: r.grad_norms for k, r in results.items()}, {k: r.loss for k, r in results.items()}
st.plotly_chart(training_figure(*training), config=CHART, theme=None)
downloads(st, "training", *training)
cols = st.columns(len(results))
for col, (label, r) in zip(cols, results.items(), strict=True):
    col.metric(f"{label}: training accuracy", f"{100 * r.accuracy:.0f}%")
    col.caption(f"final loss {r.final_loss:.3f} on the whole data set")
    if r.diverged_at >= 0:
        col.warning(f"Training diverged at step {r.diverged_at}: the loss or a gradient stopped being finite.")

st.markdown(
    "**What to try.** Make the stacks deeper: the sigmoid stack's first layers fall silent first. Switch the "
    "sigmoid stack to **batch norm**: each layer's inputs are re-centred where the sigmoid is steep, and it "
    "learns again. Give the ReLU stack a **normal** initialization instead of He's: its gradients explode or die."
)
