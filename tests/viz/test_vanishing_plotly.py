"""The vanishing lab's Plotly figures on the data they draw: every trace's values are the quantity it
claims, computed in tests/viz/vanishing_cases.py from the network itself, layer 1 (next to the input)
first; and the presentation option changes the fonts and nothing else."""

from __future__ import annotations

import math

import numpy as np
import pytest
from vanishing_cases import DEPTH, STACKS, STEPS, densities, make_lab

import networks
from networks import UnitHealth
from viz.vanishing import (
    CAP_PERCENTILE,
    REFERENCE_LABEL,
    STACK_COLORS,
    activation_figure,
    gradient_profile_figure,
    loss_top,
    training_figure,
)

RTOL = 1e-12  # the figures show float64 results of other float64 computations of the same sums


@pytest.fixture(scope="module")
def lab():
    return make_lab()


def figures(args, presentation=False):
    return {"gradients": gradient_profile_figure(args["norms"], presentation=presentation),
            "activations": activation_figure(args["acts"], args["health"], presentation=presentation),
            "training": training_figure(args["grad_norms"], args["losses"], presentation=presentation)}


def test_gradient_profile_draws_each_layers_norm_from_the_input_side(lab):
    args, expected = lab
    fig = gradient_profile_figure(args["norms"])
    *stacks, reference = fig.data
    assert [t.name for t in stacks] == list(STACKS) and reference.name == REFERENCE_LABEL
    assert [t.line.color for t in stacks] == list(STACK_COLORS)
    for trace, label in zip(stacks, STACKS, strict=True):
        assert list(trace.x) == list(range(1, DEPTH + 2))
        np.testing.assert_allclose(trace.y, expected["norms"][label], rtol=RTOL, atol=0)
    # the sigmoid's profile falls towards the input: drawn the other way round it would rise
    sigmoid = np.asarray(stacks[0].y)
    assert sigmoid[0] < 1e-2 * sigmoid[-1]
    assert fig.layout.yaxis.type == "log"


def test_quarter_reference_falls_by_four_per_layer_from_the_output_layer(lab):
    args, expected = lab
    reference = gradient_profile_figure(args["norms"]).data[-1]
    top = max(norms[-1] for norms in expected["norms"].values())  # the largest norm at the output end
    assert list(reference.x) == list(range(1, DEPTH + 2))
    want = [top / 4.0 ** (DEPTH + 1 - layer) for layer in range(1, DEPTH + 2)]
    np.testing.assert_allclose(reference.y, want, rtol=RTOL, atol=0)


def test_quarter_reference_starts_at_the_largest_finite_norm_of_the_output_layer():
    norms = {"A": np.array([1e-6, 1e-3, 0.5]), "B": np.array([1.0, 4.0, 2.0]), "C": np.array([0.1, np.inf, 3.0])}
    reference = gradient_profile_figure(norms).data[-1]
    assert reference.y[-1] == 3.0


def test_activation_heatmaps_are_each_hidden_layers_histogram(lab):
    args, expected = lab
    fig = activation_figure(args["acts"], args["health"])
    assert len(fig.data) == len(STACKS)
    for heatmap, label in zip(fig.data, STACKS, strict=True):
        _, centres, rows = densities(expected["acts"][label])
        assert list(heatmap.y) == list(range(1, DEPTH + 1))  # row l is hidden layer l, upwards
        np.testing.assert_allclose(heatmap.x, centres, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(np.asarray(heatmap.z), rows)
        np.testing.assert_allclose(np.asarray(heatmap.z).sum(axis=1), 1.0, rtol=1e-12)


def test_activation_titles_give_saturated_sigmoids_and_dead_relus(lab):
    args, expected = lab
    fig = activation_figure(args["acts"], args["health"])
    sigmoid, relu = (a.text for a in fig.layout.annotations)
    assert sigmoid == f"A: {100 * np.mean(expected['saturated']['A: sigmoid, xavier']):.0f}% saturated<br>(σ′ < 0.0025)"
    dead = 100 * np.mean(expected["dead"]["B: relu, he"])
    assert relu == f"B: {dead:.0f}% of units dead<br>(output 0 on all 64 examples)"
    # a dead unit is off on every example: far fewer than the outputs that are 0 on a given example
    off = 100 * np.mean(expected["saturated"]["B: relu, he"])
    assert 40 < off < 60 and dead < off - 20


def test_activation_colour_scales_are_capped_so_relus_spike_at_zero_leaves_the_rest_readable(lab):
    """ReLU's bin at 0 holds half of every layer's values; on a scale up to it the other bins (a few per cent
    each) are all but white. Capped at the 95th percentile of the panel's cells, most filled cells show."""
    args, _ = lab
    fig = activation_figure(args["acts"], args["health"])
    for heatmap in fig.data:
        z = np.asarray(heatmap.z)
        assert heatmap.zmin == 0 and heatmap.zmax == np.percentile(z, CAP_PERCENTILE)
    relu = np.asarray(fig.data[1].z)
    filled = relu[relu > 0]
    visible = lambda top: np.mean(filled >= 0.1 * top)  # noqa: E731  at least a tenth of the colour range
    assert visible(fig.data[1].zmax) > 0.6 and visible(relu.max()) < 0.3
    assert "95th percentile" in fig.data[1].colorbar.title.text
    assert fig.layout.xaxis.domain[1] < fig.data[0].colorbar.x < fig.layout.xaxis2.domain[0]  # each beside its panel
    assert fig.layout.xaxis2.domain[1] < fig.data[1].colorbar.x


def test_a_stack_whose_activations_are_not_finite_says_so():
    acts = {"A: sigmoid": [np.full((4, 3), 0.5)] * 2, "B: relu": [np.ones((4, 3)), np.full((4, 3), np.inf)]}
    health = {k: UnitHealth("dead", np.zeros(2), "output 0 on all 4 examples") for k in acts}
    fig = activation_figure(acts, health)
    assert len(fig.data) == 1 and np.isfinite(np.asarray(fig.data[0].z)).all()
    assert [a.text for a in fig.layout.annotations][-1] == "diverged at layer 2: values not finite"


def test_training_heatmaps_are_log_norms_by_layer_and_step_on_one_scale(lab):
    args, _ = lab
    fig = training_figure(args["grad_norms"], args["losses"])
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    logs = {label: np.log10(args["grad_norms"][label]) for label in STACKS}
    everything = np.concatenate([v.ravel() for v in logs.values()])
    zmin, zmax = np.percentile(everything, 1), np.percentile(everything, 99)
    assert len(heatmaps) == len(STACKS)
    for heatmap, label in zip(heatmaps, STACKS, strict=True):
        z = np.asarray(heatmap.z)
        assert z.shape == (DEPTH + 1, STEPS)
        np.testing.assert_array_equal(z, logs[label])
        assert list(heatmap.y) == list(range(1, DEPTH + 2)) and list(heatmap.x) == list(range(STEPS))
        assert (heatmap.zmin, heatmap.zmax) == (zmin, zmax)
    assert [h.showscale for h in heatmaps] == [False, True]  # one colour bar for the shared scale


def test_training_loss_curves_and_the_chance_line(lab):
    args, _ = lab
    fig = training_figure(args["grad_norms"], args["losses"])
    curves = [t for t in fig.data if t.type == "scatter"]
    assert [c.name for c in curves] == list(STACKS)
    assert [c.line.color for c in curves] == list(STACK_COLORS)
    for curve, label in zip(curves, STACKS, strict=True):
        np.testing.assert_array_equal(np.asarray(curve.y), args["losses"][label])
        assert curve.x is None  # steps 0, 1, ... as the heatmaps' x
    (chance,) = fig.layout.shapes
    assert chance.y0 == chance.y1 == math.log(2)


def test_a_diverged_stack_says_where_in_its_heatmap_and_sends_no_value_that_is_not_finite():
    """Stack B with a normal initialization (std 1) at depth 20: its gradients are 1e15 at step 0, the
    update throws the weights out of range and step 1's loss is not finite."""
    x, y = networks.make_data("spirals", n=512, seed=0)
    runs = {"A: sigmoid, xavier": networks.train(x, y, depth=20, width=64, steps=20),
            "B: relu, normal": networks.train(x, y, depth=20, width=64, activation="relu", init="normal", steps=20)}
    b = runs["B: relu, normal"]
    assert (b.diverged_at, b.diverged_layer) == (1, 21)
    fig = training_figure({k: r.grad_norms for k, r in runs.items()}, {k: r.loss for k, r in runs.items()},
                          {"B: relu, normal": (b.diverged_at, b.diverged_layer)})
    notes = [a for a in fig.layout.annotations if "diverged" in a.text]
    assert [a.text for a in notes] == ["diverged at step 1, layer 21:<br>values not finite"]
    assert (notes[0].xref, notes[0].yref) == ("x2 domain", "y2 domain")  # in stack B's heatmap
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    for heatmap in heatmaps:
        assert np.isfinite(np.asarray(heatmap.z, dtype=float)).all()
    assert np.asarray(heatmaps[1].z).shape == (21, 1)  # the one step that was finite
    assert tuple(fig.layout.xaxis2.range) == (-0.5, 19.5)  # the whole run's steps, the rest left empty
    # the loss axis is not flattened by B's first loss of 1e15
    assert b.loss[0] > 1e10 and fig.layout.yaxis3.range[1] == pytest.approx(1.05 * 4 * math.log(2))


def test_zero_gradients_are_sent_as_gaps_not_as_minus_infinity():
    norms = {"A": np.array([[0.0, 1.0], [1.0, 1.0]])}
    fig = training_figure(norms, {"A": np.array([0.7, 0.6])})
    assert np.asarray(fig.data[0].z).tolist() == [[None, 0.0], [0.0, 0.0]]


def test_loss_top_is_the_largest_finite_loss_within_four_ln2():
    assert loss_top({"A": np.array([0.9, 0.5, np.nan])}) == pytest.approx(1.05 * 0.9)
    assert loss_top({"A": np.array([0.1, 0.05])}) == pytest.approx(1.05 * 1.1 * math.log(2))
    assert loss_top({"A": np.array([1e15, np.inf])}) == pytest.approx(1.05 * 4 * math.log(2))


@pytest.mark.parametrize("kind", ["gradients", "activations", "training"])
def test_presentation_enlarges_the_fonts_and_changes_nothing_else(lab, kind):
    args, _ = lab
    plain, shown = figures(args)[kind], figures(args, presentation=True)[kind]
    assert (plain.layout.font.size, shown.layout.font.size) == (13, 18)
    plain_json, shown_json = plain.to_plotly_json(), shown.to_plotly_json()
    assert plain_json["data"] == shown_json["data"]
    del plain_json["layout"]["font"], shown_json["layout"]["font"]
    assert plain_json["layout"] == shown_json["layout"]
