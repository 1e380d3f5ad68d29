"""Per-sender token bucket of the REST channel, with an injected clock."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from channels.rest_channel import RateLimiter, StrictRestInput
from tests.security.conftest import client, serving


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_burst_then_refused_with_time_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)  # 30 a minute = one every 2 s, burst 30
    assert all(limiter.acquire("a") == 0.0 for _ in range(30))
    wait = limiter.acquire("a")
    assert wait == pytest.approx(2.0)
    clock.advance(1.0)
    assert limiter.acquire("a") == pytest.approx(1.0)
    clock.advance(1.0)
    assert limiter.acquire("a") == 0.0  # one token refilled
    assert limiter.acquire("a") > 0


def test_refused_requests_do_not_consume() -> None:
    clock = Clock()
    limiter = RateLimiter(60, burst=1, clock=clock)
    assert limiter.acquire("a") == 0.0
    for _ in range(100):
        assert limiter.acquire("a") > 0
    clock.advance(1.0)
    assert limiter.acquire("a") == 0.0


def test_senders_are_independent() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.acquire("a") == 0.0 and limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_refill_is_capped_at_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(6, burst=3, clock=clock)
    limiter.acquire("a")
    clock.advance(3600)
    assert [limiter.acquire("a") == 0.0 for _ in range(4)] == [True, True, True, False]


def test_idle_senders_are_evicted() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock=clock)  # full again after 60 s
    for sender in ("a", "b", "c"):
        limiter.acquire(sender)
    clock.advance(30)
    limiter.acquire("c")
    assert len(limiter) == 3
    clock.advance(31)  # a and b idle for 61 s: their buckets would be full, so they go
    limiter.acquire("d")
    assert len(limiter) == 2


def test_table_size_is_capped() -> None:
    clock = Clock()
    limiter = RateLimiter(1, max_keys=100, clock=clock)
    for index in range(1000):
        limiter.acquire(f"s{index}")
        assert len(limiter) <= 100
    assert len(limiter) == 100
    # The most recent senders are still tracked (and still limited).
    assert limiter.acquire("s999") > 0


def test_invalid_limit() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_env_configures_or_disables_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RATE_LIMIT_PER_MINUTE", raising=False)
    channel = StrictRestInput()
    assert channel.rate_limiter is not None and channel.rate_limiter.per_minute == 30
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "120")
    limiter = StrictRestInput().rate_limiter
    assert limiter is not None and limiter.per_minute == 120 and limiter.capacity == 120
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "0")
    assert StrictRestInput().rate_limiter is None
    limiter = StrictRestInput.from_credentials({"rate_limit_per_minute": 5}).rate_limiter
    assert limiter is not None and limiter.per_minute == 5


def _app(channel: StrictRestInput, seen: list[UserMessage], fail: bool = False) -> Sanic:
    async def on_new_message(message: UserMessage) -> None:
        seen.append(message)
        if fail:
            raise ValueError(f"could not handle {message.text}")
        await message.output_channel.send_text_message(message.sender_id, "ok")

    app = Sanic(f"rest_test_{id(channel)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
    return app


async def test_channel_answers_429_with_retry_after_per_sender() -> None:
    clock = Clock()
    channel = StrictRestInput(rate_limiter=RateLimiter(2, clock=clock))  # one every 30 s
    seen: list[UserMessage] = []
    async with serving(_app(channel, seen)) as url, client() as http:
        hook = f"{url}/webhooks/rest/webhook"

        async def post(sender: str) -> tuple[int, Any, str | None]:
            async with http.post(hook, json={"sender": sender, "message": "hi"}) as reply:
                return reply.status, await reply.json(), reply.headers.get("Retry-After")

        first, second = await post("p1"), await post("p1")
        assert first == (200, [{"recipient_id": "p1", "text": "ok"}], None)
        assert second[0] == 200
        status, body, retry_after = await post("p1")
        assert status == 429
        assert set(body) == {"error"} and "Too many messages" in body["error"]
        assert "2 per minute" in body["error"]
        assert retry_after == "30"
        assert len(seen) == 2  # the refused message never reached Rasa
        assert (await post("p2"))[0] == 200  # another sender is not affected
        clock.advance(15)
        assert (await post("p1"))[2] == "15"
        clock.advance(15)
        assert (await post("p1"))[0] == 200


async def test_validation_still_comes_first() -> None:
    channel = StrictRestInput(max_message_chars=10, rate_limiter=RateLimiter(1, clock=Clock()))
    async with serving(_app(channel, [])) as url, client() as http:
        hook = f"{url}/webhooks/rest/webhook"
        async with http.post(hook, json={"message": "hi"}) as reply:
            assert reply.status == 400
        async with http.post(hook, json={"sender": "p1", "message": "x" * 11}) as reply:
            assert reply.status == 413
        async with http.post(hook, json={"sender": "p1", "message": "hi"}) as reply:
            assert reply.status == 200  # invalid requests did not use up the bucket
        async with http.get(f"{url}/webhooks/rest/") as reply:
            assert reply.status == 200


async def test_failures_never_log_the_message_text(caplog: pytest.LogCaptureFixture) -> None:
    channel = StrictRestInput(rate_limiter=RateLimiter(60, clock=Clock()))
    caplog.set_level(logging.DEBUG)
    secret = "SECRET-PATIENT-TEXT platelets 35"
    async with serving(_app(channel, [], fail=True)) as url, client() as http:
        hook = f"{url}/webhooks/rest/webhook"
        async with http.post(hook, json={"sender": "p1", "message": secret}) as reply:
            assert reply.status == 500
            assert secret not in await reply.text()
    assert "ValueError" in caplog.text
    assert "p1" in caplog.text
    assert "SECRET-PATIENT-TEXT" not in caplog.text
