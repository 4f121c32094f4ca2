"""One BLAS thread while training: a best-effort switch on the OpenBLAS that NumPy bundles.

Training multiplies small matrices (batch × width, a few hundred rows) thousands of times. OpenBLAS
splits each product over threads that busy-wait between calls; on a machine whose cores are shared
(a server with other sessions, a test run beside a browser) that made a 300-step run 30 times slower
than on one thread, and one thread costs nothing when the machine is idle. NumPy offers no switch,
so this calls OpenBLAS's own ``set_num_threads`` through ctypes, as threadpoolctl does, and restores
the previous count when the last concurrent user leaves. Where the library or its symbols are not
found (another BLAS, another platform) it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading

_lock = threading.Lock()
_users = 0
_saved = None
_NAMES = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
          ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
          ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
          ("openblas_get_num_threads", "openblas_set_num_threads"))


def _find():
    """(get, set) of the loaded OpenBLAS, or None."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get, set_ in _NAMES:
            if hasattr(lib, get) and hasattr(lib, set_):
                getter, setter = getattr(lib, get), getattr(lib, set_)
                getter.restype, setter.argtypes = ctypes.c_int, [ctypes.c_int]
                return getter, setter
    return None


_api = None
_searched = False


def _functions():
    global _api, _searched
    if not _searched:
        import numpy  # noqa: F401  (the library is loaded with NumPy)

        _api, _searched = _find(), True
    return _api


@contextlib.contextmanager
def one_blas_thread():
    """Run the block with OpenBLAS on one thread; a no-op where OpenBLAS is not found."""
    global _users, _saved
    with _lock:
        api = _functions()
        if api is not None:
            if _users == 0:
                _saved = api[0]()
                api[1](1)
            _users += 1
    try:
        yield
    finally:
        with _lock:
            if api is not None:
                _users -= 1
                if _users == 0 and _saved:
                    api[1](_saved)


def blas_threads() -> int | None:
    """The current OpenBLAS thread count, or None where OpenBLAS is not found."""
    api = _functions()
    return None if api is None else api[0]()
