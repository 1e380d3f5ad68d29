"""Review 9c, findings 2-5 and 7a: whose case a reply starts, and nothing beside an emergency.

Driven through the real NLU component and the real actions (``tests/actions/conversation.py``).

- Finding 2 (HAZ-150): a case started from a held message keeps that message's emergency, so
  the patient's plan is held exactly as if the message had come alone.
- Finding 3 (HAZ-151, HAZ-152): "my mother", "mom", "not me" answer "is this about you or
  about your mum?"; a reply that does not say who is asked again, never answered with the
  writer's plan.
- Finding 4 (HAZ-153): a message naming another person of another age asks who before any
  implied reset, so "it's me" / "same patient" keeps the case so far.
- Finding 5 (HAZ-154): a clinician's "my mum has platelets of 30" is asked about, not merged.
- Finding 7, first point (HAZ-155): a patient's emergency advice is not diluted by the
  unused-results notice or the who-kept notice.
"""

from __future__ import annotations

import re

import pytest

from actions.subject import parse_people, same_person
from tests.actions.conversation import Conversation, Turn

WRITER = "my b12 is 130 ng/L, i eat no meat or dairy, no pins and needles. what treatment"
MUM = "my mum is 78 and her b12 is 85, she has numb toes, does she need the jabs as well"
MUM_EMERGENCY = "my mum is 78, b12 85, and her legs suddenly went weak today"
PREGNANT = "i'm 30 and 20 weeks pregnant, b12 150 ng/L, no tingling, vegan"
CLINICIAN_CASE = "45F, B12 120 ng/L, no neuro, pernicious anaemia"
DOSE = re.compile(r"\d\s*(?:mg|mcg|µg|micrograms?)\b|three times a week|every \d", re.IGNORECASE)


def _types(turn: Turn) -> list[str]:
    return [str(p.get("type")) for p in turn.payloads()]


def _no_plan(turn: Turn) -> None:
    types = _types(turn)
    assert not [t for t in types if t.endswith((".regimen", ".plan", ".gate"))], types


def _no_dose(turn: Turn) -> None:
    assert not [t for t in turn.texts() if DOSE.search(t)], turn.texts()


async def _asked(first: str, second: str, audience: str = "patient") -> Conversation:
    chat = Conversation(audience=audience)
    await chat.say(first)
    turn = await chat.say(second)
    asked = turn.payload("b12.ask_who")
    assert asked["person"] == "mum"
    assert not turn.payloads("b12.new_patient")
    _no_plan(turn)
    return chat


# HAZ-150 (finding 2): the held message's emergency holds the plan of the case it starts.


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        pytest.param("her", "nlu_fallback", id="her"),
        pytest.param("my mum", "inform", id="my-mum"),
        pytest.param("new patient", "new_patient", id="new-patient"),
    ],
)
async def test_a_case_started_from_a_held_emergency_holds_the_patients_plan(
    reply: str, intent: str
) -> None:
    chat = Conversation(audience="patient")
    await chat.say("my b12 is 130 ng/L, vegan, no pins and needles")
    asked = await chat.say(MUM_EMERGENCY)
    assert asked.payload("b12.triage")["urgency"] == "emergency"
    assert asked.payload("b12.ask_who")["triage"]["urgency"] == "emergency"
    turn = await chat.say(reply, intent)
    assert turn.payload("b12.new_patient")["from_held"] is True
    assert turn.payload("b12.triage")["urgency"] == "emergency"  # the advice is said again
    assert turn.payload("b12.plan_held")["reason"] == "emergency"
    _no_plan(turn)
    assert turn.slots["age"] == 78
    assert turn.slots["neurological_involvement"] == "yes"
    # The facts stay: once safe, asking for treatment gives her plan (HAZ-123).
    later = await chat.say("what treatment does she need")
    assert later.payloads("b12.regimen")
    _no_dose(later)


async def test_a_clinician_starting_a_held_emergency_sees_the_banner_and_the_plan() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(CLINICIAN_CASE)
    asked = await chat.say(MUM_EMERGENCY)
    assert asked.payload("b12.ask_who")["triage"]["urgency"] == "emergency"
    turn = await chat.say("my mum")
    types = _types(turn)
    assert types.index("b12.triage") < types.index("b12.new_patient")
    assert turn.payload("b12.triage")["urgency"] == "emergency"
    assert turn.payloads("b12.regimen")
    assert turn.slots["age"] == 78


async def test_keeping_the_writers_case_does_not_restate_mums_emergency() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my b12 is 130 ng/L, vegan, no pins and needles")
    await chat.say(MUM_EMERGENCY)
    turn = await chat.say("it's me")
    assert turn.payload("b12.who_answered")["kept"] is True
    assert not turn.payloads("b12.triage")
    assert turn.slots["b12_level"] == "130 ng/L"


# HAZ-151 (finding 3): words for the same person, and a reply that only denies one side.


@pytest.mark.parametrize(
    "reply",
    ["my mother", "mother", "mom", "my mom", "mam", "my mam", "ma", "not me", "not about me"],
)
async def test_another_word_for_mum_or_not_me_starts_her_case(reply: str) -> None:
    chat = await _asked(WRITER, MUM)
    turn = await chat.say(reply)
    started = turn.payload("b12.new_patient")
    assert started["from_held"] is True
    assert started["about"] == "mum"
    assert turn.slots["age"] == 78
    assert turn.slots["neurological_involvement"] == "yes"
    assert turn.slots["causes"] is None  # the writer's diet is not hers
    assert turn.payloads("b12.regimen")
    _no_dose(turn)


@pytest.mark.parametrize(
    "reply", ["not her", "not mum", "not my mum", "me not mum", "not my mother"]
)
async def test_denying_mum_keeps_the_writers_case(reply: str) -> None:
    chat = await _asked(WRITER, MUM)
    turn = await chat.say(reply)
    assert turn.payload("b12.who_answered")["kept"] is True
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["age"] is None
    assert turn.slots["neurological_involvement"] == "no"
    assert turn.slots["b12_level"] == "130 ng/L"


async def test_a_message_about_my_mother_is_the_same_person_as_my_mum() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my mum is 80, her b12 is 90 ng/L, she has pernicious anaemia")
    turn = await chat.say("my mother also has numb feet")
    assert not turn.payloads("b12.ask_who")
    assert turn.slots["neurological_involvement"] == "yes"


def test_people_vocabulary_maps_every_word_to_one_person() -> None:
    people = same_person()
    assert {people[w] for w in ("mum", "mom", "mother", "mam", "ma")} == {"mum"}
    assert {people[w] for w in ("dad", "father", "daddy")} == {"dad"}
    assert people["grandmother"] == "grandma"
    # two grandmothers are often "nan" and "gran": never one person (review 10b, H1)
    assert len({people["nan"], people["gran"], people["grandma"]}) == 3


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param({"version": 1, "same_person": {"mum": ["mom"], "ma": ["mom"]}}, "two groups"),
        pytest.param({"version": 1, "same_person": {"mum": ["my mom"]}}, "bad word"),
        pytest.param({"version": 2, "same_person": {"mum": ["mom"]}}, "version"),
        pytest.param({"version": 1, "people": {"mum": ["mom"]}}, "keys"),
    ],
)
def test_people_vocabulary_is_validated(data: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_people(data)


# HAZ-152 (finding 3): a reply that does not say who is asked again, never given a plan.


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        pytest.param("no my dad", "inform", id="someone-else"),
        pytest.param("no", "deny", id="no"),
        pytest.param("yes", "affirm", id="yes"),
        pytest.param("you", "inform", id="you"),
        pytest.param("both of us", "inform", id="both-of-us"),
        pytest.param("both me and my mum", "inform", id="both"),
        pytest.param("not my dad", "inform", id="denies-someone-else"),
        pytest.param("hmm", "nlu_fallback", id="hmm"),
    ],
)
async def test_a_reply_that_does_not_say_who_is_asked_again(reply: str, intent: str) -> None:
    chat = await _asked(WRITER, MUM)
    turn = await chat.say(reply, intent)
    again = turn.payload("b12.ask_who")
    assert again["again"] is True
    assert again["held_about"] == "mum"
    assert again["held"]["age"] == 78
    assert any("Are they about you or about your mum?" in t for t in turn.texts())
    _no_plan(turn)
    assert not turn.payloads("b12.who_answered")
    assert turn.slots["age"] is None
    assert turn.slots["b12_level"] == "130 ng/L"
    # The question stays open: a clear answer next still starts her case with her facts.
    started = await chat.say("my mother")
    assert started.payload("b12.new_patient")["from_held"] is True
    assert started.slots["age"] == 78


async def test_why_while_the_who_question_is_open_explains_no_ones_plan() -> None:
    chat = await _asked(WRITER, MUM)
    turn = await chat.say("why?", "ask_why")
    assert turn.payload("b12.ask_who")["again"] is True
    assert not turn.payloads("b12.why")
    _no_plan(turn)


# HAZ-153 (finding 4): another person of another age is asked about, not an implied reset.


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        pytest.param("it's me", "inform", id="its-me"),
        pytest.param("what about me", "ask_followup", id="what-about-me"),
        pytest.param("same patient", "inform", id="same-patient"),
    ],
)
async def test_it_is_me_after_mum_of_another_age_keeps_the_writers_pregnancy(
    reply: str, intent: str
) -> None:
    chat = Conversation(audience="patient")
    await chat.say(PREGNANT)
    turn = await chat.say("my mum is 78 and her b12 is 85, she has numb toes")
    assert turn.payload("b12.ask_who")["held"]["age"] == 78
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["pregnant"] == "yes"
    _no_plan(turn)
    kept = await chat.say(reply, intent)
    assert kept.payload("b12.who_answered")["kept"] is True
    assert any("I have not added the ones from your last message" in t for t in kept.texts())
    assert kept.slots["age"] == 30
    assert kept.slots["pregnant"] == "yes"
    assert kept.slots["neurological_involvement"] == "no"
    assert not kept.payloads("b12.regimen")  # never mum's plan


async def test_naming_mum_of_another_age_starts_her_case_without_the_pregnancy() -> None:
    chat = Conversation(audience="patient")
    await chat.say(PREGNANT)
    await chat.say("my mum is 78 and her b12 is 85, she has numb toes")
    turn = await chat.say("my mum")
    assert turn.payload("b12.new_patient")["about"] == "mum"
    assert turn.slots["age"] == 78
    assert turn.slots["pregnant"] is None
    assert turn.slots["causes"] is None


@pytest.mark.parametrize("reply", ["same patient", "the patient"])
async def test_same_patient_after_a_clinicians_mum_of_another_age_keeps_the_patient(
    reply: str,
) -> None:
    chat = await _asked(CLINICIAN_CASE, "my mum is 80 with b12 90 and numb feet", "clinician")
    turn = await chat.say(reply)
    assert turn.payload("b12.who_answered")["kept"] is True
    assert turn.slots["age"] == 45
    assert turn.slots["b12_level"] == "120 ng/L"
    assert turn.slots["neurological_involvement"] == "no"
    plan = turn.payload("b12.regimen")
    assert plan["facts_used"]["age"] == 45


async def test_an_age_change_without_another_person_is_still_an_implied_reset() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(CLINICIAN_CASE)
    turn = await chat.say("now a 25 year old vegan man, b12 100 ng/L, no neuro")
    assert turn.payload("b12.new_patient")["implied"] is True
    assert not turn.payloads("b12.ask_who")
    assert turn.slots["causes"] == ["dietary"]


# HAZ-154 (finding 5): a clinician's relative is asked about, not merged into the patient.


async def test_a_clinicians_mum_is_asked_about_not_merged() -> None:
    chat = await _asked(CLINICIAN_CASE, "my mum has platelets of 30 and b12 90", "clinician")
    assert chat.slots["platelet_count"] is None
    assert chat.slots["b12_level"] == "120 ng/L"
    started = await chat.say("new patient", "new_patient")
    assert started.payload("b12.new_patient")["from_held"] is True
    assert started.slots["platelet_count"] == 30.0
    assert started.slots["b12_level"] == "90"
    assert started.slots["causes"] is None
    assert started.slots["age"] is None


async def test_a_clinicians_question_text_names_the_patient_so_far() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(CLINICIAN_CASE)
    turn = await chat.say("my mum has platelets of 30 and b12 90")
    assert any("about the patient so far or about your mum" in t for t in turn.texts())


async def test_a_clinicians_first_person_is_still_the_patient() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(CLINICIAN_CASE)
    turn = await chat.say("my patient also has tingling in her feet now")
    assert not turn.payloads("b12.ask_who")
    assert turn.slots["neurological_involvement"] == "yes"


# HAZ-155 (finding 7, first point): nothing beside a patient's emergency advice.


async def test_no_unused_results_notice_beside_a_patients_emergency() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say("my ferritin is 9 and I can't breathe")
    assert turn.payload("b12.triage")["urgency"] == "emergency"
    assert not turn.payloads("b12.unused_results")
    assert not [t for t in turn.texts() if "ferritin 9" in t]


async def test_the_unused_results_notice_stays_without_an_emergency() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say("my iron is 7")
    assert turn.payloads("b12.unused_results")


async def test_no_who_kept_notice_beside_a_patients_emergency() -> None:
    chat = await _asked(WRITER, MUM)
    turn = await chat.say("me, and I can't breathe")
    assert turn.payload("b12.triage")["urgency"] == "emergency"
    assert turn.payload("b12.plan_held")["reason"] == "emergency"
    assert not turn.payloads("b12.who_answered")
    assert turn.slots["age"] is None  # still nothing of mum's merged
    assert turn.slots["b12_level"] == "130 ng/L"


async def test_an_emergency_reply_to_the_who_question_is_not_asked_again() -> None:
    chat = await _asked(WRITER, MUM)
    turn = await chat.say("help she just collapsed and is not breathing")
    assert turn.payload("b12.triage")["urgency"] == "emergency"
    assert not [p for p in turn.payloads("b12.ask_who") if p.get("again")]
    _no_plan(turn)


@pytest.mark.parametrize("reply", ["my mother", "no", "me", "not me"])
async def test_every_reply_to_the_who_question_carries_a_payload(reply: str) -> None:
    chat = await _asked(WRITER, MUM)
    turn = await chat.say(reply)
    assert turn.payloads()
    _no_dose(turn)
