"""Security over the real servers: the action server token and the per-sender rate limit."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import Bot


def _call(
    url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST" if data is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            status, raw, reply_headers = int(reply.status), reply.read(), dict(reply.headers)
    except urllib.error.HTTPError as error:
        status, raw, reply_headers = error.code, error.read(), dict(error.headers)
    try:
        parsed = json.loads(raw or b"null")
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return status, parsed, reply_headers


def _action_call(sender: str) -> dict[str, Any]:
    """What Rasa posts to /webhook to run ``action_greet`` (a minimal tracker)."""
    return {
        "next_action": "action_greet",
        "sender_id": sender,
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": {"text": "hello", "intent": {"name": "greet"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_action_server_health_is_public(bot: Bot) -> None:
    status, body, _ = _call(f"{bot.action_url}/health")
    assert (status, body) == (200, {"status": "ok"})


def test_action_webhook_without_token_is_401(bot: Bot, sender: Callable[[], str]) -> None:
    status, body, headers = _call(f"{bot.action_url}/webhook", _action_call(sender()))
    assert status == 401
    assert "token" in body["error"]
    assert headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_action_webhook_with_wrong_token_is_401(bot: Bot, sender: Callable[[], str]) -> None:
    wrong = urllib.parse.quote(bot.action_token[:-1] + "x")
    status, _, _ = _call(f"{bot.action_url}/webhook?token={wrong}", _action_call(sender()))
    assert status == 401
    status, _, _ = _call(
        f"{bot.action_url}/webhook",
        _action_call(sender()),
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert status == 401


def test_action_list_requires_the_token(bot: Bot) -> None:
    assert _call(f"{bot.action_url}/actions")[0] == 401
    status, body, _ = _call(
        f"{bot.action_url}/actions", headers={"Authorization": f"Bearer {bot.action_token}"}
    )
    assert status == 200
    assert {"name": "action_plan"} in body


def test_action_webhook_with_token_is_200(bot: Bot, sender: Callable[[], str]) -> None:
    token = urllib.parse.quote(bot.action_token)
    status, body, _ = _call(f"{bot.action_url}/webhook?token={token}", _action_call(sender()))
    assert status == 200, body
    assert "events" in body and "responses" in body
    status, _, _ = _call(
        f"{bot.action_url}/webhook",
        _action_call(sender()),
        headers={"Authorization": f"Bearer {bot.action_token}"},
    )
    assert status == 200


def test_rasa_reaches_the_action_server_with_the_token(bot: Bot, sender: Callable[[], str]) -> None:
    # A plan needs the action server: Rasa must be sending the token from the endpoints file.
    refusals_before = bot.action_log.read_text().count("refused")
    reply = bot.say(sender(), "58M pernicious anaemia, no numbness or tingling", "clinician")
    assert reply.status == 200
    assert reply.payloads("b12.regimen")
    assert bot.action_log.read_text().count("refused") == refusals_before


def test_rest_channel_rate_limit_is_per_sender(bot: Bot, sender: Callable[[], str]) -> None:
    limit = bot.rate_limit_per_minute
    noisy, quiet = sender(), sender()
    url = f"{bot.rasa_url}/webhooks/rest/webhook"
    body = {"sender": noisy, "message": "hello"}
    # One after the other (Rasa handles one conversation's messages in turn anyway): the whole
    # burst of `limit` is allowed, then 429, give or take what refills meanwhile (limit/60 a
    # second). Sending limit + 1 is enough when the bot answers within a few ms; keep going
    # (bounded) so that a slower machine does not make this flaky.
    started = time.monotonic()
    statuses: list[int] = []
    reply: tuple[int, Any, dict[str, str]] = (0, None, {})
    while len(statuses) < 3 * limit:
        reply = _call(url, body)
        statuses.append(reply[0])
        if reply[0] != 200 and len(statuses) > limit:
            break
    elapsed = time.monotonic() - started
    status, error, headers = reply
    assert status == 429, (statuses, error)
    assert set(statuses[:-1]) == {200}
    refilled = elapsed * limit / 60.0
    assert limit <= statuses.count(200) <= limit + refilled + 1
    assert "Too many messages" in error["error"]
    assert int(headers["Retry-After"]) >= 1
    # Another conversation is not affected.
    assert bot.say(quiet, "hello").status == 200


def _raw(bot: Bot, data: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{bot.rasa_url}/webhooks/rest/webhook",
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return int(reply.status), json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_root_does_not_name_the_rasa_version(bot: Bot) -> None:
    with urllib.request.urlopen(f"{bot.rasa_url}/", timeout=30) as reply:
        text = reply.read().decode()
    assert text == "Hello from Rasa"


def test_deeply_nested_json_is_a_400_not_a_500_or_an_outage(bot: Bot) -> None:
    nested = "[" * 980 + "]" * 980
    body = '{"sender":"nest-1","message":"hi","metadata":{"a":' + nested + "}}"
    status, reply = _raw(bot, body.encode())
    assert status == 400 and "nested too deeply" in reply["error"]
    huge = '{"sender":"nest-2","message":"hi","metadata":' + "[" * 100_000 + "]" * 100_000 + "}"
    status, reply = _raw(bot, huge.encode())
    assert status == 413 and "too large" in reply["error"]
    assert bot.rasa_log.exists() and "RecursionError" not in bot.rasa_log.read_text()


def test_sender_with_a_trailing_newline_is_refused(bot: Bot) -> None:
    status, reply = _raw(bot, json.dumps({"sender": "abctrail\n", "message": "hi"}).encode())
    assert status == 400 and "sender" in reply["error"]
