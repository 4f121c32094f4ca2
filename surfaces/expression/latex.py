"""LaTeX (for KaTeX through ``st.latex``) of an expression tree, with brackets only where needed."""

from __future__ import annotations

from .tree import Node

# Binding strength of what a node renders as: a sum binds least, a symbol or a bracket most.
SUM, NEG, PRODUCT, FRACTION, POWER, ATOM = 1, 2, 3, 4, 5, 6

_NAMED = {
    "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "arcsin": r"\arcsin", "arccos": r"\arccos",
    "arctan": r"\arctan", "sinh": r"\sinh", "cosh": r"\cosh", "tanh": r"\tanh", "log": r"\ln",
    "log10": r"\log_{10}", "log2": r"\log_{2}", "sigmoid": r"\sigma", "softplus": r"\operatorname{softplus}",
    "sign": r"\operatorname{sign}",
}
# Functions written with their power after the name: sin^2(x).
_POWER_AFTER_NAME = {"sin", "cos", "tan", "sinh", "cosh", "tanh"}


def number(v: float) -> tuple[str, int]:
    """A number as LaTeX: 12 significant digits at most, powers of ten written out."""
    text = f"{abs(v):.12g}"
    sign = "-" if v < 0 else ""
    if "e" not in text:
        return sign + text, NEG if sign else ATOM
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    if mantissa == "1":
        return sign + power, NEG if sign else POWER
    return f"{sign}{mantissa} \\cdot {power}", NEG if sign else PRODUCT


def _bracket(text: str) -> str:
    return rf"\left({text}\right)"


def latex(node: Node) -> str:
    """The LaTeX of ``node``."""
    return _latex(node)[0]


def _wrap(node: Node, below: int) -> str:
    """The LaTeX of ``node``, in brackets when it binds less than ``below``."""
    text, strength = _latex(node)
    return _bracket(text) if strength < below else text


def _latex(node: Node) -> tuple[str, int]:
    op = node.op
    if op == "const":
        if node.label is not None:
            return node.label, ATOM if node.label in (r"\pi", "e") else PRODUCT
        return number(node.value)
    if op == "var":
        return node.name, ATOM
    if op == "neg":
        return "-" + _wrap(node.args[0], PRODUCT), NEG
    if op == "func":
        return _function(node.name, node.args[0])
    a, b = node.args
    if op == "add":
        if b.op == "neg":
            return f"{_latex(a)[0]} - {_wrap(b.args[0], PRODUCT)}", SUM
        if b.is_number and b.value < 0:
            return f"{_latex(a)[0]} - {number(-b.value)[0]}", SUM
        right, strength = _latex(b)
        return f"{_latex(a)[0]} + {_bracket(right) if strength == NEG else right}", SUM
    if op == "sub":
        return f"{_latex(a)[0]} - {_wrap(b, PRODUCT)}", SUM
    if op == "mul":
        left, strength = _latex(a)
        if strength < NEG:
            left, strength = _bracket(left), ATOM
        right = _wrap(b, PRODUCT)
        joint = r" \cdot " if right[0] in "0123456789." else " "
        return left + joint + right, NEG if strength == NEG else PRODUCT
    if op == "div":
        return rf"\frac{{{_latex(a)[0]}}}{{{_latex(b)[0]}}}", FRACTION
    return _power(a, b)


def _power(a: Node, b: Node) -> tuple[str, int]:
    exponent = _latex(b)[0]
    if a.op == "func" and a.name in _POWER_AFTER_NAME and b.is_number and b.value > 0:
        return rf"{_NAMED[a.name]}^{{{exponent}}}{_bracket(_latex(a.args[0])[0])}", ATOM
    base, strength = _latex(a)
    if strength < ATOM or (a.op == "func" and a.name not in ("sqrt", "abs")):
        base = _bracket(base)
    return f"{base}^{{{exponent}}}", POWER


def _function(name: str, u: Node) -> tuple[str, int]:
    inner = _latex(u)[0]
    if name == "exp":
        return f"e^{{{inner}}}", POWER
    if name == "sqrt":
        return rf"\sqrt{{{inner}}}", ATOM
    if name == "abs":
        return rf"\left|{inner}\right|", ATOM
    return _NAMED[name] + _bracket(inner), ATOM
