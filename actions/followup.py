"""Follow-up questions answered from curated snippets, and the source listing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import audience_of, knowledge_base, retriever, send
from guideline_engine.render.answers import render_followup, render_sources


class ActionAnswerFollowup(Action):
    """Quote the best-matching snippets with citations, or say the guideline does not cover it."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Retrieve and render."""
        question = tracker.latest_message.get("text") or ""
        result = retriever().search(question)
        send(dispatcher, render_followup(result, knowledge_base(), audience_of(tracker)))
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
