"""Expression trees for formulas in ``x`` and ``y``: nodes, simplifying constructors, exact symbolic
derivatives, and compilation into a list of NumPy ufunc calls.

A :class:`Builder` hash-conses its nodes (one object per distinct subexpression), so derivative trees
share their common parts, the node count stays small and a compiled program computes each common part
once. Every node whose subtree holds no variable carries its numeric ``value``; the program uses that
value instead of recomputing it, while the node keeps its structure (``2 pi``, ``ln 2``) for display.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np

LN10 = float(np.log(10.0))
LN2 = float(np.log(2.0))


def _sigmoid(a):
    # 1 / (1 + exp(-a)) written through tanh, which never overflows.
    return np.add(0.5, np.multiply(0.5, np.tanh(np.multiply(0.5, a))))


def _softplus(a):
    return np.logaddexp(0.0, a)


# The functions a formula may call (one argument each), as NumPy ufuncs.
UFUNCS: dict[str, Callable] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "arcsin": np.arcsin,
    "arccos": np.arccos,
    "arctan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "log2": np.log2,
    "sqrt": np.sqrt,
    "abs": np.absolute,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "sign": np.sign,  # only as the derivative of abs; not callable from a formula
}
# Arithmetic through Python's operators: on np.float64 they take NumPy's scalar fast path (ten times
# quicker than calling the ufunc), on arrays the ufunc; both round the one IEEE operation identically.
# Powers always go through np.power, since ``array ** 2`` takes shortcuts that ``scalar ** 2`` does not.
BINARY: dict[str, Callable] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": np.power,
}


class TooComplex(Exception):
    """Raised by a builder that exceeds its node budget."""


class Node:
    """One operation: ``op`` is ``const``, ``var``, ``neg``, ``func`` (unary) or ``add``, ``sub``,
    ``mul``, ``div``, ``pow`` (binary); ``name`` names a variable or function, ``label`` is the LaTeX of
    a named constant (``\\pi``, ``e``); ``value`` is the number a variable-free subtree stands for."""

    __slots__ = ("args", "label", "name", "op", "value")

    def __init__(self, op: str, args: tuple[Node, ...], name: str | None, value: float | None,
                 label: str | None):
        self.op, self.args, self.name, self.value, self.label = op, args, name, value, label

    @property
    def is_number(self) -> bool:
        """A literal number without a name (so it may be folded with others)."""
        return self.op == "const" and self.label is None

    def __repr__(self) -> str:
        if self.op == "const":
            return self.label or repr(self.value)
        if self.op == "var":
            return self.name
        inner = ", ".join(map(repr, self.args))
        return f"{self.name or self.op}({inner})"


def _evaluate(op: str, name: str | None, values: list[float]) -> float:
    with np.errstate(all="ignore"):
        fn = UFUNCS[name] if op == "func" else operator.neg if op == "neg" else BINARY[op]
        return float(fn(*(np.float64(v) for v in values)))


def _is_nice(v: float) -> bool:
    """Whether ``v`` reads well as a decimal (at most 6 significant digits), so that folding a
    constant expression into it keeps the LaTeX readable (0.3 yes, 1/3 no)."""
    mantissa = f"{v:.12g}".split("e")[0].lstrip("-").replace(".", "").strip("0")
    return np.isfinite(v) and len(mantissa) <= 6


class Builder:
    """Makes nodes. With ``simplify`` (the default) the constructors apply exact identities
    (``0 a = 0``, ``1 a = a``, ``a + 0 = a``, ``a - a = 0``, ``--a = a``, ``a^1 = a``, ``a^0 = 1``), fold
    literal numbers when the result reads well, put constant factors first and pull signs out of
    products and quotients; without it they build the tree as written, for display."""

    def __init__(self, simplify: bool = True, max_nodes: int = 20_000):
        self.simplify = simplify
        self.max_nodes = max_nodes
        self._table: dict[tuple, Node] = {}

    def __len__(self) -> int:
        return len(self._table)

    def _node(self, op: str, args: tuple[Node, ...] = (), name: str | None = None,
              value: float | None = None, label: str | None = None) -> Node:
        key = (op, name, label, value if op == "const" else None, *map(id, args))
        node = self._table.get(key)
        if node is None:
            if op != "const" and op != "var" and all(a.value is not None for a in args):
                value = _evaluate(op, name, [a.value for a in args])
            node = Node(op, args, name, value, label)
            self._table[key] = node
            if len(self._table) > self.max_nodes:
                raise TooComplex
        return node

    # Leaves

    def const(self, value: float, label: str | None = None) -> Node:
        return self._node("const", value=float(value), label=label)

    def var(self, name: str) -> Node:
        return self._node("var", name=name)

    def _fold(self, op: str, a: Node, b: Node) -> Node | None:
        if self.simplify and a.is_number and b.is_number:
            v = _evaluate(op, None, [a.value, b.value])
            if _is_nice(v):
                return self.const(v)
        return None

    # Operations

    def neg(self, a: Node) -> Node:
        if self.simplify:
            if a.op == "neg":
                return a.args[0]
            if a.is_number:
                return self.const(-a.value)
        return self._node("neg", (a,))

    def add(self, a: Node, b: Node) -> Node:
        if self.simplify:
            if a.value == 0:
                return b
            if b.value == 0:
                return a
            folded = self._fold("add", a, b)
            if folded is not None:
                return folded
            if b.op == "neg":
                return self.sub(a, b.args[0])
            if b.is_number and b.value < 0:
                return self.sub(a, self.const(-b.value))
            if a.op == "neg":
                return self.sub(b, a.args[0])
        return self._node("add", (a, b))

    def sub(self, a: Node, b: Node) -> Node:
        if self.simplify:
            if b.value == 0:
                return a
            if a.value == 0:
                return self.neg(b)
            if a is b:
                return self.const(0.0)
            folded = self._fold("sub", a, b)
            if folded is not None:
                return folded
            if b.op == "neg":
                return self.add(a, b.args[0])
        return self._node("sub", (a, b))

    def mul(self, a: Node, b: Node) -> Node:
        if self.simplify:
            if a.value == 0 or b.value == 0:
                return self.const(0.0)
            if a.value == 1:
                return b
            if b.value == 1:
                return a
            if a.value == -1:
                return self.neg(b)
            if b.value == -1:
                return self.neg(a)
            folded = self._fold("mul", a, b)
            if folded is not None:
                return folded
            if b.value is not None and a.value is None:
                a, b = b, a
            if a.op == "neg":
                return self.neg(self.mul(a.args[0], b))
            if b.op == "neg":
                return self.neg(self.mul(a, b.args[0]))
            if a.is_number and b.op == "mul" and b.args[0].is_number:
                folded = self._fold("mul", a, b.args[0])
                if folded is not None:
                    return self.mul(folded, b.args[1])
        return self._node("mul", (a, b))

    def div(self, a: Node, b: Node) -> Node:
        if self.simplify:
            if b.value == 1:
                return a
            if a.value == 0:
                return self.const(0.0)
            folded = self._fold("div", a, b)
            if folded is not None:
                return folded
            if a.op == "neg":
                return self.neg(self.div(a.args[0], b))
            if b.op == "neg":
                return self.neg(self.div(a, b.args[0]))
        return self._node("div", (a, b))

    def pow(self, a: Node, b: Node) -> Node:
        if self.simplify:
            if b.value == 1:
                return a
            if b.value == 0:
                return self.const(1.0)
            folded = self._fold("pow", a, b)
            if folded is not None:
                return folded
            if a.op == "const" and a.label == "e":
                return self.func("exp", b)
        return self._node("pow", (a, b))

    def func(self, name: str, a: Node) -> Node:
        return self._node("func", (a,), name=name)

    # Derivatives

    def derivative(self, node: Node, var: str, memo: dict | None = None) -> Node:
        """The exact derivative of ``node`` with respect to the variable ``var``, simplified."""
        memo = {} if memo is None else memo
        found = memo.get(id(node))
        if found is None:
            found = self._derivative(node, var, memo)
            memo[id(node)] = found
        return found

    def _derivative(self, node: Node, var: str, memo: dict) -> Node:
        if node.value is not None:
            return self.const(0.0)
        if node.op == "var":
            return self.const(1.0 if node.name == var else 0.0)
        d = [self.derivative(a, var, memo) for a in node.args]
        if node.op == "neg":
            return self.neg(d[0])
        if node.op == "func":
            return self.mul(d[0], self._outer_derivative(node.name, node.args[0], node))
        a, b = node.args
        if node.op == "add":
            return self.add(d[0], d[1])
        if node.op == "sub":
            return self.sub(d[0], d[1])
        if node.op == "mul":
            return self.add(self.mul(d[0], b), self.mul(a, d[1]))
        if node.op == "div":
            return self.sub(self.div(d[0], b), self.div(self.mul(a, d[1]), self.pow(b, self.const(2.0))))
        if b.value is not None:  # a^p: p a^(p - 1) a'
            return self.mul(self.mul(b, self.pow(a, self.sub(b, self.const(1.0)))), d[0])
        # c^b with a constant base c > 0 (the parser refuses other variable exponents): c^b ln(c) b'
        return self.mul(self.mul(node, self.func("log", a)), d[1])

    def _outer_derivative(self, name: str, u: Node, node: Node) -> Node:
        """The derivative of the function ``name`` at its argument ``u`` (``node`` is the call)."""
        one, two = self.const(1.0), self.const(2.0)
        if name == "sin":
            return self.func("cos", u)
        if name == "cos":
            return self.neg(self.func("sin", u))
        if name == "tan":
            return self.div(one, self.pow(self.func("cos", u), two))
        if name in ("arcsin", "arccos"):
            d = self.div(one, self.func("sqrt", self.sub(one, self.pow(u, two))))
            return d if name == "arcsin" else self.neg(d)
        if name == "arctan":
            return self.div(one, self.add(one, self.pow(u, two)))
        if name == "sinh":
            return self.func("cosh", u)
        if name == "cosh":
            return self.func("sinh", u)
        if name == "tanh":
            return self.sub(one, self.pow(node, two))
        if name == "exp":
            return node
        if name == "log":
            return self.div(one, u)
        if name == "log10":
            return self.div(one, self.mul(self.const(LN10, r"\ln(10)"), u))
        if name == "log2":
            return self.div(one, self.mul(self.const(LN2, r"\ln(2)"), u))
        if name == "sqrt":
            return self.div(one, self.mul(two, node))
        if name == "abs":
            return self.func("sign", u)
        if name == "sigmoid":
            return self.mul(node, self.sub(one, node))
        if name == "softplus":
            return self.func("sigmoid", u)
        if name == "sign":
            return self.const(0.0)
        raise AssertionError(name)


def compile_nodes(roots: tuple[Node, ...]) -> Callable:
    """A function ``(x, y) -> tuple`` of the values of ``roots``: the distinct subexpressions in
    dependency order, each one NumPy call, so arrays of any shape and ``np.float64`` scalars take the
    same operations (hence bit-identical results). Floating-point warnings are silenced: where the
    formula is undefined the result is ``nan`` or ``inf``, which the runner treats as divergence."""
    slot: dict[int, int] = {}
    template: list = [None, None]  # x and y
    steps: list[tuple] = []

    def visit(root: Node) -> None:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in slot:
                continue
            if node.value is not None or node.op == "var" or expanded:
                if node.value is not None:
                    index = len(template)
                    template.append(node.value)
                elif node.op == "var":
                    index = 0 if node.name == "x" else 1
                else:
                    index = len(template)
                    template.append(None)
                    fn = UFUNCS[node.name] if node.op == "func" else operator.neg if node.op == "neg" \
                        else BINARY[node.op]
                    args = tuple(slot[id(a)] for a in node.args)
                    steps.append((index, fn, args[0], args[1] if len(args) == 2 else None))
                slot[id(node)] = index
            else:
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args))

    for root in roots:
        visit(root)
    outputs = tuple(slot[id(r)] for r in roots)
    program = tuple(steps)

    def run(x, y):
        values = list(template)
        values[0], values[1] = _numpy(x), _numpy(y)
        with np.errstate(all="ignore"):
            for out, fn, i, j in program:
                values[out] = fn(values[i]) if j is None else fn(values[i], values[j])
        return tuple(values[k] for k in outputs)

    return run


def _numpy(v):
    """``v`` as a NumPy array or scalar, so that ``1/x`` at a Python ``0.0`` is ``inf``, not an error."""
    return v if isinstance(v, (np.ndarray, np.generic)) else np.asarray(v, dtype=float)[()]
