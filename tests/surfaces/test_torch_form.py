"""``surfaces.torch_form``: NumPy functions read as torch source, on functions written here (so that the
checks hold whatever the surfaces' modules look like): names translated, helpers and constants carried
along, entry points renamed, and everything it cannot read refused by name."""

from __future__ import annotations

import math

import numpy as np
import pytest
from surface_helpers import run_source as run

from surfaces import from_expression
from surfaces.torch_form import TORCH_HELPERS, TORCH_NAMES, TorchFormError, is_module_function, torch_source

_SCALE = 2.0 * np.pi
_OFFSET = 3
_TABLE = (1.0, 2.0)


def _shifted(x, y):
    return x + _OFFSET * y


def sample_f(x, y):
    u = _shifted(x, y)  # a helper of this module
    return np.sqrt(1.0 + u * u) + np.cos(_SCALE * x) * np.pi


def sample_g(x, y):
    u = _shifted(x, y)
    d = u / np.sqrt(1.0 + u * u)
    return d - np.pi * _SCALE * np.sin(_SCALE * x), _OFFSET * d


_PAIR_A, _PAIR_B = 1.5, 2.5


def _averaged(v):
    return np.mean(v, axis=-1)


def uses_a_helper_that_averages(v):
    return _averaged(v) * _PAIR_A + abs(_PAIR_B)  # a helper's NumPy needs, a tuple-assigned constant, a builtin


def _identity(fn):
    return fn


@_identity
def decorated(x, y):
    return x


def _shadowing(x, y):
    _SCALE = x * y  # a local that shares a global's name stays as it is
    return _SCALE


def mean_of(v):
    return np.mean(np.logaddexp(0.0, v), axis=-1)


def uses_arctan(x, y):
    return np.arctan(x) + y


def uses_a_tuple(x, y):
    return _TABLE[0] * x + y


def uses_an_undefined_name(x, y):
    return x + not_defined_anywhere  # noqa: F821


class _Holder:
    def method(x, y):
        return x


def source_of(**entries) -> str:
    return torch_source(entries)


def test_entries_are_renamed_and_helpers_and_constants_come_along():
    text = source_of(loss_fn=sample_f, grad_fn=sample_g)
    assert "def loss_fn(x, y):" in text and "def grad_fn(x, y):" in text and "def shifted(x, y):" in text
    assert "sample_f" not in text and "sample_g" not in text and "_shifted" not in text
    assert "np." not in text.replace("# 2.0 * np.pi", "")
    assert "torch.sqrt(1.0 + u * u)" in text and "torch.cos(SCALE * x) * math.pi" in text
    assert text.count("def shifted") == 1  # used twice, written once, before its users
    assert text.index("def shifted") < text.index("def loss_fn") < text.index("def grad_fn")
    assert "# a helper of this module" in text  # the function's own comments are kept


def test_constants_are_the_same_doubles_with_their_expression_beside():
    text = source_of(loss_fn=sample_f, grad_fn=sample_g)
    lines = {line.split(" = ")[0]: line for line in text.splitlines() if " = " in line and not line[0].isspace()}
    assert lines["SCALE"] == f"SCALE = {_SCALE!r}  # 2.0 * np.pi"
    assert lines["OFFSET"] == "OFFSET = 3"  # an int stays an int, and needs no comment
    assert float(lines["SCALE"].split(" = ")[1].split()[0]) == _SCALE


def test_the_text_computes_what_the_numpy_functions_compute_bit_for_bit():
    fn = run(source_of(loss_fn=sample_f, grad_fn=sample_g))
    p = np.random.default_rng(0).uniform(-3, 3, (2, 500))
    assert np.array_equal(fn["loss_fn"](*p), sample_f(*p))
    for got, want in zip(fn["grad_fn"](*p), sample_g(*p), strict=True):
        assert np.array_equal(got, want)


def test_a_helpers_own_needs_and_builtins_come_along():
    text = source_of(f=uses_a_helper_that_averages)
    assert "def np_sum(v):" in text and "def mean(v, axis):" in text and "PAIR_A = 1.5" in text
    v = np.random.default_rng(2).standard_normal((2, 40))
    assert np.array_equal(run(text)["f"](v), uses_a_helper_that_averages(v))


def test_a_local_with_a_globals_name_is_left_alone():
    text = source_of(loss_fn=_shadowing)
    assert "    _SCALE = x * y" in text and "return _SCALE" in text
    assert "SCALE = " + repr(_SCALE) not in text


@pytest.mark.parametrize("n", [1, 5, 8, 13, 16, 100, 128, 129, 200, 1001])
def test_mean_adds_in_numpys_pairwise_order(n):
    """The ``mean`` helper on NumPy arrays gives np.mean's bits: its sum adds in NumPy's order."""
    text = source_of(f=mean_of)
    assert text.startswith(TORCH_HELPERS["mean"].strip("\n"))
    rng = np.random.default_rng(n)
    v = rng.standard_normal((3, n)) * 10.0 ** rng.uniform(-5, 5, n)
    fn = run(text)
    assert np.array_equal(fn["np_sum"](v), v.sum(axis=-1))
    assert np.array_equal(fn["f"](v), mean_of(v))
    with pytest.raises(ValueError, match="last axis"):
        fn["mean"](v, axis=0)


def test_every_torch_name_is_a_torch_function_or_a_helper():
    for numpy_name, torch_name in TORCH_NAMES.items():
        assert hasattr(np, numpy_name)
        assert torch_name.startswith(("torch.", "math.")) or torch_name in TORCH_HELPERS, numpy_name
        if torch_name.startswith("math."):
            assert getattr(math, torch_name[5:]) == getattr(np, numpy_name)


@pytest.mark.parametrize(("fn", "message"), [
    (uses_arctan, "np.arctan"),
    (uses_a_tuple, "'_TABLE'"),
    (uses_an_undefined_name, "'not_defined_anywhere'"),
    (lambda x, y: x + y, "module-level"),
    (_Holder.method, "module-level"),
    (decorated, "not a plain def"),
    (np.sin, "module-level"),
])
def test_what_cannot_be_read_is_refused_by_name(fn, message):
    with pytest.raises(TorchFormError, match=message):
        source_of(loss_fn=fn)


def test_closures_and_lambdas_are_not_module_functions():
    assert is_module_function(sample_f)
    custom = from_expression("x**2 + y")
    assert not is_module_function(custom.fxy) and custom.torch_source is None
    assert not is_module_function(lambda x: x) and not is_module_function(np.sin)
