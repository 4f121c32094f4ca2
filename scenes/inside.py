r"""Inside the optimizer: what the map's glyphs draw and what the step inspector lists, read from the
trajectories ``compute(scene, states=True)`` returns and explained by ``optimizers.explain``.

Step k of the figure's slider is the point update k arrived at: the glyphs at a head at step k and the
inspector at step k both show update k (θ_{k-1} → θ_k), the gradient it was given, the state after
it, its effective per-coordinate rate and the parts of its step. Step 0 has had no update: no glyph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizers import OPTIMIZERS
from optimizers.explain import explain_path, explain_step, step_latex

from .model import Scene
from .text import run_labels

# The state a glyph draws as the velocity or first moment, and its unit: torch's buffers and moments
# are gradients (b_1 = g_1, m ≈ the mean gradient), the lecture's velocity is a step (v = -εb).
FIRST_MOMENT = {"momentum_buffer": "gradient", "exp_avg": "gradient", "velocity": "step"}
PARTS = ("gradient", "momentum", "weight_decay")
SYMBOLS = {"momentum_buffer": "b_t", "sum": "s_t", "square_avg": "v_t", "grad_avg": "ḡ_t", "acc_delta": "u_t",
           "exp_avg": "m_t", "exp_avg_sq": "v_t", "max_exp_avg_sq": "v̂_t = max(v̂_{t−1}, v_t)", "exp_inf": "u_t",
           "mu_product": "Π_t", "velocity": "v_t", "step": "t"}
LECTURE_SYMBOLS = {"square_avg": "⟨g²⟩_t"}
RATES = {"adagrad": "ε_t/((1 + (t−1)η)(√s_t + ϵ))", "rmsprop": "ε_t/(√ṽ_t + ϵ)",
         "adadelta": "ε_t √(u_{t−1} + ϵ)/√(v_t + ϵ)",
         "adam": "ε_t/(√v̂_t + ϵ)", "adamw": "ε_t/(√v̂_t + ϵ)", "amsgrad": "ε_t/(√(v̂_t/(1−β₂ᵗ)) + ϵ)",
         "adamax": "ε_t/u_t", "nadam": "ε_t/(√v̂_t + ϵ)", "rmsprop_lecture": "ε_t/√(⟨g²⟩_t + ϵ)"}
RECTIFIED = "ε_t r_t √(1−β₂ᵗ)/(√v_t + ϵ)"


def run_specs(scene: Scene) -> dict[str, Any]:
    """The RunSpec of every run, by its legend label."""
    return dict(zip(run_labels(scene.runs), scene.runs, strict=True))


def first_moment(names) -> str | None:
    """Of the state fields ``names``, the one a glyph draws as the velocity or first moment, if any."""
    return next((name for name in FIRST_MOMENT if name in names), None)


def glyph_paths(scene: Scene, runs: dict, steps) -> dict[str, dict[str, Any]]:
    """What the glyphs draw at each of ``steps`` (slider steps, 0 ... scene.steps) for every run (label),
    as arrays (scene.steps + 1, 2) whose row k belongs to update k: ``grad`` the gradient it was given,
    ``moment`` the velocity or first moment after it (None where the optimizer keeps none) and
    ``moment_unit`` ("gradient" or "step"), ``rate`` its effective per-coordinate rate, and its
    ``parts`` (``gradient``, ``momentum``, ``weight_decay``, summing to θ_k - θ_{k-1}). Rows of step 0,
    of steps not asked for and of steps after a run diverged are NaN. ``runs`` come from
    ``compute(scene, states=True)``."""
    wanted = sorted({int(k) for k in np.ravel(steps) if 1 <= k <= scene.steps})
    out = {}
    for label, r in run_specs(scene).items():
        traj = runs[label]
        if traj.states is None:
            raise ValueError("glyphs need the states: compute(scene, states=True)")
        explained = explain_path(OPTIMIZERS[r.optimizer], r.kwargs(), traj, updates=wanted)
        asked = np.zeros(scene.steps + 1, dtype=bool)
        asked[wanted] = True
        alive = np.arange(scene.steps + 1) < (traj.diverged_at[0] if traj.diverged[0] else scene.steps + 1)
        keep = (asked & alive)[:, None]
        field = first_moment(traj.states)
        out[label] = {
            "grad": _by_step(traj.grads[:, 0], keep),
            "moment": None if field is None else np.where(keep, traj.states[field][:, 0], np.nan),
            "moment_unit": None if field is None else FIRST_MOMENT[field],
            "rate": _by_step(explained["rate"][:, 0], keep),
            "parts": {name: _by_step(explained[name][:, 0], keep) for name in PARTS},
        }
    return out


def _by_step(rows: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """(steps, 2) rows of updates 1 ... steps as (steps + 1, 2) rows of slider steps 0 ... steps, NaN
    where ``keep`` (steps + 1, 1) is False."""
    return np.where(keep, np.concatenate([np.full((1, 2), np.nan), rows]), np.nan)


# ------------------------------------------------------------------------------- the inspector


@dataclass(frozen=True)
class Inspection:
    """One update of one run, as the inspector shows it: ``rows`` per coordinate (quantity, symbol,
    x, y), ``scalars`` (quantity, symbol, value), ``notes`` (the branch that ran, and why), the rule
    with this step's numbers in x and in y (``latex``), and the ``explained`` dict it all comes from."""

    label: str
    step: int
    title: str
    origin: str
    rows: list[dict]
    scalars: list[dict]
    notes: list[str]
    latex: tuple[str, str]
    explained: dict


def last_update(traj) -> int:
    """The last update a run took: its steps, or the one before it diverged."""
    return int(traj.diverged_at[0]) - 1 if traj.diverged[0] else len(traj.lr)


def _row(quantity: str, symbol: str, value) -> dict:
    x, y = np.broadcast_to(np.asarray(value, dtype=float), (2,))
    return {"quantity": quantity, "symbol": symbol, "x": float(x), "y": float(y)}


def inspect(scene: Scene, runs: dict, label: str, step: int) -> Inspection:
    """Update ``step`` (1 ... the run's last update) of the run ``label``: ValueError outside that
    range, naming it."""
    specs = run_specs(scene)
    if label not in specs:
        raise ValueError(f"no run {label!r}; the runs are {', '.join(specs)}")
    r, traj = specs[label], runs[label]
    last = last_update(traj)
    if last < 1:
        raise ValueError(f"{label} took no update before it diverged")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= last:
        raise ValueError(f"step must be a whole number from 1 to {last}, not {step!r}")
    spec = OPTIMIZERS[r.optimizer]
    e = explain_step(spec, r.kwargs(), traj, 0, int(step))
    lecture = spec.torch_class is None
    symbols = {**SYMBOLS, **(LECTURE_SYMBOLS if r.optimizer == "rmsprop_lecture" else {})}
    position = ("w_{t−1}", "w_t") if lecture else ("θ_{t−1}", "θ_t")
    look_ahead = r.optimizer == "nag_lecture"  # the one rule that takes its gradient elsewhere
    rows = [_row("position before the update", position[0], e["params"]),
            _row("gradient it was given" + (" (at the look-ahead point)" if look_ahead else ""), "∇f", e["grad"])]
    if look_ahead:
        rows.append(_row("look-ahead point", "w_{t−1} + μ v_{t−1}", e["look_ahead"]))
    if not np.array_equal(e["g"], e["grad"]):
        rows.append(_row("gradient with weight decay", "g_t = ∇f + λθ", e["g"]))
    for name, value in e["after"].items():
        if name != "step":
            rows.append(_row(f"state {name} after the update", symbols[name], value))
    if "m_hat" in e:
        rows.append(_row("bias-corrected first moment", "m̂_t = m_t/(1−β₁ᵗ)", e["m_hat"]))
    if "v_hat" in e:
        rows.append(_row("bias-corrected second moment", "v̂_t/(1−β₂ᵗ)" if "v_max" in e else "v̂_t = v_t/(1−β₂ᵗ)",
                         e["v_hat"]))
    rate = RECTIFIED if e.get("rectified") else RATES.get(r.optimizer, "ε_t")
    rows += [_row("effective rate", rate, e["rate"]),
             _row("update: the gradient's share", "", e["parts"]["gradient"]),
             _row("update: the momentum's share (the past)", "", e["parts"]["momentum"]),
             _row("update: weight decay's share", "", e["parts"]["weight_decay"]),
             _row("update", f"Δ = {position[1]} − {position[0]}", e["delta"]),
             _row("position after the update", position[1], e["new_params"])]
    scalars = [{"quantity": "update", "symbol": "t", "value": float(e["step"])},
               {"quantity": "learning rate", "symbol": "ε_t", "value": e["lr"]}]
    for key, quantity, symbol in (("lr_decayed", "decayed learning rate", "ε_t/(1 + (t−1)η)"),
                                  ("rho_inf", "SMA length's limit", "ρ_∞"), ("rho_t", "SMA length", "ρ_t"),
                                  ("r_t", "rectification", "r_t"), ("mu_t", "momentum coefficient", "μ_t"),
                                  ("mu_next", "next momentum coefficient", "μ_{t+1}"),
                                  ("mu_product", "product of the μ", "Π_t"),
                                  ("mu_product_next", "Π_t μ_{t+1}", "Π_t μ_{t+1}")):
        if e.get(key) is not None:
            scalars.append({"quantity": quantity, "symbol": symbol, "value": float(e[key])})
    origin = f"`{spec.torch_class}`" if spec.torch_class else "the lecture's form"
    return Inspection(label, int(step), spec.title, origin, rows, scalars, _notes(r.optimizer, spec, e),
                      (step_latex(e, 0), step_latex(e, 1)), e)


def _notes(key: str, spec, e: dict) -> list[str]:
    """Which branch of the rule ran at this step, in words."""
    notes = []
    if "rectified" in e:
        if e["rectified"]:
            notes.append(f"ρ_t = {e['rho_t']:.4g} > 5: the variance of the adaptive rate is tractable, so the "
                         f"rectified adaptive step ran (r_t = {e['r_t']:.4g}).")
        else:
            notes.append(f"ρ_t = {e['rho_t']:.4g} ≤ 5: the variance of the adaptive rate is not yet tractable, so "
                         "a plain bias-corrected momentum step ran.")
    if "b_1" in e["symbols"]:
        notes.append("First step: torch sets the buffer to the gradient, b_1 = g_1 (no dampening).")
    if "mu_t" in e:
        notes.append(f"The momentum coefficient warms up: μ_t = {e['mu_t']:.6g}, μ_{{t+1}} = {e['mu_next']:.6g}; "
                     f"Π_t = {e['mu_product']:.6g} is kept in float32, as torch keeps it.")
    if "v_max" in e:
        grew = bool(np.any(e["after"]["max_exp_avg_sq"] > e["before"]["max_exp_avg_sq"]))
        notes.append("The running maximum of v " + ("grew at this step." if grew else "held: v_t stayed below it."))
    if spec.torch_class is None:
        notes.append("This is the lecture's form. " + spec.note)
    return notes
