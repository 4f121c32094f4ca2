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


CAP_PERCENTILE = 95  # the activation heatmaps' colour scale tops out here: ReLU's spike at 0 would wash out the rest
CAP_TITLE = f"share (capped at the {CAP_PERCENTILE}th percentile)"


def health_title(label: str, health, sep: str = "<br>") -> str:
    """'B: 28% of units dead' over its rule for a rectifier stack, 'A: 0% saturated' over its rule for a
    sigmoid or tanh one (``networks.unit_health``): the mean share over the hidden layers."""
    share = 100 * float(np.mean(health.share)) if len(health.share) else 0.0
    what = "of units dead" if health.kind == "dead" else "saturated"
    return f"{label.split(':')[0]}: {share:.0f}% {what}{sep}({health.rule})"


def density_cap(density: np.ndarray) -> float:
    """The top of an activation heatmap's colour scale: the CAP_PERCENTILE-th percentile of its cells (the
    few fuller cells above it take the darkest colour), or their maximum where that percentile is 0."""
    if not density.size:
        return 1.0
    cap = float(np.percentile(density, CAP_PERCENTILE))
    return cap if cap > 0 else float(density.max()) or 1.0


def first_bad_layer(layers: list) -> int:
    """The first hidden layer (1-based) holding a value that is not finite, 0 where all are finite."""
    return next((l for l, a in enumerate(layers, 1) if not np.isfinite(a).all()), 0)


def divergence_text(step: int | None, layer: int) -> str:
    where = f"layer {layer}" if step is None else f"step {step}, layer {layer}"
    return f"diverged at {where}: values not finite"


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


def activation_figure(acts: Mapping[str, list], health: Mapping, presentation: bool = False) -> go.Figure:
    """Each hidden layer's distribution of activations as a heatmap (layers up, values across), one panel
    per stack on its own colour scale capped at the CAP_PERCENTILE-th percentile of its cells; each panel's
    title gives its dead units (rectifiers) or saturated entries (sigmoid, tanh), ``networks.unit_health``.
    A stack whose activations are not finite gets an annotation saying so instead of a heatmap."""
    labels = list(acts)
    titles = [health_title(label, health[label]) for label in labels]
    spacing = 0.14
    fig = make_subplots(rows=1, cols=max(len(labels), 1), subplot_titles=titles, horizontal_spacing=spacing)
    for col, label in enumerate(labels, start=1):
        axis = fig.layout["xaxis" if col == 1 else f"xaxis{col}"]
        bad = first_bad_layer(acts[label])
        if bad:
            fig.add_annotation(text=divergence_text(None, bad), showarrow=False, font=dict(color="#b00", size=15),
                               xref=f"x{col if col > 1 else ''} domain", yref=f"y{col if col > 1 else ''} domain",
                               x=0.5, y=0.5)
            continue
        edges, density = activation_density(acts[label])
        fig.add_heatmap(z=density, x=0.5 * (edges[1:] + edges[:-1]), y=np.arange(1, len(density) + 1),
                        colorscale="Blues", zmin=0, zmax=density_cap(density), row=1, col=col,
                        colorbar=dict(x=axis.domain[1] + 0.005, xanchor="left", thickness=12,
                                      title=dict(text=CAP_TITLE if col == len(labels) else "", side="right")),
                        hovertemplate="layer %{y}<br>value %{x:.3g}<br>share %{z:.2f}<extra></extra>")
        fig.update_xaxes(title_text="activation value", row=1, col=col)
        fig.update_yaxes(title_text="hidden layer", row=1, col=col)
    fig.update_layout(title="Activations of every hidden layer")
    _style(fig, 430, presentation)
    return fig.update_layout(margin=dict(r=70, t=110))


def loss_top(losses: Mapping[str, np.ndarray]) -> float:
    """The loss axis' top: the largest finite loss, at most 4 ln 2 (a diverging stack's 1e15 would flatten
    every other curve), and at least a little above chance."""
    finite = [float(v) for loss in losses.values() for v in np.asarray(loss, float) if np.isfinite(v)]
    return 1.05 * min(max([*finite, 1.1 * CHANCE]), 4 * CHANCE)


def training_figure(grad_norms: Mapping[str, np.ndarray], losses: Mapping[str, np.ndarray],
                    diverged: Mapping[str, tuple[int, int]] | None = None, presentation: bool = False) -> go.Figure:
    """During training: for each stack a layers × steps heatmap of log₁₀‖∂L/∂W_l‖ on one shared
    colour scale, and below them both loss curves. ``diverged`` maps a stack to (step, layer) where its
    training stopped being finite (``TrainResult.diverged_at``, ``diverged_layer``): its heatmap holds the
    steps before it and an annotation says where it diverged; no value that is not finite is sent."""
    labels = list(grad_norms)
    diverged = diverged or {}
    fig = make_subplots(rows=2, cols=max(len(labels), 1), row_heights=[0.62, 0.38], vertical_spacing=0.12,
                        specs=[[{} for _ in labels], [{"colspan": len(labels)}] + [None] * (len(labels) - 1)],
                        subplot_titles=[f"{label}: log₁₀‖∂L/∂W‖" for label in labels] + ["training loss"])
    logs, (zmin, zmax) = log_grad_norms(grad_norms)
    drawn = [label for label in labels if diverged.get(label, (1, 0))[0] != 0]
    for col, label in enumerate(labels, start=1):
        z = logs[label]
        steps = z.shape[1]
        if label in diverged:
            step, layer = diverged[label]
            z = z[:, :step]
            fig.add_annotation(text=divergence_text(step, layer).replace(": ", ":<br>"), showarrow=False,
                               font=dict(color="#b00", size=15), bgcolor="rgba(255,255,255,0.85)",
                               xref=f"x{col if col > 1 else ''} domain", yref=f"y{col if col > 1 else ''} domain",
                               x=0.5, y=0.5)
        fig.update_xaxes(range=[-0.5, steps - 0.5], title_text="step", row=1, col=col)
        fig.update_yaxes(range=[0.5, z.shape[0] + 0.5], title_text="layer", row=1, col=col)
        if label not in drawn:
            continue
        z = np.where(np.isfinite(z), z, None) if not np.isfinite(z).all() else z
        fig.add_heatmap(z=z, x=np.arange(z.shape[1]), y=np.arange(1, z.shape[0] + 1), zmin=zmin, zmax=zmax,
                        colorscale="Viridis", showscale=label == drawn[-1], row=1, col=col,
                        colorbar=dict(title="log₁₀", len=0.55, y=0.72),
                        hovertemplate="layer %{y}, step %{x}<br>log₁₀‖∂L/∂W‖ = %{z:.2f}<extra></extra>")
    for (label, loss), color in zip(losses.items(), STACK_COLORS, strict=False):
        fig.add_scatter(y=loss, mode="lines", name=label, line=dict(color=color, width=2.5), row=2, col=1)
    fig.add_hline(y=CHANCE, line=dict(color="#777", dash="dot"), annotation_text="chance (ln 2)", row=2, col=1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_yaxes(title_text="loss", range=[0, loss_top(losses)], row=2, col=1)
    _style(fig, 760, presentation)
    fig.update_layout(legend=dict(y=0.37, x=1.0, xanchor="right", yanchor="top", bgcolor="rgba(255,255,255,0.8)"))
    return fig
