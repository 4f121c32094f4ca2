"""Specs shared by the optimizer and schedule registries: hyperparameters with their valid and widget
ranges, validation with messages that name the valid choices, and a registry whose unknown keys raise
a ValueError (that is also a KeyError, so ``dict`` habits keep working)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_WHOLE = 10**9  # whole-number settings (step counts, milestones) above this are refused


class UnknownName(KeyError, ValueError):
    """An unknown registry key; a ValueError whose message lists the valid keys."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Param:
    """One hyperparameter.

    ``kind`` is "float", "int", "bool", "pair" (two floats, as torch's ``betas``), "ints" (a tuple of
    ints, as MultiStepLR's ``milestones``) or "choice" (one of ``choices``). ``low``/``high`` bound
    valid values (``None``: unbounded), inclusive unless ``open_low``/``open_high``; they mirror the
    checks torch.optim makes. ``widget`` is the range a slider offers, which can be narrower, and
    ``log`` says the slider should be logarithmic.
    """

    name: str
    default: Any
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    widget: tuple[float, float] | None = None
    log: bool = False
    choices: tuple[str, ...] = ()
    label: str = ""
    help: str = ""

    def describe_range(self) -> str:
        if self.kind == "bool":
            return "True or False"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self._high() is None else (f"{self._high():,.0f}" if self.kind in ("int", "ints")
                                                  else f"{self._high():g}")
        left = "(" if self.open_low or self.low is None else "["
        right = ")" if self.open_high or self._high() is None else "]"
        what = {"pair": "two numbers, each in ", "ints": "one or more whole numbers, each in ",
                "int": "a whole number in "}
        return what.get(self.kind, "a number in ") + f"{left}{lo}, {hi}{right}"

    def _high(self) -> float | None:
        if self.high is None and self.kind in ("int", "ints"):
            return MAX_WHOLE
        return self.high

    def _in_range(self, v: float) -> bool:
        high = self._high()
        if not math.isfinite(v) or (self.kind in ("int", "ints") and v < -MAX_WHOLE):
            return False
        if self.low is not None and (v < self.low or (self.open_low and v == self.low)):
            return False
        if high is not None and (v > high or (self.open_high and v == high)):
            return False
        return True

    def validate(self, value: Any, owner: str) -> Any:
        """Return ``value`` in canonical form, or raise ValueError saying what is valid."""
        bad = ValueError(f"{owner}: {self.name}={value!r} is not valid; {self.name} takes {self.describe_range()}")
        try:
            if self.kind == "bool":
                if isinstance(value, str):
                    if value.lower() not in ("true", "false", "1", "0"):
                        raise bad
                    return value.lower() in ("true", "1")
                if value not in (True, False, 0, 1):
                    raise bad
                return bool(value)
            if self.kind == "choice":
                if value not in self.choices:
                    raise bad
                return value
            if self.kind == "pair":
                pair = tuple(float(v) for v in value)
                if len(pair) != 2 or not all(self._in_range(v) for v in pair):
                    raise bad
                return pair
            if self.kind == "ints":
                ints = tuple(_as_int(v) for v in value)
                if not ints or not all(self._in_range(v) for v in ints):
                    raise bad
                return ints
            if self.kind == "int":
                v = _as_int(value)
            else:
                if isinstance(value, bool):
                    raise bad
                v = float(value)
            if not self._in_range(v):
                raise bad
            return v
        except (TypeError, ValueError, OverflowError):
            raise bad from None


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError
    f = float(value)
    if not f.is_integer():
        raise ValueError
    return int(f)


@dataclass(frozen=True)
class Spec:
    """What a registry holds: a display title, the factory, its hyperparameters, the torch class it
    matches, and the update rule in LaTeX (the same text as the implementing docstring's).

    ``check(values)`` raises ValueError where valid values of single hyperparameters make an invalid
    whole (``validate`` calls it, so a caller never builds an optimizer only to see whether it can).
    """

    key: str
    title: str
    make: Callable = field(repr=False)
    params: tuple[Param, ...]
    torch_class: str | None
    latex: str
    note: str = ""
    lr: Param | None = None
    torch_extra: dict = field(default_factory=dict)
    latex_for: Callable | None = field(default=None, repr=False)  # settings -> the rule they run, if it varies
    run_rate: str | None = None  # schedules: the parameter each run's learning rate sets ("lr" or "max_lr")
    check: Callable | None = field(default=None, repr=False)  # settings -> None, or ValueError: rules that tie them

    def rule(self, values: dict[str, Any]) -> str:
        """The update rule, in LaTeX, that these settings run."""
        return self.latex_for(self.validate(values)) if self.latex_for else self.latex

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise UnknownName(f"{self.title} has no hyperparameter {name!r}; it takes {self.param_names()}")

    def param_names(self) -> str:
        return ", ".join(p.name for p in self.params) or "none"

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def validate(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Defaults updated with ``kwargs``, every value checked, and then the rules that tie values
        together (``check``: nesterov needs momentum > 0, ...), without building anything; ValueError
        names what is valid."""
        values = self.defaults()
        for name, value in kwargs.items():
            values[name] = self.param(name).validate(value, self.title)
        if self.check is not None:
            self.check(values)
        return values

    def factory(self, **kwargs):
        """Build the object with torch.optim's hyperparameter names and defaults."""
        return self.make(**self.validate(kwargs))


class Registry(dict):
    """A dict of specs by key; a missing key raises UnknownName listing the valid keys."""

    def __init__(self, what: str, specs):
        super().__init__((s.key, s) for s in specs)
        self.what = what

    def __missing__(self, key):
        raise UnknownName(f"unknown {self.what} {key!r}; valid {self.what}s are: {', '.join(self)}")
