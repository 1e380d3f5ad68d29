"""With the approval gate on, an answer rests on its own topic's artefacts, and on all of them.

A plan needs the approvals of its topic and of the topics it defers to, not every topic's
(a B12 plan is not withheld because a folate gate awaits review); a table answer needs the
code that evaluates and words tables; a topic that goes after another waits when that one's
plan is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import engine
from actions.plan import ActionPlan
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.knowledge.approval import (
    REFUSAL_TYPE,
    ApprovalState,
    ApprovalStatus,
    ArtefactKind,
    ArtefactRef,
    load_approval_state,
)
from guideline_engine.regimen.gates import packaged_gates
from guideline_engine.regimen.model import Facts, Plan, Tri
from guideline_engine.topics import TablePlan, Topic, topics
from tests.actions.conftest import DOMAIN, build_tracker

# Both B12 and folate stated low: the folate table hands over to B12 first, then adds its lines.
BOTH_LOW = {
    "folate_status": "low",
    "b12_status": "low",
    "age": 40,
    "neurological_involvement": "no",
}


def approved_except(held: Iterable[ArtefactRef]) -> ApprovalState:
    """The packaged artefacts, all approved except ``held``; the gate on."""
    keep = set(held)
    base = load_approval_state(load_knowledge_base(approved_only=False))
    approved = dataclasses.replace  # one reviewer approves everything else
    artefacts = tuple(
        a
        if a.ref in keep
        else approved(
            a,
            status=ApprovalStatus.APPROVED,
            reviewer="Dr T",
            role="haematologist",
            reviewed_on=dt.date(2026, 12, 1),
            problem=None,
        )
        for a in base.artefacts
    )
    return ApprovalState(artefacts, enforced=True)


@pytest.fixture
def gate_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Every snippet visible (the gate is the approval state each test sets), caches clear."""
    monkeypatch.delenv("KB_APPROVED_ONLY", raising=False)
    engine.knowledge_base.cache_clear()
    yield monkeypatch
    engine.knowledge_base.cache_clear()


def use(monkeypatch: pytest.MonkeyPatch, state: ApprovalState) -> None:
    monkeypatch.setattr(engine, "approvals", lambda: state)


def deferring_topic() -> Topic:
    """A table topic that hands over to the default topic first."""
    every = topics()
    return next(t for t in every.all if any(r.defer_to == every.default.id for r in t.rows))


def gates_of(topic: Topic) -> list[ArtefactRef]:
    return [
        ArtefactRef(ArtefactKind.GATE, g.id) for g in packaged_gates() if g.topic == topic.kb_topic
    ]


def test_default_topic_plan_is_not_held_back_by_another_topics_gate(gate_on: Any) -> None:
    other = deferring_topic()
    assert gates_of(other), "the deferring topic has gates of its own"
    use(gate_on, approved_except(gates_of(other)))
    result, rendered = engine.render_gated_plan(Facts(neurological_involvement=Tri.NO), "clinician")
    assert isinstance(result, Plan)
    assert rendered.payload["type"] != REFUSAL_TYPE, rendered.payload


def test_default_topic_plan_is_held_back_by_its_own_gate(gate_on: Any) -> None:
    own = gates_of(topics().default)[0]
    use(gate_on, approved_except([own]))
    _, rendered = engine.render_gated_plan(Facts(neurological_involvement=Tri.NO), "clinician")
    assert rendered.payload["type"] == REFUSAL_TYPE
    assert [a["id"] for a in rendered.payload["artefacts"]] == [own.id]


def test_table_plan_is_held_back_by_a_gate_of_the_topic_it_defers_to(gate_on: Any) -> None:
    # The table checks the deferred-to topic's gates before its own rows (decide), so its
    # answer rests on their approval too; no gate fires for these facts.
    first = gates_of(topics().default)[0]
    use(gate_on, approved_except([first]))
    result, rendered = engine.render_table_result(deferring_topic(), BOTH_LOW, "clinician")
    assert isinstance(result, TablePlan) and result.lines
    assert rendered is not None and rendered.payload["type"] == REFUSAL_TYPE
    assert [a["id"] for a in rendered.payload["artefacts"]] == [first.id]


def test_table_plan_is_shown_when_everything_it_rests_on_is_approved(gate_on: Any) -> None:
    use(gate_on, approved_except([]))
    _, rendered = engine.render_table_result(deferring_topic(), BOTH_LOW, "clinician")
    assert rendered is not None and rendered.payload["type"].endswith(".plan"), rendered.payload


@pytest.mark.parametrize(
    "module", ["topics.decide", "topics.render", "topics.model", "topics.loader"]
)
def test_table_answer_needs_the_table_engine_approved(gate_on: Any, module: str) -> None:
    use(gate_on, approved_except([ArtefactRef(ArtefactKind.RULE, module)]))
    _, rendered = engine.render_table_result(deferring_topic(), BOTH_LOW, "clinician")
    assert rendered is not None and rendered.payload["type"] == REFUSAL_TYPE
    assert [a["id"] for a in rendered.payload["artefacts"]] == [module]


def test_table_question_needs_the_table_engine_approved(gate_on: Any) -> None:
    ref = ArtefactRef(ArtefactKind.RULE, "topics.decide")
    use(gate_on, approved_except([ref]))
    _, rendered = engine.render_table_result(deferring_topic(), {}, "patient")
    assert rendered is not None and rendered.payload["type"] == REFUSAL_TYPE


async def test_lines_after_a_refused_first_plan_are_not_shown(gate_on: Any) -> None:
    # The first topic's plan is refused (one of its snippets awaits review); the lines of the
    # topic that goes after it must wait, as they do for a question or a gate.
    full = build_plan(Facts(neurological_involvement=Tri.NO))
    assert isinstance(full, Plan)
    snippet = ArtefactRef(ArtefactKind.SNIPPET, full.snippet_ids()[0])
    use(gate_on, approved_except([snippet]))
    dispatcher = CollectingDispatcher()
    slots = {**BOTH_LOW, "audience": "clinician", "disclaimer_shown": True}
    tracker = build_tracker(slots=slots, text="folate is low and b12 is low")
    await ActionPlan().answer(dispatcher, tracker, DOMAIN)
    types = [m["custom"]["type"] for m in dispatcher.messages if m.get("custom")]
    assert types == [REFUSAL_TYPE]


# A question the learned follow-up signal answers with another snippet than BM25 (our own words).
PROMOTED = "how long is he on it for, the rest of his life?"


def test_an_unapproved_learned_signal_never_chooses_the_snippet(gate_on: Any) -> None:
    """HAZ-062: with the gate on and the follow-up signal unapproved, BM25's choice is quoted."""
    from guideline_engine.knowledge.approval import followup_signal_refs

    use(gate_on, approved_except([]))
    _, with_signal = engine.followup_search(PROMOTED, "b12", [])
    use(gate_on, approved_except(followup_signal_refs()))
    _, without = engine.followup_search(PROMOTED, "b12", [])
    assert with_signal.best.id != without.best.id  # type: ignore[union-attr]
