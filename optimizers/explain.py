r"""One update explained: the named quantities of a step, and its update rule with the step's numbers.

``explain(spec, values, state_before, grad, params, lr, step)`` runs the optimizer's own ``update``
once, from a state given under torch's names (a row of ``Trajectory.states``), and returns a dict:

- ``step`` t (1 for the first update), ``lr`` ε_t, ``grad`` the gradient the update was given,
  ``g`` the gradient after coupled weight decay (the bare gradient where the decay is decoupled or
  λ = 0), ``params`` θ_{t-1}, ``new_params`` θ_t and ``delta`` = θ_t - θ_{t-1}, exactly the runner's;
- ``before`` and ``after``: the state fields torch keeps, by torch's names;
- ``rate``: the effective per-coordinate rate, the factor that turns the (momentum-averaged, bias-
  corrected) gradient into the step: ε_t for the SGD family, ε_t/(√v̂_t + ϵ) for Adam, ε_t/(√v_t + ϵ)
  for RMSProp, ε_t √(u_{t-1} + ϵ)/√(v_t + ϵ) for Adadelta, ...;
- ``parts``: ``gradient``, ``momentum`` and ``weight_decay``, the shares of Δθ that come from the
  gradient of this step, from the past (buffers and moments), and from weight decay; they sum to
  ``delta`` to rounding;
- where the rule has them: ``m_hat``, ``v_hat`` (the bias-corrected moments), ``v_max`` (AMSGrad's
  running maximum), ``rho_t``, ``rho_inf``, ``r_t``, ``rectified`` (RAdam, and which branch ran),
  ``mu_t``, ``mu_next``, ``mu_product`` Π_t and ``mu_product_next`` Π_t μ_{t+1} (NAdam), ...;
- ``rule``: the update rule that ran at this step, in LaTeX, each line from the spec's own text (the
  branch taken, the first step's special case, the weight-decay line where λ ≠ 0), and ``symbols``:
  every symbol of that rule with its value.

``step_latex(explained, coord)`` writes ``rule`` with the numbers of one coordinate substituted for its
symbols, each line ending in the value it gives; ``explain_step(spec, values, traj, i, t)`` explains
update t of start i of a Trajectory run with ``states=True``, and ``explain_path(spec, values, traj)``
gives the rate and the parts of every update of every start at once, for glyphs drawn on a map.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from .base import coupled_gradient, decoupled_params

THETA, THETA_NEW, GRAD = r"\theta_{t-1}", r"\theta_t", r"\nabla f(\theta_{t-1})"
COUPLED = r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}"
DECOUPLED = r"\theta_{t-1} \leftarrow (1 - \varepsilon_t\lambda)\,\theta_{t-1}"
FIRST_MOMENT = r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t"
SECOND_MOMENT = r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2"


def reassigned(symbol: str) -> str:
    """The key under which ``symbols`` holds the value a ``\\leftarrow`` line gives ``symbol``."""
    return symbol + r" \leftarrow"


class Step:
    """What an optimizer's explainer works from: the validated ``values``, the update number ``t``,
    the states ``before`` and ``after`` (its NamedTuples), ``grad``, ``params``, ``lr`` and
    ``new_params``. ``decay`` applies the weight-decay preamble and remembers its terms for ``parts``."""

    def __init__(self, values, t, before, after, grad, params, lr, new_params):
        self.values, self.t, self.before, self.after = values, t, before, after
        self.grad, self.params, self.lr, self.new_params = grad, params, lr, new_params
        self.lam = values.get("weight_decay", 0.0)
        self.g, self.theta, self.coupled, self.shrink, self.decoupled = grad, params, 0.0, 0.0, False

    def decay(self, decoupled: bool = False, at=None):
        """g_t, and θ_{t-1} as the step sees it (shrunk where the decay is decoupled)."""
        if self.lam and decoupled:
            self.decoupled = True
            self.theta = decoupled_params(self.params, self.lr, self.lam)
            self.shrink = self.theta - self.params
        elif self.lam:
            point = self.params if at is None else at
            self.g = coupled_gradient(self.grad, point, self.lam)
            self.coupled = self.lam * point
        return self.g

    def preamble(self) -> list[str]:
        """The weight-decay line of the rule, if any decay acted."""
        if not self.lam:
            return []
        return [DECOUPLED] if self.decoupled else [COUPLED]

    def parts(self, k, momentum=0.0) -> dict[str, Any]:
        """Δθ = k g_t + ``momentum`` (+ the decoupled shrink), split: the gradient's share k ∇f, the
        decay's k λθ (coupled) or the shrink (decoupled), and the past's."""
        shape = np.shape(self.params)
        return {"gradient": np.broadcast_to(k * self.grad, shape).copy(),
                "momentum": np.broadcast_to(momentum, shape).astype(float),
                "weight_decay": np.broadcast_to(k * self.coupled + self.shrink, shape).astype(float)}

    def symbols(self, **extra) -> dict[str, Any]:
        """The symbols every rule shares, and ``extra``."""
        table = {THETA: self.params, THETA_NEW: self.new_params, r"\varepsilon_t": self.lr, "t": self.t,
                 "g_t": self.g, GRAD: self.grad, r"\lambda": self.lam}
        if self.decoupled:
            table[reassigned(THETA)] = self.theta
        table.update(extra)
        return table


def _state(opt, params, state_before: dict, step: int):
    """The optimizer's NamedTuple state from the fields torch keeps (the rest, unused under these
    settings, from ``init``), with the step count ``step - 1``."""
    state = opt.init(params)
    fields = {}
    for name in opt.state_names:
        if name not in state_before:
            raise ValueError(f"state_before lacks {name!r}; it needs {', '.join(opt.state_names)}")
        value = np.asarray(state_before[name], dtype=float)
        if name == "step":
            if not np.all(value == step - 1):
                raise ValueError(f"state_before holds step {value.ravel()[0]:g}, not {step - 1} (update {step})")
            continue
        if name == "mu_product":
            fields[name] = float(value.ravel()[0])
        else:
            fields[name] = np.broadcast_to(value, np.shape(params)).copy()
    return state._replace(step=step - 1, **fields)


def _as_field(value, shape) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), shape).copy()


def explain(spec, values: dict, state_before: dict, grad, params, lr: float, step: int) -> dict[str, Any]:
    """Update ``step`` (1 for the first) of the optimizer ``spec`` with ``values``, from ``params``
    θ_{t-1} (shape (..., 2), or any shape: every rule is elementwise) and the state before it
    (``state_before``, torch's names, as a row of ``Trajectory.states``), given ``grad``, at rate
    ``lr``: the named quantities of the module docstring. ValueError where a value is invalid."""
    if spec.explainer is None:
        raise ValueError(f"{spec.title} cannot explain its steps")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be a whole number from 1 (the first update), not {step!r}")
    if not (isinstance(lr, (int, float, np.floating)) and math.isfinite(lr) and lr >= 0):
        raise ValueError(f"lr must be a finite number at least 0, not {lr!r}")
    values = spec.validate(values)
    opt = spec.make(**values)
    params = np.asarray(params, dtype=float)
    grad = np.broadcast_to(np.asarray(grad, dtype=float), params.shape).copy()
    before = _state(opt, params, state_before, int(step))
    with np.errstate(all="ignore"):
        new_params, after = opt.update(grad, before, params, float(lr))
        s = Step(values, int(step), before, after, grad, params, float(lr), new_params)
        out = spec.explainer(s)
    shape = params.shape
    return {"step": int(step), "lr": float(lr), "grad": grad, "g": np.broadcast_to(s.g, shape).copy(),
            "params": params, "new_params": new_params, "delta": new_params - params,
            "before": {name: _as_field(getattr(before, name), shape) for name in opt.state_names},
            "after": {name: _as_field(getattr(after, name), shape) for name in opt.state_names}, **out}


def explain_step(spec, values: dict, traj, run: int, step: int) -> dict[str, Any]:
    """``explain`` for update ``step`` (1 ... steps) of start ``run`` of ``traj``, a Trajectory of
    this optimizer run with ``states=True`` (ValueError otherwise, or where the point had already
    diverged, so that no update was taken)."""
    if traj.states is None:
        raise ValueError("the trajectory has no states: run it with states=True")
    steps, n = len(traj.lr), traj.xy.shape[1]
    if traj.xy.shape[0] != steps + 1:
        raise ValueError("the trajectory keeps only its ends (keep='final'): run it with keep='all'")
    if not (0 <= run < n) or not (1 <= step <= steps):
        raise ValueError(f"run must be in [0, {n - 1}] and step in [1, {steps}], not {run} and {step}")
    if traj.diverged[run] and step >= traj.diverged_at[run]:
        raise ValueError(f"start {run} diverged at step {traj.diverged_at[run]}: no update {step} was taken")
    before = {name: values_[step - 1, run] for name, values_ in traj.states.items()}
    return explain(spec, values, before, traj.grads[step - 1, run], traj.xy[step - 1, run], float(traj.lr[step - 1]),
                   step)


def explain_path(spec, values: dict, traj, updates=None) -> dict[str, np.ndarray]:
    """``rate``, ``delta`` and the ``parts`` (``gradient``, ``momentum``, ``weight_decay``) of every
    update of every start of ``traj`` (run with ``states=True``, keep="all"), each (steps, N, 2), row
    t - 1 for update t; NaN where a start had diverged (no update taken). ``updates``: the update
    numbers (1 ... steps) to explain, the other rows left NaN (a map's glyphs need only the updates
    its frames show; each update costs one ``explain``)."""
    if traj.states is None or traj.xy.shape[0] != len(traj.lr) + 1:
        raise ValueError("explain_path needs a trajectory run with states=True and keep='all'")
    steps, n = len(traj.lr), traj.xy.shape[1]
    todo = range(1, steps + 1) if updates is None else sorted({int(t) for t in np.ravel(updates)})
    if todo and not 1 <= todo[0] <= todo[-1] <= steps:
        raise ValueError(f"updates must be in [1, {steps}], not {todo[0]} ... {todo[-1]}")
    out = {name: np.full((steps, n, 2), np.nan) for name in ("rate", "delta", "gradient", "momentum", "weight_decay")}
    stopped = np.where(traj.diverged, traj.diverged_at, steps + 1)
    for t in todo:
        alive = t < stopped
        if not alive.any():
            break
        before = {name: v[t - 1, alive] for name, v in traj.states.items()}
        if "step" in before:
            before["step"] = np.full(before["step"].shape, t - 1.0)
        e = explain(spec, values, before, traj.grads[t - 1, alive], traj.xy[t - 1, alive], float(traj.lr[t - 1]), t)
        for name in ("rate", "delta"):
            out[name][t - 1, alive] = e[name]
        for name, part in e["parts"].items():
            out[name][t - 1, alive] = part
    return out


# ------------------------------------------------------------------------------ the rule with numbers

_SPACING = re.compile(r"(\s|\\[,;: !]|\\quad)+$")
_RELATION = re.compile(r"\s*(=|\\leftarrow)\s*")


def number(value: float, digits: int | None = 4) -> str:
    """``value`` in LaTeX with ``digits`` significant digits (None: every digit of the double), the
    exponent as ``\\times 10^{k}``."""
    value = float(value)
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return r"\infty" if value > 0 else r"-\infty" if value < 0 else r"\mathrm{NaN}"
    text = repr(value) if digits is None else f"{value:.{digits}g}"
    mantissa, _, exponent = text.partition("e")
    return mantissa if not exponent else rf"{mantissa} \times 10^{{{int(exponent)}}}"


def coordinate(value, coord: int):
    """One coordinate of a quantity: scalars (hyperparameters, t) as they are."""
    arr = np.asarray(value)
    return float(arr[..., coord]) if arr.ndim else float(arr)


def _substitute_rhs(text: str, table: dict[str, float], digits) -> str:
    keys = sorted(table, key=len, reverse=True)
    pattern = re.compile("|".join(("(?<![A-Za-z\\\\])" if len(k) == 1 else "") + re.escape(k) + "(?![A-Za-z_])"
                                  for k in keys))

    def put(match: re.Match) -> str:
        value = table[match.group(0)]
        text_ = number(value, digits)
        if value < 0 or " " in text_:
            text_ = f"({text_})"
        before = _SPACING.sub("", text[: match.start()])
        if before.endswith("^"):
            return "{" + text_ + "}"
        if before and (before[-1].isalnum() or before[-1] in ")}]"):
            return r"\cdot " + text_
        return text_

    return pattern.sub(put, text)


def substitute(rule: str, symbols: dict[str, Any], coord: int, digits: int | None = 4) -> str:
    """``rule`` (lines ``lhs = rhs`` or ``lhs \\leftarrow rhs`` separated by ``\\\\``) with the values
    of coordinate ``coord`` in place of its symbols, each line ending in the value of its left-hand
    side: ``m_t = 0.9 \\cdot 0.1 + (1-0.9)\\, 2 = 0.29``. A ``\\leftarrow`` line gives its symbol a
    new value for the lines below it. KeyError names a symbol without a value."""
    table = {k: coordinate(v, coord) for k, v in symbols.items() if not k.endswith(r"\leftarrow")}
    lines = []
    for line in (part.strip() for part in rule.split(r"\\")):
        found = _RELATION.search(line)
        lhs, relation, rhs = line[: found.start()], found.group(1), line[found.end():]
        key = reassigned(lhs) if relation == r"\leftarrow" else lhs
        if key not in symbols:
            raise KeyError(f"no value for {lhs!r}")
        value = coordinate(symbols[key], coord)
        numbers = _substitute_rhs(rhs, table, digits)
        result = number(value, digits)
        lines.append(f"{lhs} {relation} {numbers}" + ("" if numbers.strip("()") == result else f" = {result}"))
        table[lhs] = value
    return r" \\ ".join(lines)


def step_latex(explained: dict, coord: int, digits: int | None = 4) -> str:
    """The rule of an explained step with the numbers of coordinate ``coord`` (0: x, 1: y)."""
    return substitute(explained["rule"], explained["symbols"], coord, digits)
