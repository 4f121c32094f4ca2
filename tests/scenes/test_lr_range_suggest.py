"""suggest_lr against hand-made curves whose answers are worked out by hand, and against line-by-line ports
of the tools' own code (kept here, independent of scenes.lr_range).

The ports follow fastai 2.7's ``fastai/callback/schedule.py`` (``lr_find``, ``valley``, ``slide``,
``minimum``, ``steep``) and PyTorch Lightning 2.x's ``src/lightning/pytorch/tuner/lr_finder.py``
(``_LRFinder.suggestion``) statement by statement, with Python lists and NumPy where the originals
use torch tensors.
"""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenes.lr_range import (
    KEYS,
    fastai_minimum,
    fastai_slide,
    fastai_steep,
    fastai_valley,
    gugger_suggestion,
    lightning_suggestion,
    suggest_lr,
)

# ---- the ports ----------------------------------------------------------------------------------


def port_valley(lrs, losses, num_it):
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def port_slide(lrs, losses, num_it, lr_diff=15, thresh=0.005, adjust_value=1.0):
    losses = np.asarray(losses)
    loss_grad = np.gradient(losses)
    r_idx = -1
    l_idx = r_idx - lr_diff
    local_min_lr = lrs[l_idx]
    while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
        local_min_lr = lrs[l_idx]
        r_idx -= 1
        l_idx -= 1
    return float(local_min_lr) * adjust_value


def port_minimum(lrs, losses, num_it):
    lr_min = lrs[losses.argmin()].item()
    return lr_min / 10


def port_steep(lrs, losses, num_it):
    grads = (losses[1:] - losses[:-1]) / (np.log(lrs[1:]) - np.log(lrs[:-1]))
    return lrs[grads.argmin()].item()


def port_lr_find(recorded_lrs, recorded_losses, num_it):
    """fastai's lr_find after the fit: the window, the NaN cut, then each function."""
    lrs, losses = np.array(recorded_lrs[num_it // 10 : -5]), np.array(recorded_losses[num_it // 10 : -5])
    nan_idxs = np.nonzero(np.isnan(losses.reshape(-1)))[0]
    if len(nan_idxs) > 0:
        drop_idx = min(nan_idxs)
        lrs = lrs[:drop_idx]
        losses = losses[:drop_idx]
    out = {}
    for key, func in (("fastai_valley", port_valley), ("fastai_slide", port_slide),
                      ("fastai_minimum", port_minimum), ("fastai_steep", port_steep)):
        try:
            out[key] = func(lrs, losses, num_it)
        except (IndexError, ValueError):  # too few points: fastai raises
            out[key] = math.nan
    return out


def port_lightning(results_lr, results_loss, skip_begin=10, skip_end=1):
    losses = np.array(results_loss[skip_begin:-skip_end])
    lrs = np.array(results_lr[skip_begin:-skip_end])
    is_finite = np.isfinite(losses)
    losses = losses[is_finite]
    lrs = lrs[is_finite]
    if len(losses) < 2:
        return None
    gradients = np.gradient(losses, lrs)
    min_grad = np.argmin(gradients).item()
    all_losses_idx = np.arange(len(results_loss))
    idx_non_skipped = all_losses_idx[skip_begin:-skip_end]
    idx_finite = idx_non_skipped[is_finite]
    optimal_idx = idx_finite[min_grad].item()
    return results_lr[optimal_idx]


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


# ---- hand-made curves ---------------------------------------------------------------------------

DECADES = 10.0 ** np.arange(-6, 6)  # lrs[k] = 10^(k-6)


def test_valley_of_a_flat_fall_rise_curve():
    """Flat at 3 for four points, falling to 0.4 at index 9, then rising. fastai's loop ends the longest
    decreasing run at 9 with max_start = 9 - 7 = 2 (one before the valley's first point, 3, as its
    i - lds[i] counts); s = 7/3, so idx = 2 + int(2.33) + int(1.17) = 5."""
    losses = np.array([3, 3, 3, 3, 2.5, 2, 1.5, 1, 0.5, 0.4, 2, 5], dtype=float)
    assert fastai_valley(DECADES, losses) == DECADES[5] == 1e-1


def test_valley_of_a_curve_falling_from_its_first_point():
    """Strictly falling from the start to index 4: fastai sets max_start = i - (i + 1) = -1 at every new
    end, s = 5/3, idx = -1 + 1 + int(0.83) = 0: the first rate."""
    losses = np.array([5, 4, 3, 2, 1, 2, 3], dtype=float)
    assert fastai_valley(DECADES[:7], losses) == DECADES[0]


def test_valley_index_minus_one_reads_the_last_rate():
    """Two falling points: max_end = 1, max_start = -1, s = 2/3, idx = -1: Python reads lrs[-1]."""
    assert fastai_valley(np.array([1e-3, 1e-2]), np.array([2.0, 1.0])) == 1e-2


def test_valley_ties_neither_extend_nor_move_the_valley():
    """Equal losses do not extend a decreasing run (fastai compares with <), and a later run only as
    long as the longest does not replace it. [4, 3, 3, 2] has lds [1, 2, 2, 3]: max_end 3, max_start 0,
    s = 1, idx = 0 + 1 + 0 = 1 (a rule with <= would give lds 4, max_start -1, idx 0). [5, 4, 9, 8] has
    lds [1, 2, 1, 2] and keeps the first run: max_end 1, max_start -1, s = 2/3, idx = -1, the last rate
    (moving to the later run would give max_start 1, idx 1)."""
    assert fastai_valley(DECADES[:4], np.array([4.0, 3.0, 3.0, 2.0])) == DECADES[1]
    assert fastai_valley(DECADES[:4], np.array([5.0, 4.0, 9.0, 8.0])) == DECADES[3]


def test_steep_is_the_steepest_fall_against_log_rate():
    """Rates a decade apart: the slopes are the loss differences over ln 10; the largest fall,
    0.9 -> 0.5 between indices 2 and 3, is steepest: the rate at its left end, 1e-4."""
    losses = np.array([1, 1, 0.9, 0.5, 0.4, 0.35, 0.3, 0.5, 2])
    assert fastai_steep(DECADES[:9], losses) == DECADES[2] == 1e-4


def test_steep_weighs_by_log_rate_not_by_index():
    """The same fall of 0.1 per point, but the rates' log-spacing halves after index 3: the slope
    doubles there, so the steep rule moves to index 3."""
    lrs = np.array([1e-4, 1e-3, 1e-2, 1e-1, 10**-0.5, 1.0])
    losses = np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    assert fastai_steep(lrs, losses) == 1e-1


def test_minimum_and_gugger_are_the_minimum_over_ten():
    losses = np.array([1, 1, 0.9, 0.5, 0.4, 0.35, 0.3, 0.5, 2])
    assert fastai_minimum(DECADES[:9], losses) == pytest.approx(DECADES[6] / 10, rel=1e-15)
    assert fastai_minimum(DECADES[:4], np.array([2.0, 1.0, 1.0, 3.0])) == pytest.approx(1e-6, rel=1e-15)  # first tie


def test_gugger_reads_the_window_his_post_draws():
    """Gugger's post plots logs[10:-5]: a minimum among the first 10 or last 5 points is not seen."""
    lrs = 10.0 ** np.linspace(-7, 1, 30)
    losses = np.full(30, 2.0)
    losses[3] = 0.1  # before the window
    losses[27] = 0.2  # after it
    losses[18] = 1.0  # the lowest inside [10:25]
    assert gugger_suggestion(lrs, losses) == pytest.approx(lrs[18] / 10, rel=1e-15)
    losses[18] = np.inf
    losses[19] = np.nan
    losses[20] = 1.5  # non-finite values are dropped, the next lowest is taken
    assert gugger_suggestion(lrs, losses) == pytest.approx(lrs[20] / 10, rel=1e-15)
    assert math.isnan(gugger_suggestion(lrs[:15], losses[:15]))  # nothing in the window


def test_slide_walks_left_until_the_slopes_agree():
    """Falling by 0.01 a point up to index 24, then rising by 0.1. np.gradient is -0.01 up to 23, 0.045
    at the kink 24, 0.1 after. Pairs 15 apart: (29, 14) ... (25, 10) differ by 0.11, (24, 9) by 0.055,
    all > 0.005, each remembering the left rate; (23, 8) agree: the suggestion is the rate at 9."""
    i = np.arange(30)
    losses = np.where(i <= 24, 1 - 0.01 * i, 0.76 + 0.1 * (i - 24))
    lrs = 10.0 ** np.linspace(-5, 1, 30)
    assert fastai_slide(lrs, losses) == lrs[9]
    assert port_slide(lrs, losses, 30) == lrs[9]


def test_slide_stops_at_once_and_walks_to_the_start():
    lrs = 10.0 ** np.linspace(-5, 1, 20)
    assert fastai_slide(lrs, 1 - 0.01 * np.arange(20)) == lrs[20 - 16]  # parallel at once: l = -16
    steep_end = np.concatenate((np.zeros(4), np.arange(1, 17) ** 2 * 0.1))  # slopes never agree
    assert fastai_slide(lrs, steep_end) == lrs[0]
    assert math.isnan(fastai_slide(lrs[:15], steep_end[:15]))  # fastai: lrs[-16] raises


def test_lightning_is_the_steepest_fall_against_the_rate_itself():
    """Even spacing 0.1 from index 10 on: the central differences at local positions 2, 3, 4 are
    (0.9 - 1)/0.2 = -0.5, (0.5 - 1)/0.2 = -2.5 and (0.45 - 0.9)/0.2 = -2.25: the steepest is index 13.
    The first 10 and the last point are skipped even where they fall faster."""
    lrs = 0.1 * np.arange(1, 21, dtype=float)
    losses = np.full(20, 1.0)
    losses[:10] = np.linspace(50, 1, 10)  # a steep start, skipped
    losses[10:19] = [1, 1, 1, 0.9, 0.5, 0.45, 0.42, 0.41, 0.5]
    losses[19] = -100.0  # skipped
    assert lightning_suggestion(lrs, losses) == lrs[13]


def test_lightning_drops_non_finite_losses_and_uses_uneven_spacing():
    """The NaN at 14 is dropped: the neighbours of 13 become 12 and 15 (spacings h1 = 0.1, h2 = 0.2).
    The second-order formula a L12 + b L13 + c L15 with a = -h2/(h1(h1+h2)) = -6.667,
    b = (h2-h1)/(h1 h2) = 5, c = h1/(h2(h1+h2)) = 1.667 on (1, 0.9, 0.3) is -6.667 + 4.5 + 0.5 = -1.667;
    at 15 (neighbours 13 and 16, h1 = 0.2, h2 = 0.1) it is -1.667·0.9 - 5·0.3 + 6.667·0.29 = -1.067;
    at 12, -0.5; at 16, -0.1. Index 13 is the steepest."""
    lrs = 0.1 * np.arange(1, 21, dtype=float)
    losses = np.full(20, 1.0)
    losses[13:18] = [0.9, np.nan, 0.3, 0.29, 0.28]
    assert lightning_suggestion(lrs, losses) == lrs[13]
    assert np.gradient(np.array([1, 0.9, 0.3, 0.29]), np.array([1.3, 1.4, 1.6, 1.7]))[1] == pytest.approx(-5 / 3)
    assert math.isnan(lightning_suggestion(lrs[:12], losses[:12]))  # one point after the skips


def test_suggest_lr_cuts_fastai_window_from_the_iterations_asked_for():
    """A test of 100 iterations that stopped at 60: fastai drops 100 // 10 = 10 points first, not 6.
    The curve's lowest point sits at index 8, inside a window cut by 6 but not by 10."""
    lrs = 10.0 ** np.linspace(-7, 1, 100)[:60]
    losses = np.linspace(2, 1, 60)
    losses[8] = 0.1
    losses[55:] = 5.0
    full = suggest_lr(lrs, losses)  # num_iter = 60: window [6:-5]
    cut = suggest_lr(lrs, losses, num_iter=100)  # window [10:-5]
    assert full["fastai_minimum"] == pytest.approx(lrs[8] / 10, rel=1e-15)
    assert cut["fastai_minimum"] == pytest.approx(lrs[54] / 10, rel=1e-15)
    assert list(full) == list(KEYS)


def test_fastai_window_cuts_at_the_first_nan_and_keeps_infinities():
    lrs = 10.0 ** np.linspace(-7, 1, 100)
    losses = np.linspace(3, 1, 100)
    losses[50] = np.nan
    losses[40] = np.inf
    out = suggest_lr(lrs, losses)
    # [10:50]: the minimum is at 49, and the infinite point at 40 stays (fastai drops only NaN)
    assert out["fastai_minimum"] == pytest.approx(lrs[49] / 10, rel=1e-15)
    assert out["fastai_steep"] == lrs[40]  # the fall from inf to a number is a slope of -inf
    assert out["gugger"] == pytest.approx(lrs[94] / 10, rel=1e-15)  # Gugger drops only the non-finite points


@pytest.mark.parametrize("bad", [([1e-3, 0.0], [1, 2]), ([1e-3, -1e-2], [1, 2]), ([1e-3], [1, 2]),
                                 ([[1e-3]], [[1]]), ([1e-3, np.nan], [1, 2]), ([1e-3, np.inf], [1, 2])])
def test_bad_curves_are_refused(bad):
    with pytest.raises(ValueError, match="lrs"):
        suggest_lr(*bad)


def test_too_short_a_curve_gives_nan_not_an_error():
    out = suggest_lr([1e-3], [1.0])
    assert math.isnan(out["lightning"]) and math.isnan(out["fastai_valley"]) and math.isnan(out["gugger"])
    assert all(math.isnan(v) for v in suggest_lr([], []).values())


# ---- against the ports, on curves of every shape --------------------------------------------------

def _spoil(curve_and_holes):
    """A curve with NaN or infinity put at a few places."""
    curve, holes = curve_and_holes
    for place, value in holes:
        if curve:
            curve[place % len(curve)] = value
    return curve


def _curves(values):
    """Curves of 0 to 70 points, of every length alike (hypothesis's lists are mostly short, and fastai's
    slide needs 16 points past its window's cuts)."""
    return st.integers(0, 70).flatmap(lambda n: st.lists(values, min_size=n, max_size=n))


FINITE = st.one_of(st.floats(0, 10), st.sampled_from([0.5, 1.0, 2.0]))
NON_FINITE = st.sampled_from([np.nan, np.inf])
losses_strategy = st.one_of(
    _curves(FINITE),  # a test that ran without trouble
    st.tuples(_curves(FINITE), st.lists(st.tuples(st.integers(0, 69), NON_FINITE), min_size=1, max_size=3)).map(_spoil),
    _curves(st.one_of(FINITE, NON_FINITE)),  # non-finite values anywhere
)


def test_suggest_lr_matches_the_ports():
    """Random curves, ties (values drawn from a few), NaNs and infinities at a few places or anywhere,
    tests stopped early (num_iter above the curve's length): every rule equals the port's answer
    exactly. Counted: each rule gave a number (not NaN for too few points) on at least 15% of the curves
    (fastai's slide, which needs 16 points inside its window, on 24-40%; with NaN anywhere, as before,
    the rules answered NaN, compared equal to NaN, in 91% of the comparisons), and NaN on some."""
    answered, examples = Counter(), Counter()

    @settings(max_examples=300, deadline=None)
    @given(losses=losses_strategy, log_span=st.floats(0.5, 12), extra=st.integers(0, 40))
    def attempt(losses, log_span, extra):
        n = len(losses)
        lrs = 10.0 ** np.linspace(-7, -7 + log_span, max(n, 1))[:n]
        losses = np.array(losses, dtype=float)
        num_iter = n + extra
        with np.errstate(all="ignore"):
            want = port_lr_find(lrs, losses, num_iter)
            light = port_lightning(list(lrs), list(losses)) if n else None
        want["lightning"] = math.nan if light is None else light
        got = suggest_lr(lrs, losses, num_iter=num_iter) if n else suggest_lr([], [])
        examples["all"] += 1
        for key, value in want.items():
            assert _same(got[key], value), key
            answered[key] += not math.isnan(value)

    attempt()
    assert set(answered) == set(KEYS) - {"gugger"}  # Gugger's post has no code to port: tested by hand above
    # Hypothesis mixes constants found in every imported module into its draws, so the shares move with
    # what else the run imported (fastai's slide answered on 24% to 40% of the curves, the others on 70% to
    # 80%): the bounds say every rule answered on many curves and NaN on some, whatever was imported.
    for key in answered:
        assert 0.15 * examples["all"] <= answered[key] <= 0.95 * examples["all"], (key, answered, examples)


def test_slide_matches_the_port_on_curves_that_walk_far():
    """Smooth-ish random walks scaled so that the slide's threshold stops the walk anywhere: counted, the
    walk stopped at its first pair, somewhere between and at the curve's start, each on some curves."""
    stopped = Counter()

    @settings(max_examples=200, deadline=None)
    @given(losses=st.lists(st.floats(-5, 5), min_size=16, max_size=80), thresh_scale=st.floats(0.001, 1))
    def attempt(losses, thresh_scale):
        curve = np.cumsum(np.array(losses) * thresh_scale * 0.01)
        lrs = 10.0 ** np.linspace(-6, 0, len(curve))
        got = fastai_slide(lrs, curve)
        assert got == port_slide(lrs, curve, len(curve))
        stopped["at once" if got == lrs[-16] else "at the start" if got == lrs[0] else "between"] += 1

    attempt()
    assert stopped["at once"] >= 20 and stopped["between"] >= 20 and stopped["at the start"] >= 2, stopped


def test_valley_matches_the_port_with_many_ties():
    """Curves of a few values, so with many ties: counted, the valley was found past the first point on
    most of them (on a curve that only rises it is the first point)."""
    where = Counter()

    @settings(max_examples=200, deadline=None)
    @given(losses=st.lists(st.integers(0, 6), min_size=1, max_size=40))
    def attempt(losses):
        curve = np.array(losses, dtype=float)
        lrs = 10.0 ** np.linspace(-6, 0, len(curve))
        got = fastai_valley(lrs, curve)
        assert got == port_valley(lrs, curve, len(curve))
        where["first" if got == lrs[0] else "later"] += 1

    attempt()
    assert where["later"] >= 0.4 * where.total() and where["first"] >= 0.05 * where.total(), where


# ---- live: the torch pieces the ports stand in for -------------------------------------------------

@pytest.mark.torch
def test_torch_gradient_with_coordinates_is_numpy_gradient():
    """Lightning calls torch.gradient(losses, spacing=[lrs]); the port and scenes call np.gradient."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    lrs = np.sort(10.0 ** rng.uniform(-7, 1, 40))
    losses = rng.standard_normal(40).cumsum()
    got = torch.gradient(torch.tensor(losses), spacing=[torch.tensor(lrs)])[0].numpy()
    np.testing.assert_allclose(got, np.gradient(losses, lrs), rtol=1e-12)


@pytest.mark.torch
def test_torch_argmin_takes_the_first_tie_and_a_nan_first():
    torch = pytest.importorskip("torch")
    for values in ([3.0, 1.0, 2.0, 1.0], [3.0, np.nan, 0.0, np.nan], [np.inf, -np.inf, -np.inf]):
        assert torch.tensor(values, dtype=torch.float64).argmin().item() == int(np.argmin(values))


def test_curves_near_the_float_range_give_suggestions_without_warnings():
    """Losses of 1e308 against rates 1e-300 apart overflow every slope; pyproject turns warnings into errors."""
    lrs = np.concatenate((10.0 ** np.linspace(-8, 1, 39), [10.0 + 1e-14]))
    losses = np.concatenate((np.linspace(1, 0.5, 30), np.full(9, 1e308), [-1e308]))
    out = suggest_lr(lrs, losses)
    assert set(out) == set(KEYS) and all(isinstance(v, float) for v in out.values())
