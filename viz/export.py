"""Export a scene: for the page's download buttons and from the command line.

The page calls ``export_bytes(scene, suffix, progress)`` and offers the bytes under
``default_filename(scene, suffix)`` with ``FORMATS[suffix].mime``. The command builds the same scene the
page builds (``viz.scene.from_query`` on the combined parameters), computes it with
``viz.scene.compute`` and writes one file, its format chosen by the suffix of ``--out``::

    python -m viz.export --scene beale --out beale.png
    python -m viz.export --surface rosenbrock --optimizers "sgd(lr=0.001),momentum(lr=0.001),adam(lr=0.1)" \\
        --schedule "step(step_size=200,gamma=0.5)" --steps 1000 --start -1.5,2 --out banana.gif
    python -m viz.export --link "http://localhost:8501/?surface=beale&optimizers=adam(lr=0.05)" --out scene.py
    python -m viz.export --from-json scene.json --steps 500 --out scene.mp4

Formats: ``.png`` ``.svg`` ``.pdf`` (the static figure, ``viz.static``), ``.gif`` ``.mp4`` (the
animation), ``.html`` (the interactive Plotly figure in one self-contained file: plotly.js inlined, no
MathJax, nothing fetched), ``.csv`` (the paths), ``.json`` (the scene, ``viz.scene.to_json``; read back
by ``--from-json`` and by the page) and ``.py`` (a standalone PyTorch script that prints the same CSV,
``viz.export_torch``).

The CSV has one row per run and step, start included: ``optimizer`` (the registry key), ``label`` (the
legend label, ``viz.scene.run_labels``), ``step``, ``x``, ``y``, ``loss`` and ``lr``, the learning rate of
the update taken from that step; the last row of a run has an empty ``lr``, as no update is taken from
it. Numbers are written with ``repr``: reading them back gives the same doubles. A run that diverged is
frozen at its last finite point, as the app shows it. Only seed 0 is written; the faint other seeds of
a noisy scene are not.

Bad input on the command line (an unknown surface or optimizer, a malformed setting, an unknown suffix,
an unwritable path, a missing or invalid JSON file) exits with status 2 and one line on stderr saying
what is wrong and what is valid. Any warning ``from_query`` gives is such an error here: on the
command line the scene must be exactly what was typed.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from optimizers import OPTIMIZERS
from surfaces import SURFACES

from . import scene as sc
from .static import (
    ANIMATION_DPI,
    ANIMATION_FPS,
    ANIMATION_FRAMES,
    ANIMATION_SIZE,
    STATIC_DPI,
    ExportError,
    animation_bytes,
    figure_bytes,
    static_figure,
)


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
    from .export_torch import TORCH_SURFACES

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
    from .trajectory import trajectory_figure

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
    the end for every format. ``computed`` is ``viz.scene.compute(scene)`` if the caller has it (the
    page caches it). ``dpi`` (static default 160: 1600 × 1000 px; animation default 100: 960 × 600
    px), ``fps`` and ``frames`` (animations; default 20 and 100, that is 101 pictures) are optional.
    ExportError (a ValueError) says what cannot be done, e.g. MP4 without ffmpeg."""
    suffix = normalize_suffix(suffix)
    for name, value in (("dpi", dpi), ("fps", fps), ("frames", frames)):
        check_option(name, value)
    if suffix == ".json":
        data = (sc.to_json(scene) + "\n").encode()
    elif suffix == ".py":
        from .export_torch import torch_script

        data = torch_script(scene).encode()
    else:
        runs, bands = computed if computed is not None else sc.compute(scene)
        if suffix == ".csv":
            data = csv_text(scene, runs).encode()
        elif suffix == ".html":
            data = html_text(scene, runs, bands, frames).encode()
        elif suffix in ANIMATIONS:
            dpi = dpi or ANIMATION_DPI
            data = animation_bytes(scene, runs, bands, suffix[1:], fps=fps or ANIMATION_FPS,
                                   frames=frames or ANIMATION_FRAMES, dpi=dpi, size=ANIMATION_SIZE,
                                   progress=progress)
        else:
            fig = static_figure(scene, runs, bands, loss_panel=loss_panel, dpi=dpi or STATIC_DPI)
            data = figure_bytes(fig, suffix[1:], dpi or STATIC_DPI)
    if progress is not None:
        progress(1.0)
    return data


def check_option(name: str, value) -> None:
    if value is None:
        return
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ExportError(f"{name}={value!r}: {name} takes a whole number from {low} to {high}")


# --------------------------------------------------------------------------------- command line


class _UsageError(ExportError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse whose errors become one line and exit status 2, as every other bad input here."""

    def error(self, message):
        raise _UsageError(f"{message} (see python -m viz.export --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m viz.export", allow_abbrev=False,
                description="Write one Descent Lab scene to a file; the format follows the suffix of --out: "
                            + ", ".join(FORMATS) + ".",
                epilog="Runs and schedules are written as in the app's links: "
                       "sgd(lr=0.1,momentum=0.9),adam(lr=0.05,betas=0.8/0.99) and step(step_size=30,gamma=0.5). "
                       "Explicit options override what --scene, --link or --from-json set.")
    base = p.add_mutually_exclusive_group()
    base.add_argument("--scene", metavar="PRESET", help="start from a preset: " + ", ".join(sc.PRESETS))
    base.add_argument("--link", metavar="URL", help="read a whole scene from a shared link or its query string")
    base.add_argument("--from-json", metavar="FILE", help="read a whole scene from a .json export")
    p.add_argument("--surface", metavar="NAME", help="one of: " + ", ".join(SURFACES))
    p.add_argument("--optimizers", metavar="RUNS", help='e.g. "sgd,momentum(lr=0.01),adam(lr=0.05)"')
    p.add_argument("--schedule", metavar="SCHEDULE", help='e.g. "exponential(gamma=0.99)"; default constant')
    p.add_argument("--steps", metavar="N", help=f"1 to {sc.MAX_SCENE_STEPS}")
    p.add_argument("--start", metavar="X,Y", help="the start point, e.g. --start=-1.5,2")
    p.add_argument("--noise", metavar="SIGMA", help="Gaussian gradient noise (seeded)")
    p.add_argument("--seeds", metavar="K", help=f"seeds drawn for noisy scenes, 1 to {sc.MAX_SEEDS}")
    p.add_argument("--out", metavar="PATH", required=True, help="the file to write; its suffix is the format")
    p.add_argument("--dpi", type=int, help="resolution of figures (default 160: 1600 x 1000 px) and "
                                           "animations (default 100: 960 x 600 px)")
    p.add_argument("--fps", type=int, help=f"animation frames per second (default {ANIMATION_FPS})")
    p.add_argument("--frames", type=int, help=f"animation frames after the first (default {ANIMATION_FRAMES})")
    p.add_argument("--no-loss-panel", action="store_true", help="static figures: the map and legend only")
    return p


_VALUE_OPTIONS = ("--scene", "--link", "--from-json", "--surface", "--optimizers", "--schedule", "--steps",
                  "--start", "--noise", "--seeds", "--out", "--dpi", "--fps", "--frames")
_SCENE_OPTIONS = ("surface", "optimizers", "schedule", "steps", "start", "noise", "seeds")


def _join_values(argv: list[str]) -> list[str]:
    """``--start -1.5,2`` -> ``--start=-1.5,2``: argparse would take the value for an option."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a in _VALUE_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-") and argv[i + 1] != "-" \
                and not argv[i + 1].startswith("--"):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
        else:
            out.append(a)
            i += 1
    return out


def _link_query(text: str) -> dict[str, str]:
    """The query parameters of a link, or of a query string given alone."""
    query = text.strip().split("#", 1)[0]
    if "?" in query:
        query = query.split("?", 1)[1]
    elif "://" in query or "=" not in query:
        query = ""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        raise ExportError(f"--link {text[:60]!r} holds no scene: give a link such as "
                          "http://host/?surface=beale&optimizers=adam or its query string surface=beale&...")
    return dict(pairs)


def _read_json(path: str) -> sc.Scene:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ExportError(f"cannot read --from-json {path!r}: {getattr(e, 'strerror', None) or e}") from None
    try:
        scene, warnings = sc.from_json(text)
    except ValueError as e:
        raise ExportError(f"--from-json {path!r}: {e}") from None
    if warnings:
        raise ExportError(f"--from-json {path!r}: " + "; ".join(warnings))
    return scene


def scene_from_args(args) -> sc.Scene:
    """The scene the options describe, exactly: any value ``from_query`` would ignore is an error."""
    flags = {k: getattr(args, k) for k in _SCENE_OPTIONS if getattr(args, k) is not None}
    if "optimizers" in flags and not flags["optimizers"].strip(" ,\t\n"):
        raise ExportError("--optimizers is empty: give at least one, e.g. --optimizers sgd,adam; valid optimizers: "
                          + ", ".join(OPTIMIZERS))
    if args.from_json is not None:
        scene = _read_json(args.from_json)
        if not flags:
            return scene
        query = {**sc.to_query(scene), **flags}
    elif args.link is not None:
        query = {**_link_query(args.link), **flags}
    else:
        query = {**({"scene": args.scene} if args.scene is not None else {}), **flags}
    scene, warnings = sc.from_query(query)
    if warnings:
        raise ExportError("; ".join(warnings))
    return scene


def _check_out(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"--out {str(path)[:80]!r}: unknown format {path.suffix or '(no suffix)'!r}; "
                          f"valid suffixes are {', '.join(FORMATS)}")
    if path.is_dir():
        raise ExportError(f"--out {str(path)[:80]!r} is a folder; give a file name ending in {suffix}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {str(path)[:80]!r}: the folder {str(folder)[:80]!r} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ExportError(f"cannot write {str(path)[:80]!r}: permission denied")
    return suffix


def _progress_printer(stream) -> Callable[[float], None]:
    shown = [-1]
    tty = stream.isatty()

    def report(fraction: float) -> None:
        percent = round(100 * fraction)
        if tty:
            print(f"\rrendering {percent:3d}%", end="\n" if percent >= 100 else "", file=stream, flush=True)
        elif percent // 10 > shown[0]:
            shown[0] = percent // 10
            print(f"rendering {percent}%", file=stream, flush=True)

    return report


def _size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(_join_values(argv))
    out = Path(args.out)
    suffix = _check_out(out)
    for name in ("dpi", "fps", "frames"):
        check_option(name, getattr(args, name))
    scene = scene_from_args(args)
    progress = _progress_printer(sys.stderr) if suffix in ANIMATIONS else None
    data = export_bytes(scene, suffix, progress, dpi=args.dpi, fps=args.fps, frames=args.frames,
                        loss_panel=not args.no_loss_panel)
    try:
        out.write_bytes(data)
    except OSError as e:
        raise ExportError(f"cannot write {str(out)[:80]!r}: {e.strerror or e}") from None
    print(f"wrote {out} ({_size(len(data))})", file=sys.stderr)
    return 0


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> int:
    """The command; returns the exit status: 0, 2 for bad input (one line on stderr), 1 for a bug."""
    try:
        return _run(sys.argv[1:] if argv is None else list(argv))
    except (ExportError, ValueError, json.JSONDecodeError) as e:
        print(f"viz.export: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("viz.export: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: still one line, never a traceback
        print(f"viz.export: internal error: {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
