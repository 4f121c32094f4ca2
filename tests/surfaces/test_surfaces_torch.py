"""Every registered surface's torch form (``Surface.torch_source``), the one text the exported script and
these parity checks run: it computes the surface's value and gradient (bit for bit with NumPy standing
in for torch; under torch, up to the last bits torch's own functions round differently, bounded point by
point), and its gradient and the surface's Hessian are torch autograd's derivatives of its value.

These read the surfaces' source text, which a mutation-testing run rewrites: tools/mutation.py leaves
this file out."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from surface_helpers import random_points, run_source

from surfaces import SURFACES

KEYS = list(SURFACES)
# torch functions that may round differently from NumPy's in the last bit (all others used are
# arithmetic, or copy, and round alike)
ROUNDED = ("sqrt", "exp", "sin", "cos", "tanh", "logaddexp")
AUTOGRAD_RTOL = 1e-12  # analytic against autograd, relative to each point's own gradient or Hessian norm

surface_keys = pytest.mark.parametrize("key", KEYS)


def seed_of(key: str) -> int:
    return zlib.crc32(key.encode()) + 7


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def data_names(s, as_array=np.asarray) -> dict:
    """The data a minibatch surface's torch form reads (FEATURES, LABELS), none for the others."""
    if not getattr(s, "stochastic", False):
        return {}
    return {"FEATURES": as_array(s.features), "LABELS": as_array(s.labels)}


def batch_of(s):
    """A minibatch's (indices, features, labels) on a stochastic surface; None elsewhere."""
    if not getattr(s, "stochastic", False):
        return None
    batch = s.minibatches(1, 0)[0]
    return batch, s.features[batch], s.labels[batch]


def expected_grad(s, p) -> np.ndarray:
    """The gradient the script takes: the minibatch's on a stochastic surface, the surface's elsewhere."""
    found = batch_of(s)
    if found is None:
        return s.grad(p)
    return np.stack(s.batch_gxy(p[:, 0], p[:, 1], found[0]), axis=-1)


def columns(values, n) -> np.ndarray:
    return np.stack([np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in values], axis=-1)


@surface_keys
def test_every_surface_has_a_torch_form_that_defines_loss_and_gradient(key):
    text = SURFACES[key].torch_source
    assert text is not None, f"{key}: fxy and gxy must be module-level functions (surfaces/torch_form.py)"
    compile(text, key, "exec")
    assert "def loss_fn(x, y" in text and "def grad_fn(x, y" in text
    code = "\n".join(line.split("#")[0] for line in text.splitlines())
    assert "np." not in code and "numpy" not in code


@surface_keys
def test_torch_form_run_on_numpy_is_the_surface_bit_for_bit(key):
    s = SURFACES[key]
    fn = run_source(s.torch_source, **data_names(s))
    p = random_points(s, 200, seed_of(key))
    x, y = p[:, 0].copy(), p[:, 1].copy()
    np.testing.assert_array_equal(np.broadcast_to(fn["loss_fn"](x, y), x.shape), s.f(p))
    found = batch_of(s)
    extra = () if found is None else found[1:]
    np.testing.assert_array_equal(columns(fn["grad_fn"](x, y, *extra), len(p)), expected_grad(s, p))


class Nudged:
    """torch, except that the ``k``-th call of a ROUNDED function returns its result one ulp up
    (``k`` None: no call); ``calls`` counts those calls."""

    def __init__(self, torch, k=None):
        self._torch, self._k, self.calls = torch, k, 0

    def __getattr__(self, name):
        attr = getattr(self._torch, name)
        if name not in ROUNDED:
            return attr

        def call(*args, **kwargs):
            out = attr(*args, **kwargs)
            self.calls += 1
            if self.calls - 1 == self._k:
                out = self._torch.nextafter(out, self._torch.full_like(out, math.inf))
            return out

        return call


def torch_values(torch, s, p, k=None):
    """The torch form's loss (n,) and script gradient (n, 2) at ``p``, with the k-th rounded call nudged,
    and how many rounded calls there were."""
    nudged = Nudged(torch, k)
    fn = run_source(s.torch_source, torch=nudged, **data_names(s, torch.tensor))
    x, y = torch.tensor(p[:, 0]), torch.tensor(p[:, 1])
    found = batch_of(s)
    extra = () if found is None else (torch.tensor(found[1]), torch.tensor(found[2]))
    f = np.broadcast_to(fn["loss_fn"](x, y).numpy(), (len(p),))
    g = columns([torch.as_tensor(c).numpy() for c in fn["grad_fn"](x, y, *extra)], len(p))
    return f, g, nudged.calls


@pytest.mark.torch
@surface_keys
def test_torch_form_under_torch_differs_only_by_torchs_last_bits(key, torch):
    """At each point, |torch - NumPy| is within twice what moving every rounded call's result by one ulp,
    one call at a time, moves the output, plus one ulp of the output per call for the rounding after
    it (torch's functions are within one ulp of NumPy's). Where the form uses no such function, that
    is zero: the two agree to the last bit."""
    s = SURFACES[key]
    p = random_points(s, 300, seed_of(key) + 1)
    f, g, calls = torch_values(torch, s, p)
    bound_f, bound_g = np.zeros_like(f), np.zeros_like(g)
    for k in range(calls):
        fk, gk, _ = torch_values(torch, s, p, k)
        bound_f += np.abs(fk - f) + np.spacing(np.abs(f))
        bound_g += np.abs(gk - g) + np.spacing(np.abs(g))
    assert (np.abs(f - s.f(p)) <= 2.0 * bound_f).all(), key
    assert (np.abs(g - expected_grad(s, p)) <= 2.0 * bound_g).all(), key


@pytest.mark.torch
@surface_keys
def test_gradient_and_hessian_are_autograds_derivatives_of_the_torch_loss(key, torch):
    s = SURFACES[key]
    p = random_points(s, 300, seed_of(key) + 2)
    fn = run_source(s.torch_source, torch=torch, **data_names(s, torch.tensor))
    x = torch.tensor(p[:, 0], requires_grad=True)
    y = torch.tensor(p[:, 1], requires_grad=True)
    gx, gy = torch.autograd.grad(fn["loss_fn"](x, y).sum(), (x, y), create_graph=True)
    rows = [torch.autograd.grad(c.sum(), (x, y), retain_graph=True, allow_unused=True, materialize_grads=True)
            for c in (gx, gy)]
    auto_g = np.stack((gx.detach().numpy(), gy.detach().numpy()), axis=-1)
    auto_h = np.array([[c.detach().numpy() for c in row] for row in rows]).transpose(2, 0, 1)
    with torch.no_grad():
        analytic_g = columns([torch.as_tensor(c).numpy() for c in fn["grad_fn"](x.detach(), y.detach())], len(p))
    g_norm = np.linalg.norm(analytic_g, axis=-1)
    assert (np.linalg.norm(auto_g - analytic_g, axis=-1) <= AUTOGRAD_RTOL * g_norm).all(), key
    h = s.hessian(p)
    h_norm = np.linalg.norm(h, axis=(-2, -1))
    assert (np.linalg.norm(auto_h - h, axis=(-2, -1)) <= AUTOGRAD_RTOL * h_norm).all(), key
