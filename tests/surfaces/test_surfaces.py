"""One table of checks run on every registered surface, so that a new surface is tested by adding it to
``SURFACES``: derivatives against finite differences, the listed stationary points, the global minimum
against a dense grid and a Newton search, shapes, scalar/array identity, and the metadata."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from surface_helpers import central_difference, katex_errors, latex_balanced, random_points, width

from surfaces import SURFACES

KEYS = list(SURFACES)
REQUIRED = (
    "saddle", "monkey_saddle", "ravine", "rosenbrock", "beale", "himmelblau", "rastrigin", "ackley",
    "booth", "matyas", "six_hump_camel", "styblinski_tang", "goldstein_price", "quadratic",
)
RTOL = 1e-6  # finite differences against analytic derivatives, relative to the derivative's norm
GRID = 401  # points per side of the dense grid the global minimum is checked against
# Surfaces with dozens of local minima and saddles, of which only the global minimum is listed.
PARTIAL = {"rastrigin", "ackley"}

surface_keys = pytest.mark.parametrize("key", KEYS)


def seed_of(key: str) -> int:
    return zlib.crc32(key.encode())


def grid(s, n: int = GRID) -> np.ndarray:
    (x0, x1), (y0, y1) = s.domain
    return np.stack(np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n)), axis=-1)


def hessian_eigenvalues(s, p) -> np.ndarray:
    return np.linalg.eigvalsh(s.hessian(np.asarray(p, dtype=float)))


def gradient_scale(s) -> float:
    """A typical gradient norm on the surface: the median over a grid of the domain."""
    return float(np.median(np.linalg.norm(s.grad(grid(s, 101)), axis=-1)))


def newton_search(s, n: int = 61, iterations: int = 60):
    """Stationary points in the domain reached by Newton's method from an ``n`` by ``n`` grid of starts."""
    p = grid(s, n).reshape(-1, 2)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            g, h = s.grad(p), s.hessian(p)
            det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
            step = np.stack((h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1],
                             h[:, 0, 0] * g[:, 1] - h[:, 1, 0] * g[:, 0]), axis=-1) / det[:, None]
            p = p - step
        done = np.isfinite(p).all(axis=-1) & (np.linalg.norm(step, axis=-1) < 1e-10 * width(s))
    (x0, x1), (y0, y1) = s.domain
    p = p[done & (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)]
    return p[np.linalg.norm(s.grad(p), axis=-1) <= 1e-8 * gradient_scale(s)]


# Derivatives


@surface_keys
def test_gradient_matches_finite_differences(key):
    s = SURFACES[key]
    p = random_points(s, 300, seed_of(key))
    fd, rounding = central_difference(s.f, p, 1e-4 * width(s))
    g = s.grad(p)
    err = np.abs(fd - g)
    bound = RTOL * np.linalg.norm(g, axis=-1, keepdims=True) + rounding[:, None]
    worst = np.argmax(err / bound, axis=0)
    assert (err <= bound).all(), f"{key}: worst at {p[worst]}: fd {fd[worst]} vs analytic {g[worst]}"


@surface_keys
def test_hessian_matches_finite_differences_of_gradient(key):
    s = SURFACES[key]
    p = random_points(s, 300, seed_of(key) + 1)
    fd, rounding = central_difference(s.grad, p, 1e-4 * width(s))  # fd[n, j, i] = d g_j / d p_i
    h = s.hessian(p)
    err = np.abs(fd - h)
    bound = RTOL * np.linalg.norm(h, axis=(-2, -1), keepdims=True) + rounding.max(axis=-1)[:, None, None]
    worst = np.unravel_index(np.argmax(err / bound), err.shape)[0]
    assert (err <= bound).all(), f"{key}: worst at {p[worst]}: fd {fd[worst]} vs analytic {h[worst]}"


@surface_keys
def test_hessian_is_symmetric_and_the_gradient_field_is_curl_free(key):
    s = SURFACES[key]
    p = random_points(s, 100, seed_of(key) + 2)
    h = s.hessian(p)
    np.testing.assert_array_equal(h, np.swapaxes(h, -1, -2))
    # d gx / dy = d gy / dx holds for the gradient of a function, whatever the Hessian code says
    fd, rounding = central_difference(s.grad, p, 1e-4 * width(s))
    scale = RTOL * np.linalg.norm(fd, axis=(-2, -1)) + rounding.max(axis=-1)
    assert (np.abs(fd[:, 0, 1] - fd[:, 1, 0]) <= 2.0 * scale).all()


@surface_keys
def test_derivatives_are_finite_on_the_whole_domain(key):
    s = SURFACES[key]
    p = grid(s, 201)
    assert np.isfinite(s.f(p)).all()
    assert np.isfinite(s.grad(p)).all()
    assert np.isfinite(s.hessian(p)).all()


@surface_keys
def test_kinks_are_guarded(key):
    s = SURFACES[key]
    for k in s.kinks:
        for offset in (0.0, 1e-300, 1e-12, 1e-6):
            p = np.array(k) + offset
            assert np.isfinite(s.f(p)) and np.isfinite(s.grad(p)).all() and np.isfinite(s.hessian(p)).all()


# Stationary points


MINIMA = [pytest.param(k, i, id=f"{k}-{i}") for k in KEYS for i in range(len(SURFACES[k].minima))]
SADDLES = [pytest.param(k, i, id=f"{k}-{i}") for k in KEYS for i in range(len(SURFACES[k].saddles))]
WITH_MINIMA = [k for k in KEYS if SURFACES[k].minima]


def assert_stationary(s, p):
    """The gradient vanishes at ``p`` next to the surface's typical gradient, and one Newton step moves
    ``p`` by less than 1e-14 of its size: the point is right to about 14 digits."""
    g, h = s.grad(p), s.hessian(p)
    assert np.linalg.norm(g) <= 1e-8 * gradient_scale(s), (p, g)
    if np.abs(h).max() > 1e-12 * gradient_scale(s) / width(s):  # not where the Hessian vanishes
        newton = np.linalg.solve(h, g)
        assert np.linalg.norm(newton) <= 1e-14 * max(1.0, np.linalg.norm(p)), (p, newton)


@pytest.mark.parametrize(("key", "i"), MINIMA)
def test_minimum_is_stationary_with_positive_definite_hessian(key, i):
    s = SURFACES[key]
    m = np.array(s.minima[i], dtype=float)
    assert_stationary(s, m)
    lo, hi = hessian_eigenvalues(s, m)
    assert lo > 1e-9 * hi > 0, (m, lo, hi)


@pytest.mark.parametrize(("key", "i"), SADDLES)
def test_saddle_is_stationary_with_indefinite_hessian(key, i):
    s = SURFACES[key]
    q = np.array(s.saddles[i], dtype=float)
    assert_stationary(s, q)
    h = s.hessian(q)
    lo, hi = np.linalg.eigvalsh(h)
    degenerate = np.abs(h).max() <= 1e-12 * gradient_scale(s) / width(s)
    assert lo < 0.0 < hi or degenerate, (q, lo, hi)
    # uphill and downhill around it, which also holds where the Hessian vanishes (monkey saddle)
    theta = np.linspace(0.0, 2.0 * np.pi, 72, endpoint=False)
    ring = q + 1e-3 * width(s) * np.column_stack((np.cos(theta), np.sin(theta)))
    around = s.f(ring) - s.f(q)
    assert around.max() > 0.0 > around.min(), (q, around.min(), around.max())


def _styblinski_depths():
    """f at the four minima, from the roots of 2t^3 - 16t + 2.5 found here: one term t^4 - 16t^2 + 5t
    per coordinate, halved."""
    low, _, high = np.sort(np.roots([2.0, 0.0, -16.0, 2.5]).real)
    term = {t: t**4 - 16 * t**2 + 5 * t for t in (low, high)}
    return [0.5 * (term[a] + term[b]) for a, b in ((low, low), (low, high), (high, low), (high, high))]


# The value at every listed minimum, by hand from the formula (the zeros, Goldstein-Price's 3, 30, 84 and
# 840), from the literature (the six-hump camel), or computed independently (Styblinski-Tang).
MINIMUM_VALUES = {
    "beale": [0.0], "rosenbrock": [0.0], "quadratic": [0.0], "ravine": [0.0], "booth": [0.0], "matyas": [0.0],
    "plateau": [0.0], "himmelblau": [0.0] * 4, "rastrigin": [0.0], "goldstein_price": [3.0, 30.0, 84.0, 840.0],
    "six_hump_camel": [-1.0316284534898774] * 2 + [-0.2154638243837] * 2 + [2.1042503103112] * 2,
    "styblinski_tang": _styblinski_depths(),
}


@pytest.mark.parametrize("key", list(MINIMUM_VALUES))
def test_value_at_each_minimum_is_the_known_one(key):
    s = SURFACES[key]
    values = s.f(np.array(s.minima, dtype=float))
    want = np.array(MINIMUM_VALUES[key])
    rtol = 1e-12 if key != "six_hump_camel" else 1e-12 * np.array([1, 1, 1e6, 1e6, 1e6, 1e6])
    assert len(values) == len(want)
    assert (np.abs(values - want) <= rtol * np.maximum(np.abs(want), 1e-12)).all(), (values, want)


def test_ackley_tip_is_rounded_off_at_four_tenths_of_a_billionth():
    value = SURFACES["ackley"].f(np.zeros(2))
    assert 3e-10 < value < 5e-10  # 20 (1 - exp(-0.2e-10 / sqrt(1))) ~ 4e-10, as the comment says


def test_surfaces_are_equal_by_key_and_formula_and_hash_by_key():
    from dataclasses import replace

    from surfaces import from_expression

    s = SURFACES["beale"]
    assert s == replace(s, caption="another") and hash(s) == hash("beale")
    assert s != replace(s, latex=r"f(x, y) = 0") and s != SURFACES["booth"] and s != "beale"
    assert from_expression("x**2 + y") == from_expression("x**2 + y") != from_expression("x**2 - y")
    assert {s, replace(s, caption="another"), SURFACES["booth"]} == {s, SURFACES["booth"]}


@surface_keys
def test_stationary_points_lie_in_the_domain(key):
    s = SURFACES[key]
    (x0, x1), (y0, y1) = s.domain
    for x, y in s.minima + s.saddles:
        assert x0 <= x <= x1 and y0 <= y <= y1, (x, y)


@pytest.mark.parametrize("key", WITH_MINIMA)
def test_global_minimum_comes_first_and_is_below_a_dense_grid(key):
    s = SURFACES[key]
    z = s.f(grid(s))
    tol = 1e-12 * (z.max() - z.min())
    values = s.f(np.array(s.minima, dtype=float))
    assert values[0] <= values.min() + tol, values
    assert values[0] <= z.min() + tol, (values[0], z.min())
    # all global minima first, then local ones
    is_global = values <= values[0] + tol
    assert (np.sort(~is_global) == ~is_global).all(), values


@surface_keys
def test_newton_search_finds_no_unlisted_minimum_or_saddle(key):
    s = SURFACES[key]
    found = newton_search(s)
    eig = np.linalg.eigvalsh(s.hessian(found)) if len(found) else np.zeros((0, 2))
    minima, saddles = found[eig[:, 0] > 0.0], found[(eig[:, 0] <= 0.0) & (eig[:, 1] >= 0.0)]
    near = 1e-8 * width(s)

    def listed(points, p):
        return len(points) > 0 and np.linalg.norm(np.array(points, dtype=float) - p, axis=-1).min() <= near

    if s.minima:  # every global minimum, on every surface
        z = s.f(grid(s, 101))
        f_star = s.f(np.array(s.minima[0], dtype=float))
        for p in minima[s.f(minima) <= f_star + 1e-12 * (z.max() - z.min())]:
            assert listed(s.minima, p), f"{key}: global minimum {tuple(p)} is not listed"
    if key in PARTIAL:
        return
    for p in minima:
        assert listed(s.minima, p), f"{key}: minimum {tuple(p)} is not listed"
    for p in saddles:
        assert listed(s.saddles, p), f"{key}: saddle {tuple(p)} is not listed"


# The start point


@surface_keys
def test_start_is_inside_the_domain_and_not_stationary(key):
    s = SURFACES[key]
    (x0, x1), (y0, y1) = s.domain
    x, y = s.start
    assert x0 < x < x1 and y0 < y < y1
    g = s.grad(np.array(s.start, dtype=float))
    assert np.isfinite(g).all() and np.linalg.norm(g) > 0.0


# Shapes and the scalar form


@surface_keys
@pytest.mark.parametrize("shape", [(2,), (5, 2), (3, 4, 2), (1, 1, 2), (0, 2)])
def test_methods_broadcast_over_leading_axes(key, shape):
    s = SURFACES[key]
    rng = np.random.default_rng(seed_of(key) + 3)
    (x0, x1), (y0, y1) = s.domain
    p = np.stack((rng.uniform(x0, x1, shape[:-1]), rng.uniform(y0, y1, shape[:-1])), axis=-1)
    f, g, h = s.f(p), s.grad(p), s.hessian(p)
    assert f.shape == shape[:-1] and g.shape == shape and h.shape == (*shape, 2)
    assert f.dtype == g.dtype == h.dtype == np.float64
    for index in np.ndindex(*shape[:-1]):
        one = p[index]
        assert s.f(one) == f[index]
        np.testing.assert_array_equal(s.grad(one), g[index])
        np.testing.assert_array_equal(s.hessian(one), h[index])


@surface_keys
def test_methods_accept_lists_of_numbers(key):
    s = SURFACES[key]
    x, y = s.start
    np.testing.assert_array_equal(s.grad([x, y]), s.grad(np.array([x, y])))
    np.testing.assert_array_equal(s.f([[x, y], [y, x]]), s.f(np.array([[x, y], [y, x]])))


def _as_columns(values, n):
    return np.column_stack([np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in values])


@surface_keys
def test_scalar_and_array_forms_are_bit_identical(key):
    s = SURFACES[key]
    p = random_points(s, 64, seed_of(key) + 4)
    n = len(p)
    x, y = p[:, 0].copy(), p[:, 1].copy()  # contiguous, as the runner passes them
    f = s.fxy(x, y)
    g = _as_columns(s.gxy(x, y), n)
    h = _as_columns(s.hxy(x, y), n)
    strided = (s.fxy(p[:, 0], p[:, 1]), _as_columns(s.gxy(p[:, 0], p[:, 1]), n))
    np.testing.assert_array_equal(strided[0], f)
    np.testing.assert_array_equal(strided[1], g)
    for i in range(n):
        xi, yi = np.float64(x[i]), np.float64(y[i])
        fi = s.fxy(xi, yi)
        assert np.ndim(fi) == 0 and fi == f[i], (i, fi, f[i])
        assert tuple(s.gxy(xi, yi)) == tuple(g[i]), i
        assert tuple(float(v) for v in s.hxy(xi, yi)) == tuple(h[i]), i


# Metadata


def test_registry_holds_the_required_surfaces():
    assert len(SURFACES) >= 14
    assert set(REQUIRED) <= set(SURFACES), set(REQUIRED) - set(SURFACES)


@surface_keys
def test_metadata_is_complete(key):
    s = SURFACES[key]
    assert s.key == key
    for text in (s.title, s.latex, s.caption):
        assert isinstance(text, str) and text.strip()
    assert s.caption.endswith(".") and ". " not in s.caption[:-1], "the caption is one sentence"
    assert isinstance(s.log_scale, bool)
    (x0, x1), (y0, y1) = s.domain
    assert np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1
    for point in (*s.minima, *s.saddles, *s.kinks, s.start):
        assert len(point) == 2 and np.isfinite(point).all()


@surface_keys
def test_latex_is_balanced(key):
    tex = SURFACES[key].latex
    assert tex.startswith("f(")
    assert latex_balanced(tex), tex
    assert tex.count(r"\bigl") == tex.count(r"\bigr"), tex


@pytest.fixture(scope="module")
def katex_verdicts(tmp_path_factory):
    return katex_errors({k: s.latex for k, s in SURFACES.items()}, tmp_path_factory.mktemp("katex"))


@surface_keys
def test_latex_renders_in_katex(key, katex_verdicts):
    assert katex_verdicts[key] is None, katex_verdicts[key]


# The stories some surfaces were tuned for: their captions make these claims about the default start


def descend(s, lr, steps, momentum=0.0, adam=False, start=None):
    """A path from the start on the scalar form, by torch.optim's SGD (v = mu v + g, p = p - lr v) or
    Adam (default betas and eps); it stops early where it stops being finite."""
    x, y = (np.float64(c) for c in (start or s.start))
    mx = my = vx = vy = 0.0
    path = [(x, y)]
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            gx, gy = s.gxy(x, y)
            if adam:
                mx, my = 0.9 * mx + 0.1 * gx, 0.9 * my + 0.1 * gy
                vx, vy = 0.999 * vx + 0.001 * gx * gx, 0.999 * vy + 0.001 * gy * gy
                c1, c2 = 1.0 - 0.9**t, np.sqrt(1.0 - 0.999**t)
                x = x - lr / c1 * mx / (np.sqrt(vx) / c2 + 1e-8)
                y = y - lr / c1 * my / (np.sqrt(vy) / c2 + 1e-8)
            else:
                mx, my = momentum * mx + gx, momentum * my + gy
                x, y = x - lr * mx, y - lr * my
            if not (np.isfinite(x) and np.isfinite(y)):
                break
            path.append((x, y))
    return np.array(path)


def ends_at(s, path, tol=1e-3):
    """The index of the listed minimum the path ends at, or None."""
    d = np.linalg.norm(np.array(s.minima) - path[-1], axis=-1)
    return int(np.argmin(d)) if d.min() < tol else None


def test_ravine_sgd_crawls_along_the_floor():
    path = descend(SURFACES["ravine"], 0.01, 300)
    assert (np.diff(path[:, 0]) > 0).all() and (path[:, 1] >= 0).all()  # no zig-zag: straight down, then along
    assert abs(path[-1, 1]) < 1e-6
    assert 1.0 < path[-1, 0] - path[0, 0] < 2.0  # 0.005 per step on the floor


def test_ravine_sgd_zig_zags_at_a_larger_rate():
    path = descend(SURFACES["ravine"], 0.05, 20)
    assert (np.sign(path[1:, 1]) == -np.sign(path[:-1, 1])).all()  # crosses the floor at every step
    assert abs(path[10, 1]) > 0.1


def test_ravine_momentum_oscillates_across_and_outruns_sgd_along_the_floor():
    s = SURFACES["ravine"]
    heavy, plain = descend(s, 0.01, 300, momentum=0.9), descend(s, 0.01, 300)
    crossings = np.count_nonzero(np.sign(heavy[1:101, 1]) != np.sign(heavy[:100, 1]))
    assert crossings >= 8
    assert heavy[100, 0] - heavy[0, 0] > 5.0 * (plain[100, 0] - plain[0, 0])
    assert np.linalg.norm(heavy[-1]) < 0.01 < np.linalg.norm(plain[-1])


def test_plateau_stalls_sgd_but_not_adam():
    s = SURFACES["plateau"]
    assert np.linalg.norm(s.grad(np.array(s.start))) < 0.01 * np.linalg.norm(s.grad(np.array([1.0, 0.0])))
    assert np.linalg.norm(descend(s, 0.01, 500)[-1] - s.start) < 0.05
    assert np.linalg.norm(descend(s, 0.01, 500, adam=True)[-1]) < 0.01


def test_monkey_saddle_creeps_in_then_escapes():
    path = descend(SURFACES["monkey_saddle"], 0.01, 500)
    assert np.linalg.norm(path[250]) < 0.2  # near the flat centre after 250 steps
    assert path[-1, 1] > 0.3 and np.linalg.norm(path[-1]) > 0.5  # then down the valley at 60 degrees


def test_himmelblau_methods_end_in_different_minima():
    s = SURFACES["himmelblau"]
    assert ends_at(s, descend(s, 0.01, 500)) == ends_at(s, descend(s, 0.01, 500, momentum=0.9)) == 2
    assert ends_at(s, descend(s, 0.01, 500, adam=True)) == 1


def test_six_hump_camel_methods_end_in_three_different_minima():
    s = SURFACES["six_hump_camel"]
    assert ends_at(s, descend(s, 0.01, 500)) == 5
    assert ends_at(s, descend(s, 0.01, 500, momentum=0.9)) == 3
    assert ends_at(s, descend(s, 0.01, 500, adam=True)) == 0


def test_styblinski_tang_momentum_or_a_large_step_crosses_to_the_deepest():
    s = SURFACES["styblinski_tang"]
    assert ends_at(s, descend(s, 0.01, 500)) == 3
    assert ends_at(s, descend(s, 0.01, 500, momentum=0.9)) == 0
    assert ends_at(s, descend(s, 0.05, 500)) == 0


def test_goldstein_price_needs_a_tiny_rate_and_small_and_large_steps_part():
    s = SURFACES["goldstein_price"]
    assert len(descend(s, 1e-3, 50)) < 51  # overflows within a few steps
    assert ends_at(s, descend(s, 1e-4, 500)) == 1
    assert ends_at(s, descend(s, 1e-4, 500, momentum=0.9)) == 0
    assert ends_at(s, descend(s, 0.01, 1000, adam=True)) == 0
    assert ends_at(s, descend(s, 0.05, 500, adam=True)) == 1


def test_rastrigin_small_steps_stop_in_the_nearest_dimple_and_large_ones_bounce():
    s = SURFACES["rastrigin"]
    small = descend(s, 0.004, 500)
    assert np.abs(small[-1] - np.round(s.start)).max() < 0.05 and np.linalg.norm(small[-1]) > 3.0
    assert np.abs(np.diff(small[-10:], axis=0)).max() < 1e-9
    large = descend(s, 0.01, 500)
    assert np.abs(np.diff(large[-10:], axis=0)).max() > 0.01  # still jumping after 500 steps
