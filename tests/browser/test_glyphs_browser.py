"""Glyphs on the map as a student sees them, in Chromium: switched on from the page, they move with the
heads (at the middle and the end of the race each glyph starts at its head's marker, to the pixel),
stay on the map (anchored inside it, no longer than the stated cut, clipped to the map), and leave
the surface drawn (its SVG paths counted before Play, in the middle, at the end). One scene per
optimizer family is photographed with glyphs on at the start, middle and end of its race."""

from __future__ import annotations

import pytest
from harness import SHOTS, exceptions, shot, wait_ready
from race import PLOT, measure, press, wait_for_step
from test_race_browser import open_scene

from viz.glyphs import CAP, KINDS

pytestmark = pytest.mark.browser

# Per glyph trace on the map: its name, its run's head marker (pixels), the points of its path, and
# the map's plot area; the heads trace's markers in label order.
GLYPHS = """(selector) => {
  const gd = document.querySelector(selector);
  const area = gd.querySelector('g.cartesianlayer g.subplot.xy rect.nsewdrag') ||
               gd.querySelector('g.draglayer g.xy rect.nsewdrag');
  const r = area.getBoundingClientRect(), root = gd.querySelector('svg.main-svg').getBoundingClientRect();
  const out = {area: {x: r.x - root.x, y: r.y - root.y, w: r.width, h: r.height}, glyphs: [], heads: {},
               clipped: true};
  const traces = [...gd.querySelectorAll('g.cartesianlayer g.trace')];
  const labels = gd.data.find(t => t.name === 'heads').customdata;
  traces.forEach(g => {
    const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
    if (!t) return;
    const offset = g.closest('g.overplot > g').getAttribute('transform') || '';
    const m = /translate\\(([-\\d.]+),\\s*([-\\d.]+)\\)/.exec(offset) || [0, 0, 0];
    const dx = +m[1], dy = +m[2];
    if (t.name === 'heads') {
      [...g.querySelectorAll('path.point')].forEach((p, i) => {
        const q = /translate\\(([-\\d.]+),\\s*([-\\d.]+)\\)/.exec(p.getAttribute('transform'));
        if (q) out.heads[labels[i]] = [+q[1] + dx, +q[2] + dy];
      });
      return;
    }
    if (!t.meta || t.meta.glyph === undefined) return;
    const line = g.querySelector('path.js-line');
    const d = line ? line.getAttribute('d') || '' : '';
    const pts = [...d.matchAll(/([-\\d.]+),([-\\d.]+)/g)].map(v => [+v[1] + dx, +v[2] + dy]);
    out.glyphs.push({name: t.name, run: t.meta.run, kind: t.meta.glyph, part: t.meta.part || null, points: pts});
    if (!g.closest('g.overplot > g').getAttribute('clip-path')) out.clipped = false;
  });
  return out;
}"""


def photograph(page, name: str) -> None:
    """The page as it stands, and the figure alone at full size (the page scrolls inside Streamlit)."""
    shot(page, name)
    page.locator(PLOT).first.screenshot(path=str(SHOTS / f"{name}-figure.png"))


def glyphs_of(page) -> dict:
    return page.evaluate(GLYPHS, PLOT)


def switch(page, kind: str) -> None:
    page.locator(".st-key-explorer-glyphs button", has_text=KINDS[kind]).first.click()
    page.wait_for_timeout(800)
    wait_ready(page)
    page.wait_for_selector(f"{PLOT} g.slider-container", state="attached")
    page.wait_for_timeout(800)


def assert_on_heads_and_map(seen: dict, when: str) -> int:
    """Every drawn glyph starts at its run's head (arrows at their anchor, boxes centred on it), to a
    pixel, reaches at most the cut beyond it and is clipped to the map (a run that leaves the map takes
    its glyph along, out of sight); returns how many were drawn at heads on the map."""
    area, drawn = seen["area"], 0
    assert seen["clipped"], f"{when}: a glyph is not clipped to the map"
    cap = (CAP * area["w"] + 2, CAP * area["h"] + 2)  # pixels, along x and along y
    for g in seen["glyphs"]:
        if len(g["points"]) < 2:
            continue
        head = seen["heads"][g["run"]]
        if g["kind"] == "rate":
            xs, ys = [p[0] for p in g["points"]], [p[1] for p in g["points"]]
            anchor = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
        else:
            anchor = g["points"][0]
        reach = [max(abs(p[i] - anchor[i]) for p in g["points"]) for i in (0, 1)]
        if g["part"] in ("momentum", "weight_decay"):
            continue  # tip to tail: it starts where the gradient's share ends
        assert abs(anchor[0] - head[0]) <= 1.0 and abs(anchor[1] - head[1]) <= 1.0, (when, g["name"], anchor, head)
        assert reach[0] <= cap[0] and reach[1] <= cap[1], (when, g["name"], reach, cap)
        drawn += (area["x"] - 1 <= head[0] <= area["x"] + area["w"] + 1
                  and area["y"] - 1 <= head[1] <= area["y"] + area["h"] + 1)
    return drawn


@pytest.mark.parametrize("kind", ["gradient", "velocity", "rate", "parts"])
def test_glyphs_move_with_the_heads_and_leave_the_surface(browser, app_url, kind):
    context, page = open_scene(browser, app_url, "scene=beale")
    try:
        switch(page, kind)
        surface = measure(page)["surface"]
        assert surface >= 40
        start = glyphs_of(page)
        assert start["glyphs"] and assert_on_heads_and_map(start, "before Play") == 0  # no update yet: nothing
        press(page, "4×")
        wait_for_step(page, "step >= last / 3 && step < last")
        press(page, "Pause")
        page.wait_for_timeout(600)
        assert measure(page)["surface"] == surface, "the glyphs hid the surface in the middle of the race"
        middle = glyphs_of(page)
        assert assert_on_heads_and_map(middle, "middle") >= 3
        press(page, "4×")
        wait_for_step(page, "step === last")
        page.wait_for_timeout(600)
        assert measure(page)["surface"] == surface, "the glyphs hid the surface at the end of the race"
        end = glyphs_of(page)
        assert assert_on_heads_and_map(end, "end") >= 2  # near the minimum some glyphs shrink to a point
        assert {g["run"] for g in end["glyphs"]} <= set(end["heads"])
        # they moved: the heads (and the glyphs on them) are not where they were in the middle
        assert any(abs(end["heads"][k][0] - middle["heads"][k][0]) > 2 for k in end["heads"])
        assert exceptions(page) == []
    finally:
        context.close()


FAMILIES = {  # one scene per family of the lecture, with the glyphs that tell its story
    "sgd-momentum": ("scene=long_valley", "velocity"),
    "adagrad-rmsprop-adadelta": ("scene=saddle&view=map", "rate"),
    "adam-family": ("surface=beale&steps=300&optimizers=adam(lr=0.05),amsgrad(lr=0.05),adamw(lr=0.05),"
                    "nadam(lr=0.05),radam(lr=0.005),adamax(lr=0.05)", "rate"),
    "lecture-forms": ("scene=torch_vs_lecture", "parts"),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_photographed_with_glyphs(browser, app_url, family):
    query, kind = FAMILIES[family]
    context, page = open_scene(browser, app_url, query)
    try:
        switch(page, kind)
        surface = measure(page)["surface"]
        photograph(page, f"glyphs-{family}-{kind}-start")
        press(page, "4×")
        wait_for_step(page, "step >= last / 3 && step < last")
        press(page, "Pause")
        page.wait_for_timeout(600)
        photograph(page, f"glyphs-{family}-{kind}-middle")
        assert assert_on_heads_and_map(glyphs_of(page), f"{family} middle") >= 2
        press(page, "4×")
        wait_for_step(page, "step === last")
        page.wait_for_timeout(600)
        photograph(page, f"glyphs-{family}-{kind}-end")
        assert measure(page)["surface"] == surface
        assert exceptions(page) == []
    finally:
        context.close()
