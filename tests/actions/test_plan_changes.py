"""A plan sent again because a fact changed says what changed (issue 10, dialogue item 3)."""

from __future__ import annotations

from guideline_engine.facts import FactChange, fact_changes
from tests.actions.conversation import Conversation


def _plan(turn):
    (plan,) = [p for p in turn.payloads() if p["type"] in {"b12.regimen", "b12.gate"}]
    return plan


async def test_the_first_plan_names_no_change() -> None:
    turn = await Conversation(audience="clinician").say("62F pernicious anaemia, no neuro symptoms")
    assert "changed" not in _plan(turn)


async def test_a_new_value_re_sends_the_plan_saying_what_changed() -> None:
    chat = Conversation(audience="clinician")
    first = await chat.say("62F pernicious anaemia, no neuro symptoms, platelets 35")
    assert _plan(first)["type"] == "b12.gate"
    turn = await chat.say("platelets now 120")
    plan = _plan(turn)
    assert plan["type"] == "b12.regimen"
    assert plan["changed"] == [{"fact": "platelet_count", "before": 35.0, "after": 120.0}]
    assert any("platelet count: 35 → 120" in t for t in turn.texts())
    assert plan["answer"]["sections"][0]["lines"][0]["text"] == "platelet count: 35 → 120"


async def test_a_new_patient_is_not_described_as_a_change_of_the_last_one() -> None:
    chat = Conversation(audience="clinician")
    await chat.say("62F pernicious anaemia, no neuro symptoms")
    turn = await chat.say("new patient: 30M vegan, no neurological symptoms")
    assert "changed" not in _plan(turn)


async def test_a_patient_sees_what_changed_in_plain_words_and_no_dose() -> None:
    chat = Conversation(audience="patient")
    await chat.say("I'm 62 and have pernicious anaemia, no tingling or numbness")
    turn = await chat.say("I've started getting pins and needles in my feet")
    plan = _plan(turn)
    assert {"fact": "neurological_involvement", "before": "no", "after": "yes"} in plan["changed"]
    assert not any(" mg" in t for t in turn.texts())


def test_fact_changes_ignore_order_and_name_cleared_values() -> None:
    before = {"causes": ["dietary", "medication"], "age": 40}
    after = {"causes": ["medication", "dietary"]}
    assert fact_changes(before, after) == (FactChange("age", 40, None),)
    assert FactChange("age", 40, None).words() == "age: 40 → not given"
