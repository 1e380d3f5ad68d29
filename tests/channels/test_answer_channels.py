"""One answer, every channel: real engine output laid out by REST, Slack, Teams and web chat.

Each vignette runs the engine (build_plan, render_*), never a hand-written payload. For both
audiences every renderer must show the same lines with the same citation numbers, the same
numbered citations, the banner first, and, for patients, no dose, unit or schedule anywhere.
Every topic package's own vignettes (``content/<topic>/vignettes.yml``, one-message ones) run
too, as a whole turn through the real NLU component and actions (``tests/actions/
conversation.py``), taking each reply as the channels receive it (text, then payload), so topic
routing, ``send()`` and a hand-over between topics are laid out exactly as in a conversation.
This file names no topic package: a new topic's vignettes join by themselves.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from channels.rendering import (
    Reply,
    adaptive_card,
    fallback_text,
    group_turn,
    slack_blocks,
    slack_escape,
)
from guideline_engine.content.b12.render import render_result, render_why
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.facts import facts_from_values
from guideline_engine.knowledge import KnowledgeBase, load_knowledge_base
from guideline_engine.regimen.model import Gated, Plan
from guideline_engine.render.answer import Answer, Line
from guideline_engine.render.answers import render_followup, render_triage
from guideline_engine.render.messages import Audience
from guideline_engine.render.reply import Rendered
from guideline_engine.retrieval import Retriever, retriever_for
from guideline_engine.triage import Urgency, red_flags_by_id
from tests.actions.conversation import Conversation
from tests.channels.test_rendering import _webchat_cards
from tests.topics.vignettes import single_message

DOSE = re.compile(
    r"\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?\s*(?:mg|µg|mcg|micrograms?)\b"
    r"|\b(?:mg|µg|mcg|micrograms?)\b",
    re.IGNORECASE,
)
SCHEDULE = re.compile(
    r"alternate days|every other day|times a week|three injections|every \d|"
    r"every (?:two|three|one)\b|\bmonthly\b|\bdaily\b|every day|once a month|for \d+ weeks",
    re.IGNORECASE,
)

Vignette = Callable[[Audience], Rendered]


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


@cache
def _retriever() -> Retriever:
    return retriever_for(load_knowledge_base(approved_only=False))


def _plan(values: dict[str, Any]) -> Vignette:
    def run(audience: Audience) -> Rendered:
        result = build_plan(facts_from_values(values).facts, _kb().ids)
        return render_result(result, _kb(), audience)

    return run


def _why(audience: Audience) -> Rendered:
    plan = build_plan(facts_from_values({"neurological_involvement": "yes"}).facts, _kb().ids)
    assert isinstance(plan, Plan)
    return render_why(plan, audience)


def _followup(question: str) -> Vignette:
    def run(audience: Audience) -> Rendered:
        return render_followup(_retriever().search(question), _kb(), audience)

    return run


def _triage_emergency(audience: Audience) -> Rendered:
    flag = next(f for f in red_flags_by_id().values() if f.urgency is Urgency.EMERGENCY)
    rendered = render_triage(
        red_flag_ids=[flag.id], urgency=None, describes_symptoms=True, audience=audience
    )
    assert rendered is not None
    return rendered


@cache
def _turn(message: str, audience: Audience) -> tuple[Reply, ...]:
    """One message in a new conversation, grouped as the channels group it."""
    turn = asyncio.run(Conversation(audience=audience).say(message))
    return tuple(group_turn(turn.messages))


def _spoken(message: str, payload_type: str) -> Vignette:
    """The reply of type ``payload_type`` to ``message``: the text sent, then its payload."""

    def run(audience: Audience) -> Rendered:
        replies = [r for r in _turn(message, audience) if r.kind == payload_type]
        assert len(replies) == 1, (message, audience, [r.kind for r in _turn(message, audience)])
        (reply,) = replies
        assert reply.payload is not None and reply.answer is not None
        buttons = tuple((b["title"], b["payload"]) for b in reply.buttons)
        return Rendered(
            text=reply.text, payload=reply.payload, buttons=buttons, answer=reply.answer
        )

    return run


TOPIC_VIGNETTES: list[tuple[str, Vignette]] = [
    (f"{topic.id}:{case['id']}:{kind}", _spoken(case["messages"][0], kind))
    for topic, case in single_message()
    for kind in case["expect"].get("types", [])
]
VIGNETTES: list[tuple[str, Vignette]] = [
    ("b12-neuro-yes", _plan({"neurological_involvement": "yes"})),
    ("b12-neuro-no", _plan({"neurological_involvement": "no"})),
    *(
        (f"b12-cause-{cause}", _plan({"neurological_involvement": "no", "causes": [cause]}))
        for cause in (
            "pernicious_anaemia",
            "dietary",
            "malabsorption",
            "bariatric_surgery",
            "medication",
        )
    ),
    (
        "b12-cause-ileal_resection",
        _plan(
            {
                "neurological_involvement": "no",
                "causes": ["ileal_resection"],
                "ileal_resection_cm": 60,
            }
        ),
    ),
    ("b12-gate-under-16", _plan({"neurological_involvement": "no", "age": 10})),
    ("b12-gate-pregnant", _plan({"neurological_involvement": "no", "pregnant": "yes"})),
    ("b12-gate-platelets-40", _plan({"neurological_involvement": "no", "platelet_count": 40})),
    ("b12-gate-pancytopenia", _plan({"neurological_involvement": "no", "pancytopenia": "yes"})),
    ("b12-missing-neuro", _plan({"causes": ["dietary"]})),
    ("b12-invalid-value", _plan({"neurological_involvement": "no", "age": 300})),
    ("b12-why", _why),
    ("b12-followup", _followup("how long does treatment last with pernicious anaemia")),
    ("b12-decline", _followup("what is the capital of france")),
    ("b12-triage-emergency", _triage_emergency),
    *TOPIC_VIGNETTES,
]
CASES = [
    pytest.param(vignette, audience, id=f"{name}:{audience}")
    for name, vignette in VIGNETTES
    for audience in ("clinician", "patient")
]


def _answer(rendered: Rendered) -> Answer:
    answer = Answer.from_dict(rendered.payload["answer"])
    assert answer == rendered.model
    assert rendered.text == answer.to_text()
    return answer


def _lines(answer: Answer) -> list[Line]:
    return [line for section in answer.sections for line in section.lines]


def _slack_line(line: Line) -> str:
    marks = "".join(f"[{n}]" for n in line.cites)
    return slack_escape(line.text) + (f" *{marks}*" if marks else "")


def _json(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def _in_json(text: str, laid_out: str) -> bool:
    return json.dumps(text, ensure_ascii=False)[1:-1] in laid_out


_WITHOUT_IDS = re.compile(r'\s(?:id|aria-labelledby|aria-describedby|for)="[^"]*"')
"""Attributes that hold element ids, which readers never see."""


def _doses(text: str) -> list[str]:
    return DOSE.findall(text) + SCHEDULE.findall(text)


@pytest.mark.parametrize(("vignette", "audience"), CASES)
def test_slack_and_teams_show_the_same_lines_and_citations_as_the_text(
    vignette: Vignette, audience: Audience
) -> None:
    rendered = vignette(audience)
    answer = _answer(rendered)
    assert answer.audience == audience
    reply = Reply(text=rendered.text, payload=rendered.payload)
    blocks = slack_blocks(reply)
    card = adaptive_card(reply)
    slack, teams = _json(blocks), _json(card["body"])
    assert fallback_text(reply) == rendered.text
    assert card["fallbackText"] == rendered.text
    for line in _lines(answer):
        assert line.to_text() in rendered.text
        assert _in_json(_slack_line(line), slack), (line, slack[:800])
        assert _in_json(line.to_text(), teams), (line, teams[:800])
    for cite in answer.citations:
        assert f"[{cite.number}] {cite.label}" in rendered.text
        assert _in_json(f"*[{cite.number}]* {slack_escape(cite.text)}", slack)
        assert _in_json(f"[{cite.number}] {cite.text}", teams)
        assert _in_json(cite.label, teams)
    if answer.banner is not None:
        banner = answer.banner
        marks = "".join(f"[{n}]" for n in banner.cites)
        assert rendered.text.startswith(Line(banner.text, banner.cites).to_text())
        assert _in_json(slack_escape(banner.text), _json(blocks[0]))
        assert _in_json(marks, _json(blocks[0]))
        assert _in_json(Line(banner.text, banner.cites).to_text(), _json(card["body"][0]))
    titles = [b.title for b in answer.buttons]
    assert [a["title"] for a in card.get("actions", [])] == titles
    if titles:  # Slack: one actions block last, each button sending the answer's payload
        assert blocks[-1]["type"] == "actions"
        assert [e["text"]["text"] for e in blocks[-1]["elements"]] == titles
        assert [e["value"] for e in blocks[-1]["elements"]] == [b.payload for b in answer.buttons]
    if audience == "patient":
        for where, laid_out in (
            ("answer", _json(rendered.payload["answer"])),
            ("text", rendered.text),
            ("slack", slack),
            ("teams", teams),
        ):
            assert not _doses(laid_out), (where, _doses(laid_out))


def test_web_chat_shows_the_same_lines_and_citations(tmp_path: Path) -> None:
    cases, answers = [], {}
    for name, vignette in VIGNETTES:
        for audience in ("clinician", "patient"):
            rendered = vignette(audience)  # type: ignore[arg-type]
            key = f"{name}:{audience}"
            answers[key] = (_answer(rendered), rendered)
            cases.append({"name": key, "payload": rendered.payload})
    cards = _webchat_cards(cases, tmp_path)
    for key, (answer, rendered) in answers.items():
        card = cards[key]
        # render.ts words the answer as text exactly as the engine does.
        assert card["answer_text"] == rendered.text, key
        for line in _lines(answer):
            assert line.text in card["text"], (key, line.text)
            for n in line.cites:
                assert f'aria-label="Show citation {n}"' in card["html"], (key, n)
        for cite in answer.citations:
            assert f"[{cite.number}]" in card["text"] and cite.label in card["text"], key
        if answer.banner is not None:
            assert answer.banner.text in card["text"], key
            for n in answer.banner.cites:
                assert f'aria-label="Show citation {n}"' in card["html"], (key, n)
            first = re.search(r"<article[^>]*>\s*<(\w+) class=\"([^\"]+)\"", card["html"])
            assert first and "b12c-banner" in first.group(2), (key, card["html"][:300])
        if answer.audience == "patient":
            # Element ids carry a base-36 timestamp ("b12c-answer-mig9mg-3"): not text anyone
            # reads, and at some instants they spell "9mg" (a CI run failed on that).
            html = _WITHOUT_IDS.sub("", card["html"])
            assert not _doses(card["text"] + html), (key, _doses(html))


TOPIC_CASES = [
    pytest.param(vignette, audience, id=f"{name}:{audience}")
    for name, vignette in TOPIC_VIGNETTES
    for audience in ("clinician", "patient")
]


@pytest.mark.parametrize(("vignette", "audience"), TOPIC_CASES)
def test_every_reply_names_its_topic_and_contract_version(
    vignette: Vignette, audience: Audience
) -> None:
    payload = vignette(audience).payload
    answer = Answer.from_dict(payload["answer"])
    assert payload["contract_version"] == "2.0"
    assert payload["topic"] == payload["type"].split(".")[0] == answer.topic
    assert payload.get("audience", audience) == answer.audience == audience


PLANS = [name for name, _ in TOPIC_VIGNETTES if name.endswith((".plan", ".regimen"))]


@pytest.mark.parametrize("name", PLANS)
def test_clinician_plans_show_doses_with_citation_numbers_in_every_channel(
    name: str, tmp_path: Path
) -> None:
    """The same dose lines, each with its citation marks, in text, Slack, Teams and web chat."""
    rendered = dict(VIGNETTES)[name]("clinician")
    answer = _answer(rendered)
    dosed = [x for x in _lines(answer) if DOSE.search(x.text)]
    assert dosed and all(x.cites for x in dosed), [x.text for x in _lines(answer)]
    reply = Reply(text=rendered.text, payload=rendered.payload)
    slack, teams = _json(slack_blocks(reply)), _json(adaptive_card(reply)["body"])
    card = _webchat_cards([{"name": name, "payload": rendered.payload}], tmp_path)[name]
    for line in dosed:
        assert _in_json(_slack_line(line), slack)
        assert _in_json(line.to_text(), teams)
        assert line.text in card["text"]
        for n in line.cites:
            assert f'aria-label="Show citation {n}"' in card["html"]


def _answers_in_order(case: dict[str, Any], audience: Audience) -> list[str]:
    return [r.kind for r in _turn(case["messages"][0], audience)]


@pytest.mark.parametrize(
    ("topic", "case"),
    [(t, c) for t, c in single_message() if "first" in c["expect"]],
    ids=lambda x: getattr(x, "id", None) or x["id"],
)
def test_an_answer_another_topic_hands_over_to_comes_first_in_every_channel(
    topic: Any, case: dict[str, Any]
) -> None:
    """A topic that defers (folate to B12 when both are low): the other answer comes first."""
    for audience in ("clinician", "patient"):
        kinds = [k for k in _answers_in_order(case, audience) if k in case["expect"]["types"]]
        assert kinds[0] == case["expect"]["first"], kinds
        assert sorted(kinds) == sorted(case["expect"]["types"]), kinds


@pytest.mark.parametrize(
    ("topic", "case"),
    [
        (t, c)
        for t, c in single_message()
        if any(".missing_facts" in k for k in c["expect"]["types"])
    ],
    ids=lambda x: getattr(x, "id", None) or x["id"],
)
def test_a_topic_question_offers_its_answers_as_buttons_in_slack_and_teams(
    topic: Any, case: dict[str, Any]
) -> None:
    kind = next(k for k in case["expect"]["types"] if k.endswith(".missing_facts"))
    for audience in ("clinician", "patient"):
        rendered = _spoken(case["messages"][0], kind)(audience)
        fact = rendered.payload["missing"][0]
        reply = Reply(text=rendered.text, payload=rendered.payload)
        values = [b.payload for b in rendered.model.buttons]
        assert values and all(v.startswith(f'/inform{{"{fact}":') for v in values)
        assert [e["value"] for e in slack_blocks(reply)[-1]["elements"]] == values
        submits = adaptive_card(reply)["actions"]
        assert [a["data"]["msteams"]["value"]["b12_payload"] for a in submits] == values


@pytest.mark.parametrize(
    ("topic", "case"),
    [(t, c) for t, c in single_message() if any(k.endswith(".gate") for k in c["expect"]["types"])],
    ids=lambda x: getattr(x, "id", None) or x["id"],
)
def test_a_topic_gate_withholds_the_plan_and_escalates_first(
    topic: Any, case: dict[str, Any]
) -> None:
    kind = next(k for k in case["expect"]["types"] if k.endswith(".gate"))
    for audience in ("clinician", "patient"):
        kinds = _answers_in_order(case, audience)
        assert not [k for k in kinds if k.endswith((".plan", ".regimen"))], kinds
        rendered = _spoken(case["messages"][0], kind)(audience)
        answer = rendered.model
        assert answer.kind == "gate" and answer.banner is not None
        assert answer.banner.level in {"urgent", "advice"}
        assert rendered.payload["plan_withheld"] is True
        blocks = slack_blocks(Reply(text=rendered.text, payload=rendered.payload))
        assert slack_escape(answer.banner.text)[:40] in _json(blocks[0])


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_unapproved_gate_advice_still_escalates_with_an_urgent_banner(
    audience: Audience, tmp_path: Path
) -> None:
    """The approval gate withholds the advice, never the urgency: banner first, every channel."""
    from actions.engine import _fail_safe_gated, _gated_refs, approvals

    facts = facts_from_values({"neurological_involvement": "no", "pregnant": "yes"}).facts
    result = build_plan(facts, _kb().ids)
    assert isinstance(result, Gated) and result.urgency.value == "urgent"
    blockers = approvals().unapproved(_gated_refs(result))  # what the gate on would refuse
    assert blockers, "the pregnancy gate's advice is expected to be pending review"
    rendered = _fail_safe_gated(result, blockers, audience)
    answer = _answer(rendered)
    payload = rendered.payload
    assert payload["type"] == "b12.content_unavailable"
    assert {"kb_version", "snippet_ids", "artefacts", "escalation"} <= set(payload)
    assert payload["escalation"]["urgency"] == "urgent"
    assert answer.banner is not None and answer.banner.level == "urgent"
    assert rendered.text.startswith(answer.banner.text)
    reply = Reply(text=rendered.text, payload=payload)
    assert slack_blocks(reply)[0]["text"]["text"].startswith(":warning: *URGENT")
    assert adaptive_card(reply)["body"][0]["style"] == "warning"
    card = _webchat_cards([{"name": "gate", "payload": payload}], tmp_path)["gate"]
    assert re.search(r'<article[^>]*>\s*<div class="b12c-banner b12c-banner-urgent"', card["html"])
    assert not _doses(rendered.text)


def test_why_names_the_facts_used_in_words_in_every_channel() -> None:
    plan = build_plan(
        facts_from_values(
            {"neurological_involvement": "yes", "causes": ["pernicious_anaemia"]}
        ).facts,
        _kb().ids,
    )
    assert isinstance(plan, Plan)
    for audience in ("clinician", "patient"):
        rendered = render_why(plan, audience)  # type: ignore[arg-type]
        reply = Reply(text=rendered.text, payload=rendered.payload)
        for laid_out in (
            rendered.text,
            _json(slack_blocks(reply)),
            _json(adaptive_card(reply)["body"]),
        ):
            assert "Neurological involvement: yes" in laid_out
            assert "Causes: pernicious anaemia" in laid_out
            assert "pernicious_anaemia" not in laid_out
