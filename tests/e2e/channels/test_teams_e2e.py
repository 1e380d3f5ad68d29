"""Teams end to end: JWT-signed activities in, Adaptive Cards out at the Bot Connector stand-in."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from tests.e2e.channels.conftest import ChannelBot, card_of, card_text

# The plan card's title, worded by the engine's answer model (guideline_engine.render.answer).
PLAN_TITLE = "B12 plan:"
# A plan line with its citation marks, e.g. "Loading: 1 mg IM on alternate days ... [3]".
CITED = r"[^\n]*\[\d+\]"

# Spreading pins and needles: an urgent red flag (triage first) and neurological involvement.
VIGNETTE = (
    "<at>B12 bot</at> 62F pernicious anaemia, pins and needles spreading up both legs, "
    "platelets 120"
)


def _conversation() -> str:
    return f"a:{uuid.uuid4().hex}"


def _activities(bot: ChannelBot, conversation: str) -> list[dict[str, Any]]:
    return [
        a["body"] for a in bot.stand_ins.activities.snapshot() if a["conversation"] == conversation
    ]


def _wait_card(bot: ChannelBot, conversation: str, needle: str) -> list[dict[str, Any]]:
    def found(_: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        acts = _activities(bot, conversation)
        hit = any(needle in card_text(card_of(a) or {}) for a in acts)
        return acts if hit else None

    return list(bot.stand_ins.activities.wait_for(found))


def _card_with(activities: list[dict[str, Any]], needle: str) -> dict[str, Any]:
    cards = [card_of(a) for a in activities]
    return next(c for c in cards if c and needle in card_text(c))


def test_signed_activity_gets_adaptive_card_plan(channel_bot: ChannelBot) -> None:
    conversation = _conversation()
    status, _ = channel_bot.teams_activity(conversation, "29:user-1", VIGNETTE)
    assert status == 200
    activities = _wait_card(channel_bot, conversation, PLAN_TITLE)
    card = _card_with(activities, PLAN_TITLE)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    # The urgent specialist advice comes first, as a warning banner citing its source.
    banner = card["body"][0]
    assert banner["type"] == "Container" and banner["style"] == "warning"
    assert re.fullmatch(
        r"URGENT: seek specialist advice \(neurology and haematology\)\. (\[\d+\])+",
        card_text(banner),
    ), card_text(banner)
    assert card["fallbackText"].startswith("URGENT: seek specialist advice")
    title = "\nB12 plan: neurological involvement; cause: pernicious anaemia."
    assert title in card["fallbackText"]
    text = card_text(card)
    # Clinicians see doses and schedules, each line with its citation numbers.
    assert re.search(r"Loading: 1 mg IM on alternate days" + CITED, text), text
    assert re.search(r"Maintenance: 1 mg IM every 2 months" + CITED, text), text
    assert re.search(r"Duration: lifelong" + CITED, text), text
    assert "pending clinical review" in text and "Citations" in text
    assert "[1] " in text and "2025" in text
    warnings = [
        i for i in card["body"] if i.get("type") == "Container" and "Warnings:" in card_text(i)
    ]
    assert warnings and warnings[0]["style"] == "warning"
    # Replies go to the user, in reply to the activity, with the connector's token.
    plan_activity = next(a for a in activities if card_of(a) == card)
    assert plan_activity["recipient"]["id"] == "29:user-1"
    assert plan_activity["from"]["id"] == "28:bot"
    assert plan_activity["summary"]
    # Triage (urgent) is sent before the plan, as its own card.
    first = card_of(activities[0])
    assert first is not None and "URGENT" in card_text(first)
    tokens = channel_bot.stand_ins.token_requests.snapshot()
    assert tokens and tokens[0]["grant_type"] == "client_credentials"
    assert tokens[0]["scope"] == "https://api.botframework.com/.default"


def test_card_submit_comes_back_as_the_button_payload(channel_bot: ChannelBot) -> None:
    conversation = f"19:{uuid.uuid4().hex}@thread.tacv2"
    status, _ = channel_bot.teams_activity(
        conversation, "29:user-2", "58M pernicious anaemia, plt 250"
    )
    assert status == 200
    activities = _wait_card(channel_bot, conversation, "neurological involvement")
    card = _card_with(activities, "neurological involvement")
    submits = {a["title"]: a["data"] for a in card["actions"]}
    assert submits["No"]["b12_payload"] == '/inform{"neurological_involvement":"no"}'
    assert submits["No"]["msteams"]["type"] == "messageBack"

    # Teams sends a messageBack submit: text = the payload, value = messageBack.value.
    back = submits["No"]["msteams"]
    status, _ = channel_bot.teams_activity(
        conversation, "29:user-2", back["text"], value=back["value"]
    )
    assert status == 200
    plan = _card_with(_wait_card(channel_bot, conversation, PLAN_TITLE), PLAN_TITLE)
    assert "B12 plan: no neurological involvement" in card_text(plan)
    assert re.search(r"Loading: 1 mg IM three times a week for 2 weeks" + CITED, card_text(plan))

    # Another user in the same Teams conversation has a conversation of their own.
    other = "29:user-3"
    status, _ = channel_bot.teams_activity(conversation, other, "why?")
    assert status == 200

    def answered(_: Any) -> bool:
        return any(a["recipient"]["id"] == other for a in _activities(channel_bot, conversation))

    channel_bot.stand_ins.activities.wait_for(answered)
    time.sleep(1)
    replies = [a for a in _activities(channel_bot, conversation) if a["recipient"]["id"] == other]
    assert replies
    assert not any("Facts used" in card_text(card_of(a) or {}) for a in replies)
    assert not any("Facts used" in str(a.get("text")) for a in replies)


BAD_TOKENS = {
    "wrong-issuer": lambda b: b.teams_token(claims={"iss": "https://evil.example.com"}),
    "wrong-audience": lambda b: b.teams_token(claims={"aud": "some-other-app"}),
    "expired": lambda b: b.teams_token(claims={"exp": int(time.time()) - 3600}),
    "no-exp": lambda b: b.teams_token(drop=("exp",)),
    "not-yet-valid": lambda b: b.teams_token(claims={"nbf": int(time.time()) + 3600}),
    "unknown-kid": lambda b: b.teams_token(headers={"kid": "some-other-key"}),
    "hs256": lambda b: b.teams_token(
        key="a-shared-secret-that-is-long-enough-for-hs256", algorithm="HS256"
    ),
    "alg-none": lambda b: b.teams_token(key=None, algorithm="none"),
    "serviceurl-mismatch": lambda b: b.teams_token(claims={"serviceurl": "https://other/"}),
    "garbage": lambda b: "not.a.jwt",
}


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_bad_tokens_are_refused(channel_bot: ChannelBot, name: str) -> None:
    token = BAD_TOKENS[name](channel_bot)
    conversation = _conversation()
    status, _ = channel_bot.teams_activity(conversation, "29:attacker", "hello", token=token)
    assert status == 401
    time.sleep(0.5)
    assert _activities(channel_bot, conversation) == []


def test_missing_authorization_and_disallowed_service_url(channel_bot: ChannelBot) -> None:
    conversation = _conversation()
    assert channel_bot.teams_activity(conversation, "29:u", "hello", token="")[0] == 401
    token = channel_bot.teams_token(claims={"serviceurl": "https://evil.example.com/"})
    status, _ = channel_bot.teams_activity(
        conversation, "29:u", "hello", token=token, service_url="https://evil.example.com/"
    )
    assert status == 403
