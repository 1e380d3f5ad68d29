"""Every topic package loads, validates and behaves as its own vignettes say.

The vignettes live in the package (``content/<topic>/vignettes.yml``), so a new topic brings
its tests as data; this file names no topic.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from guideline_engine.facts import facts_from_values
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.regimen.gates import packaged_gates
from guideline_engine.regimen.model import Gated, MissingFacts
from guideline_engine.topics import TablePlan, Topic, TopicError, decide, fact_view, topics
from guideline_engine.topics.loader import parse_condition, parse_topic
from tests.actions.conversation import Conversation
from tests.topics.vignettes import cases

DOSE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:mg|µg|mcg|micrograms?|milligrams?)\b|\b(?:daily|weekly|monthly|"
    r"once a day|twice|three times|alternate days|every \d)",
    re.IGNORECASE,
)


def _vignettes() -> list[Any]:
    return [pytest.param(c, id=f"{t.id}:{c['id']}") for t, c in cases()]


VIGNETTES = _vignettes()


def test_every_topic_validates_and_exactly_one_is_default() -> None:
    every = topics()
    assert sum(t.default for t in every.all) == 1
    assert len({t.id for t in every.all}) == len(every.all) >= 1


def test_patient_wording_of_every_snippet_a_table_cites_has_no_dose() -> None:
    kb = load_knowledge_base(approved_only=False)
    for topic in topics().all:
        for sid in topic.snippet_ids():
            assert not DOSE.search(kb.snippet(sid).text("patient")), sid


@pytest.mark.parametrize("vignette", VIGNETTES)
async def test_vignette(vignette: dict[str, Any]) -> None:
    chat = Conversation(audience=vignette["audience"])
    turn = None
    for message in vignette["messages"]:
        turn = await chat.say(message, "inform")
    assert turn is not None
    expect = vignette["expect"]
    types = [p["type"] for p in turn.payloads()]
    for kind in expect.get("types", []):
        assert kind in types, types
    for kind in expect.get("not_types", []):
        assert kind not in types, types
    if "first" in expect:
        plans = [t for t in types if t.endswith((".plan", ".regimen", ".gate"))]
        assert plans[0] == expect["first"], types
    cited = {c["snippet_id"] for p in turn.payloads() for c in p.get("citations") or []}
    assert set(expect.get("cites", [])) <= cited, cited
    assert not set(expect.get("not_cites", [])) & cited
    if "pending" in expect:
        assert turn.slots["pending_question"] == expect["pending"]
    for payload in turn.payloads():
        assert payload.get("contract_version"), payload["type"]
    if vignette["audience"] == "patient":
        shown = "\n".join(turn.texts())
        assert not re.search(r"\d+(?:\.\d+)?\s*(?:mg|µg|mcg)\b", shown), shown


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        pytest.param(
            {
                "id": "x",
                "topic": "x_y",
                "title": {"clinician": "a", "patient": "b"},
                "scope_terms": ["x"],
                "rules_module": "m",
                "colour": 1,
            },
            "unknown keys",
            id="unknown-key",
        ),
        pytest.param(
            {
                "id": "x",
                "topic": "x_y",
                "title": {"clinician": "a", "patient": "b"},
                "scope_terms": ["x"],
            },
            "rules.yml or rules_module",
            id="no-rules",
        ),
        pytest.param(
            {
                "id": "x",
                "topic": "x_y",
                "title": {"clinician": "a"},
                "scope_terms": ["x"],
                "rules_module": "m",
            },
            "missing keys",
            id="title-one-audience",
        ),
    ],
)
def test_malformed_manifest_is_rejected(manifest: dict[str, Any], message: str) -> None:
    with pytest.raises(TopicError, match=message):
        parse_topic(manifest, None, "x")


def test_row_that_asks_a_fact_without_a_question_is_rejected() -> None:
    manifest = {
        "id": "x",
        "topic": "x_y",
        "title": {"clinician": "a", "patient": "b"},
        "scope_terms": ["x"],
    }
    rules = {"topic": "x_y", "rows": [{"id": "r", "ask": "b12_status"}]}
    with pytest.raises(TopicError, match="no question"):
        parse_topic(manifest, rules, "x")


def test_condition_with_unknown_operator_is_rejected() -> None:
    with pytest.raises(TopicError, match="op 'near'"):
        parse_condition({"fact": "age", "op": "near", "value": 3}, "here")


def test_routing_prefers_the_topic_named_and_keeps_the_conversation_topic() -> None:
    every = topics()
    for other in (t for t in every.all if not t.default):
        named = other.scope_terms[0]
        assert every.route(f"about {named}", {}, None).id == other.id
        assert every.route("hello", {}, other.id).id == other.id
        assert every.for_question(f"how long with {named}?", None).id == other.id
    assert every.route("hello", {}, None).default
    assert every.for_question("how long does treatment last?", None).default


def test_a_malformed_topic_stops_the_action_server_at_start(monkeypatch) -> None:
    import action_server.__main__ as action_main

    def broken() -> None:
        raise TopicError("content/x/topic.yml: unknown keys ['colour']")

    monkeypatch.setattr(action_main, "topics", broken)
    with pytest.raises(SystemExit, match="topic package failed validation"):
        action_main.check_clinical_content()


def _package_cases(key: str) -> list[Any]:
    return [pytest.param(t, c, id=f"{t.id}:{c['id']}") for t, c in cases(key)]


@pytest.mark.parametrize(("topic", "case"), _package_cases("rule_cases"))
def test_rule_case(topic: Topic, case: dict[str, Any]) -> None:
    values = case["facts"]
    handed_to = {t.id: t.kb_topic for t in topics().all}
    result = decide(
        topic, fact_view(values), facts_from_values(values).facts, packaged_gates(), handed_to
    )
    expect = case["expect"]
    if "gates" in expect:
        assert isinstance(result, Gated) and result.plan_withheld
        assert [h.gate_id for h in result.hits] == expect["gates"]
        return
    if "ask" in expect:
        assert isinstance(result, MissingFacts) and result.missing == (expect["ask"],)
        return
    assert isinstance(result, TablePlan), result
    assert result.defer_to == expect.get("defer_to")
    cited = set(result.snippet_ids())
    assert set(expect.get("cites", [])) <= cited, cited
    assert not set(expect.get("never_cites", [])) & cited
    if "first_section" in expect:
        assert result.lines[0].section == expect["first_section"]


@pytest.mark.parametrize(("topic", "case"), _package_cases("rule_cases"))
def test_rule_case_never_words_folic_acid_for_an_unknown_b12(
    topic: Topic, case: dict[str, Any]
) -> None:
    """With B12 unknown, a table shows only warnings and escalation, never a treatment line.

    Unless it hands over to B12's plan first for a stated cause of B12 deficiency (pernicious
    anaemia): its lines are then sent only after a B12 plan (never beside B12's question).
    """
    values = case["facts"]
    handed_to = {t.id: t.kb_topic for t in topics().all}
    result = decide(
        topic, fact_view(values), facts_from_values(values).facts, packaged_gates(), handed_to
    )
    view = fact_view(values)
    by_cause = "pernicious_anaemia" in view["causes"]
    if isinstance(result, TablePlan) and view["b12_status"] == "unknown":
        if by_cause and result.defer_to is not None:
            return
        assert all(line.section in topic.warning_sections for line in result.lines), result.lines


@pytest.mark.parametrize(("topic", "case"), _package_cases("followups"))
async def test_followup_vignette(topic: Topic, case: dict[str, Any]) -> None:
    chat = Conversation(audience="clinician")
    for message in case["conversation"]:
        await chat.say(message, "inform")
    turn = await chat.say(case["question"], "ask_followup")
    kb = load_knowledge_base(approved_only=False)
    cited = [
        c["snippet_id"]
        for p in turn.payloads()
        for c in (p.get("citations") or []) + (p.get("snippets") or [])
    ]
    assert cited, [p["type"] for p in turn.payloads()]
    assert {kb.snippet(sid).topic for sid in cited} == {case["expect_topic"]}, cited


async def test_why_after_a_table_topics_plan_explains_that_plan() -> None:
    """ "why?" answers for the topic of the conversation, not the default topic's regimen."""
    every = topics()
    for topic, case in cases():
        if topic.rules_module is not None or "types" not in case["expect"]:
            continue
        if f"{topic.id}.plan" not in case["expect"]["types"] or len(case["messages"]) != 1:
            continue
        chat = Conversation(audience="clinician")
        await chat.say(case["messages"][0], "inform")
        turn = await chat.say("why?", "ask_why")
        (why,) = turn.payloads("b12.why")
        assert why["topic"] == topic.id and why["rule_path"], why
        assert not turn.payloads(f"{every.default.id}.missing_facts")
        return
    pytest.skip("no table topic with a one-message plan vignette")


def test_a_question_term_does_not_pull_a_question_out_of_another_topics_conversation() -> None:
    """In the default topic's conversation, a word another topic claims only for questions
    ("folic acid") leaves the question with the conversation's topic (its content covers it)."""
    every = topics()
    for other in (t for t in every.all if t.question_terms):
        term = other.question_terms[0]
        assert every.for_question(f"why not give {term} first?", every.default.id).default
        assert every.for_question(f"why not give {term} first?", None).id == other.id
        assert every.for_question(f"why not give {term} first?", other.id).id == other.id
