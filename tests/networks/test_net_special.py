"""The vectorized erf, erfc and normal CDF/PDF against the C library's (math) and, in the tails, against
exact closed forms."""

import math

import numpy as np
import pytest

from networks.special import erf, erfc, normal_cdf, normal_pdf

GRID = np.concatenate([np.linspace(-30.0, 30.0, 60_001), np.geomspace(1e-300, 1.0, 500),
                       -np.geomspace(1e-300, 1.0, 500), [0.0, 1.0, -1.0, 8.0, -8.0]])


def _max_rel(got, want, floor=1e-300):
    keep = np.abs(want) > floor
    return np.max(np.abs(got[keep] - want[keep]) / np.abs(want[keep]))


def test_erf_matches_math_to_a_few_ulp():
    want = np.array([math.erf(v) for v in GRID])
    assert _max_rel(erf(GRID), want) < 1e-15
    assert erf(0.0) == 0.0


def test_erfc_keeps_its_relative_accuracy_deep_in_the_tail():
    want = np.array([math.erfc(v) for v in GRID])
    assert _max_rel(erfc(GRID), want) < 3e-15
    assert erfc(30.0) == 0.0 and erfc(-30.0) == 2.0
    assert erfc(27.0) == pytest.approx(math.erfc(27.0), rel=1e-6)  # a subnormal, still right


@pytest.mark.parametrize("f", [erf, erfc, normal_cdf, normal_pdf])
def test_infinities_and_nan(f):
    out = f(np.array([np.inf, -np.inf, np.nan]))
    assert np.isfinite(out[:2]).all() and np.isnan(out[2])


def test_normal_cdf_is_half_erfc():
    x = np.linspace(-37.0, 37.0, 20_001)
    want = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])
    # math's reference rounds x/√2 first, which costs it about x² ulp: the exact values are below
    assert _max_rel(normal_cdf(x), want) < np.maximum(1e-15 * x * x, 3e-15).max()


@pytest.mark.parametrize(("x", "exact"), [(-30.0, 4.906713927148187e-198), (-20.0, 2.7536241186062337e-89),
                                          (-10.0, 7.619853024160525e-24), (-5.0, 2.866515718791939e-07),
                                          (-1.5, 0.06680720126885807), (5.0, 0.9999997133484281)])
def test_normal_cdf_in_the_tails(x, exact):
    """Φ to 50 digits (mpmath.ncdf), rounded to double."""
    assert normal_cdf(x) == pytest.approx(exact, rel=2e-15)


def test_normal_pdf():
    x = np.linspace(-8.0, 8.0, 10_001)
    want = np.array([math.exp(-v * v / 2) / math.sqrt(2 * math.pi) for v in x])
    assert _max_rel(normal_pdf(x), want) < 3e-15
