"""What a person looks at in the animated figure, measured in the page: the surface's SVG paths, how
much of each run's line is drawn, the step on the slider, and where the controls sit."""

from __future__ import annotations

import re

from harness import SLOW

PLOT = ".st-key-explorer-map .js-plotly-plot"

# Per trace name: how many of its SVG paths have a shape ("M..." longer than a point), and the total
# length in pixels of the lines drawn for each run (its path on the map, past and recent parts).
MEASURE = """(selector) => {
  const gd = document.querySelector(selector);
  if (!gd) return null;
  const out = {surface: 0, runs: {}, loss: {}};
  gd.querySelectorAll('g.trace').forEach(g => {
    const cd = g.__data__, trace = cd && cd[0] && cd[0].trace;
    if (!trace) return;
    const shaped = [...g.querySelectorAll('path')].filter(p => /^M[^M]*[LHVCZ]/.test(p.getAttribute('d') || ''));
    if (trace.name === 'surface') { out.surface += shaped.length; return; }
    if (trace.mode !== 'lines' || trace.opacity !== 1 || !trace.legendgroup) return;
    const where = trace.xaxis === 'x' ? out.runs : trace.xaxis === 'x2' ? out.loss : null;
    if (!where) return;
    const length = [...g.querySelectorAll('path.js-line')].reduce((s, p) => s + p.getTotalLength(), 0);
    where[trace.name] = (where[trace.name] || 0) + length;
  });
  const label = gd.querySelector('g.slider-container text.slider-label');
  out.step = label ? label.textContent : null;
  return out;
}"""

BOXES = """(selector) => {
  const gd = document.querySelector(selector);
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
                      return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const font = el => el ? parseFloat(getComputedStyle(el).fontSize) : null;
  return {legend: box(gd.querySelector('g.legend')), hint: box(gd.querySelector('g.annotation')),
          buttons: box(gd.querySelector('g.updatemenu-container')),
          slider: box(gd.querySelector('g.slider-container')),
          play: box([...gd.querySelectorAll('g.updatemenu-button')].find(b => b.textContent.includes('Play'))),
          panels: box(gd.querySelector('g.cartesianlayer')),
          button_font: font(gd.querySelector('g.updatemenu-button text')),
          plot_font: font(gd.querySelector('g.xtick text'))};
}"""


def measure(page, selector: str = PLOT) -> dict:
    return page.evaluate(MEASURE, selector)


def boxes(page, selector: str = PLOT) -> dict:
    return page.evaluate(BOXES, selector)


def step_of(page, selector: str = PLOT) -> tuple[int, int]:
    text = measure(page, selector)["step"]
    m = re.fullmatch(r"step (\d+) of (\d+)", text or "")
    assert m, text
    return int(m.group(1)), int(m.group(2))


def press(page, label: str, selector: str = PLOT) -> None:
    page.locator(f"{selector} g.updatemenu-button", has_text=label).first.click()


def wait_for_step(page, done, selector: str = PLOT, timeout: float = SLOW) -> None:
    """Wait until ``done(step, last)`` holds for the slider's step (a JS predicate on two numbers)."""
    page.wait_for_function(
        """([selector, done]) => { const gd = document.querySelector(selector);
             const t = gd && gd.querySelector('g.slider-container text.slider-label');
             const m = t && /step (\\d+) of (\\d+)/.exec(t.textContent);
             return m && (new Function('step', 'last', 'return ' + done))(+m[1], +m[2]); }""",
        arg=[selector, done], timeout=timeout)


def scrub(page, fraction: float, selector: str = PLOT) -> None:
    """Drag the slider's grip to ``fraction`` of its rail, as a hand would."""
    rail = page.locator(f"{selector} rect.slider-rail-rect").first.bounding_box()
    grip = page.locator(f"{selector} rect.slider-grip-rect").first.bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] + fraction * rail["width"], rail["y"] + rail["height"] / 2, steps=8)
    page.mouse.up()


def overlap(a: dict, b: dict) -> float:
    """The area two boxes share, in square pixels."""
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(w, 0.0) * max(h, 0.0)
