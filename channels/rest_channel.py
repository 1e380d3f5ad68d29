"""REST channel that refuses requests Rasa's stock channel would accept unsafely.

Rasa 3.6's ``rest`` channel puts a request without ``sender`` into one shared "default"
conversation, answers malformed JSON with a server error and accepts any size of message.
This subclass keeps the same URL (``/webhooks/rest/webhook``) and reply format, and answers
bad requests with a 4xx and a JSON ``error`` saying why (limits in ``channels.turn_policy``,
shared with the web chat, Slack and Teams):

- 400 for a missing or malformed ``sender`` (``fullmatch``: a trailing newline is refused),
  malformed JSON, JSON nested deeper than ``MAX_JSON_DEPTH`` (32), an empty message or bad
  metadata;
- 413 for a body over ``MAX_BODY_BYTES`` (64 KB; refused before it is buffered or parsed) or a
  message over ``MAX_MESSAGE_CHARS`` (default 4000) characters;
- 408 for a body that stops arriving for ``BODY_TIMEOUT`` seconds (default 10);
- 429 with ``Retry-After`` when one sender sends more than ``RATE_LIMIT_PER_MINUTE`` (default
  30, burst the same) messages a minute.

- 503 with ``Retry-After`` and a "please try again" reply when a backing service fails during
  the turn: the conversation store (``stores.tracker_store.SafeSQLTrackerStore``), the lock
  store (any ``LockError``, e.g. Redis down), the action server, or the whole turn taking longer
  than ``TURN_TIMEOUT`` seconds (default 50; see ``stores/errors.py`` and deploy/README.md).
  The body keeps the reply format: a text message for the user plus a ``custom`` message
  ``{"type": "b12.unavailable", "error": <code>, "retry": true}``. Rasa would instead answer
  ``[]`` with 200 (lock error), stay silent (action server) or start the conversation over
  (tracker store). Nothing of such a turn is saved, so the retry starts from the same state.

Privacy: patients type health data, so nothing here logs message text. Rasa's own ``rest``
channel logs the full text (``rest.message.received.failure text=...``) whenever handling a
message fails or times out; this subclass logs only the sender id and the exception types.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import rasa_patches
from channels.turn_policy import (
    EdgeLimits,
    Outcome,
    RateLimiter,
    RequestError,
    TurnPolicy,
    load_json,
    read_body,
)

SENDER_PATTERN = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")


def parse_request(body: bytes, limits: EdgeLimits) -> tuple[str, str, dict[str, Any] | None]:
    """Return (sender, text, metadata) or raise :class:`RequestError` saying why not."""
    payload = load_json(body, limits)
    if not isinstance(payload, dict):
        raise RequestError(400, "Body must be a JSON object.")
    sender = payload.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        raise RequestError(
            400, "A 'sender' id is required: 1-128 characters of letters, digits or _.:@-"
        )
    text = payload.get("message")
    if not isinstance(text, str):
        raise RequestError(400, "A 'message' string is required.")
    if not text.strip():
        raise RequestError(400, "The message is empty.")
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestError(400, "'metadata' must be a JSON object.")
    return sender, text, metadata


def outcome_response(sender: str, outcome: Outcome) -> HTTPResponse:
    """A refused or failed turn as Rasa's REST reply format, with the outcome's status."""
    if outcome.kind in ("too_long", "rate_limited"):
        body: Any = {"error": outcome.text}
    else:
        body = outcome.messages(sender)
    return response.json(body, status=outcome.status, headers=outcome.headers)


class StrictRestInput(RestInput):
    """``rest`` channel with request validation; same URL and reply format."""

    def __init__(
        self,
        max_message_chars: int | None = None,
        rate_limit_per_minute: int | None = None,
        rate_limiter: RateLimiter | None = None,
        turn_timeout: float | None = None,
        edge_limits: EdgeLimits | None = None,
    ) -> None:
        self.policy = TurnPolicy.from_settings(
            self.name(),
            max_message_chars=max_message_chars,
            rate_limit_per_minute=rate_limit_per_minute,
            rate_limiter=rate_limiter,
            turn_timeout=turn_timeout,
        )
        self.edge_limits = edge_limits or EdgeLimits.from_env()

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The per-sender rate limiter (None: no limit)."""
        return self.policy.rate_limiter

    @property
    def turn_timeout(self) -> float:
        """Seconds one turn may take in all."""
        return self.policy.turn_timeout

    @property
    def max_message_chars(self) -> int:
        """Longest message accepted."""
        return self.policy.max_message_chars

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> StrictRestInput:
        """Build from credentials.yml (message, rate and body limits; env fills the rest)."""
        credentials = credentials or {}
        limit = credentials.get("max_message_chars")
        rate = credentials.get("rate_limit_per_minute")
        body = credentials.get("max_body_bytes")
        return cls(
            int(limit) if limit else None,
            int(rate) if rate is not None else None,
            edge_limits=EdgeLimits.from_env(int(body) if body else None),
        )

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's URL: /webhooks/rest/webhook."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: GET / (health) and POST /webhook (body streamed, so it is capped early)."""
        rasa_patches.require_installed("rest")
        webhook = Blueprint("strict_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = await read_body(request, self.edge_limits)
                sender, text, metadata = parse_request(body, self.edge_limits)
            except RequestError as error:
                return response.json({"error": str(error)}, status=error.status)
            refused = self.policy.admit(sender, text)
            if refused is not None:
                return outcome_response(sender, refused)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender, input_channel=self.name(), metadata=metadata
            )
            failed = await self.policy.run(sender, lambda: on_new_message(message))
            if failed is not None:
                return outcome_response(sender, failed)
            return response.json(collector.messages)

        return webhook
