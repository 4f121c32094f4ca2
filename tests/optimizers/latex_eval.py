r"""A small evaluator of arithmetic LaTeX, independent of ``optimizers``: numbers, ``+ - / \cdot \times``,
juxtaposition, ``\frac``, ``\tfrac``, ``\sqrt``, ``\max(a, b)``, ``|a|``, powers ``^x`` and ``^{...}``,
groups, and the spacing and sizing commands (``\, \; \quad \Bigl( \Big/ ...``). A letter or any other
command is a symbol without a value: ``evaluate`` raises ``Unsubstituted`` naming it."""

from __future__ import annotations

import math
import re

_TOKEN = re.compile(r"\\[A-Za-z]+|\\[,;:! ]|\d+(?:\.\d*)?|\s+|.")
_SPACING = {r"\,", r"\;", r"\:", r"\!", "\\ ", r"\quad", r"\qquad"}
_SIZING = {r"\left", r"\right", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\big", r"\Big", r"\biggl", r"\biggr"}
_VALUE_END = re.compile(r"[\d.)]$")
_VALUE_START = re.compile(r"^[\d.(]|^(sqrt|max|abs)\(")


class Unsubstituted(ValueError):
    """A symbol left in what should be numbers only."""


class _Parser:
    def __init__(self, tex: str):
        self.tokens = [t for t in _TOKEN.findall(tex) if not t.isspace()]
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def group(self) -> str:
        """``{...}`` or a single token, as a parenthesised Python expression."""
        if self.peek() == "{":
            self.take()
            inner = self.sequence("}")
            self.take()
            return f"({inner})"
        return f"({self.atom()})"

    def atom(self) -> str:
        token = self.take()
        if token is None:
            raise ValueError("unexpected end of the expression")
        if token in (r"\frac", r"\tfrac", r"\dfrac"):
            return f"({self.group()}/{self.group()})"
        if token == r"\sqrt":
            return f"sqrt{self.group()}"
        if token == r"\max":
            return "max"
        if token in (r"\cdot", r"\times"):
            return "*"
        if token in _SPACING or token in _SIZING:
            return ""
        if token == "^":
            return f"**{self.group()}"
        if token == "{":
            inner = self.sequence("}")
            self.take()
            return f"({inner})"
        if token == "|":
            inner = self.sequence("|")
            self.take()
            return f"abs({inner})"
        if token in "()+-/,*" or re.fullmatch(r"\d+(?:\.\d*)?", token):
            return token
        raise Unsubstituted(f"no value for {token!r}")

    def sequence(self, end: str | None) -> str:
        pieces: list[str] = []
        while self.peek() is not None and self.peek() != end:
            piece = self.atom()
            if not piece:
                continue
            if pieces and _VALUE_END.search(pieces[-1]) and (_VALUE_START.search(piece) or piece == "max"):
                pieces.append("*")
            pieces.append(piece)
        return " ".join(pieces)


def to_python(tex: str) -> str:
    parser = _Parser(tex)
    expression = parser.sequence(None)
    return expression.replace("max (", "max(")


def evaluate(tex: str) -> float:
    """The value of ``tex``, an arithmetic expression in LaTeX made of numbers only."""
    return float(eval(to_python(tex), {"__builtins__": {}}, {"sqrt": math.sqrt, "max": max, "abs": abs}))
