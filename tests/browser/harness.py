"""Helpers shared by the browser tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
LAPTOP = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
SLOW = 120_000  # ms: two shared cores rendering WebGL in software can be slow; nothing here should hang


def new_context(browser, viewport=None):
    context = browser.new_context(viewport=viewport or LAPTOP)
    context.set_default_timeout(SLOW)
    return context


def wait_ready(page, timeout: float = SLOW) -> None:
    """Wait until the app has finished running: the page's heading is drawn and no run is in progress."""
    page.wait_for_selector('[data-testid="stMain"] h2', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSpinner"]');
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(500)


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
