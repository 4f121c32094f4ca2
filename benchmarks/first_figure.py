"""First figure after opening a link, printed (not asserted): python benchmarks/first_figure.py [-n 9]

Two servers side by side: a bare Streamlit app (a temporary folder holding one app file that draws one
Plotly chart, with our .streamlit/config.toml) and ours on ``?scene=beale``. Each is opened ``n`` times,
alternately, each time in a fresh Chromium context (nothing cached: the JavaScript bundle, the fonts,
the websocket are all new), after one untimed visit that warms the server (a class opens a link the
teacher has opened). Timed: from the navigation's start to the moment the chart's SVG holds its drawn
traces (ours: the map's contour paths and the runs' heads), read in the page with ``performance.now()``
by a MutationObserver installed before the page's own scripts.

Printed: the median and spread of each, their ratio (budget: ours within 1.3 times the bare page), and
where ours spends its time: bytes over the websocket before the figure, the Streamlit elements and
script runs, the time to the first element and to the end of the run. The load average is printed
beside them: the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "deploy"))
from serve import streamlit_app  # noqa: E402  deploy/serve.py

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1440, "height": 900}

BARE_APP = '''import numpy as np
import plotly.graph_objects as go
import streamlit as st

x = np.linspace(0, 10, 200)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(x), mode="lines")))
'''
BARE_DRAWN = ".js-plotly-plot .main-svg g.trace path.js-line"
# ours: the map's filled contours drawn and the heads' markers placed
OURS_DRAWN = ".st-key-explorer-map .js-plotly-plot .main-svg g.trace.scatter path.point"

# Installed before the page's scripts: records when ``selector`` first matches, and when the first
# Streamlit element and the end of the first script run appear.
OBSERVER = """(selector) => {
  window.__marks = {};
  const mark = (name) => { if (!(name in window.__marks)) window.__marks[name] = performance.now(); };
  const check = () => {
    if (document.querySelector(selector)) mark('drawn');
    if (document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')) mark('element');
    const app = document.querySelector('[data-testid="stApp"]');
    if (app && app.getAttribute('data-test-script-state') === 'running') mark('running');
    if ('running' in window.__marks && app && app.getAttribute('data-test-script-state') === 'notRunning') mark('ran');
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
}"""


def visit(browser, url: str, selector: str) -> dict:
    """One fresh context: milliseconds from navigation start to the figure drawn, and what went over the
    websocket before it."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(180_000)
    received = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: received.append((time.perf_counter(), len(payload))))

    page.on("websocket", on_socket)
    page.add_init_script(f"({OBSERVER})({selector!r})")
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function("() => window.__marks && 'drawn' in window.__marks", polling=50)
    drawn_at = time.perf_counter()
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    with contextlib.suppress(Exception):
        page.wait_for_function("() => 'ran' in window.__marks", timeout=60_000)
    marks = page.evaluate("() => window.__marks")
    elements = page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]').count()
    sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stElementContainer"]').count()
    context.close()
    before = [n for t, n in received if t <= drawn_at]
    return dict(drawn=marks["drawn"], element=marks.get("element"), ran=marks.get("ran"),
                busy=1e3 * metrics["TaskDuration"], script=1e3 * metrics["ScriptDuration"],
                wall=1e3 * (drawn_at - start), messages=len(before), bytes=sum(before), elements=elements,
                sidebar=sidebar)


def median(rows: list[dict], name: str) -> float:
    return statistics.median(r[name] or 0 for r in rows)


def summary(name: str, rows: list[dict]) -> str:
    drawn = [r["drawn"] for r in rows]
    q = statistics.quantiles(drawn, n=4) if len(drawn) >= 2 else [drawn[0]] * 3
    return (f"{name:5s} first figure {statistics.median(drawn):6.0f} ms median (quartiles {q[0]:.0f}-{q[2]:.0f}), "
            f"first element {statistics.median(r['element'] or 0 for r in rows):5.0f} ms, "
            f"run done {statistics.median(r['ran'] or 0 for r in rows):5.0f} ms; main thread busy "
            f"{median(rows, 'busy'):5.0f} ms (script {median(rows, 'script'):.0f}); "
            f"{statistics.median(r['messages'] for r in rows):.0f} websocket messages, "
            f"{statistics.median(r['bytes'] for r in rows) / 1e3:.0f} kB before the figure; "
            f"{rows[-1]['elements']} elements in the page, {rows[-1]['sidebar']} in the sidebar")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=9, help="visits of each page (default 9)")
    ap.add_argument("--query", default="?scene=beale", help="our page's link (default ?scene=beale)")
    a = ap.parse_args()
    if CHROMIUM is None:
        sys.exit("no chromium on the PATH")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        bare_dir = Path(tmp)
        (bare_dir / "app.py").write_text(BARE_APP)
        shutil.copytree(ROOT / ".streamlit", bare_dir / ".streamlit")
        with streamlit_app(bare_dir / "app.py", bare_dir) as bare, streamlit_app() as ours, \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            pages = {"bare": (bare + "/", BARE_DRAWN), "ours": (ours + "/" + a.query, OURS_DRAWN)}
            for url, selector in pages.values():
                visit(browser, url, selector)  # warm the server: imports, caches
            rows = {name: [] for name in pages}
            for _ in range(a.n):
                for name, (url, selector) in pages.items():
                    rows[name].append(visit(browser, url, selector))
            browser.close()
    load = os.getloadavg()
    print(f"first figure, {a.n} fresh Chromium contexts each, alternating, {VIEWPORT['width']}x{VIEWPORT['height']}, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    for name, r in rows.items():
        print(summary(name, r))
    ratio = statistics.median(r["drawn"] for r in rows["ours"]) / statistics.median(r["drawn"] for r in rows["bare"])
    pairs = [o["drawn"] / b["drawn"] for o, b in zip(rows["ours"], rows["bare"], strict=True)]
    print(f"ours / bare: {ratio:.2f} (medians; budget 1.3), per pair median {statistics.median(pairs):.2f}; "
          f"main-thread time ours / bare {median(rows['ours'], 'busy') / median(rows['bare'], 'busy'):.2f}")


if __name__ == "__main__":
    main()
