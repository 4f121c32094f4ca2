"""Property-based tests of the engine's inputs: hyperparameters, learning rates, starts and step
counts inside and far outside their ranges give a ValueError, or a trajectory that is finite wherever
it has not diverged; never another exception, never a NumPy warning (pyproject turns them into errors)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizers import OPTIMIZERS, SCHEDULES, run
from optimizers.runner import MAX_STEPS
from surfaces import SURFACES

WILD_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e3, max_value=1e3),
    st.sampled_from([0.0, 1.0, -0.0, 1e-300, 1e300, 0.999999, 1.000001]),
)
WILD_VALUES = st.one_of(WILD_FLOATS, st.integers(-10**20, 10**20), st.booleans(), st.text(max_size=8),
                        st.none(), st.tuples(WILD_FLOATS, WILD_FLOATS), st.lists(st.integers(-5, 500), max_size=4))


def check_trajectory(traj, steps, n):
    assert traj.xy.shape == (steps + 1, n, 2) and traj.loss.shape == (steps + 1, n)
    finite = np.isfinite(traj.xy).all(axis=(0, 2)) & np.isfinite(traj.loss).all(axis=0)
    assert finite.all(), "a frozen trajectory holds only finite points"
    for i in np.flatnonzero(traj.diverged):
        k = traj.diverged_at[i]
        assert k >= 1 and (traj.xy[k:, i] == traj.xy[k - 1, i]).all()


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(list(OPTIMIZERS)), surface=st.sampled_from(list(SURFACES)), data=st.data())
def test_any_hyperparameters_give_a_value_error_or_a_finite_or_diverged_run(key, surface, data):
    spec = OPTIMIZERS[key]
    names = [p.name for p in spec.params] + ["bogus"]
    kwargs = data.draw(st.dictionaries(st.sampled_from(names), WILD_VALUES, max_size=3))
    lr = data.draw(WILD_FLOATS)
    try:
        opt = spec.factory(**kwargs)
        traj = run(opt, SURFACES[surface], SURFACES[surface].start, 30, lr)
    except ValueError:
        return
    check_trajectory(traj, 30, 1)


@settings(max_examples=100, deadline=2000)
@given(starts=st.one_of(st.lists(st.tuples(WILD_FLOATS, WILD_FLOATS), min_size=0, max_size=6), WILD_VALUES),
       steps=st.one_of(st.integers(-5, 60), st.sampled_from([MAX_STEPS + 1, 10**12]), WILD_FLOATS),
       noise=st.one_of(st.floats(0, 10), WILD_FLOATS))
def test_any_starts_steps_and_noise(starts, steps, noise):
    try:
        traj = run(OPTIMIZERS["adam"].factory(), SURFACES["rosenbrock"], starts, steps, 0.01, noise=noise)
    except ValueError:
        return
    check_trajectory(traj, steps, np.atleast_2d(np.asarray(starts, dtype=float)).shape[0])


@settings(max_examples=100, deadline=2000)
@given(key=st.sampled_from(list(SCHEDULES)), data=st.data())
def test_any_schedule_settings(key, data):
    spec = SCHEDULES[key]
    kwargs = data.draw(st.dictionaries(st.sampled_from([p.name for p in spec.params]), WILD_VALUES, max_size=3))
    try:
        schedule = spec.factory(**kwargs)
        traj = run(OPTIMIZERS["sgd"].factory(), SURFACES["quadratic"], (1.0, 1.0), 40, schedule)
    except ValueError:
        return
    assert np.isfinite(traj.lr).all() and (traj.lr >= 0).all()
    check_trajectory(traj, 40, 1)


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_absurd_rates_end_diverged_not_broken(key):
    s = SURFACES["rosenbrock"]
    traj = run(OPTIMIZERS[key].factory(), s, np.array([s.start, (0.5, 0.5), (-1, 1), (2, 2)]), 200, 1e12)
    check_trajectory(traj, 200, 4)
