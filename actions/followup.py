"""Follow-up questions answered from curated snippets, and the source listing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import (
    answer_followup,
    describes_patient,
    fact_values,
    knowledge_base,
    send,
)
from actions.guard import guard
from actions.plan import looks_like_a_question, plan_reply
from guideline_engine.render.answers import render_sources


class ActionAnswerFollowup(Action):
    """Quote the best-matching snippets with citations, or say the guideline does not cover it."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Decline another language or condition; answer a question; plan a case.

        A case told as a statement ("no tingling however has an unsteady gait") gets the plan.
        """
        if guard(dispatcher, tracker):
            return []
        if describes_patient(tracker) and not looks_like_a_question(tracker):
            return plan_reply(dispatcher, tracker, fact_values(tracker))
        answer_followup(dispatcher, tracker)
        return []


class ActionSources(Action):
    """List the documents behind the answers and how each citation was resolved."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_sources"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Render the source listing."""
        send(dispatcher, render_sources(knowledge_base()))
        return []
