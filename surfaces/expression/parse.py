"""From the text a student typed to a validated expression tree, refusing everything else.

The order matters: cheap checks on the raw text come first (type, length, characters, Python words,
brackets), so that the text reaching ``ast.parse`` is short, plain ASCII and shallow; then the parsed
tree is measured (size and depth) without recursion before it is walked, and the walk accepts only the
nodes of the formula language. Nothing of the text is ever evaluated, executed or compiled.
"""

from __future__ import annotations

import ast
import itertools
import keyword
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from .tree import Builder, Node

MAX_LENGTH = 300  # characters of the formula
MAX_BRACKETS = 20  # brackets inside brackets
MAX_DEPTH = 40  # levels of the parsed tree
MAX_NODES = 200  # operations, numbers and names in the parsed tree
MAX_NUMBER = 1e6  # size of a number written in the formula
MAX_EXPONENT = 10.0  # size of a constant exponent

# The functions a formula may call, each with one argument, with the synonyms students type.
FUNCTIONS = (
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "exp", "log", "log10", "log2", "sqrt", "abs", "sigmoid", "softplus",
)
SYNONYMS = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "ln": "log"}
CONSTANTS = {"pi": (float(np.pi), r"\pi"), "e": (float(np.e), "e")}
VARIABLES = ("x", "y")

EXAMPLE = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"
_VOCABULARY = (
    f"the variables x and y, the constants pi and e, numbers, + - * / ** (or ^), round brackets and "
    f"the functions {', '.join(FUNCTIONS)}"
)

_TOKEN = re.compile(
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<space>[ \t]+)"
    r"|(?P<operator>\*\*|[-+*/^(),])|(?P<other>.)",
    re.DOTALL,
)
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BINARY = ("+", "-", "*", "/", "**", "^")  # what needs something after it
_INFIX = ("*", "/", "**", "^")  # what needs something before it

_CHARACTER_HINTS = {
    ";": "a formula is a single expression, so ';' cannot appear in it",
    "=": "type only the formula, without '=' (for example x**2 + y**2 rather than f = x**2 + y**2)",
    "[": "use round brackets ( ) for grouping", "]": "use round brackets ( ) for grouping",
    "{": "use round brackets ( ) for grouping", "}": "use round brackets ( ) for grouping",
    "'": "quotes (text) are not part of a formula", '"': "quotes (text) are not part of a formula",
    "`": "quotes (text) are not part of a formula",
    ":": "':' belongs to Python code, not to a formula",
    "%": "'%' is not available; for a percentage multiply by 0.01",
    "<": "comparisons are not part of a formula", ">": "comparisons are not part of a formula",
    "!": "'!' is not available (there is no factorial)",
    "|": "for an absolute value write abs(x) rather than |x|",
}
_UNICODE_HINTS = {
    "\u00d7": "use * for multiplication", "\u00b7": "use * for multiplication", "\u22c5": "use * for multiplication",
    "\u2212": "type the minus sign as -", "\u2013": "type the minus sign as -", "\u00f7": "use / for division",
    "\u00b2": "write a square as **2", "\u00b3": "write a cube as **3", "\u03c0": "write pi",
    "\u221a": "write sqrt(...)",
}

_NODE_WORDS = {
    ast.Attribute: "a dot followed by a name (an attribute)",
    ast.Subscript: "square brackets (indexing)",
    ast.Lambda: "a lambda", ast.IfExp: "an 'if ... else'", ast.BoolOp: "'and' / 'or' (logic)",
    ast.Compare: "a comparison", ast.Tuple: "several formulas separated by commas",
    ast.List: "a list", ast.Set: "a set", ast.Dict: "a dictionary", ast.GeneratorExp: "a 'for' loop",
    ast.ListComp: "a 'for' loop", ast.SetComp: "a 'for' loop", ast.DictComp: "a 'for' loop",
    ast.Starred: "a star before a name ('*x')", ast.NamedExpr: "an assignment (':=')",
    ast.JoinedStr: "text (a string)", ast.FormattedValue: "text (a string)", ast.Await: "'await'",
    ast.Yield: "'yield'", ast.YieldFrom: "'yield'", ast.Slice: "a slice",
}


@dataclass(frozen=True)
class Parsed:
    """A validated formula: ``text`` as typed (trimmed), ``display`` its tree as written (for LaTeX),
    ``tree`` the simplified tree to differentiate and evaluate, made by ``builder``."""

    text: str
    display: Node
    tree: Node
    builder: Builder


def parse(text) -> Parsed:
    """Validate ``text`` and build its trees; every refusal is a ``ValueError`` for a student."""
    _check_text(text)
    source, where = _power_as_stars(text)
    try:
        body = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise ValueError(_syntax_message(text, where, error)) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ValueError("The formula could not be read: it is too complicated.") from None
    _check_size(body)
    return _Converter(text, where).run(body)


# Checks on the text


def _check_text(text) -> None:
    if not isinstance(text, str):
        raise ValueError("The formula must be text, for example " + EXAMPLE + ".")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"The formula is too long ({len(text)} characters; at most {MAX_LENGTH}).")
    for i, ch in enumerate(text):
        if (ord(ch) < 32 and ch != "\t") or ord(ch) == 127:
            what = "a line break" if ch in "\n\r" else f"an invisible control character (code {ord(ch)})"
            raise ValueError(f"Character {i + 1} is {what}: write the formula on one line, as plain text.")
        if ord(ch) > 126:
            hint = _UNICODE_HINTS.get(ch, "type it with plain keyboard letters, digits and symbols")
            name = unicodedata.name(ch, "an unnamed character").lower()
            raise ValueError(f"Character {i + 1} is not a plain keyboard character (U+{ord(ch):04X}, "
                             f"{name}): {hint}.")
    if not text.strip():
        raise ValueError("The formula is empty: type one in x and y, for example " + EXAMPLE + ".")
    for match in _TOKEN.finditer(text):
        kind, token, at = match.lastgroup, match.group(), match.start() + 1
        if kind == "name" and keyword.iskeyword(token):
            raise ValueError(f"The word '{token}' (at character {at}) belongs to Python, not to a formula.")
        if kind == "other" and token != ".":
            hint = _CHARACTER_HINTS.get(token, f"a formula may use {_VOCABULARY}")
            shown = "'\\'" if token == "\\" else f"'{token}'"
            raise ValueError(f"Character {at} ({shown}) cannot appear in a formula: {hint}.")
    opened = []
    for i, ch in enumerate(text):
        if ch == "(":
            opened.append(i)
            if len(opened) > MAX_BRACKETS:
                raise ValueError(f"Too many brackets inside brackets (more than {MAX_BRACKETS}) at "
                                 f"character {i + 1}: please simplify the formula.")
        elif ch == ")":
            if not opened:
                raise ValueError(f"The ')' at character {i + 1} has no matching '('.")
            opened.pop()
    if opened:
        raise ValueError(f"The '(' at character {opened[-1] + 1} is never closed: a ')' is missing.")


def _power_as_stars(text: str) -> tuple[str, list[int]]:
    """``^`` rewritten as ``**`` (the maths reading: power, not Python's exclusive or), and for each
    character of the result the index of the character of ``text`` it came from; leading blanks are
    dropped (``ast.parse`` would read them as an indent). Safe because the text holds no strings or
    comments by now, and ``**`` binds as a power should: ``-x^2 = -(x^2)``, ``2^3^2 = 2^(3^2)``."""
    parts, where = [], []
    start = len(text) - len(text.lstrip())
    for i, ch in enumerate(text[start:], start):
        parts.append("**" if ch == "^" else ch)
        where.extend([i] * (2 if ch == "^" else 1))
    where.append(len(text))
    return "".join(parts), where


def _syntax_message(text: str, where: list[int], error: SyntaxError) -> str:
    tokens = [(m.lastgroup, m.group(), m.start() + 1) for m in _TOKEN.finditer(text) if m.lastgroup != "space"]
    _, last, last_at = tokens[-1]
    if last in (*_BINARY, ","):
        return (f"The formula is not complete: it ends with '{last}' (character {last_at}); "
                "something must follow it.")
    if tokens[0][1] in (*_INFIX, ","):
        return f"The formula cannot start with '{tokens[0][1]}'."
    for (kind, token, token_at), (next_kind, following, at) in itertools.pairwise(tokens):
        if kind == "number" and re.fullmatch(r"0+\d+", token):
            return f"Write the number '{token}' at character {token_at} without its leading zeros."
        if kind == next_kind == "number" and following.startswith("."):
            return f"The number at character {token_at} is not written correctly."
        if kind == "name" and token in (*FUNCTIONS, *SYNONYMS) and following != "(":
            return f"Put the argument of {token} in brackets: {token}(x), not {token} x."
        if (kind in ("number", "name") or token == ")") and (next_kind in ("number", "name") or
                                                             (following == "(" and kind != "name")):
            return (f"A '*' seems to be missing before character {at} ('{following}'): "
                    f"write 2*x rather than 2x, and x*y rather than x y.")
        if token == "(" and following == ")":
            return f"The brackets at character {token_at} are empty."
        if token in (*_BINARY, ",", "(") and following in (*_INFIX, ",", ")"):
            return (f"The '{token}' is followed by '{following}' at character {at}: something is missing "
                    "between them.")
    offset = error.offset or 0
    if 0 < offset <= len(where) - 1:
        return (f"The formula could not be read near character {where[offset - 1] + 1}: "
                "check for a missing number, operator or bracket.")
    return "The formula could not be read: check for a missing number, operator or bracket."


def _check_size(body: ast.AST) -> None:
    """Count and depth of the parsed tree, without recursion, before anything walks it."""
    count, stack = 0, [(body, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ValueError(f"The formula is too large (more than {MAX_NODES} numbers, names and "
                             "operations): please simplify it.")
        if depth > MAX_DEPTH:
            raise ValueError(f"The formula has too many operations one after or inside another (more "
                             f"than {MAX_DEPTH} levels): please simplify it.")
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)):
                stack.append((child, depth + 1))


# The walk over the parsed tree


class _Converter:
    def __init__(self, text: str, where: list[int]):
        self.text, self.where = text, where  # the text as typed, and where each parsed character is in it
        self.raw, self.simple = Builder(simplify=False), Builder()

    def run(self, body: ast.AST) -> Parsed:
        display, tree = self.convert(body)
        return Parsed(self.text.strip(), display, tree, self.simple)

    def segment(self, node: ast.AST) -> str:
        start, end = self.where[node.col_offset], self.where[node.end_col_offset - 1] + 1
        part = self.text[start:end]
        return part if len(part) <= 30 else part[:27] + "..."

    def refuse(self, node: ast.AST, what: str, vocabulary: bool = False) -> ValueError:
        more = f" A formula may use {_VOCABULARY}." if vocabulary else ""
        return ValueError(f"{what} (at character {self.where[node.col_offset] + 1}).{more}")

    def convert(self, node: ast.AST) -> tuple[Node, Node]:
        raw, simple = self._convert(node)
        if simple.value is not None and not np.isfinite(simple.value):
            raise self.refuse(node, f"The part '{self.segment(node)}' has no finite value (a division by zero, "
                                    "the logarithm or root of a negative number, or a number too large)")
        return raw, simple

    def _convert(self, node: ast.AST) -> tuple[Node, Node]:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise self.refuse(node, "The word 'not' (logic) is not part of a formula")
            raw, simple = self.convert(node.operand)
            if isinstance(node.op, ast.UAdd):
                return raw, simple
            return self.raw.neg(raw), self.simple.neg(simple)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Tuple) and not node.elts:
            raise self.refuse(node, "The brackets are empty")
        what = _NODE_WORDS.get(type(node), "something that is not part of a formula")
        raise self.refuse(node, f"The formula contains {what}, which is not part of a formula", True)

    def number(self, node: ast.Constant) -> tuple[Node, Node]:
        value, written = node.value, self.segment(node)
        whole = self.text[self.where[node.col_offset]:self.where[node.end_col_offset - 1] + 1]
        if isinstance(value, complex):
            raise self.refuse(node, f"The number '{written}' is imaginary; only real numbers are allowed")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.refuse(node, f"The constant '{written}' is not a number")
        if not _NUMBER.fullmatch(whole):
            raise self.refuse(node, f"Write numbers in decimal, like 12, 0.5 or 1e-3, not '{written}'")
        if not abs(value) <= MAX_NUMBER:
            raise self.refuse(node, f"The number '{written}' is too large: numbers in a formula are at most "
                                    f"{MAX_NUMBER:.0f} in size")
        return self.raw.const(float(value)), self.simple.const(float(value))

    def name(self, node: ast.Name) -> tuple[Node, Node]:
        name = node.id
        if name in VARIABLES:
            return self.raw.var(name), self.simple.var(name)
        if name in CONSTANTS:
            value, label = CONSTANTS[name]
            return self.raw.const(value, label), self.simple.const(value, label)
        raise self.refuse(node, *_unknown_name(name))

    def binary(self, node: ast.BinOp) -> tuple[Node, Node]:
        ops = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
        op = ops.get(type(node.op))
        if op is None:
            symbol = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@"}.get(type(node.op), "this operator")
            raise self.refuse(node, f"The operator '{symbol}' is not available: use + - * / and ** (or ^) only")
        (raw_a, a), (raw_b, b) = self.convert(node.left), self.convert(node.right)
        if op == "pow":
            self.check_power(node, a, b)
        return getattr(self.raw, op)(raw_a, raw_b), getattr(self.simple, op)(a, b)

    def check_power(self, node: ast.BinOp, base: Node, exponent: Node) -> None:
        if exponent.value is not None:
            if not abs(exponent.value) <= MAX_EXPONENT:
                raise self.refuse(node, f"The exponent in '{self.segment(node)}' is too large: exponents are at "
                                        f"most {MAX_EXPONENT:.0f} in size")
        elif base.value is None or not base.value > 0:
            raise self.refuse(node, f"In '{self.segment(node)}' the exponent contains x or y, which needs a "
                                    "positive number as the base (such as 2**x or e**x); for another base "
                                    "write exp(y*log(x)) for x**y")

    def call(self, node: ast.Call) -> tuple[Node, Node]:
        if not isinstance(node.func, ast.Name):
            self.convert(node.func)  # an attribute or other foreign part is refused for what it is
            raise self.refuse(node, "Only named functions can be called, like sin(x); between brackets "
                                    "write *, as in (x+1)*(y-1) or 2*(x+1)")
        name = node.func.id
        if name in VARIABLES or name in CONSTANTS:
            kind = "variable" if name in VARIABLES else "constant"
            raise self.refuse(node, f"The {kind} {name} is not a function: for a product write {name}*(...)")
        if name not in FUNCTIONS and name not in SYNONYMS:
            raise self.refuse(node, *_unknown_name(name))
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse(node, f"Call {name} with its argument alone, like {name}(x)")
        if len(node.args) != 1:
            raise self.refuse(node, f"The function {name} takes exactly one argument, like {name}(x), and got "
                                    f"{len(node.args)}")
        raw, simple = self.convert(node.args[0])
        name = SYNONYMS.get(name, name)
        return self.raw.func(name, raw), self.simple.func(name, simple)


def _unknown_name(name: str) -> tuple[str, bool]:
    """What to say about an unknown name, and whether to list what a formula may use."""
    shown = name if len(name) <= 20 else name[:17] + "..."
    if name in FUNCTIONS or name in SYNONYMS:
        return f"The function {shown} needs its argument in brackets, like {shown}(x)", False
    if name.lower() in (*VARIABLES, *CONSTANTS, *FUNCTIONS, *SYNONYMS):
        return f"The name '{shown}' is not known: names are case-sensitive, write '{name.lower()}'", False
    if set(name) <= set("xy"):
        return f"The name '{shown}' is not known: for a product write the '*', as in x*y", False
    return f"The name '{shown}' is not something a formula can use", True
