from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.plan import ActionExplain, ActionPlan
from tests.actions.conftest import custom_payloads, texts


async def test_neuro_unknown_asks_one_question_with_buttons(dispatcher, make_tracker, domain):
    tracker = make_tracker(slots={"audience": "clinician"}, text="how do I treat B12 deficiency")
    events = await ActionPlan().answer(dispatcher, tracker, domain)
    assert events == [
        SlotSet("topic", "b12"),
        SlotSet("pending_question", "neurological_involvement"),
    ]
    ask = dispatcher.messages[0]
    assert "neurological involvement" in ask["text"]
    assert [b["payload"] for b in ask["buttons"]] == [
        '/inform{"neurological_involvement":"yes"}',
        '/inform{"neurological_involvement":"no"}',
    ]
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.missing_facts"
    assert payload["missing"] == ["neurological_involvement"]
    assert (payload["topic"], payload["contract_version"]) == ("b12", "2.0")
    assert payload["answer"]["kind"] == "ask" and len(payload["answer"]["buttons"]) == 2


async def test_clinician_plan_payload_follows_the_contract(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={
            "audience": "clinician",
            "neurological_involvement": "yes",
            "causes": ["pernicious_anaemia"],
            "platelet_count": 120.0,
            "age": 62,
        }
    )
    events = await ActionPlan().answer(dispatcher, tracker, domain)
    assert events == [SlotSet("topic", "b12"), SlotSet("pending_question", None)]
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.regimen"
    assert payload["audience"] == "clinician"
    assert payload["kb_version"].startswith("kb-")
    plan = payload["plan"]
    assert plan["neurological_involvement"] == "yes"
    assert plan["urgent_specialist_advice"] is True
    assert plan["cause"] == "pernicious_anaemia"
    assert plan["drug"] == "hydroxocobalamin"
    assert plan["route"] == "intramuscular"
    assert plan["loading"][0]["frequency"] == "alternate_days"
    assert plan["maintenance"][0]["frequency"] == "every_2_months"
    assert plan["maintenance_interval_months"] == [2, 2]
    assert plan["lifelong"] is True
    assert "folic_acid_before_b12" in plan["warnings"]
    cited = {c["snippet_id"] for c in payload["citations"]}
    for step in plan["loading"] + plan["maintenance"]:
        assert set(step["snippet_ids"]) <= cited
    assert all(c["label"] == "pending clinical review" for c in payload["citations"])
    assert payload["facts_used"]["platelet_count"] == 120.0
    assert payload["rule_path"]
    text = texts(dispatcher)[0]
    assert "URGENT" in text and "1 mg IM on alternate days" in text


async def test_patient_plan_is_plain_and_defers_to_the_clinician(dispatcher, make_tracker, domain):
    tracker = make_tracker(slots={"audience": "patient", "neurological_involvement": "no"})
    await ActionPlan().answer(dispatcher, tracker, domain)
    text = texts(dispatcher)[0]
    assert "Your clinician will decide" in text
    assert "1 mg IM" not in text


@pytest.mark.parametrize(
    ("intent", "expected"),
    [pytest.param("affirm", "yes", id="yes"), pytest.param("deny", "no", id="no")],
)
async def test_yes_no_answers_the_pending_neuro_question(
    dispatcher, make_tracker, domain, intent, expected
):
    tracker = make_tracker(
        slots={"audience": "clinician", "pending_question": "neurological_involvement"},
        intent=intent,
    )
    events = await ActionPlan().answer(dispatcher, tracker, domain)
    assert SlotSet("neurological_involvement", expected) in events
    (payload,) = custom_payloads(dispatcher)
    assert payload["plan"]["neurological_involvement"] == expected


async def test_yes_without_a_question_is_not_taken_as_a_fact(dispatcher, make_tracker, domain):
    tracker = make_tracker(slots={"audience": "clinician"}, intent="affirm", text="yes")
    events = await ActionPlan().answer(dispatcher, tracker, domain)
    assert events == []
    assert texts(dispatcher)[0].startswith("Okay.")
    (payload,) = custom_payloads(dispatcher)
    assert (payload["type"], payload["pending"]) == ("b12.acknowledged", None)
    assert payload["answer"]["kind"] == "notice" and payload["contract_version"] == "2.0"


async def test_contradictory_facts_give_problems_not_a_plan(dispatcher, make_tracker, domain):
    tracker = make_tracker(slots={"neurological_involvement": "no", "platelet_count": -4})
    await ActionPlan().answer(dispatcher, tracker, domain)
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.invalid_facts"
    assert payload["fields"] == ["platelet_count"]


async def test_why_lists_facts_and_rule_path(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"neurological_involvement": "no", "formulary": "us", "audience": "clinician"},
        intent="ask_why",
    )
    assert await ActionExplain().answer(dispatcher, tracker, domain) == []
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.why"
    assert payload["facts_used"]["formulary"] == "us"
    assert any("US" in step or "us" in step for step in payload["rule_path"])


@pytest.mark.parametrize(
    ("text", "declined"),
    [
        pytest.param("how do I treat eczema?", "other_condition", id="other-condition"),
        pytest.param(
            "what is the treatment for shingles", "other_condition", id="other-condition-2"
        ),
        pytest.param("how do I treat it?", "not_this_topic", id="pronoun-without-context"),
        pytest.param("how do I treat my anemia?", "not_this_topic", id="which-anaemia"),
        pytest.param("how is pernicious anaemia treated", None, id="topic-word"),
    ],
)
async def test_treatment_question_about_another_condition_is_declined(
    dispatcher, make_tracker, domain, text, declined
):
    tracker = make_tracker(text=text, intent="ask_treatment", slots={"audience": "clinician"})
    await ActionPlan().answer(dispatcher, tracker, domain)
    (payload,) = custom_payloads(dispatcher)
    if declined:
        assert payload["type"] == "b12.out_of_scope" and payload["reason"] == declined
    else:
        assert payload["type"] == "b12.missing_facts"


async def test_pronoun_after_a_patient_is_described_is_the_patient(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        text="how do I treat it?", intent="ask_treatment", slots={"neurological_involvement": "no"}
    )
    await ActionPlan().answer(dispatcher, tracker, domain)
    assert custom_payloads(dispatcher)[0]["type"] == "b12.regimen"


async def test_why_for_a_patient_has_no_rule_path(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"neurological_involvement": "no", "audience": "patient"}, intent="ask_why"
    )
    await ActionExplain().answer(dispatcher, tracker, domain)
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.why" and "rule_path" not in payload
