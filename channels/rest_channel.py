"""REST channel that refuses requests Rasa's stock channel would accept unsafely.

Rasa 3.6's ``rest`` channel puts a request without ``sender`` into one shared "default"
conversation, answers malformed JSON with a server error and accepts any size of message.
This subclass keeps the same URL (``/webhooks/rest/webhook``) and reply format, and answers
bad requests with a 4xx and a JSON ``error`` instead.
"""

from __future__ import annotations

import json
import logging
import os
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
DEFAULT_MAX_MESSAGE_CHARS = 4000


class RequestError(ValueError):
    """A request the channel refuses, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_request(body: bytes, max_chars: int) -> tuple[str, str, dict[str, Any] | None]:
    """Return (sender, text, metadata) or raise :class:`RequestError`."""
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise RequestError(400, "Body must be a JSON object.") from None
    if not isinstance(payload, dict):
        raise RequestError(400, "Body must be a JSON object.")
    sender = payload.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise RequestError(
            400, "A 'sender' id is required: 1-128 characters of letters, digits or _.:@-"
        )
    text = payload.get("message")
    if not isinstance(text, str):
        raise RequestError(400, "A 'message' string is required.")
    if not text.strip():
        raise RequestError(400, "The message is empty.")
    if len(text) > max_chars:
        raise RequestError(413, f"The message is too long (limit {max_chars} characters).")
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestError(400, "'metadata' must be a JSON object.")
    return sender, text, metadata


class StrictRestInput(RestInput):
    """``rest`` channel with request validation; same URL and reply format."""

    def __init__(self, max_message_chars: int | None = None) -> None:
        env_limit = os.environ.get("MAX_MESSAGE_CHARS")
        self.max_message_chars = max_message_chars or (
            int(env_limit) if env_limit else DEFAULT_MAX_MESSAGE_CHARS
        )

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> StrictRestInput:
        """Build from credentials.yml (optional ``max_message_chars``)."""
        limit = (credentials or {}).get("max_message_chars")
        return cls(int(limit) if limit else None)

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's URL: /webhooks/rest/webhook."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: GET / (health) and POST /webhook."""
        webhook = Blueprint("strict_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_request(request.body, self.max_message_chars)
            except RequestError as error:
                return response.json({"error": str(error)}, status=error.status)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=metadata,
                    )
                )
            except CancelledError:
                # Never log the user's text: patients type health data.
                logger.error("rest: message handling timed out (sender %s)", sender)
            except Exception:
                logger.exception("rest: message handling failed (sender %s)", sender)
                return response.json(
                    [
                        {
                            "recipient_id": sender,
                            "text": "Sorry, something went wrong. Please try again.",
                        }
                    ],
                    status=500,
                )
            return response.json(collector.messages)

        return webhook
