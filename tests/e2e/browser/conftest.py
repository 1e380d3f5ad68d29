"""Headless Chromium (Debian's package) driven by Playwright, against the real servers.

The ``bot`` fixture comes from tests/e2e/conftest.py; the servers load credentials.yml, which
enables the web chat channel (channels.webchat.WebchatInput). Without Chromium these tests skip,
unless the environment variable CI is set: then they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "results" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _unavailable(reason: str) -> None:
    message = f"{reason}; run scripts/install_browser.sh"
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        _unavailable("Chromium not found at /usr/bin/chromium (or $CHROMIUM_PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (requirements/dev.lock)")
    profile = tempfile.mkdtemp(prefix="b12-chromium-")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[*CHROMIUM_ARGS, f"--crash-dumps-dir={profile}"],
        )
        try:
            yield launched
        finally:
            launched.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Pages in a fresh browser context (fresh storage); page errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(width: int = 1280, height: int = 800, **context_options: Any) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, **context_options
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda error: errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:  # an alert() would mean injected script ran
            errors.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
