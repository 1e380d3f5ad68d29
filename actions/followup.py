"""Follow-up questions answered from curated snippets, and the source listing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import (
    ASK_WHO_TYPE,
    FACTS_HELD_TYPE,
    announced_this_turn,
    answer_followup,
    audience_of,
    describes_patient,
    fact_values,
    knowledge_base,
    send,
)
from actions.guard import guard
from actions.plan import looks_like_a_question, plan_reply
from actions.subject import holds_followup_facts
from actions.turn import TurnAction
from guideline_engine.facts import FactChange
from guideline_engine.render.answer import Button
from guideline_engine.render.answers import render_sources
from guideline_engine.render.messages import messages
from guideline_engine.render.reply import render_notice


class ActionAnswerFollowup(TurnAction):
    """Quote the best-matching snippets with citations, or say the guideline does not cover it."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_followup"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Decline another language or condition; answer a question; plan a case.

        A case told as a statement ("no tingling however has an unsteady gait") gets the plan.
        """
        if guard(dispatcher, tracker):
            return []
        if announced_this_turn(tracker, ASK_WHO_TYPE):
            return []  # whose facts these are comes first (HAZ-120)
        held = holds_followup_facts(tracker)
        if held:
            # After a plan, a question's facts never change it silently (HAZ-121).
            if looks_like_a_question(tracker):
                answer_followup(dispatcher, tracker)
            _name_held_facts(dispatcher, tracker, held)
            return []
        if describes_patient(tracker) and not looks_like_a_question(tracker):
            return plan_reply(dispatcher, tracker, fact_values(tracker))
        answer_followup(dispatcher, tracker)
        return []


def _name_held_facts(
    dispatcher: CollectingDispatcher, tracker: Tracker, held: tuple[FactChange, ...]
) -> None:
    """Name the facts a follow-up gave that were not added to the plan, and how to add them."""
    audience = audience_of(tracker)
    facts = "; ".join(change.words() for change in held)
    text = messages().text(f"followup_facts_held_{audience}").format(facts=facts)
    payload = {
        "type": FACTS_HELD_TYPE,
        "reason": "followup_question",
        "facts": [change.to_dict() for change in held],
    }
    buttons = (Button("New patient", "/new_patient"),)
    send(dispatcher, render_notice("ask", (text,), payload, audience, topic=None, buttons=buttons))


class ActionSources(TurnAction):
    """List the documents behind the answers and how each citation was resolved."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_sources"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Render the source listing."""
        send(dispatcher, render_sources(knowledge_base()))
        return []
