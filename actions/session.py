"""Conversation housekeeping: greeting, audience, new patient, feedback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import audience_of, knowledge_base
from guideline_engine.facts import FACT_NAMES
from guideline_engine.feedback import FeedbackRecord, append_feedback
from guideline_engine.render.messages import messages

AUDIENCE_BUTTONS = [
    {"title": "Clinician", "payload": '/choose_audience{"audience":"clinician"}'},
    {"title": "Patient or carer", "payload": '/choose_audience{"audience":"patient"}'},
]


class ActionGreet(Action):
    """Greet; ask who is asking when the audience is not known yet."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the greeting, plus the audience question if needed."""
        dispatcher.utter_message(text=messages().text("greet"))
        if tracker.get_slot("audience") is None:
            dispatcher.utter_message(text=messages().text("ask_audience"), buttons=AUDIENCE_BUTTONS)
        return []


class ActionSetAudience(Action):
    """Confirm the audience chosen with the buttons or in words."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_set_audience"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The slot is set by action_validate_slot_mappings; ask again if it is not."""
        audience = tracker.get_slot("audience")
        if audience is None:
            dispatcher.utter_message(text=messages().text("ask_audience"), buttons=AUDIENCE_BUTTONS)
            return []
        dispatcher.utter_message(text=messages().text(f"audience_set_{audience_of(tracker)}"))
        return []


class ActionNewPatient(Action):
    """Forget every fact about the previous patient (audience and disclaimer stay)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_new_patient"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Clear the fact slots and say so."""
        dispatcher.utter_message(text=messages().text("new_patient"))
        dispatcher.utter_message(json_message={"type": "b12.new_patient"})
        slots = [name for name in FACT_NAMES if name in domain.get("slots", {})]
        return [SlotSet(name, None) for name in (*slots, "pending_question")]


class ActionRecordFeedback(Action):
    """Record "this is wrong" with the answer and knowledge-base version, for reviewers."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_record_feedback"

    async def run(
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
        dispatcher.utter_message(text=messages().text("feedback_recorded"))
        dispatcher.utter_message(
            json_message={"type": "b12.feedback_recorded", "kb_version": record.kb_version}
        )
        return []
