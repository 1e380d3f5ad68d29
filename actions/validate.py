"""Runs on every user turn (Rasa calls it from action_extract_slots), before any reply.

Triage comes first: the NLU pipeline has already detected red flags in the message; this action
only renders them. Then the audience (REST metadata wins), accumulated causes and findings
(every symptom, cause or antibody read, with its assertions, for "why?"), values refused by the
extractor, a reset that opens the message ("new patient: 30M, vegan, ..."), and the
once-per-conversation disclaimer.

A reset clears every patient slot and keeps this message's details as the new patient's; the
audience stays, because it describes the user, not the patient.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.engine import ASK_WHO_TYPE, WHO_ANSWERED_TYPE, approvals, message_text, send
from actions.pending import pending_test_answer
from actions.session import (
    NEW_PATIENT_TYPE,
    PATIENT_SLOTS,
    announce_new_patient,
    findings_in_message,
    problems_in_message,
    reset_events,
    send_notice,
)
from actions.subject import (
    HELD_FACTS,
    HELD_SLOTS,
    STARTED,
    asked_who,
    changes_by,
    earlier_slot,
    held_message,
    holds_followup_facts,
    other_person,
    restore_events,
    stated_facts,
    subject_of,
    who_reply,
)
from actions.unused import name_unused_results
from guideline_engine.extraction.extract import stated_audience
from guideline_engine.extraction.numbers import read_demographic
from guideline_engine.extraction.text import clean_text, normalise
from guideline_engine.facts import findings_from_values
from guideline_engine.render.answer import Button
from guideline_engine.render.answers import render_triage
from guideline_engine.render.messages import Audience, messages
from guideline_engine.render.reply import Rendered, render_notice

AUDIENCES = ("clinician", "patient")
# A carer reads the same plain language as a patient.
AUDIENCE_ALIASES = {"clinician": "clinician", "patient": "patient", "caregiver": "patient"}


def _entity_values(tracker: Tracker, entity: str) -> list[Any]:
    return list(tracker.get_latest_entity_values(entity))


def _about_other_person(tracker: Tracker) -> bool:
    """Whether the NLU said the most urgent red flags describe someone else, now."""
    return any(
        e.get("entity") == "triage_urgency" and e.get("about_other_person") is True
        for e in tracker.latest_message.get("entities") or []
    )


def _says_audience(tracker: Tracker) -> bool:
    """Whether the message states an audience in words (or by a button), not only by style."""
    if _entity_values(tracker, "audience") and not tracker.latest_message.get("text"):
        return True
    text = str(tracker.latest_message.get("text") or "")
    return text.startswith("/") or stated_audience(text) is not None


def _metadata_audience(tracker: Tracker) -> str | None:
    event = tracker.get_last_event_for("user") or {}
    audience = (event.get("metadata") or {}).get("audience")
    return audience if audience in AUDIENCES else None


def _triage_signal(tracker: Tracker) -> dict[str, Any]:
    """What the NLU found for triage in the latest message, as a who-question keeps it."""
    return {
        "red_flags": [str(v) for v in _entity_values(tracker, "red_flag")],
        "urgency": next(iter(_entity_values(tracker, "triage_urgency")), None),
        "describes_symptoms": bool(
            _entity_values(tracker, "symptom")
            or _entity_values(tracker, "triage_describes_symptoms")
        ),
        "about_other_person": _about_other_person(tracker),
    }


def _render_triage(signal: dict[str, Any], who: Audience, paused: bool) -> Rendered | None:
    """The triage reply for ``signal`` (this message's, or a held message's)."""
    red_flag_ids = [str(v) for v in signal.get("red_flags") or []]
    return render_triage(
        red_flag_ids=red_flag_ids,
        urgency=signal.get("urgency"),
        describes_symptoms=bool(signal.get("describes_symptoms")),
        audience=who,
        about_other_person=bool(signal.get("about_other_person")),
        offer_handoff=not paused and bool(os.environ.get("HANDOFF_WEBHOOK_URL")),
        advice_pending=approvals().advice_pending(red_flag_ids),
    )


def _patient_emergency(triage: Rendered | None, who: Audience) -> bool:
    """Whether this turn's triage is an emergency and the reader is not a clinician."""
    return who == "patient" and triage is not None and triage.payload["urgency"] == "emergency"


@dataclass(frozen=True)
class _Turn:
    """What the reply to a who-question needs to know about this turn.

    Attributes:
        paused: Handed over to a person: say nothing.
        who: The audience the reply is worded for.
        emergency: This turn's triage is a patient's emergency: no notice beside it.
        triaged: This turn already sent triage advice.
    """

    paused: bool
    who: Audience
    emergency: bool
    triaged: bool


LEVEL_OF_STATUS = {"b12_status": "b12_level", "folate_status": "folate_level"}
"""A status in words replaces a refused value of the same test."""


class ValidateSlotMappings(ValidationAction):
    """Triage, audience, accumulated causes and the disclaimer, every turn."""

    _slots_of: tuple[DomainDict | None, list[str]] = (None, [])

    def global_slots(self, domain: DomainDict) -> list[str]:
        """The SDK's slot list, computed once per request instead of once per slot.

        rasa_sdk asks for it for every slot of every turn (about 25 times a turn); the domain
        of one request does not change, so the list is kept with the domain it came from.
        """
        last, slots = self._slots_of
        if last is not domain:
            slots = super().global_slots(domain)
            self._slots_of = (domain, slots)
        return list(slots)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send triage (if any) first, then extract slots, then the disclaimer once."""
        events: list[EventType] = []
        audience = self.extract_audience(dispatcher, tracker, domain).get("audience")
        audience = audience or tracker.get_slot("audience")
        who: Audience = "clinician" if audience == "clinician" else "patient"
        # Handed over to a person: the bot stays silent, except that an emergency is still
        # named at once (the operator may not be reading yet).
        paused = tracker.is_paused()
        signal = _triage_signal(tracker)
        triage = _render_triage(signal, who, paused)
        if triage is not None and (not paused or triage.payload["urgency"] == "emergency"):
            send(dispatcher, triage)
        # A patient's emergency advice stands alone: no notice beside it (HAZ-155).
        emergency = _patient_emergency(triage, who)
        # Custom slots only (extract_<slot>); entity-mapped slots were filled by Rasa already.
        events += await self.get_extraction_events(dispatcher, tracker, domain)
        events += _pending_answer_events(tracker, events)
        asked = _resets(tracker)
        # A message naming another person asks whose it is before any implied reset (HAZ-153).
        names_other = not asked and other_person(tracker, audience) is not None
        implied = None if asked or names_other else _another_patient(tracker)
        question = asked_who(tracker)
        answer = None if question is None else who_reply(tracker, question, asked)
        if question is not None and answer is not None:
            # A reply to "is this about you or your mum?" (HAZ-142).
            state = _Turn(paused, who, emergency, triage is not None)
            events += _answer_who(dispatcher, tracker, domain, question, answer, state)
        elif question is not None and not emergency and not stated_facts(tracker):
            # Not understood: ask again, with the held facts, rather than show a plan (HAZ-152).
            if not paused:
                _ask_who_again(dispatcher, question, who)
            events += restore_events(tracker, domain, HELD_SLOTS)
        elif asked or implied:
            # Last, so these override the accumulated causes and refused values above.
            events += reset_events(tracker, domain)
            if not paused:
                _announce_reset(dispatcher, implied, who)
        else:
            # Last too: facts that must not reach the plan are set back to what they were.
            held = signal if triage is not None else None
            events += _held_facts(dispatcher, tracker, domain, audience, paused, held)
        if not paused and not tracker.get_slot("disclaimer_shown"):
            dispatcher.utter_message(text=messages().text(f"disclaimer_{who}"))
            events.append(SlotSet("disclaimer_shown", True))
        if not paused and not emergency:
            name_unused_results(dispatcher, tracker)  # never holds the plan (HAZ-140)
        return events

    def extract_audience(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """REST metadata first, then an audience stated in words or by a button.

        A known audience changes only when the user says who they are ("I'm a GP"): a patient
        must never be switched to dose-level wording by something else in a message.
        """
        audience = _metadata_audience(tracker)
        if audience is None:
            stated = [AUDIENCE_ALIASES.get(str(v)) for v in _entity_values(tracker, "audience")]
            audience = next((a for a in reversed(stated) if a), None)
            known = tracker.get_slot("audience")
            if audience and known and audience != known and not _says_audience(tracker):
                audience = None
        return {"audience": audience} if audience else {}

    def extract_value_problems(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Refused values stay until a usable value of the same fact arrives (or a reset).

        A test's status in words answers for its value ("I don't know the number, the letter
        says low" clears an unreadable B12 value), so the conversation cannot get stuck.
        """
        new = problems_in_message(tracker)
        known = [p for p in tracker.get_slot("value_problems") or [] if isinstance(p, dict)]
        given = {str(e.get("entity")) for e in tracker.latest_message.get("entities") or []}
        answered = {LEVEL_OF_STATUS[g] for g in given if g in LEVEL_OF_STATUS}
        replaced = given | answered | {p["field"] for p in new}
        kept = [p for p in known if p.get("field") not in replaced]
        merged = kept + new
        return {} if merged == known else {"value_problems": merged or None}

    def extract_causes(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Causes add up across turns until a new patient is started."""
        new = [str(v) for v in _entity_values(tracker, "cause")]
        if not new:
            return {}
        known = list(tracker.get_slot("causes") or [])
        return {"causes": known + [c for c in new if c not in known]}

    def extract_findings(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Findings, with their assertions, add up across turns until a new patient.

        Only affirmed findings about the patient reach the fact slots (the extractor decides);
        this slot keeps every finding so that "why?" can show the ones not counted.
        """
        new = findings_in_message(tracker)
        if not new:
            return {}
        known = [f.to_dict() for f in findings_from_values(tracker.get_slot("findings"))]
        merged = known + [f for f in new if f not in known]
        return {} if merged == known else {"findings": merged}


def _held_facts(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    audience: str | None,
    paused: bool,
    triage: dict[str, Any] | None = None,
) -> list[EventType]:
    """Keep facts out of the plan that may be another person's or came in a question.

    - A message that switches whose facts these are (the writer's, then "my mum is 80 ...")
      asks whether it is about the writer or the other person, and merges nothing (HAZ-120).
    - A follow-up question after a plan changes no fact; the follow-up action answers it and
      names its facts back (HAZ-121).
    - A route named in a question ("can I just take tablets instead?") is not a preference
      (HAZ-122).

    ``triage`` is this message's triage signal when it sent triage advice: the who-question
    keeps it, so a reply that starts the held case holds its plan as this message would
    (HAZ-150).
    """
    person = other_person(tracker, audience)
    if person is not None:
        if not paused:
            who: Audience = "clinician" if audience == "clinician" else "patient"
            _ask_who(dispatcher, tracker, person, who, triage)
        return restore_events(tracker, domain, HELD_SLOTS)
    if holds_followup_facts(tracker):
        return restore_events(tracker, domain, HELD_SLOTS)
    if _entity_values(tracker, "route_preference") and "route_preference" not in stated_facts(
        tracker
    ):
        return restore_events(tracker, domain, ("route_preference",))
    return []


def _ask_who(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    person: str,
    who: Audience,
    triage: dict[str, Any] | None = None,
) -> None:
    """Ask whether the message is about the writer (or the patient so far) or ``person``.

    The payload keeps the message's facts (``held``), whom it is about (``held_about``) and
    its triage signal (``triage``, when it sent triage advice), so a reply that starts a new
    patient for them needs no retyping (HAZ-142) and keeps its emergency (HAZ-150).
    """
    text = messages().text(f"ask_who_{who}").format(person=person)
    payload: dict[str, Any] = {
        "type": ASK_WHO_TYPE,
        "person": person,
        "facts_used": False,
        "held_about": subject_of(message_text(tracker)),
        "held": held_message(tracker),
    }
    if triage is not None:
        payload["triage"] = triage
    buttons = (Button("New patient", "/new_patient"),)
    send(dispatcher, render_notice("ask", (text,), payload, who, topic=None, buttons=buttons))


def _ask_who_again(
    dispatcher: CollectingDispatcher, question: dict[str, Any], who: Audience
) -> None:
    """Ask the who-question again for a reply that does not say who (HAZ-152).

    The payload is the question's own (held facts, whom they are about, their triage), so a
    clear answer next time still starts or keeps the right case; nothing is merged, and no
    plan is shown until it is answered.
    """
    person = str(question.get("person") or "")
    text = messages().text(f"ask_who_again_{who}").format(person=person)
    keep = ("person", "held_about", "held", "triage")
    payload = {"type": ASK_WHO_TYPE, "facts_used": False, "again": True}
    payload |= {k: question[k] for k in keep if k in question}
    buttons = (Button("New patient", "/new_patient"),)
    send(dispatcher, render_notice("ask", (text,), payload, who, topic=None, buttons=buttons))


def _pending_answer_events(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """Slots for a reply that is only the number of the test just asked about (HAZ-141).

    A refused value joins the refused values (it holds the plan, named back); a usable one
    replaces any refused value of the same test.
    """
    answer = pending_test_answer(tracker)
    if not answer:
        return []
    problems = answer.pop("value_problems", [])
    set_now = [e for e in events if e.get("event") == "slot" and e.get("name") == "value_problems"]
    known = set_now[-1]["value"] if set_now else tracker.get_slot("value_problems")
    fields = set(answer) | {p["field"] for p in problems}
    kept = [p for p in known or [] if isinstance(p, dict) and p.get("field") not in fields]
    out: list[EventType] = [SlotSet(name, value) for name, value in answer.items()]
    return [*out, SlotSet("value_problems", kept + problems or None)]


def _answer_who(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    question: dict[str, Any],
    answer: str,
    state: _Turn,
) -> list[EventType]:
    """Start a new patient with the held facts, or keep the facts so far and say so.

    Started: every patient slot is set from the held message alone, as a reset would from
    the message itself; the held message's triage advice is said again (when this turn has
    none), so an emergency holds the started patient's plan exactly as it would have in one
    message (HAZ-150). Kept: nothing changes, and the held facts are named as not added
    (not beside a patient's emergency advice: HAZ-155).
    """
    held = dict(question.get("held") or {})
    who, paused = state.who, state.paused
    if answer == STARTED:
        if not paused:
            _restate_held_triage(dispatcher, question, state)
            payload = {"type": NEW_PATIENT_TYPE, "from_held": True}
            if question.get("held_about"):
                payload["about"] = question["held_about"]
            texts = (messages().text("new_patient_from_held"),)
            send_notice(dispatcher, texts, payload, who)
        slots = {**held, "pending_question": None, "topic": None}
        known = domain.get("slots", {})
        return [SlotSet(n, slots.get(n)) for n in PATIENT_SLOTS if n in known]
    if not paused and not state.emergency:
        current = {n: v for n in HELD_FACTS if (v := tracker.get_slot(n)) is not None}
        changes = changes_by(current, held) or changes_by({}, held)
        facts = "; ".join(c.words() for c in changes)
        payload = {
            "type": WHO_ANSWERED_TYPE,
            "kept": True,
            "facts": [c.to_dict() for c in changes],
        }
        text = messages().text(f"who_kept_{who}").format(facts=facts)
        send_notice(dispatcher, (text,), payload, who)
    return []


def _restate_held_triage(
    dispatcher: CollectingDispatcher, question: dict[str, Any], state: _Turn
) -> None:
    """Say the held message's urgent or emergency advice again for the case it starts.

    Its triage payload in this turn is what holds a patient's plan after an emergency
    (``actions.plan``), as if the held message had just been sent.
    """
    signal = question.get("triage")
    if state.triaged or not isinstance(signal, dict):
        return
    triage = _render_triage(signal, state.who, state.paused)
    if triage is not None and triage.payload["urgency"] in ("urgent", "emergency"):
        send(dispatcher, triage)


def _another_patient(tracker: Tracker) -> str | None:
    """Why the latest message is about another patient without saying so, or None.

    ``"age"``: an age more than a year from the known one. ``"sex"``: an age and sex stated
    together ("45M", "45-year-old man") whose sex contradicts the patient's (HAZ-020).
    """
    if _another_age(tracker):
        return "age"
    if _another_sex(tracker):
        return "sex"
    return None


def _announce_reset(dispatcher: CollectingDispatcher, implied: str | None, who: Audience) -> None:
    """Say the previous patient's details were cleared, and why when the user did not ask.

    The payload names the reason (``"age"`` or ``"sex"``) of an implied reset, and so does the
    sentence.
    """
    announce_new_patient(dispatcher, implied=implied is not None, audience=who, reason=implied)


def _demographic(text: str) -> tuple[int, str] | None:
    return read_demographic(normalise(clean_text(text)))


def _another_sex(tracker: Tracker) -> bool:
    """A complete demographic (age and sex) whose sex contradicts the known patient's.

    "45F pernicious anaemia, platelets 35" then "45M vegan, no neuro symptoms": the same age,
    but a man cannot be the woman described, so her platelets and cause must not carry over.
    A pronoun ("he") alone never resets: it may be about someone else.
    """
    stated = _demographic(str(tracker.latest_message.get("text") or ""))
    if stated is None:
        return False
    known = _earlier_sex(tracker)
    return known is not None and known != stated[1]


def _earlier_sex(tracker: Tracker) -> str | None:
    """The patient's sex before the latest message, from this patient's messages only.

    The last earlier message of the same patient that states age and sex together decides;
    without one, a recorded pregnancy or breastfeeding means female. The search stops at a
    reset (``b12.new_patient``: the message that caused it still belongs to the new patient)
    and at the start of a session.
    """
    seen_latest = False
    boundary = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            break
        if kind == "bot" and _announces_new_patient(event):
            boundary = True
        elif kind == "user":
            if not seen_latest:
                seen_latest = True
                continue
            stated = _demographic(str(event.get("text") or ""))
            if stated is not None:
                return stated[1]
            if boundary:
                break
    if "yes" in (earlier_slot(tracker, "pregnant"), earlier_slot(tracker, "breastfeeding")):
        return "female"
    return None


def _announces_new_patient(event: dict[str, Any]) -> bool:
    custom = (event.get("data") or {}).get("custom")
    return isinstance(custom, dict) and custom.get("type") == NEW_PATIENT_TYPE


def _another_age(tracker: Tracker) -> bool:
    """An age more than a year from the one known: another patient, never merged with the last.

    A clinician who moves on without saying so ("now a 25 year old vegan man") must not get a
    plan built on the previous patient's cause or platelets (HAZ-020). A correction of a year
    either way ("sorry, 71 not 70") keeps the patient.
    """
    stated, known = _entity_values(tracker, "age"), _earlier_age(tracker)
    if not stated or known is None:
        return False
    try:
        return abs(float(stated[-1]) - float(known)) > 1
    except (TypeError, ValueError):
        return False


def _earlier_age(tracker: Tracker) -> Any:
    """The last age set before the latest user message, however many turns back."""
    return earlier_slot(tracker, "age")


def _resets(tracker: Tracker) -> bool:
    """A message that opens with a reset, or the new-patient intent (button or words)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return bool(_entity_values(tracker, "reset")) or intent == "new_patient"
