"""The explorer in a real browser: it renders without exception boxes, a shared link opens its scene,
a malformed one warns, and the downloads work. The race itself (Play, the slider, the surface under
it, every preset photographed) is tested in test_race_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import SLOW, exceptions, shot, wait_ready

pytestmark = pytest.mark.browser


def chart(page):
    """The scene's figure: the animated map, or the 3-D view."""
    return page.locator('.st-key-explorer-map [data-testid="stPlotlyChart"], '
                        '.st-key-explorer-view3d [data-testid="stPlotlyChart"]').first


def test_explorer_renders_without_exceptions(page, app_url):
    page.goto(app_url)
    wait_ready(page)
    assert exceptions(page) == []
    assert page.locator("h2", has_text="Beale's function").count() == 1
    chart(page).wait_for()
    shot(page, "explorer-default")


def test_a_shared_link_opens_its_scene(page, app_url):
    page.goto(app_url + "/?surface=rosenbrock&optimizers=adam(lr=0.05),sgd(lr=0.001,momentum=0.5)&steps=200"
              "&schedule=step(step_size=50,gamma=0.5)")
    wait_ready(page)
    assert exceptions(page) == []
    assert page.locator('[data-testid="stAlert"]').count() == 0
    assert page.locator("h2", has_text="Rosenbrock").count() == 1
    legend = chart(page).locator("g.legend").text_content()
    assert "Adam lr=0.05" in legend and "SGD lr=0.001 momentum=0.5" in legend
    assert "steps=200" in page.url and "surface=rosenbrock" in page.url
    shot(page, "explorer-shared-link")


def test_a_malformed_link_warns_and_still_draws(page, app_url):
    page.goto(app_url + "/?surface=%3Cimg%20src=x%3E&optimizers=adam(lr=oops),[x](javascript:alert(1))&steps=-5")
    wait_ready(page)
    assert exceptions(page) == []
    warning = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "ignored" in warning and "lr='oops'" in warning
    assert page.locator('[data-testid="stAlert"] a').count() == 0  # nothing typed became a link
    assert page.locator('[data-testid="stAlert"] img').count() == 0
    chart(page).wait_for()
    shot(page, "explorer-bad-link")


def test_downloads_from_the_page(page, app_url, tmp_path):
    from PIL import Image

    page.goto(app_url + "/?surface=rosenbrock&optimizers=adam(lr=0.05),sgd(lr=0.001)&steps=120")
    wait_ready(page)
    with page.expect_download() as png:
        page.locator(".st-key-explorer-download-png button").first.click()
    path = tmp_path / png.value.suggested_filename
    png.value.save_as(path)
    assert path.suffix == ".png" and "rosenbrock" in path.name
    with Image.open(path) as im:
        assert im.size[0] >= 1600 and im.size[1] >= 1000
    with page.expect_download(timeout=SLOW) as gif:  # in the bar: its frames are drawn when it is clicked
        page.locator(".st-key-explorer-download-gif button").first.click()
    with Image.open(gif.value.path()) as im:
        assert im.format == "GIF" and im.n_frames >= 60
    page.locator(".st-key-explorer-more button").first.click()  # the other formats, one click further
    page.locator(".st-key-explorer-download-csv button").first.wait_for()
    assert "surface=rosenbrock" in page.locator('[data-testid="stCode"]').first.inner_text()  # the link itself
    with page.expect_download() as csv:
        page.locator(".st-key-explorer-download-csv button").first.click()
    lines = Path(csv.value.path()).read_text().splitlines()
    assert lines[0].startswith("optimizer,label,step,x,y,loss,lr") and len(lines) == 1 + 2 * 121
    assert exceptions(page) == []
    shot(page, "explorer-after-downloads")


def test_a_locked_teachers_link_shows_the_race_and_nothing_to_edit(page, app_url):
    page.goto(app_url + "/?scene=beale&lock=1")
    wait_ready(page)
    assert exceptions(page) == []
    chart(page).wait_for()
    assert not page.locator('section[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stSidebarCollapsedControl"]').is_visible()
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.locator('[data-testid="stToggle"]').count() == 0
    plot = chart(page)
    assert plot.locator("g.updatemenu-button", has_text="Play").count() == 1  # the race still plays
    assert plot.locator("g.slider-container").count() == 1
    assert "lock=1" in page.url
    shot(page, "explorer-locked")
