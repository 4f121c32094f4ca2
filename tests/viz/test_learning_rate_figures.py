"""The learning-rate figures on the data they draw: every trace holds the quantity it claims, computed here
independently; every suggestion is marked and named; labels leave room for each other; and the sentence the
page prints beside the range test is true of the figure's own traces."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenes import lr_lab as L
from scenes.lr_range import KEYS, RULES
from surfaces import SURFACES
from tests.scenes.lr_sentence import check_sentence
from viz.learning_rate import (
    TINY,
    Look,
    fit_right,
    label_rows,
    range_test_figure,
    rate_curves_figure,
    rate_path_figure,
    schedules_figure,
)

LABS = {"digits": L.LrLab(), "beale": L.LrLab(problem="beale"), "noisy_moons": L.LrLab(problem="noisy_moons"),
        "styblinski_tang": L.LrLab(problem="styblinski_tang", seeds=1)}


@pytest.fixture(scope="module", params=list(LABS))
def drawn(request):
    lab = LABS[request.param]
    result = L.compute(lab)
    rate = L.chosen(lab, result.tests[0])
    return lab, result, rate, range_test_figure(result.tests, result.grid, rate, network=lab.network)


def traces(fig, name):
    return [t for t in fig.data if t.name == name]


def values(trace_values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in trace_values], dtype=float)


def expected(losses, floor, log):
    """What a loss axis should show, written out here: the loss above the floor on a log axis."""
    out = []
    for v in losses:
        if not math.isfinite(v):
            out.append(np.nan)
        elif log:
            out.append(max(v - floor, 1e-16))
        else:
            out.append(v)
    return np.array(out)


def test_the_curves_are_the_raw_and_smoothed_losses_of_every_seed(drawn):
    lab, result, _rate, fig = drawn
    log, main = not lab.network, result.tests[0]
    (raw,), (smooth,) = traces(fig, "raw loss"), traces(fig, "smoothed (β = 0.98)")
    np.testing.assert_array_equal(np.array(raw.x), main.lrs)
    np.testing.assert_array_equal(values(raw.y), expected(main.losses, main.floor, log))
    np.testing.assert_array_equal(values(smooth.y), expected(main.smoothed, main.floor, log))
    # the smoothed curve is Gugger's bias-corrected average of the raw one
    avg, ref = 0.0, []
    for i, v in enumerate(main.losses):
        avg = 0.98 * avg + 0.02 * v
        ref.append(avg / (1 - 0.98 ** (i + 1)))
    np.testing.assert_allclose(main.smoothed, ref, rtol=1e-12)
    seeds = [t for t in fig.data if t.legendgroup == "seeds" and t.mode == "lines"]
    assert len(seeds) == len(result.tests) - 1 == lab.seeds_drawn - 1
    for t, test in zip(seeds, result.tests[1:], strict=True):
        np.testing.assert_array_equal(values(t.y), expected(test.smoothed, test.floor, log))
    assert fig.layout.xaxis.type == fig.layout.xaxis2.type == "log"
    assert fig.layout.yaxis.type == ("log" if log else "linear")


def test_every_suggestion_is_marked_on_the_curve_and_named_by_tool_and_rule(drawn):
    lab, result, _rate, fig = drawn
    main = result.tests[0]
    sugg = main.suggestions()
    labels = [a for a in fig.layout.annotations if a.name == "suggestion"]
    named = {}
    for a in labels:
        head, value = a.text.rsplit(" ", 1)
        for name in head.split(" = "):
            named[name] = (float(value), 10 ** a.x)
    assert set(named) == {L.NAMES[k] for k in KEYS if math.isfinite(sugg[k])}
    for key in KEYS:
        shown_value, at = named[L.NAMES[key]]
        assert shown_value == float(f"{sugg[key]:.2g}") and at == pytest.approx(sugg[key], rel=1e-12)
        (mark,) = [t for t in fig.data if t.mode == "markers" and t.marker.symbol == "diamond"
                   and L.NAMES[key] in t.name]
        assert mark.x[0] == sugg[key]
        ok = np.isfinite(main.smoothed)
        height = np.interp(np.log(sugg[key]), np.log(main.lrs[ok]), main.smoothed[ok])
        shown = max(height - main.floor, TINY) if not lab.network else height
        assert mark.y[0] == pytest.approx(shown, rel=1e-12)
        assert RULES[key] in mark.hovertemplate  # the rule, in full, on hover
    # one mark per distinct rate: coinciding suggestions share it (fastai minimum and Gugger at 100 iterations)
    assert len(labels) == len({v for v in sugg.values() if math.isfinite(v)})


def test_the_other_seeds_suggestions_are_marked_on_their_own_curves(drawn):
    _lab, result, _rate, fig = drawn
    marks = [t for t in fig.data if t.legendgroup == "seeds" and t.mode == "markers"]
    for seed, test in enumerate(result.tests[1:], start=1):
        mine = [t for t in marks if t.name.startswith(f"seed {seed}: ")]
        assert sorted(t.x[0] for t in mine) == sorted({v for v in test.suggestions().values() if math.isfinite(v)})


def test_the_grid_panel_draws_the_losses_after_the_first_and_all_steps(drawn):
    lab, result, rate, fig = drawn
    grid, floor, unit = result.grid, result.tests[0].floor, lab.unit
    (early,), (final,) = traces(fig, f"after {grid.early_steps} {unit}"), traces(fig, f"after {grid.steps} {unit}")
    np.testing.assert_array_equal(np.array(final.x), grid.lrs)
    np.testing.assert_array_equal(values(final.y), expected(grid.final, floor, True))
    np.testing.assert_array_equal(values(early.y), expected(grid.early, floor, True))
    assert final.yaxis == "y2" and fig.layout.yaxis2.type == "log"
    (best,) = traces(fig, f"best {grid.best_lr:.3g}")
    assert best.x[0] == grid.lrs[int(np.argmin(grid.final))]
    gone = traces(fig, "diverged")
    assert (np.array(gone[0].x) if gone else np.zeros(0)).tolist() == grid.lrs[~np.isfinite(grid.final)].tolist()
    test = traces(fig, "test split")
    if lab.network:
        np.testing.assert_array_equal(values(test[0].y), grid.test_final)
    else:
        assert test == []
    chosen = traces(fig, f"chosen {rate:.3g}")
    assert len(chosen) == 2 and all(list(t.x) == [rate, rate] for t in chosen)


def test_the_sentence_beside_the_figure_is_true_of_its_traces(drawn):
    """The best grid rate read off the 'after all steps' trace, the suggestions off the marks' x."""
    lab, result, _rate, fig = drawn
    (final,) = traces(fig, f"after {result.grid.steps} {lab.unit}")
    ys = values(final.y)
    assert np.nanargmin(ys) == result.grid.best
    marks = {}
    for t in fig.data:
        if t.mode == "markers" and t.marker.symbol == "diamond":
            for name in t.name.rsplit(" ", 1)[0].split(" = "):
                marks[name] = t.x[0]
    drawn_suggestions = {k: marks.get(L.NAMES[k], math.nan) for k in KEYS}
    floor = 0.0 if lab.network else result.tests[0].floor
    grid = result.grid._replace(lrs=np.array(final.x), final=np.where(np.isnan(ys), np.inf, ys + floor))
    text = L.nearest_sentence(result.verdicts, result.grid, lab.unit, result.tests[0].losses[0])
    check_sentence(text, grid, drawn_suggestions)


def test_a_test_that_blows_up_at_once_still_draws_what_it_has():
    lab = L.LrLab(problem="quadratic", start_lr=1.0, end_lr=10.0, num_iter=25, rates=4)
    r = L.compute(lab)
    fig = range_test_figure(r.tests, r.grid, L.chosen(lab, r.tests[0]), network=False)
    (raw,) = traces(fig, "raw loss")
    assert len(raw.x) == 2 and np.isfinite(values(raw.y)).sum() >= 1
    assert [a for a in fig.layout.annotations if a.name == "suggestion"] == []


# ---- label layout --------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.floats(-8, 3), st.floats(0.05, 3)), min_size=1, max_size=8, unique_by=lambda t: t[0]))
def test_labels_never_overlap_and_no_line_crosses_a_label(labels):
    labels.sort()
    anchors, widths = [a for a, _ in labels], [w for _, w in labels]
    rows = label_rows(anchors, widths)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if i == j:
                continue
            overlap = anchors[i] < anchors[j] + widths[j] and anchors[j] < anchors[i] + widths[i]
            assert not (overlap and rows[i] == rows[j])
            # the line of i runs from its label (row i) down through every lower row at x = anchors[i]
            assert not (rows[j] > rows[i] and anchors[j] <= anchors[i] < anchors[j] + widths[j])
    assert max(rows) < len(labels)


@given(st.lists(st.tuples(st.floats(-8, 2), st.floats(0.01, 0.9)), min_size=1, max_size=6))
def test_the_axis_is_stretched_to_hold_every_label(labels):
    low, high = -9.0, 2.5
    right = fit_right([a for a, _ in labels], [s for _, s in labels], low, high)
    assert right >= high
    for a, s in labels:
        assert a + s * (right - low) <= right + 1e-9


def test_the_label_rows_fit_above_the_curve(drawn):
    lab, _result, _rate, fig = drawn
    ys = [a.y for a in fig.layout.annotations if a.name == "suggestion"]
    look = Look()
    panel_px = (look.height - 40 - look.bottom) * 0.58 * 0.9
    lowest_label = min(ys, default=1.0) - 0.8 * look.label / panel_px  # its lower edge, in the panel's fraction
    lo, top = fig.layout.yaxis.range
    main = values(next(iter(traces(fig, "smoothed (β = 0.98)"))).y)
    highest = np.nanmax(np.log10(main) if not lab.network else main)
    visible_top = min(highest, top)
    fraction = (visible_top - lo) / (top - lo)
    falls = main[: int(np.nanargmin(main)) + 1]
    head = np.nanmax(np.log10(falls) if not lab.network else falls)
    assert (head - lo) / (top - lo) < lowest_label  # the falling part of the curve stays under the labels
    assert 0 < fraction <= 1


# ---- what the chosen rate does -------------------------------------------------------------------

def test_the_path_figure_draws_the_run_on_the_surface():
    lab = L.LrLab(problem="beale")
    run = L.rate_run(lab, 0.02)
    fig = rate_path_figure(SURFACES["beale"], run)
    (path,) = traces(fig, "rate 0.02")
    np.testing.assert_array_equal(np.column_stack([path.x, path.y]), run.path)
    assert (traces(fig, "start")[0].x[0], traces(fig, "start")[0].y[0]) == (1.0, 1.5)
    (end,) = traces(fig, "after 100 steps")
    assert (end.x[0], end.y[0]) == tuple(run.path[-1])
    x, y = run.path[-1]
    assert fig.layout.title.subtitle.text == f"f = {SURFACES['beale'].f(run.path[-1]):.4g} at ({x:.3g}, {y:.3g})"
    assert fig.layout.title.text == "rate 0.02, 100 steps"
    diverged = L.rate_run(lab, 1.0)
    fig = rate_path_figure(SURFACES["beale"], diverged)
    assert len(traces(fig, "rate 1")[0].x) == diverged.diverged_at + 1
    assert fig.layout.title.subtitle.text == f"diverged after {diverged.diverged_at} steps"


def test_the_curves_figure_draws_the_training_and_test_losses_of_the_run():
    lab = L.LrLab(problem="moons", width=8)
    run = L.rate_run(lab, 0.3)
    fig = rate_curves_figure(run, lab.network_problem().steps_per_epoch)
    np.testing.assert_array_equal(values(traces(fig, "minibatch loss")[0].y), run.minibatch_loss)
    for name, ref in (("training split", run.train_loss), ("test split", run.test_loss)):
        (t,) = traces(fig, name)
        np.testing.assert_array_equal(np.array(t.x), run.eval_steps)
        np.testing.assert_array_equal(values(t.y), ref)
    assert fig.layout.title.subtitle.text == f"loss: test {run.test_loss[-1]:.3g}, training {run.train_loss[-1]:.3g}"
    assert "23 per epoch" in fig.layout.xaxis.title.text


def test_the_schedules_figure_draws_every_schedule_and_its_rate():
    lab = L.LrLab(problem="moons", width=8, epochs=3)
    results = L.schedules(lab, 0.1, 0.5)
    spe = lab.network_problem().steps_per_epoch
    fig = schedules_figure(results, spe)
    for key, r in results.items():
        label = L.LABELS[key]
        (train,), (test,), (rate,) = traces(fig, label), traces(fig, f"{label} (test)"), traces(fig, f"{label} (rate)")
        np.testing.assert_allclose(np.array(train.x), r.eval_steps / spe, rtol=0, atol=0)
        np.testing.assert_array_equal(values(train.y), r.train_curve)
        np.testing.assert_array_equal(values(test.y), r.test_curve)
        np.testing.assert_array_equal(np.array(rate.y), r.lr)
        assert rate.yaxis == "y2" and train.line.color == test.line.color == rate.line.color
