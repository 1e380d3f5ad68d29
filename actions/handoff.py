"""Hand the conversation over to a person: notify the operator channel, then pause the bot.

``HANDOFF_WEBHOOK_URL`` (e.g. a Slack incoming webhook) receives the summary built by
:func:`guideline_engine.handoff.build_handoff_summary` as JSON, with
``Authorization: Bearer $HANDOFF_WEBHOOK_TOKEN`` when that is set. Only after the webhook
accepted it (2xx) is the conversation paused (``ConversationPaused``): Rasa then logs the user's
messages but predicts no action, until an operator releases it (``channels.handoff_channel``).
Without the variable, or when the webhook fails, the user is told so and nothing is paused.

Privacy: the summary holds health data, so neither it nor the webhook's reply is logged; only
the sender id, the HTTP status or the exception type.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import aiohttp
from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import audience_of, fact_values
from actions.session import send_notice
from actions.turn import TurnAction
from guideline_engine.handoff import HandoffSummary, build_handoff_summary
from guideline_engine.render.messages import Audience, messages

logger = logging.getLogger(__name__)

HANDOFF_TYPE = "b12.handoff"
DEFAULT_TIMEOUT_S = 5.0


def latest_triage(tracker: Tracker) -> dict[str, Any] | None:
    """The last ``b12.triage`` payload of the current patient, if any.

    The search stops at the start of the session and at a reset (``b12.new_patient``): the
    previous patient's triage must not reach the operator as this patient's.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom")
        if isinstance(custom, dict) and custom.get("type") == "b12.new_patient":
            return None
        if isinstance(custom, dict) and custom.get("type") == "b12.triage":
            return custom
    return None


def summary_for(tracker: Tracker) -> HandoffSummary:
    """The operator summary of this conversation."""
    triage = latest_triage(tracker) or {}
    flags = triage.get("red_flags")
    return build_handoff_summary(
        conversation_id=tracker.sender_id,
        audience=audience_of(tracker),
        slot_values=fact_values(tracker),
        triage_urgency=triage.get("urgency") if isinstance(triage.get("urgency"), str) else None,
        triage_red_flags=[str(f) for f in flags] if isinstance(flags, list) else [],
    )


def _timeout_s() -> float:
    raw = os.environ.get("HANDOFF_WEBHOOK_TIMEOUT_S", "").strip()
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        return DEFAULT_TIMEOUT_S


async def notify_operator(url: str, token: str | None, body: dict[str, Any], sender: str) -> bool:
    """POST ``body`` to the operator webhook; True only for a 2xx reply within the timeout.

    Redirects are not followed (the token must not travel to another address).
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        timeout = aiohttp.ClientTimeout(total=_timeout_s())
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(
                url, json=body, headers=headers, allow_redirects=False
            ) as reply:
                if 200 <= reply.status < 300:
                    return True
                logger.warning("handoff: webhook answered %s (sender %s)", reply.status, sender)
                return False
    except (aiohttp.ClientError, TimeoutError, ValueError, OSError) as error:
        logger.warning("handoff: webhook failed: %s (sender %s)", type(error).__name__, sender)
        return False


class ActionHandoff(TurnAction):
    """Offer a person: notify the operator channel and pause, or say why not."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_handoff"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Notify the operator and pause; without a webhook, or if it fails, do not pause."""
        url = os.environ.get("HANDOFF_WEBHOOK_URL", "").strip()
        audience = audience_of(tracker)
        if not url:
            return _reply(dispatcher, "unavailable", audience)
        token = os.environ.get("HANDOFF_WEBHOOK_TOKEN", "").strip() or None
        body = summary_for(tracker).to_payload()
        if not await notify_operator(url, token, body, tracker.sender_id):
            return _reply(dispatcher, "failed", audience)
        logger.info("handoff: requested, conversation paused (sender %s)", tracker.sender_id)
        return [*_reply(dispatcher, "requested", audience), ConversationPaused()]


def _reply(dispatcher: CollectingDispatcher, status: str, audience: Audience) -> list[EventType]:
    """Say what happened, as a notice; the payload keeps ``type`` and ``status``."""
    payload = {"type": HANDOFF_TYPE, "status": status}
    send_notice(dispatcher, (messages().text(f"handoff_{status}"),), payload, audience)
    return []
