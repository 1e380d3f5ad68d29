from __future__ import annotations

import json

from rasa_sdk.events import SlotSet

from actions.session import ActionGreet, ActionNewPatient, ActionRecordFeedback, ActionSetAudience
from tests.actions.conftest import SLOTS, custom_payloads, texts


async def test_greeting_asks_the_audience_with_buttons(dispatcher, make_tracker, domain):
    await ActionGreet().run(dispatcher, make_tracker(intent="greet"), domain)
    ask = dispatcher.messages[-2]
    assert ask["text"] == "Which best describes you?"
    assert [b["title"] for b in ask["buttons"]] == ["Clinician", "Patient or carer"]
    assert custom_payloads(dispatcher) == [{"type": "b12.greeting", "asks_audience": True}]


async def test_greeting_skips_the_question_when_audience_known(dispatcher, make_tracker, domain):
    tracker = make_tracker(intent="greet", slots={"audience": "clinician"})
    await ActionGreet().run(dispatcher, tracker, domain)
    assert all(not m.get("buttons") for m in dispatcher.messages)


async def test_set_audience_confirms(dispatcher, make_tracker, domain):
    tracker = make_tracker(intent="choose_audience", slots={"audience": "clinician"})
    await ActionSetAudience().run(dispatcher, tracker, domain)
    assert "clinician" in texts(dispatcher)[0]


async def test_new_patient_clears_every_fact_but_keeps_audience(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        intent="new_patient",
        text="new patient",
        slots={
            "audience": "clinician",
            "neuro_involvement": "yes",
            "causes": ["dietary"],
            "value_problems": [{"field": "age", "problem": 'age "250"'}],
            "pending_question": "neuro_involvement",
        },
    )
    events = await ActionNewPatient().run(dispatcher, tracker, domain)
    cleared = {e["name"] for e in events if e == SlotSet(e["name"], None)}
    facts = set(SLOTS) - {"audience", "disclaimer_shown"}
    assert facts <= cleared
    assert "audience" not in cleared
    assert custom_payloads(dispatcher) == [{"type": "b12.new_patient"}]


async def test_feedback_records_answer_and_kb_version(
    dispatcher, make_tracker, domain, tmp_path, monkeypatch
):
    path = tmp_path / "feedback.jsonl"
    monkeypatch.setenv("FEEDBACK_PATH", str(path))
    earlier = [
        {"event": "bot", "text": "B12 plan: no neurological involvement", "data": {}},
        {"event": "bot", "text": None, "data": {"custom": {"type": "b12.regimen"}}},
    ]
    tracker = make_tracker(text="this is wrong", intent="report_wrong", events=earlier)
    await ActionRecordFeedback().run(dispatcher, tracker, domain)
    (record,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert record["conversation_id"] == "test-conversation"
    assert record["answer"] == "B12 plan: no neurological involvement"
    assert record["answer_payload"] == {"type": "b12.regimen"}
    assert record["comment"] == "this is wrong"
    assert record["kb_version"].startswith("kb-")
    assert custom_payloads(dispatcher)[0]["type"] == "b12.feedback_recorded"
