"""Failures of a backing service during a turn, which the user must be told to retry.

Rasa 3.6 hides each of these from the channel:

- ``FailSafeTrackerStore`` (which ``Agent`` wraps around every tracker store) logs a failed read
  and returns ``None``, so the turn starts from a fresh, empty tracker; it logs a failed save and
  saves to one process's memory instead.
- ``MessageProcessor._run_action`` logs a failed call to the action server and goes on with no
  events, so the user gets no answer at all.

This module defines the exceptions that carry such failures to our channels (REST:
``channels.rest_channel.StrictRestInput`` answers HTTP 503; web chat:
``channels.webchat.WebchatInput`` sends the same reply), with a "please try again" message,
and :func:`install` wires them into Rasa (idempotently):

- ``FailSafeTrackerStore`` re-raises :class:`TrackerStoreUnavailable` instead of falling back;
  errors of other tracker stores keep Rasa's behaviour;
- ``RemoteAction.run`` raises :class:`ActionServerUnavailable` when the action server fails
  during a turn of one of these channels (see :func:`channel_turn`). It derives from
  ``BaseException`` so that neither ``_run_action`` nor ``ActionExtractSlots`` (both
  ``except Exception``) can swallow it: the turn stops at once, before the tracker is saved, so
  nothing of the failed turn is persisted and the user's retry starts from the same state.
  Outside such a turn (Slack, Teams, the HTTP API) Rasa's behaviour is unchanged.

It also installs :mod:`stores.remote_action` (action-server responses checked with one prebuilt
validator instead of re-checking the schema on every call), since every process that runs our
channels or stores talks to the action server.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
from collections.abc import Iterator
from typing import Any

from stores import remote_action

logger = logging.getLogger(__name__)

RETRY_TEXT = (
    "Sorry, I can't answer right now: part of the service is briefly unavailable. "
    "Nothing you sent was lost. Please try again in a moment."
)


class ServiceUnavailable(Exception):
    """A backing service failed; the turn was not (or not fully) processed: retry."""

    code = "service_unavailable"


class TrackerStoreUnavailable(ServiceUnavailable):
    """The conversation store could not be read or written."""

    code = "tracker_store_unavailable"


class TrackerStoreConflict(TrackerStoreUnavailable):
    """The stored conversation changed since it was read (another turn ran): nothing was saved."""

    code = "tracker_store_conflict"


class ActionServerUnavailable(BaseException):
    """The action server failed during a REST or web chat turn; the turn is abandoned unsaved.

    ``BaseException`` on purpose: see the module docstring.
    """

    code = "action_server_unavailable"

    def __init__(self, action_name: str) -> None:
        super().__init__(f"custom action '{action_name}' failed")
        self.action_name = action_name


_IN_CHANNEL_TURN: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "b12_in_channel_turn", default=False
)


@contextlib.contextmanager
def channel_turn() -> Iterator[None]:
    """Mark the current task (and tasks it starts) as one turn of a failure-reporting channel."""
    token = _IN_CHANNEL_TURN.set(True)
    try:
        yield
    finally:
        _IN_CHANNEL_TURN.reset(token)


def in_channel_turn() -> bool:
    """Whether the current task handles a turn of a failure-reporting channel."""
    return _IN_CHANNEL_TURN.get()


_installed = False


def install() -> None:
    """Patch Rasa so the failures above reach the channel (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    _install_failsafe_passthrough()
    _install_action_abort()
    remote_action.install()


def _install_failsafe_passthrough() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    for name in ("on_tracker_store_error", "on_tracker_store_retrieve_error"):
        original = getattr(FailSafeTrackerStore, name)

        @functools.wraps(original)
        def passthrough(self: Any, error: Exception, _original: Any = original) -> None:
            if isinstance(error, TrackerStoreUnavailable):
                # Called from inside FailSafeTrackerStore's `except`: re-raise instead of
                # returning None (a fresh tracker) or saving to process memory.
                raise error
            _original(self, error)

        setattr(FailSafeTrackerStore, name, passthrough)


def _install_action_abort() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

    original = RemoteAction.run

    @functools.wraps(original)
    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # a legitimate answer of the action server
        except Exception as error:
            if not in_channel_turn():
                raise
            logger.error(
                "action server failed for action %s (%s): abandoning the turn",
                self.name(),
                type(error).__name__,
            )
            raise ActionServerUnavailable(self.name()) from error

    RemoteAction.run = run  # type: ignore[method-assign]


# --- Time limits of one turn (REST, web chat) and of a conversation lock --------------------
#
# A ticket lock that expires while its turn still runs lets the next turn of the same
# conversation start: two turns at once read the same tracker. Rasa 3.6 locks for 60 s
# (TICKET_LOCK_LIFETIME) but waits up to 300 s for each action call. Here every REST or web
# chat turn, including its wait for the lock and all its action calls, is cut off after
# TURN_TIMEOUT seconds (the user is told to retry and nothing of the turn is saved), and the
# lock store refuses to start unless LOCK_LIFETIME > TURN_TIMEOUT.
DEFAULT_TURN_TIMEOUT_S = 50.0
DEFAULT_LOCK_LIFETIME_S = 60.0


def _positive_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    value = float(raw) if raw else default
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


def turn_timeout_from_env() -> float:
    """Seconds one REST or web chat turn may take in all (env ``TURN_TIMEOUT``, default 50)."""
    return _positive_float("TURN_TIMEOUT", DEFAULT_TURN_TIMEOUT_S)


def lock_lifetime_from_env() -> float:
    """Seconds a conversation lock ticket lives (env ``LOCK_LIFETIME``, default 60)."""
    return _positive_float("LOCK_LIFETIME", DEFAULT_LOCK_LIFETIME_S)
