"""Figures of the vanishing-gradient lab: gradient norms layer by layer, activation distributions,
and what happens during training. Each takes the results of ``networks`` for two stacks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

STACK_COLORS = ("#d62728", "#1f77b4")
BINS = 40
REFERENCE_LABEL = "× 1/4 per layer (σ′ ≤ 1/4)"
CHANCE = float(np.log(2))  # the loss of a coin toss between the two classes


# ---------------------------------------------------- data selection, shared with viz.vanishing_static


def quarter_reference(norms: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """Layers 1…n and the sigmoid's worst case drawn back from the output end: the largest finite
    norm of any stack at layer n, then ×1/4 per layer towards the input. None without data."""
    first = next(iter(norms.values()), None)
    finite = [float(g[-1]) for g in norms.values() if len(g) and np.isfinite(g[-1])]
    if first is None or not len(first) or not finite:
        return None
    n = len(first)
    layers = np.arange(1, n + 1)
    return layers, max(finite) * 0.25 ** (n - layers)


def saturation_title(label: str, saturated: np.ndarray) -> str:
    return f"{label.split(':')[0]}: {100 * float(np.mean(saturated)):.0f}% saturated or off"


def activation_density(layers: list) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges (BINS + 1, over the 0.5…99.5th percentile of all layers' values) and, per hidden
    layer, the share of its values in each bin, values outside counted in the outer bins."""
    values = np.concatenate([a.ravel() for a in layers]) if layers else np.zeros(1)
    lo, hi = np.percentile(values, [0.5, 99.5]) if values.size else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, BINS + 1)
    return edges, np.array([np.histogram(np.clip(a, lo, hi), edges)[0] / a.size for a in layers])


def log_grad_norms(grad_norms: Mapping[str, np.ndarray]) -> tuple[dict, tuple[float, float]]:
    """log₁₀ of every stack's layers × steps gradient norms, and the colour range they share: the
    1st to 99th percentile of all finite values."""
    with np.errstate(all="ignore"):
        logs = {k: np.log10(v) for k, v in grad_norms.items()}
    finite = np.concatenate([v[np.isfinite(v)] for v in logs.values()] or [np.zeros(1)])
    zmin, zmax = (float(np.percentile(finite, 1)), float(np.percentile(finite, 99))) if finite.size else (-8, 0)
    return logs, (zmin, zmax)


# ------------------------------------------------------------------------------------ plotly


def _style(fig: go.Figure, height: int, presentation: bool = False) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=90, b=50), plot_bgcolor="white",
                      font=dict(size=18 if presentation else 13), title=dict(x=0.0, xanchor="left", y=0.98),
                      legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0))
    fig.update_xaxes(showline=True, linecolor="#888", mirror=True, ticks="outside")
    fig.update_yaxes(showline=True, linecolor="#888", mirror=True, ticks="outside")
    return fig


def gradient_profile_figure(norms: Mapping[str, np.ndarray], presentation: bool = False) -> go.Figure:
    """‖∂L/∂W_l‖ for every layer l from input to output (log axis), one line per stack, with the
    sigmoid's worst case drawn from the output layer back: at most ×1/4 per layer, since σ' ≤ 1/4."""
    fig = go.Figure()
    for (label, g), color in zip(norms.items(), STACK_COLORS, strict=False):
        layers = np.arange(1, len(g) + 1)
        fig.add_scatter(x=layers, y=g, mode="lines+markers", name=label, line=dict(color=color, width=3))
    reference = quarter_reference(norms)
    if reference is not None:
        fig.add_scatter(x=reference[0], y=reference[1], mode="lines", name=REFERENCE_LABEL,
                        line=dict(color="#777", dash="dash", width=2))
    fig.update_layout(title="Gradient norm of each layer's weights",
                      xaxis_title="layer (1 = next to the input)", yaxis_title="‖∂L/∂W‖",
                      yaxis_type="log", yaxis_exponentformat="power")
    return _style(fig, 430, presentation)


def activation_figure(acts: Mapping[str, list], saturated: Mapping[str, np.ndarray],
                      presentation: bool = False) -> go.Figure:
    """Each hidden layer's distribution of activations as a heatmap (layers up, values across),
    one panel per stack; the title of each panel says how many units are saturated or dead."""
    labels = list(acts)
    titles = [saturation_title(label, saturated[label]) for label in labels]
    fig = make_subplots(rows=1, cols=max(len(labels), 1), subplot_titles=titles, horizontal_spacing=0.08)
    for col, label in enumerate(labels, start=1):
        edges, density = activation_density(acts[label])
        fig.add_heatmap(z=density, x=0.5 * (edges[1:] + edges[:-1]), y=np.arange(1, len(density) + 1),
                        colorscale="Blues", showscale=False, row=1, col=col,
                        hovertemplate="layer %{y}<br>value %{x:.3g}<br>share %{z:.2f}<extra></extra>")
        fig.update_xaxes(title_text="activation value", row=1, col=col)
        fig.update_yaxes(title_text="hidden layer", row=1, col=col)
    fig.update_layout(title="Activations of every hidden layer")
    return _style(fig, 430, presentation)


def training_figure(grad_norms: Mapping[str, np.ndarray], losses: Mapping[str, np.ndarray],
                    presentation: bool = False) -> go.Figure:
    """During training: for each stack a layers × steps heatmap of log₁₀‖∂L/∂W_l‖ on one shared
    colour scale, and below them both loss curves."""
    labels = list(grad_norms)
    fig = make_subplots(rows=2, cols=max(len(labels), 1), row_heights=[0.62, 0.38], vertical_spacing=0.12,
                        specs=[[{} for _ in labels], [{"colspan": len(labels)}] + [None] * (len(labels) - 1)],
                        subplot_titles=[f"{label}: log₁₀‖∂L/∂W‖" for label in labels] + ["training loss"])
    logs, (zmin, zmax) = log_grad_norms(grad_norms)
    for col, label in enumerate(labels, start=1):
        z = logs[label]
        fig.add_heatmap(z=z, x=np.arange(z.shape[1]), y=np.arange(1, z.shape[0] + 1), zmin=zmin, zmax=zmax,
                        colorscale="Viridis", showscale=col == len(labels), row=1, col=col,
                        colorbar=dict(title="log₁₀", len=0.55, y=0.72),
                        hovertemplate="layer %{y}, step %{x}<br>log₁₀‖∂L/∂W‖ = %{z:.2f}<extra></extra>")
        fig.update_yaxes(title_text="layer", row=1, col=col)
        fig.update_xaxes(title_text="step", row=1, col=col)
    for (label, loss), color in zip(losses.items(), STACK_COLORS, strict=False):
        fig.add_scatter(y=loss, mode="lines", name=label, line=dict(color=color, width=2.5), row=2, col=1)
    fig.add_hline(y=CHANCE, line=dict(color="#777", dash="dot"), annotation_text="chance (ln 2)", row=2, col=1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_yaxes(title_text="loss", row=2, col=1)
    _style(fig, 760, presentation)
    fig.update_layout(legend=dict(y=0.37, x=1.0, xanchor="right", yanchor="top", bgcolor="rgba(255,255,255,0.8)"))
    return fig
