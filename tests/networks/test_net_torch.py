"""Loss and gradients against torch autograd, an independent implementation, in float64."""

import numpy as np
import pytest

from networks import ACTIVATIONS, BN_EPS, init_mlp, loss_and_grads
from networks.activations import gelu, gelu_backward

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,  # negative_slope 0.01
    "elu": F.elu,  # alpha 1
    "gelu": F.gelu,  # approximate="none": the erf form
}


def test_every_activation_has_a_torch_twin():
    assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS)


def torch_loss_and_grads(params, bn, x, y, activation, eps=BN_EPS):
    Ws = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
    BNs = [(torch.tensor(g, requires_grad=True), torch.tensor(b, requires_grad=True)) for g, b in bn or []]
    h = torch.tensor(x)
    for l, (W, b) in enumerate(Ws[:-1]):
        z = h @ W + b
        if bn is not None:
            z = F.batch_norm(z, None, None, weight=BNs[l][0], bias=BNs[l][1], training=True, eps=eps)
        h = TORCH_ACTIVATIONS[activation](z)
    loss = F.cross_entropy(h @ Ws[-1][0] + Ws[-1][1], torch.tensor(y))
    loss.backward()
    grads = [(W.grad.numpy(), b.grad.numpy()) for W, b in Ws]
    return loss.item(), grads, [(g.grad.numpy(), b.grad.numpy()) for g, b in BNs]


def _problem(activation, sizes, batch, bn, seed=0):
    rng = np.random.default_rng(seed)
    params = [(W, 0.1 * rng.standard_normal(b.shape)) for W, b in init_mlp(sizes, activation, "he", seed)]
    norms = [(1 + 0.3 * rng.standard_normal(w), 0.3 * rng.standard_normal(w)) for w in sizes[1:-1]] if bn else None
    return params, norms, rng.standard_normal((batch, sizes[0])), rng.integers(0, sizes[-1], batch)


def _assert_close(got, want):
    """To 1e-10 of the array's own scale, however small the gradient has become."""
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10 * np.abs(want).max())


def _assert_pairs_close(ours, theirs):
    for (a, b), (c, d) in zip(ours, theirs, strict=True):
        _assert_close(a, c)
        _assert_close(b, d)


@pytest.mark.parametrize("bn", [False, True], ids=["plain", "bn"])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_loss_and_grads_match_torch(activation, bn):
    params, norms, x, y = _problem(activation, [4, 16, 12, 10, 3], 32, bn)
    out = loss_and_grads(params, x, y, activation, batchnorm=norms)
    t_loss, t_grads, t_bn = torch_loss_and_grads(params, norms, x, y, activation)
    assert out[0] == pytest.approx(t_loss, rel=1e-12)
    if not bn:
        _assert_pairs_close(out[1], t_grads)
        return
    _assert_pairs_close(out[2], t_bn)
    for (dW, _), (t_dW, _) in zip(out[1], t_grads, strict=True):
        _assert_close(dW, t_dW)
    # a bias before batch normalization is subtracted out with the mean: both gradients are rounding noise
    for (_, db), (_, t_db) in zip(out[1][:-1], t_grads[:-1], strict=True):
        assert np.abs(db).max() < 1e-15 and np.abs(t_db).max() < 1e-15
    _assert_close(out[1][-1][1], t_grads[-1][1])


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_deep_stack_matches_torch_layer_by_layer(activation):
    """Depth 20: every layer's gradient, however small it has become, agrees to its own scale."""
    params, _, x, y = _problem(activation, [2, *[64] * 20, 2], 128, False)
    _, grads = loss_and_grads(params, x, y, activation)
    _, t_grads, _ = torch_loss_and_grads(params, None, x, y, activation)
    _assert_pairs_close(grads, t_grads)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "elu", "gelu"])
def test_kink_at_exactly_zero_as_torch(activation):
    params = init_mlp([2, 4, 3], activation, "he", seed=1)
    x, y = np.zeros((5, 2)), np.array([0, 1, 2, 0, 1])  # every first-layer pre-activation is exactly 0
    _, grads = loss_and_grads(params, x, y, activation)
    _, t_grads, _ = torch_loss_and_grads(params, None, x, y, activation)
    for (a, b), (c, d) in zip(grads, t_grads, strict=True):
        np.testing.assert_array_equal(a == 0, c == 0)
        np.testing.assert_allclose(b, d, rtol=1e-12, atol=1e-300)


def test_exact_gelu_and_its_derivative_match_torch():
    z = np.linspace(-12.0, 12.0, 24_001)
    t = torch.tensor(z, requires_grad=True)
    out = F.gelu(t)
    out.sum().backward()
    # torch computes 1 + erf(z/√2), which loses relative accuracy where Φ(z) is tiny (about 1e-16/Φ(z));
    # ours takes erfc there. Tight where torch is exact, loose in its cancelling tail.
    keep = z > -2
    np.testing.assert_allclose(gelu(z)[keep], out.detach().numpy()[keep], rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(gelu_backward(z, gelu(z), 1.0)[keep], t.grad.numpy()[keep], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(gelu(z), out.detach().numpy(), rtol=1e-9, atol=2e-15)
    assert gelu(np.array(-10.0)) == pytest.approx(-7.619853024160525e-23, rel=1e-14)  # -10 Φ(-10), exact
