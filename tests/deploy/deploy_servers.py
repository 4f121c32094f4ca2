"""Fixtures for the load-client and deployment tests, servers started by the load benchmark's own
helpers (benchmarks/load.py): one `streamlit run app.py`, or deploy/serve.py with nginx and two
processes. Not a conftest.py: tests/browser imports its own with ``from conftest import serve``, which
a second conftest module would shadow."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT / "benchmarks", ROOT / "deploy"):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))  # last: benchmarks/networks.py must not shadow the networks package

import serve  # noqa: E402, F401  deploy/serve.py, for the tests, once its folder is on the path


def started(processes: int):
    import load

    try:
        with load.server(processes) as (url, pids):
            yield url, pids
    except SystemExit as e:  # the benchmark's way of saying the server did not come up
        pytest.fail(str(e))


@pytest.fixture(scope="module", name="app_server")
def app_server_fixture():
    yield from started(0)


@pytest.fixture(scope="module", name="proxy")
def proxy_fixture():
    from serve import find_nginx

    if find_nginx() is None:
        pytest.skip("nginx is not installed (apt-get install nginx); deployment tests skipped")
    yield from started(2)
