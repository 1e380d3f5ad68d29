"""Plan actions: compute the regimen from the fact slots and explain it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import audience_of, fact_values, knowledge_base, send
from guideline_engine.facts import facts_from_values
from guideline_engine.regimen import build_plan
from guideline_engine.regimen.model import MissingFacts, Plan
from guideline_engine.render.messages import messages
from guideline_engine.render.plan import render_result, render_why
from guideline_engine.scope import topic_terms

NEURO_QUESTION = "neuro_involvement"


class ActionPlan(Action):
    """Reply with a cited plan, or ask the one question still needed."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Build the plan from the slots and send text plus payload."""
        kb = knowledge_base()
        values = fact_values(tracker)
        events: list[EventType] = []
        text = tracker.latest_message.get("text") or ""
        if _intent(tracker) == "ask_treatment" and not values and not topic_terms().mentions(text):
            # "How do I treat eczema?" reads like a treatment question but is not our topic.
            dispatcher.utter_message(response="utter_not_this_topic")
            return events
        answer = _yes_no_answer(tracker)
        if answer and tracker.get_slot("pending_question") == NEURO_QUESTION:
            values["neuro_involvement"] = answer
            events.append(SlotSet("neuro_involvement", answer))
        elif answer:
            dispatcher.utter_message(text=messages().text("ok"))
            return events
        result = build_plan(facts_from_values(values).facts, kb.ids)
        send(dispatcher, render_result(result, kb, audience_of(tracker)))
        pending = NEURO_QUESTION if isinstance(result, MissingFacts) else None
        events.append(SlotSet("pending_question", pending))
        return events


def _intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name"))


def _yes_no_answer(tracker: Tracker) -> str | None:
    return {"affirm": "yes", "deny": "no"}.get(_intent(tracker))


class ActionExplain(Action):
    """Answer "why?": the facts used and the rule path of the current plan."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_explain"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Recompute the (deterministic) plan and show how it was reached."""
        kb = knowledge_base()
        result = build_plan(facts_from_values(fact_values(tracker)).facts, kb.ids)
        if isinstance(result, Plan):
            send(dispatcher, render_why(result))
        else:
            send(dispatcher, render_result(result, kb, audience_of(tracker)))
        return []
