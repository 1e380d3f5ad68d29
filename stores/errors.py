"""Failures of a backing service during a turn, which the user must be told to retry.

Rasa 3.6 hides each of these from the channel:

- ``FailSafeTrackerStore`` (which ``Agent`` wraps around every tracker store) logs a failed read
  and returns ``None``, so the turn starts from a fresh, empty tracker; it logs a failed save and
  saves to one process's memory instead.
- ``MessageProcessor._run_action`` logs a failed call to the action server and goes on with no
  events, so the user gets no answer at all.

This module defines the exceptions that carry such failures to our channels (REST, web chat,
Slack and Teams, all through ``channels.turn_policy.TurnPolicy``), which answer "please try
again". The changes to Rasa that raise them live in :mod:`rasa_patches` (installed by the entry
points, never on import):

- ``FailSafeTrackerStore`` re-raises :class:`TrackerStoreUnavailable` instead of falling back;
  errors of other tracker stores keep Rasa's behaviour;
- ``RemoteAction.run`` raises :class:`ActionServerUnavailable` when the action server fails
  during a turn of one of these channels (see :func:`channel_turn`). It derives from
  ``BaseException`` so that neither ``_run_action`` nor ``ActionExtractSlots`` (both
  ``except Exception``) can swallow it: the turn stops at once, before the tracker is saved, so
  nothing of the failed turn is persisted and the user's retry starts from the same state.
  Outside such a turn (e.g. the HTTP API) Rasa's behaviour is unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

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
    """The action server failed during a channel turn; the turn is abandoned unsaved.

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
