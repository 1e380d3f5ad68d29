"""The pure renderer: turn grouping, Block Kit and Adaptive Cards from payloads."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from channels.rendering import (
    SLACK_MAX_BLOCKS,
    SUBMIT_KEY,
    Reply,
    adaptive_card,
    fallback_text,
    group_turn,
    slack_blocks,
    slack_message,
    submitted_payload,
    teams_activity,
)
from guideline_engine.content.b12.render import render_result
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.facts import facts_from_values
from guideline_engine.knowledge import KnowledgeBase, load_knowledge_base

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
    {"title": "Yes", "payload": '/inform{"neurological_involvement":"yes"}'},
    {"title": "No", "payload": '/inform{"neurological_involvement":"no"}'},
]


def _all_text(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Patients never see doses or schedules (hazard: doses shown to patients in Slack, Teams and
# the web chat). Plans are built by the real engine for several fact combinations.
# --------------------------------------------------------------------------------------------

DOSE = re.compile(
    r"\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?\s*(?:mg|µg|mcg|micrograms?)\b", re.IGNORECASE
)
SCHEDULE = re.compile(
    r"alternate days|three times a week|every \d|monthly|\bdaily\b|for \d+ weeks", re.IGNORECASE
)
FACT_COMBINATIONS = {
    "neuro_yes": {"neurological_involvement": "yes"},
    "neuro_no": {"neurological_involvement": "no"},
    "pernicious_anaemia": {"neurological_involvement": "no", "causes": ["pernicious_anaemia"]},
    "pernicious_anaemia_neuro": {
        "neurological_involvement": "yes",
        "causes": ["pernicious_anaemia"],
    },
    "dietary": {"neurological_involvement": "no", "causes": ["dietary"]},
    "oral_preference": {
        "neurological_involvement": "no",
        "causes": ["dietary"],
        "route_preference": "oral",
    },
    "us_formulary": {
        "neurological_involvement": "no",
        "causes": ["pernicious_anaemia"],
        "formulary": "us",
    },
    "us_formulary_neuro": {"neurological_involvement": "yes", "formulary": "us"},
    "ileal_resection": {
        "neurological_involvement": "no",
        "causes": ["ileal_resection"],
        "ileal_resection_cm": 30,
    },
    "ileal_resection_neuro": {
        "neurological_involvement": "yes",
        "causes": ["ileal_resection"],
        "ileal_resection_cm": 60,
    },
}
COMBINATION_IDS = sorted(FACT_COMBINATIONS)


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


def _engine_turn(name: str, audience: str) -> tuple[str, dict[str, Any]]:
    """(text, payload) exactly as the plan action sends them for these facts."""
    kb = _kb()
    result = build_plan(facts_from_values(FACT_COMBINATIONS[name]).facts, kb.ids)
    rendered = render_result(result, kb, audience)  # type: ignore[arg-type]
    return rendered.text, rendered.payload


def _dose_or_schedule(text: str) -> list[str]:
    return DOSE.findall(text) + SCHEDULE.findall(text)


def _assert_no_dose_for_patient(
    where: str, rendered: str, text: str, payload: dict[str, Any]
) -> None:
    """No dose or schedule in a patient's card; first, none added by the channel's layout.

    The layout may only show the engine's patient wording (its text and the patient-worded
    citations). If that wording itself names a schedule, the layout is still checked, and
    the test is marked xfail naming the snippets, since the fix belongs in the content.
    """
    engine_words = [text, *(str(c.get("text") or "") for c in payload.get("citations", []))]
    allowed = {m.lower() for words in engine_words for m in _dose_or_schedule(words)}
    added = [m for m in _dose_or_schedule(rendered) if m.lower() not in allowed]
    assert not added, (where, added)
    if allowed:
        culprits = [
            c["snippet_id"] for c in payload.get("citations", []) if _dose_or_schedule(c["text"])
        ]
        pytest.xfail(f"engine patient wording names a schedule {sorted(allowed)}: {culprits}")
    assert not _dose_or_schedule(rendered), (where, _dose_or_schedule(rendered))


def _has_steps(payload: dict[str, Any]) -> bool:
    plan = payload.get("plan") or {}
    return payload.get("type") == "b12.regimen" and bool(
        plan.get("loading") or plan.get("maintenance")
    )


def _slack_and_teams(text: str, payload: dict[str, Any]) -> dict[str, str]:
    (reply,) = [r for r in group_turn([{"text": text}, {"custom": payload}]) if r.payload]
    return {
        "slack": _all_text(slack_message(reply)),
        "teams": _all_text(teams_activity(reply)),
        "slack_without_text": _all_text(slack_message(Reply(payload=payload))),
        "teams_without_text": _all_text(teams_activity(Reply(payload=payload))),
    }


@pytest.mark.parametrize("name", COMBINATION_IDS)
def test_patient_plan_in_slack_and_teams_shows_no_dose_or_schedule(name: str) -> None:
    text, payload = _engine_turn(name, "patient")
    assert payload["audience"] == "patient"
    # The engine's own plain-language text is what the card shows.
    blocks = _all_text(slack_message(Reply(text=text, payload=payload))["blocks"])
    card = _all_text(adaptive_card(Reply(text=text, payload=payload))["body"])
    title = payload["answer"]["title"]
    assert json.dumps(title, ensure_ascii=False)[1:-1] in blocks
    assert json.dumps(title, ensure_ascii=False)[1:-1] in card
    assert '"FactSet"' not in card and "Loading" not in blocks
    rendered = "\n".join(f"{k}: {v}" for k, v in _slack_and_teams(text, payload).items())
    _assert_no_dose_for_patient("slack/teams", rendered, text, payload)


@pytest.mark.parametrize("name", COMBINATION_IDS)
def test_clinician_plan_in_slack_and_teams_shows_doses_with_citations(name: str) -> None:
    text, payload = _engine_turn(name, "clinician")
    if not _has_steps(payload):
        pytest.skip(f"the engine gives no plan steps for {name}: {payload.get('type')}")
    blocks = slack_message(Reply(text=text, payload=payload))["blocks"]
    body = adaptive_card(Reply(text=text, payload=payload))["body"]
    for rendered in (_all_text(blocks), _all_text(body)):
        assert DOSE.search(rendered) and SCHEDULE.search(rendered), rendered[:500]
        assert "[1]" in rendered
    rows = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    loading = next(r for r in rows if "Loading: " in r)
    assert DOSE.search(loading) and re.search(r"\[\d+\]", loading), loading


def test_plan_without_audience_is_laid_out_for_a_patient() -> None:
    text, payload = _engine_turn("pernicious_anaemia", "patient")
    unmarked = {k: v for k, v in payload.items() if k != "audience"}
    for rendered in _slack_and_teams(text, unmarked).values():
        assert "Loading" not in rendered and "FactSet" not in rendered
        assert "What the guidance says" in rendered
        _assert_no_dose_for_patient("unmarked", rendered, text, unmarked)


WEBCHAT = Path(__file__).resolve().parents[2] / "webchat"


def _node_ready() -> str:
    node = shutil.which("node")
    missing = None if node else "node not found"
    if node and not (WEBCHAT / "node_modules" / "jsdom").is_dir():
        missing = "webchat/node_modules missing (cd webchat && npm ci)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"web chat render check cannot run under CI: {missing}")
        pytest.skip(missing)
    assert node
    return node


def _webchat_cards(cases: list[dict[str, Any]], tmp_path: Path) -> dict[str, dict[str, str]]:
    """Plan cards made by webchat/src/render.ts (in jsdom) for these payloads and texts."""
    node = _node_ready()
    fixture = tmp_path / "cases.json"
    fixture.write_text(json.dumps(cases), encoding="utf-8")
    done = subprocess.run(
        [node, "test/render-cards.mjs", str(fixture)],
        cwd=WEBCHAT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    cards: dict[str, dict[str, str]] = json.loads(done.stdout)
    return cards


def _webchat_case(name: str, audience: str) -> dict[str, Any]:
    text, payload = _engine_turn(name, audience)
    # Rasa's socket.io output sends each "\n\n"-separated part as its own message.
    return {"name": f"{name}:{audience}", "payload": payload, "text": text}


def test_webchat_patient_plan_card_shows_no_dose_or_schedule_anywhere(tmp_path: Path) -> None:
    cases = [_webchat_case(name, "patient") for name in COMBINATION_IDS]
    cards = _webchat_cards(cases, tmp_path)
    content_findings = []
    for case in cases:
        card = cards[case["name"]]
        assert "b12c-steps" not in card["html"] and "b12c-facts" not in card["html"]
        assert case["payload"]["answer"]["title"].rstrip(":") in card["text"], case["name"]
        assert "Citations for answer" in card["html"]
        # textContent includes folded parts ("Show as text", closed citations).
        rendered = card["text"] + "\n" + card["html"]
        try:
            _assert_no_dose_for_patient(case["name"], rendered, case["text"], case["payload"])
        except pytest.xfail.Exception as finding:
            content_findings.append(f"{case['name']}: {finding}")
    if content_findings:
        pytest.xfail("; ".join(content_findings))


def test_webchat_clinician_plan_card_shows_doses_with_citations(tmp_path: Path) -> None:
    cases = [_webchat_case(name, "clinician") for name in COMBINATION_IDS]
    cards = _webchat_cards(cases, tmp_path)
    checked = 0
    for case in cases:
        if not _has_steps(case["payload"]):
            continue
        html = cards[case["name"]]["html"]
        steps = re.search(r'<div class="b12c-section b12c-steps">(.*?)</div>', html)
        assert steps, case["name"]
        assert DOSE.search(steps.group(1)) and SCHEDULE.search(steps.group(1)), case["name"]
        assert 'aria-label="Show citation' in steps.group(1)
        checked += 1
    assert checked >= len(cases) // 2


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


def test_group_turn_reads_an_empty_custom_as_no_payload() -> None:
    """The SDK's dispatcher sends ``custom: {}`` with every text: the text must not be lost."""
    replies = group_turn(
        [
            {"text": "disclaimer", "custom": {}},
            {"text": "plan text", "custom": {}, "buttons": []},
            {"text": None, "custom": PLAN},
        ]
    )
    assert [(r.text, r.kind) for r in replies] == [
        ("disclaimer", ""),
        ("plan text", "b12.regimen"),
    ]


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


def _engine_reply(name: str, audience: str, **extra: Any) -> Reply:
    text, payload = _engine_turn(name, audience)
    return Reply(text=text, payload=payload, **extra)


def test_slack_plan_blocks_lay_out_the_answer() -> None:
    reply = _engine_reply("pernicious_anaemia_neuro", "clinician")
    answer = reply.payload["answer"]
    message = slack_message(reply)
    assert message["text"] == reply.text
    blocks = message["blocks"]
    # The banner (urgent specialist advice) comes first, then the title as a header.
    assert blocks[0]["text"]["text"].startswith(":warning: *URGENT: seek specialist")
    assert blocks[1]["type"] == "header"
    assert blocks[1]["text"]["text"] == f"{answer['title']} (pending clinical review)"
    texts = _all_text(blocks)
    assert ":warning: *Warnings:*" in texts
    assert "Sources: " in texts and "Say 'sources'" in texts
    contexts = [b for b in blocks if b["type"] == "context"]
    assert contexts[1]["elements"][0]["text"].startswith("*[1]* ")
    assert len(blocks) <= SLACK_MAX_BLOCKS


def test_slack_escapes_markup_in_answer_text() -> None:
    reply = _engine_reply("neuro_no", "clinician")
    answer = reply.payload["answer"]
    answer["sections"][0]["lines"][0]["text"] = "a <b> & c"
    texts = _all_text(slack_blocks(reply))
    assert "a &lt;b&gt; &amp; c" in texts and "a <b>" not in texts


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


def _emergency_triage() -> Reply:
    from guideline_engine.render.answers import render_triage
    from guideline_engine.triage import Urgency, red_flags_by_id

    flag = next(f for f in red_flags_by_id().values() if f.urgency is Urgency.EMERGENCY)
    rendered = render_triage(
        red_flag_ids=[flag.id], urgency=None, describes_symptoms=True, audience="patient"
    )
    assert rendered is not None
    return Reply(payload=rendered.payload)


def test_slack_triage_is_prominent_and_has_fallback_without_text() -> None:
    message = slack_message(_emergency_triage())
    assert message["blocks"][0]["text"]["text"].startswith(":rotating_light: *EMERGENCY")
    assert message["text"].startswith("EMERGENCY: call your local emergency number now.")


def test_slack_plan_with_many_citations_stays_within_block_limit() -> None:
    reply = _engine_reply("neuro_yes", "clinician", buttons=BUTTONS)
    answer = reply.payload["answer"]
    cite = answer["citations"][0]
    answer["citations"] = [{**cite, "number": n} for n in range(1, 81)]
    blocks = slack_message(reply)["blocks"]
    assert len(blocks) <= SLACK_MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert "say *sources*" in _all_text(blocks)


def test_slack_long_text_is_split_into_sections() -> None:
    text = "\n".join(f"line {i} {'x' * 80}" for i in range(200))
    blocks = slack_message(Reply(text=text))["blocks"]
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)


def test_every_answer_has_a_fallback_text_without_the_paired_text() -> None:
    for reply in (_engine_reply("neuro_yes", "clinician"), _emergency_triage()):
        bare = Reply(payload=reply.payload)
        assert fallback_text(bare).strip()
        assert adaptive_card(bare)["fallbackText"] == fallback_text(bare)


def test_adaptive_card_plan() -> None:
    reply = _engine_reply("pernicious_anaemia_neuro", "clinician", buttons=BUTTONS)
    card = adaptive_card(reply)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["fallbackText"] == reply.text
    banner = card["body"][0]
    assert banner["style"] == "warning" and banner["items"][0]["text"].startswith("URGENT")
    warnings = next(b for b in card["body"] if b.get("style") == "warning" and b is not banner)
    assert "folic acid" in _all_text(warnings).lower()
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
    activity = teams_activity(_emergency_triage())
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    container = attachment["content"]["body"][0]
    assert container["style"] == "attention"
    assert activity["summary"].startswith("EMERGENCY")


def test_submitted_payload_from_card_values() -> None:
    payload = BUTTONS[0]["payload"]
    assert submitted_payload({SUBMIT_KEY: payload}) == payload
    assert submitted_payload(json.dumps({SUBMIT_KEY: payload})) == payload
    assert submitted_payload({"msteams": {"value": {SUBMIT_KEY: payload}}}) == payload
    assert submitted_payload({"other": 1}) is None
    assert submitted_payload("not json") is None
    assert submitted_payload(None) is None


def _engine_triage(text: str) -> Reply:
    from guideline_engine.render.answers import render_triage
    from guideline_engine.triage import assess

    result = assess(text)
    rendered = render_triage(
        red_flag_ids=list(result.red_flag_ids),
        urgency=result.urgency.value if result.urgency else None,
        describes_symptoms=True,
        audience="patient",
    )
    assert rendered is not None
    return Reply(text=rendered.text, payload=rendered.payload)


def test_unassessed_symptoms_never_get_the_routine_heading_in_any_channel() -> None:
    reply = _engine_triage("my left ear has been ringing a bit")
    heading = str(reply.payload["heading"])
    assert "next appointment" not in heading.lower()
    slack = json.dumps(slack_blocks(reply))
    teams = json.dumps(adaptive_card(reply))
    for laid_out in (slack, teams, fallback_text(reply)):
        assert "Mention this at your next appointment" not in laid_out
        assert heading.rstrip(". ") in laid_out


def test_why_for_a_patient_shows_no_rules_or_doses_in_slack_and_teams() -> None:
    from guideline_engine.content.b12.render import render_why

    plan = build_plan(facts_from_values({"neurological_involvement": "yes"}).facts, _kb().ids)
    why = render_why(plan, "patient")
    reply = Reply(text=why.text, payload=why.payload)
    for laid_out in (json.dumps(slack_blocks(reply)), json.dumps(adaptive_card(reply))):
        assert "Rules applied" not in laid_out
        assert not re.search(r"\d\s*(mg|µg|mcg)\b", laid_out)


def test_patient_plan_card_never_shows_snippet_ids_as_citations() -> None:
    # Cards list the answer's worded citations, never bare snippet ids ("[1] b12.x ...").
    plan = build_plan(facts_from_values({"neurological_involvement": "no"}).facts, _kb().ids)
    rendered = render_result(plan, _kb(), "patient")
    reply = Reply(text=rendered.text, payload=rendered.payload)
    card_body = adaptive_card(reply)["body"]  # the fallbackText keeps the engine's own text
    for laid_out in (json.dumps(slack_blocks(reply)), json.dumps(card_body)):
        assert not re.search(r"\[\d+\]\*? b12\.", laid_out)
