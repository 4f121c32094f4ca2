"""The vanishing-gradient lab's figures for slides: every kind as PNG and SVG, and the matplotlib
figures showing the same data as the page's Plotly figures."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image
from vanishing_cases import DEPTH, STACKS, STEPS, densities, make_lab

from exports import ExportError
from exports.images import SVG_RC, lab_figure_bytes
from networks import UnitHealth
from viz.vanishing import (
    CHANCE,
    STACK_COLORS,
    activation_density,
    health_title,
    log_grad_norms,
    quarter_reference,
)
from viz.vanishing_static import KINDS, lab_figure

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def lab():
    return make_lab()


@pytest.fixture(scope="module")
def data(lab):
    """The page's arguments for each kind, for a small lab."""
    args, _ = lab
    return {"gradients": (args["norms"],), "activations": (args["acts"], args["health"]),
            "training": (args["grad_norms"], args["losses"])}


@pytest.mark.parametrize("kind", KINDS)
def test_png_is_at_least_1600_by_1000_and_not_blank(data, kind):
    with Image.open(io.BytesIO(lab_figure_bytes(kind, "png", *data[kind]))) as im:
        assert im.format == "PNG" and im.size[0] >= 1600 and im.size[1] >= 1000
        assert np.asarray(im.convert("RGB"), dtype=float).std() > 20


@pytest.mark.parametrize("kind", KINDS)
def test_svg_is_xml_with_editable_text(data, kind):
    before = {key: mpl.rcParams[key] for key in SVG_RC}
    svg = lab_figure_bytes(kind, "svg", *data[kind])
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    text = " ".join("".join(t.itertext()) for t in root.iter(SVG + "text"))
    assert all(label.split(":")[0] in text for label in STACKS)
    assert b"<dc:date>" not in svg
    assert {key: mpl.rcParams[key] for key in SVG_RC} == before  # the switch does not outlive the export


def test_dpi_scales_the_png(data):
    with Image.open(io.BytesIO(lab_figure_bytes("gradients", "png", *data["gradients"], dpi=240))) as im:
        assert im.size == (2400, 1500)


def test_gradients_one_line_per_stack_and_the_quarter_reference(data):
    (norms,) = data["gradients"]
    ax = lab_figure("gradients", norms).axes[0]
    *stacks, reference = ax.get_lines()
    assert [line.get_label() for line in stacks] == list(norms)
    assert [to_hex(line.get_color()) for line in stacks] == list(STACK_COLORS)
    assert ax.get_yscale() == "log"
    layers, expected = quarter_reference(norms)
    np.testing.assert_array_equal(reference.get_xdata(), layers)
    np.testing.assert_allclose(reference.get_ydata(), expected)
    assert reference.get_linestyle() == "--" and reference.get_ydata()[-1] == max(g[-1] for g in norms.values())


def test_gradients_draw_each_layers_norm_from_the_input_side(lab):
    args, expected = lab
    ax = lab_figure("gradients", args["norms"]).axes[0]
    *stacks, _ = ax.get_lines()
    for line, label in zip(stacks, STACKS, strict=True):
        assert list(line.get_xdata()) == list(range(1, DEPTH + 2))
        np.testing.assert_allclose(line.get_ydata(), expected["norms"][label], rtol=1e-12, atol=0)
    assert not ax.xaxis_inverted() and not ax.yaxis_inverted()
    sigmoid = stacks[0].get_ydata()
    assert sigmoid[0] < 1e-2 * sigmoid[-1]  # falls towards the input: drawn reversed it would rise


def bottom_up(image) -> np.ndarray:
    """The image's rows as drawn, bottom row first, whatever ``origin`` and ``extent`` say."""
    rows = np.asarray(image.get_array())
    if image.origin == "upper":
        rows = rows[::-1]
    _, _, y0, y1 = image.get_extent()
    return rows[::-1] if y0 > y1 else rows


def test_activation_panels_draw_each_hidden_layers_histogram_layer_1_at_the_bottom(lab):
    args, expected = lab
    fig = lab_figure("activations", args["acts"], args["health"])
    for ax, label in zip(panels(fig), STACKS, strict=True):
        (image,) = ax.get_images()
        span, _, rows = densities(expected["acts"][label])
        np.testing.assert_array_equal(bottom_up(image), rows)
        x0, x1, y0, y1 = image.get_extent()
        assert (x0, x1) == span
        assert min(y0, y1) == 0.5 and max(y0, y1) == DEPTH + 0.5 and not ax.yaxis_inverted()
    sigmoid, relu = (ax.get_title(loc="left") for ax in panels(fig))
    assert sigmoid == f"A: {100 * np.mean(expected['saturated']['A: sigmoid, xavier']):.0f}% saturated\n(σ′ < 0.0025)"
    dead = 100 * np.mean(expected["dead"]["B: relu, he"])
    assert relu == f"B: {dead:.0f}% of units dead\n(output 0 on all 64 examples)"


def panels(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def test_training_heatmaps_draw_log_norms_by_step_and_layer_and_the_losses(lab):
    args, _ = lab
    fig = lab_figure("training", args["grad_norms"], args["losses"])
    heatmaps = [ax for ax in fig.axes if ax.get_images() and ax.get_label() != "<colorbar>"]
    for ax, label in zip(heatmaps, STACKS, strict=True):
        (image,) = ax.get_images()
        np.testing.assert_array_equal(bottom_up(image), np.log10(args["grad_norms"][label]))
        x0, x1, y0, y1 = image.get_extent()
        assert (x0, x1) == (-0.5, STEPS - 0.5) and (min(y0, y1), max(y0, y1)) == (0.5, DEPTH + 1.5)
        assert not ax.yaxis_inverted() and not ax.xaxis_inverted()
    (loss_ax,) = [ax for ax in fig.axes if ax.get_title(loc="left") == "training loss"]
    for line, label in zip(loss_ax.get_lines()[:-1], STACKS, strict=True):
        assert list(line.get_xdata()) == list(range(STEPS))
        np.testing.assert_array_equal(line.get_ydata(), args["losses"][label])


@pytest.mark.parametrize("kind", KINDS)
def test_size_and_fontsize_set_the_figure_and_its_text(data, kind):
    fig = lab_figure(kind, *data[kind], size=(8.0, 5.0), fontsize=20.0)
    assert tuple(fig.get_size_inches()) == (8.0, 5.0)
    assert fig._suptitle.get_fontsize() == 25.0
    ax = fig.axes[0]
    assert ax.xaxis.label.get_fontsize() == 20.0 and ax.yaxis.label.get_fontsize() == 20.0
    small = lab_figure(kind, *data[kind])
    assert small.axes[0].xaxis.label.get_fontsize() == 15.0 and tuple(small.get_size_inches()) != (8.0, 5.0)


def test_activations_one_panel_per_stack_with_its_dead_or_saturated_share(data):
    acts, health = data["activations"]
    fig = lab_figure("activations", acts, health)
    assert [ax.get_title(loc="left") for ax in panels(fig)] == [health_title(k, health[k], "\n") for k in acts]
    for ax, label in zip(panels(fig), acts, strict=True):
        edges, density = activation_density(acts[label])
        (image,) = ax.get_images()
        np.testing.assert_array_equal(image.get_array(), density)
        assert image.get_extent() == [edges[0], edges[-1], 0.5, DEPTH + 0.5]
        assert image.get_clim() == (0, np.percentile(density, 95))  # the page's capped scale
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == len(acts) and "95th percentile" in bars[0].get_ylabel()


def test_a_diverged_stack_says_where_in_the_file_too():
    grads = {"A": np.ones((3, 4)), "B": np.hstack([np.ones((3, 1)), np.full((3, 3), np.nan)])}
    losses = {"A": np.full(4, 0.7), "B": np.array([1e15, np.nan, np.nan, np.nan])}
    fig = lab_figure("training", grads, losses, {"B": (1, 3)})
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "diverged at step 1, layer 3:\nvalues not finite" in texts
    (loss_ax,) = [ax for ax in fig.axes if ax.get_title(loc="left") == "training loss"]
    assert loss_ax.get_ylim()[1] == pytest.approx(1.05 * 4 * CHANCE)
    acts = {"A": [np.ones((2, 2)), np.full((2, 2), np.inf)]}
    fig = lab_figure("activations", acts, {"A": UnitHealth("dead", np.zeros(2), "output 0 on all 2 examples")})
    assert not fig.axes[0].get_images()
    assert [t.get_text() for t in fig.axes[0].texts] == ["diverged at layer 2: values not finite"]


def test_training_heatmaps_share_one_scale_and_the_losses_meet_chance(data):
    grad_norms, losses = data["training"]
    fig = lab_figure("training", grad_norms, losses)
    heatmaps = [ax for ax in fig.axes if ax.get_images() and ax.get_label() != "<colorbar>"]
    _, limits = log_grad_norms(grad_norms)
    assert len(heatmaps) == len(grad_norms)
    assert {ax.get_images()[0].get_clim() for ax in heatmaps} == {limits}
    assert sum(ax.get_label() == "<colorbar>" for ax in fig.axes) == 1
    (loss_ax,) = [ax for ax in fig.axes if ax.get_title(loc="left") == "training loss"]
    *curves, chance = loss_ax.get_lines()
    assert [line.get_label() for line in curves] == list(losses)
    assert [to_hex(line.get_color()) for line in curves] == list(STACK_COLORS)
    assert chance.get_ydata()[0] == pytest.approx(CHANCE)


def test_diverged_and_empty_data_draw_without_warnings():
    norms = {"A": np.array([0.0, np.nan, 1e-3, 1.0]), "B": np.full(4, np.nan)}
    losses = {"A": np.array([0.7, np.inf, np.nan]), "B": np.array([0.7, 0.6, 0.5])}
    grads = {"A": np.array([[1.0, np.nan, 0.0]] * 4), "B": np.full((4, 3), np.inf)}
    assert lab_figure_bytes("gradients", "png", norms)
    assert lab_figure_bytes("training", "svg", grads, losses)
    assert lab_figure_bytes("activations", "png", {}, {})


def test_the_same_data_gives_the_same_files_also_concurrently(data):
    serial = [lab_figure_bytes(kind, "svg", *data[kind]) for kind in KINDS]
    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(lambda kind: lab_figure_bytes(kind, "svg", *data[kind]), KINDS)) == serial


@pytest.mark.parametrize(("kind", "fmt", "valid"), [("loss", "png", "gradients, activations, training"),
                                                     ("gradients", "pdf", "png or svg")])
def test_bad_kind_or_format_names_the_valid_ones(data, kind, fmt, valid):
    with pytest.raises(ExportError, match=valid):
        lab_figure_bytes(kind, fmt, *data["gradients"])
