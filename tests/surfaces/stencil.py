"""The fourth-order central difference the surface tests check analytic derivatives against."""

import numpy as np

EPS = np.finfo(float).eps


def central_difference(fun, p: np.ndarray, h: float):
    """The derivative of ``fun`` along each coordinate by the fourth-order central stencil, stacked on
    a new last axis, and a bound on its rounding error (from the largest value the stencil saw).

    With ``h`` small against the domain the truncation error (h^4 f^(5) / 30) is negligible, so what
    remains is rounding, about eps |f| / h: that is the bound returned."""
    columns, size = [], 0.0
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        v = [fun(p + k * e) for k in (1.0, -1.0, 2.0, -2.0)]
        columns.append((8.0 * (v[0] - v[1]) - (v[2] - v[3])) / (12.0 * h))
        size = np.maximum(size, np.max(np.abs(v), axis=0))
    return np.stack(columns, axis=-1), 50.0 * EPS * size / h
