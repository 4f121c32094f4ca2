"""The runner with every registered optimizer: trajectory shapes, batches equal to single runs bit for
bit in both of the runner's regimes (starts one by one on scalars, or all at once on arrays), inputs
never mutated, pure updates, and divergence that ends frozen, without warnings or exceptions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from optim_cases import QUADRATIC, surface

from optimizers import OPTIMIZERS, run
from optimizers.runner import _SCALAR_BELOW

KEYS = list(OPTIMIZERS)
N_SCALARS = _SCALAR_BELOW - 1  # the largest batch run one by one on np.float64 scalars
N_ARRAYS = _SCALAR_BELOW + 2  # a batch run on arrays
BEALE_STARTS = np.array([(1.0, 1.5), (2.0, -0.5), (0.5, 0.5), (-1.0, 1.0), (3.5, 0.8), (-4.0, 4.0), (1.5, 1.2)])


def _optimizer(key):
    return OPTIMIZERS[key].factory()


def _wavy(lr):
    return lambda t: lr * (1.0 + 0.5 * np.sin(0.7 * t))


@pytest.mark.parametrize("steps", [0, 1, 25])
@pytest.mark.parametrize("n", [1, N_SCALARS, _SCALAR_BELOW, N_ARRAYS])
def test_trajectory_shapes(n, steps):
    traj = run(_optimizer("adam"), surface("beale"), BEALE_STARTS[:n], steps, 0.01)
    assert traj.xy.shape == (steps + 1, n, 2) and traj.xy.dtype == np.float64
    assert traj.loss.shape == (steps + 1, n) and traj.loss.dtype == np.float64
    assert traj.lr.shape == (steps,)
    assert traj.diverged.shape == (n,) and traj.diverged.dtype == bool
    assert traj.diverged_at.shape == (n,)
    assert np.array_equal(traj.xy[0], BEALE_STARTS[:n])
    assert np.array_equal(traj.loss, surface("beale").f(traj.xy))


def test_a_single_point_may_be_given_as_a_pair():
    traj = run(_optimizer("sgd"), surface("beale"), (1.0, 1.5), 3, 0.01)
    assert traj.xy.shape == (4, 1, 2)


def test_learning_rates_are_the_schedules():
    traj = run(_optimizer("sgd"), surface("beale"), BEALE_STARTS[:1], 50, _wavy(1e-3))
    assert np.array_equal(traj.lr, _wavy(1e-3)(np.arange(50)))
    assert np.array_equal(run(_optimizer("sgd"), surface("beale"), BEALE_STARTS[:1], 5, 0.25).lr, np.full(5, 0.25))


def _same(a, b):
    for name in ("xy", "loss", "lr", "diverged", "diverged_at"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("n", [N_SCALARS, N_ARRAYS])
def test_batch_equals_single_runs_bit_for_bit(key, n):
    """Including starts that diverge: the default rate of the SGD family is too large for the steep
    corners of Beale's function."""
    lr = OPTIMIZERS[key].lr.default
    starts = BEALE_STARTS[:n]
    batch = run(_optimizer(key), surface("beale"), starts, 200, _wavy(lr))
    for i in range(n):
        single = run(_optimizer(key), surface("beale"), starts[i:i + 1], 200, _wavy(lr))
        for name in ("xy", "loss", "diverged", "diverged_at"):
            assert np.array_equal(getattr(batch, name)[..., i:i + 1, :] if name == "xy"
                                  else getattr(batch, name)[..., i:i + 1], getattr(single, name)), (name, i)
    assert np.abs(batch.xy[-1] - batch.xy[0]).max() > 1e-2


def test_some_batch_rows_do_diverge():
    """So that the test above also compares diverged rows."""
    traj = run(_optimizer("sgd"), surface("beale"), BEALE_STARTS, 200, _wavy(OPTIMIZERS["sgd"].lr.default))
    assert traj.diverged.any() and not traj.diverged.all()


@pytest.mark.parametrize("key", KEYS)
def test_inputs_are_never_mutated(key):
    starts = BEALE_STARTS[:N_ARRAYS].copy()
    kept = starts.copy()
    traj = run(_optimizer(key), surface("beale"), starts, 20, 1e-3)
    assert np.array_equal(starts, kept)
    traj.xy[:] = 0.0
    assert np.array_equal(starts, kept)


@pytest.mark.parametrize("key", KEYS)
def test_update_is_pure(key):
    """init/update never write into their arguments or into the state they are given."""
    opt = _optimizer(key)
    params = np.array([0.3, -1.2, 2.0])
    grads = np.array([1.5, -0.2, 0.0])
    state = opt.init(params)
    for _ in range(2):
        params, state = opt.update(grads + params, state, params, 0.01)
    kept = (params.copy(), grads.copy(), [np.copy(field) for field in state])
    first = opt.update(grads, state, params, 0.01)
    second = opt.update(grads, state, params, 0.01)
    assert np.array_equal(params, kept[0]) and np.array_equal(grads, kept[1])
    for field, before in zip(state, kept[2], strict=True):
        assert np.array_equal(field, before)
    assert np.array_equal(first[0], second[0])
    if opt.grad_point is not None:
        opt.grad_point(state, params)
        assert np.array_equal(params, kept[0])


@pytest.mark.parametrize("key", KEYS)
def test_scalars_stay_numpy_scalars(key):
    """On np.float64 scalars the rules stay on scalars (no 0-d arrays), as the runner's fast path
    expects, and agree bit for bit with the same rule on arrays."""
    opt = _optimizer(key)
    xs = np.array([0.3, -1.2])
    scalars = [np.float64(v) for v in xs]
    array_state, scalar_states = opt.init(xs), [opt.init(v) for v in scalars]
    for t in range(8):
        grads = np.cos(3.0 * xs + t)
        xs, array_state = opt.update(grads, array_state, xs, 0.05)
        for i in range(2):
            g = np.cos(3.0 * scalars[i] + t)
            scalars[i], scalar_states[i] = opt.update(g, scalar_states[i], scalars[i], 0.05)
            assert type(scalars[i]) is np.float64
            assert isinstance(scalar_states[i].step, int) and scalar_states[i].step == array_state.step
            assert all(not isinstance(field, np.ndarray) for field in scalar_states[i])
    assert np.array_equal(xs, np.array(scalars))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("n", [1, N_SCALARS, N_ARRAYS])
def test_too_large_a_rate_diverges_and_freezes_without_warnings(key, n):
    starts = BEALE_STARTS[:n]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            traj = run(_optimizer(key), surface("beale"), starts, 60, 1e100)
    assert traj.diverged.all()
    assert np.isfinite(traj.xy).all() and np.isfinite(traj.loss).all()
    for i, k in enumerate(traj.diverged_at):
        assert 1 <= k <= 60
        assert np.array_equal(traj.xy[k:, i], np.broadcast_to(traj.xy[k - 1, i], traj.xy[k:, i].shape))
        assert np.array_equal(traj.loss[k:, i], np.full(61 - k, traj.loss[k - 1, i]))
        assert np.array_equal(traj.loss[:k, i], surface("beale").f(traj.xy[:k, i]))


@pytest.mark.parametrize("key", KEYS)
def test_a_moderately_large_rate_on_a_bowl_ends_frozen_too(key):
    """Divergence by slow overflow (the path grows geometrically) rather than in one step."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(_optimizer(key), QUADRATIC, np.array([(1.0, -1.0)]), 5000, 1e3)
    assert np.isfinite(traj.xy).all()
    # plain gradient steps overflow geometrically; the adaptive rules take bounded steps and only wander off
    if OPTIMIZERS[key].torch_class == "torch.optim.SGD" or key in ("momentum_lecture", "nag_lecture"):
        assert traj.diverged[0] and traj.diverged_at[0] < 200
    if traj.diverged[0]:
        k = traj.diverged_at[0]
        assert (traj.xy[k:, 0] == traj.xy[k - 1, 0]).all()


def test_well_behaved_runs_are_not_marked_diverged():
    for key in KEYS:
        traj = run(_optimizer(key), QUADRATIC, np.array([(1.0, -1.0), (0.5, 0.5)]), 100, 1e-3)
        assert not traj.diverged.any() and (traj.diverged_at == -1).all()


@pytest.mark.parametrize("bad", [dict(starts=[[1.0, 2.0, 3.0]]), dict(starts=[]), dict(steps=-1), dict(steps=1.5),
                                 dict(schedule=-0.1), dict(schedule="fast"), dict(schedule=lambda t: np.nan * t)])
def test_bad_run_arguments_raise_value_error(bad):
    kwargs = dict(starts=[[1.0, 1.5]], steps=10, schedule=0.01) | bad
    with pytest.raises(ValueError):
        run(_optimizer("adam"), surface("beale"), **kwargs)


def test_an_optimizer_not_from_a_factory_is_refused():
    with pytest.raises(ValueError, match="factory"):
        run(OPTIMIZERS["adam"], surface("beale"), [[1.0, 1.5]], 10, 0.01)


@pytest.mark.parametrize("n", [1, N_ARRAYS])
def test_a_start_whose_loss_is_not_finite_is_refused(n):
    """Finite start, infinite loss there (Beale at 1e200): nothing to draw or compare, so a clear
    ValueError naming the start, for single starts and batches alike."""
    starts = np.full((n, 2), 1.0)
    starts[-1] = 1e200
    with pytest.raises(ValueError, match=r"not finite at the start \(1e\+200, 1e\+200\)"):
        run(_optimizer("adam"), surface("beale"), starts, 5, 0.01)


# ------------------------------------------------------------------ states=True and keep="final"

def _same_everything(a, b):
    _same(a, b)
    assert (a.states is None) == (b.states is None)
    if a.states is not None:
        assert list(a.states) == list(b.states)
        for name in a.states:
            assert np.array_equal(a.states[name], b.states[name]), name
        assert np.array_equal(a.grads, b.grads, equal_nan=True)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("n", [N_SCALARS, N_ARRAYS])
def test_recording_states_leaves_the_path_unchanged(key, n):
    lr = OPTIMIZERS[key].lr.default
    plain = run(_optimizer(key), surface("beale"), BEALE_STARTS[:n], 120, _wavy(lr))
    recorded = run(_optimizer(key), surface("beale"), BEALE_STARTS[:n], 120, _wavy(lr), states=True)
    _same(plain, recorded)
    assert recorded.grads.shape == (120, n, 2)
    for name in _optimizer(key).state_names:
        assert recorded.states[name].shape == (121, n, 2) and recorded.states[name].dtype == np.float64


@pytest.mark.parametrize("key", KEYS)
def test_states_of_a_batch_equal_single_runs_bit_for_bit(key):
    """Across both regimes, diverging rows included (frozen states, NaN gradients after the freeze)."""
    lr = OPTIMIZERS[key].lr.default
    batch = run(_optimizer(key), surface("beale"), BEALE_STARTS, 200, _wavy(lr), states=True)
    for i in range(len(BEALE_STARTS)):
        single = run(_optimizer(key), surface("beale"), BEALE_STARTS[i:i + 1], 200, _wavy(lr), states=True)
        for name in batch.states:
            assert np.array_equal(batch.states[name][:, i:i + 1], single.states[name]), (name, i)
        assert np.array_equal(batch.grads[:, i:i + 1], single.grads, equal_nan=True), i


@pytest.mark.parametrize("key", KEYS)
def test_grads_are_the_gradients_each_update_was_given(key):
    """At the position, or at the look-ahead point where the optimizer asks for one, noise included."""
    opt = _optimizer(key)
    traj = run(opt, QUADRATIC, np.array([(1.0, -1.0), (0.5, 0.5)]), 30, 1e-3, states=True, noise=0.3, seed=4)
    noise = np.random.default_rng(4).standard_normal((30, 2, 2)) * 0.3
    xy = traj.xy[:-1]
    if opt.grad_point is not None:  # the lecture's Nesterov: w + μ v, v the velocity before the update
        xy = xy + 0.9 * traj.states["velocity"][:-1]
    expected = QUADRATIC.grad(xy) + np.swapaxes(noise, 1, 2)
    assert np.abs(traj.grads - expected).max() <= 1e-14 * np.abs(expected).max()


def test_a_diverged_point_freezes_its_states_and_has_no_gradient_after():
    traj = run(_optimizer("adam"), surface("beale"), BEALE_STARTS[:N_ARRAYS], 60, 1e100, states=True)
    assert traj.diverged.all()
    for i, k in enumerate(traj.diverged_at):
        for name, values in traj.states.items():
            assert np.array_equal(values[k:, i], np.broadcast_to(values[k - 1, i], values[k:, i].shape)), name
            assert np.isfinite(values[:k, i]).all(), name
        assert np.isnan(traj.grads[k - 1:, i]).all() and np.isfinite(traj.grads[:k - 1, i]).all()


def test_row_zero_is_the_initial_state():
    starts = BEALE_STARTS[:N_ARRAYS]
    adagrad = run(OPTIMIZERS["adagrad"].factory(initial_accumulator_value=0.3), surface("beale"), starts, 3, 0.1,
                  states=True)
    assert np.array_equal(adagrad.states["sum"][0], np.full((N_ARRAYS, 2), 0.3))
    assert np.array_equal(adagrad.states["step"][:, 0, 0], [0.0, 1.0, 2.0, 3.0])
    nadam = run(_optimizer("nadam"), surface("beale"), starts, 3, 0.01, states=True)
    assert np.array_equal(nadam.states["mu_product"][0], np.ones((N_ARRAYS, 2)))
    assert (nadam.states["exp_avg"][0] == 0).all() and (nadam.states["exp_avg_sq"][0] == 0).all()


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("n", [1, N_SCALARS, N_ARRAYS, 40])
@pytest.mark.parametrize("states", [False, True])
def test_keep_final_is_the_first_and_last_rows_of_a_full_run(key, n, states, monkeypatch):
    """Also across many blocks of steps (a block of 7 steps here), divergence included."""
    import optimizers.runner as runner

    monkeypatch.setattr(runner, "_BLOCK", 7 * n)
    rng = np.random.default_rng(n)
    starts = rng.uniform((-4.5, -4.5), (4.5, 4.5), (n, 2))
    lr = OPTIMIZERS[key].lr.default
    full = run(_optimizer(key), surface("beale"), starts, 200, _wavy(lr), states=states)
    final = run(_optimizer(key), surface("beale"), starts, 200, _wavy(lr), states=states, keep="final")
    assert final.xy.shape == (2, n, 2) and final.loss.shape == (2, n)
    expected = full._replace(xy=full.xy[[0, -1]], loss=full.loss[[0, -1]],
                             states=None if not states else {k: v[[0, -1]] for k, v in full.states.items()},
                             grads=None if not states else full.grads[-1:])
    _same_everything(final, expected)


@pytest.mark.parametrize("states", [False, True])
def test_keep_final_freezes_points_that_diverge_in_later_blocks(states, monkeypatch):
    """SGD on the bowl at a rate that multiplies the stiff component by about -9.5 per step: starts of
    magnitude 10^-u overflow after about (154 + u) steps, so points diverge in many different blocks
    while the tiniest survive."""
    import optimizers.runner as runner

    monkeypatch.setattr(runner, "_BLOCK", 7 * 40)
    starts = np.outer(10.0 ** -np.linspace(0, 250, 40), (1.0, 0.5))
    full = run(_optimizer("sgd"), QUADRATIC, starts, 300, 0.9, states=True)
    final = run(_optimizer("sgd"), QUADRATIC, starts, 300, 0.9, states=True, keep="final")
    assert full.diverged.any() and not full.diverged.all()
    assert len(set((full.diverged_at[full.diverged] - 1) // 7)) > 5  # first non-finite rows in many blocks
    _same_everything(final, full._replace(xy=full.xy[[0, -1]], loss=full.loss[[0, -1]], states={},
                                          grads=full.grads[-1:]))


def test_keep_final_with_no_steps():
    traj = run(_optimizer("adam"), surface("beale"), BEALE_STARTS, 0, 0.01, states=True, keep="final")
    assert np.array_equal(traj.xy, np.stack((BEALE_STARTS, BEALE_STARTS)))
    assert traj.grads.shape == (1, len(BEALE_STARTS), 2) and np.isnan(traj.grads).all()


def test_keep_final_memory_does_not_grow_with_steps():
    import tracemalloc

    starts = np.random.default_rng(0).uniform(-1, 1, (2000, 2))

    def peak(steps):
        tracemalloc.start()
        run(_optimizer("adam"), QUADRATIC, starts, steps, 1e-3, states=True, keep="final")
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return used

    assert peak(1000) < 1.2 * peak(100)


@pytest.mark.parametrize("bad", [dict(keep="last"), dict(keep=None), dict(states="yes"), dict(states=None)])
def test_bad_keep_or_states_raise_value_error(bad):
    with pytest.raises(ValueError, match=r"keep must be one of 'all', 'final'|states must be True or False"):
        run(_optimizer("adam"), surface("beale"), [[1.0, 1.5]], 10, 0.01, **bad)


def test_recorded_states_count_against_the_memory_bound():
    from optimizers.runner import MAX_POINTS

    starts = np.zeros((2000, 2)) + 0.5
    steps = MAX_POINTS // 2000 // 2  # half the bound: fine without states, too much with Adam's three fields
    with pytest.raises(ValueError, match="when 3 state fields are kept"):
        run(_optimizer("adam"), QUADRATIC, starts, steps, 0.01, states=True)
    with pytest.raises(ValueError, match="keep='final'"):
        run(_optimizer("adam"), QUADRATIC, starts, 2 * steps + 1000, 0.01)
