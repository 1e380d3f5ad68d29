"""One turn policy for every channel: REST, web chat, Slack and Teams.

Each channel receives a message in its own way and lays out replies in its own way; what
happens in between is decided here, once:

- **Edge input.** A request body is read with a size cap (``MAX_BODY_BYTES``, default 64 KB)
  and a time limit (``BODY_TIMEOUT``, default 10 s) before anything parses it, and JSON deeper
  than ``MAX_JSON_DEPTH`` (default 32) is refused by a scan that does not recurse, so neither a
  10 MB body nor 100,000 nested ``[`` reaches ``json.loads``. Each refusal is a
  :class:`RequestError` with a 4xx status and a sentence saying why (413, 408, 400).
- **Size limit.** A message over ``MAX_MESSAGE_CHARS`` (default 4000) characters is refused.
- **Rate limit.** ``RATE_LIMIT_PER_MINUTE`` (default 30, burst the same) messages a minute per
  conversation; over it the user is told how long to wait (``b12.rate_limited``).
- **Turn timeout and backing-service failures.** The turn runs inside
  :func:`stores.errors.channel_turn` and is cut off after ``TURN_TIMEOUT`` seconds. A failure of
  the tracker store, the lock store or the action server, or a turn over its time limit, is
  answered "please try again" (``b12.unavailable``); nothing of such a turn is saved (see
  :mod:`rasa_patches`, which must be installed for these failures to reach the channel).
- **Safe logging.** Logs carry the channel, the sender id and exception *types* only: messages of
  chained exceptions may quote what the patient typed.

A channel asks :meth:`TurnPolicy.admit` before the turn and :meth:`TurnPolicy.run` for it; both
return an :class:`Outcome` (or None when the turn went normally). An outcome gives the HTTP
status (REST answers with it), the text and the custom payload, as Rasa-style bot messages that
every channel already knows how to send (Slack as Block Kit, Teams as a text activity, the web
chat as ``bot_uttered`` events).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import time
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.lock_store import LockError
from sanic.request import Request

from stores import errors

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_CHARS = 4000
DEFAULT_RATE_LIMIT_PER_MINUTE = 30
DEFAULT_MAX_TRACKED_SENDERS = 10_000
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_JSON_DEPTH = 32
DEFAULT_BODY_TIMEOUT_S = 10.0
UNAVAILABLE_RETRY_AFTER_S = 5
RETRY_TEXT = errors.RETRY_TEXT
FAILED_TEXT = "Sorry, something went wrong. Please try again."

# Failures of a backing service (or a turn over its time limit): "please try again".
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    errors.ServiceUnavailable,
    errors.ActionServerUnavailable,
    LockError,
    TimeoutError,
    asyncio.TimeoutError,
)


# --------------------------------------------------------------------------------------------
# Edge input
# --------------------------------------------------------------------------------------------


class RequestError(ValueError):
    """A request the channel refuses, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    value = float(raw) if raw else default
    if value <= 0:
        raise ValueError(f"{name} must be a positive number, not {raw!r}")
    return value


@dataclass(frozen=True)
class EdgeLimits:
    """Limits on a request body, applied before it is parsed."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S

    @classmethod
    def from_env(cls, max_body_bytes: int | None = None) -> EdgeLimits:
        """``MAX_BODY_BYTES``, ``MAX_JSON_DEPTH`` and ``BODY_TIMEOUT`` (seconds) from the env."""
        return cls(
            max_body_bytes=max_body_bytes
            or int(_env_number("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
            max_json_depth=int(_env_number("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)),
            body_timeout_s=_env_number("BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT_S),
        )


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether ``text`` nests arrays/objects deeper than ``max_depth`` (no recursion).

    Brackets inside JSON strings do not count. Malformed text is not judged here: ``json.loads``
    refuses it afterwards.
    """
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _too_large(limits: EdgeLimits) -> RequestError:
    return RequestError(
        413, f"The request body is too large (limit {limits.max_body_bytes} bytes)."
    )


def load_json(body: bytes, limits: EdgeLimits) -> Any:
    """Parse a request body within ``limits``, or raise :class:`RequestError` saying why."""
    if len(body) > limits.max_body_bytes:
        raise _too_large(limits)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, "The body must be UTF-8 encoded JSON.") from None
    if json_depth_exceeds(text, limits.max_json_depth):
        raise RequestError(
            400, f"The JSON is nested too deeply (limit {limits.max_json_depth} levels)."
        )
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise RequestError(400, "The body must be valid JSON.") from None


async def read_body(request: Request, limits: EdgeLimits) -> bytes:
    """The body of a streamed request (route with ``stream=True``), within ``limits``.

    Refuses with 413 as soon as ``Content-Length`` or the bytes received exceed the cap (the rest
    is never buffered) and with 408 when the body stops arriving for ``body_timeout_s`` (Sanic
    would answer 503 "Response Timeout" after 60 s: bad input would read as an outage).
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise _too_large(limits)
    if request.stream is None or not request.stream.request_body:
        return bytes(request.body or b"")  # no body, or already read (a route without stream)
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + limits.body_timeout_s
    while True:
        remaining = deadline - time.monotonic()
        try:
            chunk = await asyncio.wait_for(request.stream.read(), timeout=max(remaining, 0.001))
        except asyncio.TimeoutError:
            raise RequestError(
                408, f"The request body did not arrive within {limits.body_timeout_s:g} seconds."
            ) from None
        if chunk is None:
            return b"".join(chunks)
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise _too_large(limits)
        chunks.append(chunk)


# --------------------------------------------------------------------------------------------
# Rate limit
# --------------------------------------------------------------------------------------------


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


def rate_limiter_from(per_minute: int | None) -> RateLimiter | None:
    """A limiter of ``per_minute`` messages per sender (None: env ``RATE_LIMIT_PER_MINUTE``).

    0 (or less) switches the limit off, e.g. behind a proxy that limits already.
    """
    if per_minute is None:
        raw = os.environ.get("RATE_LIMIT_PER_MINUTE", "").strip()
        per_minute = int(raw) if raw else DEFAULT_RATE_LIMIT_PER_MINUTE
    return RateLimiter(per_minute) if per_minute > 0 else None


def rate_limit_text(per_minute: int, retry_after: int) -> str:
    """What a sender over its limit is told."""
    return (
        f"Too many messages: the limit is {per_minute} per minute per conversation. "
        f"Please wait {retry_after} seconds and try again."
    )


def over_limit(limiter: RateLimiter | None, sender: str, channel: str) -> int | None:
    """Count one message of ``sender``: None if allowed, else whole seconds to wait (logged)."""
    if limiter is None:
        return None
    wait_s = limiter.acquire(sender)
    if wait_s <= 0:
        return None
    logger.warning("%s: rate limit reached (sender %s)", channel, sender)
    return max(1, math.ceil(wait_s))


# --------------------------------------------------------------------------------------------
# Failures and safe logging
# --------------------------------------------------------------------------------------------


def failure_code(error: BaseException) -> str:
    """Machine-readable reason of an unavailable turn (``b12.unavailable`` payload)."""
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        return "turn_timeout"
    if isinstance(error, LockError) and not isinstance(error, errors.ServiceUnavailable):
        return "lock_unavailable"
    return str(getattr(error, "code", "service_unavailable"))


def describe_failure(error: BaseException) -> str:
    """Exception types and stack frames, without messages (they may quote the user's text)."""
    chain: list[str] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return " <- ".join(chain) + "\n" + "".join(traceback.format_tb(error.__traceback__))


def log_unavailable(channel: str, sender: str, error: BaseException) -> str:
    """Log an unavailable turn (exception types only) and return its failure code."""
    code = failure_code(error)
    logger.error(
        "%s: turn not completed (sender %s, %s): %s",
        channel,
        sender,
        code,
        describe_failure(error).splitlines()[0],
    )
    return code


# --------------------------------------------------------------------------------------------
# The policy
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the user is told when a turn is refused or does not complete."""

    kind: str  # "too_long", "rate_limited", "unavailable" or "failed"
    status: int  # the HTTP status a request/response channel answers with
    text: str
    payload: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def messages(self, recipient_id: str) -> list[dict[str, Any]]:
        """The outcome as Rasa-style bot messages: the text, then the custom payload if any."""
        out: list[dict[str, Any]] = [{"recipient_id": recipient_id, "text": self.text}]
        if self.payload is not None:
            out.append({"recipient_id": recipient_id, "custom": dict(self.payload)})
        return out


def unavailable_outcome(code: str) -> Outcome:
    """The "please try again" outcome: a backing service failed or the turn took too long."""
    return Outcome(
        "unavailable",
        503,
        RETRY_TEXT,
        {"type": "b12.unavailable", "error": code, "retry": True},
        {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
    )


@dataclass(frozen=True)
class TurnPolicy:
    """Limits and failure handling of one channel's turns (one instance per channel)."""

    channel: str
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    rate_limiter: RateLimiter | None = None
    turn_timeout: float = errors.DEFAULT_TURN_TIMEOUT_S

    @classmethod
    def from_settings(
        cls,
        channel: str,
        *,
        max_message_chars: int | None = None,
        rate_limit_per_minute: int | None = None,
        rate_limiter: RateLimiter | None = None,
        turn_timeout: float | None = None,
    ) -> TurnPolicy:
        """Explicit settings first, then the env (``MAX_MESSAGE_CHARS``, ...), then defaults."""
        env_chars = os.environ.get("MAX_MESSAGE_CHARS", "").strip()
        if rate_limiter is None:  # not `or`: an empty limiter has len() 0 and is falsy
            rate_limiter = rate_limiter_from(
                int(rate_limit_per_minute) if rate_limit_per_minute is not None else None
            )
        return cls(
            channel=channel,
            max_message_chars=int(max_message_chars or env_chars or DEFAULT_MAX_MESSAGE_CHARS),
            rate_limiter=rate_limiter,
            turn_timeout=float(turn_timeout or errors.turn_timeout_from_env()),
        )

    def admit(self, sender: str, text: str) -> Outcome | None:
        """Refuse a message that is too long or over the sender's rate (counts one message)."""
        if len(text) > self.max_message_chars:
            return Outcome(
                "too_long",
                413,
                f"The message is too long (limit {self.max_message_chars} characters).",
            )
        retry_after = over_limit(self.rate_limiter, sender, self.channel)
        if retry_after is None or self.rate_limiter is None:
            return None
        return Outcome(
            "rate_limited",
            429,
            rate_limit_text(self.rate_limiter.per_minute, retry_after),
            {"type": "b12.rate_limited", "retry_after": retry_after},
            {"Retry-After": str(retry_after)},
        )

    async def run(self, sender: str, turn: Callable[[], Awaitable[Any]]) -> Outcome | None:
        """Run ``turn()`` as one failure-reporting turn; None if it completed."""
        try:
            with errors.channel_turn():
                await asyncio.wait_for(turn(), timeout=self.turn_timeout)
        except UNAVAILABLE_ERRORS as error:
            return unavailable_outcome(log_unavailable(self.channel, sender, error))
        except Exception as error:
            # Types and frames only: exception messages may quote the user's text.
            logger.error(
                "%s: message handling failed (sender %s): %s",
                self.channel,
                sender,
                describe_failure(error),
            )
            return Outcome("failed", 500, FAILED_TEXT)
        return None
