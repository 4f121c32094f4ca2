"""Load, printed (not asserted): python benchmarks/load.py [--sessions 20]

One `streamlit run app.py` on a free loopback port, and N simultaneous sessions (each a page with its
own WebSocket, so its own Streamlit session) in one headless Chromium, Debian's, driven by Playwright.
Each session opens the explorer, waits for its figure, then changes a setting (adds a run) and waits
for the new figure. Prints the median and worst time to the first figure and to the updated one.
Budget on this 2-core machine: the worst under 20 s.

The browsers run on the server's two cores too, and each page spends about 2.5 s of CPU parsing and
running Streamlit's and Plotly's JavaScript, so twenty cold pages cost the machine ~55 s of CPU that
a real class spends on twenty laptops. By default the pages therefore share one browser profile whose
cache a first, untimed visit has warmed, as each student's browser is after their first visit;
``--isolated`` gives every page its own cold profile instead (the same server work, and the client
cost of twenty first visits on two cores). Everything stays on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 300_000  # a cold classroom on two cores can take minutes; report it rather than give up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit did not start within 60 s")


async def idle(page) -> None:
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') "
        "=== 'notRunning'", timeout=TIMEOUT_MS)


async def session(context_for, url: str, results: list, index: int) -> None:
    context, own = await context_for()
    page = await context.new_page()
    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=TIMEOUT_MS)
        await page.locator('.st-key-map [data-testid="stPlotlyChart"]').first.wait_for(timeout=TIMEOUT_MS)
        await idle(page)
        first = time.perf_counter() - t0
        t1 = time.perf_counter()
        await page.get_by_role("button", name="Add a run").click(timeout=TIMEOUT_MS)
        await page.wait_for_function(  # the new figure's legend names four runs
            "() => (document.querySelector('g.legend')?.textContent.match(/lr=/g) || []).length === 4",
            timeout=TIMEOUT_MS)
        legend = await page.locator("g.legend").first.text_content(timeout=TIMEOUT_MS)
        updated = time.perf_counter() - t1
        errors = await page.locator('[data-testid="stException"]').count()
        results.append((index, first, updated, errors, legend.count("lr=")))
    except Exception as e:  # a session that fails is reported, not hidden
        results.append((index, float("inf"), float("inf"), 1, f"{type(e).__name__}: {e}"[:120]))
    finally:
        await (context.close() if own else page.close())


async def main_async(sessions: int, url: str, isolated: bool) -> list:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium on the PATH: apt-get install chromium")
    results: list = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
            # Twenty pages in one headless browser: without these, all but the front one are throttled
            # like background tabs and wait for animation frames that never come.
            "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows"])
        shared = await browser.new_context(viewport={"width": 1280, "height": 800})
        if not isolated:
            warm = await shared.new_page()
            await warm.goto(url, timeout=TIMEOUT_MS)
            await warm.locator('.st-key-map [data-testid="stPlotlyChart"]').first.wait_for(timeout=TIMEOUT_MS)
            await warm.close()

        async def context_for():
            if isolated:
                return await browser.new_context(viewport={"width": 1280, "height": 800}), True
            return shared, False

        await asyncio.gather(*(session(context_for, url, results, i) for i in range(sessions)))
        await browser.close()
    return sorted(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, choices=range(1, 41), metavar="N")
    parser.add_argument("--isolated", action="store_true", help="a cold browser profile for every session")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    try:
        results = asyncio.run(main_async(args.sessions, f"http://127.0.0.1:{port}/", args.isolated))
    finally:
        server.terminate()
        server.wait(timeout=10)
    firsts = [r[1] for r in results]
    updates = [r[2] for r in results]
    failed = [r for r in results if r[3] or not isinstance(r[4], int) or r[4] != 4]
    profile = "each in its own cold browser profile" if args.isolated else "tabs of one warmed browser profile"
    print(f"{args.sessions} simultaneous sessions ({profile}), one server: {len(results) - len(failed)} got their "
          f"figure and its update ({len(failed)} failed)")
    print(f"time to first figure: median {statistics.median(firsts):.1f} s, worst {max(firsts):.1f} s "
          f"(budget: worst under 20 s)")
    print(f"time to the figure after adding a run: median {statistics.median(updates):.1f} s, "
          f"worst {max(updates):.1f} s")
    for r in failed:
        print(f"  session {r[0]}: {r[4]}")


if __name__ == "__main__":
    main()
