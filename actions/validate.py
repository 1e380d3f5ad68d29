"""Runs on every user turn (Rasa calls it from action_extract_slots), before any reply.

Triage comes first: the NLU pipeline has already detected red flags in the message; this action
only renders them. Then the audience (REST metadata wins), accumulated causes, and the
once-per-conversation disclaimer.
"""

from __future__ import annotations

import os
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.engine import send
from guideline_engine.render.answers import render_triage
from guideline_engine.render.messages import messages

AUDIENCES = ("clinician", "patient")
# A carer reads the same plain language as a patient.
AUDIENCE_ALIASES = {"clinician": "clinician", "patient": "patient", "caregiver": "patient"}


def _entity_values(tracker: Tracker, entity: str) -> list[Any]:
    return list(tracker.get_latest_entity_values(entity))


def _metadata_audience(tracker: Tracker) -> str | None:
    event = tracker.get_last_event_for("user") or {}
    audience = (event.get("metadata") or {}).get("audience")
    return audience if audience in AUDIENCES else None


class ValidateSlotMappings(ValidationAction):
    """Triage, audience, accumulated causes and the disclaimer, every turn."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send triage (if any) first, then extract slots, then the disclaimer once."""
        events: list[EventType] = []
        audience = self.extract_audience(dispatcher, tracker, domain).get("audience")
        audience = audience or tracker.get_slot("audience")
        who = "clinician" if audience == "clinician" else "patient"
        # Handed over to a person: the bot stays silent, except that an emergency is still
        # named at once (the operator may not be reading yet).
        paused = tracker.is_paused()
        triage = render_triage(
            red_flag_ids=[str(v) for v in _entity_values(tracker, "red_flag")],
            urgency=next(iter(_entity_values(tracker, "triage_urgency")), None),
            describes_symptoms=bool(_entity_values(tracker, "symptom")),
            audience=who,
            offer_handoff=not paused and bool(os.environ.get("HANDOFF_WEBHOOK_URL")),
        )
        if triage is not None and (not paused or triage.payload["urgency"] == "emergency"):
            send(dispatcher, triage)
        # Custom slots only (extract_<slot>); entity-mapped slots were filled by Rasa already.
        events += await self.get_extraction_events(dispatcher, tracker, domain)
        if not paused and not tracker.get_slot("disclaimer_shown"):
            dispatcher.utter_message(text=messages().text(f"disclaimer_{who}"))
            events.append(SlotSet("disclaimer_shown", True))
        return events

    def extract_audience(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """REST metadata first, then an audience stated in words or by a button."""
        audience = _metadata_audience(tracker)
        if audience is None:
            stated = [AUDIENCE_ALIASES.get(str(v)) for v in _entity_values(tracker, "audience")]
            audience = next((a for a in reversed(stated) if a), None)
        return {"audience": audience} if audience else {}

    def extract_causes(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Causes add up across turns until a new patient is started."""
        new = [str(v) for v in _entity_values(tracker, "cause")]
        if not new:
            return {}
        known = list(tracker.get_slot("causes") or [])
        return {"causes": known + [c for c in new if c not in known]}
