"""The command line: ``python -m exports`` writes one scene to a file, its format chosen by the suffix
of ``--out``. It builds the same scene the page builds (``scenes.from_query`` on the combined
parameters) and computes it with ``scenes.compute``::

    python -m exports --scene beale --out beale.png
    python -m exports --surface rosenbrock --optimizers "sgd(lr=0.001),momentum(lr=0.001),adam(lr=0.1)" \\
        --schedule "step(step_size=200,gamma=0.5)" --steps 1000 --start -1.5,2 --out banana.gif
    python -m exports --link "http://localhost:8501/?surface=beale&optimizers=adam(lr=0.05)" --out scene.py
    python -m exports --from-json scene.json --steps 500 --out scene.mp4

Bad input (an unknown surface or optimizer, a malformed setting, an unknown suffix, an unwritable path,
a missing or invalid JSON file) exits with status 2 and one line on stderr saying what is wrong and
what is valid. Any warning ``from_query`` gives is such an error here: on the command line the scene
must be exactly what was typed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl

import scenes as sc
from optimizers import OPTIMIZERS
from scenes.model import MAX_SCENE_STEPS, MAX_SEEDS
from surfaces import SURFACES

from .errors import ExportError
from .formats import ANIMATION_FPS, ANIMATION_FRAMES, ANIMATIONS, FORMATS, check_option, export_bytes

PROG = "python -m exports"


class _UsageError(ExportError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse whose errors become one line and exit status 2, as every other bad input here."""

    def error(self, message):
        raise _UsageError(f"{message} (see {PROG} --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, allow_abbrev=False,
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
    p.add_argument("--steps", metavar="N", help=f"1 to {MAX_SCENE_STEPS}")
    p.add_argument("--start", metavar="X,Y", help="the start point, e.g. --start=-1.5,2")
    p.add_argument("--noise", metavar="SIGMA", help="Gaussian gradient noise (seeded)")
    p.add_argument("--seeds", metavar="K", help=f"seeds drawn for noisy scenes, 1 to {MAX_SEEDS}")
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
        print(f"{PROG}: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: still one line, never a traceback
        print(f"{PROG}: internal error: {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
