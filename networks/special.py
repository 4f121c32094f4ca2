"""The error function in NumPy, to double precision, for the exact (erf) form of GELU.

NumPy has no ``erf``, and ``math.erf`` one element at a time is far too slow for a forward pass.
These are the rational approximations of Cephes (S. L. Moshier, public domain; the ones scipy's
``ndtr`` compiles), vectorized: ``erf`` on |x| <= 1, ``erfc`` on 1 <= |x| < 8 and |x| >= 8. The
factor exp(-x²) is taken as exp(-m²) exp(-(2m + f) f) with m = x rounded to 1/128 (so m² is exact),
which keeps erfc's relative error near 1e-15 deep in the tail instead of growing with x².
"""

from __future__ import annotations

import numpy as np

_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
      7.00332514112805075473e3, 5.55923013010394962768e4)
_U = (1.0, 3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
      2.26290000613890934246e4, 4.92673942608635921086e4)
_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
      4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
      9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
      9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
      1.65666309194161350182e3, 5.57535340817727675546e2)
_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
      6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_S = (1.0, 2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
      1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)

_ERFC_ZERO = 27.3  # erfc(x) underflows to 0 in double precision beyond about 26.64

SQRT1_2 = 0.7071067811865476
INV_SQRT_2PI = 0.3989422804014327


def _poly(x, coefs):
    """Horner's rule in place: four times faster than building a new array at every step."""
    out = x * coefs[0]
    out += coefs[1]
    for c in coefs[2:]:
        out *= x
        out += c
    return out


def _erf_small(x):
    """erf on |x| <= 1."""
    z = x * x
    out = _poly(z, _T)
    out /= _poly(z, _U)
    out *= x
    return out


def _exp_minus_square(a, scale=1.0):
    """exp(-scale a²) for 0 <= a < 64 and scale 1 or 1/2, as exp(-scale m²) exp(-scale (2m + f) f)
    with m a multiple of 1/128, so that scale m² is exact and rounding x² costs nothing."""
    m = a * 128.0
    np.round(m, out=m)
    m *= 1.0 / 128.0
    f = a - m
    out = m * m
    out *= -scale
    np.exp(out, out=out)
    m *= 2.0
    m += f
    m *= f
    m *= -scale
    np.exp(m, out=m)
    out *= m
    return out


def _erfc_ratio(a):
    """erfc(a) exp(a²) on a >= 1: smooth, so rounding a costs only its own relative error. Each
    range is evaluated on its own elements only (np.where would evaluate both everywhere)."""
    far = a >= 8.0
    if not far.any():
        out = _poly(a, _P)
        out /= _poly(a, _Q)
        return out
    out = np.empty_like(a)
    near, b = ~far, a[far]
    out[near] = _poly(a[near], _P) / _poly(a[near], _Q)
    out[far] = _poly(b, _R) / _poly(b, _S)
    return out


def _erfc_large(a):
    """erfc on a >= 1 (a not above _ERFC_ZERO)."""
    return _exp_minus_square(a) * _erfc_ratio(a)


def _flat(x):
    """x as a 1-d float array (in-place arithmetic needs arrays, not the scalars 0-d arrays turn into)."""
    return np.asarray(x, dtype=float).reshape(-1)


def erfc(x):
    """The complementary error function 1 - erf(x), elementwise, relative error about 1e-15."""
    shape = np.shape(x)
    x = _flat(x)
    a = np.minimum(np.abs(x), _ERFC_ZERO)
    small = a < 1.0
    tail = _erfc_large(np.where(small, 1.0, a))
    tail = np.where(x < 0, 2.0 - tail, tail)
    return np.where(small, 1.0 - _erf_small(np.where(small, x, 0.0)), tail).reshape(shape)


def erf(x):
    """The error function, elementwise, relative error about 1e-16 (Cephes' ranges)."""
    shape = np.shape(x)
    x = _flat(x)
    a = np.minimum(np.abs(x), _ERFC_ZERO)
    small = a < 1.0
    big = np.sign(x) * (1.0 - _erfc_large(np.where(small, 1.0, a)))
    return np.where(small, _erf_small(np.where(small, x, 0.0)), big).reshape(shape)


def normal_cdf(x):
    """Φ(x) = ½ erfc(-x/√2), relative error about 1e-15 in both tails: in the tails exp(-x²/2) is
    taken from x itself, not from the rounded x/√2. The two ranges are evaluated on their own
    elements only: this is the inner loop of GELU."""
    shape = np.shape(x)
    x = _flat(x)
    out = np.empty_like(x)
    small = np.abs(x) < 1.0 / SQRT1_2
    out[small] = 0.5 + 0.5 * _erf_small(x[small] * SQRT1_2)
    rest = ~small
    xr = x[rest]
    b = np.minimum(np.abs(xr), 38.5)  # Φ(-38.5) underflows
    tail = _exp_minus_square(b, 0.5)
    tail *= _erfc_ratio(b * SQRT1_2)
    tail *= 0.5
    out[rest] = np.where(xr < 0, tail, 1.0 - tail)
    return out.reshape(shape)


def normal_pdf(x):
    """φ(x) = exp(-x²/2)/√(2π)."""
    shape = np.shape(x)
    return (INV_SQRT_2PI * _exp_minus_square(np.minimum(np.abs(_flat(x)), 40.0), 0.5)).reshape(shape)
