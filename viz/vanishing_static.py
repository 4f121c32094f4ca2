"""The vanishing-gradient lab's three figures in matplotlib, for slides and papers (PNG, SVG): the
same data selection (``viz.vanishing``'s helpers), colours and labels as the Plotly figures on the
page. Built as ``Figure`` on an Agg canvas, never through pyplot, like ``viz.static``; written to files
by ``exports.images.lab_figure_bytes``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .static import STATIC_DPI, STATIC_SIZE
from .vanishing import (
    CAP_TITLE,
    CHANCE,
    REFERENCE_LABEL,
    STACK_COLORS,
    activation_density,
    density_cap,
    divergence_text,
    first_bad_layer,
    health_title,
    log_grad_norms,
    loss_top,
    quarter_reference,
)

KINDS = ("gradients", "activations", "training")
FONTSIZE = 15.0
GRAD_LABEL = "‖∂L/∂W‖"


def _figure(title: str, size, fontsize: float) -> Figure:
    fig = Figure(figsize=size, dpi=STATIC_DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)
    fig.suptitle(title, x=0.01, ha="left", fontsize=fontsize * 1.25, fontweight="bold")
    return fig


def _axes(ax, xlabel: str, ylabel: str, fontsize: float, title: str | None = None):
    ax.set_xlabel(xlabel, fontsize=fontsize)
    ax.set_ylabel(ylabel, fontsize=fontsize)
    ax.tick_params(labelsize=fontsize * 0.85, direction="out")
    for spine in ax.spines.values():
        spine.set_color("#888")
    if title:
        ax.set_title(title, loc="left", fontsize=fontsize)
    return ax


def _heatmap(ax, z: np.ndarray, x_edges: tuple[float, float], **kwargs):
    """Rows of ``z`` at layers 1…n (bottom to top), columns spread over ``x_edges``."""
    return ax.imshow(z, origin="lower", aspect="auto", interpolation="nearest",
                     extent=(*x_edges, 0.5, len(z) + 0.5), **kwargs)


def _integer_layers(ax):
    ax.yaxis.get_major_locator().set_params(integer=True)


def gradients(norms: Mapping[str, np.ndarray], size=STATIC_SIZE, fontsize: float = FONTSIZE) -> Figure:
    """‖∂L/∂W_l‖ from input to output on a log axis, one line per stack, and the ×1/4 reference."""
    fig = _figure("Gradient norm of each layer's weights", size, fontsize)
    ax = _axes(fig.add_subplot(), "layer (1 = next to the input)", GRAD_LABEL, fontsize)
    ax.set_yscale("log", nonpositive="mask")
    for (label, g), color in zip(norms.items(), STACK_COLORS, strict=False):
        ax.plot(np.arange(1, len(g) + 1), g, color=color, lw=3, marker="o", ms=6, label=label)
    reference = quarter_reference(norms)
    if reference is not None:
        ax.plot(*reference, color="#777", ls="--", lw=2, label=REFERENCE_LABEL)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, which="major", color="#eee")
    ax.legend(fontsize=fontsize * 0.85, loc="best", framealpha=0.9)
    return fig


def _divergence_note(ax, text: str, fontsize: float) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#b00", fontsize=fontsize,
            bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"))


def activations(acts: Mapping[str, list], health: Mapping, size=STATIC_SIZE, fontsize: float = FONTSIZE) -> Figure:
    """Each hidden layer's distribution of activations (layers up, values across), a panel per stack, its
    colour scale capped at the CAP_PERCENTILE-th percentile, its dead or saturated units in the title."""
    fig = _figure("Activations of every hidden layer", size, fontsize)
    for ax, label in zip(fig.subplots(1, max(len(acts), 1), squeeze=False)[0], acts, strict=False):
        _axes(ax, "activation value", "hidden layer", fontsize, health_title(label, health[label], sep="\n"))
        bad = first_bad_layer(acts[label])
        if bad:
            _divergence_note(ax, divergence_text(None, bad), fontsize)
            continue
        edges, density = activation_density(acts[label])
        if len(density):
            image = _heatmap(ax, density, (edges[0], edges[-1]), cmap="Blues", vmin=0, vmax=density_cap(density))
            bar = fig.colorbar(image, ax=ax, pad=0.01)
            bar.set_label(CAP_TITLE.replace(" (", "\n("), fontsize=fontsize * 0.7)
            bar.ax.tick_params(labelsize=fontsize * 0.7)
        _integer_layers(ax)
    return fig


def training(grad_norms: Mapping[str, np.ndarray], losses: Mapping[str, np.ndarray],
             diverged: Mapping[str, tuple[int, int]] | None = None, size=STATIC_SIZE,
             fontsize: float = FONTSIZE) -> Figure:
    """Per stack a layers × steps heatmap of log₁₀‖∂L/∂W_l‖ on one colour scale, both loss curves below;
    a stack in ``diverged`` (step, layer) is drawn up to that step and says where it diverged."""
    fig = _figure("During training", size, fontsize)
    n = max(len(grad_norms), 1)
    grid = fig.add_gridspec(2, n, height_ratios=[1.6, 1])
    logs, (zmin, zmax) = log_grad_norms(grad_norms)
    diverged = diverged or {}
    tops, image = [], None
    for col, (label, z) in enumerate(logs.items()):
        ax = _axes(fig.add_subplot(grid[0, col]), "step", "layer", fontsize, f"{label}: log₁₀{GRAD_LABEL}")
        steps = z.shape[1]
        if label in diverged:
            step, layer = diverged[label]
            z = np.where(np.arange(steps) < step, z, np.nan)
            _divergence_note(ax, divergence_text(step, layer).replace(": ", ":\n"), fontsize * 0.9)
        image = _heatmap(ax, z, (-0.5, steps - 0.5), cmap="viridis", vmin=zmin, vmax=zmax)
        _integer_layers(ax)
        tops.append(ax)
    if image is not None:
        bar = fig.colorbar(image, ax=tops, shrink=0.9, pad=0.01)
        bar.set_label(f"log₁₀{GRAD_LABEL}", fontsize=fontsize * 0.9)
        bar.ax.tick_params(labelsize=fontsize * 0.8)
    ax = _axes(fig.add_subplot(grid[1, :]), "step", "loss", fontsize, "training loss")
    for (label, loss), color in zip(losses.items(), STACK_COLORS, strict=False):
        ax.plot(np.arange(len(loss)), loss, color=color, lw=2.5, label=label)
    ax.set_xlim(0, max([len(loss) - 1 for loss in losses.values()] + [1]))
    ax.set_ylim(0, loss_top(losses))
    ax.axhline(CHANCE, color="#777", ls=":", lw=1.5)
    # below the line at the far end, where a learning stack has left it and a stalled one runs along it
    ax.annotate("chance (ln 2)", (1, CHANCE), xycoords=("axes fraction", "data"), xytext=(-6, -4),
                textcoords="offset points", ha="right", va="top", color="#555", fontsize=fontsize * 0.8)
    ax.legend(fontsize=fontsize * 0.85, loc="lower right", bbox_to_anchor=(1, 1), ncols=2, frameon=False,
              borderaxespad=0.1)
    return fig


BUILDERS = {"gradients": gradients, "activations": activations, "training": training}


def lab_figure(kind: str, *data, size=STATIC_SIZE, fontsize: float = FONTSIZE) -> Figure:
    """The matplotlib figure of ``kind``, from the same arguments as its Plotly builder in
    ``viz.vanishing`` (gradients: norms; activations: acts, health; training: grad_norms, losses[, diverged])."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown figure {kind!r}; valid: {', '.join(KINDS)}")
    return BUILDERS[kind](*data, size=size, fontsize=fontsize)
