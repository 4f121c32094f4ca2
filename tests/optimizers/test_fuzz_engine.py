"""Property-based tests of the engine's inputs: hyperparameters, learning rates, starts and step
counts inside and far outside their ranges give a ValueError, or a trajectory that is finite wherever
it has not diverged; never another exception, never a NumPy warning (pyproject turns them into errors).

Each test draws valid settings (from every hyperparameter's widget range, which lies inside its valid
range) and replaces none, one or two of them with anything at all, then counts what it accepted and
what it refused: a strategy or a validation that refused every input (or accepted every one) fails."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizers import OPTIMIZERS, SCHEDULES, run
from optimizers.runner import MAX_STEPS
from optimizers.spec import Param
from surfaces import SURFACES

WILD_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e3, max_value=1e3),
    st.sampled_from([0.0, 1.0, -0.0, 1e-300, 1e300, 0.999999, 1.000001]),
)
WILD_VALUES = st.one_of(WILD_FLOATS, st.integers(-10**20, 10**20), st.booleans(), st.text(max_size=8),
                        st.none(), st.tuples(WILD_FLOATS, WILD_FLOATS), st.lists(st.integers(-5, 500), max_size=4))
FUZZ = {"deadline": 2000, "suppress_health_check": [HealthCheck.too_slow]}


def valid(p: Param):
    """Values a page's widget for ``p`` can give."""
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    low, high = p.widget
    if p.kind == "int":
        return st.integers(int(low), int(high))
    if p.kind == "ints":
        return st.lists(st.integers(int(low), int(high)), min_size=1, max_size=3)
    number = st.floats(math.log10(low), math.log10(high)).map(lambda e: 10.0**e) if p.log else st.floats(low, high)
    return st.tuples(number, number) if p.kind == "pair" else number


def replacements(names):
    """Which settings to replace: none in about half of the examples, else one or two of ``names``."""
    return st.one_of(st.just([]), st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))


def settings_of(data, params, extra=()):
    """Valid values for ``params``, with up to two of them (or of ``extra``'s unknown names) replaced by
    anything at all; returns the settings and whether any was replaced."""
    names = [p.name for p in params]
    wild = data.draw(replacements([*names, *extra]), label="wild")
    values = {p.name: data.draw(WILD_VALUES if p.name in wild else valid(p), label=p.name) for p in params}
    values.update({name: data.draw(WILD_VALUES, label=name) for name in extra if name in wild})
    return values, bool(wild)


def check_trajectory(traj, steps, n):
    assert traj.xy.shape == (steps + 1, n, 2) and traj.loss.shape == (steps + 1, n)
    finite = np.isfinite(traj.xy).all(axis=(0, 2)) & np.isfinite(traj.loss).all(axis=0)
    assert finite.all(), "a frozen trajectory holds only finite points"
    for i in np.flatnonzero(traj.diverged):
        k = traj.diverged_at[i]
        assert k >= 1 and (traj.xy[k:, i] == traj.xy[k - 1, i]).all()


def assert_both_sides(seen, accepted, refused):
    """At least these shares of the examples were accepted and refused, and every example with only
    valid settings was accepted."""
    total = seen["accepted"] + seen["refused"]
    assert seen["accepted"] >= accepted * total and seen["refused"] >= refused * total, seen
    assert seen["valid refused"] == 0 and seen["valid"] >= 0.3 * total, seen


def refused_by_a_rule(spec, values) -> bool:
    """Whether each of these values is valid alone and only a rule that ties them refuses them (as torch's
    Nesterov momentum needs momentum > 0 and no dampening)."""
    checked = {**spec.defaults(), **{name: spec.param(name).validate(v, spec.title) for name, v in values.items()}}
    try:
        spec.check(checked) if spec.check else None
    except ValueError:
        return True
    return False


def count(seen, replaced, accepted, tied=False):
    """Count an example; ``tied``: valid values refused together by a rule of the spec, not one by one."""
    seen["accepted" if accepted else "refused"] += 1
    if not replaced:
        seen["valid"] += 1
        seen["valid refused"] += not accepted and not tied
        seen["tied"] += tied


def test_any_hyperparameters_give_a_value_error_or_a_finite_or_diverged_run():
    seen = Counter()

    @settings(max_examples=150, **FUZZ)
    @given(key=st.sampled_from(list(OPTIMIZERS)), surface=st.sampled_from(list(SURFACES)), data=st.data())
    def attempt(key, surface, data):
        spec = OPTIMIZERS[key]
        values, replaced = settings_of(data, (*spec.params, spec.lr), extra=("bogus",))
        lr = values.pop("lr")
        try:
            opt = spec.factory(**values)
            traj = run(opt, SURFACES[surface], SURFACES[surface].start, 30, lr)
        except ValueError:
            count(seen, replaced, False, tied=not replaced and refused_by_a_rule(spec, values))
            return
        count(seen, replaced, True)
        check_trajectory(traj, 30, 1)

    attempt()
    assert_both_sides(seen, accepted=0.35, refused=0.03)


def test_any_starts_steps_and_noise():
    seen = Counter()
    arguments = {"starts": st.lists(st.tuples(st.floats(-4, 4), st.floats(-4, 4)), min_size=1, max_size=6),
                 "steps": st.integers(0, 60), "noise": st.floats(0, 10)}
    wild = {"starts": st.one_of(st.lists(st.tuples(WILD_FLOATS, WILD_FLOATS), max_size=6), WILD_VALUES),
            "steps": st.one_of(st.integers(-5, 60), st.sampled_from([MAX_STEPS + 1, 10**12]), WILD_FLOATS),
            "noise": WILD_FLOATS}

    @settings(max_examples=100, **FUZZ)
    @given(data=st.data(), replaced=replacements(list(arguments)))
    def attempt(data, replaced):
        args = {k: data.draw(wild[k] if k in replaced else v, label=k) for k, v in arguments.items()}
        try:
            traj = run(OPTIMIZERS["adam"].factory(), SURFACES["rosenbrock"], args["starts"], args["steps"], 0.01,
                       noise=args["noise"])
        except ValueError:
            count(seen, replaced, False)
            return
        count(seen, replaced, True)
        check_trajectory(traj, args["steps"], np.atleast_2d(np.asarray(args["starts"], dtype=float)).shape[0])

    attempt()
    assert_both_sides(seen, accepted=0.35, refused=0.03)


def test_any_schedule_settings():
    seen = Counter()

    @settings(max_examples=100, **FUZZ)
    @given(key=st.sampled_from(list(SCHEDULES)), data=st.data())
    def attempt(key, data):
        values, replaced = settings_of(data, SCHEDULES[key].params)
        try:
            schedule = SCHEDULES[key].factory(**values)
            traj = run(OPTIMIZERS["sgd"].factory(), SURFACES["quadratic"], (1.0, 1.0), 40, schedule)
        except ValueError:
            count(seen, replaced, False, tied=not replaced and refused_by_a_rule(SCHEDULES[key], values))
            return
        count(seen, replaced, True)
        # torch's chained LinearLR decays to -5.6e-18, not 0 (0.1, 0.075, ... 0.025 - 0.025): the runner takes
        # what torch steps with, and a rate below 0 only by rounding (8 ulps of the largest)
        assert np.isfinite(traj.lr).all() and traj.lr.min() >= -8 * np.finfo(float).eps * traj.lr.max()
        check_trajectory(traj, 40, 1)

    attempt()
    assert_both_sides(seen, accepted=0.35, refused=0.03)


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_absurd_rates_end_diverged_not_broken(key):
    s = SURFACES["rosenbrock"]
    traj = run(OPTIMIZERS[key].factory(), s, np.array([s.start, (0.5, 0.5), (-1, 1), (2, 2)]), 200, 1e12)
    check_trajectory(traj, 200, 4)
    # a rate of 1e12 sends every start off: to overflow (frozen), or, for the adaptive rules whose steps are
    # about the rate, beyond 1e9
    assert (traj.diverged | (np.abs(traj.xy).max(axis=(0, 2)) > 1e9)).all(), key
