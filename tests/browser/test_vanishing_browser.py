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
