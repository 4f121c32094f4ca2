"""Glyphs on the map (viz.glyphs, from scenes.glyph_paths): at every frame, each glyph sits on its run's
head and draws what its legend says, recomputed here from the trajectory by the rules themselves
(the gradient from the surface's formula at the point the update took it, the rates from the states
by torch's formulas), on the one scale per scene the legend states: arrow = −∇f × scale, box
half-sides = rate × scale, the parts tip to tail adding up to the step × scale; a glyph longer than
the stated cut is shortened in its direction. Drawn over the paths, under the heads, thin and
see-through; nothing at step 0; the payload stays within budget."""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.io as pio
import pytest
from test_trajectory import as_shown, decode

import scenes as sc
from viz import trajectory_figure
from viz.glyphs import CAP, KINDS, PERCENTILE, TARGET, glyph_layer, nice_scale
from viz.trajectory import frame_steps

RUNS = ("sgd(lr=0.001),momentum(lr=0.0025),nag_lecture(lr=0.0025),adagrad(lr=0.5),rmsprop(lr=0.02),"
        "adadelta(lr=1,eps=0.001,rho=0.99),adam(lr=0.2),amsgrad(lr=0.1),nadam(lr=0.1),radam(lr=0.005),adamax(lr=0.1),"
        "momentum_lecture(lr=0.0025,weight_decay=0.05)")
SCENE = sc.Scene("beale", sc.parse_runs(RUNS), steps=240, start=(2.5, 1.5))
FLOAT32 = 3e-6  # the figure sends float32: positions near 3 carry 2.4e-7 each, a difference of two twice that


@pytest.fixture(scope="module")
def scene_runs():
    runs, _ = sc.compute(SCENE, states=True)
    assert not any(t.diverged[0] for t in runs.values())
    return runs, sc.glyph_paths(SCENE, runs, frame_steps(SCENE.steps))


@pytest.fixture(scope="module")
def figures(scene_runs):
    runs, paths = scene_runs
    surface = sc.surface_of(SCENE)
    def build(kind):
        return trajectory_figure(surface, runs, glyphs=glyph_layer(surface, runs, paths, kind))

    return {kind: json.loads(pio.to_json(build(kind), validate=False)) for kind in KINDS if kind != "none"}


# ------------------------------------------------------------------ the rules, recomputed here


def specs() -> dict:
    return sc.inside.run_specs(SCENE)


def gradient_taken(label: str, traj, k: int) -> np.ndarray:
    """∇f where update k took it: at θ_{k-1}, or for the lecture's Nesterov at w + μ v_{k-1}."""
    r = specs()[label]
    point = traj.xy[k - 1, 0]
    if r.optimizer == "nag_lecture":
        point = point + r.settings()["momentum"] * traj.states["velocity"][k - 1, 0]
    return sc.surface_of(SCENE).grad(point)


def rate_of(label: str, traj, k: int) -> np.ndarray:
    """The effective rate of update k from the states, by each optimizer's own formula."""
    r = specs()[label]
    v, lr, st = r.settings(), r.lr, {name: a[:, 0] for name, a in traj.states.items()}
    if r.optimizer in ("sgd", "momentum", "nag_lecture", "momentum_lecture"):
        return np.full(2, lr)
    if r.optimizer == "adagrad":
        return lr / (np.sqrt(st["sum"][k]) + v["eps"])
    if r.optimizer == "rmsprop":
        return lr / (np.sqrt(st["square_avg"][k]) + v["eps"])
    if r.optimizer == "adadelta":
        return lr * np.sqrt(st["acc_delta"][k - 1] + v["eps"]) / np.sqrt(st["square_avg"][k] + v["eps"])
    _, b2 = v["betas"]
    if r.optimizer in ("adam", "nadam"):
        return lr / (np.sqrt(st["exp_avg_sq"][k] / (1 - b2**k)) + v["eps"])
    if r.optimizer == "amsgrad":
        return lr / (np.sqrt(st["max_exp_avg_sq"][k] / (1 - b2**k)) + v["eps"])
    if r.optimizer == "adamax":
        return lr / st["exp_inf"][k]
    assert r.optimizer == "radam"
    rho_inf = 2 / (1 - b2) - 1
    rho = rho_inf - 2 * k * b2**k / (1 - b2**k)
    if rho <= 5:
        return np.full(2, lr)
    rect = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return lr * rect * np.sqrt(1 - b2**k) / (np.sqrt(st["exp_avg_sq"][k]) + v["eps"])


def moment_of(label: str, traj, k: int):
    """The velocity or first moment after update k, pointing where it pushes, and its unit."""
    r = specs()[label]
    field = {"momentum": "momentum_buffer", "nag_lecture": "velocity", "momentum_lecture": "velocity"}.get(
        r.optimizer, "exp_avg" if "exp_avg" in traj.states else None)
    if field is None:
        return None, None
    value = traj.states[field][k, 0]
    return (value, "step") if field == "velocity" else (-value, "gradient")


# ------------------------------------------------------------------ reading the figure


def legend_scale(fig: dict, pattern: str) -> float:
    names = [t["name"] for t in fig["data"] if t.get("legend") == "legend2" and re.search(pattern, t["name"])]
    assert len(names) == 1, (pattern, [t["name"] for t in fig["data"] if t.get("legend") == "legend2"])
    return float(re.search(pattern, names[0]).group(1))


def size_of(fig: dict) -> np.ndarray:
    """The map's width and height, in its own units."""
    x, y = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    return np.array([x[1] - x[0], y[1] - y[0]])


def glyph(traces: list[dict], name: str) -> np.ndarray:
    trace = next(t for t in traces if t.get("name") == name)
    return np.stack([decode(trace["x"]), decode(trace["y"])], -1)


def cut(vectors: np.ndarray, size: np.ndarray) -> np.ndarray:
    """The vectors of one head shortened together until the longest is CAP of the map long (measured
    in fractions of its width and height), if it was longer."""
    longest = np.max(np.hypot(*(vectors.reshape(-1, 2) / size).T))
    return vectors * (CAP / longest if longest > CAP else 1.0)


def frames_of(fig: dict):
    return [int(f["name"]) for f in fig["frames"]]


def test_gradient_arrows_are_minus_the_gradient_times_the_stated_scale(scene_runs, figures):
    runs, _ = scene_runs
    fig = figures["gradient"]
    scale = legend_scale(fig, r"−∇f: gradient 1 = ([\d.e+-]+) on the map")
    size = size_of(fig)
    wrong_told_apart = 0
    for k in frames_of(fig):
        traces = as_shown(fig, str(k))
        for label, traj in runs.items():
            arrow = glyph(traces, f"{label} gradient")
            if k == 0:
                assert np.isnan(arrow).all(), "no update before step 0: no arrow"
                continue
            assert np.allclose(arrow[0], traj.xy[k, 0], rtol=0, atol=FLOAT32), (label, k)  # on the head
            want = cut(-gradient_taken(label, traj, k) * scale, size)
            assert np.allclose(arrow[1] - arrow[0], want, rtol=1e-6, atol=FLOAT32), (label, k, arrow, want)
            # the nearest wrong answer, the gradient at the head itself, is told apart where it differs
            head = cut(-sc.surface_of(SCENE).grad(traj.xy[k, 0]) * scale, size)
            wrong_told_apart += bool(np.abs(head - want).max() > 10 * FLOAT32)
    assert wrong_told_apart > 50


def test_velocity_arrows_are_the_buffer_or_first_moment_on_their_units_scale(scene_runs, figures):
    runs, _ = scene_runs
    fig = figures["velocity"]
    scales = {"gradient": legend_scale(fig, r"−b, −m: 1 = ([\d.e+-]+) on the map"),
              "step": legend_scale(fig, r"v \(lecture's velocity\) ×([\d.e+-]+)")}
    size = size_of(fig)
    drawn = set()
    for k in frames_of(fig)[1:]:
        traces = as_shown(fig, str(k))
        for label, traj in runs.items():
            value, unit = moment_of(label, traj, k)
            names = [t["name"] for t in traces if t.get("name") == f"{label} velocity"]
            if value is None:
                assert not names, label  # SGD, Adagrad, RMSProp without momentum, Adadelta: nothing to draw
                continue
            arrow = glyph(traces, f"{label} velocity")
            assert np.allclose(arrow[0], traj.xy[k, 0], atol=FLOAT32)
            assert np.allclose(arrow[1] - arrow[0], cut(value * scales[unit], size), rtol=1e-6, atol=FLOAT32)
            drawn.add(label)
    assert len(drawn) == 8


def test_rate_boxes_have_half_sides_of_the_rate_times_the_stated_scale(scene_runs, figures):
    runs, _ = scene_runs
    fig = figures["rate"]
    scale = legend_scale(fig, r"box: half-side = rate × ([\d.e+-]+)")
    size = size_of(fig)
    stretched = set()
    for k in frames_of(fig)[1:]:
        traces = as_shown(fig, str(k))
        for label, traj in runs.items():
            box = glyph(traces, f"{label} rate")
            assert box.shape == (5, 2) and np.array_equal(box[0], box[-1])  # closed
            centre = (box[:4].max(0) + box[:4].min(0)) / 2
            half = (box[:4].max(0) - box[:4].min(0)) / 2
            assert np.allclose(centre, traj.xy[k, 0], atol=FLOAT32)
            want = np.minimum(rate_of(label, traj, k) * scale, CAP * size)
            assert np.allclose(half, want, rtol=1e-6, atol=FLOAT32), (label, k, half, want)
            if half[0] > 3 * half[1]:
                stretched.add(specs()[label].optimizer)
    # along Beale's flat valley floor the adaptive methods' boxes stretch, SGD's stays square
    assert {"adam", "rmsprop", "adagrad"} <= stretched and not stretched & {"sgd", "momentum"}


def test_update_parts_add_up_to_the_step_tip_to_tail(scene_runs, figures):
    runs, _ = scene_runs
    fig = figures["parts"]
    pattern = r"step: {}'s share ×([\d.e+-]+)"
    scale = legend_scale(fig, pattern.format("gradient"))
    assert legend_scale(fig, pattern.format("momentum")) == scale == legend_scale(fig, pattern.format("weight decay"))
    for k in frames_of(fig)[1:]:
        traces = as_shown(fig, str(k))
        for label, traj in runs.items():
            r = specs()[label]
            names = {t["name"].removeprefix(label + " ") for t in traces if t.get("name", "").startswith(label + " ")
                     and t.get("legend") is None}
            step = traj.xy[k, 0] - traj.xy[k - 1, 0]
            gradient = glyph(traces, f"{label} gradient")
            assert np.allclose(gradient[0], traj.xy[k, 0], atol=FLOAT32)
            tip = gradient[1]
            for name in ("momentum", "weight_decay"):
                part = glyph(traces, f"{label} {name}") if name in names else np.full((2, 2), np.nan)
                if np.isfinite(part).all():
                    assert np.allclose(part[0], tip, atol=FLOAT32)  # tip to tail
                    tip = part[1]
            # the whole chain is the step, scaled and cut as one
            factor = np.hypot(*(tip - gradient[0])) / (np.hypot(*step) * scale)
            assert factor <= 1 + 1e-5 and np.allclose(tip - gradient[0], step * scale * factor, atol=2 * FLOAT32)
            g = gradient_taken(label, traj, k)
            if r.optimizer == "momentum":  # torch's SGD: Δθ = -ε b_t, b_t = μ b_{t-1} + g (b_1 = g_1)
                share = -r.lr * g
                assert np.allclose(gradient[1] - gradient[0], share * scale * factor, rtol=1e-5, atol=FLOAT32)
                assert np.isfinite(glyph(traces, f"{label} momentum")).all() == (k > 1)  # b_1 = g_1: no past
            if r.optimizer == "momentum_lecture":  # v_t = μ v_{t-1} - ε (∇f + λ w): the decay's share -ελw
                decay = glyph(traces, f"{label} weight_decay")
                want = -r.lr * 0.05 * traj.xy[k - 1, 0] * scale * factor
                assert np.allclose(decay[1] - decay[0], want, rtol=1e-5, atol=FLOAT32)
            if r.optimizer == "sgd":
                assert names == {"gradient"}


def test_one_sensible_scale_per_scene(scene_runs, figures):
    """A nice number, the same at every frame, that draws the median length near TARGET of the map."""
    _, paths = scene_runs
    fig = figures["gradient"]
    scale = legend_scale(fig, r"−∇f: gradient 1 = ([\d.e+-]+) on the map")
    mantissa = scale / 10 ** np.floor(np.log10(scale))
    assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-9
    at = frame_steps(SCENE.steps)[1:]
    lengths = np.concatenate([np.hypot(*(p["grad"][at] / size_of(fig)).T) for p in paths.values()])
    typical = np.percentile(lengths, PERCENTILE) * scale  # as a fraction of the map
    assert 0.4 * TARGET < typical <= TARGET
    assert nice_scale([[0.05, 0.1, 0.2]]) == 1.0 and nice_scale([[0.3]]) == 0.2 and nice_scale([]) == 1.0


def test_glyphs_sit_over_the_paths_under_the_heads_and_hide_nothing(figures):
    for kind, fig in figures.items():
        data = fig["data"]
        names = [t.get("name", "") for t in data]
        heads = names.index("heads")
        glyphs = [i for i, t in enumerate(data) if t.get("name", "").endswith(tuple(f" {k}" for k in
                                                                               ("gradient", "velocity", "rate",
                                                                                "momentum", "weight_decay")))
                  and t.get("xaxis") == "x" and t.get("legend") is None]
        paths = [i for i, t in enumerate(data) if t.get("legendgroup") and t.get("xaxis") == "x"]
        assert glyphs and max(paths) < min(glyphs) and max(glyphs) < heads, kind
        path_width = data[paths[0]]["line"]["width"]
        for i in glyphs:
            t = data[i]
            assert t["opacity"] < 1 and t["line"]["width"] <= 0.6 * path_width and "fill" not in t
            assert t["hoverinfo"] == "skip"  # clicks on the map still reach the start-point grid
        named = {i for f in fig["frames"] for i in f["traces"]}
        assert set(glyphs) <= named  # they move with the frames
        assert not named & {i for i, t in enumerate(data) if t.get("name") == "surface"}


def test_nine_runs_with_glyphs_stay_within_the_payload_budget():
    scene, _ = sc.from_query({"surface": "beale", "steps": "1000", "optimizers":
                              "sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adagrad(lr=0.3),rmsprop(lr=0.01),"
                              "adadelta(lr=1),adam(lr=0.03),adamax(lr=0.03),nadam(lr=0.03)"})
    runs, _ = sc.compute(scene, states=True)
    paths = sc.glyph_paths(scene, runs, frame_steps(scene.steps))
    surface = sc.surface_of(scene)
    for kind in ("gradient", "velocity", "rate", "parts"):
        text = pio.to_json(trajectory_figure(surface, runs, glyphs=glyph_layer(surface, runs, paths, kind)),
                           validate=False)
        assert len(text) < 1.0e6, kind  # the budget is 1.5 MB


def test_bad_kinds_and_unexplained_frames_are_refused(scene_runs):
    runs, paths = scene_runs
    surface = sc.surface_of(SCENE)
    with pytest.raises(ValueError, match="glyphs must be one of none, gradient"):
        glyph_layer(surface, runs, paths, "arrows")
    assert glyph_layer(surface, runs, paths, "none") is None
    few = sc.glyph_paths(SCENE, runs, [0, 10])
    with pytest.raises(ValueError, match="not explained at every frame"):
        trajectory_figure(surface, runs, glyphs=glyph_layer(surface, runs, few, "rate"))
    plain, _ = sc.compute(SCENE)
    with pytest.raises(ValueError, match="states=True"):
        sc.glyph_paths(SCENE, plain, [1])


def test_a_diverged_run_loses_its_glyph_where_it_left():
    scene = sc.Scene("beale", sc.parse_runs("sgd(lr=1),adam(lr=0.01)"), steps=50)
    runs, _ = sc.compute(scene, states=True)
    diverged = runs["SGD lr=1"]
    assert diverged.diverged[0]
    paths = sc.glyph_paths(scene, runs, range(51))
    last = int(diverged.diverged_at[0])
    assert np.isnan(paths["SGD lr=1"]["rate"][last:]).all() and np.isfinite(paths["SGD lr=1"]["rate"][1:last]).all()
    surface = sc.surface_of(scene)
    fig = json.loads(pio.to_json(trajectory_figure(surface, runs, glyphs=glyph_layer(surface, runs, paths, "gradient")),
                                 validate=False))
    traces = as_shown(fig, fig["frames"][-1]["name"])
    assert np.isnan(glyph(traces, "SGD lr=1 gradient")).all()
    assert np.isfinite(glyph(traces, "Adam lr=0.01 gradient")).all()
