r"""The ``.py`` export: a standalone PyTorch script that reproduces a scene with ``torch.optim`` and
``torch.optim.lr_scheduler`` and prints the same CSV as the ``.csv`` export.

How the script matches the app's numbers (to ~1e-9 relative and mostly to the last bit):

- The surface is its NumPy code in ``surfaces/`` read as torch (``Surface.torch_source``, collected in
  ``TORCH_SURFACES``), value and analytic gradient, operation for operation; the gradient goes into
  ``p.grad`` as the app's runner feeds its optimizers. Arithmetic then rounds as NumPy's does;
  ``sqrt``, ``exp``, ``sin``, ``cos`` and ``tanh`` may differ in the last bit. Back-propagating through the loss instead
  (``GRADIENT = "autograd"`` in the script) is one edit away, but rounds a vanishing gradient
  differently, which adaptive optimizers magnify near a minimum.
- float64 parameters, the scene's start, steps and hyperparameters (the spec's defaults, the run's
  settings and the spec's ``torch_extra``, as ``nesterov=True`` for NAG); torch's default dtype is left
  alone, as NAdam's float32 momentum product depends on it (see ``optimizers/nadam.py``).
- The schedule is torch's scheduler with the spec's ``torch_extra`` (``cycle_momentum=False``), the
  run's rate in ``lr`` or ``max_lr`` as the spec's ``run_rate`` says, stepped once after every
  ``optimizer.step()``; ``constant`` has no scheduler; OneCycleLR stops being stepped at the end of
  its cycle, where torch would raise and the app keeps the last rate.
- The lecture's forms (``momentum_lecture``, ``nag_lecture``, ``rmsprop_lecture``) have no torch class:
  the script defines them as small ``torch.optim.Optimizer`` subclasses with the app's update rule.
- Gradient noise and the noisy moons' minibatches are seeded NumPy draws; the script carries them as
  literals (base64 of little-endian float64 / uint8), with the moons data, so it needs no NumPy.
  Sums over the moons data follow NumPy's pairwise order, so they round as the app's.
- A point whose position or loss stops being finite is frozen at its last finite point, as the app's
  runner does.
"""

from __future__ import annotations

import base64
import textwrap
from urllib.parse import urlencode

import numpy as np

from optimizers import OPTIMIZERS, SCHEDULES
from optimizers.lecture_torch import TORCH_CLASSES as LECTURE_OPTIMIZERS
from optimizers.lecture_torch import torch_source
from optimizers.runner import StochasticSurface
from scenes import Scene, run_labels, to_query
from surfaces import SURFACES

from .errors import ExportError

# --------------------------------------------------------------------------------- torch surfaces
# Each surface's torch form is its own NumPy source read as torch (surfaces/torch_form.py): loss_fn(x, y)
# and grad_fn(x, y) on float64 tensors, checked against the surface in tests/surfaces/test_torch_form.py.
TORCH_SURFACES: dict[str, str] = {k: s.torch_source for k, s in SURFACES.items() if s.torch_source}

# ----------------------------------------------------------------------------------- generation


def _b64(a: np.ndarray, dtype: str) -> str:
    data = np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(textwrap.wrap(text, 96))


def _literal(value) -> str:
    """Python source for a hyperparameter value: floats by repr (the same double), tuples as lists
    where torch takes a list (milestones) and as tuples otherwise (betas)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _kwargs(d: dict) -> str:
    return ", ".join(f"{k}={_literal(v)}" for k, v in d.items())


def _optimizer_source(run) -> str:
    """``lambda params: torch.optim.X(params, lr=..., ...)`` for one run."""
    spec = OPTIMIZERS[run.optimizer]
    kwargs = {**spec.defaults(), **run.kwargs(), **spec.torch_extra}
    cls = spec.torch_class or LECTURE_OPTIMIZERS[run.optimizer][0]
    return f"lambda params: {cls}(params, lr={_literal(run.lr)}, {_kwargs(kwargs)})"


def _scheduler_source(scene: Scene, run) -> str:
    """``lambda optimizer: torch.optim.lr_scheduler.X(optimizer, ...)`` or ``None`` (constant)."""
    if scene.schedule == "constant":
        return "None"
    spec = SCHEDULES[scene.schedule]
    kwargs = {**spec.defaults(), **dict(scene.schedule_params)}
    if spec.run_rate == "lr":
        kwargs.pop("lr")  # the optimizer's rate, which the scheduler scales
    else:
        kwargs[spec.run_rate] = run.lr  # the peak of the cycle
    kwargs.update(spec.torch_extra)
    if "milestones" in kwargs:
        kwargs["milestones"] = list(kwargs["milestones"])
    args = ", ".join(f"{k}={_literal(v) if k != 'milestones' else repr(v)}" for k, v in kwargs.items())
    return f"lambda optimizer: {spec.torch_class}(optimizer, {args})"


def _check(scene: Scene):
    if scene.surface not in TORCH_SURFACES:
        raise ExportError(f"no PyTorch version of the surface {scene.surface!r} to write a .py export with; "
                          f"surfaces with one: {', '.join(TORCH_SURFACES)}")
    for r in scene.runs:
        if OPTIMIZERS[r.optimizer].torch_class is None and r.optimizer not in LECTURE_OPTIMIZERS:
            raise ExportError(f"the optimizer {r.optimizer!r} has neither a torch.optim class nor a hand-written "
                              "PyTorch rule; a .py export cannot reproduce it")
    if SCHEDULES[scene.schedule].torch_class is None:
        raise ExportError(f"the schedule {scene.schedule!r} has no torch.optim.lr_scheduler class")


def _scheduled_steps(scene: Scene) -> str:
    """How many times the scheduler may be stepped: OneCycleLR raises past its cycle."""
    if scene.schedule == "onecycle":
        total = dict(scene.schedule_params).get("total_steps", SCHEDULES["onecycle"].defaults()["total_steps"])
        return f"{int(total) - 1}  # OneCycleLR's cycle ends here: torch raises past it; the rate stays"
    return "None  # no limit"


def torch_script(scene: Scene) -> str:
    """The standalone PyTorch script for ``scene``; ExportError if it cannot be written."""
    _check(scene)
    surface = SURFACES[scene.surface]
    stochastic = isinstance(surface, StochasticSurface)
    labels = run_labels(scene.runs)
    x0, y0 = (float(v) for v in scene.start_point())
    link = urlencode(to_query(scene), safe="(),=/:")
    classes = torch_source(r.optimizer for r in scene.runs if OPTIMIZERS[r.optimizer].torch_class is None)
    runs = "\n".join(
        f"    ({r.optimizer!r}, {label!r},\n"
        f"     {_optimizer_source(r)},\n"
        f"     {_scheduler_source(scene, r)}),"
        for r, label in zip(scene.runs, labels, strict=True))

    data = []
    if scene.noise:
        draws = np.random.default_rng(0).standard_normal((scene.steps, 2, 1)) * scene.noise
        data.append(f"# Gradient noise: NumPy's default_rng(0).standard_normal((STEPS, 2, 1)) * {scene.noise!r},\n"
                    f"# as the app's runner draws it (seed 0), one row (dx, dy) per update.\n"
                    f'NOISE = unpack("""\n{_b64(draws[:, :, 0], "f8")}\n""", "d", (STEPS, 2))')
    else:
        data.append("NOISE = None  # no gradient noise")
    if stochastic:
        batches = surface.minibatches(scene.steps, 0)
        data.append(f"# The moons data ({len(surface.labels)} points, labels +1/-1) and the minibatch of every "
                    f"update: epochs of a\n# seeded permutation (NumPy, seed 0) cut into batches of "
                    f"{surface.batch_size}, as the app draws them.\n"
                    f'FEATURES = unpack("""\n{_b64(surface.features, "f8")}\n""", "d", ({len(surface.labels)}, 2))\n'
                    f'LABELS = unpack("""\n{_b64(surface.labels, "f8")}\n""", "d", ({len(surface.labels)},))\n'
                    f'BATCHES = unpack("""\n{_b64(batches, "u1")}\n""", "B", (STEPS, {surface.batch_size}))')
    else:
        data.append("BATCHES = None  # gradients on the whole surface, no minibatches")

    return _TEMPLATE.format(
        title=surface.title,
        n_runs=len(scene.runs),
        s="" if len(scene.runs) == 1 else "s",
        steps=scene.steps,
        link=link,
        start=f"({x0!r}, {y0!r})",
        surface_key=scene.surface,
        latex=surface.latex,
        surface_code=TORCH_SURFACES[scene.surface].strip("\n"),
        classes=classes,
        runs=runs,
        scheduled=_scheduled_steps(scene),
        data="\n".join(data),
        imports="".join(f"import {m}\n" for m in ("base64", "csv", "math", "struct", "sys")
                        if m in ("csv", "sys") or (m == "math" and "math." in TORCH_SURFACES[scene.surface])
                        or (m in ("base64", "struct") and (scene.noise or stochastic))),
        unpack=_UNPACK if (scene.noise or stochastic) else "",
    )


_UNPACK = '''

def unpack(text, fmt, shape):
    """A tensor from base64 text of little-endian values (struct format "d" float64, "B" uint8)."""
    raw = base64.b64decode("".join(text.split()))
    values = struct.unpack("<%d%s" % (len(raw) // struct.calcsize(fmt), fmt), raw)
    dtype = torch.float64 if fmt == "d" else torch.long
    return torch.tensor(values, dtype=dtype).reshape(shape)

'''

_TEMPLATE = '''\
#!/usr/bin/env python3
"""Descent Lab, reproduced with torch.optim: {title}, {n_runs} run{s} of {steps} steps.

The scene of the link ?{link}

Run it with `python this_file.py > paths.csv`; it needs only PyTorch. It prints CSV with the columns
optimizer,label,step,x,y,loss,lr: one row per run and step, the start (step 0) included; lr is the
learning rate of the update taken from that step, empty on the last row, from which none is taken.
The numbers equal the app's CSV export (to ~1e-9 relative, mostly to the last bit) because:
- parameters are float64 (torch's default dtype is left alone: NAdam keeps a product in it, as the
  app does), and every optimizer and scheduler is torch's own, stepped once per update;
- the gradient is the surface's analytic gradient, written in torch operation for operation as the
  app computes it; set GRADIENT = "autograd" to back-propagate through loss_fn instead, which rounds a
  vanishing gradient differently (adaptive optimizers magnify that near a minimum);
- a point whose position or loss stops being finite is frozen at its last finite point, as in the app.
"""

{imports}
import torch

GRADIENT = "analytic"  # or "autograd"
STEPS = {steps}
START = {start}
SCHEDULER_STEPS = {scheduled}
{unpack}

# The surface {surface_key!r}: {latex}
{surface_code}


{data}
{classes}

def gradient(p, t):
    """The gradient the app's runner takes for update t at the point p (shape (2,)): on the minibatch
    of update t where the surface has one, plus the gradient noise of update t where there is any."""
    extra = () if BATCHES is None else (FEATURES[BATCHES[t]], LABELS[BATCHES[t]])
    if GRADIENT == "autograd":
        q = p.detach().clone().requires_grad_(True)
        loss_fn(q[0], q[1], *extra).backward()
        g = q.grad
    else:
        g = torch.stack(tuple(torch.as_tensor(c, dtype=torch.float64) for c in grad_fn(p[0], p[1], *extra)))
    return g if NOISE is None else g + NOISE[t]


RUNS = [  # (optimizer, label, optimizer for the parameters, scheduler for the optimizer or None)
{runs}
]


def trajectory(make_optimizer, make_scheduler):
    """Positions (STEPS + 1, 2), losses (STEPS + 1,) and the learning rate of every update."""
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([p])
    scheduler = make_scheduler(optimizer) if make_scheduler is not None else None
    path, lrs = [p.detach().clone()], []
    for t in range(STEPS):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        at = optimizer.look_ahead(p) if hasattr(optimizer, "look_ahead") else p.detach()
        p.grad = gradient(at, t)
        optimizer.step()
        if scheduler is not None and (SCHEDULER_STEPS is None or t < SCHEDULER_STEPS):
            scheduler.step()
        path.append(p.detach().clone())
    path = torch.stack(path)
    with torch.no_grad():
        loss = loss_fn(path[:, 0], path[:, 1])
    bad = ~(torch.isfinite(path).all(dim=1) & torch.isfinite(loss))
    if bad.any():  # frozen at the last finite point, as the app does
        k = int(bad.nonzero()[0])
        path[k:] = path[k - 1].clone()
        loss[k:] = loss[k - 1].clone()
    return path, loss, lrs


def main():
    out = csv.writer(sys.stdout, lineterminator="\\n")
    out.writerow(["optimizer", "label", "step", "x", "y", "loss", "lr"])
    for key, label, make_optimizer, make_scheduler in RUNS:
        path, loss, lrs = trajectory(make_optimizer, make_scheduler)
        for t in range(STEPS + 1):
            out.writerow([key, label, t, repr(float(path[t, 0])), repr(float(path[t, 1])), repr(float(loss[t])),
                          repr(lrs[t]) if t < STEPS else ""])


if __name__ == "__main__":
    main()
'''
