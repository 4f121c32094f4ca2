r"""The torch form of a surface: its NumPy source, read as torch.

A built-in surface's value and gradient are written once, in NumPy, under the rules of ``base.py``:
arithmetic, NumPy functions, module-level number constants and helper functions, nothing in place and
no branch on a value. That text runs unchanged on float64 torch tensors once every ``np.<name>`` is
read as torch's function of that name (``TORCH_NAMES``), so the torch form is not written again: it
is the NumPy functions' own source (``inspect``), with

- ``np.<name>`` replaced by its entry in ``TORCH_NAMES`` (``torch.sqrt``, ``math.pi``, or a helper of
  ``TORCH_HELPERS`` where torch has no function that takes the same arguments and adds in the same
  order: ``np.mean`` sums pairwise as NumPy does, ``np.logaddexp`` takes a number first);
- every module-level name used, helpers and constants, carried along: a helper as its source, a
  constant as the ``repr`` of its value (the same double) with the NumPy expression beside it;
- names made public (``_TWO_PI`` -> ``TWO_PI``) and the entry points renamed as asked
  (``loss_fn``, ``grad_fn`` for the exported script).

Arithmetic then rounds as NumPy's does, bit for bit; torch's ``sqrt``, ``exp``, ``sin``, ``cos`` and
``tanh`` may differ from NumPy's in the last bit (tests/surfaces/test_torch_form.py bounds the effect
point by point). A function that uses anything else (a global that is neither a number nor a function,
a NumPy name without a torch twin, a decorator) raises ``TorchFormError`` naming it.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import types
from collections.abc import Callable, Mapping
from numbers import Integral, Real


class TorchFormError(ValueError):
    """A NumPy function that cannot be read as torch."""


# What each NumPy name becomes on torch tensors.
TORCH_NAMES = {
    "sqrt": "torch.sqrt",
    "exp": "torch.exp",
    "sin": "torch.sin",
    "cos": "torch.cos",
    "tanh": "torch.tanh",
    "asarray": "torch.as_tensor",
    "pi": "math.pi",
    "e": "math.e",
    "logaddexp": "logaddexp",
    "mean": "mean",
}

_NP_SUM = '''
def np_sum(v):
    """The sum over the last axis in NumPy's pairwise order, so that it rounds as NumPy's."""
    n = v.shape[-1]
    if n < 8:
        s = v[..., 0]
        for i in range(1, n):
            s = s + v[..., i]
        return s
    if n <= 128:
        r = [v[..., j] for j in range(8)]
        i = 8
        while i + 8 <= n:
            r = [r[j] + v[..., i + j] for j in range(8)]
            i += 8
        s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for k in range(i, n):
            s = s + v[..., k]
        return s
    half = n // 2
    half -= half % 8
    return np_sum(v[..., :half]) + np_sum(v[..., half:])
'''

# Torch source for the NumPy functions that torch has no drop-in twin of.
TORCH_HELPERS = {
    "mean": _NP_SUM + '''

def mean(v, axis):
    """NumPy's mean over the last axis (axis=-1): its pairwise sum, then one division."""
    if axis != -1:
        raise ValueError("only the mean over the last axis has a torch form here")
    return np_sum(v) / v.shape[-1]
''',
    "logaddexp": '''
def logaddexp(a, b):
    """NumPy's logaddexp(a, b), where a may be a number: torch's takes two tensors."""
    return torch.logaddexp(torch.as_tensor(a, dtype=b.dtype), b)
''',
}


def torch_source(entries: Mapping[str, Callable]) -> str:
    """Torch source defining each entry under its key (``{"loss_fn": fxy, "grad_fn": gxy}``), with the
    helpers and constants the entries use; ``TorchFormError`` where a function cannot be read."""
    functions: dict[str, types.FunctionType] = {}  # module-level name -> function, dependencies first
    constants: dict[str, tuple[object, types.ModuleType]] = {}
    helpers: list[str] = []
    for fn in entries.values():
        _collect(fn, functions, constants, helpers)
    renames = {name: name.lstrip("_") for name in [*functions, *constants]}
    renames.update({fn.__name__: new for new, fn in entries.items()})
    parts = [TORCH_HELPERS[h].strip("\n") for h in dict.fromkeys(helpers)]
    if constants:
        parts.append("\n".join(_constant_line(renames[name], name, value, module)
                               for name, (value, module) in constants.items()))
    parts += [_translate(fn, renames) for fn in functions.values()]
    return "\n\n\n".join(parts) + "\n"


def is_module_function(fn) -> bool:
    """Whether ``fn`` is a def at the top of its module (not a lambda, closure or method)."""
    return isinstance(fn, types.FunctionType) and "<" not in fn.__qualname__ and "." not in fn.__qualname__


def _parsed(fn: types.FunctionType) -> ast.FunctionDef:
    if not is_module_function(fn):
        raise TorchFormError(f"{getattr(fn, '__qualname__', fn)!r} is not a module-level function")
    (node,) = ast.parse(textwrap.dedent(inspect.getsource(fn))).body
    if not isinstance(node, ast.FunctionDef) or node.decorator_list:
        raise TorchFormError(f"{fn.__qualname__} is not a plain def")
    return node


def _local_names(node: ast.FunctionDef) -> set[str]:
    args = node.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    return names | {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _globals_used(fn: types.FunctionType, node: ast.FunctionDef):
    """(name, value) of every module-level name the function reads, and the NumPy names it uses."""
    local = _local_names(node)
    numpy_names = []
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "np":
            numpy_names.append(n.attr)
    seen = [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id not in local and n.id != "np"]
    found = []
    for name in dict.fromkeys(seen):
        if name in fn.__globals__:
            found.append((name, fn.__globals__[name]))
        elif not hasattr(builtins, name):
            raise TorchFormError(f"{fn.__qualname__} reads {name!r}, which is not defined")
    return found, numpy_names


def _collect(fn, functions: dict, constants: dict, helpers: list) -> None:
    node = _parsed(fn)
    used, numpy_names = _globals_used(fn, node)
    for attr in numpy_names:
        if attr not in TORCH_NAMES:
            raise TorchFormError(f"{fn.__qualname__} uses np.{attr}, which has no torch form in TORCH_NAMES")
        if attr in TORCH_HELPERS:
            helpers.append(attr)
    for name, value in used:
        if isinstance(value, types.FunctionType):
            if name not in functions:
                _collect(value, functions, constants, helpers)
        elif isinstance(value, Real) and not isinstance(value, bool):
            constants.setdefault(name, (value, inspect.getmodule(fn)))
        else:
            raise TorchFormError(f"{fn.__qualname__} reads {name!r}, neither a number nor a function")
    functions.setdefault(fn.__name__, fn)


def _constant_line(new: str, name: str, value, module) -> str:
    """``NAME = 6.283185307179586  # 2.0 * np.pi``: the value's repr, and the expression it came from."""
    literal = repr(int(value)) if isinstance(value, Integral) else repr(float(value))
    line = f"{new} = {literal}"
    source = inspect.getsource(module)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            expression = ast.get_source_segment(source, node.value)
            if expression != literal:
                line += f"  # {expression}"
    return line


def _translate(fn: types.FunctionType, renames: dict[str, str]) -> str:
    """The function's source with ``np.<name>`` read as torch and module-level names renamed."""
    source = textwrap.dedent(inspect.getsource(fn))
    node = _parsed(fn)
    local = _local_names(node)
    edits = []  # (line, start column, end column, text), columns in UTF-8 bytes as ast counts them
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "np":
            edits.append((n.lineno, n.col_offset, n.end_col_offset, TORCH_NAMES[n.attr]))
        elif isinstance(n, ast.Name) and n.id not in local and n.id in renames and renames[n.id] != n.id:
            edits.append((n.lineno, n.col_offset, n.end_col_offset, renames[n.id]))
    lines = [line.encode() for line in source.splitlines()]
    head = lines[node.lineno - 1]
    start = head.index(b"def ") + 4
    edits.append((node.lineno, start, start + len(node.name.encode()), renames[node.name]))
    for lineno, begin, end, text in sorted(edits, reverse=True):
        lines[lineno - 1] = lines[lineno - 1][:begin] + text.encode() + lines[lineno - 1][end:]
    return "\n".join(line.decode() for line in lines)
