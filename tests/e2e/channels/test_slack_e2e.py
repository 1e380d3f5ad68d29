"""Slack end to end: signed events in, Block Kit out at the local Slack stand-in."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from tests.e2e.channels.conftest import ChannelBot, block_text

# The plan's header, worded by the engine's answer model (guideline_engine.render.answer).
PLAN_TITLE = "B12 plan:"
# A plan line with its citation marks in bold, e.g. "Loading: 1 mg IM on alternate days ... *[3]*".
CITED = r"[^\n]*\*(\[\d+\])+\*"

# Spreading pins and needles: an urgent red flag (triage first) and neurological involvement.
VIGNETTE = "<@UBOT> 62F pernicious anaemia, pins and needles spreading up both legs, platelets 120"


def _ts() -> str:
    return f"{time.time():.6f}{uuid.uuid4().int % 1000:03d}"


def _channel() -> str:
    return "C" + uuid.uuid4().hex[:10].upper()


def _mention(channel: str, user: str, text: str, ts: str) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": "T1",
    }


def _posts_in(bot: ChannelBot, channel: str, thread: str | None) -> list[dict[str, Any]]:
    return [
        p["body"]
        for p in bot.stand_ins.slack_posts.snapshot()
        if p["body"].get("channel") == channel and p["body"].get("thread_ts") == thread
    ]


def _wait_post(bot: ChannelBot, channel: str, thread: str | None, needle: str) -> list[Any]:
    """Wait until a post in the thread has ``needle`` in its blocks; return all its posts."""

    def found(_: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        posts = _posts_in(bot, channel, thread)
        return posts if any(needle in block_text(p.get("blocks", [])) for p in posts) else None

    return list(bot.stand_ins.slack_posts.wait_for(found))


def _post_with(posts: list[dict[str, Any]], needle: str) -> dict[str, Any]:
    return next(p for p in posts if needle in block_text(p.get("blocks", [])))


def test_signed_vignette_gets_block_kit_plan_with_citations(channel_bot: ChannelBot) -> None:
    channel, ts = _channel(), _ts()
    status, _ = channel_bot.slack_event(_mention(channel, "U1", VIGNETTE, ts))
    assert status == 200
    posts = _wait_post(channel_bot, channel, ts, PLAN_TITLE)
    # Every post carries a text fallback and the bot token.
    assert all(p.get("text", "").strip() for p in posts)
    auths = {p["auth"] for p in channel_bot.stand_ins.slack_posts.snapshot()}
    assert auths == {"Bearer xoxb-test-token"}

    plan = _post_with(posts, PLAN_TITLE)
    blocks = plan["blocks"]
    # The urgent specialist advice first, citing its source; then the header.
    assert blocks[0]["type"] == "section"
    assert re.fullmatch(
        r":warning: \*URGENT: seek specialist advice \(neurology and haematology\)\.\*"
        r" \*(\[\d+\])+\*",
        blocks[0]["text"]["text"],
    ), blocks[0]
    assert blocks[1]["type"] == "header"
    header = blocks[1]["text"]["text"]
    assert header.startswith("B12 plan: neurological involvement; cause: pernicious anaemia.")
    assert "pending clinical review" in header
    text = block_text(blocks)
    # Clinicians see doses and schedules, each line with its citation numbers.
    assert re.search(r"Loading: 1 mg IM on alternate days" + CITED, text), text
    assert re.search(r"Maintenance: 1 mg IM every 2 months" + CITED, text), text
    assert re.search(r"Duration: lifelong" + CITED, text), text
    assert ":warning: *Warnings:*" in text
    # Numbered citations as context blocks with source, year and the review label.
    contexts = [block_text([b]) for b in blocks if b["type"] == "context"]
    assert any(
        c.startswith("*[1]*") and "2025" in c and "pending clinical review" in c for c in contexts
    )
    assert "Dr.Oracle" in "\n".join(contexts)
    # The fallback text is the answer's own text: banner first, then the plan.
    assert plan["text"].startswith("URGENT: seek specialist advice")
    assert "\nB12 plan: neurological involvement; cause: pernicious anaemia." in plan["text"]
    # Triage (spreading tingling is an urgent red flag) comes before the plan.
    triage_index = next(
        i for i, p in enumerate(posts) if "URGENT: contact a clinician" in block_text(p["blocks"])
    )
    assert triage_index < posts.index(plan)


def test_two_users_in_one_channel_keep_separate_facts_and_buttons_work(
    channel_bot: ChannelBot,
) -> None:
    channel = _channel()
    ts1, ts2 = _ts(), _ts()
    assert channel_bot.slack_event(_mention(channel, "U1", VIGNETTE, ts1))[0] == 200
    _wait_post(channel_bot, channel, ts1, PLAN_TITLE)

    # The second person has not said anything about nerves: asked, not given U1's plan.
    second = "<@UBOT> 58M pernicious anaemia, plt 250"
    assert channel_bot.slack_event(_mention(channel, "U2", second, ts2))[0] == 200
    posts = _wait_post(channel_bot, channel, ts2, "neurological involvement")
    assert not any(PLAN_TITLE in block_text(p["blocks"]) for p in posts)
    question = _post_with(posts, "neurological involvement")
    (actions,) = [b for b in question["blocks"] if b["type"] == "actions"]
    values = {e["text"]["text"]: e["value"] for e in actions["elements"]}
    assert values == {
        "Yes": '/inform{"neurological_involvement":"yes"}',
        "No": '/inform{"neurological_involvement":"no"}',
    }

    # U2 clicks "No": interactive payload, form-encoded and signed.
    click = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "test"},
        "user": {"id": "U2", "team_id": "T1"},
        "channel": {"id": channel, "name": "clinic"},
        "container": {"type": "message", "channel_id": channel, "thread_ts": ts2},
        "message": {"ts": _ts(), "thread_ts": ts2},
        "actions": [
            {
                "type": "button",
                "action_id": "b12_button_1",
                "block_id": "b12_buttons",
                "value": values["No"],
                "text": {"type": "plain_text", "text": "No"},
            }
        ],
    }
    assert channel_bot.slack_click(click)[0] == 200
    posts = _wait_post(channel_bot, channel, ts2, PLAN_TITLE)
    plan = _post_with(posts, PLAN_TITLE)
    assert "B12 plan: no neurological involvement" in plan["text"]
    plan_text = block_text(plan["blocks"])
    assert "B12 plan: no neurological involvement" in plan_text
    assert re.search(r"Loading: 1 mg IM three times a week for 2 weeks" + CITED, plan_text)

    # U1's facts are untouched: "why?" still shows neurological involvement and platelets 120.
    ts3 = _ts()
    assert channel_bot.slack_event(_mention(channel, "U1", "<@UBOT> why?", ts3))[0] == 200
    why = _post_with(_wait_post(channel_bot, channel, ts3, "Facts used"), "Facts used")
    why_text = block_text(why["blocks"])
    assert "Neurological involvement: yes" in why_text
    assert "Platelet count: 120" in why_text


def test_direct_message_is_answered_without_a_thread(channel_bot: ChannelBot) -> None:
    channel = "D" + uuid.uuid4().hex[:10].upper()
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U9",
        "text": "62F pernicious anaemia, pins and needles, platelets 120",
        "ts": _ts(),
        "channel": channel,
        "team": "T1",
    }
    assert channel_bot.slack_event(event)[0] == 200
    _wait_post(channel_bot, channel, None, PLAN_TITLE)


def test_url_verification_challenge(channel_bot: ChannelBot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    status, reply = channel_bot.slack_raw(body.encode(), "application/json")
    assert status == 200
    assert json.loads(reply) == {"challenge": "abc123"}


def test_bad_signature_and_stale_timestamp_are_refused(channel_bot: ChannelBot) -> None:
    channel = _channel()
    before = len(channel_bot.stand_ins.slack_posts.snapshot())
    event = _mention(channel, "U1", VIGNETTE, _ts())
    assert channel_bot.slack_event(event, secret="wrong-secret")[0] == 401
    assert channel_bot.slack_event(event, signature="v0=" + "0" * 64)[0] == 401
    assert channel_bot.slack_event(event, signature="")[0] == 401
    # Correctly signed, but 10 minutes old (a replay).
    assert channel_bot.slack_event(event, timestamp=int(time.time()) - 600)[0] == 401
    assert channel_bot.slack_event(event, timestamp=int(time.time()) + 600)[0] == 401
    click = {"type": "block_actions", "actions": [{"type": "button", "value": "/greet"}]}
    assert channel_bot.slack_click(click, secret="wrong-secret")[0] == 401
    time.sleep(2)
    after = channel_bot.stand_ins.slack_posts.snapshot()[before:]
    assert not [p for p in after if p["body"].get("channel") == channel]


def test_a_used_button_is_replaced_by_the_answer_and_a_second_click_is_ignored(
    channel_bot: ChannelBot,
) -> None:
    channel, ts = _channel(), _ts()
    second = "<@UBOT> 58M pernicious anaemia, plt 250"
    assert channel_bot.slack_event(_mention(channel, "U2", second, ts))[0] == 200
    question = _post_with(
        _wait_post(channel_bot, channel, ts, "neurological involvement"),
        "neurological involvement",
    )
    (actions,) = [b for b in question["blocks"] if b["type"] == "actions"]
    message_ts = _ts()  # the ts Slack gave the question (the stand-in does not keep it)

    def click(title: str) -> dict[str, Any]:
        element = next(e for e in actions["elements"] if e["text"]["text"] == title)
        return {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U2", "team_id": "T1"},
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
            "message": {**question, "ts": message_ts, "thread_ts": ts},
            "actions": [{**element, "block_id": actions["block_id"]}],
        }

    assert channel_bot.slack_click(click("No"))[0] == 200
    _wait_post(channel_bot, channel, ts, PLAN_TITLE)
    updates = channel_bot.stand_ins.slack_updates.wait_for(
        lambda items: [u["body"] for u in items if u["body"].get("ts") == message_ts]
    )
    (update,) = updates
    assert update["channel"] == channel
    assert not any(b["type"] == "actions" for b in update["blocks"])
    assert "<@U2> chose: *No*" in block_text(update["blocks"])

    # The same message clicked again ("Yes"): acknowledged, but no second turn and no update.
    plans_before = len(
        [p for p in _posts_in(channel_bot, channel, ts) if PLAN_TITLE in block_text(p["blocks"])]
    )
    assert channel_bot.slack_click(click("Yes"))[0] == 200
    time.sleep(3)
    posts = _posts_in(channel_bot, channel, ts)
    assert len([p for p in posts if PLAN_TITLE in block_text(p["blocks"])]) == plans_before
    assert not any(
        "neurological involvement: yes" in block_text(p["blocks"]).lower() for p in posts
    )
    assert (
        len(
            [
                u
                for u in channel_bot.stand_ins.slack_updates.snapshot()
                if u["body"].get("ts") == message_ts
            ]
        )
        == 1
    )
