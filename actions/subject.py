"""Whose facts a message gives, and which facts must wait instead of changing the plan.

Two ways another person's facts used to reach the writer's plan (review 9, finding 4):

- a message names another person ("my mum is 80 and her b12 is 90") in a conversation about
  the writer ("my b12 is 110, i'm vegan"), or the reverse: it is asked "is this about you or
  about your mum?" and nothing of it is merged (HAZ-120);
- a follow-up question after a plan carries facts ("my neighbour got pins and needles, is that
  normal?"): the question is answered and the facts are named back, never silently added to
  the plan (HAZ-121).

Who a message is about is read from its words: a relative or friend named as in the
extractor's own list (``negation.yml``: ``experiencer_writer.relative_pre``, "my mum", "my
neighbour"), else the writer's first person ("i", "my b12"). A message with neither ("45F,
B12 120", "she is also vegan") says nothing about who, and never triggers the question.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.engine import ASK_WHO_TYPE, FACTS_HELD_TYPE, before_this_message, message_text
from guideline_engine.extraction.text import normalise
from guideline_engine.extraction.vocab import load_context_rules
from guideline_engine.facts import FACT_NAMES, FactChange, fact_changes

WRITER = "you"
"""The subject of a message written about the writer themself."""
HELD_FACTS: tuple[str, ...] = tuple(n for n in FACT_NAMES if n != "formulary")
"""Facts about the patient (the formulary is the clinic's, not the patient's)."""
HELD_SLOTS: tuple[str, ...] = (*HELD_FACTS, "findings", "value_problems")
"""Slots a held message must leave as they were."""
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|me|my|mine|myself)\b")
_THIRD_PERSON = re.compile(r"\b(?:she|he|her|his|him|hers|they|them|their|she's|he's)\b")
_STATES_PREFERENCE = re.compile(
    r"\b(?:prefer|prefers|preferred|preference|rather|want|wants|wanted|would like|'d like)\b"
)


@cache
def _relatives() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(person word, pattern) for each "my <person>" of the extractor's writer rules."""
    out = []
    for phrase in load_context_rules().writer.relative_pre:
        person = phrase.removeprefix("my ").strip()
        out.append((person, re.compile(rf"\bmy\s+(?:\w+\s+)?{re.escape(person)}s?\b")))
    return tuple(out)


def subject_of(text: str) -> str | None:
    """Who a message is about: a person word ("mum"), :data:`WRITER`, or None (not said).

    The first relative named wins; the writer's first person counts only when no relative is
    named and no third person is referred to ("I think she has numb feet" is not the writer).
    """
    low = normalise(text)
    named = [(m.start(), person) for person, rx in _relatives() if (m := rx.search(low))]
    if named:
        return min(named)[1]
    if _THIRD_PERSON.search(low):
        return None
    return WRITER if _FIRST_PERSON.search(low) else None


def stated_facts(tracker: Tracker) -> dict[str, Any]:
    """The patient facts the latest message states, by slot name (as a reset reads them).

    A route named in a question is not a stated preference (:func:`asked_as_question`).
    """
    out: dict[str, Any] = {}
    causes = [str(v) for v in tracker.get_latest_entity_values("cause")]
    if causes:
        out["causes"] = list(dict.fromkeys(causes))
    for name in HELD_FACTS:
        if name == "causes":
            continue
        values = list(tracker.get_latest_entity_values(name))
        if values:
            out[name] = values[-1]
    if "route_preference" in out and asked_as_question(message_text(tracker)):
        del out["route_preference"]  # "can I take tablets instead?" asks; it does not prefer
    return out


def new_facts(tracker: Tracker, before: dict[str, Any]) -> tuple[FactChange, ...]:
    """Facts of the latest message that differ from ``before`` (causes: only new ones count)."""
    stated = stated_facts(tracker)
    if "causes" in stated:
        known = [str(c) for c in before.get("causes") or []]
        added = [c for c in stated["causes"] if c not in known]
        stated["causes"] = known + added if added else before.get("causes")
    return fact_changes(before, {**before, **stated})


def _fact_bearing(tracker: Tracker) -> list[tuple[str, bool]]:
    """Earlier user messages of this patient, oldest first, with whether they set a fact.

    A message whose facts were held (the who-question or held follow-up facts) sets none.
    The walk stops at a reset or a new session.
    """
    out: list[tuple[str, bool]] = []
    text, sets, held = None, False, False
    events = list(tracker.events)
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    for event in events[:last]:
        kind = event.get("event")
        custom = _custom_type(event)
        if kind in ("restart", "session_started"):
            out, text, sets, held = [], None, False, False
        elif custom.endswith(".new_patient"):
            out = []  # the message that reset belongs to the new patient
        if kind == "user":
            if text is not None:
                out.append((text, sets and not held))
            text, sets, held = str(event.get("text") or ""), False, False
        elif kind == "slot" and event.get("name") in HELD_FACTS and event.get("value") is not None:
            sets = True
        elif custom in (ASK_WHO_TYPE, FACTS_HELD_TYPE):
            held = True
    if text is not None:
        out.append((text, sets and not held))
    return out


def _custom_type(event: dict[str, Any]) -> str:
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    return str(custom.get("type", "")) if isinstance(custom, dict) else ""


def conversation_subject(tracker: Tracker, audience: str | None) -> str | None:
    """Who the patient's facts so far are about: the latest fact message that says who.

    A patient-audience conversation whose fact messages never say who is about the writer
    (a carer names the person they write about); a clinician's is about no one in particular.
    """
    bearing = [text for text, sets in _fact_bearing(tracker) if sets]
    if not bearing:
        return None
    for text in reversed(bearing):
        subject = subject_of(text)
        if subject is not None:
            return subject
    return WRITER if audience != "clinician" else None


def other_person(tracker: Tracker, audience: str | None) -> str | None:
    """The person word to ask about when the latest message switches whose facts these are.

    The message must state patient facts, say who it is about, and differ from whom the
    conversation's facts were about. The person named is returned ("mum" in "you or your
    mum?"), whichever side of the switch they are on.
    """
    if not stated_facts(tracker):
        return None
    subject = subject_of(message_text(tracker))
    known = conversation_subject(tracker, audience)
    if subject is None or known is None or subject == known:
        return None
    return subject if subject != WRITER else known


def holds_followup_facts(tracker: Tracker) -> tuple[FactChange, ...]:
    """New facts of a follow-up question sent after a plan, which must not change it."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent != "ask_followup":
        return ()
    before, shown = before_this_message(tracker)
    return new_facts(tracker, before) if shown else ()


def restore_events(
    tracker: Tracker, domain: dict[str, Any], names: tuple[str, ...]
) -> list[EventType]:
    """Set each slot of ``names`` back to its value before the latest message."""
    known = domain.get("slots", {})
    return [SlotSet(n, earlier_slot(tracker, n)) for n in names if n in known]


def earlier_slot(tracker: Tracker, name: str) -> Any:
    """The last value of slot ``name`` set before the latest user message."""
    user_turns = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_turns += 1
        elif user_turns and event.get("event") == "slot" and event.get("name") == name:
            return event.get("value")
    return None


def asked_as_question(text: str) -> bool:
    """A route named in a question ("can I just take tablets instead?"), not a preference."""
    low = normalise(text)
    question = bool(
        re.search(r"\?\s*$", low)
        or re.match(r"\s*(?:can|could|should|would|will|do|does|is|are|what|why|how)\b", low)
    )
    return question and not _STATES_PREFERENCE.search(low)
