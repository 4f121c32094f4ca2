"""Exports: every format opened and checked for what it promises, the page's library functions, and
the command line, bad input included (exit status 2, one line on stderr, never a traceback)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import scenes as sc
from exports import ExportError
from exports.cli import main
from exports.formats import CSV_COLUMNS, FORMATS, default_filename, export_bytes, normalize_suffix
from surfaces import SURFACES
from viz.static import frame_times, mathtext_formula

ROOT = Path(__file__).resolve().parents[2]
STEPS = 40


def make_scene(**query) -> sc.Scene:
    scene, warnings = sc.from_query({k: str(v) for k, v in query.items()})
    assert not warnings, warnings
    return scene


@pytest.fixture(scope="module")
def scene():
    return make_scene(surface="beale", optimizers="sgd(lr=0.001),momentum(lr=0.001),adam(lr=0.03,betas=0.8/0.99)",
                      steps=STEPS)


@pytest.fixture(scope="module")
def computed(scene):
    return sc.compute(scene)


@pytest.fixture(scope="module")
def exported(scene, computed):
    """Every cheap format once; the animations have their own tests."""
    return {s: export_bytes(scene, s, computed=computed) for s in (".png", ".svg", ".pdf", ".html", ".csv", ".json")}


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


# ------------------------------------------------------------------------------------- figures


def test_png_is_at_least_1600_by_1000_and_not_blank(exported):
    im = Image.open(io.BytesIO(exported[".png"]))
    assert im.format == "PNG"
    assert im.size[0] >= 1600 and im.size[1] >= 1000
    pixels = np.asarray(im.convert("RGB"), dtype=float)
    assert pixels.std() > 20  # a picture, not an empty canvas


def test_png_dpi_scales_the_pixels(scene, computed):
    im = Image.open(io.BytesIO(export_bytes(scene, "png", computed=computed, dpi=320)))
    assert im.size == (3200, 2000)


def test_svg_is_well_formed_xml_with_drawing(exported):
    root = ET.fromstring(exported[".svg"])
    assert root.tag.endswith("svg")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 50
    assert b"<dc:date>" not in exported[".svg"]  # no date: the same scene gives the same file


def test_pdf_is_one_well_formed_page(exported):
    pdf = exported[".pdf"]
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"startxref" in pdf[-200:] and b"trailer" in pdf
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page>") == 1
    assert b"/CreationDate" not in pdf


def test_static_figure_without_loss_panel_and_for_a_diverging_run():
    scene = make_scene(surface="booth", optimizers="sgd(lr=1),adam(lr=0.5)", steps=200)
    runs, _ = sc.compute(scene)
    assert runs[sc.run_labels(scene.runs)[0]].diverged[0]
    for panel in (True, False):
        im = Image.open(io.BytesIO(export_bytes(scene, ".png", loss_panel=panel)))
        assert im.size == (1600, 1000)


@pytest.mark.parametrize("panel", [True, False])
def test_the_png_export_draws_the_loss_panel_only_when_asked(panel):
    """The file is the figure with or without its loss panel: the exported bytes are exactly those of
    the figure built with that option, which has a loss axis (log, f − f*) only when asked."""
    from exports.images import figure_bytes
    from viz.static import static_figure

    scene = make_scene(surface="beale", optimizers="sgd(lr=0.001),adam(lr=0.03)", steps=60)
    runs, bands = sc.compute(scene)
    fig = static_figure(sc.surface_of(scene), runs, bands, start=scene.start_point(), note=sc.scene_note(scene),
                        loss_panel=panel)
    loss_axes = [ax for ax in fig.axes if ax.get_ylabel() == "f − f*"]
    assert len(loss_axes) == (1 if panel else 0)
    if panel:
        drawn = [line.get_ydata() for line in loss_axes[0].get_lines()]
        f_star = sc.surface_of(scene).f(np.array(sc.surface_of(scene).minima[0]))
        expected = [t.loss[:, 0] - f_star for t in runs.values()]
        assert len(drawn) == len(expected)
        for d, e in zip(drawn, expected, strict=True):
            np.testing.assert_allclose(d, e, rtol=1e-12)
    assert export_bytes(scene, ".png", loss_panel=panel) == figure_bytes(fig, "png")


@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_formula_is_typeset_or_falls_back(surface):
    """mathtext parses every surface's formula after the rewrites (else the title is plain text)."""
    assert mathtext_formula(SURFACES[surface].latex) is not None
    assert mathtext_formula(r"\unknowncommand{x}") is None


# ----------------------------------------------------------------------------------- animations


def gif_frames(data: bytes) -> list[np.ndarray]:
    im = Image.open(io.BytesIO(data))
    frames = []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(np.asarray(im.convert("RGB")))
    return frames


def test_gif_has_at_least_60_different_frames_of_960_by_600(scene, computed):
    seen = []
    data = export_bytes(scene, ".gif", seen.append, computed=computed)
    im = Image.open(io.BytesIO(data))
    assert im.format == "GIF" and im.size == (960, 600) and im.n_frames >= 60
    assert im.info.get("loop") == 0
    frames = gif_frames(data)
    changed = [not np.array_equal(a, b) for a, b in itertools.pairwise(frames)]
    assert all(changed), "consecutive frames must differ"
    assert not np.array_equal(frames[0], frames[-1])
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 60


def test_gif_of_few_steps_still_has_60_distinct_frames():
    scene = make_scene(surface="saddle", optimizers="adam(lr=0.05)", steps=6)
    frames = gif_frames(export_bytes(scene, ".gif", frames=60))
    assert len(frames) == 61
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))


def test_frame_times_are_the_apps_steps_or_glide():
    t = frame_times(300, 100)
    assert t[0] == 0 and t[-1] == 300 and len(t) == 101 and np.all(t == np.round(t))
    t = frame_times(10, 100)
    assert len(t) == 101 and t[-1] == 10 and np.all(np.diff(t) > 0)


def test_mp4_has_the_frames_ffmpeg_counts(scene, computed, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    data = export_bytes(scene, ".mp4", computed=computed, frames=60)
    assert data[4:8] == b"ftyp" and len(data) > 10_000
    path = tmp_path / "a.mp4"
    path.write_bytes(data)
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 61 and seconds == pytest.approx(61 / 20, abs=0.1)


def test_mp4_without_ffmpeg_is_a_clear_error(scene, computed, monkeypatch):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

    def missing():
        raise RuntimeError("no ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    with pytest.raises(ExportError, match="imageio-ffmpeg"):
        export_bytes(scene, ".mp4", computed=computed)


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_three_runs_of_300_steps_render_within_15_seconds(suffix):
    if suffix == ".mp4":
        pytest.importorskip("imageio_ffmpeg")
    scene = make_scene(surface="beale", optimizers="sgd(lr=0.001),momentum(lr=0.001),adam(lr=0.03)", steps=300)
    start = time.perf_counter()
    data = export_bytes(scene, suffix)
    assert time.perf_counter() - start < 15.0
    assert len(data) > 10_000


# ------------------------------------------------------------------------------- html, csv, json


def test_html_is_one_self_contained_file(exported):
    page = exported[".html"].decode()
    assert page.lstrip().lower().startswith("<html") or page.lstrip().lower().startswith("<!doctype html")
    assert '<script src="http' not in page and "<script src=" not in page
    assert 'src="//' not in page and "<link " not in page  # no stylesheet or script from elsewhere
    assert "MathJax.js" not in page and "cdn.plot.ly/plotly" not in page
    assert len(page) > 2_000_000 and "Plotly.newPlot" in page  # plotly.js itself is inlined
    assert "<title>Descent Lab: Beale" in page


def test_csv_has_one_row_per_run_and_step_equal_to_compute(scene, computed, exported):
    rows = read_csv(exported[".csv"])
    runs, _ = computed
    labels = sc.run_labels(scene.runs)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == len(scene.runs) * (STEPS + 1)
    for i, (run, label) in enumerate(zip(scene.runs, labels, strict=True)):
        part = rows[i * (STEPS + 1):(i + 1) * (STEPS + 1)]
        traj = runs[label]
        assert {r["optimizer"] for r in part} == {run.optimizer} and {r["label"] for r in part} == {label}
        assert [int(r["step"]) for r in part] == list(range(STEPS + 1))
        # repr round-trips: the same doubles, not approximately
        assert np.array_equal([[float(r["x"]), float(r["y"])] for r in part], traj.xy[:, 0])
        assert np.array_equal([float(r["loss"]) for r in part], traj.loss[:, 0])
        assert np.array_equal([float(r["lr"]) for r in part[:-1]], traj.lr)
        assert part[-1]["lr"] == ""  # no update is taken from the last point


def test_csv_freezes_a_diverged_run_at_its_last_finite_point():
    scene = make_scene(surface="booth", optimizers="sgd(lr=1)", steps=200)
    rows = read_csv(export_bytes(scene, ".csv"))
    values = np.array([[float(r["x"]), float(r["y"]), float(r["loss"])] for r in rows])
    assert np.isfinite(values).all()
    runs, _ = sc.compute(scene)
    k = int(next(iter(runs.values())).diverged_at[0])
    assert 0 < k < 200 and (values[k:] == values[k - 1]).all()


def test_json_round_trips_through_the_library_and_the_command(tmp_path):
    scene = make_scene(surface="rosenbrock", optimizers="sgd(lr=0.0005,momentum=0.5),adam(lr=0.02,betas=0.8/0.99)",
                       schedule="multistep(milestones=50/80,gamma=0.3)", steps=120, start="-1.234567891,2.5",
                       noise=0.125, seeds=3)
    scene = replace(scene, presentation=True)
    data = export_bytes(scene, ".json")
    back, warnings = sc.from_json(data.decode())
    assert warnings == [] and back == scene
    path = tmp_path / "scene.json"
    path.write_bytes(data)
    again = tmp_path / "again.json"
    assert main(["--from-json", str(path), "--out", str(again)]) == 0
    assert json.loads(again.read_text()) == json.loads(data)


def test_default_filename_and_suffixes(scene):
    assert default_filename(scene, "png") == "descent-lab_beale_sgd-momentum-adam_40steps.png"
    assert default_filename(scene, ".GIF").endswith("40steps.gif")
    assert normalize_suffix("MP4") == ".mp4"
    assert set(FORMATS) == {".png", ".svg", ".pdf", ".gif", ".mp4", ".html", ".csv", ".json", ".py"}
    with pytest.raises(ExportError, match="valid formats"):
        export_bytes(scene, ".bmp")


def test_progress_reaches_one_for_every_format(scene, computed):
    for suffix in (".png", ".csv", ".json"):
        seen = []
        export_bytes(scene, suffix, seen.append, computed=computed)
        assert seen == [1.0]


# --------------------------------------------------------------------------------- command line


def cli(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exports", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def test_command_writes_the_scene_the_page_builds(tmp_path):
    out = tmp_path / "paths.csv"
    result = cli("--surface", "booth", "--optimizers", "sgd(lr=0.01),adam(lr=0.5)", "--schedule",
                 "step(step_size=5,gamma=0.5)", "--steps", "20", "--start", "-2,-3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    scene = make_scene(surface="booth", optimizers="sgd(lr=0.01),adam(lr=0.5)", schedule="step(step_size=5,gamma=0.5)",
                       steps=20, start="-2,-3")
    assert out.read_bytes() == export_bytes(scene, ".csv")


def test_command_reads_a_shared_link_and_options_override_it(tmp_path):
    link = "http://localhost:8501/?surface=himmelblau&optimizers=sgd(lr%3D0.01),adam(lr%3D0.1)&steps=500&start=0.5,0.5"
    out = tmp_path / "scene.json"
    assert main(["--link", link, "--steps", "30", "--out", str(out)]) == 0
    scene, warnings = sc.from_json(out.read_text())
    assert not warnings
    assert scene == make_scene(surface="himmelblau", optimizers="sgd(lr=0.01),adam(lr=0.1)", steps=30,
                               start="0.5,0.5")


def test_command_prints_progress_while_an_animation_renders(tmp_path):
    result = cli("--scene", "saddle", "--steps", "20", "--frames", "60", "--out", str(tmp_path / "a.gif"))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any("rendering" in line and "100%" in line for line in lines)
    assert lines[-1].startswith("wrote ")
    with Image.open(tmp_path / "a.gif") as im:
        assert im.n_frames == 61


BAD = {
    "unknown surface": (["--surface", "nowhere"], "valid surfaces"),
    "unknown optimizer": (["--optimizers", "sgd,adamm"], "valid optimizers"),
    "malformed setting": (["--optimizers", "adam(lr=fast)"], "lr takes"),
    "unknown setting": (["--optimizers", "adam(momentum=0.9)"], "it takes"),
    "unclosed call": (["--optimizers", "adam(lr=0.1"], "name(key=value"),
    "empty optimizers": (["--optimizers", ""], "valid optimizers"),
    "unknown schedule": (["--schedule", "sometimes"], "valid schedules"),
    "rate in schedule": (["--schedule", "step(lr=0.1)"], "each run's lr"),
    "steps out of range": (["--steps", "0"], "steps takes"),
    "bad start": (["--start", "1;2"], "start"),
    "unknown preset": (["--scene", "mountains"], "valid scenes"),
    "empty link": (["--link", "http://localhost:8501/"], "holds no scene"),
    "bad link value": (["--link", "?surface=beale&steps=many"], "steps"),
    "unknown suffix": (["--out", "{tmp}/figure.bmp"], "valid suffixes"),
    "no suffix": (["--out", "{tmp}/figure"], "valid suffixes"),
    "unwritable path": (["--out", "{tmp}/no/such/folder/figure.png"], "does not exist"),
    "folder as out": (["--out", "{tmp}"], None),
    "missing json": (["--from-json", "{tmp}/missing.json"], "cannot read"),
    "bad json": (["--from-json", "{tmp}/bad.json"], "not valid JSON"),
    "json not an object": (["--from-json", "{tmp}/list.json"], "one JSON object"),
    "json with bad value": (["--from-json", "{tmp}/wrong.json"], "valid surfaces"),
    "missing out": ([], "--out"),
    "unknown option": (["--colour", "red"], "unrecognized"),
    "dpi not a number": (["--dpi", "high"], "--dpi"),
    "dpi out of range": (["--dpi", "5"], "dpi takes"),
    "two scene sources": (["--scene", "beale", "--link", "?surface=beale"], "not allowed"),
}


@pytest.fixture(scope="module")
def bad_results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    (tmp / "bad.json").write_text("{surface: beale")
    (tmp / "list.json").write_text("[1, 2]")
    (tmp / "wrong.json").write_text(json.dumps({"surface": "nowhere", "steps": 10}))

    def one(case):
        args = [a.format(tmp=tmp) for a in BAD[case][0]]
        if "--out" not in BAD[case][0] and case != "missing out":
            args += ["--out", str(tmp / "out.csv")]
        return case, cli(*args)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, BAD))


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_one_line(case, bad_results):
    result = bad_results[case]
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("python -m exports: error: ")
    expected = BAD[case][1]
    assert expected is None or expected in lines[0], lines[0]
    assert result.stdout == ""


def test_negative_start_needs_no_equals_sign(tmp_path):
    out = tmp_path / "s.json"
    assert main(["--surface", "booth", "--start", "-1.5,-2", "--out", str(out)]) == 0
    scene, _ = sc.from_json(out.read_text())
    assert scene.start == (-1.5, -2.0)


def test_export_of_a_scene_with_every_kind_of_value_is_finite():
    scene = make_scene(scene="noisy_moons", steps=25)
    rows = read_csv(export_bytes(scene, ".csv"))
    assert len(rows) == 3 * 26
    assert all(math.isfinite(float(r["loss"])) for r in rows)


def test_the_old_command_name_still_works(tmp_path):
    out = tmp_path / "beale.json"
    result = subprocess.run([sys.executable, "-m", "viz.export", "--scene", "beale", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sc.from_json(out.read_text())[0] == sc.PRESETS["beale"].scene


@pytest.mark.parametrize("suffix", [".py", ".json", ".csv"])
def test_text_exports_load_no_plotting_library(suffix):
    """The script, the scene and the paths need neither matplotlib nor Plotly: importing them would cost
    a command-line user a second and a server's memory for nothing."""
    code = ("import sys, scenes; from exports import export_bytes; "
            f"export_bytes(scenes.PRESETS['beale'].scene, {suffix!r}); "
            "print(sorted(m for m in ('matplotlib', 'plotly') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
