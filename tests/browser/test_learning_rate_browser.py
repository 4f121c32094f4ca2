"""The learning-rate page in a real browser: the range test is above the fold at a laptop's and a projector's
size, its suggestion labels overlap neither each other nor the axes' text, clicking the curve or moving the
slider chooses a rate and redraws what it does, and "Use this rate" opens the explorer with it."""

from __future__ import annotations

import re

import pytest
from harness import LAPTOP, PROJECTOR, exceptions, new_context, shot, wait_ready

from scenes import lr_lab as L

pytestmark = pytest.mark.browser
CURVE = ".st-key-lr-curve .js-plotly-plot"
SIDE = '[data-testid="stColumn"]:nth-of-type(2) .js-plotly-plot'
NAMES = tuple(L.NAMES.values())


def open_page(page, url: str, charts: int = 2) -> None:
    page.goto(url)
    wait_ready(page)
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {3 * charts}")
    page.wait_for_timeout(800)


def boxes(page, selector: str) -> list[dict]:
    """The text and client rectangle of every element matching ``selector`` inside the range-test figure."""
    return page.evaluate("""([root, selector]) => [...document.querySelector(root).querySelectorAll(selector)]
        .map(e => { const r = e.getBoundingClientRect();
                    return {text: e.textContent, x: r.x, y: r.y, right: r.right, bottom: r.bottom}; })
        .filter(b => b.right > b.x && b.bottom > b.y)""", [CURVE, selector])


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


def suggestion_labels(page) -> list[dict]:
    return [b for b in boxes(page, "g.annotation") if b["text"].split(" = ")[0].rsplit(" ", 1)[0] in NAMES]


def side_title(page) -> str:
    return page.locator(SIDE).locator("text.gtitle").first.text_content()


def chosen_rate(page) -> str:
    return page.locator('[data-testid="stSlider"]', has_text="Chosen rate").locator(
        '[data-testid="stSliderThumbValue"]').text_content()


@pytest.mark.parametrize("size", ["laptop", "projector"])
@pytest.mark.parametrize("query", ["", "?problem=beale", "?problem=noisy_moons&presentation=true"])
def test_the_range_test_is_above_the_fold_and_its_labels_are_legible(browser, app_url, size, query):
    viewport = LAPTOP if size == "laptop" else PROJECTOR
    context = new_context(browser, viewport)
    page = context.new_page()
    open_page(page, app_url + "/learning_rate" + query)
    name = f"lr-{size}-{query.strip('?').split('&')[0].replace('=', '-') or 'default'}"
    shot(page, name + "-start")
    assert exceptions(page) == []
    assert page.locator("h2", has_text="Learning rate").count() == 1
    # the whole upper panel (the range test and its labels) is on screen without scrolling
    panel = page.locator(CURVE).locator('rect.nsewdrag[data-subplot="xy"]').first.bounding_box()
    assert panel["y"] > 0 and panel["y"] + panel["height"] <= viewport["height"], panel
    labels = suggestion_labels(page)
    assert len(labels) >= 4, [b["text"] for b in boxes(page, "g.annotation")]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not overlap(a, b), (a, b)
        # inside the plot, clear of the panel titles, tick labels and axis titles
        assert panel["x"] - 4 <= a["x"] and a["right"] <= panel["x"] + panel["width"] + 1, (a, panel)
        assert panel["y"] <= a["y"] and a["bottom"] <= panel["y"] + panel["height"], (a, panel)
        others = [b for b in boxes(page, "g.annotation") if b not in labels]  # the two panel titles
        others += boxes(page, "g.xtick text, g.ytick text, g.x2tick text, g.y2tick text")
        others += boxes(page, ".g-xtitle text, .g-ytitle text, .g-x2title text, .g-y2title text, g.legend text")
        assert others and not [b for b in others if overlap(a, b)], a
    # the legend sits under the rate axis's title, apart from it
    (title,) = boxes(page, ".g-x2title text")
    assert all(not overlap(title, b) and b["y"] >= title["bottom"] - 1 for b in boxes(page, "g.legend text"))
    context.close()


def test_clicking_the_curve_chooses_a_rate_and_redraws_its_path(page, app_url):
    open_page(page, app_url + "/learning_rate?problem=beale")
    before = chosen_rate(page), side_title(page), page.locator(SIDE).screenshot()
    shot(page, "lr-click-before")
    point = page.evaluate("""(root) => {
        const gd = document.querySelector(root);
        const t = gd._fullData.find(d => d.name === 'smoothed (β = 0.98)');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
        const k = Math.floor(t.x.length * 0.6);
        return {x: r.x + xa._offset + xa.l2p(Math.log10(t.x[k])), y: r.y + ya._offset + ya.l2p(Math.log10(t.y[k])),
                rate: t.x[k]};
    }""", CURVE)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_timeout(300)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("(old) => { const v = [...document.querySelectorAll('[data-testid=stSliderThumbValue]')]"
                           ".map(e => e.textContent); return !v.includes(old); }", arg=before[0])
    wait_ready(page)
    page.wait_for_timeout(1500)
    shot(page, "lr-click-after")
    rate = f"{point['rate']:.3g}"
    assert chosen_rate(page) == rate
    assert side_title(page) == f"rate {rate}, 100 steps" != before[1]
    assert page.locator(SIDE).screenshot() != before[2]
    assert re.search(r"[?&]rate=", page.url) and exceptions(page) == []


def test_the_slider_chooses_a_rate_and_redraws_the_training_curves(page, app_url):
    open_page(page, app_url + "/learning_rate")
    before = chosen_rate(page), side_title(page)
    thumb = page.locator('[data-testid="stSlider"]', has_text="Chosen rate").get_by_role("slider")
    thumb.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("(old) => [...document.querySelectorAll('.js-plotly-plot text.gtitle')]"
                           ".every(e => e.textContent !== old)", arg=before[1])
    wait_ready(page)
    page.wait_for_timeout(1500)
    shot(page, "lr-slider-after")
    assert chosen_rate(page) != before[0]
    assert side_title(page) == f"rate {chosen_rate(page)}, 100 minibatches"
    assert exceptions(page) == []


def test_use_this_rate_opens_the_explorer_with_it(browser, app_url):
    context = new_context(browser, LAPTOP)
    page = context.new_page()
    open_page(page, app_url + "/learning_rate?problem=beale&rate=0.01")
    rate = chosen_rate(page)
    with context.expect_page() as opened:
        page.get_by_role("link", name="Use this rate in the explorer").click()
    explorer = opened.value
    wait_ready(explorer)
    explorer.wait_for_timeout(1500)
    shot(explorer, "lr-use-this-rate-explorer")
    assert exceptions(explorer) == [] and explorer.get_by_text("Page not found").count() == 0
    assert explorer.locator("h2", has_text="Beale's function").count() == 1
    assert explorer.locator('[data-testid="stSidebar"]').get_by_text(f"1. SGD lr={rate}").count() == 1
    context.close()


def test_a_bad_setting_says_what_is_valid_and_keeps_the_figure(page, app_url):
    open_page(page, app_url + "/learning_rate?problem=beale")
    box = page.get_by_role("spinbutton", name="iterations")
    box.fill("10")
    box.press("Enter")
    page.get_by_text("num_iter takes a whole number in [25, 1,000]").wait_for()
    wait_ready(page)
    shot(page, "lr-bad-iterations")
    assert page.locator(CURVE).count() == 1 and len(suggestion_labels(page)) >= 4
    assert exceptions(page) == []
