"""Plan actions: compute the regimen from the fact slots and explain it."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import (
    ASK_WHO_TYPE,
    PLAN_HELD_TYPE,
    PLAN_TYPES,
    TRIAGE_TYPE,
    announced_this_turn,
    answer_followup,
    audience_of,
    audience_offer,
    before_this_message,
    describes_patient,
    entity_values,
    fact_values,
    message_text,
    render_gated_plan,
    render_table_result,
    send,
)
from actions.guard import decline, guard
from actions.turn import TurnAction
from guideline_engine.facts import (
    FactChange,
    fact_changes,
    facts_from_values,
    findings_from_values,
)
from guideline_engine.knowledge.approval import REFUSAL_TYPE
from guideline_engine.regimen.model import Gated, MissingFacts, Plan
from guideline_engine.render.answer import Line, Section
from guideline_engine.render.messages import messages
from guideline_engine.render.reply import Rendered, render_notice
from guideline_engine.topics import (
    TablePlan,
    Topic,
    fact_view,
    nothing_on_topic,
    renderer_of,
    topics,
)
from guideline_engine.topics.render import render_table_why

NEURO_QUESTION = "neurological_involvement"
INVALID_FACTS_TYPE = "b12.invalid_facts"
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:why|what|when|how|who|which|where|is|are|can|could|should|would|will|do|"
    r"does|did)\b",
    re.IGNORECASE,
)


def unusable_values(
    tracker: Tracker, values: dict[str, Any], stored: list[dict[str, Any]] | None = None
) -> Rendered | None:
    """The values given but not usable (named back), or None when every value can be used.

    Two sources: values the extractor refused in this or an earlier message (slot
    ``value_problems``, cleared when a usable value for the same fact arrives or on reset), and
    slot values :func:`facts_from_values` cannot read. ``stored`` replaces the slot (a reset
    in this turn that has not reached the tracker yet).
    """
    if stored is None:
        stored = [p for p in tracker.get_slot("value_problems") or [] if isinstance(p, dict)]
    read = facts_from_values(values)
    problems = [str(p.get("problem")) for p in stored] + list(read.problems)
    fields = list(dict.fromkeys([str(p.get("field")) for p in stored] + list(read.unreadable)))
    if not problems:
        return None
    text = "\n".join([messages().text("values_not_used"), *(f"- {p}" for p in problems)])
    return Rendered(
        text=text, payload={"type": INVALID_FACTS_TYPE, "problems": problems, "fields": fields}
    )


def plan_reply(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    values: dict[str, Any],
    stored_problems: list[dict[str, Any]] | None = None,
) -> list[EventType]:
    """Send the plan for ``values``, the one question still needed, or why there is none.

    The message goes to the topic it names or whose facts it states (else the conversation's
    topic, else the default one); a topic whose table hands over to another (treat B12 before
    folate) sends that topic's answer first, then its own.
    """
    if announced_this_turn(tracker, ASK_WHO_TYPE):
        return []  # whose facts these are comes first; nothing was merged (HAZ-120)
    if _emergency_for_patient(tracker):
        _hold_for_emergency(dispatcher)
        return [SlotSet("pending_question", None)]
    unusable = unusable_values(tracker, values, stored_problems)
    if unusable is not None:
        send(dispatcher, unusable)
        _gate_beside_refusal(dispatcher, tracker, values)
        return [SlotSet("pending_question", None)]
    topic = topics().route(message_text(tracker), fact_view(values), tracker.get_slot("topic"))
    before, shown = before_this_message(tracker)
    changes = fact_changes(before, values) if shown else ()
    events = _topic_reply(dispatcher, tracker, topic, values, changes)
    offer = None if _escalated(dispatcher, tracker) else audience_offer(tracker)
    if offer is not None:
        send(dispatcher, offer)
    return [SlotSet("topic", topic.id), *events]


def _gate_beside_refusal(
    dispatcher: CollectingDispatcher, tracker: Tracker, values: dict[str, Any]
) -> None:
    """A gate the usable facts already fire is said beside the refusal (review 10, H3).

    "b12 140 or maybe 410, plts 30 or 40": the B12 value is refused, but platelets of 30
    already need haematology advice, whatever the B12 turns out to be.
    """
    topic = topics().route(message_text(tracker), fact_view(values), tracker.get_slot("topic"))
    owner = topic if topic.rules_module is not None else topics().default
    facts = facts_from_values(values).facts
    result, rendered = render_gated_plan(facts, audience_of(tracker), owner)
    if isinstance(result, Gated):
        send(dispatcher, rendered, owner.id)


def _emergency_for_patient(tracker: Tracker) -> bool:
    """Whether this turn's triage was an emergency and the reader is not a clinician."""
    if audience_of(tracker) == "clinician":
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict) and custom.get("type") == TRIAGE_TYPE:
            if custom.get("urgency") == "emergency":
                return True
    return False


def _hold_for_emergency(dispatcher: CollectingDispatcher) -> None:
    """Hold a patient's plan after an emergency, so the call-999 advice is not diluted.

    The facts stay: once safe, "what treatment?" gives the plan (HAZ-123). Clinicians keep
    the banner and the plan.
    """
    payload = {"type": PLAN_HELD_TYPE, "reason": "emergency"}
    texts = (messages().text("plan_held_emergency"),)
    send(dispatcher, render_notice("notice", texts, payload, "patient", topic=None))


def _escalated(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Whether this turn sent triage advice or a gate: no audience offer beside either."""
    sent = [str(m["custom"].get("type", "")) for m in dispatcher.messages if m.get("custom")]
    return announced_this_turn(tracker, TRIAGE_TYPE) or any(t.endswith(".gate") for t in sent)


def _with_changes(rendered: Rendered, changes: tuple[FactChange, ...]) -> Rendered:
    """The plan with a first section naming the facts that changed since the last plan."""
    if not changes or not str(rendered.payload.get("type", "")).endswith(PLAN_TYPES):
        return rendered
    note = Section(messages().text("plan_changed"), tuple(Line(c.words()) for c in changes), "note")
    answer = dataclasses.replace(rendered.model, sections=(note, *rendered.model.sections))
    payload = {**rendered.payload, "changed": [c.to_dict() for c in changes]}
    return Rendered.of(answer, payload)


def _topic_reply(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    topic: Topic,
    values: dict[str, Any],
    changes: tuple[FactChange, ...] = (),
) -> list[EventType]:
    if topic.rules_module is not None:
        return _module_reply(dispatcher, tracker, topic, values, changes)[0]
    result, rendered = render_table_result(topic, values, audience_of(tracker))
    events: list[EventType] = []
    if isinstance(result, TablePlan) and result.defer_to is not None:
        first = topics().get(result.defer_to)
        if first.id != topic.id and first.rules_module is not None:
            events, first_shown = _module_reply(dispatcher, tracker, first, values, changes)
            changes = ()  # said once, on the first plan
            if not first_shown:
                # No plan shown by the topic that goes first (a question, a gate, a refusal):
                # this topic's lines wait for it (no folic acid before the B12 plan).
                return events
    if rendered is not None:
        send(dispatcher, _with_changes(rendered, changes), topic.id)
    if isinstance(result, MissingFacts):
        return [*events, SlotSet("pending_question", result.missing[0])]
    return events or [SlotSet("pending_question", None)]


def _module_reply(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    topic: Topic,
    values: dict[str, Any],
    changes: tuple[FactChange, ...] = (),
) -> tuple[list[EventType], bool]:
    """A topic whose rules are its own module, and whether its plan was shown.

    A plan refused by the approval gate was not shown.
    """
    facts = facts_from_values(values).facts
    result, rendered = render_gated_plan(facts, audience_of(tracker), topic)
    send(dispatcher, _with_changes(rendered, changes), topic.id)
    pending = result.missing[0] if isinstance(result, MissingFacts) else None
    shown = isinstance(result, Plan) and rendered.payload.get("type") != REFUSAL_TYPE
    return [SlotSet("pending_question", pending)], shown


class ActionPlan(TurnAction):
    """Reply with a cited plan, or ask the one question still needed."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_plan"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Build the plan from the slots and send text plus payload."""
        if guard(dispatcher, tracker):
            return []
        values = fact_values(tracker)
        intent = _intent(tracker)
        answer = {"affirm": "yes", "deny": "no"}.get(intent)
        if _not_this_topic(tracker, values, answer):
            # "How do I treat eczema?", "Post-op day 3, Hb 89. IV iron?": not our topics.
            decline(dispatcher, "not_this_topic")
            return []
        pending = tracker.get_slot("pending_question")
        if answer and pending == NEURO_QUESTION:
            values[NEURO_QUESTION] = answer
            return [SlotSet(NEURO_QUESTION, answer), *plan_reply(dispatcher, tracker, values)]
        if answer and pending and not describes_patient(tracker):
            # A yes/no to a question that wants a word ("low, borderline or normal?"): ask again.
            return plan_reply(dispatcher, tracker, values)
        if answer and not describes_patient(tracker):
            return _nothing_pending(dispatcher, tracker)
        return plan_reply(dispatcher, tracker, values)


def _not_this_topic(tracker: Tracker, values: dict[str, Any], answer: str | None) -> bool:
    """A first message that names no topic, states no topic's evidence and fires no gate.

    Only a conversation's first case: once there are facts from earlier messages, a topic, a
    yes/no or an earlier message ("new patient: 30M, vegan" in a B12 conversation), the
    message stays in the conversation (HAZ-084).
    """
    said = sum(1 for e in tracker.events if e.get("event") == "user")
    earlier = any(not entity_values(tracker, _ENTITY_OF.get(n, n)) for n in values)
    if said > 1 or earlier or answer or tracker.get_slot("topic"):
        return False
    mentioned = map(str, entity_values(tracker, "finding"))
    refused = len(entity_values(tracker, "invalid_value"))
    return nothing_on_topic(message_text(tracker), values, mentioned, refused)


_ENTITY_OF = {"causes": "cause"}
"""Fact slots filled from an entity of another name."""


def looks_like_a_question(tracker: Tracker) -> bool:
    """Ends with "?" or opens with a question word or an inverted auxiliary."""
    return bool(_QUESTION.search(message_text(tracker)))


def _nothing_pending(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A yes/no with no open question: a question is answered from the snippets, else ack."""
    if looks_like_a_question(tracker):
        answer_followup(dispatcher, tracker)
        return []
    from actions.session import send_notice  # actions.session imports this module

    send_notice(
        dispatcher,
        (messages().text("acknowledged"),),
        {"type": "b12.acknowledged", "pending": None},
        audience_of(tracker),
    )
    return []


def _intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name"))


class ActionExplain(TurnAction):
    """Answer "why?": the facts used and the rule path of the current plan."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_explain"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Recompute the (deterministic) plan and show how it was reached."""
        if announced_this_turn(tracker, ASK_WHO_TYPE):
            return []  # whose plan to explain is asked first (HAZ-152)
        values = fact_values(tracker)
        unusable = unusable_values(tracker, values)
        if unusable is not None:
            send(dispatcher, unusable)
            return []
        every = topics()
        current = tracker.get_slot("topic")
        topic = every.get(current) if current in {t.id for t in every.all} else every.default
        audience = audience_of(tracker)
        if topic.rules_module is None:
            table, shown = render_table_result(topic, values, audience)
            if isinstance(table, TablePlan):
                shown = render_table_why(table, audience)
            if shown is not None:
                send(dispatcher, shown, topic.id)
                return []
        owner = topic if topic.rules_module is not None else every.default
        facts = facts_from_values(values).facts
        result, rendered = render_gated_plan(facts, audience, owner)
        if isinstance(result, Plan) and rendered.payload.get("type") != REFUSAL_TYPE:
            findings = findings_from_values(tracker.get_slot("findings"))
            rendered = renderer_of(owner).render_why(result, audience, findings)
        send(dispatcher, rendered, owner.id)
        return []
