"""Operator endpoint that hands a paused conversation back to the bot.

``action_handoff`` pauses a conversation (``ConversationPaused``) after the operator webhook
accepted the summary. While paused, Rasa logs the user's messages but predicts no action. The
Rasa HTTP API that could append ``ConversationResumed`` is off by default, so this channel
serves one route for it:

    POST /webhooks/handoff/release
    Authorization: Bearer $HANDOFF_OPERATOR_TOKEN
    {"sender": "<conversation id from the handoff summary>"}

Answers: 200 ``{"sender": ..., "status": "resumed"}`` (or ``"not_paused"``, nothing changed);
400 for a malformed body; 401 without the right token; 404 when ``HANDOFF_OPERATOR_TOKEN`` is
not set (the route is off) or the conversation does not exist; 503 while the model loads.
Nothing is sent to the user: the bot answers their next message again.

The route reaches the conversation through the agent Rasa stores on the Sanic app
(``request.app.ctx.agent``, set by ``rasa.core.run.load_agent_on_start``) and, like the HTTP
API's ``POST /conversations/<id>/tracker/events``, holds the conversation's lock while it
appends the events.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ConversationResumed
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.turn_policy import EdgeLimits, RequestError, load_json

logger = logging.getLogger(__name__)

TOKEN_ENV = "HANDOFF_OPERATOR_TOKEN"
# Sender ids of every channel in use (REST, web chat HMACs, chat platforms); no control chars.
SENDER = re.compile(r"[^\x00-\x1f\x7f]{1,512}")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization") or ""
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the operator token."""
    if given is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def parse_sender(body: bytes) -> str | None:
    """The ``sender`` of a JSON object body, or None if the body is malformed."""
    try:
        payload: Any = load_json(body or b"", EdgeLimits())  # size and depth capped, no recursion
    except RequestError:
        return None
    sender = payload.get("sender") if isinstance(payload, dict) else None
    return sender if isinstance(sender, str) and SENDER.fullmatch(sender) else None


class HandoffOperatorInput(InputChannel):
    """``POST /webhooks/handoff/release``: resume a conversation paused for a person."""

    def __init__(self, operator_token: str | None = None) -> None:
        token = operator_token if operator_token is not None else os.environ.get(TOKEN_ENV, "")
        self.operator_token = token.strip()

    @classmethod
    def name(cls) -> str:
        """URL prefix: /webhooks/handoff/."""
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HandoffOperatorInput:
        """The token comes from the environment only: credentials.yml is not for secrets."""
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """One route: POST /release."""
        handoff = Blueprint("handoff_operator", __name__)

        @handoff.route("/release", methods=["POST"])
        async def release(request: Request) -> HTTPResponse:
            if not self.operator_token:
                return response.json({"error": "Not found."}, status=404)
            if not token_matches(self.operator_token, _bearer(request)):
                return response.json(
                    {"error": "Operator token required."},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            sender = parse_sender(request.body)
            if sender is None:
                return response.json(
                    {"error": "Body must be a JSON object with a 'sender' string."}, status=400
                )
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"error": "The bot is not ready yet."}, status=503)
            status = await resume(agent, sender)
            if status is None:
                return response.json({"error": "No such conversation."}, status=404)
            logger.info("handoff: release %s (sender %s)", status, sender)
            return response.json({"sender": sender, "status": status})

        return handoff


async def resume(agent: Any, sender: str) -> str | None:
    """Append ``ConversationResumed`` (and ``action_listen``) to a paused conversation.

    Returns:
        ``"resumed"``, ``"not_paused"`` (nothing appended) or None if there is no such
        conversation (none is created).
    """
    processor = agent.processor
    async with agent.lock_store.lock(sender):
        if not await processor.tracker_store.exists(sender):
            return None
        tracker = await processor.get_tracker(sender)
        if not tracker.is_paused():
            return "not_paused"
        tracker.update(ConversationResumed(), agent.domain)
        # The pause ended the prediction loop right after action_handoff, before Rasa's usual
        # action_listen. Without it the next message would be read as a follow-up of
        # action_handoff, match no rule and go to the fallback.
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME), agent.domain)
        await processor.save_tracker(tracker)
    return "resumed"
