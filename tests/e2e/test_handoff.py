"""Handoff to a person over the real servers: offer, operator webhook, silence, release.

The operator webhook is the stand-in from conftest.py (``handoff_webhook``); the servers get
HANDOFF_WEBHOOK_URL, HANDOFF_WEBHOOK_TOKEN and HANDOFF_OPERATOR_TOKEN pointing at it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.e2e.conftest import Bot, HandoffWebhook, Reply

HANDOFF_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}


def release(bot: Bot, body: Any, token: str | None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{bot.rasa_url}/webhooks/handoff/release",
        data=json.dumps(body).encode("utf-8"),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return int(reply.status), json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def buttons(reply: Reply) -> list[dict[str, Any]]:
    return [b for m in reply.messages for b in m.get("buttons") or []]


def hand_over(bot: Bot, conversation: str) -> Reply:
    """Facts, then a red flag (triage with the button), then the button's payload."""
    facts = bot.say(conversation, "I'm 62 and I have pernicious anaemia", "patient")
    assert facts.status == 200
    triage = bot.say(conversation, "I have crushing chest pain")
    assert triage.payload("b12.triage")["urgency"] == "emergency"
    assert triage.messages[0]["text"].startswith("EMERGENCY")
    assert HANDOFF_BUTTON in (triage.messages[0].get("buttons") or [])
    return bot.say(conversation, HANDOFF_BUTTON["payload"])


def _own_keys(payload: dict[str, Any]) -> dict[str, Any]:
    """The handoff payload's keys; it also carries the notice every channel lays out."""
    assert payload["contract_version"] == "2.0"
    assert payload["answer"]["kind"] == "notice" and payload["answer"]["sections"]
    return {k: v for k, v in payload.items() if k not in {"answer", "contract_version"}}


def test_red_flag_handoff_pauses_until_the_operator_releases(
    bot: Bot, handoff_webhook: HandoffWebhook, sender
) -> None:
    conversation = sender()
    handed = hand_over(bot, conversation)
    assert handed.status == 200
    assert _own_keys(handed.payload("b12.handoff")) == {
        "type": "b12.handoff",
        "status": "requested",
    }
    assert any("will reply here" in t for t in handed.texts())

    (summary,) = handoff_webhook.bodies_for(conversation)
    assert summary["type"] == "b12.handoff_request"
    assert summary["audience"] == "patient"
    assert summary["triage"]["urgency"] == "emergency"
    assert "chest_pain" in summary["triage"]["red_flags"]
    assert summary["facts"]["age"] == 62
    assert "pernicious_anaemia" in summary["facts"]["causes"]
    assert "crushing" not in json.dumps(summary), "no user text is forwarded"
    (request,) = [
        r for r in handoff_webhook.received if r["body"].get("conversation_id") == conversation
    ]
    assert request["headers"]["Authorization"] == f"Bearer {handoff_webhook.webhook_token}"

    # Paused: the message is logged, but the bot says nothing.
    silent = bot.say(conversation, "hello? is anyone there?")
    assert (silent.status, silent.body) == (200, [])
    again = bot.say(conversation, "what is the treatment for b12 deficiency?")
    assert (again.status, again.body) == (200, [])

    # Only the operator token releases it.
    assert release(bot, {"sender": conversation}, None)[0] == 401
    assert release(bot, {"sender": conversation}, "wrong-token")[0] == 401
    assert release(bot, {"sender": conversation}, handoff_webhook.operator_token[:-1])[0] == 401
    still = bot.say(conversation, "hello?")
    assert (still.status, still.body) == (200, [])

    status, body = release(bot, {"sender": conversation}, handoff_webhook.operator_token)
    assert (status, body) == (200, {"sender": conversation, "status": "resumed"})

    answered = bot.say(conversation, "thank you")
    assert answered.status == 200
    assert answered.texts(), "the bot answers again after the release"
    plan = bot.say(conversation, "what is the treatment? she has no neuro symptoms")
    assert plan.payloads(), "and keeps answering"

    # Releasing again changes nothing.
    status, body = release(bot, {"sender": conversation}, handoff_webhook.operator_token)
    assert (status, body["status"]) == (200, "not_paused")


def test_paused_conversation_is_silent_except_for_an_emergency(
    bot: Bot, handoff_webhook: HandoffWebhook, sender
) -> None:
    conversation = sender()
    assert hand_over(bot, conversation).payload("b12.handoff")["status"] == "requested"
    try:
        routine = bot.say(conversation, "I feel tired all the time and my tongue is sore")
        assert (routine.status, routine.body) == (200, [])
        emergency = bot.say(conversation, "I have crushing chest pain")
        assert emergency.status == 200
        assert [p["type"] for p in emergency.payloads()] == ["b12.triage"]
        assert emergency.payload("b12.triage")["urgency"] == "emergency"
        assert not any(m.get("buttons") for m in emergency.messages), "already handed over"
    finally:
        release(bot, {"sender": conversation}, handoff_webhook.operator_token)


def test_failed_webhook_does_not_pause(bot: Bot, handoff_webhook: HandoffWebhook, sender) -> None:
    conversation = sender()
    handoff_webhook.status = 503
    try:
        handed = hand_over(bot, conversation)
    finally:
        handoff_webhook.status = 200
    assert _own_keys(handed.payload("b12.handoff")) == {"type": "b12.handoff", "status": "failed"}
    assert any("could not reach a person" in t for t in handed.texts())
    answered = bot.say(conversation, "thank you")
    assert answered.texts(), "not paused: the bot still answers"


def test_asking_in_words_hands_over_too(bot: Bot, handoff_webhook: HandoffWebhook, sender) -> None:
    conversation = sender()
    handed = bot.say(conversation, "can I talk to a real person", "clinician")
    assert handed.payload("b12.handoff")["status"] == "requested"
    (summary,) = handoff_webhook.bodies_for(conversation)
    assert summary["audience"] == "clinician"
    assert summary["triage"] is None
    assert release(bot, {"sender": conversation}, handoff_webhook.operator_token)[0] == 200


def test_release_rejects_bad_requests(bot: Bot, handoff_webhook: HandoffWebhook, sender) -> None:
    token = handoff_webhook.operator_token
    assert release(bot, {"sender": sender()}, token)[0] == 404  # no such conversation
    assert release(bot, {"sender": ""}, token)[0] == 400
    assert release(bot, ["not", "an", "object"], token)[0] == 400
    assert release(bot, {"nope": 1}, None)[0] == 401  # the token is checked first
