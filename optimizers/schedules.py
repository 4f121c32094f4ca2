r"""Learning-rate schedules that set the same rate at every step as ``torch.optim.lr_scheduler``.

A schedule is a function ``step -> lr``: ``step`` is a whole number or an integer array counting from
0 for the first update, and the result is the learning rate of that update, the one torch's scheduler
has set after ``step`` calls of ``scheduler.step()``, one after each ``optimizer.step()``. Factories
take torch's parameter names; ``lr`` is the optimizer's initial rate ε₀ (CyclicLR and OneCycleLR take
``base_lr``/``max_lr`` instead and ignore the optimizer's rate, as torch does).

Most of torch's schedulers are *chainable*: ``get_lr`` multiplies the current rate by a factor (StepLR,
MultiStepLR, LinearLR, ExponentialLR, PolynomialLR) or runs a recursion (CosineAnnealingLR) rather than
evaluate the closed form. The two drift apart as rounding accumulates: the cosine recursion leaves its
closed form by more than 1e-12 relative after a few thousand steps (1.8e-12 at step 4766 with
T_max=7), the products by a few ulp per step. So every schedule here builds a float64 table by
replaying torch's own arithmetic in torch's order, with ``math.cos`` and Python's ``**`` (NumPy's SIMD
``power`` differs from libm's ``pow`` in the last bit), and looks the steps up in it: the rates equal
torch's bit for bit. Tables grow on demand and are cached by parameters; a 5000-step table costs about
0.1 ms (0.7 ms for the cosine recursion).

Specs: the schedules that scale the optimizer's rate take ``lr`` among their ``params`` (so
``factory(lr=...)`` validates it) and name the same Param in ``Spec.lr``; for ``cyclic`` and ``onecycle``
``Spec.lr`` is None. ``Spec.run_rate`` names the parameter that a run's learning rate sets: ``lr``, the
initial rate the schedule scales, or ``max_lr``, the peak of CyclicLR and OneCycleLR. ``Spec.latex`` is
the maker's docstring, and ``Spec.torch_extra`` holds the arguments torch's class needs to set the same
rates (``cycle_momentum=False``, ConstantLR's ``factor``).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .spec import Param, Registry, Spec

MAX_STEP = 100_000  # the largest step a schedule answers for (a cached table of 800 kB at most)
_CHUNK = 1024  # tables grow in multiples of this many steps


@dataclass(frozen=True)
class OptionalParam(Param):
    """A Param that also takes ``None``, torch's "not given" (CyclicLR's ``step_size_down``)."""

    none_means: str = ""

    def describe_range(self) -> str:
        return f"{super().describe_range()}, or None ({self.none_means})"

    def validate(self, value: Any, owner: str) -> Any:
        return None if value is None else super().validate(value, owner)


class Schedule:
    """``step -> lr`` for a whole number (a float back) or an integer array (a float array back)."""

    __slots__ = ("_args", "_build", "_table", "key", "params")

    def __init__(self, key: str, params: dict[str, Any], build, args: tuple):
        self.key = key
        self.params = dict(params)
        self._build = build
        self._args = args
        self._table = np.empty(0)

    def table(self, n: int) -> np.ndarray:
        """The rates of the first ``n`` updates, read-only."""
        if len(self._table) < n:
            self._table = _cached_table(self._build, self._args, -(-n // _CHUNK) * _CHUNK)
        return self._table[:n]

    def __call__(self, step):
        t = np.asarray(step)
        if t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
            raise ValueError(f"a schedule takes a whole number of steps or an integer array, not {step!r}")
        if t.size == 0:
            return np.empty(t.shape)
        lo, hi = int(t.min()), int(t.max())
        if lo < 0 or hi > MAX_STEP:
            raise ValueError(f"a schedule takes steps from 0 to {MAX_STEP:,}, not {lo if lo < 0 else hi}")
        lrs = self.table(hi + 1)[t]
        return float(lrs) if t.ndim == 0 else lrs

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"SCHEDULES[{self.key!r}].factory({args})"


@lru_cache(maxsize=64)
def _cached_table(build, args: tuple, n: int) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore"):
        table = np.asarray(build(n, *args), dtype=float)
    table.setflags(write=False)
    return table


def _cos(x: np.ndarray) -> np.ndarray:
    """libm's cosine, as torch's ``math.cos``; NumPy's SIMD cosine may differ in the last bit."""
    return np.array([math.cos(v) for v in x.tolist()], dtype=float)


def _chain(first: float, factors: np.ndarray) -> np.ndarray:
    """``first, first * f[0], (first * f[0]) * f[1], ...``: torch's chainable ``lr *= factor``, in its
    order (``multiply.accumulate`` runs strictly left to right)."""
    return np.multiply.accumulate(np.concatenate(([first], factors)))


# --- tables: the first n rates, replaying torch's get_lr -------------------------------------------

def _constant_table(n, lr):
    return np.full(n, lr)


def _step_table(n, lr, step_size, gamma):
    t = np.arange(1, n)
    return _chain(lr, np.where(t % step_size == 0, gamma, 1.0))


def _multistep_table(n, lr, milestones, gamma):
    factors = np.ones(n)
    for m, count in Counter(milestones).items():
        if m < n:
            factors[m] = gamma**count  # torch: lr * gamma ** milestones[last_epoch], a milestone 0 included
    return _chain(lr, factors)[1:]


def _linear_table(n, lr, start_factor, end_factor, total_iters):
    t = np.arange(1, min(n, total_iters + 1))
    d = end_factor - start_factor
    factors = np.ones(n - 1)
    factors[: len(t)] = 1.0 + d / (total_iters * start_factor + (t - 1) * d)
    return _chain(lr * start_factor, factors)


def _exponential_table(n, lr, gamma):
    return _chain(lr, np.full(n - 1, gamma))


def _polynomial_table(n, lr, total_iters, power):
    t = np.arange(1, min(n, total_iters + 1))
    ratio = (1.0 - t / total_iters) / (1.0 - (t - 1) / total_iters)
    factors = np.ones(n - 1)
    factors[: len(t)] = [r**power for r in ratio.tolist()]
    return _chain(lr, factors)


def _cosine_table(n, lr, T_max, eta_min):
    t = np.arange(n)
    c = _cos(np.pi * t / T_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (1 + c[1:]) / (1 + c[:-1])
    # where 1 + cos(π(t-1)/T_max) = 0 torch adds instead of multiplying, and the rate climbs again
    rise = (lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
    adds = (t[1:] - 1 - T_max) % (2 * T_max) == 0
    out = [lr]
    x = lr
    for r, add in zip(ratio.tolist(), adds.tolist(), strict=True):
        x = x + rise if add else r * (x - eta_min) + eta_min
        out.append(x)
    return out


def _cosine_restarts_table(n, lr, T_0, T_mult, eta_min):
    t = np.arange(n)
    if T_mult == 1:
        t_cur, t_i = t % T_0, np.full(n, T_0)
    else:
        starts, lengths = [0], [T_0]
        while starts[-1] + lengths[-1] < n:
            starts.append(starts[-1] + lengths[-1])
            lengths.append(lengths[-1] * T_mult)
        k = np.searchsorted(starts, t, side="right") - 1
        t_cur, t_i = t - np.asarray(starts)[k], np.asarray(lengths)[k]
    return eta_min + (lr - eta_min) * (1 + _cos(np.pi * t_cur / t_i)) / 2


def _cyclic_table(n, base_lr, max_lr, step_size_up, step_size_down, mode, gamma):
    up = float(step_size_up)
    total = up + (up if step_size_down is None else float(step_size_down))
    ratio = up / total
    t = np.arange(n)
    cycle = np.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    height = (max_lr - base_lr) * scale
    if mode == "triangular":
        return base_lr + height * 1.0
    if mode == "triangular2":
        return base_lr + height * np.ldexp(1.0, -(cycle.astype(np.int64) - 1))  # 1 / 2.0 ** (cycle - 1)
    return base_lr + height * np.array([gamma**k for k in range(n)], dtype=float)


def onecycle_phases(total_steps: int, pct_start: float, three_phase: bool) -> list[tuple[float, str, str]]:
    """torch's phases: (end_step, start rate, end rate), each phase starting where the last ended."""
    up = float(pct_start * total_steps) - 1
    if three_phase:
        return [(up, "initial", "max"), (float(2 * pct_start * total_steps) - 2, "max", "initial"),
                (total_steps - 1, "initial", "min")]
    return [(up, "initial", "max"), (total_steps - 1, "max", "min")]


def _onecycle_table(n, max_lr, total_steps, pct_start, anneal_strategy, div_factor, final_div_factor,
                    three_phase):
    initial = max_lr / div_factor
    rates = {"initial": initial, "max": max_lr, "min": initial / final_div_factor}
    t = np.arange(min(n, total_steps)).astype(float)
    out = np.empty(len(t))
    todo = np.ones(len(t), dtype=bool)
    phases = onecycle_phases(total_steps, pct_start, three_phase)
    start_step = 0.0
    for i, (end_step, a, b) in enumerate(phases):
        here = todo & (t <= end_step) if i < len(phases) - 1 else todo
        pct = (t[here] - start_step) / (end_step - start_step)
        start, end = rates[a], rates[b]
        if anneal_strategy == "cos":
            out[here] = end + (start - end) / 2.0 * (_cos(np.pi * pct) + 1)
        else:
            out[here] = (end - start) * pct + start
        todo &= ~here
        start_step = end_step
    # past the cycle torch raises; the rate stays at its final value
    return np.concatenate((out, np.full(n - len(out), out[-1])))


# --- makers: Spec.make, given validated parameters -------------------------------------------------

def constant(lr):
    r"""\varepsilon_t = \varepsilon_0"""
    return Schedule("constant", {"lr": lr}, _constant_table, (lr,))


def step(lr, step_size, gamma):
    r"""\varepsilon_t = \varepsilon_{t-1}\,\gamma \text{ if } t \bmod s = 0,\ t > 0
    \quad\left(= \varepsilon_0\,\gamma^{\lfloor t/s \rfloor}\right)"""
    return Schedule("step", {"lr": lr, "step_size": step_size, "gamma": gamma}, _step_table,
                    (lr, step_size, gamma))


def multistep(lr, milestones, gamma):
    r"""\varepsilon_t = \varepsilon_{t-1}\,\gamma^{\#\{m \in M:\ m = t\}}
    \quad\left(= \varepsilon_0\,\gamma^{\#\{m \in M:\ m \le t\}}\right)"""
    milestones = tuple(milestones)
    return Schedule("multistep", {"lr": lr, "milestones": milestones, "gamma": gamma}, _multistep_table,
                    (lr, milestones, gamma))


def linear(lr, start_factor, end_factor, total_iters):
    r"""\varepsilon_t = \varepsilon_0 \left(f_s + (f_e - f_s)\,\frac{\min(t, T)}{T}\right)
    \text{, run as } \varepsilon_t = \varepsilon_{t-1}\left(1 + \frac{f_e - f_s}{T f_s + (t-1)(f_e - f_s)}\right)"""
    return Schedule("linear", {"lr": lr, "start_factor": start_factor, "end_factor": end_factor,
                               "total_iters": total_iters}, _linear_table,
                    (lr, start_factor, end_factor, total_iters))


def exponential(lr, gamma):
    r"""\varepsilon_t = \varepsilon_{t-1}\,\gamma \quad\left(= \varepsilon_0\,\gamma^t\right)"""
    return Schedule("exponential", {"lr": lr, "gamma": gamma}, _exponential_table, (lr, gamma))


def cosine(lr, T_max, eta_min):
    r"""\varepsilon_t = \eta_{\min} + (\varepsilon_{t-1} - \eta_{\min})\,
    \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t-1) / T_{\max})}
    \quad\left(\approx \eta_{\min} + \tfrac12 (\varepsilon_0 - \eta_{\min})
    \left(1 + \cos\frac{\pi t}{T_{\max}}\right)\right)"""
    return Schedule("cosine", {"lr": lr, "T_max": T_max, "eta_min": eta_min}, _cosine_table,
                    (lr, T_max, eta_min))


def cosine_restarts(lr, T_0, T_mult, eta_min):
    r"""\varepsilon_t = \eta_{\min} + \tfrac12 (\varepsilon_0 - \eta_{\min})
    \left(1 + \cos\frac{\pi T_{cur}}{T_i}\right),\quad T_i = T_0\, T_{mult}^{\,i}"""
    return Schedule("cosine_restarts", {"lr": lr, "T_0": T_0, "T_mult": T_mult, "eta_min": eta_min},
                    _cosine_restarts_table, (lr, T_0, T_mult, eta_min))


def polynomial(lr, total_iters, power):
    r"""\varepsilon_t = \varepsilon_0 \left(1 - \frac{\min(t, T)}{T}\right)^{p}
    \text{; } p = 1\text{: } \varepsilon_t = \varepsilon_0 - \alpha t,\ \alpha = \varepsilon_0 / T"""
    return Schedule("polynomial", {"lr": lr, "total_iters": total_iters, "power": power},
                    _polynomial_table, (lr, total_iters, power))


def cyclic(base_lr, max_lr, step_size_up, step_size_down, mode, gamma):
    r"""\varepsilon_t = \varepsilon_{base} + (\varepsilon_{max} - \varepsilon_{base})\,h(x)\,\sigma,\
    c = \left\lfloor 1 + \frac{t}{s_u + s_d} \right\rfloor,\ x = 1 + \frac{t}{s_u + s_d} - c,\
    h = \begin{cases} x / r & x \le r \\ (1 - x)/(1 - r) & x > r \end{cases},\ r = \frac{s_u}{s_u + s_d},\
    \sigma = 1,\ 2^{1-c},\ \gamma^t"""
    params = {"base_lr": base_lr, "max_lr": max_lr, "step_size_up": step_size_up,
              "step_size_down": step_size_down, "mode": mode, "gamma": gamma}
    return Schedule("cyclic", params, _cyclic_table, tuple(params.values()))


def onecycle(max_lr, total_steps, pct_start, anneal_strategy, div_factor, final_div_factor, three_phase):
    r"""\varepsilon_t = \mathrm{anneal}\left(\varepsilon_a, \varepsilon_b,
    \frac{t - t_a}{t_b - t_a}\right) \text{ in the phase } (t_a, t_b] \ni t,\
    \mathrm{cos}: \varepsilon_b + \tfrac12(\varepsilon_a - \varepsilon_b)(1 + \cos \pi p),\
    \mathrm{linear}: \varepsilon_a + (\varepsilon_b - \varepsilon_a)\,p;\
    \varepsilon_0 = \frac{\varepsilon_{max}}{d} \to \varepsilon_{max} \to \frac{\varepsilon_0}{d_f}"""
    phases = onecycle_phases(total_steps, pct_start, three_phase)
    if phases[0][0] == 0.0:
        raise ValueError(f"OneCycle: pct_start × total_steps must not be 1 (here {pct_start:g} × {total_steps}): "
                         "torch's first phase would be empty and divide by zero; choose another pct_start")
    params = {"max_lr": max_lr, "total_steps": total_steps, "pct_start": pct_start,
              "anneal_strategy": anneal_strategy, "div_factor": div_factor,
              "final_div_factor": final_div_factor, "three_phase": three_phase}
    return Schedule("onecycle", params, _onecycle_table, tuple(params.values()))


# --- specs ---------------------------------------------------------------------------------------

_LR = Param("lr", 0.01, low=0.0, widget=(1e-5, 10.0), log=True, label="initial learning rate ε₀",
            help="the optimizer's lr, which the schedule scales")


def _gamma(default, widget=(0.01, 1.0), log=True, help=""):
    return Param("gamma", default, low=0.0, widget=widget, log=log, label="decay factor γ", help=help)


def _eta_min():
    return Param("eta_min", 0.0, low=0.0, widget=(0.0, 1.0), label="minimum rate η_min")


def _spec(make, title, params, torch_name, note, lr=True, **extra):
    latex = " ".join(make.__doc__.split())  # the maker's docstring is the formula: one source
    return Spec(make.__name__, title, make, ((_LR,) if lr else ()) + params,
                f"torch.optim.lr_scheduler.{torch_name}", latex, note, _LR if lr else None, extra,
                run_rate="lr" if lr else "max_lr")


SPECS = (
    _spec(constant, "Constant", (), "ConstantLR",
          "The optimizer's rate at every step: torch with no scheduler, or ConstantLR with factor=1.",
          factor=1.0),
    _spec(step, "Step decay", (
        Param("step_size", 100, kind="int", low=1, widget=(1, 1000), label="step size s",
              help="multiply the rate by γ every s steps"),
        _gamma(0.1, help="torch's default: 0.1, the lecture's 'scale it by 1/10'")), "StepLR",
          "The lecture's 'scale it by 1/10 at appropriate timing', at regular intervals. torch multiplies "
          "the current rate by γ (chainable), which differs from ε₀γ^k in the last bits; this replays it."),
    _spec(multistep, "Multi-step decay", (
        Param("milestones", (100, 200), kind="ints", low=0, widget=(0, 1000), label="milestones M",
              help="the steps at which the rate is multiplied by γ; a repeated one multiplies again"),
        _gamma(0.1)), "MultiStepLR",
          "The lecture's 'scale it by 1/10 at appropriate timing', at chosen steps. As torch: the order "
          "of milestones does not matter, a repeated milestone applies γ once per repetition, and a "
          "milestone 0 scales the very first update."),
    _spec(linear, "Linear warm-up / decay", (
        Param("start_factor", 1.0 / 3, low=0.0, high=1.0, open_low=True, widget=(0.01, 1.0), log=True,
              label="start factor f_s"),
        Param("end_factor", 1.0, low=0.0, high=1.0, widget=(0.0, 1.0), label="end factor f_e"),
        Param("total_iters", 100, kind="int", low=1, widget=(1, 2000), label="steps T",
              help="torch's default is 5 (a warm-up too short to see here)")), "LinearLR",
          "The factor moves linearly from f_s to f_e over T steps, then stays. torch runs it as a "
          "multiplicative recursion; this replays it. torch also accepts T ≤ 0, which we do not."),
    _spec(exponential, "Exponential decay", (
        _gamma(0.99, widget=(0.9, 1.0), log=False),), "ExponentialLR",
          "Multiplies the rate by γ after every update (chainable in torch, replayed here); γ > 1 grows it."),
    _spec(cosine, "Cosine annealing", (
        Param("T_max", 300, kind="int", low=1, widget=(1, 5000), label="half period T_max"),
        _eta_min()), "CosineAnnealingLR",
          "torch runs a recursion (shown) that follows the closed form (in brackets) only up to rounding, "
          "which accumulates (beyond 1e-12 relative over a few thousand steps); this replays the "
          "recursion. Past T_max the rate climbs back along the cosine, as in torch (no restart)."),
    _spec(cosine_restarts, "Cosine with warm restarts (SGDR)", (
        Param("T_0", 100, kind="int", low=1, widget=(1, 2000), label="first period T_0"),
        Param("T_mult", 1, kind="int", low=1, widget=(1, 4), label="period factor T_mult"),
        _eta_min()), "CosineAnnealingWarmRestarts",
          "The cosine restarts at ε₀ after T_0, then after T_0·T_mult, T_0·T_mult², ... steps. T_cur "
          "counts the steps since the last restart (stepped once per update, as torch's step())."),
    _spec(polynomial, "Polynomial decay", (
        Param("total_iters", 300, kind="int", low=1, widget=(1, 5000), label="steps T",
              help="torch's default is 5; the rate is 0 from step T on"),
        Param("power", 1.0, low=0.0, widget=(0.0, 5.0), label="power p")), "PolynomialLR",
          "Power 1 is the lecture's linear decay ε_t = ε₀ − αt with α = ε₀/T, stopped at 0 from step T "
          "on (the lecture's form would turn negative). torch runs a multiplicative recursion; this "
          "replays it. We ask power ≥ 0 and T ≥ 1; torch checks neither."),
    _spec(cyclic, "Cyclical (CLR)", (
        Param("base_lr", 0.001, low=0.0, widget=(1e-5, 10.0), log=True, label="lower rate ε_base"),
        Param("max_lr", 0.01, low=0.0, widget=(1e-5, 10.0), log=True, label="upper rate ε_max"),
        Param("step_size_up", 50, kind="int", low=1, widget=(1, 1000), label="steps up s_u",
              help="torch's default is 2000, longer than a run here"),
        OptionalParam("step_size_down", None, kind="int", low=0, widget=(0, 1000), label="steps down s_d",
                      none_means="the same as step_size_up"),
        Param("mode", "triangular", kind="choice", choices=("triangular", "triangular2", "exp_range"),
              label="mode", help="σ = 1, halved every cycle, or γ^t"),
        Param("gamma", 1.0, low=0.0, high=1.0, widget=(0.9, 1.0), label="γ (exp_range)")), "CyclicLR",
          "Smith's cyclical learning rate (the lecture's 'cyclical control'). Only the rate is set: compare "
          "with torch's cycle_momentum=False (its default True also cycles the optimizer's momentum or β₁, "
          "which no schedule here does). The optimizer's own lr is ignored, as in torch.",
          lr=False, cycle_momentum=False),
    _spec(onecycle, "One cycle", (
        Param("max_lr", 0.01, low=0.0, widget=(1e-5, 10.0), log=True, label="peak rate ε_max"),
        Param("total_steps", 300, kind="int", low=1, widget=(1, 5000), label="total steps"),
        Param("pct_start", 0.3, low=0.0, high=1.0, widget=(0.0, 1.0), label="share rising"),
        Param("anneal_strategy", "cos", kind="choice", choices=("cos", "linear"), label="annealing"),
        Param("div_factor", 25.0, low=0.0, open_low=True, widget=(1.0, 1000.0), log=True,
              label="d: ε_start = ε_max / d"),
        Param("final_div_factor", 1e4, low=0.0, open_low=True, widget=(1.0, 1e6), log=True,
              label="d_f: ε_end = ε_start / d_f"),
        Param("three_phase", False, kind="bool", label="three phases",
              help="rise, fall back to ε_start symmetrically, then anneal to ε_end")), "OneCycleLR",
          "Rises from ε_max/d to ε_max over pct_start of the cycle, then anneals to ε_max/(d·d_f) "
          "(three_phase: back down to ε_max/d first, then to the end). Only the rate is set: compare with "
          "torch's cycle_momentum=False. From step total_steps on the cycle is over (torch raises on the "
          "next scheduler.step()); here the rate stays at its last value, that of step total_steps − 1. "
          "pct_start × total_steps = 1 is refused: torch divides by zero at its first step. "
          "The optimizer's own lr is ignored, as in torch.",
          lr=False, cycle_momentum=False),
)

SCHEDULES = Registry("schedule", SPECS)
