"""A scene in every file format: for the page's download buttons and for ``python -m exports``.

The page calls ``export_bytes(scene, suffix, progress)`` and offers the bytes under
``default_filename(scene, suffix)`` with ``FORMATS[suffix].mime``.

Formats: ``.png`` ``.svg`` ``.pdf`` (the static figure, ``viz.static``), ``.gif`` ``.mp4`` (the
animation, ``exports.images``), ``.html`` (the interactive Plotly figure in one self-contained file:
plotly.js inlined, no MathJax, nothing fetched), ``.csv`` (the paths), ``.json`` (the scene,
``scenes.to_json``; read back by ``--from-json`` and by the page) and ``.py`` (a standalone PyTorch
script that prints the same CSV, ``exports.torch_script``). Only what a format needs is imported:
the ``.py`` and ``.json`` exports load neither matplotlib nor Plotly.

The CSV has one row per run and step, start included: ``optimizer`` (the registry key), ``label`` (the
legend label, ``scenes.run_labels``), ``step``, ``x``, ``y``, ``loss`` and ``lr``, the learning rate of
the update taken from that step; the last row of a run has an empty ``lr``, as no update is taken from
it. Numbers are written with ``repr``: reading them back gives the same doubles. A run that diverged is
frozen at its last finite point, as the app shows it. Only seed 0 is written; the faint other seeds of
a noisy scene are not.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from dataclasses import dataclass

import scenes as sc

from .errors import ExportError


@dataclass(frozen=True)
class Format:
    mime: str
    description: str


FORMATS: dict[str, Format] = {
    ".png": Format("image/png", "figure for slides (PNG, 1600 × 1000)"),
    ".svg": Format("image/svg+xml", "figure, vector (SVG)"),
    ".pdf": Format("application/pdf", "figure for papers (PDF)"),
    ".gif": Format("image/gif", "animation (GIF)"),
    ".mp4": Format("video/mp4", "animation (MP4 video)"),
    ".html": Format("text/html", "interactive page, works offline (HTML)"),
    ".csv": Format("text/csv", "paths and losses (CSV)"),
    ".json": Format("application/json", "the scene, to reopen (JSON)"),
    ".py": Format("text/x-python", "PyTorch script that reproduces it (Python)"),
}
ANIMATIONS = (".gif", ".mp4")
ANIMATION_FPS = 20
ANIMATION_FRAMES = 100  # pictures after the first: the app's 100 frame steps (viz.static.ANIMATION_FRAMES)
LIMITS = {"dpi": (30, 1200), "fps": (1, 60), "frames": (2, 2000)}
CSV_COLUMNS = ("optimizer", "label", "step", "x", "y", "loss", "lr")


def normalize_suffix(suffix: str) -> str:
    """``"PNG"``, ``"png"`` or ``".png"`` -> ``".png"``; ExportError naming the valid ones otherwise."""
    s = str(suffix).strip().lower()
    s = s if s.startswith(".") else "." + s
    if s not in FORMATS:
        raise ExportError(f"cannot export {str(suffix)[:20]!r}: valid formats are {', '.join(FORMATS)}")
    return s


def unavailable(scene: sc.Scene, suffix: str) -> str | None:
    """Why ``scene`` cannot be exported as ``suffix``, or None when it can."""
    from .torch_script import TORCH_SURFACES

    if normalize_suffix(suffix) == ".py" and scene.surface not in TORCH_SURFACES:
        return "the PyTorch script needs a built-in surface: your own formula has no torch version yet"
    return None


def default_filename(scene: sc.Scene, suffix: str) -> str:
    """``descent-lab_beale_sgd-momentum-adam_300steps.png``: the surface, the optimizers, the steps."""
    suffix = normalize_suffix(suffix)
    keys = "-".join(dict.fromkeys(r.optimizer for r in scene.runs))
    if len(keys) > 60:
        keys = f"{len(scene.runs)}-runs"
    return f"descent-lab_{scene.surface}_{keys}_{scene.steps}steps{suffix}"


# ----------------------------------------------------------------------------------- the formats


def csv_text(scene: sc.Scene, runs) -> str:
    """The CSV of ``runs`` (``compute(scene)[0]``): see the module's docstring for the columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r, label in zip(scene.runs, sc.run_labels(scene.runs), strict=True):
        traj = runs[label]
        xs, ys = traj.xy[:, 0, 0].tolist(), traj.xy[:, 0, 1].tolist()
        loss, lrs = traj.loss[:, 0].tolist(), traj.lr.tolist()
        for t in range(len(xs)):
            writer.writerow((r.optimizer, label, t, repr(xs[t]), repr(ys[t]), repr(loss[t]),
                             repr(lrs[t]) if t < len(lrs) else ""))
    return out.getvalue()


def html_text(scene: sc.Scene, runs, bands, frames: int | None = None) -> str:
    """The interactive figure as one HTML file that works offline: plotly.js inlined, no MathJax."""
    from viz import trajectory_figure

    surface = sc.surface_of(scene)
    kwargs = {} if frames is None else {"frames": frames}
    fig = trajectory_figure(surface, runs, bands=bands, presentation=scene.presentation, title=surface.title,
                            **kwargs)
    page = fig.to_html(full_html=True, include_plotlyjs=True, include_mathjax=False, auto_play=False,
                       config={"displaylogo": False, "toImageButtonOptions": {
                           "format": "png", "filename": default_filename(scene, ".png")[:-4], "scale": 3}})
    title = f"<title>Descent Lab: {html.escape(surface.title)}</title>"
    return page.replace("<head>", "<head>" + title, 1)


def export_bytes(scene: sc.Scene, suffix: str, progress: Callable[[float], None] | None = None, *,
                 computed=None, dpi: float | None = None, fps: int | None = None, frames: int | None = None,
                 loss_panel: bool = True) -> bytes:
    """``scene`` in the format of ``suffix`` (``".png"``, ``"gif"``, ... see ``FORMATS``), as bytes.

    ``progress(fraction)`` is called while an animation renders (after every picture) and with 1.0 at
    the end for every format. ``computed`` is ``scenes.compute(scene)`` if the caller has it (the
    page caches it). ``dpi`` (static default 160: 1600 × 1000 px; animation default 100: 960 × 600
    px), ``fps`` and ``frames`` (animations; default 20 and 100, that is 101 pictures) are optional.
    ExportError (a ValueError) says what cannot be done, e.g. MP4 without ffmpeg."""
    suffix = normalize_suffix(suffix)
    for name, value in (("dpi", dpi), ("fps", fps), ("frames", frames)):
        check_option(name, value)
    if suffix == ".json":
        data = (sc.to_json(scene) + "\n").encode()
    elif suffix == ".py":
        from .torch_script import torch_script

        data = torch_script(scene).encode()
    else:
        runs, bands = computed if computed is not None else sc.compute(scene)
        if suffix == ".csv":
            data = csv_text(scene, runs).encode()
        elif suffix == ".html":
            data = html_text(scene, runs, bands, frames).encode()
        else:
            data = _picture(scene, runs, bands, suffix, progress, dpi=dpi, fps=fps, frames=frames,
                            loss_panel=loss_panel)
    if progress is not None:
        progress(1.0)
    return data


def _picture(scene: sc.Scene, runs, bands, suffix: str, progress, *, dpi, fps, frames, loss_panel) -> bytes:
    """The static figure or the animation: matplotlib is loaded only here."""
    from viz.static import ANIMATION_DPI, STATIC_DPI, static_figure

    from .images import animation_bytes, figure_bytes

    surface, note, start = sc.surface_of(scene), sc.scene_note(scene), scene.start_point()
    if suffix in ANIMATIONS:
        return animation_bytes(surface, runs, bands, suffix[1:], start=start, note=note, fps=fps or ANIMATION_FPS,
                               frames=frames or ANIMATION_FRAMES, dpi=dpi or ANIMATION_DPI, progress=progress)
    fig = static_figure(surface, runs, bands, start=start, note=note, loss_panel=loss_panel, dpi=dpi or STATIC_DPI)
    return figure_bytes(fig, suffix[1:], dpi or STATIC_DPI)


def check_option(name: str, value) -> None:
    if value is None:
        return
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ExportError(f"{name}={value!r}: {name} takes a whole number from {low} to {high}")


