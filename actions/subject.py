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
from actions.session import findings_in_message, problems_in_message
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
    return changes_by(before, stated_facts(tracker))


def changes_by(before: dict[str, Any], stated: dict[str, Any]) -> tuple[FactChange, ...]:
    """Facts of ``stated`` (slot names) that differ from ``before`` (causes: new ones count)."""
    stated = {n: v for n, v in stated.items() if n in HELD_FACTS}
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

    A patient-audience conversation whose fact messages never say who is about the person a
    reply to the who-question started it for, else the writer (a carer names the person they
    write about); a clinician's is about no one in particular.
    """
    bearing = [text for text, sets in _fact_bearing(tracker) if sets]
    if not bearing:
        return None
    for text in reversed(bearing):
        subject = subject_of(text)
        if subject is not None:
            return subject
    declared = declared_subject(tracker)  # "her" started a new patient: mum's facts
    if declared is not None:
        return declared
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


NEW_PATIENT_WORDS = re.compile(
    r"\b(?:new patient|new pt|someone else|someone new|another (?:person|patient)|"
    r"a different (?:person|patient))\b"
)
_SAME_PATIENT = re.compile(r"\b(?:same patient|the patient so far|patient so far|same person)\b")
_NOT_THIS_ONE = re.compile(r"\bnot\s+(?:about\s+|for\s+)?(?:me|myself|her|him|them|my\s+\w+)\b")
KEPT, STARTED = "kept", "started"
"""What a reply to the who-question did: kept the facts so far, or started the held ones."""


def asked_who(tracker: Tracker) -> dict[str, Any] | None:
    """The who-question payload the bot sent in reply to the previous message, if any."""
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return None
        elif users == 1 and _custom_type(event) == ASK_WHO_TYPE:
            custom = (event.get("data") or {}).get("custom")
            return dict(custom) if isinstance(custom, dict) else None
    return None


def who_reply(tracker: Tracker, asked: dict[str, Any], resets: bool) -> str | None:
    """:data:`KEPT` or :data:`STARTED` for a short reply to the who-question, else None.

    The question asks whom the held message is about. A reply naming that person ("my mum",
    "her" when the held message was about mum; "me" when it was the writer's), or "new
    patient", starts a new patient with the held facts; a reply naming whom the facts so far
    are about ("me" after "my mum is 80 ..."), or "same patient", keeps them and adds nothing.
    A reply that states facts, names someone else, or names both is no answer.
    """
    low = normalise(message_text(tracker))
    if stated_facts(tracker) or len(low.split()) > 8:
        return None
    if resets or NEW_PATIENT_WORDS.search(low):
        return STARTED
    if _SAME_PATIENT.search(low):
        return KEPT
    low = _NOT_THIS_ONE.sub(" ", low)
    person = str(asked.get("person") or "")
    relatives = {p for p, rx in _relatives() if rx.search(low)}
    bare = {person} if person and re.search(rf"\b{re.escape(person)}s?\b", low) else set()
    if relatives - {person}:
        return None
    without = low
    for _, rx in _relatives():
        without = rx.sub(" ", without)
    other = bool(relatives or bare or _THIRD_PERSON.search(without))
    writer = bool(_FIRST_PERSON.search(without))
    if other == writer:
        return None
    side = WRITER if writer else person
    return STARTED if side == asked.get("held_about") else KEPT


def held_message(tracker: Tracker) -> dict[str, Any]:
    """The patient facts of the latest message, with its findings and refused values.

    Kept in the who-question's payload, so that a reply starting a new patient uses them.
    """
    held = stated_facts(tracker)
    findings, problems = findings_in_message(tracker), problems_in_message(tracker)
    if findings:
        held["findings"] = findings
    if problems:
        held["value_problems"] = problems
    return held


def declared_subject(tracker: Tracker) -> str | None:
    """Whom the latest reset was declared to be about (``about`` of a new patient), if any."""
    about = None
    for event in tracker.events:
        if event.get("event") in ("restart", "session_started"):
            about = None
        elif _custom_type(event).endswith(".new_patient"):
            custom = (event.get("data") or {}).get("custom") or {}
            about = custom.get("about") if isinstance(custom, dict) else None
    return str(about) if about else None
