"""The vanishing-gradient lab in a real browser, and a deep link to it on a freshly started server."""

from __future__ import annotations

import pytest
from conftest import serve
from harness import LAPTOP, PROJECTOR, exceptions, new_context, shot, wait_ready

pytestmark = pytest.mark.browser


def test_the_lab_renders_its_three_figures(browser, app_url):
    for name, viewport in (("laptop", LAPTOP), ("projector", PROJECTOR)):
        context = new_context(browser, viewport)
        page = context.new_page()
        page.goto(app_url + "/vanishing")
        wait_ready(page)
        page.locator('[data-testid="stPlotlyChart"]').nth(2).wait_for()
        assert exceptions(page) == []
        assert page.locator("h2", has_text="Vanishing gradients").count() == 1
        assert page.locator('[data-testid="stPlotlyChart"]').count() == 3
        shot(page, f"vanishing-{name}")
        context.close()


def test_a_deep_link_is_the_first_visit_of_a_fresh_server(browser):
    with serve() as url:
        context = new_context(browser)
        page = context.new_page()
        page.goto(url + "/vanishing")
        wait_ready(page)
        assert exceptions(page) == []
        # app.py's navigation (titles), not the pages/ folder's (file names)
        page.locator('[data-testid="stSidebarNav"]', has_text="Trajectory explorer").wait_for()
        entries = [line.strip() for line in page.locator('[data-testid="stSidebarNav"]').inner_text().splitlines()]
        assert "Vanishing gradients" in entries and not {"app", "explorer", "vanishing"} & set(entries)
        assert page.locator("h2", has_text="Vanishing gradients").count() == 1
        shot(page, "vanishing-deep-link-fresh-server")
        context.close()


def _open(browser, app_url, viewport):
    context = new_context(browser, viewport)
    page = context.new_page()
    page.goto(app_url + "/vanishing")
    wait_ready(page)
    page.locator('[data-testid="stPlotlyChart"]').nth(2).wait_for()
    page.locator('[data-testid="stPlotlyChart"] .cartesianlayer').first.wait_for()
    return context, page


def _texts(locator) -> list[str]:
    """The text of SVG elements (which have no innerText)."""
    return locator.evaluate_all("els => els.map(e => e.textContent)")


def _charts(page):
    return page.locator('[data-testid="stPlotlyChart"]')


@pytest.mark.parametrize(("name", "viewport"), [("laptop", LAPTOP), ("projector", PROJECTOR)])
def test_the_key_figure_is_above_the_fold_with_what_to_try_beside_it(browser, app_url, name, viewport):
    context, page = _open(browser, app_url, viewport)
    assert exceptions(page) == []
    plot = _charts(page).first.locator(".nsewdrag").first.bounding_box()  # the plot area, axes' inside
    chart = _charts(page).first.bounding_box()
    assert plot["y"] >= 0 and plot["y"] + plot["height"] <= viewport["height"], plot
    assert chart["y"] + chart["height"] <= viewport["height"], chart  # its axis titles too
    tries = page.locator(".st-key-vanishing-tries").bounding_box()
    assert tries["y"] < chart["y"] + 0.25 * chart["height"]  # beside the figure, starting near its top
    assert tries["x"] >= chart["x"] + chart["width"] - 1  # to its right, not under it
    assert tries["y"] + tries["height"] <= viewport["height"]  # read without scrolling
    assert "What to try" in page.locator(".st-key-vanishing-tries").inner_text()
    shot(page, f"vanishing-top-{name}")
    for i, kind in enumerate(("gradients", "activations", "training")):
        _charts(page).nth(i).scroll_into_view_if_needed()
        _charts(page).nth(i).screenshot(path=str(shot(page, f"vanishing-{kind}-{name}")))
    context.close()


def test_the_heatmap_titles_say_dead_for_relu_and_saturated_for_sigmoid(browser, app_url):
    context, page = _open(browser, app_url, LAPTOP)
    titles = _texts(_charts(page).nth(1).locator(".infolayer .annotation"))
    sigmoid, relu = titles[:2]
    assert sigmoid.startswith("A: ") and "saturated" in sigmoid and "dead" not in sigmoid
    assert relu.startswith("B: ") and "of units dead" in relu and "saturated" not in relu
    bar = _texts(_charts(page).nth(1).locator(".colorbar"))
    assert any("95th percentile" in text for text in bar)
    context.close()


def test_a_diverged_stack_says_so_in_its_heatmap(browser, app_url):
    context, page = _open(browser, app_url, LAPTOP)
    box = page.locator(".st-key-vanishing-B-init")  # stack B's initialization, by its widget key
    box.scroll_into_view_if_needed()  # at the sidebar's bottom edge its list of options would not open
    box.get_by_role("combobox").click()
    page.get_by_role("option", name="normal", exact=True).click()
    page.wait_for_timeout(500)
    wait_ready(page)
    page.locator('[data-testid="stPlotlyChart"] .annotation', has_text="diverged at step 1").wait_for()
    assert exceptions(page) == []
    notes = _texts(_charts(page).nth(2).locator(".infolayer .annotation"))
    assert [n for n in notes if "diverged" in n] == ["diverged at step 1, layer 21:values not finite"]
    _charts(page).nth(2).scroll_into_view_if_needed()
    _charts(page).nth(2).screenshot(path=str(shot(page, "vanishing-diverged-training")))
    context.close()
