"""Servers for the load-client and deployment tests, started by the load benchmark's own helpers
(benchmarks/load.py): one `streamlit run app.py`, or deploy/serve.py with nginx and two processes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT / "benchmarks", ROOT / "deploy"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import load  # noqa: E402
import serve  # noqa: E402


def started(processes: int):
    try:
        with load.server(processes) as (url, pids):
            yield url, pids
    except SystemExit as e:  # the benchmark's way of saying the server did not come up
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def app_server():
    yield from started(0)


@pytest.fixture(scope="module")
def proxy():
    if serve.find_nginx() is None:
        pytest.skip("nginx is not installed (apt-get install nginx); deployment tests skipped")
    yield from started(2)
