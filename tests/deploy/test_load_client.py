"""The load benchmark's protocol client against a real server: three students at once on the shared
link, each getting its complete figure and, after moving the steps slider, the changed one."""

from __future__ import annotations

import copy

from deploy_servers import app_server_fixture  # noqa: F401  the fixture
from load import plan, wave
from stclient import Student, figure_problems, is_key, run


def test_three_students_get_their_first_and_changed_figures(app_server):
    url, pids = app_server
    queries, steps = plan(3, distinct=False)
    result = run(wave(url, pids, queries, steps, timeout=120))
    for visit in result["visits"]:
        assert visit.problems == []
        assert 0 < visit.first < 120 and 0 < visit.changed < 120
    assert result["cpu_open"] > 0  # the server's CPU is read from /proc while it works
    assert 0 < result["rss"] < 2**31


def test_the_change_reaches_the_server_as_a_widget_state(app_server):
    url, _ = app_server

    async def visit():
        student = Student(url, timeout=120)
        first = await student.open("scene=beale&steps=123")
        changed = await student.set_widget("steps", [77])
        await student.close()
        return first, changed, student.query

    first, changed, query = run(visit())
    assert first.figure["frames"][-1]["name"] == "123"
    assert changed.figure["frames"][-1]["name"] == "77"
    assert "steps=77" in query.split("&")  # and the page rewrote the link, as the browser's address bar shows


def test_an_incomplete_figure_is_reported():
    good = {"data": [{"name": f"Adam lr={i}"} for i in range(2)] + [{"name": "surface", "showlegend": False}],
            "frames": [{"name": str(s)} for s in (0, 50, 100)],
            "layout": {"sliders": [{"steps": [{}, {}, {}]}]}}
    assert figure_problems(good, steps=100, runs=2) == []
    assert figure_problems(good, steps=99, runs=2)  # the last frame is not the last step
    assert figure_problems(good, steps=100, runs=3)  # a run missing from the legend
    cut = copy.deepcopy(good)
    cut["layout"]["sliders"][0]["steps"].pop()
    assert figure_problems(cut, steps=100, runs=2)  # a slider step short
    assert figure_problems({}, steps=100, runs=2)


def test_widgets_are_found_by_their_key_alone_or_namespaced():
    assert is_key("$$ID-9f0fc4df-steps", "steps")
    assert is_key("$$ID-9f0fc4df-explorer.steps", "steps")  # a page's namespaced key (ui.Keys)
    assert not is_key("$$ID-9f0fc4df-run0_steps", "steps")
    assert not is_key("$$ID-9f0fc4df-explorer.seeds", "steps")
