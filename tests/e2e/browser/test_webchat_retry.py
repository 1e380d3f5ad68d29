"""Web chat while the action server is down: "please try again", then "Try again" resends.

Starts its own Rasa server (the shared one must stay healthy) whose action server is started
only halfway through the test.
"""

from __future__ import annotations

import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stores.errors import RETRY_TEXT
from tests.e2e.conftest import START_TIMEOUT_S, _free_port, _get
from tests.servers import (
    ROOT,
    action_server_argv,
    rasa_server_argv,
    server_env,
    stop,
    write_endpoints,
)

VIGNETTE = "58M pernicious anaemia, no numbness or tingling"


@dataclass
class HalfBot:
    """A Rasa server whose action server is not running until ``start_actions``."""

    rasa_url: str
    action_port: int
    env: dict[str, str]
    work: Path
    procs: list[subprocess.Popen[bytes]]

    def start_actions(self) -> None:
        log = (self.work / "actions.log").open("w")
        argv = action_server_argv(self.action_port)
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while _get(f"http://127.0.0.1:{self.action_port}/health") != 200:
            assert time.monotonic() < deadline, (self.work / "actions.log").read_text()[-2000:]
            time.sleep(0.5)


@pytest.fixture
def half_bot(tmp_path: Path) -> Iterator[HalfBot]:
    rasa_port, action_port = _free_port(), _free_port()
    endpoints = write_endpoints(tmp_path, action_port)
    env = server_env(tmp_path, secrets.token_urlsafe(32))
    rasa_log = (tmp_path / "rasa.log").open("w")
    proc = subprocess.Popen(
        rasa_server_argv(rasa_port, endpoints),
        cwd=ROOT, env=env, stdout=rasa_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    bot = HalfBot(f"http://127.0.0.1:{rasa_port}", action_port, env, tmp_path, [proc])
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while _get(f"{bot.rasa_url}/webhooks/rest/") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail((tmp_path / "rasa.log").read_text()[-3000:])
            time.sleep(0.5)
        yield bot
    finally:
        stop(bot.procs)


def test_try_again_after_the_action_server_comes_back(half_bot: HalfBot, new_page: Any) -> None:
    page = new_page(1280, 800)
    page.goto(f"{half_bot.rasa_url}/webchat/")
    page.wait_for_selector(".b12c[data-connected='true']")
    page.get_by_role("button", name="Clinician", exact=True).click()
    page.get_by_label("Your message").fill(VIGNETTE)
    page.get_by_label("Your message").press("Enter")

    retry = page.get_by_role("button", name="Try again")
    retry.wait_for()
    assert page.get_by_text(RETRY_TEXT).is_visible()
    assert page.locator(".b12c-plan").count() == 0

    half_bot.start_actions()
    retry.click()
    card = page.locator(".b12c-plan")
    card.wait_for()
    assert "Duration: lifelong" in card.locator(".b12c-steps").inner_text()
    # The retry sent the same message again, and the used button cannot be pressed twice.
    assert page.locator(".b12c-user").filter(has_text=VIGNETTE).count() == 2
    assert retry.is_disabled()
