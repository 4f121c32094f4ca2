"""Property tests: any settings of the range test, the grid, the bounds and suggest_lr give a ValueError or
a well-formed result; never another exception, never a NumPy warning (pyproject makes them errors). Each
test counts what it accepted and what it refused, so that neither side goes untested."""

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from networks.problem import NetworkProblem
from optimizers import OPTIMIZERS
from scenes.lr_grid import cyclic_bounds, grid_search
from scenes.lr_range import KEYS, lr_range_test, suggest_lr
from surfaces import SURFACES

WILD_FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e3, 1e3),
                        st.sampled_from([0.0, -0.0, 1e-300, 1e300, 1.0, 4.0, 0.98]))
WILD = st.one_of(WILD_FLOATS, st.integers(-10**12, 10**12), st.booleans(), st.text(max_size=6), st.none(),
                 st.tuples(WILD_FLOATS, WILD_FLOATS), st.lists(st.integers(-3, 300), max_size=3))


def fast(examples):
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
                    derandomize=True)  # fixed seeds: the counts below vary little from run to run


def check_test(t, num_iter):
    k = len(t.lrs)
    assert t.losses.shape == t.smoothed.shape == (k,) and 1 <= k <= num_iter
    assert np.isfinite(t.lrs).all() and (t.lrs > 0).all() and (np.diff(t.lrs) > 0).all()
    assert k == num_iter if t.stopped_at is None else t.stopped_at == k - 1
    assert np.isfinite(t.losses[: k - 1]).all()  # only the point it stopped on may be infinite
    assert not np.isnan(t.losses).any() and not np.isnan(t.smoothed).any()
    out = t.suggestions()
    assert list(out) == list(KEYS)
    assert all(np.isnan(v) or t.lrs[0] / 10 <= v <= t.lrs[-1] for v in out.values())
    assert t.diverged_early == any(np.isnan(v) for v in out.values()) == bool(t.message)


VALID = {
    "problem": st.one_of(st.sampled_from(list(SURFACES)), st.just(NetworkProblem(data="moons", n=120, width=4))),
    "optimizer": st.sampled_from(["sgd", "momentum", "adam", "rmsprop"]),
    "start": st.one_of(st.none(), st.tuples(st.floats(-3, 3), st.floats(-3, 3))),
    "start_lr": st.floats(1e-9, 1.0),
    "end_lr": st.floats(1e-3, 1e3),
    "num_iter": st.integers(25, 130),
    "mode": st.sampled_from(["exp", "linear"]),
    "beta": st.floats(0, 0.999),
    "diverge_th": st.one_of(st.floats(1.01, 10), st.none()),
    "seed": st.integers(0, 5),
}


def test_any_range_test_settings():
    """Valid settings with zero to two of them replaced by anything at all."""
    seen = Counter()

    @fast(300)
    @given(data=st.data(), wild=st.lists(st.sampled_from([*VALID, "extra"]), max_size=2, unique=True))
    def attempt(data, wild):
        args = {k: data.draw(WILD if k in wild else v, label=k) for k, v in VALID.items()}
        extra = data.draw(st.dictionaries(st.sampled_from(["momentum", "weight_decay", "betas", "bogus"]), WILD,
                                          max_size=2), label="extra") if "extra" in wild else {}
        try:
            t = lr_range_test(**args, **extra)
        except ValueError:
            seen["refused"] += 1
            return
        seen["accepted"] += 1
        seen["stopped"] += t.stopped_at is not None
        seen["early"] += t.diverged_early
        check_test(t, args["num_iter"])

    attempt()
    assert seen["accepted"] >= 40 and seen["refused"] >= 100, seen
    assert seen["stopped"] >= 20 and seen["early"] >= 10, seen


def test_sensible_settings_are_accepted():
    """Within the documented ranges every test runs: all examples accepted."""
    seen = Counter()

    @fast(120)
    @given(surface=st.sampled_from([k for k, s in SURFACES.items() if s.minima]),
           optimizer=st.sampled_from(list(OPTIMIZERS)), start_lr=st.floats(1e-9, 1.0), decades=st.floats(0.1, 9),
           num_iter=st.integers(25, 150), mode=st.sampled_from(["exp", "linear"]), beta=st.floats(0, 0.999),
           diverge_th=st.one_of(st.none(), st.floats(1.01, 100)), seed=st.integers(0, 2**32 - 1))
    def attempt(surface, optimizer, start_lr, decades, num_iter, mode, beta, diverge_th, seed):
        end_lr = min(start_lr * 10**decades, 1000.0)
        t = lr_range_test(surface, optimizer, None, start_lr, end_lr, num_iter, mode, beta, diverge_th, seed)
        seen["accepted"] += 1
        check_test(t, num_iter)

    attempt()
    assert seen["accepted"] == 120, seen


def test_any_curve_for_suggest_lr():
    """Curves of any length with NaNs and infinities anywhere, or one of the three arguments anything at all."""
    seen = Counter()

    @fast(250)
    @given(losses=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40), extra=st.integers(0, 50),
           use_none=st.booleans(), wild=st.sampled_from([None, None, "lrs", "losses", "num_iter"]), data=st.data())
    def attempt(losses, extra, use_none, wild, data):
        lrs = list(np.sort(data.draw(st.lists(st.floats(1e-8, 10), min_size=len(losses), max_size=len(losses)))))
        num_iter = None if use_none else len(losses) + extra
        args = {"lrs": lrs, "losses": losses, "num_iter": num_iter}
        if wild:
            args[wild] = data.draw(st.one_of(WILD, st.lists(WILD_FLOATS, max_size=5)))
        try:
            out = suggest_lr(**args)
        except ValueError:
            seen["refused"] += 1
            return
        seen["accepted"] += 1
        assert list(out) == list(KEYS)
        assert all(isinstance(v, float) for v in out.values())
        grid = np.asarray(args["lrs"], dtype=float)
        assert all(np.isnan(v) or v in grid or np.isclose(v * 10, grid, rtol=1e-15).any() for v in out.values())

    attempt()
    assert seen["accepted"] >= 70 and seen["refused"] >= 50, seen


GRID = {"lrs": st.lists(st.floats(1e-6, 5), min_size=1, max_size=4), "steps": st.integers(1, 40),
        "early_steps": st.one_of(st.none(), st.integers(1, 40))}
BOUNDS = {"divisor": st.floats(3, 4), "rule": st.sampled_from(["minimum", "steep"])}


def test_any_grid_and_bounds():
    """Valid grids and bounds with at most one argument replaced by anything at all."""
    seen = Counter()
    test = lr_range_test("quadratic", start_lr=1e-4, end_lr=10.0, num_iter=40)

    @fast(150)
    @given(data=st.data(), wild=st.sampled_from([None, *GRID, *BOUNDS]))
    def attempt(data, wild):
        grid = {k: data.draw(WILD if k == wild else v, label=k) for k, v in GRID.items()}
        bounds = {k: data.draw(WILD if k == wild else v, label=k) for k, v in BOUNDS.items()}
        try:
            g = grid_search("beale", **grid)
        except ValueError:
            seen["grid refused"] += 1
        else:
            seen["grid accepted"] += 1
            assert g.final.shape == g.early.shape == g.lrs.shape and not np.isnan(g.final).any()
            assert g.final[g.best] == g.final.min() and g.early_steps <= g.steps
        try:
            b = cyclic_bounds(test, **bounds)
        except ValueError:
            seen["bounds refused"] += 1
        else:
            seen["bounds accepted"] += 1
            assert 3 <= b["cyclic"]["max_lr"] / b["cyclic"]["base_lr"] <= 4 + 1e-12

    attempt()
    assert seen["grid accepted"] >= 30 and seen["bounds accepted"] >= 60, seen
    assert seen["grid refused"] >= 40 and seen["bounds refused"] >= 15, seen
