"""deploy/serve.py: nginx in front of two Streamlit processes. The app answers through the proxy over
HTTP and its websocket, the static bundles go out gzipped, a tab's requests all reach one process,
different tabs reach both, and Ctrl-C stops everything it started."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from deploy_servers import proxy_fixture, serve  # noqa: F401  the fixture
from stclient import Student, run

ROOT = Path(__file__).resolve().parents[2]


def test_a_tab_is_served_through_the_proxy_by_one_process(proxy):
    url, pids = proxy
    assert len(pids()) == 2

    async def visit():
        student = Student(url, timeout=120)
        first = await student.open("scene=beale")
        for _ in range(4):
            await student.get("/_stcore/health")
        changed = await student.set_widget("steps", [321])
        await student.close()
        return student, first, changed

    student, first, changed = run(visit())
    assert first.exceptions == [] and first.figure["frames"][-1]["name"] == "500"
    assert changed.figure["frames"][-1]["name"] == "321"
    assert "dl_backend" in student.cookies
    assert len(student.served_by) == 1  # the page, health checks and the websocket upgrade: one upstream


def test_tabs_spread_over_both_processes(proxy):
    url, _ = proxy

    async def upstream_of_new_tab():
        student = Student(url, timeout=30)
        await student.get("/_stcore/health")
        return student.served_by.pop()

    async def tabs():
        return await asyncio.gather(*(upstream_of_new_tab() for _ in range(16)))

    assert len(set(run(tabs()))) == 2  # all sixteen on one process: 1 in 32,768 by chance


def test_static_bundles_are_gzipped_and_intact(proxy):
    url, _ = proxy

    async def fetch():
        student = Student(url, timeout=30)
        _, _, page = await student.get("/")
        bundle = re.search(rb'src="\.?/?(static/js/index\.[^"]+\.js)"', page).group(1).decode()
        plain = await student.get("/" + bundle)
        student_gzip = Student(url, timeout=30)
        zipped = await student_gzip.get("/" + bundle, accept_gzip=True)
        return bundle, plain, zipped

    bundle, (status, headers, body), (zstatus, zheaders, zbody) = run(fetch())
    original = (serve.STATIC / bundle).read_bytes()
    assert status == 200 and body == original and "content-encoding" not in headers
    assert zstatus == 200 and zheaders["content-encoding"] == "gzip"
    assert gzip.decompress(zbody) == original
    assert len(zbody) < 0.4 * len(original)
    assert "immutable" in zheaders["cache-control"]


def test_websocket_timeouts_last_a_lecture(tmp_path):
    conf = serve.nginx_conf(tmp_path, "127.0.0.1:1", ["127.0.0.1:2"], tmp_path)
    stream = conf[conf.index("location = /_stcore/stream"):]
    stream = stream[: stream.index("}")]
    for directive in ("proxy_read_timeout", "proxy_send_timeout"):
        hours = re.search(rf"{directive} (\d+)h;", stream)
        assert hours and int(hours.group(1)) >= 3, directive
    assert "proxy_buffering off;" in stream and "proxy_set_header Upgrade $http_upgrade;" in stream


def test_ctrl_c_stops_nginx_and_every_server():
    if serve.find_nginx() is None:
        pytest.skip("nginx is not installed (apt-get install nginx); deployment tests skipped")
    port = serve.free_port()
    proc = subprocess.Popen([sys.executable, "deploy/serve.py", "--processes", "1", "--port", str(port),
                             "--address", "127.0.0.1", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        assert "Ctrl-C stops it all" in proc.stdout.readline()
        children = children_of(proc.pid)
        assert len(children) >= 3  # nginx's master, its workers, one Streamlit server
        work = next(Path(p) for p in Path("/tmp").glob("descent-lab-deploy-*") if (p / "nginx.conf").exists()
                    and str(port) in (p / "nginx.conf").read_text())
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        time.sleep(0.5)
        assert [c for c in children if alive(c)] == []
        assert not work.exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()


def children_of(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in os.listdir(f"/proc/{p}/task"):
            kids = [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
            found += kids
            todo += kids
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
