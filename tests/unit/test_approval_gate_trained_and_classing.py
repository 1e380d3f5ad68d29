"""Approved-only mode for the trained triage signal and for numbers classed by the lab code.

Safety first: a red flag found only by the trained signal still escalates when the signal is
not approved, with its advice replaced by the pending-review line (never dropped, never its
unreviewed advice). A plan that rests on a laboratory result classed by unapproved classing
code is refused whole with ``b12.content_unavailable`` naming that code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.validate
from actions import engine
from actions.validate import ValidateSlotMappings
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.knowledge.approval import (
    REFUSAL_TYPE,
    ApprovalState,
    ApprovalStatus,
    ArtefactKind,
    ArtefactRef,
    lab_classing_refs,
    load_approval_state,
    packaged_trained_red_flags,
    topic_rule_refs,
    triage_signal_refs,
)
from guideline_engine.regimen.gates import packaged_gates
from guideline_engine.regimen.model import Facts, LabStatus, LabValue, Plan, Tri
from guideline_engine.render.answers import render_triage
from guideline_engine.render.messages import messages
from guideline_engine.topics import topics
from guideline_engine.triage.rules import load_red_flags
from tests.actions.conftest import DOMAIN, build_tracker

assess_module = importlib.import_module("guideline_engine.triage.assess")  # the package
# exports the function under the module's name
TRAINED = ("possible_emergency", "possible_urgent")
MODEL = ArtefactRef(ArtefactKind.SIGNAL, "triage.model")


def approved_except(held: Iterable[ArtefactRef], *, enforced: bool = True) -> ApprovalState:
    """The packaged artefacts, all approved except ``held``."""
    keep = set(held)
    base = load_approval_state(load_knowledge_base(approved_only=False))
    approved = {
        "status": ApprovalStatus.APPROVED,
        "reviewer": "Dr T",
        "role": "haematologist",
        "reviewed_on": dt.date(2026, 12, 1),
        "problem": None,
    }
    artefacts = tuple(
        a if a.ref in keep else dataclasses.replace(a, **approved) for a in base.artefacts
    )
    return ApprovalState(artefacts, enforced=enforced)


def advice_of(flag_id: str) -> str:
    return next(f for f in load_red_flags() if f.id == flag_id).advice("patient")


# ----------------------------------------------------------------------------- trained triage


def test_the_trained_red_flags_are_the_ones_marked_trained() -> None:
    assert packaged_trained_red_flags() == set(TRAINED)
    assert load_approval_state(load_knowledge_base(approved_only=False)).trained_red_flags == set(
        TRAINED
    )


@pytest.mark.parametrize("flag", TRAINED)
@pytest.mark.parametrize("held", [pytest.param(r, id=r.id) for r in triage_signal_refs()])
def test_a_trained_red_flag_from_an_unapproved_signal_escalates_with_pending_advice(
    flag: str, held: ArtefactRef
) -> None:
    state = approved_except([held])
    pending = state.advice_pending([flag, "chest_pain"])
    assert pending == {flag}  # its own entry is approved; the signal is not
    rendered = render_triage(red_flag_ids=[flag], urgency=None, describes_symptoms=True,
                             audience="patient", advice_pending=pending)  # fmt: skip
    assert rendered is not None  # never dropped
    level = "emergency" if flag == "possible_emergency" else "urgent"
    assert rendered.payload["urgency"] == level
    assert rendered.payload["red_flags"] == [flag]
    assert rendered.payload["advice_pending_review"] == [flag]
    assert rendered.text.startswith(messages().text(f"triage_heading_{level}"))
    assert messages().text("advice_pending_review") in rendered.text
    assert advice_of(flag) not in rendered.text


def test_a_curated_red_flag_does_not_wait_for_the_trained_signal() -> None:
    state = approved_except([MODEL])
    assert state.advice_pending(["chest_pain", "fainting_collapse"]) == frozenset()


def test_trained_red_flag_advice_shows_once_signal_and_flag_are_approved() -> None:
    assert approved_except([]).advice_pending(TRAINED) == frozenset()
    flag = ArtefactRef(ArtefactKind.RED_FLAG, "possible_emergency")
    assert approved_except([flag]).advice_pending(TRAINED) == {"possible_emergency"}


def test_gate_off_keeps_trained_red_flag_advice() -> None:
    state = approved_except([MODEL], enforced=False)
    assert state.advice_pending(TRAINED) == frozenset()


def test_a_missing_signal_artefact_counts_as_unapproved() -> None:
    full = approved_except([])
    state = ApprovalState(tuple(a for a in full.artefacts if a.ref != MODEL), enforced=True)
    assert state.advice_pending(TRAINED) == set(TRAINED)


async def test_validate_action_escalates_a_model_hit_with_pending_advice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(actions.validate, "approvals", lambda: approved_except([MODEL]))
    entities = [
        {"entity": "red_flag", "value": "possible_emergency", "extractor": "ClinicalFactExtractor"},
        {"entity": "triage_urgency", "value": "emergency", "extractor": "ClinicalFactExtractor"},
    ]
    tracker = build_tracker(text="something is badly wrong", entities=entities,
                            metadata={"audience": "patient"})  # fmt: skip
    dispatcher = CollectingDispatcher()
    await ValidateSlotMappings().run(dispatcher, tracker, DOMAIN)
    first = dispatcher.messages[0]["text"]
    assert first.startswith(messages().text("triage_heading_emergency"))
    assert messages().text("advice_pending_review") in first
    triage = next(m["custom"] for m in dispatcher.messages if m.get("custom"))
    assert (triage["type"], triage["urgency"]) == ("b12.triage", "emergency")
    assert triage["advice_pending_review"] == ["possible_emergency"]


def test_every_model_hit_is_reported_as_a_trained_red_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever curated red flag the classifier guesses, the hit is the trained flag of that
    # urgency, so its approval always includes the trained signal's.
    text = "my whole body feels wrong today"
    monkeypatch.setattr(assess_module, "model_red_flags", lambda t: [("chest_pain", 0, len(t))])
    result = assess_module.assess(text)
    model_hits = [h for h in result.red_flags if h.signal == "model"]
    assert [h.id for h in model_hits] == ["possible_emergency"]
    assert result.urgency is not None and result.urgency.value == "emergency"


# ----------------------------------------------------------------------------- lab classing


def b12_gates() -> tuple[str, ...]:
    return tuple(g.id for g in packaged_gates() if g.topic == topics().default.kb_topic)


def plan_of(facts: Facts) -> Plan:
    plan = build_plan(facts)
    assert isinstance(plan, Plan)
    return plan


LOW_B12 = Facts(neurological_involvement=Tri.NO, b12=LabValue(120.0, "ng/L", LabStatus.LOW))


@pytest.mark.parametrize("held", [pytest.param(r, id=r.id) for r in lab_classing_refs()])
def test_a_plan_resting_on_a_lab_result_needs_the_classing_code(held: ArtefactRef) -> None:
    state = approved_except([held])
    blockers = state.blocking(state.needed_by_plan(plan_of(LOW_B12), b12_gates()))
    assert [a.ref for a in blockers] == [held]


def test_a_plan_without_a_lab_result_does_not_wait_for_the_classing_code() -> None:
    state = approved_except(lab_classing_refs())
    plan = plan_of(Facts(neurological_involvement=Tri.NO))
    assert state.blocking(state.needed_by_plan(plan, b12_gates())) == ()


def test_every_table_answer_rests_on_the_classing_code() -> None:
    assert set(lab_classing_refs()) <= set(topic_rule_refs("folate"))


@pytest.fixture
def gate_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("KB_APPROVED_ONLY", raising=False)
    engine.knowledge_base.cache_clear()
    yield monkeypatch
    engine.knowledge_base.cache_clear()


NUMBERS = ArtefactRef(ArtefactKind.RULE, "extraction.numbers.lab_classing")


def test_b12_plan_on_a_classed_number_fails_closed_naming_the_code(gate_on: Any) -> None:
    gate_on.setattr(engine, "approvals", lambda: approved_except([NUMBERS]))
    _, rendered = engine.render_gated_plan(LOW_B12, "clinician")
    assert rendered.payload["type"] == REFUSAL_TYPE
    assert [(a["kind"], a["id"]) for a in rendered.payload["artefacts"]] == [
        ("rule", "extraction.numbers.lab_classing")
    ]


def test_folate_table_on_a_classed_number_fails_closed_naming_the_code(gate_on: Any) -> None:
    facts = ArtefactRef(ArtefactKind.RULE, "facts.lab_classing")
    gate_on.setattr(engine, "approvals", lambda: approved_except([facts]))
    folate = next(t for t in topics().all if t.folder == "folate")
    values = {"folate_level": "2.1 ug/L", "b12_status": "low", "age": 40,
              "neurological_involvement": "no"}  # fmt: skip
    _, rendered = engine.render_table_result(folate, values, "clinician")
    assert rendered is not None and rendered.payload["type"] == REFUSAL_TYPE
    assert [a["id"] for a in rendered.payload["artefacts"]] == ["facts.lab_classing"]
