"""One turn policy, the same tests for every channel: REST, web chat, Slack and Teams.

Each harness drives its channel the way users reach it and records what a user would see:
REST through HTTP, the web chat through its socket.io message handler, Slack and Teams through
their turn handlers, with replies posted to a local stand-in of the Slack Web API and of the
Bot Connector (so Block Kit and activities are what is checked, not Python calls).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError
from sanic import Sanic

from channels.rest_channel import StrictRestInput
from channels.slack_channel import B12SlackBot, B12SlackInput, Incoming, SlackConfig
from channels.teams_channel import TeamsBot, TeamsConfig, TeamsInput
from channels.turn_policy import FAILED_TEXT, RETRY_TEXT, RateLimiter, TurnPolicy
from channels.webchat import WebchatInput
from stores import errors
from stores.lock_store import LockStoreUnavailable
from tests.security.conftest import free_port, serving

SECRET_TEXT = "my B12 is 95 and I have tingling"  # must never reach a log
OnMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class Seen:
    """What the user saw for one message: texts in order, and payloads if the channel has them."""

    texts: list[str] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)


class Harness(Protocol):
    name: str
    sender: str
    carries_payloads: bool

    async def say(self, text: str) -> Seen: ...


def policy_for(channel: str, **options: Any) -> TurnPolicy:
    options.setdefault("rate_limit_per_minute", 0)
    return TurnPolicy.from_settings(channel, **options)


# --- Stand-ins for Slack's Web API and the Bot Connector ------------------------------------


class StandIn:
    """A local aiohttp server playing Slack's Web API, Microsoft's token endpoint and Teams."""

    def __init__(self) -> None:
        self.slack_posts: list[dict[str, Any]] = []
        self.slack_updates: list[dict[str, Any]] = []
        self.activities: list[dict[str, Any]] = []
        self.url = ""

    def app(self) -> web.Application:
        async def post_message(request: web.Request) -> web.Response:
            self.slack_posts.append(await request.json())
            return web.json_response({"ok": True, "ts": f"{len(self.slack_posts)}.0"})

        async def update(request: web.Request) -> web.Response:
            self.slack_updates.append(await request.json())
            return web.json_response({"ok": True})

        async def token(_: web.Request) -> web.Response:
            return web.json_response({"access_token": "t", "expires_in": 3600})

        async def activity(request: web.Request) -> web.Response:
            self.activities.append(await request.json())
            return web.json_response({"id": "a1"})

        app = web.Application()
        app.router.add_post("/api/chat.postMessage", post_message)
        app.router.add_post("/api/chat.update", update)
        app.router.add_post("/token", token)
        app.router.add_post("/v3/conversations/{conversation}/activities", activity)
        return app


@asynccontextmanager
async def stand_in() -> AsyncIterator[StandIn]:
    fake = StandIn()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.url = f"http://127.0.0.1:{port}/"
    try:
        yield fake
    finally:
        await runner.cleanup()


# --- One harness per channel ----------------------------------------------------------------


class RestHarness:
    name, sender, carries_payloads = "rest", "rest-user-1", True

    def __init__(self, on_new_message: OnMessage, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url

    async def say(self, text: str) -> Seen:
        body = {"sender": self.sender, "message": text}
        async with self.http.post(f"{self.url}/webhooks/rest/webhook", json=body) as reply:
            data = await reply.json()
            if reply.status == 429:  # the REST form of b12.rate_limited: a header
                retry = int(reply.headers["Retry-After"])
                return Seen([data["error"]], [{"type": "b12.rate_limited", "retry_after": retry}])
            if isinstance(data, dict):
                return Seen([data["error"]])
            return Seen(
                [m["text"] for m in data if "text" in m],
                [m["custom"] for m in data if "custom" in m],
            )


class WebchatHarness:
    name, sender, carries_payloads = "webchat", "web-hmac-of-the-client-id", True

    def __init__(self, on_new_message: OnMessage, policy: TurnPolicy) -> None:
        channel = WebchatInput(secret=b"k" * 32)
        channel.policy = policy
        channel.blueprint(on_new_message)
        sio = channel.sio
        assert sio is not None
        self.emitted: list[dict[str, Any]] = []

        async def get_session(sid: str, namespace: str | None = None) -> dict[str, Any]:
            return {"sender_id": self.sender}

        async def emit(event: str, data: Any = None, **kwargs: Any) -> None:
            assert (event, kwargs.get("room")) == ("bot_uttered", self.sender)
            self.emitted.append(data)

        sio.get_session = get_session  # type: ignore[method-assign]
        sio.emit = emit  # type: ignore[method-assign]
        self.handler = sio.handlers["/"]["user_uttered"]

    async def say(self, text: str) -> Seen:
        self.emitted.clear()
        await self.handler("sid-1", {"message": text})
        return Seen(
            [m["text"] for m in self.emitted if "text" in m],
            [m["custom"] for m in self.emitted if "custom" in m],
        )


class SlackHarness:
    name, sender, carries_payloads = "slack", "slack:T1:C1:U1", False

    def __init__(self, on_new_message: OnMessage, policy: TurnPolicy, fake: StandIn) -> None:
        config = SlackConfig("xoxb-1", "secret", api_url=f"{fake.url}api/")
        self.channel = B12SlackInput(config)
        self.channel.policy = policy
        self.on_new_message, self.fake = on_new_message, fake

    async def say(self, text: str) -> Seen:
        before = len(self.fake.slack_posts)
        await self.channel._handle(self.on_new_message, Incoming(text, self.sender, "C1", None))
        return Seen([p["text"] for p in self.fake.slack_posts[before:]])


class TeamsHarness:
    name, sender, carries_payloads = "teams", "teams:conv-1:U1", False

    def __init__(self, on_new_message: OnMessage, policy: TurnPolicy, fake: StandIn) -> None:
        config = TeamsConfig("app-1", "pw", token_url=f"{fake.url}token")
        self.channel = TeamsInput(config)
        self.channel.policy = policy
        self.on_new_message, self.fake = on_new_message, fake

    async def say(self, text: str) -> Seen:
        before = len(self.fake.activities)
        assert self.channel.tokens is not None
        output = TeamsBot(
            {"id": "conv-1"}, {"id": "bot"}, {"id": "U1"}, self.fake.url, self.channel.tokens
        )
        await self.channel._handle(self.on_new_message, text, self.sender, output)
        return Seen(
            [str(a.get("text") or a.get("summary") or "") for a in self.fake.activities[before:]]
        )


CHANNELS = ["rest", "webchat", "slack", "teams"]


@asynccontextmanager
async def harness(name: str, on_new_message: OnMessage, **options: Any) -> AsyncIterator[Harness]:
    """The channel ``name`` with a policy built from ``options``, ready for ``say``."""
    policy = policy_for(name, **options)
    if name == "rest":
        channel = StrictRestInput()
        channel.policy = policy
        app = Sanic(f"turn_policy_rest_{free_port()}")
        app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
        async with serving(app) as url, aiohttp.ClientSession() as http:
            yield RestHarness(on_new_message, http, url)
    elif name == "webchat":
        yield WebchatHarness(on_new_message, policy)
    else:
        async with stand_in() as fake:
            if name == "slack":
                yield SlackHarness(on_new_message, policy, fake)
            else:
                yield TeamsHarness(on_new_message, policy, fake)


def answers(text: str) -> OnMessage:
    async def on_new_message(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, text)

    return on_new_message


def raises(error: BaseException) -> OnMessage:
    async def on_new_message(message: UserMessage) -> None:
        raise error

    return on_new_message


# --- The tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHANNELS)
async def test_a_normal_turn_runs_inside_a_failure_reporting_turn(name: str) -> None:
    inside: list[bool] = []

    async def on_new_message(message: UserMessage) -> None:
        inside.append(errors.in_channel_turn())
        await message.output_channel.send_text_message(message.sender_id, "the answer")

    async with harness(name, on_new_message) as channel:
        seen = await channel.say("hello")
    assert seen.texts == ["the answer"]
    assert inside == [True]
    assert not errors.in_channel_turn()


@pytest.mark.parametrize("name", CHANNELS)
@pytest.mark.parametrize(
    ("failure", "code"),
    [
        pytest.param(
            errors.TrackerStoreUnavailable(SECRET_TEXT), "tracker_store_unavailable", id="tracker"
        ),
        pytest.param(LockStoreUnavailable(SECRET_TEXT), "lock_store_unavailable", id="redis"),
        pytest.param(LockError(SECRET_TEXT), "lock_unavailable", id="lock"),
        pytest.param(
            errors.ActionServerUnavailable("action_plan"), "action_server_unavailable", id="action"
        ),
    ],
)
async def test_backing_service_failure_is_answered_please_try_again(
    name: str, failure: BaseException, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with harness(name, raises(failure)) as channel:
        with caplog.at_level(logging.INFO):
            seen = await channel.say(SECRET_TEXT)
    assert seen.texts == [RETRY_TEXT]  # never silence
    if channel.carries_payloads:
        assert seen.payloads == [{"type": "b12.unavailable", "error": code, "retry": True}]
    assert channel.sender in caplog.text and code in caplog.text
    assert SECRET_TEXT not in caplog.text


@pytest.mark.parametrize("name", CHANNELS)
async def test_a_turn_over_its_time_limit_is_cut_off_and_answered(name: str) -> None:
    finished: list[bool] = []

    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(5)
        finished.append(True)

    async with harness(name, slow, turn_timeout=0.1) as channel:
        seen = await channel.say("slow")
    assert seen.texts == [RETRY_TEXT]
    if channel.carries_payloads:
        assert seen.payloads == [
            {"type": "b12.unavailable", "error": "turn_timeout", "retry": True}
        ]
    assert finished == []


@pytest.mark.parametrize("name", CHANNELS)
async def test_rate_limit_per_conversation_with_a_clear_reply(name: str) -> None:
    calls: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text or "")
        await message.output_channel.send_text_message(message.sender_id, "ok")

    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    async with harness(name, on_new_message, rate_limiter=limiter) as channel:
        assert (await channel.say("one")).texts == ["ok"]
        assert (await channel.say("two")).texts == ["ok"]
        third = await channel.say("three")
        assert calls == ["one", "two"]
        assert "Too many messages: the limit is 2 per minute" in third.all_text
        assert "wait 30 seconds" in third.all_text
        if channel.carries_payloads:
            assert third.payloads == [{"type": "b12.rate_limited", "retry_after": 30}]
        now[0] += 30.0  # one token back
        assert (await channel.say("four")).texts == ["ok"]
    assert calls == ["one", "two", "four"]


@pytest.mark.parametrize("name", CHANNELS)
async def test_too_long_messages_are_refused_before_the_rate_limit(name: str) -> None:
    calls: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text or "")

    async with harness(name, on_new_message, max_message_chars=10, rate_limit_per_minute=1) as ch:
        seen = await ch.say("x" * 11)
        assert seen.texts == ["The message is too long (limit 10 characters)."]
        await ch.say("short")
    assert calls == ["short"]


@pytest.mark.parametrize("name", CHANNELS)
async def test_unexpected_error_gets_a_reply_and_a_log_without_the_text(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with harness(name, raises(RuntimeError(f"could not parse {SECRET_TEXT!r}"))) as channel:
        with caplog.at_level(logging.INFO):
            seen = await channel.say(SECRET_TEXT)
    assert seen.texts == [FAILED_TEXT]
    assert "RuntimeError" in caplog.text
    assert SECRET_TEXT not in caplog.text


@pytest.mark.parametrize("name", CHANNELS)
async def test_the_channel_refuses_to_start_without_the_rasa_patches(name: str) -> None:
    import rasa_patches

    rasa_patches.uninstall()
    try:
        with pytest.raises(RuntimeError, match="rasa_patches"):
            if name == "rest":
                StrictRestInput().blueprint(answers("x"))
            elif name == "webchat":
                WebchatInput(secret=b"k" * 32).blueprint(answers("x"))
            elif name == "slack":
                B12SlackInput(SlackConfig("x", "s")).blueprint(answers("x"))
            else:
                TeamsInput(TeamsConfig("a", "p")).blueprint(answers("x"))
    finally:
        rasa_patches.install()


async def test_slack_unreachable_is_logged_without_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """If Slack itself cannot be reached the failure is logged (types only), not raised."""
    config = SlackConfig("xoxb-1", "secret", api_url=f"http://127.0.0.1:{free_port()}/api/")
    channel = B12SlackInput(config)
    channel.policy = policy_for("slack")
    with caplog.at_level(logging.INFO):
        await channel._handle(answers(SECRET_TEXT), Incoming("hi", "slack:T1:C1:U1", "C1", None))
    assert "slack: sending replies failed (sender slack:T1:C1:U1)" in caplog.text
    assert SECRET_TEXT not in caplog.text
    assert isinstance(channel.get_output_channel("C1"), B12SlackBot)
