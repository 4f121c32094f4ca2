"""What the surface tests share: the finite-difference stencil analytic derivatives are checked against,
random points in a domain, and the checks of a formula's LaTeX (balanced, and rendered by the KaTeX that
st.latex uses)."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

EPS = np.finfo(float).eps


def central_difference(fun, p: np.ndarray, h: float):
    """The derivative of ``fun`` along each coordinate by the fourth-order central stencil, stacked on
    a new last axis, and a bound on its rounding error (from the largest value the stencil saw).

    With ``h`` small against the domain the truncation error (h^4 f^(5) / 30) is negligible, so what
    remains is rounding, about eps |f| / h: that is the bound returned."""
    columns, size = [], 0.0
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        v = [fun(p + k * e) for k in (1.0, -1.0, 2.0, -2.0)]
        columns.append((8.0 * (v[0] - v[1]) - (v[2] - v[3])) / (12.0 * h))
        size = np.maximum(size, np.max(np.abs(v), axis=0))
    return np.stack(columns, axis=-1), 50.0 * EPS * size / h


def uniform_points(domain, n: int, seed: int) -> np.ndarray:
    """``n`` points (n, 2) drawn uniformly from ``domain`` ((xmin, xmax), (ymin, ymax))."""
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = domain
    return np.column_stack((rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)))


KINK_RADIUS = 0.05  # derivative checks keep this far from a kink, as a fraction of the domain's width


def width(s) -> float:
    """The longer side of the surface's domain."""
    return max(hi - lo for lo, hi in s.domain)


def random_points(s, n: int, seed: int) -> np.ndarray:
    """``n`` uniform points in the surface's domain, none within ``KINK_RADIUS`` of a kink."""
    p = uniform_points(s.domain, 4 * n, seed)
    for k in s.kinks:
        p = p[np.hypot(*(p - k).T) > KINK_RADIUS * width(s)]
    assert len(p) >= n
    return p[:n]


def latex_balanced(tex: str) -> bool:
    """Braces never close before they open and all close, and every ``\\left`` has its ``\\right``."""
    depth = 0
    for ch in tex.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0 and tex.count(r"\left") == tex.count(r"\right")


_CHECK = """import katex from "./katex.mjs";
import fs from "fs";
const all = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {};
for (const [k, tex] of Object.entries(all)) {
  try { katex.renderToString(tex, {throwOnError: true, displayMode: true}); out[k] = null; }
  catch (e) { out[k] = String(e.message); }
}
console.log(JSON.stringify(out));
"""


def katex_errors(formulas: dict[str, str], folder: Path) -> dict[str, str | None]:
    """What the KaTeX bundled with Streamlit (the renderer behind st.latex) says about each formula:
    None where it renders, its message where it does not. Skips the test without node on the PATH or
    without Streamlit's bundled KaTeX; ``folder`` is a scratch folder."""
    spec = importlib.util.find_spec("streamlit")
    found = sorted(Path(spec.origin).parent.glob("static/static/js/katex.*.js")) if spec and spec.origin else []
    node = shutil.which("node")
    if not found or node is None:
        pytest.skip("needs node on the PATH and streamlit's bundled KaTeX")
    shutil.copy(found[0], folder / "katex.mjs")
    (folder / "formulas.json").write_text(json.dumps(formulas))
    (folder / "check.mjs").write_text(_CHECK)
    done = subprocess.run([node, str(folder / "check.mjs"), str(folder / "formulas.json")],
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


class NumpyAsTorch:
    """NumPy standing in for torch, so that a torch form can run where torch is not installed: each
    function a torch form calls is NumPy's function of that name."""

    sqrt, exp, sin, cos, tanh, asarray, logaddexp = np.sqrt, np.exp, np.sin, np.cos, np.tanh, np.asarray, np.logaddexp

    @staticmethod
    def as_tensor(a, dtype=None):
        return np.asarray(a, dtype=dtype)


def run_source(source: str, torch=NumpyAsTorch, **names) -> dict:
    """The namespace after executing ``source`` with ``torch`` (by default NumPy standing in) and ``math``."""
    namespace = {"torch": torch, "math": math, **names}
    exec(compile(source, "<torch form>", "exec"), namespace)
    return namespace
