"""Failures found by the independent safety review of 2026-12-01, each driven like a real turn."""

from __future__ import annotations

import pytest

from guideline_engine.content.b12.render import render_result
from guideline_engine.extraction import extract
from guideline_engine.triage import assess
from tests.actions.conversation import Conversation

PA_PATIENT = "70F pernicious anaemia, no neuro, platelets 40"


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("ok next one - 30F vegan, no neuro", id="next-one"),
        pytest.param("moving on, 30F vegan, no neuro", id="moving-on"),
        pytest.param("right, different lady now, 30F vegan, no neuro", id="different-lady"),
    ],
)
async def test_a_patient_switch_in_other_words_forgets_the_previous_patient(message: str) -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_PATIENT)
    turn = await chat.say(message)
    assert turn.payloads("b12.new_patient")
    plan = turn.payload("b12.regimen")
    assert plan["facts_used"]["causes"] == ["dietary"]
    assert "platelet_count" not in plan["facts_used"]


def test_a_relatives_condition_beside_the_writers_own_is_someone_elses() -> None:
    facts = extract("my sister has pernicious anaemia and numb feet. I have low b12, no symptoms")
    assert "pernicious_anaemia" not in facts.causes
    assert facts.neurological_involvement != "yes"


@pytest.mark.parametrize(
    ("text", "breastfeeding"),
    [
        pytest.param("29F, postpartum and nursing, vegan, no neuro", "yes", id="nursing"),
        pytest.param("nursing home resident 88F, PA, no neuro", None, id="nursing-home"),
    ],
)
def test_nursing_a_baby_reads_as_breastfeeding(text: str, breastfeeding: str | None) -> None:
    assert extract(text).breastfeeding == breastfeeding


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        pytest.param("gran's lips have gone a bit blue and she's gasping", "emergency", id="gran"),
        pytest.param("she's gasping", "emergency", id="gasping-alone"),
        pytest.param("gasping for a cuppa after the school run", None, id="gasping-for-tea"),
    ],
)
def test_blue_lips_and_gasping_in_lay_words(text: str, urgency: str | None) -> None:
    result = assess(text)
    assert (result.urgency.value if result.urgency else None) == urgency


def test_a_patients_plan_payload_carries_no_dose_bearing_rule_path() -> None:
    from guideline_engine.content.b12.rules import build_plan
    from guideline_engine.facts import facts_from_values
    from guideline_engine.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    plan = build_plan(facts_from_values({"neurological_involvement": "no"}).facts, kb.ids)
    assert "rule_path" not in render_result(plan, kb, "patient").payload
    assert render_result(plan, kb, "clinician").payload["rule_path"]


async def test_a_different_age_without_a_switch_phrase_is_another_patient() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_PATIENT)
    turn = await chat.say("now a 25 year old vegan man, no neuro")
    (announced,) = turn.payloads("b12.new_patient")
    assert announced["implied"] is True
    plan = turn.payload("b12.regimen")
    assert plan["facts_used"]["causes"] == ["dietary"]
    assert "platelet_count" not in plan["facts_used"]


async def test_an_age_corrected_by_a_year_keeps_the_patient() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_PATIENT)
    turn = await chat.say("sorry, she is 71")
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["causes"] == ["pernicious_anaemia"]
