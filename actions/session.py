"""Conversation housekeeping: greeting, audience, new patient, feedback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import (
    AUDIENCE_CHOICES,
    announced_from_held,
    announced_this_turn,
    audience_of,
    describes_patient,
    entity_values,
    fact_values,
    knowledge_base,
    send,
)
from actions.guard import guard, language_reply, scope_text
from actions.plan import plan_reply
from actions.turn import TurnAction
from guideline_engine.facts import FACT_NAMES, findings_from_values
from guideline_engine.feedback import FeedbackRecord, append_feedback
from guideline_engine.render.answer import Button
from guideline_engine.render.messages import Audience, messages
from guideline_engine.render.reply import render_notice

NOTICE = "notice"
"""Answer kind of housekeeping replies (greeting, audience, new patient, feedback, handoff)."""


def send_notice(
    dispatcher: CollectingDispatcher,
    texts: tuple[str, ...],
    payload: dict[str, Any],
    audience: Audience,
    *,
    kind: str = NOTICE,
    buttons: tuple[Button, ...] = (),
) -> None:
    """Send a housekeeping reply as an answer about no topic, so every channel lays it out.

    The text (one line per sentence, with any buttons) and then the payload, which keeps its
    own keys and gains ``answer`` and ``contract_version`` like every other reply.
    """
    rendered = render_notice(kind, texts, payload, audience, topic=None, buttons=buttons)
    send(dispatcher, rendered)


class ActionGreet(TurnAction):
    """Greet; ask who is asking when the audience is not known yet."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_greet"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the greeting, plus the audience question if needed.

        A greeting in another language gets the English-only reply instead.
        """
        if language_reply(dispatcher, tracker):
            return []
        asks = tracker.get_slot("audience") is None
        texts = [scope_text("greet")]
        if asks:
            texts.append(messages().text("ask_audience"))
        payload = {"type": "b12.greeting", "asks_audience": asks}
        buttons = AUDIENCE_CHOICES if asks else ()
        send_notice(dispatcher, tuple(texts), payload, audience_of(tracker), buttons=buttons)
        return []


class ActionSetAudience(TurnAction):
    """Confirm the audience chosen with the buttons or in words."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_set_audience"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Confirm the audience, then answer patient details in the same message.

        The slot is set by action_validate_slot_mappings; "I am a doctor. 62F no neuro
        symptoms" gets the confirmation and then the plan.
        """
        if tracker.get_slot("audience") is None:
            if guard(dispatcher, tracker):
                return []
            texts = (messages().text("ask_audience"),)
            payload = {"type": "b12.ask_audience"}
            send_notice(dispatcher, texts, payload, "patient", kind="ask", buttons=AUDIENCE_CHOICES)
            return []
        audience = audience_of(tracker)
        texts = (messages().text(f"audience_set_{audience}"),)
        send_notice(dispatcher, texts, {"type": "b12.audience_set", "audience": audience}, audience)
        if not describes_patient(tracker) or guard(dispatcher, tracker):
            return []
        return plan_reply(dispatcher, tracker, fact_values(tracker))


PATIENT_SLOTS: tuple[str, ...] = (
    *FACT_NAMES,
    "findings",
    "value_problems",
    "pending_question",
    "topic",
)
"""Slots about the patient, cleared by a reset. Audience and disclaimer_shown are about the
user and the conversation, not the patient, so they stay."""
NEW_PATIENT_TYPE = "b12.new_patient"


def problems_in_message(tracker: Tracker) -> list[dict[str, str]]:
    """Values of the latest message refused by the extractor, as ``{field, problem}``."""
    entities = tracker.latest_message.get("entities") or []
    return [
        {"field": str(e.get("value")), "problem": str(e.get("problem") or e.get("value"))}
        for e in entities
        if e.get("entity") == "invalid_value"
    ]


def findings_in_message(tracker: Tracker) -> list[dict[str, str]]:
    """Findings of the latest message with their assertions (see ``Finding.to_dict``)."""
    entities = tracker.latest_message.get("entities") or []
    found = [
        {**e, "id": e.get("value"), "text": e.get("mention")}
        for e in entities
        if e.get("entity") == "finding"
    ]
    return [f.to_dict() for f in findings_from_values(found)]


def reset_events(tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
    """Set every patient slot to what the latest message says about the new patient, or None.

    Nothing of the previous patient survives: not a fact, not a refused value, not the pending
    question. (Triage is not a slot: it is assessed on each message alone, and the handoff
    summary reads it only from messages after the reset.)
    """
    causes = list(dict.fromkeys(str(v) for v in entity_values(tracker, "cause")))
    this_turn: dict[str, Any] = {
        "causes": causes or None,
        "value_problems": problems_in_message(tracker) or None,
        "findings": findings_in_message(tracker) or None,
        "pending_question": None,
        "topic": None,
    }
    for name in FACT_NAMES:
        if name not in this_turn:
            values = entity_values(tracker, name)
            this_turn[name] = values[-1] if values else None
    return [SlotSet(n, this_turn[n]) for n in PATIENT_SLOTS if n in domain.get("slots", {})]


def announce_new_patient(
    dispatcher: CollectingDispatcher,
    *,
    implied: bool = False,
    audience: Audience = "patient",
    reason: str | None = None,
) -> None:
    """Say that the previous patient's details were cleared (and why, when not asked to).

    ``reason`` names what told an implied reset: ``age`` (the default) or ``sex``.
    """
    key = "new_patient"
    if implied:
        key = "new_patient_implied_sex" if reason == "sex" else "new_patient_implied"
    payload: dict[str, Any] = {"type": NEW_PATIENT_TYPE}
    if implied:
        payload["implied"] = True
        payload["reason"] = reason or "age"
    send_notice(dispatcher, (messages().text(key),), payload, audience)


class ActionNewPatient(TurnAction):
    """Forget every fact about the previous patient, then answer this message's details.

    The turn's start (``actions/turn.py``) already cleared the slots and said so when the
    message opens with a reset (it runs first, every turn); this action does both only if that
    did not happen, and then answers the new patient's details given in the same message.
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_new_patient"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Clear (if not done yet), say so (once), then plan from the new details, if any."""
        events: list[EventType] = []
        values = fact_values(tracker)
        if not announced_this_turn(tracker, NEW_PATIENT_TYPE):
            announce_new_patient(dispatcher, audience=audience_of(tracker))
            events = reset_events(tracker, domain)
            values = {
                e["name"]: e["value"]
                for e in events
                if e["name"] in FACT_NAMES and e["value"] is not None
            }
        from_held = announced_from_held(tracker)  # "new patient" after the who-question
        if not (describes_patient(tracker) or from_held) or guard(dispatcher, tracker):
            return events
        stored = problems_in_message(tracker) if events else None
        return [*events, *plan_reply(dispatcher, tracker, values, stored)]


class ActionSmallTalk(TurnAction):
    """Help, "are you a bot?", thanks and goodbye: the domain's response ``utter_<intent>``.

    An action of ours rather than the response itself, so that these turns start like every
    other (triage first: "thanks, but now my chest hurts" still gets the emergency advice).
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_small_talk"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the response named after the intent; the domain has one for each (tested)."""
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        dispatcher.utter_message(response=f"utter_{intent}")
        return []


class ActionRecordFeedback(TurnAction):
    """Record "this is wrong" with the answer and knowledge-base version, for reviewers."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_record_feedback"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Append one feedback record and thank the user."""
        bot_events = [e for e in reversed(tracker.events) if e.get("event") == "bot"]
        text = next((e["text"] for e in bot_events if e.get("text")), "")
        payload = next(
            (e["data"]["custom"] for e in bot_events if (e.get("data") or {}).get("custom")),
            None,
        )
        record = FeedbackRecord(
            conversation_id=tracker.sender_id,
            answer=text,
            answer_payload=payload,
            comment=tracker.latest_message.get("text") or "",
            kb_version=knowledge_base().version,
        )
        path = Path(os.environ.get("FEEDBACK_PATH", "var/feedback.jsonl"))
        append_feedback(path, record)
        payload = {"type": "b12.feedback_recorded", "kb_version": record.kb_version}
        texts = (messages().text("feedback_recorded"),)
        send_notice(dispatcher, texts, payload, audience_of(tracker))
        return []
