r"""The learning-rate range test (Smith; Gugger's "How do you find a good learning rate") and the
suggestions that common tools read off its curve.

The test trains with a rate that grows at every minibatch from ``start_lr`` to ``end_lr`` and records
the loss before each update, raw and smoothed as Gugger smooths it, bias-corrected:

.. math::
    \varepsilon_i = \varepsilon_s \left(\frac{\varepsilon_e}{\varepsilon_s}\right)^{i/(n-1)}
    \ \text{(exp)} \quad\text{or}\quad \varepsilon_s + (\varepsilon_e - \varepsilon_s)\,\frac{i}{n-1}
    \ \text{(linear)}, \qquad i = 0, \dots, n-1 \\
    a_i = \beta a_{i-1} + (1 - \beta)\,L_i \ (a_{-1} = 0), \qquad \bar L_i = a_i / (1 - \beta^{i+1})

and stops at the first iteration ``i >= 1`` whose smoothed loss exceeds ``diverge_th`` times the best
smoothed loss so far, or whose loss is not finite. That iteration is recorded (``stopped_at``): the
curve shows the blow-up, as fastai's does.

Where the tools differ, and what runs here:

- Rates. Gugger's post multiplies the rate by ``(end/start)^{1/(n-1)}`` after each batch, so the test
  runs from ``start_lr`` to ``end_lr`` both included; that is the rule here. fastai 2.x
  (``fastai/callback/schedule.py``, ``LRFinder``) sets ``start (end/start)^{i/n}`` and never reaches
  ``end_lr``; PyTorch Lightning 2.x (``src/lightning/pytorch/tuner/lr_finder.py``, ``_ExponentialLR``
  and ``_LinearLR``) records ``start`` at i = 0 and ``start (end/start)^{(i+1)/n}`` after, skipping
  the exponent 1/n.
- Stop. Gugger and Lightning compare with the best of the earlier points from the second point on;
  fastai updates the best first and then compares (equal for losses >= 0). fastai's ``Recorder``
  (order 50) records the point before ``LRFinder`` (order 60) stops, so its curve ends on the
  diverging point, like this one; Gugger's returns before recording it.
- Smoothing. Lightning divides by ``1 - β^{k+1}`` with k the global step already incremented, one
  power more than Gugger (its first smoothed loss is about half the raw one: Lightning issue 14167);
  fastai's ``AvgSmoothLoss`` is Gugger's rule written as a ``torch.lerp``. Gugger's runs here.
- The 4 × rule compares losses with a floor of 0, as a training loss has. A 2-D surface's loss may
  sit anywhere (six-hump camel reaches -1.03, Styblinski-Tang -78), so on a surface the rule measures
  the loss above its global minimum, ``floor = f(x*)``; on the surfaces whose minimum is 0 this is
  the tools' rule. The recorded losses are the surface's own values.

``suggest_lr`` then applies fastai's four rules, Lightning's and Gugger's to a recorded curve; each
rule is documented at its function, with the source it reproduces.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np

from networks.problem import NetworkProblem
from optimizers import OPTIMIZERS, Optimizer, run
from surfaces import SURFACES, Surface

MIN_ITER, MAX_ITER = 25, 1000  # 25: the fewest with which every rule has its points on a complete test
MAX_LR = 1000.0
MODES = ("exp", "linear")
KEYS = ("fastai_valley", "fastai_slide", "fastai_minimum", "fastai_steep", "lightning", "gugger")

RULES = {
    "fastai_valley": "fastai's default: the longest falling stretch of the curve, 2/3 of the way down it",
    "fastai_slide": "fastai: walking left from the end until the slope 15 points apart differs by at most 0.005",
    "fastai_minimum": "fastai: the rate at the minimum, divided by 10",
    "fastai_steep": "fastai: the steepest fall against log(rate)",
    "lightning": "PyTorch Lightning: the steepest fall against the rate (np.gradient)",
    "gugger": "Gugger: an order of magnitude before the minimum (its rate / 10)",
}


class RangeTest(NamedTuple):
    """What a range test recorded: one entry per iteration run, the diverging one included."""

    lrs: np.ndarray  # (k,) the rate of each update
    losses: np.ndarray  # (k,) the loss before each update (a minibatch's on a network); inf where not finite
    smoothed: np.ndarray  # (k,) Gugger's bias-corrected exponential average of ``losses``
    stopped_at: int | None  # the iteration where the test stopped (the last recorded), None if it ran to the end
    num_iter: int  # the iterations asked for
    floor: float  # what the divergence rule measures losses from: 0 on a network, f(x*) on a surface
    path: np.ndarray | None  # (k, 2) on a surface: the point where each loss was measured; None on a network
    message: str  # "" when every suggestion could be read off the curve; else what happened, in a sentence

    @property
    def diverged_early(self) -> bool:
        """The test stopped before some suggestion rule had the points it needs."""
        return any(math.isnan(v) for v in self.suggestions().values())

    def suggestions(self) -> dict[str, float]:
        """``suggest_lr`` on the smoothed curve, fastai's window cut from the iterations asked for."""
        return suggest_lr(self.lrs, self.smoothed, num_iter=self.num_iter)


# ---- the test ------------------------------------------------------------------------------------

def _number(value, name, low, high, open_low=True) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > high or value < low or (open_low and value == low):
        left = "(" if open_low else "["
        raise ValueError(f"{name} must be a number in {left}{low:g}, {high:g}], not {value!r}")
    return float(value)


def _whole(value, name, low, high) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)


def range_rates(start_lr: float, end_lr: float, num_iter: int, mode: str = "exp") -> np.ndarray:
    """The rate of each iteration: geometric (``exp``) or arithmetic (``linear``) from start to end."""
    frac = np.arange(num_iter) / (num_iter - 1)
    if mode == "exp":
        return start_lr * (end_lr / start_lr) ** frac
    return start_lr + (end_lr - start_lr) * frac


def check_problem(problem) -> Surface | NetworkProblem:
    """A Surface (or a key of SURFACES) with a minimum, or a NetworkProblem; ValueError otherwise."""
    if isinstance(problem, str):
        if problem not in SURFACES:
            raise ValueError(f"unknown surface {problem!r}; valid surfaces are: {', '.join(SURFACES)}")
        problem = SURFACES[problem]
    if isinstance(problem, NetworkProblem):
        return problem
    if not isinstance(problem, Surface):
        raise ValueError("problem must be a Surface of SURFACES (or its key) or a networks.NetworkProblem, "
                         f"not {type(problem).__name__}")
    if not problem.minima:
        raise ValueError(f"{problem.title} has no minimum: its loss falls without bound, and the range test compares "
                         "the loss with its best; choose a surface with a minimum")
    return problem


def check_optimizer(optimizer, settings) -> Optimizer:
    """OPTIMIZERS[optimizer] built with ``settings`` (torch's names); ValueError naming what is valid."""
    if not isinstance(optimizer, str):
        raise ValueError(f"optimizer must be a key of OPTIMIZERS: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[optimizer].factory(**settings)


def floor_of(problem) -> float:
    """The loss the divergence rule measures from: f at the global minimum of a surface, 0 on a network."""
    return float(problem.f(problem.minima[0])) if isinstance(problem, Surface) else 0.0


def smooth(losses, beta: float) -> np.ndarray:
    """Gugger's smoothed loss: a_i = β a_{i-1} + (1 - β) L_i from a_{-1} = 0, divided by 1 - β^{i+1}."""
    out = np.empty(len(losses))
    avg = 0.0
    for i, loss in enumerate(np.asarray(losses, dtype=float).tolist()):
        avg = beta * avg + (1 - beta) * loss
        out[i] = avg / (1 - beta ** (i + 1))
    return out


def stop_index(losses, smoothed, diverge_th: float | None, floor: float = 0.0) -> int | None:
    """The first i >= 1 whose loss is not finite or whose smoothed loss, measured from ``floor``,
    exceeds ``diverge_th`` times the best earlier one; None where there is none (or no threshold)."""
    bad = ~np.isfinite(losses)
    bad[0] = False
    if diverge_th is not None and len(smoothed) > 1:
        with np.errstate(all="ignore"):
            excess = smoothed - floor
            bad[1:] |= excess[1:] > diverge_th * np.minimum.accumulate(excess)[:-1]
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def _raw_losses(problem, opt, start, lrs, seed):
    """(losses, path or None): the loss before each update, inf where it stopped being finite."""
    n = len(lrs)
    if isinstance(problem, NetworkProblem):
        if start is not None:
            raise ValueError("start is a point (x, y) on a surface; a network starts from its seeded initialization")
        problem.check_work(n, "a range test")
        result = problem.fit(lambda t: lrs[t], n, optimizer=opt, seed=seed)
        losses = result.loss.copy()
        path = None
    else:
        start = problem.start if start is None else start
        traj = run(opt, problem, starts=start, steps=n - 1, schedule=lambda t: lrs[t], seed=seed)
        losses, path = traj.loss[:, 0].copy(), traj.xy[:, 0].copy()
        if traj.diverged[0]:
            losses[traj.diverged_at[0]:] = np.inf  # the runner froze the point; its loss had left the float range
    losses[~np.isfinite(losses)] = np.inf
    return losses, path


def lr_range_test(problem, optimizer: str = "sgd", start=None, start_lr: float = 1e-7, end_lr: float = 10.0,
                  num_iter: int = 100, mode: str = "exp", beta: float = 0.98, diverge_th: float | None = 4.0,
                  seed: int = 0, **settings) -> RangeTest:
    """Run the learning-rate range test on a surface or a network (see the module's docstring for the rule).

    Args:
        problem: a Surface of SURFACES (or its key) that has a minimum, or a ``networks.NetworkProblem``.
            On noisy moons every update takes a seeded minibatch's gradient (the runner's stochastic
            surfaces) and the loss recorded is the whole data's at that point; on a network it is the
            minibatch loss, as fastai and Lightning record it.
        optimizer: a key of OPTIMIZERS; ``settings`` are its hyperparameters under torch's names
            (``momentum=0.9``). Its rate is the test's.
        start: (x, y) on a surface, None for the surface's default start; None on a network.
        start_lr, end_lr: the rates of the first and last iteration, 0 < start_lr < end_lr <= MAX_LR.
        num_iter: iterations, MIN_ITER to MAX_ITER.
        mode: "exp" (Gugger, fastai and Lightning's default) or "linear" (Smith's original test).
        beta: the smoothing factor, in [0, 1).
        diverge_th: stop when the smoothed loss exceeds this many times its best, > 1; None runs to the end
            (Lightning's ``early_stop_threshold=None``). A non-finite loss always stops the test.
        seed: the minibatch order on noisy moons; the initialization and minibatch order on a network.

    Returns a RangeTest. A test that blows up at once still returns what it recorded, with
    ``diverged_early`` set and a ``message`` that says so. Bad settings raise ValueError naming the
    valid range.
    """
    problem = check_problem(problem)
    opt = check_optimizer(optimizer, settings)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    end_lr = _number(end_lr, "end_lr", 0.0, MAX_LR)
    start_lr = _number(start_lr, "start_lr", 0.0, end_lr)
    if start_lr == end_lr:
        raise ValueError(f"start_lr must lie below end_lr ({end_lr:g}), not {start_lr!r}")
    num_iter = _whole(num_iter, "num_iter", MIN_ITER, MAX_ITER)
    beta = _number(beta, "beta", 0.0, 1.0, open_low=False)
    if beta == 1.0:
        raise ValueError("beta must be a number in [0, 1): with beta = 1 the average never moves")
    if diverge_th is not None:
        diverge_th = _number(diverge_th, "diverge_th", 1.0, 1e6)
    seed = _whole(seed, "seed", 0, 2**32 - 1)

    lrs = range_rates(start_lr, end_lr, num_iter, mode)
    floor = floor_of(problem)
    losses, path = _raw_losses(problem, opt, start, lrs, seed)
    smoothed = smooth(losses, beta)
    stop = stop_index(losses, smoothed, diverge_th, floor)
    keep = num_iter if stop is None else stop + 1
    test = RangeTest(lrs[:keep], losses[:keep], smoothed[:keep], stop, num_iter, floor,
                     None if path is None else path[:keep], "")
    return test._replace(message=_message(test, diverge_th))


def _message(test: RangeTest, diverge_th) -> str:
    missing = [k for k, v in test.suggestions().items() if math.isnan(v)]
    if not missing:
        return ""
    i = test.stopped_at
    why = ("the loss stopped being finite" if np.isinf(test.losses[i])
           else f"the smoothed loss passed {diverge_th:g} × its best")
    return (f"The test stopped at iteration {i + 1} of {test.num_iter} (rate {test.lrs[i]:.3g}): {why}. Too few "
            f"points were recorded for {', '.join(missing)}; start from a lower start_lr or lower the end_lr.")


# ---- the suggestions -----------------------------------------------------------------------------

def fastai_window(lrs: np.ndarray, losses: np.ndarray, num_iter: int) -> tuple[np.ndarray, np.ndarray]:
    """The points fastai's ``lr_find`` passes to its suggestion functions (fastai 2.7,
    ``fastai/callback/schedule.py``): ``[num_it // 10 : -5]`` of the recorded rates and smoothed losses,
    then everything from the first NaN on dropped (an infinite loss is kept)."""
    lrs, losses = lrs[num_iter // 10 : -5], losses[num_iter // 10 : -5]
    nan = np.flatnonzero(np.isnan(losses))
    if nan.size:
        lrs, losses = lrs[: nan[0]], losses[: nan[0]]
    return lrs, losses


def fastai_valley(lrs: np.ndarray, losses: np.ndarray) -> float:
    """fastai 2.7's ``valley`` (``fastai/callback/schedule.py``), its default suggestion.

    ``lds[i]`` is the length of the longest strictly decreasing sequence of points ending at i (fastai's
    O(n²) loop over j < i). The longest valley ends at ``max_end``, the first i with the largest
    ``lds``, and ``max_start = max_end - lds[max_end]``, one before its first point (so -1 for a curve
    falling from its first point). fastai moves ``max_end`` inside its loop over j, as soon as the
    growing ``lds[i]`` passes ``lds[max_end]``; as every ``lds[j]`` is at most ``lds[max_end]``, that
    first passing value is already the final ``lds[i]``, so testing after the loop is the same. The
    suggestion is the rate at ``max_start + int(s) + int(s / 2)`` with s = (max_end - max_start) / 3,
    about 2/3 of the way down the valley; an index of -1 reads the last rate, as Python does. Empty: NaN.
    """
    n = len(losses)
    if n == 0:
        return math.nan
    lds = np.ones(n, dtype=np.int64)
    max_start = max_end = 0
    for i in range(1, n):
        above = losses[:i] > losses[i]
        if above.any():
            lds[i] = lds[:i][above].max() + 1
        if lds[i] > lds[max_end]:
            max_end, max_start = i, i - int(lds[i])
    sections = (max_end - max_start) / 3
    return float(lrs[max_start + int(sections) + int(sections / 2)])


def fastai_slide(lrs: np.ndarray, losses: np.ndarray, lr_diff: int = 15, thresh: float = 0.005,
                 adjust_value: float = 1.0) -> float:
    """fastai 2.7's ``slide`` (``fastai/callback/schedule.py``), with its defaults.

    With g = ``np.gradient(losses)`` (unit spacing), a right index r from the last point and a left one
    l = r - ``lr_diff``, it walks both left while l is inside the curve and |g[r] - g[l]| > ``thresh``,
    remembering the rate at l before each step; the suggestion is the last rate remembered (the one at
    l = -1 - lr_diff if the first pair is already within ``thresh``) times ``adjust_value``. A NaN
    difference ends the walk. Fewer than ``lr_diff + 1`` points: NaN (fastai raises an IndexError).
    """
    n = len(losses)
    if n < lr_diff + 1:
        return math.nan
    r = np.arange(n - 1, lr_diff - 1, -1)  # the right index of each pair, walking left
    with np.errstate(all="ignore"):
        g = np.gradient(losses)
        apart = np.abs(g[r] - g[r - lr_diff]) > thresh
    steps = int(np.argmin(apart)) if not apart.all() else len(apart)
    return float(lrs[n - 1 - lr_diff - max(steps - 1, 0)]) * adjust_value


def fastai_minimum(lrs: np.ndarray, losses: np.ndarray) -> float:
    """fastai 2.7's ``minimum``: the rate at the lowest loss (the first, if tied) divided by 10. Empty: NaN."""
    if len(losses) == 0:
        return math.nan
    return float(lrs[int(np.argmin(losses))]) / 10


def fastai_steep(lrs: np.ndarray, losses: np.ndarray) -> float:
    """fastai 2.7's ``steep``: the slope between neighbours against the natural log of the rate,
    (L[i+1] - L[i]) / (ln ε[i+1] - ln ε[i]); the rate at the left end of the most negative one (the first,
    if tied; a NaN slope counts as the minimum, as in torch). Fewer than 2 points: NaN."""
    if len(losses) < 2:
        return math.nan
    with np.errstate(all="ignore"):
        slopes = np.diff(losses) / np.diff(np.log(lrs))
    return float(lrs[int(np.argmin(slopes))])


def lightning_suggestion(lrs: np.ndarray, losses: np.ndarray, skip_begin: int = 10, skip_end: int = 1) -> float:
    """PyTorch Lightning 2.x's ``_LRFinder.suggestion`` (``src/lightning/pytorch/tuner/lr_finder.py``).

    ``[skip_begin:-skip_end]`` of the curve, non-finite losses dropped; the derivative of the loss with
    respect to the rate (not its log) by ``torch.gradient(losses, spacing=[lrs])``, the second-order
    central difference on uneven spacing and one-sided at the ends, which is ``np.gradient(losses,
    lrs)``; the suggestion is the recorded rate at its most negative value. Fewer than 2 points: NaN
    (Lightning returns None).
    """
    idx = np.arange(len(losses))[skip_begin:-skip_end]
    idx = idx[np.isfinite(losses[idx])]
    if len(idx) < 2:
        return math.nan
    with np.errstate(all="ignore"):
        slopes = np.gradient(losses[idx], lrs[idx])
    return float(lrs[idx[int(np.argmin(slopes))]])


def gugger_suggestion(lrs: np.ndarray, losses: np.ndarray) -> float:
    """Gugger's "one order of magnitude before" the minimum: the rate at the lowest loss, divided by 10.

    The post reads the minimum off the curve it draws, ``plt.plot(logs[10:-5], losses[10:-5])``: the
    first 10 and the last 5 points dropped. That window is taken here, as written, and non-finite
    losses are dropped. fastai's ``minimum`` codifies the same rule; the two differ only in the window
    (fastai cuts ``num_it // 10`` points first, which is 10 for 100 iterations, and keeps infinities).
    Nothing left: NaN.
    """
    window = losses[10:-5]
    finite = np.flatnonzero(np.isfinite(window))
    if finite.size == 0:
        return math.nan
    return float(lrs[10:-5][finite[int(np.argmin(window[finite]))]]) / 10


def _curve(lrs, losses) -> tuple[np.ndarray, np.ndarray]:
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    if lrs.ndim != 1 or losses.shape != lrs.shape:
        raise ValueError(f"lrs and losses must be 1-D arrays of one length, not of shapes {lrs.shape} and "
                         f"{losses.shape}")
    if not (np.isfinite(lrs).all() and (lrs > 0).all()):
        raise ValueError("every rate in lrs must be a finite number above 0")
    return lrs, losses


def suggest_lr(lrs, losses, num_iter: int | None = None) -> dict[str, float]:
    """Every tool's suggestion for the curve ``losses`` against ``lrs`` (pass the smoothed losses, as
    the tools do), keyed as KEYS; NaN where a rule has too few points.

    fastai's four rules run on ``fastai_window(lrs, losses, num_iter)``, where ``num_iter`` is the
    number of iterations the test was asked for (fastai's ``num_it``; by default the curve's length,
    which it is for a test that ran to the end); Lightning's and Gugger's on the whole curve, each
    cutting its own window. The rules are those of fastai 2.7, PyTorch Lightning 2.x and Gugger's post,
    computed in float64 (fastai and Lightning hold the curve in float32 tensors, so their rates are
    rounded to float32, about 6e-8 relative, and a near-tie within float32's resolution may go to a
    neighbouring point).
    """
    lrs, losses = _curve(lrs, losses)
    num_iter = len(lrs) if num_iter is None else _whole(num_iter, "num_iter", max(len(lrs), 1), 10**9)
    f_lrs, f_losses = fastai_window(lrs, losses, num_iter)
    return {
        "fastai_valley": fastai_valley(f_lrs, f_losses),
        "fastai_slide": fastai_slide(f_lrs, f_losses),
        "fastai_minimum": fastai_minimum(f_lrs, f_losses),
        "fastai_steep": fastai_steep(f_lrs, f_losses),
        "lightning": lightning_suggestion(lrs, losses),
        "gugger": gugger_suggestion(lrs, losses),
    }
