"""The pure renderer: turn grouping, Block Kit and Adaptive Cards from payloads."""

from __future__ import annotations

import json
from typing import Any

from channels.rendering import (
    SLACK_MAX_BLOCKS,
    SUBMIT_KEY,
    Reply,
    adaptive_card,
    fallback_text,
    group_turn,
    slack_message,
    submitted_payload,
    teams_activity,
)

CITE = {
    "source": "How is vitamin B12 deficiency anemia treated? — Dr.Oracle",
    "year": 2025,
    "review_status": "submitted",
    "pending_review": True,
    "label": "pending clinical review",
    "cites": [1, 2],
}


def _cite(sid: str, text: str) -> dict[str, Any]:
    return {"snippet_id": sid, "text": text, **CITE}


def _step(frequency: str, kind: str, sids: list[str]) -> dict[str, Any]:
    return {
        "dose": 1,
        "dose_max": None,
        "unit": "mg",
        "route": "intramuscular",
        "frequency": frequency,
        "duration": {"kind": kind, "min": None, "max": None, "unit": None},
        "snippet_ids": sids,
    }


PLAN = {
    "type": "b12.regimen",
    "audience": "clinician",
    "kb_version": "kb-test",
    "plan": {
        "neurological_involvement": "yes",
        "urgent_specialist_advice": True,
        "specialists": ["neurology", "haematology"],
        "cause": "pernicious_anaemia",
        "drug": "hydroxocobalamin",
        "route": "intramuscular",
        "loading": [_step("alternate_days", "until_no_further_improvement", ["b12.neuro.loading"])],
        "maintenance": [_step("every_2_months", "lifelong", ["b12.neuro.maintenance"])],
        "lifelong": True,
        "warnings": ["folic_acid_before_b12"],
        "monitoring": ["neuro_improvement_within_1_month"],
        "notes": [],
    },
    "facts_used": {"neurological_involvement": "yes", "platelet_count": 120.0},
    "rule_path": ["neuro=yes -> neuro regimen"],
    "citations": [
        _cite("b12.neuro.specialist", "Neuro symptoms: urgent specialist advice."),
        _cite("b12.neuro.loading", "1 mg IM alternate days <until> improvement stops & more."),
        _cite("b12.neuro.maintenance", "Then 1 mg IM every 2 months."),
    ],
}
TRIAGE = {
    "type": "b12.triage",
    "urgency": "emergency",
    "red_flags": ["chest_pain"],
    "advice": "Call 999.",
}
BUTTONS = [
    {"title": "Yes", "payload": '/inform{"neuro_involvement":"yes"}'},
    {"title": "No", "payload": '/inform{"neuro_involvement":"no"}'},
]


def _all_text(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def test_group_turn_pairs_text_with_following_payload_and_puts_triage_first() -> None:
    replies = group_turn(
        [
            {"text": "disclaimer"},
            {"text": "plan text"},
            {"custom": PLAN},
            {"text": "question?", "buttons": BUTTONS},
            {"text": "EMERGENCY text"},
            {"custom": TRIAGE},
            {"custom": {"type": "b12.new_patient"}},
        ]
    )
    assert [(r.text, r.kind) for r in replies] == [
        ("EMERGENCY text", "b12.triage"),
        ("disclaimer", ""),
        ("plan text", "b12.regimen"),
        ("question?", ""),
        ("", "b12.new_patient"),
    ]
    assert replies[3].buttons == BUTTONS


def test_group_turn_orders_emergency_before_urgent_and_drops_bad_buttons() -> None:
    urgent = {**TRIAGE, "urgency": "urgent"}
    replies = group_turn(
        [
            {"custom": urgent},
            {"custom": TRIAGE},
            {"text": "t", "buttons": [{"title": "x"}, "junk", {"title": "ok", "payload": "/p"}]},
        ]
    )
    assert [r.payload["urgency"] for r in replies[:2] if r.payload] == ["emergency", "urgent"]
    assert replies[2].buttons == [{"title": "ok", "payload": "/p"}]


def test_slack_plan_blocks() -> None:
    message = slack_message(Reply(text="B12 plan: text fallback", payload=PLAN))
    assert message["text"] == "B12 plan: text fallback"
    blocks = message["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Treatment plan (pending clinical review)"},
    }
    texts = _all_text(blocks)
    assert ":rotating_light: *Urgent specialist advice: neurology and haematology. [1]*" in texts
    assert "*Loading*\\n1 mg, intramuscular, on alternate days, until there is no further" in texts
    assert "*Maintenance*\\n1 mg, intramuscular, every 2 months, for life [3]" in texts
    assert "*Duration*\\nLifelong" in texts
    assert ":warning: *Warnings*\\n• Do not give folic acid before B12 treatment" in texts
    contexts = [b for b in blocks if b["type"] == "context"]
    cite2 = contexts[2]["elements"][0]["text"]
    # Markup in snippet text is escaped; source, year, refs and the review label are shown.
    assert cite2.startswith("*[2]* 1 mg IM alternate days &lt;until&gt; improvement stops &amp;")
    assert "2025_ (source refs 1,2) · `pending clinical review`" in cite2
    assert "kb-test" in contexts[-1]["elements"][0]["text"]
    assert len(blocks) <= SLACK_MAX_BLOCKS


def test_slack_buttons_are_an_actions_block_with_payload_values() -> None:
    message = slack_message(Reply(text="Is there neurological involvement?", buttons=BUTTONS))
    section, actions = message["blocks"]
    assert section["text"]["text"] == "Is there neurological involvement?"
    assert actions["type"] == "actions"
    assert [(e["type"], e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("button", "Yes", BUTTONS[0]["payload"]),
        ("button", "No", BUTTONS[1]["payload"]),
    ]
    assert len({e["action_id"] for e in actions["elements"]}) == 2


def test_slack_triage_is_prominent_and_has_fallback_without_text() -> None:
    message = slack_message(Reply(payload=TRIAGE))
    assert message["blocks"][0]["text"]["text"].startswith(":rotating_light: *EMERGENCY")
    assert message["text"].startswith("EMERGENCY: call your local emergency number now.")
    assert "Call 999." in message["text"]


def test_slack_plan_with_many_citations_stays_within_block_limit() -> None:
    many = {**PLAN, "citations": [_cite(f"s{i}", f"text {i}") for i in range(80)]}
    blocks = slack_message(Reply(text="t", payload=many, buttons=BUTTONS))["blocks"]
    assert len(blocks) <= SLACK_MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert "say *sources*" in _all_text(blocks)


def test_slack_long_text_is_split_into_sections() -> None:
    text = "\n".join(f"line {i} {'x' * 80}" for i in range(200))
    blocks = slack_message(Reply(text=text))["blocks"]
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)


def test_every_payload_type_has_a_fallback_text() -> None:
    answer = {"type": "b12.answer", "kb_version": "k", "snippets": PLAN["citations"][:1]}
    for payload in (PLAN, TRIAGE, answer):
        assert fallback_text(Reply(payload=payload)).strip()
    assert "Treatment plan" in fallback_text(Reply(payload=PLAN))


def test_adaptive_card_plan() -> None:
    card = adaptive_card(Reply(text="fallback", payload=PLAN, buttons=BUTTONS))
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["fallbackText"] == "fallback"
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert {"title": "Duration", "value": "Lifelong"} in facts
    assert facts[3]["title"] == "Loading" and facts[3]["value"].endswith("[2]")
    urgent = next(b for b in card["body"] if b.get("style") == "attention")
    assert urgent["items"][0]["text"].startswith("Urgent specialist advice")
    warnings = next(b for b in card["body"] if b.get("style") == "warning")
    assert "folic acid" in _all_text(warnings)
    assert "pending clinical review" in _all_text(card["body"])
    submit = card["actions"][1]
    assert submit["type"] == "Action.Submit" and submit["title"] == "No"
    assert submit["data"][SUBMIT_KEY] == BUTTONS[1]["payload"]
    assert submit["data"]["msteams"] == {
        "type": "messageBack",
        "text": BUTTONS[1]["payload"],
        "displayText": "No",
        "value": {SUBMIT_KEY: BUTTONS[1]["payload"]},
    }


def test_teams_activity_plain_text_or_card() -> None:
    assert teams_activity(Reply(text="Hello")) == {"text": "Hello", "textFormat": "plain"}
    activity = teams_activity(Reply(text="EMERGENCY now", payload=TRIAGE))
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    container = attachment["content"]["body"][0]
    assert container["style"] == "attention"
    assert activity["summary"] == "EMERGENCY now"


def test_submitted_payload_from_card_values() -> None:
    payload = BUTTONS[0]["payload"]
    assert submitted_payload({SUBMIT_KEY: payload}) == payload
    assert submitted_payload(json.dumps({SUBMIT_KEY: payload})) == payload
    assert submitted_payload({"msteams": {"value": {SUBMIT_KEY: payload}}}) == payload
    assert submitted_payload({"other": 1}) is None
    assert submitted_payload("not json") is None
    assert submitted_payload(None) is None
