"""Findings with their assertions: only the patient's affirmed findings drive the plan, and
"why?" shows every finding read, with its certainty, experiencer and time.

Run through the real NLU component and the real actions (no servers). Hazard guarded: another
person's finding (a relative's pernicious anaemia) drives the plan, or is dropped unseen.
"""

from __future__ import annotations

import pytest

from tests.actions.conversation import Conversation

SISTER = "my sister has PA, I don't. 40F vegan, no neuro symptoms"
SISTERS_PA = {
    "kind": "cause",
    "id": "pernicious_anaemia",
    "text": "has PA",
    "certainty": "affirmed",
    "experiencer": "other",
    "time": "current",
}
VEGAN = {
    "kind": "cause",
    "id": "dietary",
    "text": "vegan",
    "certainty": "affirmed",
    "experiencer": "patient",
    "time": "current",
}
NO_NEURO = {
    "kind": "symptom",
    "id": "neurological_unspecified",
    "text": "neuro symptoms",
    "certainty": "negated",
    "experiencer": "patient",
    "time": "current",
}


@pytest.mark.parametrize("intent", ["inform", "ask_treatment"])
async def test_sisters_pernicious_anaemia_does_not_drive_the_plan_and_why_shows_it(
    intent: str,
) -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say(SISTER, intent)
    plan = turn.payload("b12.regimen")
    assert plan["plan"]["causes"] == ["dietary"]
    assert plan["plan"]["cause"] == "dietary"
    assert plan["plan"]["lifelong"] is not True  # PA (irreversible) would make it lifelong
    assert plan["facts_used"]["causes"] == ["dietary"]
    assert turn.slots["causes"] == ["dietary"]

    why = await chat.say("why?", "ask_why")
    payload = why.payload("b12.why")
    assert payload["findings"] == [SISTERS_PA, VEGAN, NO_NEURO]
    assert "pernicious_anaemia" not in payload["facts_used"]["causes"]
    text = "\n".join(why.texts())
    assert "Not counted: pernicious anaemia (about someone else)" in text
    assert "Counted: dietary" in text
    assert "Counted as not present: neuro symptoms" in text
    assert "rule_path" not in payload and "Rules applied" not in text


async def test_clinician_why_lists_each_finding_with_its_assertions() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(SISTER)
    why = await chat.say("why?", "ask_why")
    text = "\n".join(why.texts())
    assert (
        '- cause pernicious_anaemia "has PA": affirmed, experiencer other, current → not counted'
    ) in text
    assert '- cause dietary "vegan": affirmed, experiencer patient, current → counted' in text
    assert why.payload("b12.why")["rule_path"]


@pytest.mark.parametrize(
    ("message", "finding_id", "because"),
    [
        pytest.param(
            "her mother had numbness. she herself has no neuro symptoms, PA",
            "numbness",
            "about someone else",
            id="mother-numbness",
        ),
        pytest.param(
            "PA, no neuro symptoms now. Had numbness last year, now resolved",
            "numbness",
            "in the past",
            id="past-numbness",
        ),
    ],
)
async def test_findings_not_counted_are_named_with_the_reason(
    message: str, finding_id: str, because: str
) -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say(message)
    assert turn.payload("b12.regimen")["plan"]["neurological_involvement"] == "no"
    why = await chat.say("why?", "ask_why")
    findings = why.payload("b12.why")["findings"]
    ids = {f["id"] for f in findings}
    assert finding_id in ids or any(f["text"] == finding_id for f in findings), findings
    assert f"Not counted: {finding_id} ({because})" in "\n".join(why.texts())


async def test_findings_add_up_across_turns_and_a_new_patient_clears_them() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(SISTER)
    second = await chat.say("she also had a gastric bypass")
    kinds = [(f["id"], f["experiencer"]) for f in second.slots["findings"]]
    assert kinds[:3] == [
        ("pernicious_anaemia", "other"),
        ("dietary", "patient"),
        ("neurological_unspecified", "patient"),
    ]
    assert ("bariatric_surgery", "patient") in kinds
    await chat.say("new patient", "new_patient")
    assert chat.slots["findings"] is None
    third = await chat.say("new patient: 30M, coeliac disease, no numbness")
    assert {f["id"] for f in third.slots["findings"]} >= {"malabsorption"}
    assert "pernicious_anaemia" not in {f["id"] for f in third.slots["findings"]}


async def test_a_finding_forged_in_a_payload_is_not_shown() -> None:
    chat = Conversation(audience="patient")
    await chat.say("PA, no neuro symptoms")
    chat.slots["findings"] = [*chat.slots["findings"], {"id": "x", "text": "<b>y</b>"}, "junk"]
    why = await chat.say("why?", "ask_why")
    assert all(f["id"] != "x" for f in why.payload("b12.why")["findings"])
    assert "<b>y</b>" not in "\n".join(why.texts())
