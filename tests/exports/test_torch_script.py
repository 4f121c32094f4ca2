"""The ``.py`` export: its torch surfaces equal the app's, and the generated script, run under torch,
prints the app's CSV (relative error below 1e-9, learning rates exact) for scenes with schedules,
non-default hyperparameters, the lecture's forms, gradient noise, the noisy moons' minibatches and a
diverging run. Skipped where torch is not installed."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import scenes as sc
from exports import ExportError
from exports.cli import main
from exports.formats import export_bytes
from exports.torch_script import TORCH_SURFACES, torch_script
from surfaces import SURFACES

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

TOLERANCE = 1e-9


def torch_functions(key: str, **data) -> dict:
    namespace = {"torch": torch, "math": __import__("math"), **data}
    exec(TORCH_SURFACES[key], namespace)
    return namespace


def points(surface, n=300, seed=0) -> np.ndarray:
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(seed)
    return np.stack((rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)), axis=-1)


def test_every_surface_has_a_torch_version():
    assert set(SURFACES) <= set(TORCH_SURFACES), "give the new surface a torch form beside its NumPy form"


@pytest.mark.parametrize("key", [k for k in SURFACES if k != "noisy_moons"])
def test_torch_surface_equals_the_apps(key):
    surface = SURFACES[key]
    fn = torch_functions(key)
    p = points(surface)
    x, y = torch.tensor(p[:, 0]), torch.tensor(p[:, 1])
    np.testing.assert_allclose(fn["loss_fn"](x, y).numpy(), surface.f(p), rtol=1e-13, atol=1e-300)
    gx, gy = fn["grad_fn"](x, y)
    g = np.stack([np.broadcast_to(torch.as_tensor(c).numpy(), (len(p),)) for c in (gx, gy)], axis=-1)
    scale = np.abs(surface.grad(p)).max()
    np.testing.assert_allclose(g, surface.grad(p), rtol=1e-13, atol=1e-14 * scale)
    # and the analytic gradient is the gradient of the loss, as autograd finds it
    xr, yr = x.clone().requires_grad_(True), y.clone().requires_grad_(True)
    fn["loss_fn"](xr, yr).sum().backward()
    np.testing.assert_allclose(np.stack((xr.grad.numpy(), yr.grad.numpy()), -1), g, rtol=1e-9, atol=1e-12 * scale)


def test_torch_moons_equal_the_apps():
    surface = SURFACES["noisy_moons"]
    fn = torch_functions("noisy_moons", FEATURES=torch.tensor(surface.features), LABELS=torch.tensor(surface.labels))
    p = points(surface, 50)
    x, y = torch.tensor(p[:, 0]), torch.tensor(p[:, 1])
    np.testing.assert_allclose(fn["loss_fn"](x, y).numpy(), surface.f(p), rtol=1e-14)
    batch = surface.minibatches(1, 0)[0]
    feats, labels = torch.tensor(surface.features[batch]), torch.tensor(surface.labels[batch])
    for px, py in p[:10]:
        got = fn["grad_fn"](torch.tensor(px), torch.tensor(py), feats, labels)
        want = surface.batch_gxy(np.float64(px), np.float64(py), batch)
        np.testing.assert_allclose([float(c) for c in got], want, rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize("n", [1, 5, 8, 13, 16, 100, 128, 129, 200, 1001])
def test_np_sum_adds_in_numpys_order(n):
    fn = torch_functions("noisy_moons", FEATURES=None, LABELS=None)
    v = np.random.default_rng(n).standard_normal((3, n)) * 10.0 ** np.random.default_rng(n + 1).uniform(-5, 5, n)
    assert np.array_equal(fn["np_sum"](torch.tensor(v)).numpy(), v.sum(axis=-1))


SCENES = {
    "step schedule, non-default betas, lecture NAG": dict(
        surface="rosenbrock", optimizers="sgd(lr=0.001),momentum(lr=0.001,dampening=0.3),"
        "adam(lr=0.05,betas=0.8/0.99,eps=1e-6),nag_lecture(lr=0.001,weight_decay=0.01)",
        schedule="step(step_size=30,gamma=0.5)", steps=100),
    "noisy moons, cyclic": dict(scene="noisy_moons", schedule="cyclic(step_size_up=20,base_lr=0.001,mode=triangular2)",
                                steps=120),
    "gradient noise, one cycle past its end, lecture forms": dict(
        surface="quadratic", optimizers="momentum_lecture(lr=0.02),rmsprop_lecture(lr=0.05,eps=0.001),"
        "nadam(lr=0.1,momentum_decay=0.01),radam(lr=0.1,weight_decay=0.1,decoupled_weight_decay=true)",
        noise=0.5, schedule="onecycle(total_steps=60,three_phase=true)", steps=90),
    "cosine, diverging SGD, AdamW, AMSGrad, Adagrad": dict(
        surface="booth", optimizers="sgd(lr=1),adagrad(lr=1,lr_decay=0.01),adamw(lr=0.5),amsgrad(lr=0.5)",
        schedule="cosine", steps=150),
    "multistep, centered RMSProp, Adadelta, Adamax, NAG": dict(
        surface="beale", optimizers="rmsprop(lr=0.01,centered=true,momentum=0.5),adadelta(lr=1,rho=0.95),"
        "adamax(lr=0.05),nag(lr=0.001,weight_decay=0.01)",
        schedule="multistep(milestones=10/50,gamma=0.3)", steps=80, start="0.5,1.2"),
    "transcendental surfaces: linear warm-up on Ackley": dict(
        surface="ackley", optimizers="adam(lr=0.01),sgd(lr=0.001,nesterov=true,momentum=0.8)",
        schedule="linear(total_iters=30,start_factor=0.1)", steps=60),
    "the long valley preset": dict(scene="long_valley", steps=200),
}


def read(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def make_scene(query) -> sc.Scene:
    scene, warnings = sc.from_query({k: str(v) for k, v in query.items()})
    assert not warnings, warnings
    return scene


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory):
    """Every scene's script, run under torch (in parallel): (app's CSV, script's output)."""
    tmp = tmp_path_factory.mktemp("scripts")

    def one(name):
        scene = make_scene(SCENES[name])
        path = tmp / f"scene{list(SCENES).index(name)}.py"
        path.write_bytes(export_bytes(scene, ".py"))
        result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=tmp, timeout=300,
                                env={**os.environ, "OMP_NUM_THREADS": "1"})
        return name, (export_bytes(scene, ".csv").decode(), result)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, SCENES))


@pytest.mark.parametrize("name", list(SCENES))
def test_script_prints_the_apps_csv(name, script_runs):
    expected, result = script_runs[name]
    assert result.returncode == 0, result.stderr
    want, got = read(expected), read(result.stdout)
    assert len(got) == len(want)
    assert [(r["optimizer"], r["label"], r["step"]) for r in got] == [(r["optimizer"], r["label"], r["step"])
                                                                      for r in want]
    for label in dict.fromkeys(r["label"] for r in want):
        a = [r for r in want if r["label"] == label]
        b = [r for r in got if r["label"] == label]
        xy_a = np.array([[float(r["x"]), float(r["y"])] for r in a])
        xy_b = np.array([[float(r["x"]), float(r["y"])] for r in b])
        assert np.isfinite(xy_b).all()
        # relative to the scale of the path, as the optimizers' own parity tests measure it
        assert np.abs(xy_b - xy_a).max() <= TOLERANCE * np.abs(xy_a).max(), label
        loss_a, loss_b = (np.array([float(r["loss"]) for r in rows]) for rows in (a, b))
        assert np.abs(loss_b - loss_a).max() <= TOLERANCE * np.abs(loss_a).max(), label
        assert [r["lr"] for r in b] == [r["lr"] for r in a], label  # the schedules' rates, bit for bit


def test_script_needs_only_torch():
    scene = make_scene(SCENES["noisy moons, cyclic"])
    source = torch_script(scene)
    compile(source, "scene.py", "exec")
    imports = {line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"base64", "csv", "math", "struct", "sys", "torch"}


def test_a_surface_without_torch_version_is_refused(monkeypatch, tmp_path, capsys):
    monkeypatch.delitem(TORCH_SURFACES, "beale")
    scene = make_scene({"surface": "beale"})
    with pytest.raises(ExportError, match="no PyTorch version"):
        torch_script(scene)
    assert main(["--surface", "beale", "--out", str(tmp_path / "s.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no PyTorch version" in err[0]
