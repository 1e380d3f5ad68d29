"""Process-wide engine state for the actions, built on first use (no I/O at import)."""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from guideline_engine.facts import FACT_NAMES
from guideline_engine.knowledge import KnowledgeBase, load_knowledge_base
from guideline_engine.render.messages import Audience
from guideline_engine.render.plan import Rendered
from guideline_engine.retrieval import Retriever, retriever_for


@cache
def knowledge_base() -> KnowledgeBase:
    """The validated knowledge base (``KB_APPROVED_ONLY`` decides what is visible)."""
    return load_knowledge_base()


@cache
def retriever() -> Retriever:
    """Follow-up retriever over the visible snippets."""
    return retriever_for(knowledge_base())


def audience_of(tracker: Tracker) -> Audience:
    """The conversation's audience; plain patient wording until someone says otherwise."""
    return "clinician" if tracker.get_slot("audience") == "clinician" else "patient"


def fact_values(tracker: Tracker) -> dict[str, Any]:
    """Current fact slots by name (unset ones omitted)."""
    values = {name: tracker.get_slot(name) for name in FACT_NAMES}
    return {name: value for name, value in values.items() if value is not None}


def send(dispatcher: CollectingDispatcher, rendered: Rendered) -> None:
    """Send the text (with any buttons) and then its JSON payload."""
    buttons = [{"title": title, "payload": payload} for title, payload in rendered.buttons]
    dispatcher.utter_message(text=rendered.text, buttons=buttons or None)
    dispatcher.utter_message(json_message=rendered.payload)
