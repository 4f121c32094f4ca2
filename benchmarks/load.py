"""Load, printed (not asserted): a class opening one shared link, measured at the server.

    python benchmarks/load.py                         # N = 20, 60, 150 students on ?scene=beale
    python benchmarks/load.py --distinct              # every student a different scene (no cache hits)
    python benchmarks/load.py --processes 2           # through deploy/serve.py: nginx and 2 servers
    python benchmarks/load.py --browsers 3            # three Chromium tabs beside three protocol clients
    python benchmarks/load.py --soak 600              # 10 minutes of students joining and leaving
    python benchmarks/load.py --transfer              # bytes a cold browser downloads, without and with nginx
    python benchmarks/load.py --sessions 60 --profile # and where the server's time went (py-spy)
    python benchmarks/load.py --url http://host:8501 --sessions 60   # a server already running

Each student is a `stclient.Student`: Streamlit's own protocol over its websocket, no browser, so the
figures measure the server, not twenty Chromiums on the server's two cores. All N open the link at
once; each waits for its complete figure (every run in the legend, a frame per step up to the last)
and the end of the script; then all N move the steps slider, as a class told "now try 400 steps"
does, and wait for the changed figure. Printed per N: sessions served, errors, p50/p95/worst seconds
to the first figure and to the changed figure, the server's CPU seconds per session (from
/proc/PID/stat, all its threads; for the proxy, every server process it started) and its resident
memory per session (growth of VmRSS over the wave, divided by N). Every N gets a fresh server, warmed
by one visit (the teacher's) first.

Budgets (2 cores, one server process): 60 students on one link all served, worst at most 10 s to the
first figure (aim 5 s, i.e. under 0.08 CPU seconds per session); 150 all served without error; at
most 3 MB per session. Through the proxy with two processes: 60 students, worst at most 6 s.
The load generator runs on the same two cores (about 0.01 s of CPU per student): say so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from stclient import ProtocolError, Student, figure_problems

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "deploy"))
from serve import free_port, wait_healthy  # noqa: E402

SCENE = "beale"
SCENE_STEPS = 500  # the Beale preset's steps
SCENE_RUNS = 7
CHANGED_STEPS = 400
# The widgets' elements, keyed "map" and "steps" or, once pages namespace their keys, "explorer.map"
MAP_PLOT = ".st-key-map .js-plotly-plot, .st-key-explorer-map .js-plotly-plot"
STEPS_SLIDER = '.st-key-steps input[type="range"], .st-key-explorer-steps input[type="range"]'
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------------------------ servers


@contextlib.contextmanager
def server(processes: int):
    """One `streamlit run app.py` (processes == 0) or deploy/serve.py with nginx in front; yields
    (url, function returning the pids of the Streamlit processes)."""
    port = free_port()
    if processes == 0:
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1"]
    else:
        cmd = [sys.executable, "deploy/serve.py", "--processes", str(processes), "--port", str(port),
               "--address", "127.0.0.1", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, [proc])
        except RuntimeError as e:
            raise SystemExit(str(e)) from e
        if processes:
            time.sleep(1.0)  # every upstream answers (serve.py waits for all before starting nginx)

        def pids() -> list[int]:
            return [proc.pid] if processes == 0 else streamlit_children(proc.pid)

        yield url, pids
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def streamlit_children(pid: int) -> list[int]:
    """The pids of the Streamlit servers among the descendants of ``pid``."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
            if p != pid and b"streamlit" in Path(f"/proc/{p}/cmdline").read_bytes():
                found.append(p)
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds of all threads of ``pids``."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / TICK


def rss_bytes(pids: list[int]) -> int:
    return sum(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE for pid in pids)


# ------------------------------------------------------------------------------------ students


@dataclass
class Visit:
    """One student's visit: seconds to the complete first figure and to the changed one."""

    first: float = float("inf")
    changed: float = float("inf")
    problems: list[str] = field(default_factory=list)
    served_by: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems and self.changed < float("inf")


def check(run, steps: int, runs: int, what: str) -> list[str]:
    problems = [f"{what}: {e}" for e in run.exceptions + run.errors]
    if run.status != 0:
        problems.append(f"{what}: the script finished with status {run.status}")
    if not run.figure_spec:
        problems.append(f"{what}: no figure")
    else:
        problems += [f"{what}: {p}" for p in figure_problems(run.figure, steps=steps, runs=runs)]
    return problems


async def arrive(url: str, query: str, timeout: float) -> tuple[Student | None, Visit, object]:
    student, visit = Student(url, timeout=timeout), Visit()
    try:
        run = await student.open(query)
        visit.first = max(run.figure_at, run.finished) if run.figure_spec else float("inf")
        return student, visit, run
    except (OSError, ProtocolError, TimeoutError) as e:
        visit.problems.append(f"open: {type(e).__name__}: {e}"[:200])
        await student.close()
        return None, visit, None


async def change(student: Student, visit: Visit, steps: int, timeout: float):
    try:
        run = await student.set_widget("steps", [steps])
        visit.changed = max(run.figure_at, run.finished) if run.figure_spec else float("inf")
        return run
    except (OSError, ProtocolError, TimeoutError, KeyError) as e:
        visit.problems.append(f"change: {type(e).__name__}: {e}"[:200])
        return None


async def wave(url: str, pids, queries: list[str], steps: list[tuple[int, int]], timeout: float) -> dict:
    """All students open their link at once, then all change the steps; returns timings and costs.
    ``steps[i]`` is (the steps of student i's scene, the steps it changes to)."""
    cpu0, rss0 = cpu_seconds(pids()), rss_bytes(pids())
    arrived = await asyncio.gather(*(arrive(url, q, timeout) for q in queries))
    cpu1, rss1 = cpu_seconds(pids()), rss_bytes(pids())
    for (_, visit, run), (first_steps, _) in zip(arrived, steps, strict=True):
        if run is not None:
            visit.problems += check(run, first_steps, SCENE_RUNS, "first figure")
    present = [(a, s) for a, s in zip(arrived, steps, strict=True) if a[0] is not None]
    changes = await asyncio.gather(*(change(student, visit, new, timeout)
                                     for (student, visit, _), (_, new) in present))
    cpu2, rss2 = cpu_seconds(pids()), rss_bytes(pids())
    for ((student, visit, _), (_, new)), run in zip(present, changes, strict=True):
        if run is not None:
            visit.problems += check(run, new, SCENE_RUNS, "changed figure")
        visit.served_by = set(student.served_by)
        await student.close()
    visits = [v for _, v, _ in arrived]
    n = len(queries)
    return dict(visits=visits, cpu_open=(cpu1 - cpu0) / n, cpu_change=(cpu2 - cpu1) / n,
                rss_open=(rss1 - rss0) / n, rss_change=(rss2 - rss0) / n, rss=rss2)


def quantiles(values: list[float]) -> str:
    finite = sorted(values)
    if not finite:
        return "-"
    p95 = finite[min(len(finite) - 1, round(0.95 * (len(finite) - 1)))]
    return f"{statistics.median(finite):5.2f} {p95:5.2f} {finite[-1]:6.2f}"


def report(n: int, result: dict) -> None:
    visits = result["visits"]
    served = sum(v.ok for v in visits)
    errors = sum(bool(v.problems) for v in visits)
    firsts = [v.first for v in visits]
    changed = [v.changed for v in visits]
    print(f"{n:5d} {served:4d}/{n:<4d} {errors:6d}   {quantiles(firsts):>19}   {quantiles(changed):>19}   "
          f"{result['cpu_open']:6.3f} {result['cpu_change']:6.3f}   {result['rss_open'] / 2**20:6.2f} "
          f"{result['rss_change'] / 2**20:6.2f}", flush=True)
    for i, v in enumerate(visits):
        for p in v.problems[:2]:
            print(f"      student {i}: {p}")


HEADER = ("    N served errors   first figure (s)      changed figure (s)    server CPU s/session  RSS MB/session\n"
          "                        p50   p95  worst      p50   p95  worst     open  change       open  +change")


def plan(n: int, distinct: bool) -> tuple[list[str], list[tuple[int, int]]]:
    if not distinct:
        return [f"scene={SCENE}"] * n, [(SCENE_STEPS, CHANGED_STEPS)] * n
    steps = [200 + i for i in range(n)]  # a scene of its own for everyone, and a change of its own too
    return [f"scene={SCENE}&steps={s}" for s in steps], [(s, s + 400) for s in steps]


async def teacher(url: str, distinct: bool, timeout: float) -> None:
    """The teacher's visit before the class: imports the modules, and computes the shared link's scene (its
    changed scene is left for the class to compute)."""
    student, visit, _ = await arrive(url, f"scene={SCENE}&steps=150" if distinct else f"scene={SCENE}", timeout)
    if student is None:
        raise SystemExit(f"the warm-up visit failed: {visit.problems}")
    if distinct:
        await change(student, visit, 140, timeout)
    await student.close()


IDLE = ("select (selectors.py", "sleep", "wait (threading.py", "_worker (concurrent", "task (streamlit/watcher")


@contextlib.contextmanager
def profiled(pids: list[int], top: int = 25):
    """Sample the server with py-spy while the block runs (only the thread holding the GIL: where the
    Python CPU goes, not who waits for it), then print the functions with the largest share of the
    samples (inclusive, idle waits left out). Without py-spy (pip install py-spy), nothing."""
    spy = shutil.which("py-spy")
    if spy is None or not pids:
        print("      (no profile: pip install py-spy)")
        yield
        return
    out = Path(f"/tmp/descent-lab-profile-{pids[0]}.txt")
    proc = subprocess.Popen([spy, "record", "--pid", str(pids[0]), "--rate", "200", "--format", "raw", "--gil",
                             "--output", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    shares: dict[str, int] = {}
    total = 0
    for line in out.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = [f.rsplit(":", 1)[0] + ")" if ":" in f else f for f in stack.split(";")]
        if any(idle in frames[-1] for idle in IDLE):
            continue
        total += int(n)
        for frame in set(frames):
            shares[frame] = shares.get(frame, 0) + int(n)
    out.unlink()
    print(f"      where the server's time went ({total} busy samples at 200 Hz, inclusive):")
    for frame, n in sorted(shares.items(), key=lambda kv: -kv[1])[:top]:
        print(f"      {100 * n / max(total, 1):5.1f}%  {frame[:110]}")


def run_waves(args) -> None:
    label = "a different scene each" if args.distinct else f"one shared link ?scene={SCENE}"
    where = (args.url or (f"nginx and {args.processes} Streamlit processes (deploy/serve.py)" if args.processes
                          else "one Streamlit process"))
    print(f"{label}; {where}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    print(HEADER)
    for n in args.sessions:
        queries, steps = plan(n, args.distinct)
        if args.url:
            pids = list(args.server_pid)
            asyncio.run(teacher(args.url, args.distinct, args.timeout))
            report(n, asyncio.run(wave(args.url, lambda p=pids: p, queries, steps, args.timeout)))
            continue
        with server(args.processes) as (url, pids):
            asyncio.run(teacher(url, args.distinct, args.timeout))
            with profiled(pids()) if args.profile else contextlib.nullcontext():
                result = asyncio.run(wave(url, pids, queries, steps, args.timeout))
            report(n, result)
            if args.processes:
                spread: dict[str, int] = {}
                for v in result["visits"]:
                    for s in v.served_by:
                        spread[s] = spread.get(s, 0) + 1
                sticky = sum(len(v.served_by) == 1 for v in result["visits"])
                print(f"      sessions per process: {spread}; {sticky}/{n} students stayed on one process")


# ------------------------------------------------------------------------------------ soak


async def soak(url: str, pids, seconds: float, crowd: int, timeout: float) -> None:
    """Students keep arriving (about ``crowd`` at a time), change a setting, stay 5-40 s and close the
    tab; the server's RSS is printed every 30 s."""
    rng = random.Random(0)
    served = failed = 0
    end = time.perf_counter() + seconds

    async def one(i: int) -> None:
        nonlocal served, failed
        query = f"scene={SCENE}&steps={200 + i % 40}"  # a few scenes, like a class trying things
        student, visit, _ = await arrive(url, query, timeout)
        if student is None:
            failed += 1
            return
        await change(student, visit, 100 + i % 37, timeout)
        await asyncio.sleep(rng.uniform(5, 40))
        await student.close()
        served, failed = served + (not visit.problems), failed + bool(visit.problems)

    async def report_rss() -> None:
        start = time.perf_counter()
        while time.perf_counter() < end + 1:
            print(f"  t={time.perf_counter() - start:5.0f} s  RSS {rss_bytes(pids()) / 2**20:7.1f} MB  "
                  f"students served {served}, failed {failed}", flush=True)
            await asyncio.sleep(30)

    reporter = asyncio.create_task(report_rss())
    tasks: set[asyncio.Task] = set()
    i = 0
    while time.perf_counter() < end:
        while len(tasks) < crowd:
            task = asyncio.create_task(one(i))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
        await asyncio.sleep(rng.uniform(0.2, 1.0))
    await asyncio.gather(*tasks)
    await asyncio.sleep(1)
    reporter.cancel()
    print(f"  end: RSS {rss_bytes(pids()) / 2**20:7.1f} MB, {served} served, {failed} failed")


def run_soak(args) -> None:
    print(f"soak: {args.soak:.0f} s of about {args.crowd} students at a time joining and leaving; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    with server(args.processes) as (url, pids):
        asyncio.run(teacher(url, True, args.timeout))
        asyncio.run(soak(url, pids, args.soak, args.crowd, args.timeout))


# ------------------------------------------------------------------------------------ browsers


async def browser_tab(browser, url: str) -> tuple[float, float]:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(300_000)
    idle = ("() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
            " === 'notRunning'")
    last_frame = (f"(n) => {{ const gd = document.querySelector('{MAP_PLOT}'); "
                  "return !!(gd && gd.layout && gd.layout.sliders && gd.layout.sliders[0].steps.at(-1).label "
                  "=== String(n) && gd.querySelector('.legend')); }")
    t0 = time.perf_counter()
    await page.goto(f"{url}/?scene={SCENE}")
    await page.wait_for_function(last_frame, arg=SCENE_STEPS)
    await page.wait_for_function(idle)
    first = time.perf_counter() - t0
    slider = page.locator(STEPS_SLIDER)
    await slider.focus()
    t1 = time.perf_counter()
    await page.keyboard.press("ArrowLeft")  # 500 -> 499
    await page.wait_for_function(last_frame, arg=SCENE_STEPS - 1)
    await page.wait_for_function(idle)
    changed = time.perf_counter() - t1
    await context.close()
    return first, changed


async def browsers_and_clients(url: str, n: int, timeout: float) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await launch(pw)
        warm = await browser_tab(browser, url)  # the first tab of a browser also starts its processes
        tabs = await asyncio.gather(*(browser_tab(browser, url) for _ in range(n)))
        await browser.close()
    queries, steps = [f"scene={SCENE}"] * n, [(SCENE_STEPS, SCENE_STEPS - 1)] * n
    clients = await wave(url, lambda: [], queries, steps, timeout)
    print(f"{n} Chromium tabs at once (after one warm-up tab: {warm[0]:.2f} s, {warm[1]:.2f} s), cold cache each:")
    print(f"  first figure drawn:   {quantiles([t[0] for t in tabs])} s (p50 p95 worst)")
    print(f"  changed figure drawn: {quantiles([t[1] for t in tabs])} s")
    print(f"{n} protocol clients at once, the same link and change:")
    print(f"  first figure:         {quantiles([v.first for v in clients['visits']])} s")
    print(f"  changed figure:       {quantiles([v.changed for v in clients['visits']])} s")


async def launch(pw):
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium on the PATH: apt-get install chromium")
    return await pw.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows"])


async def transferred(url: str) -> dict[str, float]:
    """Bytes a cold Chromium tab receives over HTTP (as sent: compressed where the server compressed)
    until the shared link's figure is drawn: all of them, and the JavaScript alone."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await launch(pw)
        context = await browser.new_context(viewport={"width": 1440, "height": 900})
        page = await context.new_page()
        page.set_default_timeout(300_000)
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        urls: dict[str, str] = {}
        sizes = {"all": 0, "js": 0, "files": 0}

        def finished(event):
            sizes["all"] += event["encodedDataLength"]
            sizes["files"] += 1
            if urls.get(event["requestId"], "").split("?")[0].endswith(".js"):
                sizes["js"] += event["encodedDataLength"]

        cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished", finished)
        t0 = time.perf_counter()
        await page.goto(f"{url}/?scene={SCENE}")
        await page.locator(MAP_PLOT).locator(".legend").first.wait_for()
        sizes["seconds"] = time.perf_counter() - t0
        await page.wait_for_timeout(1000)
        await browser.close()
    return sizes


def run_transfer(args) -> None:
    print("bytes a cold Chromium tab receives over HTTP until the figure is drawn (the websocket not counted)")
    for processes, label in ((0, "Streamlit alone"), (args.processes or 2, "through nginx (deploy/serve.py)")):
        with server(processes) as (url, _):
            asyncio.run(teacher(url, False, args.timeout))
            sizes = asyncio.run(transferred(url))
        print(f"  {label:32s} {sizes['all'] / 1e6:6.2f} MB in {sizes['files']:.0f} responses, JavaScript "
              f"{sizes['js'] / 1e6:6.2f} MB; figure drawn after {sizes['seconds']:.1f} s", flush=True)


def run_browsers(args) -> None:
    if args.url:
        asyncio.run(browsers_and_clients(args.url, args.browsers, args.timeout))
        return
    with server(args.processes) as (url, _):
        asyncio.run(teacher(url, False, args.timeout))
        asyncio.run(browsers_and_clients(url, args.browsers, args.timeout))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[20, 60, 150], metavar="N",
                        help="class sizes, each against a fresh server (default: 20 60 150)")
    parser.add_argument("--distinct", action="store_true", help="every student a different scene")
    parser.add_argument("--processes", type=int, default=0, metavar="P",
                        help="serve through deploy/serve.py: nginx and P Streamlit processes")
    parser.add_argument("--url", help="a server already running (its CPU and memory need --server-pid)")
    parser.add_argument("--server-pid", type=int, nargs="*", default=[], help="the pids serving --url")
    parser.add_argument("--browsers", type=int, default=0, metavar="B", help="B Chromium tabs, then B clients")
    parser.add_argument("--profile", action="store_true", help="py-spy on the (first) server during each wave")
    parser.add_argument("--transfer", action="store_true",
                        help="bytes a cold browser downloads, Streamlit alone and through nginx")
    parser.add_argument("--soak", type=float, default=0, metavar="SECONDS", help="students joining and leaving")
    parser.add_argument("--crowd", type=int, default=20, help="students at a time in the soak (default 20)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a student waits for a run")
    args = parser.parse_args(argv)
    if any(not 1 <= n <= 1000 for n in args.sessions) or not 0 <= args.processes <= 16:
        parser.error("--sessions from 1 to 1000, --processes from 0 to 16")
    if args.transfer:
        run_transfer(args)
    elif args.soak:
        run_soak(args)
    elif args.browsers:
        run_browsers(args)
    else:
        run_waves(args)


if __name__ == "__main__":
    main()
