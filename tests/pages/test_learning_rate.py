"""The learning-rate page through AppTest, reached from app.py as the design notes say: it renders, its
link opens its settings, bad settings say what is valid and keep the last valid figure, and its links
into the explorer open the chosen rate and Smith's bounds."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

import scenes as sc
from scenes import lr_lab as L

PAGE = "pages/learning_rate.py"


@pytest.fixture
def open_page(app):
    def make(query: dict[str, str] | None = None):
        at = app()
        at.query_params.clear()  # a browser clears the explorer's parameters when it follows the navigation
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.switch_page(PAGE).run()
        assert not at.exception
        return at

    return make


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def names(chart: dict) -> set[str]:
    return {t.get("name") for t in chart["data"]}


def query(at) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}


def errors(at) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def test_the_page_renders_the_range_test_the_grid_the_chosen_rate_and_the_schedules(open_page):
    at = open_page()
    assert [m.value for m in at.markdown if m.value.startswith("## ")] == ["## Learning rate"]
    assert not at.error and not at.warning
    sentence = next(m.value for m in at.markdown if m.value.startswith("In the grid, "))
    assert "Nearest to it: **fastai steep**" in sentence  # the previous helper's finding on the network
    main, side, schedules = charts(at)
    assert {"raw loss", "smoothed (β = 0.98)", "after 100 minibatches", "best 0.546"} <= names(main)
    assert {"training split", "test split", "minibatch loss"} <= names(side)
    assert set(L.LABELS.values()) <= names(schedules)
    result = L.compute(L.LrLab())
    valley = L.snap(result.tests[0].suggestions()["fastai_valley"], result.tests[0].lrs)
    assert at.select_slider(key="lr.rate").value == valley
    assert side["layout"]["title"]["text"] == f"rate {valley:.3g}, 100 minibatches"
    suggestions, table = (t.value for t in at.table)
    assert list(suggestions["suggestion"]) == [L.NAMES[k] for k in L.KEYS]
    assert list(table["schedule"]) == list(L.LABELS.values())
    assert query(at) == {}  # the defaults make an empty link


def test_choosing_a_rate_redraws_what_it_does_and_writes_it_into_the_link(open_page):
    at = open_page()
    tested = L.compute(L.LrLab()).tests[0].lrs
    pick = float(tested[len(tested) // 2])
    at.select_slider(key="lr.rate").set_value(pick).run()
    assert at.select_slider(key="lr.rate").value == pick
    assert not at.exception
    main, side, _ = charts(at)
    assert side["layout"]["title"]["text"] == f"rate {pick:.3g}, 100 minibatches"
    assert f"chosen {pick:.3g}" in names(main)
    assert L.from_query(query(at)) == (L.LrLab(rate=pick), [])


def test_a_link_opens_a_surface_with_its_rate_and_links_into_the_explorer(open_page):
    at = open_page({"problem": "beale", "rate": "0.02", "optimizer": "sgd(momentum=0.5)"})
    assert not at.warning and not at.error
    lab = L.LrLab(problem="beale", params=(("momentum", 0.5),))
    result = L.compute(lab)
    rate = L.snap(0.02, result.tests[0].lrs)
    assert at.select_slider(key="lr.rate").value == rate
    links = {b.proto.label: b.proto.url for b in at.get("link_button")}
    assert set(links) == {"Use this rate in the explorer", "Cyclical, Smith's bounds", "One cycle, Smith's bounds"}
    for label, schedule in (("Use this rate in the explorer", "constant"), ("Cyclical, Smith's bounds", "cyclic"),
                            ("One cycle, Smith's bounds", "onecycle")):
        url = urlsplit(links[label])
        assert url.path == "./"  # the explorer is the app's default page, beside this one
        scene, warnings = sc.from_query(dict(parse_qsl(url.query)))
        assert warnings == [] and scene == L.explorer_scene(lab, rate, schedule, result.bounds)
    captions = " ".join(c.value for c in at.caption)
    assert "Smith's rule is for plain SGD" in captions.replace("\\", "")
    assert "This surface has no randomness" in captions


@pytest.mark.parametrize("widget, value, message", [
    (("select_slider", "lr.start_lr"), 1.0, "start_lr=1 must lie below end_lr=0.1"),
    (("number_input", "lr.num_iter"), 10, "num_iter=10 is not valid; num_iter takes a whole number in [25, 1,000]"),
    (("number_input", "lr.width"), 256, "may take at most 288 minibatch updates on this network"),
])
def test_bad_settings_say_what_is_valid_and_keep_the_last_valid_figure(open_page, widget, value, message):
    at = open_page({"end_lr": "0.1"} if "start_lr" in widget[1] else {"depth": "4"} if "width" in widget[1] else {})
    before = charts(at)[0]
    getattr(at, widget[0])(key=widget[1]).set_value(value).run()
    assert not at.exception
    assert any(message in e for e in errors(at)), errors(at)
    assert all(e.endswith("— showing the last valid settings.") for e in errors(at))
    assert charts(at)[0]["data"] == before["data"]


def test_a_test_that_blows_up_at_once_draws_what_it_has_and_says_so(open_page):
    at = open_page({"problem": "quadratic", "start_lr": "1", "end_lr": "10", "num_iter": "25"})
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "The test stopped at iteration 2 of 25 (rate 1.1)" in warning
    assert "The curve shows what it recorded" in warning
    raw = next(t for t in charts(at)[0]["data"] if t.get("name") == "raw loss")
    assert len(raw["x"]) == 2


def test_a_link_with_bad_values_warns_and_opens_with_the_rest(open_page):
    at = open_page({"problem": "moons", "num_iter": "5", "width": "1e9", "bogus": "1"})
    text = " ".join(w.value for w in at.warning).replace("\\", "")
    for fragment in ("num_iter='5'", "width='1e9'", "unknown link parameters ignored: bogus"):
        assert fragment in text
    assert at.selectbox(key="lr.problem").value == "moons" and at.number_input(key="lr.num_iter").value == 100
    assert query(at) == {"problem": "moons"}


def test_settings_survive_a_visit_to_another_page(open_page):
    at = open_page()
    at.selectbox(key="lr.problem").set_value("noisy_moons").run()
    at.number_input(key="lr.seeds").set_value(2).run()
    at.switch_page("pages/explorer.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.selectbox(key="lr.problem").value == "noisy_moons" and at.number_input(key="lr.seeds").value == 2
    assert len([t for t in charts(at)[0]["data"] if t.get("legendgroup") == "seeds" and t["mode"] == "lines"]) == 1


def test_presentation_mode_enlarges_the_type(open_page):
    at = open_page({"presentation": "true"})
    assert at.toggle(key="lr.presentation").value is True
    assert charts(at)[0]["layout"]["font"]["size"] == 18
    at.toggle(key="lr.presentation").set_value(False).run()
    assert charts(at)[0]["layout"]["font"]["size"] == 13 and query(at) == {}
