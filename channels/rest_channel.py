"""REST channel that refuses requests Rasa's stock channel would accept unsafely.

Rasa 3.6's ``rest`` channel puts a request without ``sender`` into one shared "default"
conversation, answers malformed JSON with a server error and accepts any size of message.
This subclass keeps the same URL (``/webhooks/rest/webhook``) and reply format, and answers
bad requests with a 4xx and a JSON ``error`` instead:

- 400 for a missing or malformed ``sender``, malformed JSON, an empty message or bad metadata;
- 413 for a message over ``MAX_MESSAGE_CHARS`` (default 4000) characters;
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

import asyncio
import json
import logging
import math
import os
import re
import time
import traceback
from asyncio import CancelledError
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.lock_store import LockError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from stores import errors

# Failures of the tracker store, the lock store and the action server must reach this channel.
errors.install()

logger = logging.getLogger(__name__)

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
DEFAULT_MAX_MESSAGE_CHARS = 4000
DEFAULT_RATE_LIMIT_PER_MINUTE = 30
DEFAULT_MAX_TRACKED_SENDERS = 10_000
UNAVAILABLE_RETRY_AFTER_S = 5


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


class RateLimiter:
    """Per-key token bucket: ``per_minute`` tokens a minute, up to ``burst`` at once.

    Memory is bounded: a key idle long enough for its bucket to be full again carries no
    information and is dropped, and at most ``max_keys`` keys are kept (the least recently
    seen goes first). ``clock`` returns seconds (monotonic); tests inject their own.
    """

    def __init__(
        self,
        per_minute: int,
        burst: int | None = None,
        *,
        max_keys: int = DEFAULT_MAX_TRACKED_SENDERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self.capacity = float(burst if burst and burst > 0 else per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.max_keys = max(1, max_keys)
        self.clock = clock
        # key -> (tokens, time of last update); ordered from least to most recently seen.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def refill_seconds(self) -> float:
        """Seconds for an empty bucket to be full again: the idle time after which a key goes."""
        return self.capacity / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def _evict(self, now: float) -> None:
        idle_before = now - self.refill_seconds
        while self._buckets:
            _, (_, last) = next(iter(self._buckets.items()))
            if last > idle_before and len(self._buckets) < self.max_keys:
                break
            self._buckets.popitem(last=False)

    def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0.0 if allowed, else the seconds until one is free."""
        now = self.clock()
        self._evict(now)
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + max(0.0, now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate


def _rate_limit_from_env() -> int:
    raw = os.environ.get("RATE_LIMIT_PER_MINUTE", "").strip()
    return int(raw) if raw else DEFAULT_RATE_LIMIT_PER_MINUTE


def rate_limiter_from(per_minute: int | None) -> RateLimiter | None:
    """A limiter of ``per_minute`` messages per sender (None: env ``RATE_LIMIT_PER_MINUTE``).

    0 (or less) switches the limit off, e.g. behind a proxy that limits already.
    """
    if per_minute is None:
        per_minute = _rate_limit_from_env()
    return RateLimiter(per_minute) if per_minute > 0 else None


def rate_limit_text(per_minute: int, retry_after: int) -> str:
    """What a sender over its limit is told."""
    return (
        f"Too many messages: the limit is {per_minute} per minute per conversation. "
        f"Please wait {retry_after} seconds and try again."
    )


# Failures of a backing service (or a turn over its time limit): "please try again".
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    errors.ServiceUnavailable,
    errors.ActionServerUnavailable,
    LockError,
    TimeoutError,
)


def failure_code(error: BaseException) -> str:
    """Machine-readable reason of an unavailable turn (``b12.unavailable`` payload)."""
    if isinstance(error, TimeoutError):
        return "turn_timeout"
    if isinstance(error, LockError) and not isinstance(error, errors.ServiceUnavailable):
        return "lock_unavailable"
    return str(getattr(error, "code", "service_unavailable"))


def over_limit(limiter: RateLimiter | None, sender: str, channel: str) -> int | None:
    """Count one message of ``sender``: None if allowed, else whole seconds to wait (logged)."""
    if limiter is None:
        return None
    wait_s = limiter.acquire(sender)
    if wait_s <= 0:
        return None
    logger.warning("%s: rate limit reached (sender %s)", channel, sender)
    return max(1, math.ceil(wait_s))


def log_unavailable(channel: str, sender: str, error: BaseException) -> str:
    """Log an unavailable turn (exception types only) and return its failure code."""
    code = failure_code(error)
    # Types only: messages of chained exceptions may quote the user's text.
    logger.error(
        "%s: turn not completed (sender %s, %s): %s",
        channel,
        sender,
        code,
        describe_failure(error).splitlines()[0],
    )
    return code


def describe_failure(error: BaseException) -> str:
    """Exception types and stack frames, without messages (they may quote the user's text)."""
    chain: list[str] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return " <- ".join(chain) + "\n" + "".join(traceback.format_tb(error.__traceback__))


class StrictRestInput(RestInput):
    """``rest`` channel with request validation; same URL and reply format."""

    def __init__(
        self,
        max_message_chars: int | None = None,
        rate_limit_per_minute: int | None = None,
        rate_limiter: RateLimiter | None = None,
        turn_timeout: float | None = None,
    ) -> None:
        self.turn_timeout = turn_timeout or errors.turn_timeout_from_env()
        env_limit = os.environ.get("MAX_MESSAGE_CHARS")
        self.max_message_chars = max_message_chars or (
            int(env_limit) if env_limit else DEFAULT_MAX_MESSAGE_CHARS
        )
        # Not `rate_limiter or ...`: an empty limiter has len() 0 and is falsy.
        self.rate_limiter = (
            rate_limiter if rate_limiter is not None else rate_limiter_from(rate_limit_per_minute)
        )

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> StrictRestInput:
        """Build from credentials.yml (``max_message_chars``, ``rate_limit_per_minute``)."""
        limit = (credentials or {}).get("max_message_chars")
        rate = (credentials or {}).get("rate_limit_per_minute")
        return cls(int(limit) if limit else None, int(rate) if rate is not None else None)

    def rate_limited(self, sender: str) -> HTTPResponse | None:
        """A 429 reply if ``sender`` is over its limit, else None (and one message is counted)."""
        retry_after = over_limit(self.rate_limiter, sender, "rest")
        if retry_after is None or self.rate_limiter is None:
            return None
        return response.json(
            {"error": rate_limit_text(self.rate_limiter.per_minute, retry_after)},
            status=429,
            headers={"Retry-After": str(retry_after)},
        )

    def unavailable(self, sender: str, error: BaseException) -> HTTPResponse:
        """503 "please try again": a backing service failed or the turn took too long."""
        code = log_unavailable("rest", sender, error)
        return response.json(
            [
                {"recipient_id": sender, "text": errors.RETRY_TEXT},
                {
                    "recipient_id": sender,
                    "custom": {"type": "b12.unavailable", "error": code, "retry": True},
                },
            ],
            status=503,
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
        )

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
            limited = self.rate_limited(sender)
            if limited is not None:
                return limited
            collector = CollectingOutputChannel()
            try:
                with errors.channel_turn():
                    await asyncio.wait_for(
                        on_new_message(
                            UserMessage(
                                text,
                                collector,
                                sender,
                                input_channel=self.name(),
                                metadata=metadata,
                            )
                        ),
                        timeout=self.turn_timeout,
                    )
            except UNAVAILABLE_ERRORS as error:
                return self.unavailable(sender, error)
            except CancelledError:
                # Never log the user's text: patients type health data.
                logger.error("rest: message handling timed out (sender %s)", sender)
            except Exception as error:
                # Types and frames only: exception messages may quote the user's text.
                logger.error(
                    "rest: message handling failed (sender %s): %s",
                    sender,
                    describe_failure(error),
                )
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
