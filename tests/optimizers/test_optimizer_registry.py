"""The OPTIMIZERS registry and its specs: keys and order, complete specs whose formulas are the
docstrings', and ValueErrors that name the valid choices for unknown names and bad hyperparameters."""

from __future__ import annotations

import dataclasses
import importlib
import math

import numpy as np
import pytest
from optim_cases import KEYS

from optimizers import OPTIMIZERS, Optimizer
from optimizers.spec import Spec

SPECS = list(OPTIMIZERS.values())


def _id(spec: Spec) -> str:
    return spec.key


def test_every_registered_optimizer_has_a_row_in_the_registrys_order():
    """One row per registry key in ``optim_cases.CASES``, whose order is the registry's (the order the
    pages list them in): every test reads the table."""
    assert tuple(OPTIMIZERS) == KEYS


@pytest.mark.parametrize("name", ["adamm", "Adam", "", "lbfgs"])
def test_unknown_key_raises_value_error_listing_valid_keys(name):
    with pytest.raises(ValueError) as raised:
        OPTIMIZERS[name]
    message = str(raised.value)
    assert repr(name) in message
    assert all(key in message for key in KEYS)
    with pytest.raises(KeyError):
        OPTIMIZERS[name]


@pytest.mark.parametrize("spec", SPECS, ids=_id)
def test_spec_is_complete(spec):
    assert spec.key in OPTIMIZERS and OPTIMIZERS[spec.key] is spec
    assert spec.title and spec.latex and spec.note
    assert spec.torch_class is None or spec.torch_class.startswith("torch.optim.")
    assert spec.lr is not None and spec.lr.name == "lr" and spec.lr.default > 0
    names = [p.name for p in spec.params]
    assert len(set(names)) == len(names) and "lr" not in names
    assert not set(spec.torch_extra) & set(names)
    assert isinstance(spec.factory(), Optimizer)


@pytest.mark.parametrize("spec", SPECS, ids=_id)
def test_defaults_and_widgets_are_valid(spec):
    for p in (*spec.params, spec.lr):
        assert p.validate(p.default, spec.title) == p.default
        if p.kind in ("float", "pair"):
            lo, hi = p.widget
            assert lo < hi
            p.validate(lo if p.kind == "float" else (lo, lo), spec.title)
            p.validate(hi if p.kind == "float" else (hi, hi), spec.title)
            assert not p.log or lo > 0
            defaults = p.default if p.kind == "pair" else (p.default,)
            assert all(lo <= d <= hi for d in defaults), p.name


@pytest.mark.parametrize("spec", SPECS, ids=_id)
def test_formula_is_the_docstrings(spec):
    """Every line of the spec's LaTeX appears in the implementing module's docstring (whitespace
    aside): the app shows the formula the code documents."""
    doc = "".join(importlib.import_module(spec.make.__module__).__doc__.split())
    for line in spec.latex.split(r"\\"):
        assert "".join(line.split()) in doc, line


@pytest.mark.parametrize("spec", SPECS, ids=_id)
def test_unknown_hyperparameter_names_the_valid_ones(spec):
    with pytest.raises(ValueError) as raised:
        spec.factory(learning_rate=0.1)
    message = str(raised.value)
    assert "learning_rate" in message
    assert all(p.name in message for p in spec.params)


def _bad_values(p):
    if p.kind == "bool":
        return ["maybe", 2, None]
    if p.kind == "pair":
        bad = [(0.9,), (0.9, 0.99, 0.999), "ab", (0.9, math.nan), (-0.1, 0.9)]
        return bad + ([(0.9, 1.0), (1.0, 0.9)] if p.high == 1.0 else [])
    bad = [math.nan, math.inf, -math.inf, "fast", None, True]
    if p.low is not None:
        bad.append(p.low - 1e-3)
    if p.high is not None:
        bad.append(p.high if p.open_high else p.high + 1e-3)
    return bad


@pytest.mark.parametrize("spec, param", [(s, p) for s in SPECS for p in (*s.params, s.lr)],
                         ids=lambda v: v.key if isinstance(v, Spec) else v.name)
def test_out_of_range_hyperparameter_raises_value_error_naming_the_range(spec, param):
    for value in _bad_values(param):
        with pytest.raises(ValueError) as raised:
            if param.name == "lr":
                param.validate(value, spec.title)
            else:
                spec.factory(**{param.name: value})
        message = str(raised.value)
        assert param.name in message and spec.title in message
        assert param.describe_range() in message


@pytest.mark.parametrize("spec", [s for s in SPECS if "eps" in s.defaults()], ids=_id)
def test_negative_eps_raises(spec):
    with pytest.raises(ValueError, match=r"eps=-1e-08 is not valid; eps takes a number in \[0, inf\)"):
        spec.factory(eps=-1e-8)


@pytest.mark.parametrize("spec", [s for s in SPECS if "betas" in s.defaults()], ids=_id)
def test_betas_of_one_or_more_raise(spec):
    for betas in ((1.0, 0.999), (0.9, 1.0), (0.9, 1.5)):
        with pytest.raises(ValueError, match=r"betas takes two numbers, each in \[0, 1\)"):
            spec.factory(betas=betas)
    spec.factory(betas=(0.0, 0.0))
    spec.factory(betas=np.array([0.5, 0.9]))


@pytest.mark.parametrize("kwargs", [{"nesterov": True}, {"nesterov": True, "momentum": 0.0},
                                    {"nesterov": True, "momentum": 0.9, "dampening": 0.1}])
def test_nesterov_without_momentum_or_with_dampening_raises(kwargs):
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0 and dampening = 0"):
        OPTIMIZERS["sgd"].factory(**kwargs)
    OPTIMIZERS["sgd"].factory(nesterov=True, momentum=0.9)


def _unbuildable(spec: Spec) -> Spec:
    def make(**kwargs):
        raise AssertionError("validate built an optimizer")

    return dataclasses.replace(spec, make=make)


@pytest.mark.parametrize("key, kwargs", [("sgd", {"nesterov": True}), ("sgd", {"nesterov": True, "momentum": 0.9,
                                                                               "dampening": 0.5}),
                                         ("nag", {"momentum": 0.0})])
def test_validate_checks_the_rules_that_tie_settings_together_without_building(key, kwargs):
    """Spec.validate runs Spec.check: a page validates a run without building an optimizer to throw away."""
    spec = _unbuildable(OPTIMIZERS[key])
    assert spec.check is not None
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0 and dampening = 0"):
        spec.validate(kwargs)
    assert spec.validate({"momentum": 0.5})["momentum"] == 0.5


@pytest.mark.parametrize("spec", SPECS, ids=_id)
def test_defaults_pass_the_specs_check(spec):
    assert _unbuildable(spec).validate({}) == spec.defaults()


@pytest.mark.parametrize("key", ["nag", "nag_lecture", "momentum_lecture"])
def test_nesterov_entries_need_momentum(key):
    """nag (torch's SGD with nesterov=True) refuses μ = 0, as torch does."""
    if key == "nag":
        with pytest.raises(ValueError):
            OPTIMIZERS[key].factory(momentum=0.0)
    else:
        OPTIMIZERS[key].factory(momentum=0.0)


def _ten_steps(opt, x, g):
    state = opt.init(x)
    for _ in range(10):  # RAdam uses eps only from step 6
        x, state = opt.update(g + 0.1 * x, state, x, 0.01)
    return x


def test_hyperparameters_reach_the_rule():
    """A hyperparameter passed to the factory changes the path (it is bound, not dropped)."""
    x, g = np.float64(0.7), np.float64(-1.3)
    for spec in SPECS:
        for p in spec.params:
            if p.kind == "bool":
                value = not p.default
            elif p.kind == "pair":
                value = (p.default[0] * 0.5, p.default[1] * 0.5)
            else:
                value = p.default * 0.5 + 0.1
            # switches that act only with another hyperparameter on
            context = {}
            if spec.key == "sgd" and p.name in ("dampening", "nesterov"):
                context = {"momentum": 0.9}
            elif p.name == "decoupled_weight_decay":
                context = {"weight_decay": 0.1}
            changed = _ten_steps(spec.factory(**context, **{p.name: value}), x, g)
            assert changed != _ten_steps(spec.factory(**context), x, g), (spec.key, p.name)
