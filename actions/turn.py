"""One action-server call per user turn: the answering action starts the turn itself.

Rasa 3.6 calls ``action_validate_slot_mappings`` from ``action_extract_slots`` on every user
message, before it predicts the answering action: a second HTTP round trip per turn, and Rasa
rebuilds the whole tracker from its events to send it (about 6 ms of a turn's 30 ms at p95 in
``make bench``). Instead, every action the rules predict after a user message is a
:class:`TurnAction`: it first runs the turn's start in this process (triage, audience, causes,
findings, refused values, a reset, the disclaimer: :class:`actions.validate.ValidateSlotMappings`)
and then answers on the tracker as the start left it. Messages keep their order (triage first),
and the events returned are the start's, then the answer's, exactly what Rasa recorded before.

While a conversation is paused for a person, Rasa predicts no action at all; the patch
``slot_validation_only_while_paused`` (``rasa_patches``) has Rasa call
``action_validate_slot_mappings`` then, and only then, so an emergency is still named at once.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ACTION_LISTEN_NAME

ANSWER_FAILED_TYPE = "b12.answer_failed"
logger = logging.getLogger(__name__)


def turn_started(tracker: Tracker) -> bool:
    """Whether an action already ran since the latest user message (so the turn has started)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in (ACTION_LISTEN_NAME, None):
            return True
    return False


def bot_event(message: dict[str, Any]) -> dict[str, Any]:
    """A dispatcher message as Rasa records it in the tracker (a ``bot`` event)."""
    data = {
        key: message.get(key)
        for key in ("elements", "quick_replies", "buttons", "attachment", "image", "custom")
    }
    return {"event": "bot", "text": message.get("text"), "data": data, "metadata": {}}


def slots_after(slots: dict[str, Any], events: list[EventType]) -> dict[str, Any]:
    """The slots with the ``slot`` events among ``events`` applied in order."""
    out = dict(slots)
    for event in events:
        if event.get("event") == "slot":
            out[str(event["name"])] = event.get("value")
    return out


def tracker_after(tracker: Tracker, events: list[EventType], sent: list[dict[str, Any]]) -> Tracker:
    """The tracker as Rasa would hand it to the next action: these events and messages applied."""
    return Tracker(
        tracker.sender_id,
        slots_after(tracker.slots, events),
        tracker.latest_message,
        [*tracker.events, *events, *(bot_event(m) for m in sent)],
        tracker.is_paused(),
        tracker.followup_action,
        tracker.active_loop,
        tracker.latest_action_name,
    )


def _answer_failed(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Say that this message could not be answered, in the reader's words."""
    from actions.engine import audience_of
    from actions.session import send_notice
    from guideline_engine.render.messages import messages

    audience = audience_of(tracker)
    text = messages().text(f"answer_failed_{audience}")
    send_notice(dispatcher, (text,), {"type": ANSWER_FAILED_TYPE}, audience)


class TurnAction(Action, ABC):
    """An action predicted after a user message: start the turn, then answer."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Run the turn's start (once per turn), then :meth:`answer` on the updated tracker."""
        # Imported here: the turn's start uses helpers of the modules whose actions subclass this.
        from actions.validate import ValidateSlotMappings

        if turn_started(tracker):
            return await self.answer(dispatcher, tracker, domain)
        started = await ValidateSlotMappings().run(dispatcher, tracker, domain)
        sent = len(dispatcher.messages)
        after = tracker_after(tracker, started, list(dispatcher.messages))
        try:
            answered = await self.answer(dispatcher, after, domain)
        except Exception:
            # The start's triage must still reach the user (it was its own call before): drop
            # the half-made answer, keep the start, say so (review 11, finding 3; HAZ-195).
            logger.exception("%s failed after the turn's start", self.name())
            del dispatcher.messages[sent:]
            _answer_failed(dispatcher, after)
            return started
        return [*started, *answered]

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The action's own reply, given a tracker whose turn has started."""
