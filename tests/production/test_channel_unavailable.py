"""The REST channel turns backing-service failures into 503 "please try again" (no servers)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError
from sanic import Sanic

from channels.rest_channel import StrictRestInput
from stores import errors
from stores.lock_store import LockStoreUnavailable
from tests.security.conftest import client, serving


def _app(channel: StrictRestInput, failure: BaseException | None, delay: float = 0) -> Sanic:
    async def on_new_message(message: UserMessage) -> None:
        assert errors.in_channel_turn()
        await message.output_channel.send_text_message(message.sender_id, "partial")
        await asyncio.sleep(delay)
        if failure is not None:
            raise failure

    app = Sanic(f"unavailable_test_{id(channel)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
    return app


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (errors.TrackerStoreUnavailable("db down"), "tracker_store_unavailable"),
        (errors.TrackerStoreConflict("changed"), "tracker_store_conflict"),
        (LockStoreUnavailable("redis down"), "lock_store_unavailable"),
        (LockError("Could not acquire lock"), "lock_unavailable"),
        (errors.ActionServerUnavailable("action_plan"), "action_server_unavailable"),
    ],
)
async def test_failures_get_503_with_a_retry_message(failure: BaseException, code: str) -> None:
    channel = StrictRestInput(rate_limit_per_minute=0)
    async with serving(_app(channel, failure)) as url, client() as http:
        async with http.post(
            f"{url}/webhooks/rest/webhook", json={"sender": "p1", "message": "SECRET text"}
        ) as reply:
            body: Any = await reply.json()
            assert reply.status == 503
            assert reply.headers["Retry-After"] == "5"
    assert body == [
        {"recipient_id": "p1", "text": errors.RETRY_TEXT},
        {"recipient_id": "p1", "custom": {"type": "b12.unavailable", "error": code, "retry": True}},
    ]  # the partial reply of the failed turn is not sent


async def test_a_turn_longer_than_turn_timeout_is_cut_off() -> None:
    channel = StrictRestInput(rate_limit_per_minute=0, turn_timeout=0.3)
    async with serving(_app(channel, None, delay=5)) as url, client() as http:
        async with http.post(
            f"{url}/webhooks/rest/webhook", json={"sender": "p1", "message": "hi"}
        ) as reply:
            assert reply.status == 503
            assert (await reply.json())[1]["custom"]["error"] == "turn_timeout"


async def test_other_errors_keep_the_500_reply() -> None:
    channel = StrictRestInput(rate_limit_per_minute=0)
    async with serving(_app(channel, ValueError("boom"))) as url, client() as http:
        async with http.post(
            f"{url}/webhooks/rest/webhook", json={"sender": "p1", "message": "hi"}
        ) as reply:
            assert reply.status == 500


def test_turn_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURN_TIMEOUT", "12.5")
    assert StrictRestInput().turn_timeout == 12.5
    monkeypatch.delenv("TURN_TIMEOUT")
    assert StrictRestInput().turn_timeout == errors.DEFAULT_TURN_TIMEOUT_S
