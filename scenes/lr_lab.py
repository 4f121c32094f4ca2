"""The learning-rate page's model: its settings as one frozen value with a text round trip for links,
and what they compute (the range test for a few seeds, the grid search beside it, the run at the
chosen rate, the six schedules, the links into the explorer).

``LrLab`` is to the page what ``Scene`` is to the explorer: valid once it exists (every field checked
against its ``Param`` in ``PARAMS``, the rules that tie fields together, and the work a network may
ask), hashable, so the page caches on it, and written to a link by ``to_query`` and read back by
``from_query``, which never raises and lists every value it ignored::

    ?problem=beale&optimizer=sgd(momentum=0.9)&end_lr=1.0&seeds=1&rate=0.02
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any, NamedTuple

import numpy as np

from networks.problem import MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH, NetworkProblem
from optimizers import OPTIMIZERS, StochasticSurface
from optimizers.spec import Param
from surfaces import SURFACES

from .lr_grid import (
    MAX_RATES,
    MAX_STEPS,
    GridSearch,
    RateRun,
    Verdict,
    cyclic_bounds,
    grid_rates,
    grid_search,
    judge,
    nearest,
    suggested_rates,
    train_rate,
)
from .lr_range import KEYS, MAX_ITER, MAX_LR, MIN_ITER, MODES, RULES, RangeTest, lr_range_test
from .lr_schedules import LABELS, compare_schedules, schedule_set, schedule_table
from .model import RunSpec, Scene
from .text import format_value, make_schedule, parse_call, parse_run

NETWORKS = {"digits": "Network: digits (8 × 8 images)", "moons": "Network: moons (2-D points)"}
SURFACE_KEYS = tuple(k for k, s in SURFACES.items() if s.minima)  # the saddles' loss falls without bound
PROBLEMS = (*NETWORKS, *SURFACE_KEYS)
MAX_SEEDS = 5
MAX_EPOCHS = 100
BETA = 0.98  # Gugger's smoothing
DIVISOR = 4.0  # Smith: the base rate a quarter of the maximum
NAMES = {"fastai_valley": "fastai valley", "fastai_slide": "fastai slide", "fastai_minimum": "fastai minimum",
         "fastai_steep": "fastai steep", "lightning": "Lightning", "gugger": "Gugger"}

PARAMS = {p.name: p for p in (
    Param("start_lr", 1e-5, low=0.0, open_low=True, high=MAX_LR, widget=(1e-7, 1.0), log=True, label="start_lr",
          help="the rate of the first iteration"),
    Param("end_lr", 10.0, low=0.0, open_low=True, high=MAX_LR, widget=(1e-3, MAX_LR), log=True, label="end_lr",
          help="the rate of the last iteration, if the test gets there"),
    Param("num_iter", 100, kind="int", low=MIN_ITER, high=MAX_ITER, widget=(1, MAX_ITER), label="iterations",
          help=f"minibatches (steps on a surface) from start_lr to end_lr, {MIN_ITER} to {MAX_ITER}: with fewer, "
               "some tool's rule has too few points"),
    Param("mode", "exp", kind="choice", choices=MODES, label="the rate grows",
          help="exponentially (Gugger, fastai, Lightning) or linearly (Smith's original test)"),
    Param("stop", 4.0, low=1.0, open_low=True, high=1e6, widget=(1.0, 100.0), label="stop at k × best",
          help="the test stops when the smoothed loss exceeds k times its best (Gugger: 4)"),
    Param("seeds", 3, kind="int", low=1, high=MAX_SEEDS, label="seeds",
          help="range tests with other initializations and minibatch orders, to see the suggestions scatter"),
    Param("rates", 20, kind="int", low=2, high=MAX_RATES, label="grid rates",
          help="log-spaced rates from start_lr to end_lr, each trained at a constant rate"),
    Param("steps", 100, kind="int", low=5, high=MAX_STEPS, label="steps per rate",
          help="updates (minibatches on a network) of each grid rate and of the chosen rate"),
    Param("depth", 1, kind="int", low=1, high=MAX_HIDDEN_LAYERS, label="hidden layers"),
    Param("width", 64, kind="int", low=2, high=MAX_HIDDEN_WIDTH, label="units per layer"),
    Param("batch_size", 32, kind="int", low=2, high=512, label="minibatch"),
    Param("epochs", 10, kind="int", low=1, high=MAX_EPOCHS, label="epochs",
          help="how long each schedule trains"),
    Param("presentation", False, kind="bool", label="Presentation mode",
          help="Larger type, thicker lines, no sidebar: for projectors"),
)}
GROUPS = {"Range test": ("start_lr", "end_lr", "num_iter", "mode", "stop", "seeds"), "Grid search": ("rates", "steps"),
          "Network": ("depth", "width", "batch_size", "epochs"), "Page": ("presentation",)}
OWNER = {name: group for group, names in GROUPS.items() for name in names}
RATE = Param("rate", 0.01, low=0.0, open_low=True, high=MAX_LR, help="the chosen rate; none: fastai's valley")


@dataclass(frozen=True)
class LrLab:
    """The learning-rate page's settings; ValueError, naming the valid range, where one is not valid.

    problem: a key of NETWORKS (an MLP of ``depth`` hidden layers of ``width`` tanh units, minibatches
    of ``batch_size``) or of SURFACE_KEYS. optimizer and params: a key of OPTIMIZERS and its settings
    under torch's names (plain SGD by default: Smith's bounds hold for it, see ``bounds_note``).
    start_lr ... stop: the range test (``scenes.lr_range_test``). seeds: how many range tests (one on a
    surface without randomness). rates and steps: the grid search over [start_lr, end_lr] and the run
    at the chosen rate. epochs: the schedules on a network. presentation: larger type for a projector.
    rate: the rate chosen on the curve, None for fastai's default suggestion (``chosen``).
    """

    problem: str = "digits"
    optimizer: str = "sgd"
    params: tuple[tuple[str, Any], ...] = ()
    start_lr: float = 1e-5
    end_lr: float = 10.0
    num_iter: int = 100
    mode: str = "exp"
    stop: float = 4.0
    seeds: int = 3
    rates: int = 20
    steps: int = 100
    depth: int = 1
    width: int = 64
    batch_size: int = 32
    epochs: int = 10
    presentation: bool = False
    rate: float | None = field(default=None)

    def __post_init__(self):
        if self.problem not in PROBLEMS:
            raise ValueError(f"problem={str(self.problem)[:40]!r} is unknown; valid problems are: "
                             f"{', '.join(PROBLEMS)}")
        object.__setattr__(self, "params", RunSpec(self.optimizer, 1.0, self.params).params)
        for name, p in PARAMS.items():
            object.__setattr__(self, name, p.validate(getattr(self, name), OWNER[name]))
        if self.start_lr >= self.end_lr:
            raise ValueError(f"start_lr={self.start_lr:g} must lie below end_lr={self.end_lr:g}: the test runs from "
                             f"the start rate up to the end rate, both in (0, {MAX_LR:g}]")
        if self.rate is not None:
            object.__setattr__(self, "rate", RATE.validate(self.rate, "Chosen rate"))
        if self.network:
            self._check_network()

    def _check_network(self) -> None:
        p = self.network_problem()
        p.check_work(self.num_iter, f"a range test of {self.num_iter} iterations")
        p.check_work(self.rates * self.steps, f"a grid search of {self.rates} rates × {self.steps} minibatches")
        steps = self.schedule_steps
        if not 8 <= steps <= MAX_STEPS:
            raise ValueError(f"epochs={self.epochs}: the schedules train {steps:,} minibatches ({p.steps_per_epoch} "
                             f"per epoch); choose epochs from {math.ceil(8 / p.steps_per_epoch)} to "
                             f"{MAX_STEPS // p.steps_per_epoch}")
        p.check_work(len(LABELS) * steps, f"training under {len(LABELS)} schedules for {self.epochs} epochs")

    # ---- what the settings describe

    @property
    def network(self) -> bool:
        return self.problem in NETWORKS

    def network_problem(self) -> NetworkProblem:
        return NetworkProblem(data=self.problem, depth=self.depth, width=self.width, batch_size=self.batch_size)

    def problem_object(self):
        """The NetworkProblem or the Surface the tests run on."""
        return self.network_problem() if self.network else SURFACES[self.problem]

    @property
    def random(self) -> bool:
        """Whether seeds change the test: a network (initialization, minibatches) or noisy moons (minibatches)."""
        return self.network or isinstance(SURFACES[self.problem], StochasticSurface)

    @property
    def seeds_drawn(self) -> int:
        return self.seeds if self.random else 1

    @property
    def schedule_steps(self) -> int:
        return self.epochs * self.network_problem().steps_per_epoch

    @property
    def unit(self) -> str:
        return "minibatches" if self.network else "steps"

    def settings(self) -> dict[str, Any]:
        """The optimizer's settings, every one (its defaults updated with ``params``)."""
        return {**OPTIMIZERS[self.optimizer].defaults(), **dict(self.params)}

    def plain_sgd(self) -> bool:
        s = self.settings()
        return self.optimizer == "sgd" and s["momentum"] == 0 and s["weight_decay"] == 0

    def test_settings(self) -> LrLab:
        """These settings without the chosen rate and the presentation: what the tests and the grid depend on."""
        return replace(self, rate=None, presentation=False)


# ---- the text round trip ------------------------------------------------------------------------

FIELDS = tuple(f.name for f in fields(LrLab) if f.name != "params")
DEFAULT = LrLab()


def format_optimizer(lab: LrLab) -> str:
    """``sgd`` or ``sgd(momentum=0.9,nesterov=true)``: the optimizer and the settings that differ from torch's."""
    inner = ",".join(f"{k}={format_value(v)}" for k, v in lab.params)
    return lab.optimizer + (f"({inner})" if inner else "")


def _parse(name: str, text: str):
    if name == "optimizer":
        if "lr" in parse_call(text)[1]:
            raise ValueError("optimizer: write the rate as rate=..., not inside optimizer=(...)")
        run = parse_run(text)
        return {"optimizer": run.optimizer, "params": run.params}
    if name == "rate":
        if text.lower() == "none":
            return {"rate": None}
        try:
            return {"rate": float(text)}
        except ValueError:
            raise ValueError(f"rate={text[:20]!r} is not a number; {RATE.describe_range()} or none") from None
    p = PARAMS.get(name)
    if p is None:  # problem
        return {name: text}
    return {name: p.validate(text, OWNER[name])}


def from_query(params: dict[str, str | list[str]]) -> tuple[LrLab, list[str]]:
    """The settings a link describes, and a warning for every value that was ignored (it keeps its
    default). Never raises. Values that are valid together are all kept; otherwise they are taken in
    the order of the fields, each kept only if the settings stay valid with it."""
    warnings: list[str] = []
    parsed: dict[str, dict] = {}
    for name in FIELDS:
        raw = params.get(name)
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        try:
            parsed[name] = _parse(name, str(raw).strip()[:2000])
        except (ValueError, OverflowError) as e:
            warnings.append(_named(name, e))
    unknown = sorted(k for k in params if k not in FIELDS and k not in ("embed", "embed_options"))
    if unknown:
        warnings.append(f"unknown link parameters ignored: {', '.join(str(k)[:30] for k in unknown[:10])}")
    try:
        return LrLab(**{k: v for values in parsed.values() for k, v in values.items()}), warnings
    except ValueError:
        pass
    kept: dict[str, Any] = {}
    for name, values in parsed.items():
        try:
            LrLab(**kept, **values)
            kept.update(values)
        except ValueError as e:
            warnings.append(_named(name, e) + "; it keeps its default")
    return LrLab(**kept), warnings


def to_query(lab: LrLab) -> dict[str, str]:
    """The link's query parameters: every setting that differs from the default; ``from_query`` reads
    them back to ``lab``."""
    q = {}
    for name in FIELDS:
        value = getattr(lab, name)
        if name == "optimizer":
            if (lab.optimizer, lab.params) != (DEFAULT.optimizer, DEFAULT.params):
                q[name] = format_optimizer(lab)
        elif value != getattr(DEFAULT, name):
            q[name] = format_value(value)
    return q


def _named(name: str, e: Exception) -> str:
    """The message of ``e``, prefixed by the link parameter it is about where it does not say so."""
    text = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    return text if text.startswith(f"{name}") or f" {name}=" in text else f"{name}: {text}"


# ---- what the settings compute ------------------------------------------------------------------

class LabResult(NamedTuple):
    tests: tuple[RangeTest, ...]  # one range test per seed drawn, seed 0 first
    grid: GridSearch  # seed 0's initialization and minibatch order, rates from start_lr to end_lr
    verdicts: list[Verdict]  # seed 0's suggestions against the grid, in KEYS order
    bounds: dict[str, dict[str, float]]  # Smith's cyclical bounds read off seed 0's test


def compute(lab: LrLab, progress=None) -> LabResult:
    """The range tests, the grid search and the runs at seed 0's suggested rates.
    ``progress(fraction, text)`` is called as the work goes."""
    problem, settings = lab.problem_object(), lab.settings()
    report = progress or (lambda fraction, text: None)
    total = lab.seeds_drawn + lab.rates + len(KEYS)  # at most len(KEYS) distinct suggested rates
    tests = []
    for seed in range(lab.seeds_drawn):
        report(seed / total, f"Range test, seed {seed}…")
        tests.append(lr_range_test(problem, lab.optimizer, start_lr=lab.start_lr, end_lr=lab.end_lr,
                                   num_iter=lab.num_iter, mode=lab.mode, beta=BETA, diverge_th=lab.stop, seed=seed,
                                   **settings))
    done = lab.seeds_drawn
    grid = grid_search(problem, grid_rates(lab.start_lr, lab.end_lr, lab.rates), lab.optimizer, steps=lab.steps,
                       progress=lambda i, n: report((done + i) / total, f"Grid search, rate {i} of {n}…"),
                       **settings)
    suggestions = tests[0].suggestions()
    rates = suggested_rates(suggestions)
    trained = None
    if rates.size:
        done = total - rates.size
        trained = grid_search(problem, rates, lab.optimizer, steps=lab.steps, **settings,
                              progress=lambda i, n: report((done + i) / total, f"Suggested rate {i} of {n}…"))
    return LabResult(tuple(tests), grid, judge(suggestions, grid, trained), cyclic_bounds(tests[0], DIVISOR))


def snap(rate: float, lrs: np.ndarray) -> float:
    """The tested rate nearest ``rate`` on a log scale (the first, if tied)."""
    return float(lrs[int(np.argmin(np.abs(np.log(lrs) - math.log(rate))))])


def chosen(lab: LrLab, test: RangeTest) -> float:
    """The chosen rate: ``lab.rate``, else fastai's default suggestion (valley), else the first tested
    rate, snapped to the tested rate nearest it."""
    valley = test.suggestions()["fastai_valley"]
    rate = lab.rate if lab.rate is not None else (valley if math.isfinite(valley) else float(test.lrs[0]))
    return snap(rate, test.lrs)


def rate_run(lab: LrLab, rate: float) -> RateRun:
    """``lab.steps`` updates at the constant ``rate`` with seed 0: the path on a surface, or about twenty
    points of the training and test losses on a network."""
    evals = np.unique(np.linspace(0, lab.steps, 21).round().astype(int)) if lab.network else None
    return train_rate(lab.problem_object(), rate, lab.optimizer, steps=lab.steps, eval_at=evals, **lab.settings())


def schedules(lab: LrLab, rate: float, max_lr: float, progress=None) -> dict:
    """The six schedules on the network for ``lab.epochs`` epochs, all from seed 0: constant, ×1/10,
    linear decay and cosine from ``rate``, cyclical and one cycle up to ``max_lr`` (from ``max_lr`` / 4)."""
    p = lab.network_problem()
    steps = lab.schedule_steps
    chosen_set = schedule_set(rate, max_lr, steps, p.steps_per_epoch, divisor=DIVISOR)
    return compare_schedules(p, chosen_set, steps, lab.optimizer, progress=progress, **lab.settings())


def explorer_scene(lab: LrLab, rate: float, schedule: str = "constant", bounds=None) -> Scene:
    """The explorer's scene of this surface with one run of the optimizer at ``rate`` for ``lab.steps``
    steps from the surface's start; ``schedule`` "cyclic" or "onecycle" takes ``bounds`` (``cyclic_bounds``)
    and runs up to their max_lr."""
    if lab.network:
        raise ValueError("the explorer shows surfaces; a network's rate is used by the schedules below it")
    if schedule == "constant":
        return Scene(surface=lab.problem, runs=(RunSpec(lab.optimizer, rate, lab.params),), steps=lab.steps)
    b = bounds[schedule]
    if schedule == "cyclic":
        own = {"base_lr": b["base_lr"], "step_size_up": max(1, lab.steps // 4)}
    else:
        own = {"total_steps": lab.steps, "div_factor": b["div_factor"]}
    name, params = make_schedule(schedule, own)
    return Scene(surface=lab.problem, runs=(RunSpec(lab.optimizer, b["max_lr"], lab.params),), schedule=name,
                 schedule_params=params, steps=lab.steps)


# ---- what the page says about it ----------------------------------------------------------------

def suggestion_groups(suggestions: dict[str, float]) -> list[tuple[float, tuple[str, ...]]]:
    """The distinct finite suggested rates, low to high, each with the keys (KEYS order) that suggest it."""
    groups: dict[float, list[str]] = {}
    for key in KEYS:
        if math.isfinite(suggestions[key]):
            groups.setdefault(suggestions[key], []).append(key)
    return [(rate, tuple(keys)) for rate, keys in sorted(groups.items())]


def names(keys) -> str:
    return " and ".join(NAMES[k] for k in keys)


def _decades(d: float) -> str:
    return f"{abs(d):.2f} decades {'above' if d > 0 else 'below'} it" if round(d, 2) else "on it"


def nearest_sentence(verdicts: list[Verdict], grid: GridSearch, unit: str, start_loss: float) -> str:
    """Which suggestion lands nearest the grid's best rate, and which farthest, in numbers. ``start_loss``
    is the loss before training (the range test's first); a grid whose every rate ends above it trains
    at no rate, and the sentence says so instead."""
    if not np.isfinite(grid.final).any():
        return f"Every rate of the grid diverged within {grid.steps} {unit}: no rate trains here."
    lowest = grid.final[grid.best]
    if not lowest < start_loss:
        return (f"No rate of the grid lowers the loss within {grid.steps} {unit}: the lowest, {lowest:.3g} at "
                f"{grid.best_lr:.3g}, is above the start's {start_loss:.3g}. Start the test and the grid lower.")
    best = f"In the grid, **{grid.best_lr:.3g}** trains best (loss {lowest:.3g} after {grid.steps} {unit})."
    near = nearest(verdicts)
    if near is None:
        return best + " No suggestion could be read off the test: it stopped too early."
    found = [v for v in verdicts if math.isfinite(v.decades)]
    far = max(found, key=lambda v: abs(v.decades))
    ties = [v.key for v in found if v.lr == near.lr]
    far_ties = [v.key for v in found if v.lr == far.lr]
    text = f"{best} Nearest to it: **{names(ties)}** at {near.lr:.3g}, {_decades(near.decades)}"
    if far.lr != near.lr:
        text += f"; farthest: **{names(far_ties)}** at {far.lr:.3g}, {_decades(far.decades)}"
    return text + "."


def bounds_note(lab: LrLab, bounds: dict, grid: GridSearch) -> str:
    """Smith's bounds read off the test, and how the grid's rate nearest max_lr trained: where it
    diverges, the bounds are too high, which the note says, with why."""
    top = bounds["cyclic"]["max_lr"]
    if not math.isfinite(top):
        return "No cyclical bounds: the test recorded no finite loss."
    i = int(np.argmin(np.abs(np.log(grid.lrs / top))))
    text = (f"Smith's bounds from the test: max_lr = {top:.3g} (the smoothed loss's minimum), base_lr = max_lr / "
            f"{DIVISOR:g} = {bounds['cyclic']['base_lr']:.3g}. The grid's rate nearest max_lr, {grid.lrs[i]:.3g}, ")
    if math.isfinite(grid.final[i]):
        text += f"ends at a loss of {grid.final[i]:.3g} (best {grid.final[grid.best]:.3g})."
    else:
        text += (f"diverges within {grid.steps} {lab.unit}: these bounds are too high here. The smoothed curve lags "
                 f"the raw loss by about 1/(1 − β) = {1 / (1 - BETA):.0f} iterations, so its minimum lies past the "
                 "blow-up.")
    if not lab.plain_sgd():
        text += (" Smith's rule is for plain SGD: with momentum (or another optimizer) the loss blows up faster than "
                 "the smoothed curve shows, and max_lr may lie where training diverges.")
    return text


def _g(v: float, digits: int = 3) -> str:
    return f"{v:.{digits}g}" if math.isfinite(v) else ("diverged" if v == math.inf else "—")


def suggestion_rows(result: LabResult, lab: LrLab) -> list[dict[str, str]]:
    """The table under the curve: every tool's rule, its rate for each seed, how far it lies from the
    grid's best rate, and the loss when trained at it."""
    per_seed = [t.suggestions() for t in result.tests]
    rows = []
    for v in result.verdicts:
        row = {"suggestion": NAMES[v.key], "rule": RULES[v.key], "rate (seed 0)": _g(v.lr)}
        if len(per_seed) > 1:
            found = [s[v.key] for s in per_seed if math.isfinite(s[v.key])]
            row[f"seeds 0–{len(per_seed) - 1}"] = f"{min(found):.3g} … {max(found):.3g}" if found else "—"
        row["decades from the best grid rate"] = f"{v.decades:+.2f}" if math.isfinite(v.decades) else "—"
        row[f"loss after {lab.steps} {lab.unit} at it"] = _g(v.final)
        if lab.network:
            row["test loss"] = _g(v.test_final)
        rows.append(row)
    return rows


def schedule_rows(results: dict) -> list[dict[str, str]]:
    """The schedules' final figures as text for a table."""
    return [{"schedule": r.label, "last rate": _g(r.final_lr), "training loss": _g(r.train_loss, 4),
             "test loss": _g(r.test_loss, 4), "test accuracy": f"{100 * r.test_accuracy:.1f}%"
             if math.isfinite(r.test_accuracy) else "—",
             "diverged at": "—" if r.diverged_at is None else f"minibatch {r.diverged_at}"}
            for r in schedule_table(results)]
