"""Your own surface: a formula in ``x`` and ``y`` typed on the explorer page, made into a Surface.

``from_expression(text, domain=None) -> ExpressionSurface`` (a :class:`~surfaces.base.Surface` with
``text``, ``grad_latex`` and ``tree`` besides). The text is parsed by ``ast.parse`` into a tree whose
every node is on a whitelist, turned into an expression tree of our own, differentiated symbolically
(gradient and Hessian exact, simplified) and compiled into a list of NumPy ufunc calls. No part of the
text is ever evaluated, executed or compiled as Python.

The language: numbers in decimal (``12``, ``0.5``, ``1e-3``), ``x``, ``y``, ``pi``, ``e``, ``+ - * /``,
``**`` or ``^`` (power, the maths reading: ``-x^2 = -(x^2)``), unary ``-`` and ``+``, round brackets, and
the functions in ``FUNCTIONS``, one argument each (``ln``, ``asin``, ``acos``, ``atan`` as synonyms).

Limits, all checked before anything is evaluated (refusals are ``ValueError`` with a message for a
student): at most ``MAX_LENGTH`` characters, plain printable ASCII only (full-width and other look-alike
letters are refused, never folded into names), no Python words, ``MAX_BRACKETS`` brackets inside
brackets (scanned before parsing), ``MAX_NODES`` nodes and ``MAX_DEPTH`` levels in the parsed tree,
numbers at most ``MAX_NUMBER`` in size, constant exponents at most ``MAX_EXPONENT`` in size; an exponent
with ``x`` or ``y`` in it needs a positive constant base (``2**x``, ``e**x``; ``x**y`` is refused with
the hint ``exp(y*log(x))``). A constant part without a finite value (``1/0``, ``log(-1)``) is refused,
and so is a formula whose value is not finite on at least half (``MIN_FINITE``) of a 41 by 41 grid of
the domain. Constant parts are never computed with Python integers, only in float64, so no input can
make a huge number: ``9**9**9**9`` is refused at its second exponent.

Trees are simplified with exact identities only (``0 a = 0``, ``1 a = a``, ``a + 0 = a``, ``a - a = 0``,
folding of literal numbers when the result reads well), so ``0*log(x)`` is 0 even where ``log`` is
undefined. Each of ``fxy``, ``gxy``, ``hxy`` runs a fixed list of NumPy calls, every distinct
subexpression once, under ``np.errstate(all="ignore")``: arrays and ``np.float64`` scalars give
bit-identical results, and undefined points give ``nan`` or ``inf`` without warnings.
"""

from .parse import EXAMPLE, FUNCTIONS, MAX_BRACKETS, MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, MAX_NODES, MAX_NUMBER
from .surface import DEFAULT_DOMAIN, MIN_FINITE, ExpressionSurface, from_expression

__all__ = [
    "DEFAULT_DOMAIN",
    "EXAMPLE",
    "FUNCTIONS",
    "MAX_BRACKETS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_NUMBER",
    "MIN_FINITE",
    "ExpressionSurface",
    "from_expression",
]
