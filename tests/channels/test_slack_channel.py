"""Slack request signing, configuration, event parsing and the inactive channel."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from channels.slack_channel import (
    B12SlackInput,
    SlackConfig,
    clean_text,
    sender_id_for,
    slack_signature,
    used_button_blocks,
    verify_slack_request,
)
from stores.errors import RETRY_TEXT, TrackerStoreUnavailable
from tests.security.conftest import client, free_port, serving

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather"


def test_signature_matches_slack_v0_scheme() -> None:
    expected = hmac.new(SECRET.encode(), b"v0:1531420618:" + BODY, hashlib.sha256).hexdigest()
    assert slack_signature(SECRET, "1531420618", BODY) == "v0=" + expected


def test_valid_request_passes() -> None:
    now = 1_700_000_000
    sig = slack_signature(SECRET, str(now), BODY)
    assert verify_slack_request(SECRET, str(now), sig, BODY, now=now + 10) is None


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "reason"),
    [
        ("1700000000", "v0=" + "0" * 64, BODY, "bad signature"),
        ("1700000000", None, BODY, "missing signature headers"),
        (None, "v0=abc", BODY, "missing signature headers"),
        ("soon", "v0=abc", BODY, "malformed timestamp"),
        ("1700000000", "SIGN", BODY + b"&tampered=1", "bad signature"),
        ("1699999000", "SIGN", BODY, "stale timestamp"),  # 1000 s old
        ("1700001000", "SIGN", BODY, "stale timestamp"),  # 1000 s in the future
    ],
)
def test_invalid_requests_are_refused(
    timestamp: str | None, signature: str | None, body: bytes, reason: str
) -> None:
    if signature == "SIGN":
        assert timestamp is not None
        signature = slack_signature(SECRET, timestamp, BODY)
    assert verify_slack_request(SECRET, timestamp, signature, body, now=1_700_000_000) == reason


def test_wrong_secret_is_refused() -> None:
    now = int(time.time())
    sig = slack_signature("other-secret", str(now), BODY)
    assert verify_slack_request(SECRET, str(now), sig, BODY) == "bad signature"
    assert verify_slack_request("", str(now), sig, BODY) == "no signing secret configured"


def test_config_from_env() -> None:
    assert SlackConfig.from_env({}) is None
    assert SlackConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}) is None
    config = SlackConfig.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "SLACK_AUDIENCE": "Clinician",
            "SLACK_CHANNELS": "C1, C2,",
        }
    )
    assert config is not None
    assert config.api_url == "http://127.0.0.1:9/api/"
    assert config.audience == "clinician"
    assert config.listen_channels == frozenset({"C1", "C2"})
    default = SlackConfig.from_env({"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s"})
    assert default is not None and default.api_url == "https://slack.com/api/"
    with pytest.raises(ValueError):
        SlackConfig.from_env(
            {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s", "SLACK_AUDIENCE": "boss"}
        )


def test_sender_id_is_per_user_per_channel() -> None:
    assert sender_id_for("T1", "C1", "U1") == "slack:T1:C1:U1"
    assert sender_id_for("T1", "C1", "U1") != sender_id_for("T1", "C1", "U2")


def test_clean_text_drops_bot_mention_and_link_markup() -> None:
    text = "<@UBOT> see <https://example.org|example.org> &lt;3 &amp; <@U2>"
    assert clean_text(text, ["UBOT"]) == "see example.org <3 & <@U2>"


def _channel() -> B12SlackInput:
    config = SlackConfig.from_env(
        {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s", "SLACK_CHANNELS": "CLISTEN"}
    )
    return B12SlackInput(config)


def test_events_answered_only_for_dms_mentions_and_listen_channels() -> None:
    channel = _channel()
    base = {"user": "U1", "text": "<@UBOT> hi", "ts": "1.2", "team": "T1"}
    auth = {"authorizations": [{"user_id": "UBOT"}], "team_id": "T1"}
    mention = channel._from_event(
        {**auth, "event": {**base, "type": "app_mention", "channel": "C1"}}
    )
    assert mention is not None
    assert (mention.text, mention.sender_id, mention.thread_ts) == ("hi", "slack:T1:C1:U1", "1.2")
    plain = {**base, "type": "message", "channel": "C1", "channel_type": "channel"}
    assert channel._from_event({**auth, "event": plain}) is None
    dm = {**base, "type": "message", "channel": "D1", "channel_type": "im"}
    parsed = channel._from_event({**auth, "event": dm})
    assert parsed is not None and parsed.thread_ts is None
    listen = {**plain, "channel": "CLISTEN"}
    assert channel._from_event({**auth, "event": listen}) is not None
    listen_mention = {**base, "type": "app_mention", "channel": "CLISTEN"}
    assert channel._from_event({**auth, "event": listen_mention}) is None
    bot = {**dm, "bot_id": "B1"}
    assert channel._from_event({**auth, "event": bot}) is None
    edited = {**dm, "subtype": "message_changed"}
    assert channel._from_event({**auth, "event": edited}) is None


def test_block_actions_click_becomes_payload_from_the_clicker() -> None:
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "channel": {"id": "C1"},
        "container": {"thread_ts": "9.9"},
        "actions": [{"type": "button", "value": '/inform{"neurological_involvement":"no"}'}],
    }
    incoming = B12SlackInput._from_interaction(click)
    assert incoming is not None
    assert incoming.text == '/inform{"neurological_involvement":"no"}'
    assert incoming.sender_id == "slack:T1:C1:U2"
    assert incoming.thread_ts == "9.9"
    assert B12SlackInput._from_interaction({**click, "type": "view_submission"}) is None
    link = {**click, "actions": [{"type": "button", "url": "https://x"}]}
    assert B12SlackInput._from_interaction(link) is None


def test_retried_event_ids_are_processed_once() -> None:
    channel = _channel()
    assert channel._first_time("Ev1") is True
    assert channel._first_time("Ev1") is False
    assert channel._first_time(None) is True


async def test_inactive_channel_answers_404_and_makes_no_calls() -> None:
    channel = B12SlackInput.from_credentials({})
    assert not channel.enabled

    async def never(_: object) -> None:
        raise AssertionError("no message expected")

    app = Sanic("slack_inactive_test")
    app.blueprint(channel.blueprint(never), url_prefix="/webhooks/slack")
    async with serving(app) as base, client() as http:
        async with http.get(f"{base}/webhooks/slack/") as reply:
            assert reply.status == 404
        async with http.post(f"{base}/webhooks/slack/webhook", data=b"{}") as reply:
            assert reply.status == 404


async def test_active_channel_refuses_unsigned_requests() -> None:
    channel = B12SlackInput(SlackConfig("xoxb-1", SECRET, api_url="http://127.0.0.1:9/"))

    async def never(_: object) -> None:
        raise AssertionError("no message expected")

    app = Sanic("slack_active_test")
    app.blueprint(channel.blueprint(never), url_prefix="/webhooks/slack")
    async with serving(app) as base, client() as http:
        async with http.get(f"{base}/webhooks/slack/") as reply:
            assert reply.status == 200
        url = f"{base}/webhooks/slack/webhook"
        headers = {"Content-Type": "application/json"}
        async with http.post(url, data=b"{}", headers=headers) as reply:
            assert reply.status == 401
        stale = str(int(time.time()) - 301)
        headers |= {
            "X-Slack-Request-Timestamp": stale,
            "X-Slack-Signature": slack_signature(SECRET, stale, b"{}"),
        }
        async with http.post(url, data=b"{}", headers=headers) as reply:
            assert reply.status == 401
        now = str(int(time.time()))
        body = b'{"type": "url_verification", "challenge": "c1"}'
        headers |= {
            "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": slack_signature(SECRET, now, body),
        }
        async with http.post(url, data=body, headers=headers) as reply:
            assert reply.status == 200
            assert await reply.json() == {"challenge": "c1"}


async def test_output_posts_block_kit_to_the_configured_api_url() -> None:
    from aiohttp import web

    from channels.slack_channel import B12SlackBot
    from guideline_engine.render.answers import triage_answer

    posts: list[dict[str, object]] = []

    async def post_message(request: web.Request) -> web.Response:
        posts.append(await request.json())
        return web.json_response({"ok": True, "ts": "1.1"})

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", post_message)
    runner = web.AppRunner(app)
    await runner.setup()
    from tests.security.conftest import free_port

    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        bot = B12SlackBot("xoxb-1", None, "5.5", api_url=f"http://127.0.0.1:{port}/api/")
        answer = triage_answer(
            "urgent", "URGENT: contact a clinician today.", "Now.", "", "patient"
        )
        payload = {"type": "b12.triage", "urgency": "urgent", "answer": answer.to_dict()}
        # A custom payload with arbitrary keys is rendered, not passed as keyword arguments.
        await bot.send_custom_json("slack:T1:C7:U1", payload)
        await bot.send_text_with_buttons(
            "slack:T1:C7:U1", "Pick", [{"title": "A", "payload": "/a"}]
        )
    finally:
        await runner.cleanup()
    assert [p["channel"] for p in posts] == ["C7", "C7"]
    assert all(p["thread_ts"] == "5.5" for p in posts)
    assert posts[0]["text"].startswith("URGENT")  # type: ignore[union-attr]
    assert posts[1]["blocks"][-1]["elements"][0]["value"] == "/a"  # type: ignore[index]


# --------------------------------------------------------------------------------------------
# Used buttons: replaced by the chosen answer, a second click ignored
# --------------------------------------------------------------------------------------------

BUTTON_MESSAGE = {
    "ts": "7.7",
    "text": "Are there nerve symptoms?",
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Are there nerve symptoms?"}},
        {
            "type": "actions",
            "block_id": "b12_buttons",
            "elements": [
                {
                    "type": "button",
                    "action_id": "b12_button_0",
                    "text": {"type": "plain_text", "text": "Yes"},
                    "value": '/inform{"neurological_involvement":"yes"}',
                },
                {
                    "type": "button",
                    "action_id": "b12_button_1",
                    "text": {"type": "plain_text", "text": "No"},
                    "value": '/inform{"neurological_involvement":"no"}',
                },
            ],
        },
    ],
}


def click_body(button: int = 0, message_ts: str = "7.7") -> bytes:
    element = BUTTON_MESSAGE["blocks"][1]["elements"][button]  # type: ignore[index]
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": "C1"},
        "message": {**BUTTON_MESSAGE, "ts": message_ts},
        "actions": [{**element, "block_id": "b12_buttons"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


async def click_twice(
    fail_first: bool = False,
) -> tuple[list[str], list[dict[str, object]], list[dict[str, object]]]:
    posts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []

    async def post_message(request: web.Request) -> web.Response:
        posts.append(await request.json())
        return web.json_response({"ok": True, "ts": "9.9"})

    async def update(request: web.Request) -> web.Response:
        updates.append(await request.json())
        return web.json_response({"ok": True})

    stand_in = web.Application()
    stand_in.router.add_post("/api/chat.postMessage", post_message)
    stand_in.router.add_post("/api/chat.update", update)
    runner = web.AppRunner(stand_in)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    turns: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        turns.append(message.text or "")
        if fail_first and len(turns) == 1:
            raise TrackerStoreUnavailable("database down")
        await message.output_channel.send_text_message(message.sender_id, "Thanks.")

    channel = B12SlackInput(SlackConfig("xoxb-1", SECRET, api_url=f"http://127.0.0.1:{port}/api/"))
    app = Sanic(f"slack_buttons_{port}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/slack")
    try:
        async with serving(app) as base, client() as http:
            for button in (0, 1):
                now = str(int(time.time()))
                body = click_body(button)
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": now,
                    "X-Slack-Signature": slack_signature(SECRET, now, body),
                }
                async with http.post(
                    f"{base}/webhooks/slack/webhook", data=body, headers=headers
                ) as reply:
                    assert reply.status == 200
                await asyncio.gather(*list(channel._background_tasks))
    finally:
        await runner.cleanup()
    return turns, posts, updates


async def test_a_used_button_is_replaced_by_the_chosen_answer_and_cannot_be_used_again() -> None:
    turns, posts, updates = await click_twice()
    assert turns == ['/inform{"neurological_involvement":"yes"}']  # the second click is ignored
    assert len(updates) == 1
    update = updates[0]
    assert (update["channel"], update["ts"]) == ("C1", "7.7")
    blocks = update["blocks"]
    assert isinstance(blocks, list)
    assert not any(b["type"] == "actions" for b in blocks)
    assert blocks[0] == BUTTON_MESSAGE["blocks"][0]  # type: ignore[index]
    assert blocks[-1]["elements"][0]["text"] == "<@U2> chose: *Yes*"
    assert [p["text"] for p in posts] == ["Thanks."]


async def test_a_button_whose_turn_failed_stays_usable_for_the_retry() -> None:
    turns, posts, updates = await click_twice(fail_first=True)
    assert turns == [
        '/inform{"neurological_involvement":"yes"}',
        '/inform{"neurological_involvement":"no"}',
    ]
    assert [p["text"] for p in posts] == [RETRY_TEXT, "Thanks."]
    assert len(updates) == 1
    assert updates[0]["blocks"][-1]["elements"][0]["text"] == "<@U2> chose: *No*"  # type: ignore[index]


def test_used_button_blocks_escape_the_title_and_keep_other_blocks() -> None:
    blocks = used_button_blocks(BUTTON_MESSAGE["blocks"], "<b>&", "U9")
    assert blocks[0] == BUTTON_MESSAGE["blocks"][0]  # type: ignore[index]
    assert blocks[1]["elements"][0]["text"] == "<@U9> chose: *&lt;b&gt;&amp;*"
    assert used_button_blocks(None, "Yes", "U9")[0]["type"] == "context"
