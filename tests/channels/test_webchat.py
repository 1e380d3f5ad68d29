"""The web chat channel's message handler: limits, failures and logs (no servers, no browser)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError

from channels.rest_channel import RateLimiter
from channels.webchat import WebchatInput
from stores import errors
from stores.lock_store import LockStoreUnavailable

SENDER = "hmac-of-the-client-id"
SECRET_TEXT = "my B12 is 95 and I have tingling"  # must never reach a log


class Harness:
    """A WebchatInput whose socket.io server records emits instead of sending them."""

    def __init__(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        **options: Any,
    ) -> None:
        self.channel = WebchatInput(secret=b"k" * 32, **options)
        self.channel.blueprint(on_new_message)
        sio = self.channel.sio
        assert sio is not None
        self.emitted: list[dict[str, Any]] = []

        async def get_session(sid: str, namespace: str | None = None) -> dict[str, Any]:
            return {"sender_id": SENDER}

        async def emit(event: str, data: Any = None, **kwargs: Any) -> None:
            assert event == "bot_uttered"
            assert kwargs.get("room") == SENDER
            self.emitted.append(data)

        sio.get_session = get_session  # type: ignore[method-assign]
        sio.emit = emit  # type: ignore[method-assign]
        self.handler = sio.handlers["/"]["user_uttered"]

    async def say(self, text: str) -> list[dict[str, Any]]:
        self.emitted.clear()
        await self.handler("sid-1", {"message": text, "metadata": {"audience": "patient"}})
        return list(self.emitted)


def customs(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if "custom" in m]


async def test_messages_reach_rasa_inside_a_failure_reporting_turn() -> None:
    seen: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        assert errors.in_channel_turn()
        seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, "answer")

    harness = Harness(on_new_message, rate_limit_per_minute=0)
    assert await harness.say("hello") == [{"text": "answer"}]
    assert [(m.text, m.sender_id, m.metadata) for m in seen] == [
        ("hello", SENDER, {"audience": "patient"})
    ]
    assert not errors.in_channel_turn()


async def test_rate_limit_per_conversation_with_a_clear_reply() -> None:
    calls: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text or "")

    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    harness = Harness(on_new_message, rate_limiter=limiter)
    assert await harness.say("one") == []
    assert await harness.say("two") == []
    third = await harness.say("three")
    assert calls == ["one", "two"]
    assert "Too many messages: the limit is 2 per minute" in third[0]["text"]
    assert customs(third) == [{"type": "b12.rate_limited", "retry_after": 30}]
    now[0] += 30.0  # one token back
    assert await harness.say("four") == []
    assert calls == ["one", "two", "four"]


def test_rate_limit_from_credentials_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "7")
    assert WebchatInput.from_credentials({}).rate_limiter.per_minute == 7  # type: ignore[union-attr]
    from_file = WebchatInput.from_credentials({"rate_limit_per_minute": 3})
    assert from_file.rate_limiter is not None and from_file.rate_limiter.per_minute == 3
    assert WebchatInput.from_credentials({"rate_limit_per_minute": 0}).rate_limiter is None


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (errors.TrackerStoreUnavailable(SECRET_TEXT), "tracker_store_unavailable"),
        (LockStoreUnavailable(SECRET_TEXT), "lock_store_unavailable"),
        (LockError(SECRET_TEXT), "lock_unavailable"),
        (errors.ActionServerUnavailable("action_plan"), "action_server_unavailable"),
    ],
)
async def test_backing_service_failure_tells_the_user_to_retry(
    failure: BaseException, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def on_new_message(message: UserMessage) -> None:
        raise failure

    harness = Harness(on_new_message, rate_limit_per_minute=0)
    with caplog.at_level(logging.INFO):
        reply = await harness.say(SECRET_TEXT)
    assert reply[0] == {"text": errors.RETRY_TEXT}
    assert customs(reply) == [{"type": "b12.unavailable", "error": code, "retry": True}]
    assert SENDER in caplog.text and code in caplog.text
    assert SECRET_TEXT not in caplog.text


async def test_a_turn_over_its_time_limit_is_cut_off() -> None:
    finished: list[bool] = []

    async def on_new_message(message: UserMessage) -> None:
        await asyncio.sleep(5)
        finished.append(True)

    harness = Harness(on_new_message, rate_limit_per_minute=0, turn_timeout=0.05)
    reply = await harness.say("slow")
    assert customs(reply) == [{"type": "b12.unavailable", "error": "turn_timeout", "retry": True}]
    assert finished == []


async def test_unexpected_error_gets_a_reply_and_a_log_without_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def on_new_message(message: UserMessage) -> None:
        raise RuntimeError(f"could not parse {message.text!r}")

    harness = Harness(on_new_message, rate_limit_per_minute=0)
    with caplog.at_level(logging.INFO):
        reply = await harness.say(SECRET_TEXT)
    assert reply == [{"text": "Sorry, something went wrong. Please try again."}]
    assert "RuntimeError" in caplog.text
    assert SECRET_TEXT not in caplog.text


async def test_too_long_messages_are_refused_before_the_rate_limit() -> None:
    calls: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text or "")

    harness = Harness(on_new_message, max_message_chars=10, rate_limit_per_minute=1)
    reply = await harness.say("x" * 11)
    assert reply == [{"text": "The message is too long (limit 10 characters)."}]
    assert await harness.say("short") == []
    assert calls == ["short"]
