"""Faults of PostgreSQL, Redis and the action server: the user is told to retry, never
silently started over, and nothing of a failed turn is stored."""

from __future__ import annotations

from tests.e2e.conftest import Reply
from tests.production.conftest import Cluster, retry_until, services
from tests.production.test_cluster import facts_message

RETRY_WORDS = "Please try again"


def assert_retry(reply: Reply, error: str | None = None) -> None:
    """HTTP 503, a text asking to retry and a machine-readable b12.unavailable payload."""
    assert reply.status == 503, (reply.status, reply.body)
    assert any(RETRY_WORDS in text for text in reply.texts()), reply.body
    payload = reply.payload("b12.unavailable")
    assert payload["retry"] is True
    if error is not None:
        assert payload["error"] == error, payload
    assert not reply.payloads("b12.regimen") and not reply.payloads("b12.missing_facts")


def start_conversation(up: Cluster) -> str:
    sender = up.sender("fault")
    first = up.bots[0].say(sender, facts_message(64, 80), "clinician")
    assert first.payload("b12.missing_facts")["missing"] == ["neurological_involvement"]
    return sender


def assert_plan_uses_the_first_facts(reply: Reply) -> None:
    assert reply.status == 200, reply.body
    facts = reply.payload("b12.regimen")["facts_used"]
    assert facts["age"] == 64 and facts["platelet_count"] == 80.0, facts


def test_postgres_down_then_back_the_conversation_resumes_or_the_user_retries(up: Cluster) -> None:
    sender = start_conversation(up)
    assert services("stop", "postgres").returncode == 0
    try:
        for bot in up.bots:  # both servers, both fail loudly (never a fresh conversation)
            assert_retry(bot.say(sender, "no"), "tracker_store_unavailable")
    finally:
        assert services("start", "postgres").returncode == 0
    # Pooled connections died with the server: the store reconnects by itself.
    reply = up.bots[1].say(sender, "no")
    assert_plan_uses_the_first_facts(reply)
    assert up.user_texts(sender) == [facts_message(64, 80), "no"]  # failed turns not stored


def test_postgres_restart_between_turns_is_invisible_or_asks_to_retry(up: Cluster) -> None:
    sender = start_conversation(up)
    assert services("stop", "postgres").returncode == 0
    assert services("start", "postgres").returncode == 0
    first = up.bots[0].say(sender, "no")
    if first.status == 503:  # allowed: the user is told to retry, and the retry works
        assert_retry(first)
        assert_plan_uses_the_first_facts(up.bots[1].say(sender, "no"))
    else:
        assert_plan_uses_the_first_facts(first)
    why = up.bots[1].say(sender, "why?")
    assert why.payload("b12.why")["facts_used"]["age"] == 64
    expected = [facts_message(64, 80), "no", "why?"]
    assert up.user_texts(sender) == expected


def test_redis_down_asks_to_retry_instead_of_an_empty_reply(up: Cluster) -> None:
    sender = start_conversation(up)
    assert services("stop", "redis").returncode == 0
    try:
        for bot in up.bots:
            assert_retry(bot.say(sender, "no"), "lock_store_unavailable")
    finally:
        assert services("start", "redis").returncode == 0
    assert_plan_uses_the_first_facts(up.bots[0].say(sender, "no"))
    assert up.user_texts(sender) == [facts_message(64, 80), "no"]


def test_action_server_down_asks_to_retry_instead_of_silence(up: Cluster) -> None:
    sender = start_conversation(up)
    up.actions[1].stop()
    reply = up.bots[1].say(sender, "no")
    assert_retry(reply, "action_server_unavailable")
    assert up.user_texts(sender) == [facts_message(64, 80)]  # the failed turn left no trace
    # The other server (with its own action server) carries on with the same conversation.
    assert_plan_uses_the_first_facts(up.bots[0].say(sender, "no"))
    up.actions[1].start()
    up.actions[1].wait_healthy()
    why = retry_until(lambda: up.bots[1].say(sender, "why?"), 30)
    assert why.payload("b12.why")["facts_used"]["age"] == 64
