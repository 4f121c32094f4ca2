"""The race as a student and a teacher see it, in Chromium: the surface stays drawn under the trails
while playing, when scrubbing, after pausing and in presentation mode (its SVG paths are counted);
nothing of the outcome is drawn before Play and the lines grow with the step; the controls are in
reach without scrolling and nothing overlaps; every preset photographed at the start, middle and
end of its race at a laptop's and a projector's size."""

from __future__ import annotations

import io

import numpy as np
import pytest
from harness import LAPTOP, PROJECTOR, exceptions, new_context, shot, wait_ready
from PIL import Image
from race import PLOT, boxes, measure, overlap, press, scrub, step_of, wait_for_step

import scenes as sc

pytestmark = pytest.mark.browser


def open_scene(browser, app_url, query: str, viewport=LAPTOP, plot: str = PLOT):
    context = new_context(browser, viewport)
    page = context.new_page()
    page.goto(f"{app_url}/?{query}")
    wait_ready(page)
    page.wait_for_selector(f"{plot} g.slider-container", state="attached")
    page.wait_for_timeout(500)
    return context, page


def assert_surface_kept(page, before: int, when: str) -> dict:
    now = measure(page)
    assert now["surface"] == before, f"{when}: the surface had {before} contour paths, now {now['surface']}"
    return now


@pytest.mark.parametrize("presentation", [False, True], ids=["laptop", "presentation"])
def test_the_surface_stays_under_the_race(browser, app_url, presentation):
    viewport, extra = (PROJECTOR, "&presentation=1") if presentation else (LAPTOP, "")
    context, page = open_scene(browser, app_url, "scene=beale" + extra, viewport)
    try:
        name = "race-" + ("presentation" if presentation else "laptop")
        start = measure(page)
        assert start["surface"] >= 40  # 24 filled levels and their outlines
        assert step_of(page)[0] == 0
        # before Play nothing of the outcome: every run is a point at the start
        assert len(start["runs"]) == 7 and max(start["runs"].values()) < 1.0
        assert max(start["loss"].values()) < 1.0
        shot(page, f"{name}-start")
        press(page, "Play")
        wait_for_step(page, "step >= last / 4 && step < last")
        # the animation plays in the browser: no rerun of the script (which would show the running state)
        assert page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state") == "notRunning"
        assert_surface_kept(page, start["surface"], "while playing")
        press(page, "Pause")  # the middle measured at a step that stays put, however slow the machine
        page.wait_for_timeout(800)
        halfway, last = step_of(page)
        middle = assert_surface_kept(page, start["surface"], "paused in the middle")
        assert step_of(page)[0] == halfway < 0.7 * last, (halfway, last)
        shot(page, f"{name}-middle")
        press(page, "Play")
        wait_for_step(page, "step === last")
        end = assert_surface_kept(page, start["surface"], "at the end")
        shot(page, f"{name}-end")
        for label, length in end["runs"].items():  # the lines grew, and kept growing
            assert 0 < middle["runs"][label] <= length + 0.5, label
        assert sum(end["runs"].values()) > 1.05 * sum(middle["runs"].values())
        assert all(v > 20 for v in end["loss"].values())
        scrub(page, 0.3)
        page.wait_for_timeout(500)
        scrubbed = assert_surface_kept(page, start["surface"], "after scrubbing")
        step, last = step_of(page)
        assert 0.15 * last < step < 0.45 * last
        assert sum(scrubbed["runs"].values()) < sum(end["runs"].values())  # back in time: shorter lines
        press(page, "Play")
        page.wait_for_timeout(1500)
        press(page, "Pause")
        page.wait_for_timeout(800)
        paused_at = step_of(page)[0]
        assert_surface_kept(page, start["surface"], "after pausing")
        page.wait_for_timeout(1200)
        assert step_of(page)[0] == paused_at
        shot(page, f"{name}-paused")
        assert exceptions(page) == []
    finally:
        context.close()


def test_controls_in_reach_and_nothing_overlapping_at_laptop_size(browser, app_url):
    """Seven runs at 1440x900: Play and the slider visible without scrolling; legend, hint, buttons,
    slider and panels apart; the markers named in the map's legend."""
    context, page = open_scene(browser, app_url, "scene=beale")
    try:
        b = boxes(page)
        for name in ("play", "slider"):
            assert b[name]["y"] >= 0 and b[name]["y"] + b[name]["h"] <= LAPTOP["height"], name
        parts = ("legend", "hint", "buttons", "slider", "panels")
        for i, a in enumerate(parts):
            for c in parts[i + 1 :]:
                if {a, c} != {"buttons", "slider"}:
                    assert overlap(b[a], b[c]) < 4, (a, c, b[a], b[c])
        assert overlap(b["buttons"], b["slider"]) < 4
        runs = page.locator(f"{PLOT} g.legend text.legendtext").all_text_contents()
        markers = page.locator(f"{PLOT} g.legend2 text.legend2text").all_text_contents()
        assert len(runs) == 7 and markers == ["start", "global minimum", "saddle point"], (runs, markers)
        assert sc.surface_of(sc.PRESETS["beale"].scene).saddles  # the saddle named is one Beale has
        assert "Press ▶ Play" in page.locator(f"{PLOT} g.annotation").first.text_content()
        assert exceptions(page) == []
    finally:
        context.close()


def test_presentation_mode_is_readable_from_the_back(browser, app_url):
    context, page = open_scene(browser, app_url, "scene=beale&presentation=1", PROJECTOR)
    try:
        b = boxes(page)
        assert b["button_font"] >= 24 and b["plot_font"] >= 24
        assert b["play"]["y"] + b["play"]["h"] <= PROJECTOR["height"]
    finally:
        context.close()


@pytest.mark.parametrize("preset", list(sc.PRESETS))
def test_every_preset_race_photographed(browser, app_url, preset):
    for size, viewport, extra in (("laptop", LAPTOP, ""), ("projector", PROJECTOR, "&presentation=1")):
        context, page = open_scene(browser, app_url, f"scene={preset}&view=map{extra}", viewport)
        try:
            surface = measure(page)["surface"]
            shot(page, f"preset-{preset}-{size}-start")
            press(page, "4×")
            wait_for_step(page, "step >= last / 3 && step < last")
            shot(page, f"preset-{preset}-{size}-middle")
            assert measure(page)["surface"] == surface
            wait_for_step(page, "step === last")
            shot(page, f"preset-{preset}-{size}-end")
            assert measure(page)["surface"] == surface
            assert exceptions(page) == []
        finally:
            context.close()


VIEW3D = ".st-key-explorer-view3d .js-plotly-plot"


def drawn_rows(png: bytes, background: int = 245) -> np.ndarray:
    """Indices of the picture's rows that hold anything darker than near-white."""
    with Image.open(io.BytesIO(png)) as im:
        grey = np.asarray(im.convert("L"), dtype=int)
    return np.flatnonzero((grey < background).sum(axis=1) > 3)


def test_the_3d_view_unfolds_on_the_slider_without_gaps(browser, app_url):
    """The saddle opens in 3-D: Play moves its step slider and the picture changes; the sheet starts
    just under the controls (no blank band above it) and stops before the chart's bottom edge."""
    context, page = open_scene(browser, app_url, "scene=saddle", plot=VIEW3D)
    try:
        page.wait_for_selector(f"{VIEW3D} .gl-container canvas", state="attached")
        page.wait_for_timeout(1500)
        chart = page.locator(VIEW3D).first
        box = chart.bounding_box()
        controls = boxes(page, VIEW3D)
        before = chart.screenshot()
        assert step_of(page, VIEW3D)[0] == 0
        press(page, "Play", VIEW3D)
        wait_for_step(page, "step > 0", VIEW3D)
        page.wait_for_timeout(1500)
        after = chart.screenshot()
        assert after != before
        shot(page, "view3d-saddle-playing")
        below = controls["buttons"]["y"] + controls["buttons"]["h"] - box["y"]
        rows = drawn_rows(after)
        scene_rows = rows[rows > below + 4]
        assert scene_rows.size, "nothing drawn under the controls"
        assert scene_rows[0] - below < 60, f"a blank band of {scene_rows[0] - below:.0f} px above the 3-D scene"
        assert scene_rows[-1] < box["height"] - 6, "the 3-D scene runs into the chart's bottom edge"
        assert exceptions(page) == []
    finally:
        context.close()
