"""action_handoff against a real local HTTP server standing in for the operator webhook."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from rasa_sdk.events import ConversationPaused

from actions.handoff import ActionHandoff, latest_triage
from guideline_engine.render.answer import Answer
from tests.actions.conftest import custom_payloads, texts

TRIAGE_EVENT = {
    "event": "bot",
    "text": "EMERGENCY: call your local emergency number now.",
    "data": {
        "custom": {
            "type": "b12.triage",
            "urgency": "emergency",
            "red_flags": ["chest_pain"],
            "advice": "Call your local emergency number now.",
        }
    },
}
FACTS = {"neurological_involvement": "yes", "causes": ["pernicious_anaemia"], "age": 62}


@dataclass
class Hook:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    delay_s: float = 0.0
    redirect_to: str | None = None


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    state = Hook(url="")

    async def receive(request: web.Request) -> web.StreamResponse:
        state.received.append(
            {"headers": dict(request.headers), "body": json.loads(await request.read())}
        )
        if state.delay_s:
            await asyncio.sleep(state.delay_s)
        if state.redirect_to:
            raise web.HTTPFound(state.redirect_to)
        return web.Response(status=state.status, text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    app.router.add_post("/elsewhere", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
def webhook_env(monkeypatch: pytest.MonkeyPatch, hook: Hook) -> Hook:
    monkeypatch.setenv("HANDOFF_WEBHOOK_URL", hook.url)
    monkeypatch.setenv("HANDOFF_WEBHOOK_TOKEN", "hook-secret")
    monkeypatch.setenv("HANDOFF_WEBHOOK_TIMEOUT_S", "1")
    return hook


def _status(dispatcher: Any) -> str:
    """The handoff payload's status; its answer is the notice the text says (every channel)."""
    (payload,) = [p for p in custom_payloads(dispatcher) if p["type"] == "b12.handoff"]
    answer = Answer.from_dict(payload["answer"])
    assert answer.kind == "notice" and answer.to_text() in texts(dispatcher)
    assert set(payload) == {"type", "status", "answer", "contract_version"}
    return str(payload["status"])


async def test_without_webhook_says_unavailable_and_does_not_pause(
    dispatcher, make_tracker, domain, monkeypatch
):
    monkeypatch.delenv("HANDOFF_WEBHOOK_URL", raising=False)
    events = await ActionHandoff().answer(dispatcher, make_tracker(intent="request_human"), domain)
    assert events == []
    assert _status(dispatcher) == "unavailable"
    assert "not available" in texts(dispatcher)[0]


async def test_handoff_posts_the_summary_and_pauses(dispatcher, make_tracker, domain, webhook_env):
    tracker = make_tracker(
        text="/request_human",
        intent="request_human",
        slots={**FACTS, "audience": "patient"},
        events=[
            {"event": "user", "text": "my name is Jane Doe and I have crushing chest pain"},
            TRIAGE_EVENT,
        ],
    )
    events = await ActionHandoff().answer(dispatcher, tracker, domain)

    assert events == [ConversationPaused()]
    assert _status(dispatcher) == "requested"
    assert "emergency number" in texts(dispatcher)[0]
    (request,) = webhook_env.received
    assert request["headers"]["Authorization"] == "Bearer hook-secret"
    body = request["body"]
    assert body["type"] == "b12.handoff_request"
    assert body["conversation_id"] == "test-conversation"
    assert body["audience"] == "patient"
    assert body["triage"]["urgency"] == "emergency"
    assert body["triage"]["red_flags"] == ["chest_pain"]
    assert body["facts"] == {
        "neurological_involvement": "yes",
        "causes": ["pernicious_anaemia"],
        "age": 62,
    }
    assert "Jane" not in json.dumps(body), "what the user typed is never forwarded"


async def test_no_token_no_authorization_header(
    dispatcher, make_tracker, domain, webhook_env, monkeypatch
):
    monkeypatch.delenv("HANDOFF_WEBHOOK_TOKEN")
    await ActionHandoff().answer(dispatcher, make_tracker(intent="request_human"), domain)
    (request,) = webhook_env.received
    assert "Authorization" not in request["headers"]
    assert request["body"]["triage"] is None


@pytest.mark.parametrize("status", [400, 404, 500, 503])
async def test_webhook_error_means_failed_and_no_pause(
    dispatcher, make_tracker, domain, webhook_env, status
):
    webhook_env.status = status
    events = await ActionHandoff().answer(dispatcher, make_tracker(intent="request_human"), domain)
    assert events == []
    assert _status(dispatcher) == "failed"
    assert "could not reach a person" in texts(dispatcher)[0]


async def test_slow_webhook_times_out_as_failed(
    dispatcher, make_tracker, domain, webhook_env, monkeypatch
):
    monkeypatch.setenv("HANDOFF_WEBHOOK_TIMEOUT_S", "0.2")
    webhook_env.delay_s = 2.0
    events = await ActionHandoff().answer(dispatcher, make_tracker(intent="request_human"), domain)
    assert events == []
    assert _status(dispatcher) == "failed"


async def test_redirect_is_not_followed(dispatcher, make_tracker, domain, webhook_env):
    webhook_env.redirect_to = webhook_env.url.replace("/hook", "/elsewhere")
    events = await ActionHandoff().answer(dispatcher, make_tracker(intent="request_human"), domain)
    assert events == []
    assert _status(dispatcher) == "failed"
    assert len(webhook_env.received) == 1  # the token did not travel on


async def test_unreachable_webhook_means_failed(dispatcher, make_tracker, domain, monkeypatch):
    monkeypatch.setenv("HANDOFF_WEBHOOK_URL", "http://127.0.0.1:9/nothing-listens-here")
    events = await ActionHandoff().answer(dispatcher, make_tracker(intent="request_human"), domain)
    assert events == []
    assert _status(dispatcher) == "failed"


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/hook"])
async def test_malformed_webhook_url_means_failed(
    dispatcher, make_tracker, domain, monkeypatch, url
):
    monkeypatch.setenv("HANDOFF_WEBHOOK_URL", url)
    events = await ActionHandoff().answer(dispatcher, make_tracker(intent="request_human"), domain)
    assert events == []
    assert _status(dispatcher) == "failed"


def test_latest_triage_is_from_the_current_session_only(make_tracker):
    old = make_tracker(events=[TRIAGE_EVENT, {"event": "session_started"}])
    assert latest_triage(old) is None
    current = make_tracker(events=[{"event": "session_started"}, TRIAGE_EVENT])
    assert latest_triage(current) == TRIAGE_EVENT["data"]["custom"]
