"""Browser tests: `streamlit run app.py` on a free local port, driven by Debian's Chromium through
Playwright. Skipped, with a one-line reason, where Chromium or Playwright is missing; CI installs both.
Screenshots go to artifacts/screenshots/ (named after the test) for people to look at."""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path

import pytest
from harness import LAPTOP, new_context

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "deploy"))  # last: deploy/serve.py, without shadowing a package
from serve import streamlit_app  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def serve():
    """`streamlit run app.py` on a free local port for as long as the block runs; yields its URL. Its
    output goes to artifacts/streamlit.log."""
    (ROOT / "artifacts").mkdir(exist_ok=True)
    with open(ROOT / "artifacts" / "streamlit.log", "ab") as log, streamlit_app(log=log, seconds=60) as url:
        yield url


@pytest.fixture(scope="session")
def app_url():
    with serve() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium on the PATH (apt-get install chromium); browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = new_context(browser, LAPTOP)
    p = context.new_page()
    yield p
    context.close()
