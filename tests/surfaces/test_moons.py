"""The noisy moons: the data as generated (geometry, labels, centring, seeds), the minibatches (epochs of
a seeded permutation), the minibatch gradient against the logistic loss written out here, and the listed
minimum as the exact minimiser. Built afresh in each test, not taken from the registry built at import."""

from __future__ import annotations

import numpy as np
import pytest

from surfaces import SURFACES
from surfaces.moons import BATCH, N_POINTS, MinibatchSurface, make_moons, noisy_moons


def logistic_loss_and_grad(w, feats, labels):
    """(1/n) sum log(1 + exp(-s_i w.x_i)) and its gradient, written out directly."""
    margins = labels * (feats @ w)
    loss = np.mean(np.log1p(np.exp(-margins)))
    grad = -(labels / (1.0 + np.exp(margins))) @ feats / len(labels)
    return loss, grad


def test_moons_are_two_half_circles_centred_and_scaled_by_two():
    points, labels = make_moons(n=200, noise=0.0, seed=3)
    assert points.shape == (200, 2) and labels.shape == (200,)
    np.testing.assert_array_equal(labels, np.r_[np.ones(100), -np.ones(100)])
    np.testing.assert_allclose(points.mean(axis=0), 0.0, atol=1e-14)
    raw = points / 2.0 + make_moons_mean(200, 3)
    upper, lower = raw[:100], raw[100:]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-12)  # on the unit circle's upper half
    assert (upper[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert (lower[:, 1] <= 0.5).all()  # the lower half of the circle around (1, 0.5)


def make_moons_mean(n, seed):
    """The mean the noiseless moons were centred by: the same draws of t, averaged."""
    t = np.random.default_rng(seed).uniform(0.0, np.pi, n)
    half = n // 2
    upper = np.stack((np.cos(t[:half]), np.sin(t[:half])), -1)
    lower = np.stack((1.0 - np.cos(t[half:]), 0.5 - np.sin(t[half:])), -1)
    return np.concatenate((upper, lower)).mean(axis=0)


def test_noise_scales_the_spread_and_seeds_repeat():
    a, _ = make_moons(seed=0)
    b, _ = make_moons(seed=0)
    c, _ = make_moons(seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    clean, _ = make_moons(noise=0.0, seed=0)
    spread = np.std(a - clean)  # the noise, doubled by the scaling, less what centring takes out
    assert 0.3 < spread < 0.5
    assert np.std(make_moons(noise=0.4, seed=0)[0] - clean) == pytest.approx(2 * spread, rel=1e-9)
    odd, labels = make_moons(n=7, seed=0)
    assert odd.shape == (7, 2) and labels.sum() == -1.0  # 3 of the upper moon, 4 of the lower


def test_the_registered_surface_is_the_moons_logistic_loss_with_its_exact_minimum():
    s = noisy_moons()
    feats, labels = make_moons()
    assert isinstance(s, MinibatchSurface) and s.stochastic and s.batch_size == BATCH == 16
    np.testing.assert_array_equal(s.features, feats)
    np.testing.assert_array_equal(s.labels, labels)
    assert len(labels) == N_POINTS == 200
    rng = np.random.default_rng(0)
    for w in rng.uniform(-3, 3, (5, 2)):
        loss, grad = logistic_loss_and_grad(w, feats, labels)
        assert s.f(w) == pytest.approx(loss, rel=1e-13)
        np.testing.assert_allclose(s.grad(w), grad, rtol=1e-12, atol=0)
    (m,) = s.minima
    _, g_min = logistic_loss_and_grad(np.array(m), feats, labels)
    assert np.linalg.norm(g_min) < 1e-15  # Newton's method converged to the last bits
    assert np.all(np.linalg.eigvalsh(s.hessian(np.array(m))) > 0)
    assert s.start == (2.5, -2.5) and s.domain == ((-3.0, 3.0), (-3.0, 3.0))
    assert s.key == "noisy_moons" and s == SURFACES["noisy_moons"]
    assert (s.title, s.caption) == (SURFACES["noisy_moons"].title, SURFACES["noisy_moons"].caption)
    np.testing.assert_array_equal(make_moons(seed=0)[0], feats)  # the app's data are seed 0's


def test_minibatches_are_epochs_of_a_seeded_permutation():
    s = noisy_moons()
    per_epoch = N_POINTS // BATCH  # 12 batches; 8 points left out of each epoch
    batches = s.minibatches(30, seed=5)
    assert batches.shape == (30, BATCH)
    for epoch in range(2):
        seen = batches[epoch * per_epoch:(epoch + 1) * per_epoch].ravel()
        assert len(set(seen)) == per_epoch * BATCH  # no point twice within an epoch
        assert seen.min() >= 0 and seen.max() < N_POINTS
    np.testing.assert_array_equal(s.minibatches(30, seed=5), batches)
    assert not np.array_equal(s.minibatches(30, seed=6), batches)
    np.testing.assert_array_equal(s.minibatches(12, seed=5), batches[:12])  # later steps do not change earlier ones
    rng = np.random.default_rng(5)
    first = rng.permutation(N_POINTS)[: per_epoch * BATCH]
    np.testing.assert_array_equal(batches[:per_epoch].ravel(), first)
    assert s.minibatches(0, seed=5).shape == (0, BATCH)


def test_batch_gradient_is_the_gradient_on_the_batch_alone():
    s = noisy_moons()
    batch = s.minibatches(1, seed=2)[0]
    for w in np.random.default_rng(1).uniform(-3, 3, (5, 2)):
        _, grad = logistic_loss_and_grad(w, s.features[batch], s.labels[batch])
        got = s.batch_gxy(np.float64(w[0]), np.float64(w[1]), batch)
        np.testing.assert_allclose(got, grad, rtol=1e-12, atol=0)
