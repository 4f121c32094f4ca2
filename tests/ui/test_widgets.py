"""Widgets built from the specs' Params: they offer the spec's widget range, on a log scale where the
spec asks, widened to hold a value a link carried, and keep their value across page switches."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from optimizers import OPTIMIZERS, SCHEDULES
from ui.widgets import linear_step, log_options


def test_log_options_are_one_two_five_per_decade_within_the_range():
    assert log_options(1e-3, 1.0) == [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    assert log_options(1e-3, 1.0, 0.03) == sorted([0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0])
    assert log_options(1.0, 1000.0, 25.0)[:4] == [1.0, 2.0, 5.0, 10.0] and 25.0 in log_options(1.0, 1000.0, 25.0)
    assert log_options(1e-5, 10.0, 100.0)[-1] == 100.0  # a link's rate beyond the range stays reachable


def test_linear_steps_are_a_power_of_ten_near_a_two_hundredth_of_the_range():
    assert linear_step(0.0, 1.0) == 0.001
    assert linear_step(0.9, 1.0) == pytest.approx(1e-4)
    assert linear_step(0.0, 0.9999) == pytest.approx(1e-3)


def _widgets_of(spec_key: str, registry: str):
    def page(spec_key, registry):
        import streamlit as st

        from optimizers import OPTIMIZERS, SCHEDULES
        from ui.widgets import param_widget

        spec = (OPTIMIZERS if registry == "optimizers" else SCHEDULES)[spec_key]
        st.session_state.out = {p.name: param_widget(f"t.{p.name}", p) for p in spec.params}

    return AppTest.from_function(page, kwargs={"spec_key": spec_key, "registry": registry})


@pytest.mark.parametrize("registry,key", [("optimizers", k) for k in OPTIMIZERS] +
                         [("schedules", k) for k in SCHEDULES])
def test_every_param_widget_offers_its_spec_range_and_returns_its_default(registry, key):
    spec = (OPTIMIZERS if registry == "optimizers" else SCHEDULES)[key]
    at = _widgets_of(key, registry).run()
    assert not at.exception
    values = at.session_state.out
    for p in spec.params:
        got = values[p.name]
        if p.kind == "ints":
            got = tuple(int(v) for v in got)
        assert got == p.default, (p.name, got, p.default)
        if p.log and p.widget and p.kind == "float":
            options = [float(o) for o in at.select_slider(key=f"t.{p.name}").options]
            assert min(options) == pytest.approx(p.widget[0]) and max(options) == pytest.approx(p.widget[1])
        elif p.kind == "float" and p.widget:
            box = at.number_input(key=f"t.{p.name}")
            assert (box.min, box.max) == p.widget, p.name


def test_a_value_beyond_the_widget_range_widens_it_instead_of_being_clamped():
    at = _widgets_of("sgd", "optimizers")
    at.session_state["t.momentum"] = 0.9995  # valid (momentum >= 0), beyond the slider's 0.999
    at.run()
    assert not at.exception
    assert at.session_state.out["momentum"] == 0.9995
    assert at.number_input(key="t.momentum").max == 0.9995
