"""The animated figure: what it sends, how large, that its frames tell the truth step by step, that
the surface is made of traces Plotly keeps while it plays, and that its colours stay apart."""

import base64
import itertools
import json
import math

import numpy as np
import plotly.io as pio
import pytest
from colour_distance import delta_e

from optimizers import OPTIMIZERS, run
from scenes import summary_rows
from surfaces import SURFACES
from viz import surface_3d_figure, trajectory_figure
from viz.trajectory import (
    MAP_COLORSCALE,
    MAP_LEVELS,
    OPTIMIZER_COLORS,
    PALETTE,
    PIXEL,
    VARIANTS,
    breakpoints,
    color_at,
    frame_steps,
    loss_axis_range,
    map_values,
    optimizer_key,
    run_styles,
    simplify,
    surface_grid,
    surface_layers,
    trail_indices,
    view_box,
)

VISIONS = ("normal", "protanopia", "deuteranopia", "tritanopia")
KEYS = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamax", "nadam")
LRS = (1e-3, 1e-3, 1e-3, 0.3, 0.01, 1.0, 0.03, 0.03, 0.03)


def decode(a):
    if isinstance(a, dict):
        return np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.dtype(a["dtype"])).astype(float)
    return np.asarray(a, dtype=float)


def computed_frame(fig: dict, name: str) -> dict[int, dict]:
    """What Plotly shows at frame ``name``: trace index -> data, following baseframes (as
    Plots.computeFrame does: the base first, then the frame over it)."""
    frames = {f["name"]: f for f in fig["frames"]}
    chain, frame = [], frames[name]
    while frame is not None:
        chain.append(frame)
        frame = frames.get(frame.get("baseframe"))
    shown: dict[int, dict] = {}
    for frame in reversed(chain):
        for index, data in zip(frame["traces"], frame["data"], strict=True):
            shown[index] = {**shown.get(index, {}), **data}
    return shown


def as_shown(fig: dict, name: str) -> list[dict]:
    """Every trace as it stands at frame ``name``."""
    shown = computed_frame(fig, name)
    return [{**trace, **shown.get(i, {})} for i, trace in enumerate(fig["data"])]


def points(trace: dict) -> np.ndarray:
    return np.stack([decode(trace["x"]), decode(trace["y"])], -1) if len(trace.get("x", ())) else np.zeros((0, 2))


def run_lines(traces: list[dict], label: str, axis: str = "x") -> np.ndarray:
    """The points of a run's line on the map (``axis`` "x") or the loss panel ("x2"), its two traces
    (past and recent) joined, gaps dropped."""
    parts = [points(t) for t in traces if t.get("name") == label and t.get("mode") == "lines"
             and t.get("xaxis") == axis and t.get("opacity") is None]
    pts = np.concatenate(parts) if parts else np.zeros((0, 2))
    return pts[np.isfinite(pts).all(1)]


@pytest.fixture(scope="module")
def nine_runs():
    s = SURFACES["beale"]
    return s, {k: run(OPTIMIZERS[k].factory(), s, s.start, 1000, lr) for k, lr in zip(KEYS, LRS, strict=True)}


@pytest.fixture(scope="module")
def nine_fig(nine_runs):
    s, runs = nine_runs
    return json.loads(pio.to_json(trajectory_figure(s, runs), validate=False))


def test_nine_runs_of_1000_steps_fit_the_budget(nine_runs):
    s, runs = nine_runs
    text = pio.to_json(trajectory_figure(s, runs), validate=False)
    fig = json.loads(text)
    assert len(text) < 1.0e6  # the budget is 1.5 MB; this build sends about 0.4
    assert len(fig["frames"]) >= 60
    assert fig["frames"][0]["name"] == "0" and fig["frames"][-1]["name"] == "1000"


def test_the_surface_is_drawn_by_traces_that_plotly_keeps_while_it_plays(nine_fig):
    # Plotly's redraw-free frames re-plot only the traces they name and drop the SVG layer of every
    # other trace type: a contour or heatmap trace vanished at the first frame. Scatter only.
    assert {t["type"] for t in nine_fig["data"]} == {"scatter"}
    surface = [t for t in nine_fig["data"] if t.get("name") == "surface"]
    assert len(surface) == MAP_LEVELS and all(t["fill"] == "toself" for t in surface)
    named = {i for f in nine_fig["frames"] for i in f["traces"]}
    assert not named & {i for i, t in enumerate(nine_fig["data"]) if t.get("name") == "surface"}
    for frame in nine_fig["frames"]:
        assert frame.get("redraw") is None
    steps = nine_fig["layout"]["sliders"][0]["steps"]
    buttons = nine_fig["layout"]["updatemenus"][0]["buttons"]
    assert all(s["args"][1]["frame"]["redraw"] is False for s in steps)
    assert all(b["args"][1]["frame"]["redraw"] is False for b in buttons)


def test_the_filled_contours_paint_the_right_level_everywhere():
    """Painted lowest first, each layer over the last (holes left open by SVG's nonzero rule), the
    top layer at a point is the level of f there."""
    rng = np.random.default_rng(0)
    for key in ("beale", "himmelblau", "rastrigin", "saddle", "ravine"):
        s = SURFACES[key]
        layers = surface_layers(s, s.domain)
        (x0, x1), (y0, y1) = s.domain
        xy = rng.uniform((x0, y0), (x1, y1), size=(2000, 2))
        painted = np.full(len(xy), -1)
        for i, (_, _, outline) in enumerate(layers):
            painted[winding_number(outline, xy) != 0] = i
        _xs, _ys, z = surface_grid(s)
        shown = map_values(s, z)
        levels = np.array([lv for lv, _, _ in layers])
        with np.errstate(all="ignore"):
            value = map_values(s, np.concatenate([z.ravel(), s.f(xy)]))[z.size:] if s.log_scale else s.f(xy)
        truth = np.clip(np.searchsorted(levels, value, side="right") - 1, 0, len(levels) - 1)
        assert np.nanmax(shown) > levels[-1]
        assert np.mean(painted == truth) > 0.9, key
        assert np.mean(np.abs(painted - truth) <= 1) > 0.995, key


def winding_number(outline: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """How often the closed rings of ``outline`` (NaN rows between rings) wind around each point:
    SVG fills where it is not zero (fill-rule nonzero, Plotly's default)."""
    total = np.zeros(len(pts), dtype=int)
    for ring in np.split(outline, np.flatnonzero(np.isnan(outline[:, 0]))):
        ring = ring[np.isfinite(ring[:, 0])]
        if len(ring) < 3:
            continue
        a, b = ring, np.roll(ring, -1, axis=0)
        px, py = pts[:, 0, None], pts[:, 1, None]
        side = (b[:, 0] - a[:, 0]) * (py - a[:, 1]) - (px - a[:, 0]) * (b[:, 1] - a[:, 1])
        up = (a[:, 1] <= py) & (b[:, 1] > py) & (side > 0)
        down = (a[:, 1] > py) & (b[:, 1] <= py) & (side < 0)
        total += up.sum(1) - down.sum(1)
    return total


def test_before_play_nothing_of_the_outcome_is_drawn(nine_runs, nine_fig):
    _s, runs = nine_runs
    for label, traj in runs.items():
        on_map = run_lines(nine_fig["data"], label)
        assert np.allclose(on_map, traj.xy[0, 0], atol=1e-6)
        loss = run_lines(nine_fig["data"], label, "x2")
        assert np.array_equal(loss[:, 0], np.zeros(len(loss)))
    assert not any("diverged" in str(t.get("text", "")) for t in nine_fig["data"])


@pytest.mark.parametrize("name", ["0", "10", "130", "500", "1000"])
def test_frame_k_draws_every_path_up_to_step_k_and_nothing_after(nine_runs, nine_fig, name):
    _s, runs = nine_runs
    k = int(name)
    traces = as_shown(nine_fig, name)
    view = nine_fig["layout"]["xaxis"]["range"]
    tolerance = 2 * PIXEL * (view[1] - view[0])
    for label, traj in runs.items():
        drawn = run_lines(traces, label)
        path = traj.xy[: k + 1, 0]
        # every drawn point is one of the first k + 1 points, the last is step k exactly
        gap = np.min(np.hypot(*(drawn[:, None, :] - path[None, :, :]).transpose(2, 0, 1)), axis=1)
        assert gap.max() < 1e-5 * (1 + np.abs(path).max())
        assert np.allclose(drawn[-1], path[-1], rtol=1e-6, atol=1e-6)
        # and every step up to k lies on the drawn line within a fraction of a pixel
        assert _distance_to_polyline(path, drawn).max() < tolerance, label
        loss = run_lines(traces, label, "x2")
        assert loss[:, 0].max() == k and loss[:, 0].min() == 0


def _distance_to_polyline(pts: np.ndarray, line: np.ndarray) -> np.ndarray:
    a, b = line[:-1], line[1:]
    if len(a) == 0:
        return np.hypot(*(pts - line[0]).T)
    d = b - a
    rel = pts[:, None, :] - a[None]
    t = np.clip(np.einsum("pij,ij->pi", rel, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-300), 0, 1)
    return np.min(np.linalg.norm(rel - t[..., None] * d[None], axis=-1), axis=1)


def test_the_last_frame_shows_every_run_at_its_final_point(nine_runs, nine_fig):
    _s, runs = nine_runs
    traces = as_shown(nine_fig, "1000")
    heads = next(t for t in traces if t.get("name") == "heads")
    finals = np.array([t.xy[-1, 0] for t in runs.values()], dtype=np.float32)
    assert np.array_equal(decode(heads["x"]), finals[:, 0])
    assert np.array_equal(decode(heads["y"]), finals[:, 1])


def test_a_slider_jump_back_shows_the_earlier_step(nine_runs, nine_fig):
    """Frames are looked up by name: a frame computed after a later one shows only its own steps."""
    _s, runs = nine_runs
    late, early = as_shown(nine_fig, "1000"), as_shown(nine_fig, "20")
    for label in runs:
        assert len(run_lines(early, label)) < len(run_lines(late, label))
        assert np.allclose(run_lines(early, label)[-1], runs[label].xy[20, 0], atol=1e-6)


def test_a_diverged_run_is_marked_where_and_when_it_left():
    s = SURFACES["beale"]
    t = run(OPTIMIZERS["sgd"].factory(), s, s.start, 100, 1.0)
    assert t.diverged[0]
    k = int(t.diverged_at[0])
    fig = trajectory_figure(s, {"too fast": t}).to_dict()
    names = [f["name"] for f in fig["frames"]]
    before = [n for n in names if int(n) < k]
    after = [n for n in names if int(n) >= k]
    mark = next(i for i, d in enumerate(fig["data"]) if d.get("name") == "diverged")
    assert all(len(as_shown(fig, n)[mark]["x"]) == 0 for n in before)
    shown = as_shown(fig, after[-1])[mark]
    assert shown["text"] == [f"diverged at step {k}"]
    (x0, x1), (y0, y1) = s.domain
    assert x0 <= shown["x"][0] <= x1 and y0 <= shown["y"][0] <= y1


def test_the_loss_panel_is_logarithmic_only_where_a_minimum_is_known():
    t = run(OPTIMIZERS["adam"].factory(), SURFACES["saddle"], (1.0, 1e-3), 50, 0.01)
    fig = trajectory_figure(SURFACES["saddle"], {"a": t})
    assert fig.layout.yaxis2.type == "linear" and fig.layout.yaxis2.title.text == "f"
    t = run(OPTIMIZERS["adam"].factory(), SURFACES["beale"], (1.0, 1.5), 50, 0.01)
    fig = trajectory_figure(SURFACES["beale"], {"a": t})
    assert fig.layout.yaxis2.type == "log" and fig.layout.yaxis2.title.text == "f − f*"
    notes = [a.text for a in fig.layout.annotations if a.xref == "x2 domain"]
    assert notes == ["f − f*: height above the minimum f*"]


def test_a_run_falling_without_bound_does_not_squash_the_others():
    """On the saddle an escaping run falls towards minus infinity: the panel stops at the lowest
    value on the map, so a trapped run's curve keeps its height."""
    s = SURFACES["saddle"]
    escaping = run(OPTIMIZERS["adam"].factory(), s, (1.0, 1e-3), 400, 0.05)
    trapped = run(OPTIMIZERS["sgd"].factory(), s, (1.0, 1e-3), 400, 0.01)
    assert escaping.loss[-1, 0] < -1e3
    lo, hi = loss_axis_range(s, {"escaping": escaping, "trapped": trapped})
    _, _, z = surface_grid(s)
    assert lo >= np.nanmin(z) - 0.1 * (np.nanmax(z) - np.nanmin(z))
    assert hi - lo < 1.2 * (1.0 - np.nanmin(z))
    # the trapped run's fall from 1 to near 0 spans most of the panel
    assert (trapped.loss[0, 0] - trapped.loss[-1, 0]) / (hi - lo) > 0.25


def test_one_run_converging_to_nothing_does_not_flatten_the_log_panel():
    s = SURFACES["ravine"]
    fast = run(OPTIMIZERS["adagrad"].factory(), s, s.start, 300, 1.0)  # to 1e-256
    slow = run(OPTIMIZERS["sgd"].factory(), s, s.start, 300, 0.005)
    assert fast.loss[-1, 0] < 1e-200
    lo, hi = loss_axis_range(s, {"fast": fast, "slow": slow})
    assert hi - lo == pytest.approx(10.0)
    assert hi > np.log10(slow.loss[0, 0]) and lo < np.log10(slow.loss[-1, 0]) - 2


def test_the_map_zooms_to_where_the_action_is(nine_runs):
    s, runs = nine_runs
    (x0, x1), (y0, y1) = view_box(s, runs)
    (d0, d1), (e0, e1) = s.domain
    assert (x1 - x0) * (y1 - y0) < 0.5 * (d1 - d0) * (e1 - e0)
    for t in runs.values():
        xy = t.xy[:, 0]
        assert (xy[:, 0] >= x0).all() and (xy[:, 0] <= x1).all() and (xy[:, 1] >= y0).all() and (xy[:, 1] <= y1).all()
    assert x0 <= 3.0 <= x1 and y0 <= 0.5 <= y1  # the minimum stays in view
    escaping = run(OPTIMIZERS["sgd"].factory(), s, s.start, 100, 1.0)  # leaves the map: the whole map
    assert view_box(s, {"a": escaping}) == s.domain


def test_the_figure_explains_itself(nine_fig):
    layout = nine_fig["layout"]
    assert layout["xaxis"]["title"]["text"] == "x" and layout["yaxis"]["title"]["text"] == "y"
    assert layout["xaxis3"]["title"]["text"] == "step" and layout["yaxis3"]["title"]["text"] == "learning rate"
    assert any("Press ▶" in a["text"] for a in layout["annotations"])
    assert any("height above the minimum" in a["text"] for a in layout["annotations"])
    markers = {t["name"] for t in nine_fig["data"] if t.get("legend") == "legend2"}
    assert markers == {"start", "global minimum"}  # Beale's saddles lie outside the zoomed map
    legend = [t["name"] for t in nine_fig["data"] if t.get("showlegend") and t.get("legend") is None]
    assert legend == list(KEYS)
    assert layout["sliders"][0]["currentvalue"]["prefix"] == "step "


def test_frame_and_trail_indices():
    at = frame_steps(1000)
    assert at[0] == 0 and at[-1] == 1000 and 60 <= len(at) <= 101
    assert list(frame_steps(5)) == [0, 1, 2, 3, 4, 5]
    trails = trail_indices(np.array([0, 3, 50]), points=4)
    assert trails.tolist() == [[0, 0, 0, 0], [0, 1, 2, 3], [47, 48, 49, 50]]


def test_simplification_keeps_corners_and_turning_points():
    lr = np.concatenate([np.full(100, 0.1), np.full(100, 0.01)])
    assert breakpoints(lr).tolist() == [0, 99, 100, 199]
    zigzag = np.stack([np.arange(50.0), np.where(np.arange(50) % 2, 1.0, -1.0)], -1)
    assert len(simplify(zigzag, 0.01)) == 50
    line = np.stack([np.linspace(0, 1, 500), np.zeros(500)], -1)
    assert simplify(line, 1e-6).tolist() == [0, 499]
    # an overshoot along a straight line: out to 2, back to 1; the turning point stays
    there_and_back = np.stack([np.r_[np.linspace(0, 2, 50), np.linspace(2, 1, 25)], np.zeros(75)], -1)
    kept = simplify(there_and_back, 1e-3)
    assert 49 in kept and len(kept) == 3


def test_colours_are_fixed_per_optimizer_in_every_scene():
    a = run_styles(["Adam lr=0.03", "SGD lr=0.001"])
    b = run_styles(["SGD lr=0.1", "Momentum lr=0.01", "Adam lr=0.001"])
    assert a["Adam lr=0.03"].color == b["Adam lr=0.001"].color == OPTIMIZER_COLORS["adam"]
    assert a["SGD lr=0.001"].color == b["SGD lr=0.1"].color
    keyed = run_styles(["fast", "slow"], keys={"fast": "adam", "slow": "adam"})
    assert keyed["fast"].color == OPTIMIZER_COLORS["adam"]
    assert keyed["slow"].dash != keyed["fast"].dash and keyed["slow"].color != keyed["fast"].color
    assert delta_e(keyed["slow"].color, keyed["fast"].color) > 10  # a shade apart, heads included
    assert run_styles(["x"], colors={"x": "#123456"})["x"].color == "#123456"
    from viz.static import colors_of  # the exported PNG, SVG, GIF and MP4 wear the same colours

    assert colors_of(["SGD lr=0.1", "Adam lr=0.5"]) == {"SGD lr=0.1": OPTIMIZER_COLORS["sgd"],
                                                        "Adam lr=0.5": OPTIMIZER_COLORS["adam"]}
    for key, spec in OPTIMIZERS.items():
        assert optimizer_key(f"{spec.title} lr=0.1") == key
        assert optimizer_key(key) == key


def test_every_optimizer_has_a_look_of_its_own():
    looks = run_styles(list(OPTIMIZERS))
    assert len({(s.color, s.dash) for s in looks.values()}) == len(OPTIMIZERS)
    for key, (family, dash) in VARIANTS.items():
        alone = run_styles([key])[key]
        assert alone.color == OPTIMIZER_COLORS[family] and alone.dash == dash != "solid"
        beside = run_styles([family, key])  # with its family's run: the dash, and a shade for the head
        assert beside[key].dash == dash and delta_e(beside[key].color, beside[family].color) > 10


@pytest.mark.parametrize("vision", VISIONS)
def test_the_palette_stays_apart_for_every_kind_of_colour_vision(vision):
    """CIEDE2000 between every two run colours, as each kind of dichromat sees them (Machado 2009):
    at least 10 (2.3 is just noticeable), and at least 14 from every colour of the map."""
    assert set(OPTIMIZER_COLORS.values()) == set(PALETTE)
    for a, b in itertools.combinations(PALETTE, 2):
        assert delta_e(a, b, vision) > 10, (a, b)
    backgrounds = [c for _, c in MAP_COLORSCALE] + [color_at(t) for t in np.linspace(0, 1, 51)]
    for a in PALETTE:
        for bg in backgrounds:
            assert delta_e(a, bg, vision) > 14, (a, bg)


def test_summary_rows_and_3d_view():
    s = SURFACES["rosenbrock"]
    t = run(OPTIMIZERS["adam"].factory(), s, s.start, 2000, 0.1)
    row = summary_rows(s, {"adam": t}, threshold=1e-3)[0]
    assert row["final loss"] == pytest.approx(float(t.loss[-1, 0]))
    assert row["distance to nearest minimum"] < 1e-2
    steps = row["steps to f − f* ≤ 0.001"]
    assert steps is not None and t.loss[steps, 0] <= 1e-3 < t.loss[steps - 1, 0]
    assert row["path length"] >= np.hypot(*(t.xy[-1, 0] - t.xy[0, 0]))
    assert row["diverged at step"] is None
    fig = surface_3d_figure(s, {"adam": t}).to_dict()
    assert fig["data"][0]["type"] == "surface" and fig["data"][1]["type"] == "scatter3d"
    assert len(decode(fig["data"][1]["x"])) == 1  # the path unfolds on the slider: the start only
    last = fig["frames"][-1]
    assert last["name"] == "2000" and np.isclose(decode(last["data"][0]["x"])[-1], t.xy[-1, 0, 0], atol=1e-5)
    assert all(s["args"][1]["frame"]["redraw"] for s in fig["layout"]["sliders"][0]["steps"])


def test_presentation_mode_is_larger_and_bands_unfold():
    s = SURFACES["noisy_moons"]
    t = run(OPTIMIZERS["sgd"].factory(), s, s.start, 30, 0.3)
    band = np.stack([run(OPTIMIZERS["sgd"].factory(), s, s.start, 30, 0.3, seed=k).xy[:, 0] for k in (1, 2)])
    small = trajectory_figure(s, {"a": t}, bands={"a": band})
    large = trajectory_figure(s, {"a": t}, bands={"a": band}, presentation=True)
    assert large.layout.font.size >= 24 and large.layout.updatemenus[0].font.size >= 24
    assert large.layout.height > small.layout.height
    fig = small.to_dict()
    faint = [i for i, d in enumerate(fig["data"]) if d.get("opacity") == 0.3]
    assert len(faint) == 2  # past and recent of the band
    end = as_shown(fig, "30")
    drawn = np.concatenate([points(end[i]) for i in faint])
    assert np.isnan(drawn[:, 0]).sum() >= 1  # two seeds, one gap
    for seed in band:
        assert np.min(np.hypot(*(drawn[np.isfinite(drawn[:, 0])] - seed[-1]).T)) < 1e-5
    for i in faint:  # nothing before Play: every seed at its start
        start = points(fig["data"][i])
        assert np.allclose(start[np.isfinite(start[:, 0])], band[0, 0], atol=1e-6)


def test_a_clickable_map_says_so_and_sends_no_grid_of_points():
    """The page reads a click anywhere on the map to the pixel (ui.workarounds.map_clicks, tested in the
    browser): no invisible grid of points is sent to be clicked on; the hint tells a student."""
    s = SURFACES["beale"]
    t = run(OPTIMIZERS["adam"].factory(), s, s.start, 10, 0.01)
    clickable = trajectory_figure(s, {"a": t}, clickable=True).to_dict()
    plain = trajectory_figure(s, {"a": t}).to_dict()
    assert len(clickable["data"]) == len(plain["data"])
    hints = [a["text"] for a in clickable["layout"]["annotations"] if "Press ▶" in a["text"]]
    assert hints == ["Press ▶ Play to start the race, drag the slider to any step, or click the map to start there."]


def test_the_learning_rate_panel_is_logarithmic_where_rates_differ_by_ten_times():
    s = SURFACES["beale"]
    slow, fast = (run(OPTIMIZERS["sgd"].factory(), s, s.start, 10, lr) for lr in (0.001, 0.5))
    both = trajectory_figure(s, {"slow": slow, "fast": fast}).to_dict()["layout"]["yaxis3"]
    assert both["type"] == "log" and both["range"][0] < -3 < 0 < both["range"][1] < 0.5
    def labels(axis):
        return math.floor(axis["range"][1] / axis["dtick"]) - math.ceil(axis["range"][0] / axis["dtick"]) + 1

    assert 2 <= labels(both) <= 3  # 13 px labels in a panel 88 px tall
    near = trajectory_figure(s, {"a": slow, "b": run(OPTIMIZERS["sgd"].factory(), s, s.start, 10, 0.005)})
    assert near.to_dict()["layout"]["yaxis3"]["type"] == "linear"
    big = trajectory_figure(s, {"slow": slow, "fast": fast}, presentation=True).to_dict()["layout"]["yaxis3"]
    assert labels(big) == 2  # 24 px labels in a panel 106 px tall


def test_the_builder_bounds_its_own_inputs():
    s = SURFACES["beale"]
    t = run(OPTIMIZERS["adam"].factory(), s, s.start, 10, 0.01)
    for frames in (0, -1, 10**6, 2.5, True):
        with pytest.raises(ValueError, match="frames"):
            trajectory_figure(s, {"a": t}, frames=frames)
    with pytest.raises(ValueError, match="at most"):
        trajectory_figure(s, {str(i): t for i in range(25)})


def _span(domain) -> tuple[float, float]:
    return float(domain[0]), float(domain[1])


@pytest.mark.parametrize("presentation", [False, True])
def test_the_panels_sit_apart_and_the_heads_are_marked_in_each_runs_colour(nine_runs, presentation):
    """The map on the left, the loss panel above the learning-rate panel on the right, none overlapping;
    the heads on the map and on the loss panel are markers in each run's colour, the map's the larger
    (found by mutation testing: a learning-rate panel laid over the loss panel, or heads without their
    markers, passed)."""
    s, runs = nine_runs
    fig = json.loads(pio.to_json(trajectory_figure(s, runs, presentation=presentation), validate=False))
    layout = fig["layout"]
    left, right = _span(layout["xaxis"]["domain"]), _span(layout["xaxis2"]["domain"])
    assert left[0] == 0.0 and left[1] < right[0] and right[1] == 1.0
    assert _span(layout["xaxis3"]["domain"]) == right
    loss, rate = _span(layout["yaxis2"]["domain"]), _span(layout["yaxis3"]["domain"])
    assert rate[0] == 0.0 and rate[0] < rate[1] < loss[0] < loss[1] == 1.0
    assert rate[1] - rate[0] < loss[1] - loss[0]  # the rate panel is the smaller
    heads = {t["name"]: t for t in fig["data"] if t.get("name") in ("heads", "loss heads")}
    colours = [run_styles(list(runs))[label].color for label in runs]
    for name, axis in (("heads", None), ("loss heads", "x2")):
        assert heads[name]["mode"] == "markers" and heads[name].get("xaxis") == axis
        assert heads[name]["marker"]["color"] == colours
    map_size, loss_size = heads["heads"]["marker"]["size"], heads["loss heads"]["marker"]["size"]
    assert map_size == (18 if presentation else 11) and 0 < loss_size < map_size
