r"""Mutation testing of one package: how many small bugs planted in its code the tests catch.

    python tools/mutation.py surfaces                 # score, then the survivors with file:line and the change
    python tools/mutation.py networks --max-children 2
    python tools/mutation.py optimizers --json artifacts/mutation-optimizers.json
    python tools/mutation.py viz --tests tests/viz/test_vanishing_static.py tests/viz/test_vanishing_plotly.py
    python tools/mutation.py scenes                   # once the package exists: its tests are tests/scenes
    python tools/mutation.py surfaces --skip 'surfaces/expression/*'   # the surfaces without the formula parser
    python tools/mutation.py surfaces --only surfaces/moons.py surfaces/torch_form.py
    python tools/mutation.py viz --sample 200 --seed 1   # 200 mutants at random: the score and its 95% interval

It runs mutmut 3 (``pip install "mutmut>=3.8,<4"``; a development tool, not in requirements-dev.txt and
not in CI) on a scratch copy of the repository (``--workdir``, by default under the system's temporary
folder), so the work tree is never touched. mutmut rewrites every function of the package into a
trampoline that dispatches to the original or to one of its mutants (an operator, a number, a string,
a keyword argument changed, a call's argument dropped, ...), records once which tests reach which
function, and then runs, for each mutant, only the tests that reached its function, forked from a
process that has imported everything already: on 2 cores ``surfaces`` and ``networks`` take a few
minutes each (see tools/MUTATION.md for measured times and scores).

Tests: ``tests/<package>`` unless ``--tests`` names others, always without the browser tests (they
need a served app) and the live torch comparisons (torch in forked workers is not fork-safe; the
committed literal values from torch still run). ``SKIP`` lists test files that read the package's
source text, which mutmut's rewriting changes (the torch form of the surfaces): they are left out, so
what they would catch is not counted. Every test starts with the package's ``lru_cache``s cleared (a
fixture appended to the copy's tests/conftest.py): a worker forked after the tests ran once would
otherwise read the unmutated results from them.

A mutant is *killed* when a selected test fails (or times out); it *survives* when all pass, and has
*no tests* when none reaches its function. The score is killed / all mutants. Survivors are printed
as ``path:line`` with the line before and after the change, for the reader to judge: a real gap gets
a test, an equivalent mutant (one that computes the same thing) is listed with its reason in
tools/MUTATION.md. Exit code 0 whatever the score, 2 for a bad argument or a failed run.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("optimizers", "surfaces", "networks", "viz", "scenes")
MARKERS = "not browser and not torch"
# test files that read the package's own source text (inspect), which mutmut rewrites into trampolines
SKIP = {"surfaces": ("tests/surfaces/test_surfaces_torch.py",)}
KILLED = {"killed", "timeout", "caught by type check"}
# appended to the scratch copy's tests/conftest.py: mutmut forks each mutant's worker from a process that has
# run the tests once, so an lru_cache of the package (schedules' tables, the digits, a typed surface) would
# hand the worker the unmutated result; every test starts with the package's caches empty
FRESH_CACHES = """

import sys as _sys

import pytest as _pytest


@_pytest.fixture(autouse=True)
def _mutation_fresh_caches():
    for _name, _module in list(_sys.modules.items()):
        if _name.split(".")[0] == PACKAGE:
            for _value in list(vars(_module).values()):
                if callable(getattr(_value, "cache_clear", None)):
                    _value.cache_clear()
"""


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's: module.x_function__mutmut_3, module.xǁClassǁmethod__mutmut_3
    status: str
    where: str = ""  # path:line
    before: str = ""
    after: str = ""


def fail(message: str) -> None:
    print(f"mutation: {message}", file=sys.stderr)
    raise SystemExit(2)


def tracked_files() -> list[str]:
    """The repository's files as the work tree has them: tracked, and untracked but not ignored."""
    done = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"git ls-files failed: {done.stderr.strip()}")
    return [f for f in done.stdout.splitlines() if (ROOT / f).is_file()]


def prepare(package: str, workdir: Path, tests: list[str], keep: bool, only=(), skip=()) -> None:
    """A copy of the repository in ``workdir`` whose pyproject.toml tells mutmut what to mutate and test."""
    if workdir.exists() and not keep:
        shutil.rmtree(workdir)
    for name in tracked_files():
        target = workdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    others = sorted({Path(f).parts[0] for f in tracked_files()} - {package, "tests", "pyproject.toml"})
    ignore = [f"--ignore={path}" for path in SKIP.get(package, ())]
    section = (
        "\n[tool.mutmut]\n"
        f"source_paths = [{json.dumps(package)}]\n"
        f"also_copy = {json.dumps(others)}\n"
        f"pytest_add_cli_args = {json.dumps(['-p', 'no:cacheprovider', '-m', MARKERS, *ignore])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        f"only_mutate = {json.dumps(list(only))}\n"
        f"do_not_mutate = {json.dumps(list(skip))}\n"
    )
    pyproject = workdir / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + section)
    conftest = workdir / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text() + FRESH_CACHES.replace("PACKAGE", repr(package)))


ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
NOTHING = "no.such.mutant__mutmut_0"  # a filter that matches no mutant: mutmut generates them and stops


def run_mutmut(workdir: Path, max_children: int, names: list[str] = (), may_fail: bool = False) -> None:
    """``mutmut run`` in ``workdir`` on every mutant, or on ``names`` only."""
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *names]
    log = workdir / "mutmut-run.log"  # written as the run goes: `tail -f` it to follow the progress
    with log.open("a") as out:
        done = subprocess.run(command, cwd=workdir, env={**os.environ, **ENV}, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0 and not may_fail:
        tail = "\n".join(log.read_text(errors="replace").strip().splitlines()[-15:])
        fail(f"mutmut run failed (exit {done.returncode}); the end of {log}:\n{tail}")


def all_mutants(workdir: Path, max_children: int) -> list[str]:
    """Every mutant's name, generated (and the tests' coverage recorded) without running one: mutmut
    lists each file's mutants in its ``.meta`` (``mutmut print-time-estimates`` would also list them, but
    it drops the recorded coverage of files it did not generate, and every mutant would have no tests)."""
    run_mutmut(workdir, max_children, [NOTHING], may_fail=True)
    names = [name for meta in sorted((workdir / "mutants").rglob("*.py.meta"))
             for name in json.loads(meta.read_text()).get("exit_code_by_key", {})]
    if not names:
        fail(f"mutmut listed no mutants; see {workdir / 'mutmut-run.log'}")
    return sorted(names)


def sample(names: list[str], size: int, seed: int) -> list[str]:
    """``size`` of ``names`` drawn without replacement, the same for the same seed and names."""
    return sorted(random.Random(seed).sample(names, min(size, len(names))))


def wilson(killed: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson interval of a share killed / total (a sample's score as an estimate of the whole's):
    centre (p + z²/2n) / (1 + z²/n), half-width z √(p(1 − p)/n + z²/4n²) / (1 + z²/n)."""
    if total == 0:
        return 0.0, 1.0
    p, n = killed / total, total
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def statuses(workdir: Path) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=workdir,
                          capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"mutmut results failed: {done.stderr.strip()[-500:]}")
    found = {}
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def source_path(name: str, package: str) -> Path:
    """surfaces.valleys.x__booth_f__mutmut_3 -> surfaces/valleys.py (or surfaces/valleys/__init__.py)."""
    module = name.split(".x_")[0].split(".xǁ")[0]
    path = Path(*module.split("."))
    return path.with_suffix(".py") if (ROOT / path.with_suffix(".py")).exists() else path / "__init__.py"


def function_lines(path: Path, name: str) -> tuple[int, int]:
    """First and last line of the function (or method) a mutant belongs to, in the original file."""
    tail = name.rsplit(".", 1)[-1]
    match = re.match(r"x(?:ǁ(\w+)ǁ)?_?(\w+?)__mutmut_\d+$", tail)
    if match is None:
        return 1, 10**9
    cls, function = match.groups()
    tree = ast.parse((ROOT / path).read_text())
    scope = tree.body
    if cls:
        scope = next((n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls), [])
    for node in scope:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in (function, "_" + function):
            return node.lineno, node.end_lineno
    return 1, 10**9


def describe(workdir: Path, name: str, status: str, package: str) -> Mutant:
    """The mutant with the line it changes, located in the original file."""
    done = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=workdir, capture_output=True, text=True)
    diff = done.stdout.splitlines()
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    path = source_path(name, package)
    first, last = function_lines(path, name)
    lines = (ROOT / path).read_text().splitlines()
    line_no = first
    if removed:
        wanted = removed[0].strip()
        for i in range(first - 1, min(last, len(lines))):
            if lines[i].strip() == wanted:
                line_no = i + 1
                break
    return Mutant(name, status, f"{path}:{line_no}", " | ".join(r.strip() for r in removed),
                  " | ".join(a.strip() for a in added))


def report(package: str, found: dict[str, str], mutants: list[Mutant], seconds: float, of: int | None = None) -> str:
    """The score (with its 95% interval when ``found`` is a sample of ``of`` mutants) and the survivors."""
    total = len(found)
    killed = sum(s in KILLED for s in found.values())
    counts = {}
    for s in found.values():
        counts[s] = counts.get(s, 0) + 1
    head = f"{package}: {killed} / {total} mutants killed ({100 * killed / max(total, 1):.1f}%) in {seconds:.0f} s"
    if of is not None:
        low, high = wilson(killed, total)
        head += f"; a random sample of {total} of {of} mutants: the whole's score is {100 * low:.0f}-{100 * high:.0f}%"
    lines = [head, "  " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))]
    for m in sorted(mutants, key=lambda m: (m.where.split(":")[0], int(m.where.split(":")[1]))):
        lines.append(f"  {m.status:9s} {m.where}  {m.before}  ->  {m.after}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", help=f"one of {', '.join(PACKAGES)}")
    parser.add_argument("--tests", nargs="+", help="test paths to run (default tests/<package>)")
    parser.add_argument("--only", nargs="+", default=(), metavar="GLOB",
                        help="mutate only these files (fnmatch, as surfaces/moons.py; * also matches /)")
    parser.add_argument("--skip", nargs="+", default=(), metavar="GLOB", help="do not mutate these files")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2, help="parallel workers")
    parser.add_argument("--workdir", type=Path, help="scratch copy (default: a folder under the temporary one)")
    parser.add_argument("--keep", action="store_true", help="reuse the scratch copy and mutmut's finished results")
    parser.add_argument("--json", type=Path, help="also write every mutant's status and change to this file")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="check only N mutants drawn at random: the score with its 95%% interval")
    parser.add_argument("--seed", type=int, default=0, help="the draw of --sample (default 0)")
    args = parser.parse_args(argv)
    if args.package not in PACKAGES or not (ROOT / args.package).is_dir():
        fail(f"no package {args.package!r} to mutate; valid: "
             f"{', '.join(p for p in PACKAGES if (ROOT / p).is_dir())}")
    tests = args.tests or [f"tests/{args.package}"]
    missing = [t for t in tests if not (ROOT / t.split("::")[0]).exists()]
    if missing:
        fail(f"no such tests: {', '.join(missing)}")
    if args.max_children < 1:
        fail("--max-children must be at least 1")
    if args.sample is not None and args.sample < 1:
        fail("--sample must be at least 1")
    workdir = args.workdir or Path(tempfile.gettempdir()) / f"descent-lab-mutation-{args.package}"
    start = time.monotonic()
    prepare(args.package, workdir, tests, args.keep, args.only, args.skip)
    drawn, every = [], None
    if args.sample is not None:
        every = all_mutants(workdir, args.max_children)
        drawn = sample(every, args.sample, args.seed)
    run_mutmut(workdir, args.max_children, drawn)
    found = statuses(workdir)
    if drawn:
        found = {n: found.get(n, "not checked") for n in drawn}
    if not found:
        fail(f"mutmut made no mutants of {args.package}; see {workdir / 'mutmut-run.log'}")
    survivors = [describe(workdir, n, s, args.package) for n, s in sorted(found.items()) if s not in KILLED]
    print(report(args.package, found, survivors, time.monotonic() - start, len(every) if every else None))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"package": args.package, "statuses": found,
                                         "survivors": [m.__dict__ for m in survivors]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
