"""The animated figure: what it sends, how large, and that its frames tell the truth."""

import base64
import json

import numpy as np
import plotly.io as pio
import pytest

from optimizers import OPTIMIZERS, run
from scenes import summary_rows
from surfaces import SURFACES
from viz import surface_3d_figure, trajectory_figure
from viz.trajectory import breakpoints, frame_steps, trail_indices, visible_points


def decode(a):
    if isinstance(a, dict):
        return np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.dtype(a["dtype"]))
    return np.asarray(a, dtype=float)


@pytest.fixture(scope="module")
def nine_runs():
    s = SURFACES["beale"]
    keys = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamax", "nadam")
    lrs = (1e-3, 1e-3, 1e-3, 0.3, 0.01, 1.0, 0.03, 0.03, 0.03)
    return s, {k: run(OPTIMIZERS[k].factory(), s, s.start, 1000, lr) for k, lr in zip(keys, lrs, strict=True)}


def test_nine_runs_of_1000_steps_fit_the_budget(nine_runs):
    s, runs = nine_runs
    text = pio.to_json(trajectory_figure(s, runs), validate=False)
    fig = json.loads(text)
    assert len(text) < 1.5e6
    assert len(fig["frames"]) >= 60
    assert fig["frames"][0]["name"] == "0" and fig["frames"][-1]["name"] == "1000"


def test_the_last_frame_shows_every_run_at_its_final_point(nine_runs):
    s, runs = nine_runs
    fig = json.loads(pio.to_json(trajectory_figure(s, runs), validate=False))
    last = fig["frames"][-1]
    heads = last["data"][1]
    finals = np.array([t.xy[-1, 0] for t in runs.values()], dtype=np.float32)
    assert np.array_equal(decode(heads["x"]), finals[:, 0])
    assert np.array_equal(decode(heads["y"]), finals[:, 1])
    trails = last["data"][0]
    assert decode(trails["x"]).reshape(len(runs), -1)[:, -1].tolist() == finals[:, 0].tolist()


def test_frames_move_only_the_animated_traces(nine_runs):
    s, runs = nine_runs
    fig = trajectory_figure(s, runs)
    n = len(fig.data)
    for frame in fig.frames:
        assert list(frame.traces) == list(range(n - 4, n))
        assert len(frame.data) == 4


def test_a_diverged_run_is_marked_where_and_when_it_left():
    s = SURFACES["beale"]
    t = run(OPTIMIZERS["sgd"].factory(), s, s.start, 100, 1.0)
    assert t.diverged[0]
    fig = trajectory_figure(s, {"too fast": t})
    marks = [d for d in fig.data if d.text and "diverged" in d.text[0]]
    assert len(marks) == 1
    assert marks[0].text[0] == f"diverged at step {int(t.diverged_at[0])}"
    (x0, x1), (y0, y1) = s.domain
    assert x0 <= marks[0].x[0] <= x1 and y0 <= marks[0].y[0] <= y1


def test_the_loss_panel_is_logarithmic_only_where_a_minimum_is_known():
    t = run(OPTIMIZERS["adam"].factory(), SURFACES["saddle"], (1.0, 1e-3), 50, 0.01)
    assert trajectory_figure(SURFACES["saddle"], {"a": t}).layout.yaxis2.type == "linear"
    t = run(OPTIMIZERS["adam"].factory(), SURFACES["beale"], (1.0, 1.5), 50, 0.01)
    assert trajectory_figure(SURFACES["beale"], {"a": t}).layout.yaxis2.type == "log"


def test_presentation_mode_is_larger_and_bands_are_drawn():
    s = SURFACES["noisy_moons"]
    t = run(OPTIMIZERS["sgd"].factory(), s, s.start, 30, 0.3)
    band = np.stack([run(OPTIMIZERS["sgd"].factory(), s, s.start, 30, 0.3, seed=k).xy[:, 0] for k in (1, 2)])
    small = trajectory_figure(s, {"a": t}, bands={"a": band})
    large = trajectory_figure(s, {"a": t}, bands={"a": band}, presentation=True)
    assert large.layout.font.size > small.layout.font.size
    assert large.layout.height > small.layout.height
    assert sum(1 for d in small.data if d.opacity == 0.2) == 2


def test_clickable_map_has_a_selectable_grid():
    s = SURFACES["beale"]
    t = run(OPTIMIZERS["adam"].factory(), s, s.start, 10, 0.01)
    fig = trajectory_figure(s, {"a": t}, clickable=True)
    grids = [d for d in fig.data if d.name == "start here"]
    assert len(grids) == 1 and len(decode(grids[0].x)) == 31 * 31


def test_frame_and_trail_indices():
    at = frame_steps(1000)
    assert at[0] == 0 and at[-1] == 1000 and 60 <= len(at) <= 101
    assert list(frame_steps(5)) == [0, 1, 2, 3, 4, 5]
    trails = trail_indices(np.array([0, 3, 50]), points=4)
    assert trails.tolist() == [[0, 0, 0, 0], [0, 1, 2, 3], [47, 48, 49, 50]]


def test_decimation_keeps_corners_and_drops_invisible_steps():
    lr = np.concatenate([np.full(100, 0.1), np.full(100, 0.01)])
    assert breakpoints(lr).tolist() == [0, 99, 100, 199]
    zigzag = np.stack([np.arange(50.0), np.where(np.arange(50) % 2, 1.0, -1.0)], -1)
    assert len(visible_points(zigzag, ((0, 50), (-2, 2)))) == 50
    still = np.concatenate([zigzag[:1], np.full((500, 2), 0.0) + 1e-9 * np.arange(500)[:, None]])
    assert len(visible_points(still, ((-1, 1), (-1, 1)))) <= 3


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
    fig = surface_3d_figure(s, {"adam": t})
    assert fig.data[0].type == "surface" and fig.data[1].type == "scatter3d"


def test_the_builder_bounds_its_own_inputs():
    s = SURFACES["beale"]
    t = run(OPTIMIZERS["adam"].factory(), s, s.start, 10, 0.01)
    for frames in (0, -1, 10**6, 2.5, True):
        with pytest.raises(ValueError, match="frames"):
            trajectory_figure(s, {"a": t}, frames=frames)
    with pytest.raises(ValueError, match="at most"):
        trajectory_figure(s, {str(i): t for i in range(25)})
