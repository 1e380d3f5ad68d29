from __future__ import annotations

import json
from typing import Any

from rasa_sdk.events import SlotSet

from actions.session import ActionGreet, ActionNewPatient, ActionRecordFeedback, ActionSetAudience
from guideline_engine.render.answer import Answer
from tests.actions.conftest import SLOTS, custom_payloads, texts


def without_answer(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload's own keys: every reply also carries ``answer`` and ``contract_version``."""
    assert payload["contract_version"] == "2.0"
    return {k: v for k, v in payload.items() if k not in {"answer", "contract_version"}}


def notice(dispatcher: Any) -> Answer:
    """The one housekeeping answer sent, checked against the text sent just before it."""
    (payload,) = custom_payloads(dispatcher)
    answer = Answer.from_dict(payload["answer"])
    assert answer.kind in {"notice", "ask"} and answer.topic is None
    assert dispatcher.messages[-2]["text"] == answer.to_text()
    return answer


async def test_greeting_asks_the_audience_with_buttons(dispatcher, make_tracker, domain):
    await ActionGreet().answer(dispatcher, make_tracker(intent="greet"), domain)
    ask = dispatcher.messages[-2]
    assert ask["text"].endswith("\nWhich best describes you?")
    assert [b["title"] for b in ask["buttons"]] == ["Clinician", "Patient or carer"]
    (payload,) = custom_payloads(dispatcher)
    assert without_answer(payload) == {"type": "b12.greeting", "asks_audience": True}
    answer = notice(dispatcher)
    assert [b.to_dict() for b in answer.buttons] == ask["buttons"]


async def test_greeting_skips_the_question_when_audience_known(dispatcher, make_tracker, domain):
    tracker = make_tracker(intent="greet", slots={"audience": "clinician"})
    await ActionGreet().answer(dispatcher, tracker, domain)
    assert all(not m.get("buttons") for m in dispatcher.messages)


async def test_set_audience_confirms(dispatcher, make_tracker, domain):
    tracker = make_tracker(intent="choose_audience", slots={"audience": "clinician"})
    await ActionSetAudience().answer(dispatcher, tracker, domain)
    assert "clinician" in texts(dispatcher)[0]
    (payload,) = custom_payloads(dispatcher)
    assert without_answer(payload) == {"type": "b12.audience_set", "audience": "clinician"}
    assert notice(dispatcher).audience == "clinician"


async def test_set_audience_without_one_asks_with_buttons(dispatcher, make_tracker, domain):
    tracker = make_tracker(intent="choose_audience", text="who are you for")
    await ActionSetAudience().answer(dispatcher, tracker, domain)
    (payload,) = custom_payloads(dispatcher)
    assert without_answer(payload) == {"type": "b12.ask_audience"}
    answer = notice(dispatcher)
    assert answer.kind == "ask"
    assert [b.title for b in answer.buttons] == ["Clinician", "Patient or carer"]


async def test_new_patient_clears_every_fact_but_keeps_audience(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        intent="new_patient",
        text="new patient",
        slots={
            "audience": "clinician",
            "neurological_involvement": "yes",
            "causes": ["dietary"],
            "value_problems": [{"field": "age", "problem": 'age "250"'}],
            "pending_question": "neurological_involvement",
        },
    )
    events = await ActionNewPatient().answer(dispatcher, tracker, domain)
    cleared = {e["name"] for e in events if e == SlotSet(e["name"], None)}
    facts = set(SLOTS) - {"audience", "disclaimer_shown"}
    assert facts <= cleared
    assert "audience" not in cleared
    (payload,) = custom_payloads(dispatcher)
    assert without_answer(payload) == {"type": "b12.new_patient"}
    assert notice(dispatcher).audience == "clinician"


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
    await ActionRecordFeedback().answer(dispatcher, tracker, domain)
    (record,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert record["conversation_id"] == "test-conversation"
    assert record["answer"] == "B12 plan: no neurological involvement"
    assert record["answer_payload"] == {"type": "b12.regimen"}
    assert record["comment"] == "this is wrong"
    assert record["kb_version"].startswith("kb-")
    (payload,) = custom_payloads(dispatcher)
    assert without_answer(payload) == {
        "type": "b12.feedback_recorded",
        "kb_version": record["kb_version"],
    }
    assert "recorded" in notice(dispatcher).to_text()
