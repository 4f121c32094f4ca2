"""Widgets built from a ``Param`` of the optimizer and schedule specs.

A widget offers the spec's ``widget`` range (a logarithmic ``select_slider`` where the spec says
``log``), widened to hold the current value where a link carried one outside it, so a shared scene
opens as it was shared. Every widget gets its first value through session state (never also as
``value=``) and keeps it for the whole session, across page switches (``persist_state="session"``).
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

KEEP = "session"  # persist_state of every setting: it survives a visit to another page


def initial(key: str, value) -> str:
    """Give widget ``key`` its first value through session state; returns the key."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def log_options(low: float, high: float, *also: float) -> list[float]:
    """1, 2 and 5 times every power of ten from ``low`` to ``high``, and the values in ``also``."""
    low, high = max(low, 1e-300), max(high, low)
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    nice = {round(m * 10.0**e, 12) for e in decades for m in (1, 2, 5)}
    return sorted({v for v in nice if low * (1 - 1e-9) <= v <= high * (1 + 1e-9)} | {float(v) for v in also})


def linear_step(low: float, high: float) -> float:
    """A step of about a two-hundredth of the range, a power of ten."""
    return 10.0 ** math.floor(math.log10(max(high - low, 1e-12) / 200))


def _bounds(param, value) -> tuple[float | None, float | None]:
    """The widget range, widened to hold ``value``, never beyond the valid range."""
    low, high = param.widget or (param.low, param.high)
    values = [v for v in np.ravel(np.asarray(value, dtype=object)) if isinstance(v, (int, float))]
    if low is not None:
        low = min([low, *values])
    if high is not None:
        high = max([high, *values])
    return low, high


def param_widget(key: str, param, where=st):
    """One hyperparameter's widget under ``key``; returns its value (a list of texts for ``ints``)."""
    label = param.label or param.name
    tip = param.help or None
    if param.kind == "bool":
        return where.checkbox(label, key=initial(key, param.default), help=tip, persist_state=KEEP)
    if param.kind == "choice":
        return where.selectbox(label, param.choices, key=initial(key, param.default), help=tip, persist_state=KEEP)
    if param.kind == "ints":
        text = where.text_input(label + " (a/b/c)", key=initial(key, "/".join(map(str, param.default))), help=tip,
                                persist_state=KEEP)
        return [v for v in text.split("/") if v.strip()]
    if param.kind == "pair":
        cols = where.columns(2)
        return tuple(_number(cols[j], f"{key}.{j}", param, f"{label} [{j + 1}]", tip, float(param.default[j]))
                     for j in range(2))
    if param.kind == "int":
        initial_value = None if param.default is None else int(param.default)  # None: torch's "not given"
        return _number(where, key, param, label, tip, initial_value)
    if param.log and param.widget:
        value = float(st.session_state.get(key, param.default))
        return where.select_slider(label, options=log_options(*param.widget, value), key=initial(key, value),
                                   help=tip, format_func=lambda v: f"{v:g}", persist_state=KEEP)
    return _number(where, key, param, label, tip, float(param.default))


def param_value(key: str, param):
    """What ``param_widget(key, param)`` returns, read from session state without drawing the widget
    (its editor is closed; ``persist_state`` keeps the value): the default where none was set."""
    state = st.session_state
    if param.kind == "ints":
        return [v for v in str(state.get(key, "/".join(map(str, param.default)))).split("/") if v.strip()]
    if param.kind == "pair":
        return tuple(float(state.get(f"{key}.{j}", param.default[j])) for j in range(2))
    value = state.get(key, param.default)
    if param.kind == "int":
        return None if value is None else int(value)
    if param.kind in ("bool", "choice") or value is None:
        return value
    return float(value)


def _number(where, key: str, param, label: str, tip, default):
    value = st.session_state.get(key, default)
    low, high = _bounds(param, value)
    if param.kind == "int":
        return where.number_input(label, min_value=None if low is None else int(low),
                                  max_value=None if high is None else int(high), key=initial(key, default),
                                  help=tip, placeholder="default", persist_state=KEEP)
    step = linear_step(low, high) if low is not None and high is not None else None
    return where.number_input(label, min_value=low, max_value=high, step=step, key=initial(key, default),
                              format="%.6g", help=tip, persist_state=KEEP)
