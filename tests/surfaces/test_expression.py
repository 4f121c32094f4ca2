"""``surfaces.from_expression``: formulas typed by students made into surfaces.

Examples against formulas written out in NumPy, derivatives against finite differences, the scalar and
array forms, the LaTeX (through the KaTeX that st.latex uses), the start and minima; then hostile and
mistaken input, each refused with a ValueError in plain words within a second; then hypothesis on
random text and on random valid formulas (exact derivatives wherever they can be checked).
"""

from __future__ import annotations

import random
import time
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from surface_helpers import central_difference, katex_errors, latex_balanced, uniform_points

from surfaces import Surface, from_expression
from surfaces.expression import FUNCTIONS, MAX_LENGTH, ExpressionSurface

SECOND = 1.0  # every answer, good or bad, takes less processor time than this
# Processor time rather than wall time, so that a machine busy with other work does not fail the limit;
# for the same reason hypothesis has no deadline, the tests time each example themselves.

# Formulas and the same function written in NumPy; all smooth on the default domain [-3, 3]^2.
EXAMPLES = {
    "sin(x)*cos(y) + 0.1*(x**2 + y**2)": lambda x, y: np.sin(x) * np.cos(y) + 0.1 * (x**2 + y**2),
    "x^2 + 3*y^2": lambda x, y: x**2 + 3 * y**2,
    "(1 - x)**2 + 10*(y - x**2)**2": lambda x, y: (1 - x) ** 2 + 10 * (y - x**2) ** 2,
    "exp(-(x**2 + y**2)/2)": lambda x, y: np.exp(-(x**2 + y**2) / 2),
    "-x^2 + y^2": lambda x, y: -(x**2) + y**2,
    "2^x + e^y": lambda x, y: 2**x + np.exp(y),
    "log(1 + x**2 + y**2)": lambda x, y: np.log(1 + x**2 + y**2),
    "ln(2 + cos(x)) * sqrt(5 + y)": lambda x, y: np.log(2 + np.cos(x)) * np.sqrt(5 + y),
    "tanh(x*y) + sigmoid(x - y)": lambda x, y: np.tanh(x * y) + 1 / (1 + np.exp(-(x - y))),
    "softplus(x) + softplus(-y)": lambda x, y: np.log1p(np.exp(x)) + np.log1p(np.exp(-y)),
    "atan(x) * arcsin(y/4) + acos(x/5)": lambda x, y: np.arctan(x) * np.arcsin(y / 4) + np.arccos(x / 5),
    "sinh(x/2)*cosh(y/3) - tan(x/3)": lambda x, y: np.sinh(x / 2) * np.cosh(y / 3) - np.tan(x / 3),
    "log10(x**2 + 1) + log2(y**2 + 2)": lambda x, y: np.log10(x**2 + 1) + np.log2(y**2 + 2),
    "x/(y**2 + 1) - y/(x**2 + 4)": lambda x, y: x / (y**2 + 1) - y / (x**2 + 4),
    "(x**2 + y - 11)**2 + (x + y**2 - 7)**2": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "2*pi*x - sin(2*pi*y) + e": lambda x, y: 2 * np.pi * x - np.sin(2 * np.pi * y) + np.e,
    "(x**2 + 1)**0.5 + (y**2 + 1)**-1.5": lambda x, y: (x**2 + 1) ** 0.5 + (y**2 + 1) ** -1.5,
    "0.5^(x*y) + 3": lambda x, y: 0.5 ** (x * y) + 3,
    "+x - -y": lambda x, y: x + y,
    "1e-3*x**4 + 2.5E2*y": lambda x, y: 1e-3 * x**4 + 250 * y,
    "7": lambda x, y: 7 + 0 * x,
}
LATEX = {
    "sin(x)*cos(y) + 0.1*(x**2 + y**2)": (
        r"f(x, y) = \sin\left(x\right) \cos\left(y\right) + 0.1 \left(x^{2} + y^{2}\right)",
        r"\frac{\partial f}{\partial x} = \cos\left(x\right) \cos\left(y\right) + 0.2 x",
        r"\frac{\partial f}{\partial y} = 0.2 y - \sin\left(x\right) \sin\left(y\right)",
    ),
    "x^2 + 3*y^2": (r"f(x, y) = x^{2} + 3 y^{2}", r"\frac{\partial f}{\partial x} = 2 x",
                    r"\frac{\partial f}{\partial y} = 6 y"),
    "(x - 1)**2 - x/y": (r"f(x, y) = \left(x - 1\right)^{2} - \frac{x}{y}",
                         r"\frac{\partial f}{\partial x} = 2 \left(x - 1\right) - \frac{1}{y}",
                         r"\frac{\partial f}{\partial y} = \frac{x}{y^{2}}"),
    "-x^2 + sin(y)^2": (r"f(x, y) = -x^{2} + \sin^{2}\left(y\right)", r"\frac{\partial f}{\partial x} = -2 x",
                        r"\frac{\partial f}{\partial y} = 2 \sin\left(y\right) \cos\left(y\right)"),
    "e^(x*y) + 2*pi*x": (r"f(x, y) = e^{x y} + 2 \pi x", r"\frac{\partial f}{\partial x} = y e^{x y} + 2 \pi",
                         r"\frac{\partial f}{\partial y} = x e^{x y}"),
}


def points(s: Surface, n: int, seed: int) -> np.ndarray:
    return uniform_points(s.domain, n, seed)


def assert_derivatives_exact(s: Surface, p: np.ndarray, h: float = 1e-3, rtol: float = 1e-6) -> int:
    """Gradient against differences of ``f``, Hessian against differences of the gradient, at the points
    of ``p`` where both can be judged: every value finite and moderate, and the differences with steps
    ``h`` and ``2 h`` agreeing (which they do not next to a pole or a kink). Returns how many points
    were judged."""
    checked = 0
    for analytic, fun in ((s.grad(p), s.f), (s.hessian(p), s.grad)):
        fd, rounding = central_difference(fun, p, h)
        coarse, coarse_rounding = central_difference(fun, p, 2 * h)
        rounding, coarse_rounding = rounding[..., None], coarse_rounding[..., None]
        tol = rtol * (1.0 + np.abs(fd)) + rounding
        axes = tuple(range(1, analytic.ndim))
        judged = (np.isfinite(analytic).all(axes) & np.isfinite(fd).all(axes) & np.isfinite(coarse).all(axes)
                  & (np.abs(analytic).max(axes) < 1e6)
                  & (np.abs(fd - coarse) <= tol + 16 * coarse_rounding).all(axes))
        error = np.abs(analytic - fd) > tol
        bad = judged & error.any(axes)
        assert not bad.any(), (s.text, p[bad][:3], analytic[bad][:3], fd[bad][:3])
        checked += int(judged.sum())
    return checked


def refused(text, domain=None) -> str:
    """The message of the ValueError that ``text`` gets, checking that it came within a second."""
    start = time.process_time()
    with pytest.raises(ValueError) as caught:
        from_expression(text, domain)
    elapsed = time.process_time() - start
    assert elapsed < SECOND, (text[:50], elapsed)
    message = str(caught.value)
    assert message[0].isupper() and message.endswith("."), message  # a sentence
    assert "Traceback" not in message and "ast." not in message and "SyntaxError" not in message
    return message


# Examples


@pytest.mark.parametrize("text", EXAMPLES)
def test_values_equal_numpy(text):
    s = from_expression(text)
    assert isinstance(s, ExpressionSurface) and isinstance(s, Surface)
    p = points(s, 200, 0)
    expected = EXAMPLES[text](p[:, 0], p[:, 1])
    np.testing.assert_allclose(s.f(p), expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("text", EXAMPLES)
def test_gradient_and_hessian_match_finite_differences(text):
    s = from_expression(text)
    p = points(s, 200, 1)
    assert assert_derivatives_exact(s, p) == 2 * len(p)


@pytest.mark.parametrize("text", EXAMPLES)
def test_scalar_and_array_forms_are_bit_identical(text):
    s = from_expression(text)
    p = points(s, 32, 2)
    x, y = p[:, 0].copy(), p[:, 1].copy()
    f = np.broadcast_to(s.fxy(x, y), x.shape)
    g = [np.broadcast_to(v, x.shape) for v in s.gxy(x, y)]
    h = [np.broadcast_to(v, x.shape) for v in s.hxy(x, y)]
    for i in range(len(x)):
        xi, yi = np.float64(x[i]), np.float64(y[i])
        assert np.ndim(s.fxy(xi, yi)) == 0 and s.fxy(xi, yi) == f[i]
        assert tuple(s.gxy(xi, yi)) == tuple(v[i] for v in g)
        assert tuple(s.hxy(xi, yi)) == tuple(v[i] for v in h)
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 7), np.linspace(-3, 3, 5)), axis=-1)
    assert s.f(grid).shape == (5, 7) and s.grad(grid).shape == (5, 7, 2) and s.hessian(grid).shape == (5, 7, 2, 2)


def test_synonyms_and_caret_mean_the_same():
    p = points(from_expression("x"), 50, 3)
    for a, b in [("x^2 - 2^y", "x**2 - 2**y"), ("-x^2", "-(x**2)"), ("2^3^0.5*x", "2**(3**0.5)*x"),
                 ("ln(2+x) + atan(y)", "log(2+x) + arctan(y)"), ("asin(x/4)*acos(y/4)", "arcsin(x/4)*arccos(y/4)")]:
        sa, sb = from_expression(a), from_expression(b)
        np.testing.assert_array_equal(sa.f(p), sb.f(p))
        np.testing.assert_array_equal(sa.grad(p), sb.grad(p))


@pytest.mark.parametrize("text", LATEX)
def test_latex_of_formula_and_gradient(text):
    s = from_expression(text)
    assert (s.latex, *s.grad_latex) == LATEX[text]


def test_undefined_points_give_nan_or_inf_without_warnings():
    s = from_expression("1/x + sqrt(y + 3) + log(x**2)")  # pyproject turns warnings into errors
    assert not np.isfinite(s.f(np.array([[0.0, 1.0], [1.0, -4.0]]))).any()
    assert not np.isfinite(s.grad(np.array([0.0, 1.0]))).all()
    with np.errstate(all="raise"):
        s.hessian(np.array([[0.0, -1.0], [np.inf, np.nan]]))
        for zero in (0.0, 0, np.float64(0.0), np.zeros(3)):  # Python numbers too: no ZeroDivisionError
            assert not np.isfinite(s.fxy(zero, 1.0)).any() and not np.isfinite(s.gxy(zero, 1.0)[0]).any()


def test_abs_has_sign_as_derivative_and_no_curvature():
    s = from_expression("abs(x) + 2*abs(y - 1)")
    np.testing.assert_array_equal(s.grad(np.array([[-2.0, 3.0], [0.5, 0.0], [0.0, 1.0]])),
                                  [[-1.0, 2.0], [1.0, -2.0], [0.0, 0.0]])
    np.testing.assert_array_equal(s.hessian(np.array([0.3, 0.2])), np.zeros((2, 2)))


# Start, minima, domain and metadata


def test_metadata():
    s = from_expression("  (x - 1)**2 + 2*(y + 0.5)**2  ")
    assert (s.key, s.title, s.text, s.log_scale, s.saddles, s.kinks) == (
        "custom", "Your formula", "(x - 1)**2 + 2*(y + 0.5)**2", False, (), ())
    assert s.caption.endswith(".") and ". " not in s.caption
    assert s.domain == ((-3.0, 3.0), (-3.0, 3.0))
    assert s.start == (-2.4, 2.4)  # 10% in from the top-left corner
    assert len(s.minima) == 1 and np.allclose(s.minima[0], (1.0, -0.5), atol=1e-12)


def test_minimum_is_refined_by_newton_and_omitted_when_there_is_none():
    s = from_expression("sin(x)*cos(y) + 0.1*(x**2 + y**2)")
    (m,) = s.minima
    assert np.linalg.norm(s.grad(np.array(m))) < 1e-12
    assert np.all(np.linalg.eigvalsh(s.hessian(np.array(m))) > 0)
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 301), np.linspace(-3, 3, 301)), axis=-1)
    assert s.f(np.array(m)) <= s.f(grid).min()
    for text in ("x + y", "x**2 - y**2", "-(x**2 + y**2)", "7"):  # on the boundary, a saddle, a maximum, flat
        assert from_expression(text).minima == ()


def test_start_avoids_points_where_the_formula_is_undefined():
    s = from_expression("sqrt(x) + y**2")
    assert s.start[0] >= 0 and np.isfinite(s.grad(np.array(s.start))).all()
    s = from_expression("1/((x + 2.4)*(y - 2.4))")
    assert np.isfinite(s.hessian(np.array(s.start))).all()


def test_custom_domain():
    s = from_expression("x**2 + y**2", domain=((0.5, 10), (-1.5, 2.5)))
    assert s.domain == ((0.5, 10.0), (-1.5, 2.5))
    (x0, x1), (y0, y1) = s.domain
    assert x0 < s.start[0] < x1 and y0 < s.start[1] < y1
    assert s.minima == ()  # the lowest point of this domain is on its edge, not a stationary point
    assert np.isfinite(s.f(np.array(s.start)))


@pytest.mark.parametrize("domain", [
    ((3, -3), (-3, 3)), ((0, 0), (0, 1)), ((0, np.inf), (0, 1)), ((np.nan, 1), (0, 1)), ((0, 1e9), (0, 1)),
    ((0, 1), (0, 1), (0, 1)), ((0, 1),), "ab", 5, (("0", "1"), (0, 1)), ((True, 2), (0, 1)), ((0, 1, 2), (0, 1)),
])
def test_bad_domain_is_refused(domain):
    assert "range" in refused("x**2", domain) or "domain" in refused("x**2", domain)


# Refusals


HOSTILE = {
    "x" * 100_000: "too long",
    "(" * 5000 + "x" + ")" * 5000: "too long",
    "(" * 140 + "x" + ")" * 140: "brackets inside brackets",
    "(" * 21 + "x" + ")" * 21: "brackets inside brackets",
    "9**9**9**9": "exponent",
    "9^9^9^9": "exponent",
    "2**9**9": "exponent",
    "x**20": "exponent",
    "10**400": "exponent",
    "1e999999": "too large",
    "1" * 300: "too large",
    "1000001*x": "too large",
    "__import__('os')": "quotes",
    "__import__": "not something a formula can use",
    "().__class__": "attribute",
    "x.real": "attribute",
    "(x).conjugate()": "attribute",
    "lambda: 1": "belongs to Python",
    "lambda x, y": "belongs to Python",
    "ｅｘｅｃ": "not a plain keyboard character",
    "𝐱 + 1": "not a plain keyboard character",
    "ｓｉｎ(x)": "not a plain keyboard character",
    "x\u200b+1": "not a plain keyboard character",
    "\u202ex": "not a plain keyboard character",
    "x\x00": "control character",
    "x\n+1": "line break",
    "x\r": "line break",
    "x; y": "single expression",
    "import os": "belongs to Python",
    "exec('1')": "quotes",
    "eval": "not something a formula can use",
    "open(x)": "not something a formula can use",
    "print(x)": "not something a formula can use",
    "globals()": "not something a formula can use",
    "x[0]": "round brackets",
    "{x}": "round brackets",
    "f'{x}'": "quotes",
    "(x := 1)": "Python code",
    "x == y": "without '='",
    "f = x**2": "without '='",
    "x < y": "comparisons",
    "x if y else 1": "belongs to Python",
    "not x": "belongs to Python",
    "x and y": "belongs to Python",
    "True": "belongs to Python",
    "None + x": "belongs to Python",
    "x, y": "several formulas",
    "*x": "cannot start with",
    "sin(*x)": "Call sin with its argument alone",
    "sin(x=1)": "without '='",
    "sin(x, y)": "exactly one argument",
    "sin()": "exactly one argument",
    "x // y": "'//' is not available",
    "x % y": "'%' is not available",
    "x @ y": "cannot appear",
    "~x": "cannot appear",
    "x | y": "abs(x)",
    "x & y": "cannot appear",
    "x << 2": "comparisons",
    "x # comment": "cannot appear",
    "x\\": "cannot appear",
    "2x": "'*' seems to be missing",
    "x y": "'*' seems to be missing",
    "(x+1)(y-1)": "write *",
    "2(x)": "write *",
    "x(y)": "not a function",
    "sin x": "in brackets",
    "sin": "needs its argument in brackets",
    "x +": "not complete",
    "x^": "not complete",
    "(x": "never closed",
    "x)": "no matching",
    "": "empty",
    "   \t ": "empty",
    "1.2.3": "not written correctly",
    "01*x": "leading zeros",
    "x + ( )": "brackets are empty",
    "x**2 y": "'*' seems to be missing",
    "sin(x)cos(y)": "'*' seems to be missing",
    "x ** * 2": "something is missing between them",
    "x**": "not complete",
    "^x": "cannot start with",
    "0x10": "decimal",
    "1_000*x": "decimal",
    "1j*x": "imaginary",
    "X**2": "case-sensitive",
    "Sin(x)": "case-sensitive",
    "xy": "write the '*'",
    "foo(x)": "not something a formula can use",
    "x**y": "positive number as the base",
    "x^x": "positive number as the base",
    "(-2)**x": "positive number as the base",
    "0**x": "positive number as the base",
    "1/0 + x": "no finite value",
    "log(0)*x": "no finite value",
    "log(-1) + x": "no finite value",
    "exp(1000) + x": "no finite value",
    "sqrt(-1-x**2)": "no finite value",
    "x/0": "no finite value",
    "log(-x**2 - 1)": "no finite value",
    "x×y": "use * for multiplication",
    "x²": "**2",
    "π*x": "write pi",
    "x − y": "minus sign",
    "-" * 299 + "x": "levels",
    "x" + "+x" * 60: "levels",
    "*".join(["(" + "+".join(["x*y"] * 10) + ")"] * 7): "too large",
    "await x": "belongs to Python",
    "yield x": "belongs to Python",
    "x.__class__.__bases__[0].__subclasses__()": "cannot appear",
    "sigmoid.__globals__": "attribute",
    "...": "not a number",
}


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_or_mistaken_input_is_refused_in_words(text):
    message = refused(text)
    assert HOSTILE[text] in message, message
    assert len(message) < 600


def test_refusals_point_at_the_character():
    assert "character 6" in refused("x + 2y")
    assert "character 3" in refused("x (")  # the bracket never closed
    assert "Character 9" in refused("x**2 + y;")
    assert "character 5" in refused("1 + x.real")  # at the start of the offending part


def test_the_formula_is_never_evaluated_as_python():
    """eval and exec are never called, and compile only as ast.parse calls it: to a tree, not to code."""
    import ast
    import builtins
    from unittest import mock

    calls, real_compile = [], builtins.compile

    def compile_to_tree_only(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    patches = [mock.patch.object(builtins, "compile", compile_to_tree_only)]
    for name in ("eval", "exec"):
        patches.append(mock.patch.object(builtins, name, side_effect=lambda *a, n=name, **k: calls.append(n)))
    for patch in patches:
        patch.start()
    try:
        good = from_expression("sin(x) + y**2 + exp(-x^2)")
        try:
            from_expression("compile(x)")
        except ValueError as error:
            bad = str(error)
    finally:
        for patch in patches:
            patch.stop()
    assert calls == []
    assert good.f(np.array([0.0, 1.0])) == 2.0
    assert "not something" in bad


def test_non_text_is_refused():
    for value in (None, 3, b"x", ["x"]):
        assert "text" in refused(value)


# Hypothesis: random text


LEAVES = st.sampled_from(["x", "y", "pi", "e", "2", "0.5", "3", "1.5", "0.1"])
CALLABLE = sorted({*FUNCTIONS, "ln", "asin", "acos", "atan"})


def _grow(children):
    return st.one_of(
        st.tuples(st.sampled_from(CALLABLE), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(children, st.sampled_from(["**2", "**3", "^-1", "**0.5", "^ -2", "**1.5"])).map(
            lambda t: f"({t[0]}){t[1]}"),
        st.tuples(st.sampled_from(["2", "e", "0.5"]), children).map(lambda t: f"{t[0]}^({t[1]})"),
        children.map(lambda c: f"-({c})"),
    )


VALID = st.recursive(LEAVES, _grow, max_leaves=12)
FORMULA_CHARACTERS = st.sampled_from([*"xy0123456789.+-*/^() ,eEjpisncoqrtablgh_=[]:;'\"\\\n\t", "**", "pi"])


def test_random_text_gives_a_surface_or_a_value_error_quickly():
    outcomes = Counter()

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(VALID, st.lists(FORMULA_CHARACTERS, max_size=80).map("".join), st.text(max_size=80)))
    def check(text):
        start = time.process_time()
        try:
            s = from_expression(text)
        except ValueError as error:
            assert str(error)
            outcome = "refused"
        else:
            assert isinstance(s, ExpressionSurface)
            assert np.isfinite(s.f(np.array(s.start)))
            outcome = "accepted"
        assert time.process_time() - start < SECOND
        event(outcome)
        outcomes[outcome] += 1

    check()
    # both answers were tried, each many times (a third of the texts are valid formulas): a strategy or a
    # parser that refused every text would fail here
    assert outcomes["accepted"] >= 0.1 * outcomes.total() and outcomes["refused"] >= 0.3 * outcomes.total(), outcomes


def test_long_text_is_refused_for_its_length():
    tried = []

    @settings(max_examples=50, deadline=None)
    @given(st.text(min_size=MAX_LENGTH + 1, max_size=MAX_LENGTH + 500))
    def check(text):
        assert len(text) > MAX_LENGTH
        assert "too long" in refused(text)
        tried.append(len(text))

    check()
    assert len(tried) >= 50


# Hypothesis: random valid formulas, built as text from the grammar of the language


# Refusals a valid formula may still get: limits, or no finite value where it is evaluated.
EXPECTED = ("no finite value", "exponent", "too long", "brackets inside brackets", "levels", "too large", "slope")


def test_random_valid_formulas_have_exact_derivatives():
    outcomes = Counter()

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(VALID, st.integers(0, 2**32 - 1))
    def check(text, seed):
        start = time.process_time()
        try:
            s = from_expression(text)
        except ValueError as error:
            assert any(reason in str(error) for reason in EXPECTED), (text, str(error))
            event("refused")
            outcomes["refused"] += 1
            return
        assert time.process_time() - start < SECOND
        p = points(s, 40, seed)
        with np.errstate(all="ignore"):
            judged = assert_derivatives_exact(s, p)
        x, y = p[:8, 0].copy(), p[:8, 1].copy()
        f = np.broadcast_to(s.fxy(x, y), x.shape)
        for i in range(len(x)):
            fi = s.fxy(np.float64(x[i]), np.float64(y[i]))
            assert fi == f[i] or (np.isnan(fi) and np.isnan(f[i]))
        assert s.latex.startswith("f(x, y) = ") and all(t.startswith(r"\frac{\partial f}") for t in s.grad_latex)
        event("accepted")
        outcomes["accepted"] += 1
        outcomes["points judged"] += judged
        outcomes["points"] += 2 * len(p)

    check()
    # most random formulas are surfaces, and at most of their points both derivatives were judged exact:
    # a generator or a judge that rejected everything would fail here
    assert outcomes["accepted"] >= 0.6 * (outcomes["accepted"] + outcomes["refused"]), outcomes
    assert outcomes["points judged"] >= 0.5 * outcomes["points"], outcomes


# LaTeX through the KaTeX bundled with Streamlit


def _random_formulas(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)

    def grow(depth):
        if depth == 0 or rng.random() < 0.2:
            return rng.choice(["x", "y", "pi", "e", "2", "0.5", "1e-5", "-3"])
        kind = rng.random()
        if kind < 0.3:
            return f"{rng.choice(CALLABLE)}({grow(depth - 1)})"
        if kind < 0.45:
            return f"({grow(depth - 1)})**{rng.choice(['2', '-1', '0.5', '3'])}"
        if kind < 0.5:
            return f"-{grow(depth - 1)}"
        return f"{grow(depth - 1)}{rng.choice('+-*/')}{grow(depth - 1)}"

    return [grow(rng.randint(1, 6)) for _ in range(n)]


@pytest.fixture(scope="module")
def katex_verdicts(tmp_path_factory):
    """What Streamlit's KaTeX says about the LaTeX of every example and of 300 random formulas."""
    formulas = {}
    for text in [*EXAMPLES, *LATEX, *_random_formulas(300, 0)]:
        try:
            s = from_expression(text)
        except ValueError:
            continue
        for i, tex in enumerate((s.latex, *s.grad_latex)):
            formulas[f"{text} [{i}]"] = tex
    return formulas, katex_errors(formulas, tmp_path_factory.mktemp("katex"))


def test_latex_renders_in_katex_and_is_balanced(katex_verdicts):
    formulas, errors = katex_verdicts
    assert len(formulas) > 300
    failed = {k: v for k, v in errors.items() if v is not None}
    assert not failed, list(failed.items())[:5]
    unbalanced = [tex for tex in formulas.values() if not latex_balanced(tex)]
    assert not unbalanced, unbalanced[:5]
